"""Hardware catalog: accelerators, CPUs, cloud instance types, power and embodied factors.

- :mod:`carbontrail.hardware.catalog`: accelerators, instance types, factors (lazy package data)
- :mod:`carbontrail.hardware.cpus`: CPU TDP table and fuzzy CPU name matching
- :mod:`carbontrail.hardware.spec`: parse ``4xV100+cpu:AMD EPYC 7763`` into device lines

Nothing is loaded at import; the tables are read on first use.
"""
