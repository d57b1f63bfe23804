"""Estimate a job's footprint before running it (no measurement needed).

``carbontrail.estimate(...)`` and ``carbontrail.estimate.estimate(...)`` are the
same function; see :func:`carbontrail.estimate.calc.estimate`. Batch
estimates (CSV of jobs, Slurm ``sacct`` output) are in :mod:`.batch`.
"""

from __future__ import annotations

import sys
import types
from typing import Any

from .calc import estimate
from .model import DeviceEstimate, Estimate

__all__ = ["estimate", "Estimate", "DeviceEstimate"]


class _CallableModule(types.ModuleType):
    """Lets ``carbontrail.estimate(...)`` work even after the subpackage is imported,
    when the attribute on ``carbontrail`` is this module rather than the function."""

    def __call__(self, *args: Any, **kwargs: Any) -> Estimate:
        return estimate(*args, **kwargs)


sys.modules[__name__].__class__ = _CallableModule
