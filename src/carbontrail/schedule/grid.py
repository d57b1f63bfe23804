"""The slot grid shared by every scheduling algorithm (see SCHEDULING.md).

An intensity series ``c[0..N)`` on a fixed slot length ``slot_s`` [s], values in
gCO2e/kWh. The algorithms work on plain numpy arrays so they do not depend on
how a series was read.

Exactness: sums of intensities are computed in integers of
micro-gCO2e/kWh (:data:`SCALE`). Values are rounded to 1e-6 gCO2e/kWh, far
below the precision of any source (portal files give at most 3 decimals), and
every sum is then exact, so a fast algorithm and a brute-force one agree bit
for bit and ties are real ties, not rounding noise.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..errors import ScheduleError

#: integer units per gCO2e/kWh used for exact sums
SCALE = 1_000_000


def to_fixed(values: Any) -> np.ndarray:
    """Intensities [gCO2e/kWh] -> int64 micro-gCO2e/kWh. Rejects NaN and negatives."""
    arr = np.asarray(values, dtype=float)
    if arr.ndim != 1:
        raise ScheduleError("an intensity series must be one-dimensional (one value per slot)")
    bad = np.flatnonzero(~np.isfinite(arr))
    if bad.size:
        raise ScheduleError(
            f"the series has {bad.size} missing value(s), first at slot {int(bad[0])}; "
            "fill the gaps (e.g. --fill) or cut the series before planning"
        )
    neg = np.flatnonzero(arr < 0)
    if neg.size:
        raise ScheduleError(f"negative intensity at slot {int(neg[0])}; intensities are >= 0 gCO2e/kWh")
    return np.rint(arr * SCALE).astype(np.int64)


def from_fixed(total: Any) -> Any:
    """Integer micro-units -> gCO2e/kWh (float or float array)."""
    return np.asarray(total, dtype=float) / SCALE if np.ndim(total) else float(total) / SCALE


def slots_for(duration_s: float, slot_s: float, what: str = "duration") -> int:
    """Whole slots a job of ``duration_s`` [s] occupies (rounded up; >= 1)."""
    if slot_s <= 0:
        raise ScheduleError("slot length must be > 0 s")
    if not duration_s > 0:
        raise ScheduleError(f"{what} must be > 0 s, got {duration_s!r}")
    return max(1, math.ceil(duration_s / slot_s - 1e-9))


def window_slots(window_s: float, slot_s: float) -> int:
    """Whole slots of allowed delay in ``window_s`` [s] (rounded down: never later than allowed)."""
    if window_s < 0:
        raise ScheduleError(f"a window cannot be negative, got {window_s!r} s")
    return int(math.floor(window_s / slot_s + 1e-9))


def pr_horizon(length: int, extra_fraction: float) -> int:
    """Slots available to Pause & Resume: floor((1 + X) * L) (the deadline is never passed)."""
    if extra_fraction < 0:
        raise ScheduleError(f"the extra duration must be >= 0 %, got {extra_fraction * 100:g} %")
    return int(math.floor((1.0 + extra_fraction) * length + 1e-9))


def segments_of(selected: np.ndarray) -> list[tuple[int, int]]:
    """Sorted slot indices -> run segments ``[(first, end_exclusive), ...]``."""
    sel = np.asarray(selected, dtype=np.int64)
    if sel.size == 0:
        return []
    sel = np.sort(sel)
    breaks = np.flatnonzero(np.diff(sel) != 1)
    starts = np.concatenate([[0], breaks + 1])
    ends = np.concatenate([breaks, [sel.size - 1]])
    return [(int(sel[a]), int(sel[b]) + 1) for a, b in zip(starts, ends)]


@dataclass(frozen=True)
class SlotPlan:
    """A schedule on the slot grid: run segments ``[first, end)`` in slot indices.

    ``cost`` is the exact integer sum of intensities over the run slots
    (micro-gCO2e/kWh x slots, overhead slots included at their energy share);
    ``baseline`` the same for starting at release and running without pause.
    """

    segments: tuple[tuple[int, int], ...]
    cost: int
    baseline: int
    release: int
    length: int
    overhead: tuple[tuple[int, int], ...] = ()
    details: dict[str, Any] = field(default_factory=dict)

    @property
    def start(self) -> int:
        return self.segments[0][0] if self.segments else self.release

    @property
    def finish(self) -> int:
        return self.segments[-1][1] if self.segments else self.release

    @property
    def pauses(self) -> int:
        return max(0, len(self.segments) - 1)

    @property
    def saving(self) -> float:
        """1 - E_shifted / E_baseline (a fraction); NaN when the baseline is 0."""
        return float("nan") if self.baseline == 0 else 1.0 - self.cost / self.baseline

    def to_dict(self) -> dict[str, Any]:
        return {
            "segments": [list(s) for s in self.segments],
            "overhead": [list(s) for s in self.overhead],
            "start": self.start,
            "finish": self.finish,
            "pauses": self.pauses,
            "cost": self.cost,
            "baseline": self.baseline,
            "saving": self.saving,
            **self.details,
        }
