"""Intensity on wall-clock time: the bridge from a series to slot arrays.

The planners work on slot arrays; the runner and the CLI work on epoch
seconds. :class:`Timeline` holds one contiguous series (slot starts [epoch s],
values [gCO2e/kWh], slot length [s]) and answers time-weighted means over any
grid, by integrating the step function (a partial slot counts by its overlap).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..errors import ScheduleError


@dataclass(frozen=True)
class Timeline:
    starts: np.ndarray          # slot starts [epoch s], increasing by slot_s
    values: np.ndarray          # [gCO2e/kWh]
    slot_s: float
    source: str = ""
    kind: str = "average"
    details: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        s = np.asarray(self.starts, dtype=float)
        v = np.asarray(self.values, dtype=float)
        if s.size == 0 or s.size != v.size:
            raise ScheduleError("an intensity timeline needs one value per slot and at least one slot")
        if s.size > 1:
            steps = np.diff(s)
            bad = np.flatnonzero(np.abs(steps - self.slot_s) > 1e-6)
            if bad.size:
                raise ScheduleError(
                    f"the series has a gap or an irregular step after slot {int(bad[0])} "
                    f"(epoch {s[bad[0]]:.0f}); fill it or cut the series"
                )
        object.__setattr__(self, "starts", s)
        object.__setattr__(self, "values", v)

    @classmethod
    def from_series(cls, series: Any) -> Timeline:
        """From an :class:`carbontrail.intensity.series.IntensitySeries`."""
        return cls(np.asarray(series.starts(), dtype=float), np.asarray(series.values(), dtype=float),
                   float(series.slot_s), source=str(getattr(series, "source", "")),
                   kind=str(getattr(series, "kind", "average")))

    @property
    def start(self) -> float:
        return float(self.starts[0])

    @property
    def end(self) -> float:
        return float(self.starts[-1] + self.slot_s)

    def _integral(self, t: np.ndarray) -> np.ndarray:
        knots = np.concatenate([self.starts, [self.end]])
        cum = np.concatenate([[0.0], np.cumsum(self.values * self.slot_s)])
        return np.interp(t, knots, cum)

    def mean_over(self, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        """Time-weighted mean over each ``[a, b)`` [gCO2e/kWh]; NaN where nothing is covered."""
        a = np.asarray(a, dtype=float)
        b = np.asarray(b, dtype=float)
        lo = np.clip(a, self.start, self.end)
        hi = np.clip(b, self.start, self.end)
        span = hi - lo
        with np.errstate(invalid="ignore", divide="ignore"):
            out = (self._integral(hi) - self._integral(lo)) / span
        return np.where(span > 0, out, np.nan)

    def grid(self, t0: float, n_slots: int, slot_s: float) -> np.ndarray:
        """Means over ``n_slots`` slots of ``slot_s`` [s] from ``t0`` (NaN where uncovered)."""
        a = t0 + slot_s * np.arange(n_slots)
        return self.mean_over(a, a + slot_s)

    def slice_slots(self, t0: float, t1: float) -> tuple[int, int]:
        """Slot indices [i, j) of the slots lying fully inside [t0, t1)."""
        i = int(np.ceil((t0 - self.start) / self.slot_s - 1e-9))
        j = int(np.floor((t1 - self.start) / self.slot_s + 1e-9))
        return max(i, 0), min(j, self.starts.size)
