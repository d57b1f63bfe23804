"""Energy sensors, the sampler and process attribution.

Each backend is one module behind :class:`carbontrail.measure.base.Sensor`;
absent hardware gives no devices (a null object), never an exception at import.
"""
