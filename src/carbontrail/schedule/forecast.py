"""What a planner knew at release time: the oracle and carbontrail's own forecasts.

SCHEDULING.md: plan with what was known at release, pay with what happened.

- ``oracle``: perfect foresight (the literature's headline numbers).
- ``yesterday``: persistence; each future slot takes the value of the same
  time of day on the last day already observed at release.
- ``weekly``: the mean of the same slot of the week over the last
  :data:`WEEKS` observed weeks.
- ``provider``: a provider's forecasts replayed from an archive of issued
  forecasts (:class:`ForecastArchive`), the latest one issued at or before
  the release; slots it does not cover fall back to ``yesterday``.

Forecast values only *order* slots, so the weekly mean is kept as an exact
integer sum of the weeks (same order as the mean).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..errors import ScheduleError

FORECASTS = ("oracle", "yesterday", "weekly", "provider")
#: weeks of history in the weekly profile
WEEKS = 4


def history_slots(kind: str, slots_per_day: int) -> int:
    """Slots that must be observed before the first release can be planned."""
    if kind in ("oracle",):
        return 0
    if kind in ("yesterday", "provider"):
        return slots_per_day
    if kind == "weekly":
        return WEEKS * 7 * slots_per_day
    raise ScheduleError(f"unknown forecast {kind!r}; use one of {', '.join(FORECASTS)}")


def global_plan(kind: str, fixed: np.ndarray, horizon: int, slots_per_day: int) -> np.ndarray | None:
    """One plan array valid for every release when the horizon allows it, else None.

    ``yesterday`` is a shift of the series by one day while the window is at
    most a day long; ``weekly`` a sum of weekly shifts while it is at most a
    week. Entries before the history are never read.
    """
    if kind == "oracle":
        return fixed
    if kind == "yesterday" and horizon <= slots_per_day:
        out = fixed.copy()
        out[slots_per_day:] = fixed[:-slots_per_day]
        return out
    week = 7 * slots_per_day
    if kind == "weekly" and horizon <= week:
        out = np.zeros_like(fixed)
        for j in range(1, WEEKS + 1):
            out[j * week:] += fixed[:-j * week] if j * week < fixed.size else 0
        return out
    return None


def plan_window(kind: str, fixed: np.ndarray, release: int, horizon: int, slots_per_day: int,
                archive_values: np.ndarray | None = None) -> np.ndarray:
    """The values a planner at ``release`` uses for slots ``[release, release + horizon)``."""
    idx = release + np.arange(horizon)
    if kind == "oracle":
        return fixed[idx]
    if kind in ("yesterday", "provider"):
        back = slots_per_day * (1 + (idx - release) // slots_per_day)
        out = fixed[idx - back]
        if kind == "provider" and archive_values is not None:
            known = ~np.isnan(archive_values)
            out = np.where(known, np.rint(np.nan_to_num(archive_values) * 1e6).astype(np.int64), out)
        return out
    if kind == "weekly":
        week = 7 * slots_per_day
        base = week * ((idx - release) // week)
        out = np.zeros(horizon, dtype=np.int64)
        for j in range(1, WEEKS + 1):
            out += fixed[idx - base - j * week]
        return out
    raise ScheduleError(f"unknown forecast {kind!r}; use one of {', '.join(FORECASTS)}")


@dataclass
class ForecastArchive:
    """Forecasts as issued: ``issued`` [epoch s], each with slot starts [epoch s] and values [g/kWh]."""

    issued: np.ndarray
    starts: list[np.ndarray]
    values: list[np.ndarray]

    @classmethod
    def from_rows(cls, rows: list[tuple[float, float, float]]) -> ForecastArchive:
        """Rows of (issued_at, slot_start, value) in epoch seconds and gCO2e/kWh."""
        if not rows:
            raise ScheduleError("the forecast archive is empty")
        arr = np.array(rows, dtype=float)
        order = np.lexsort((arr[:, 1], arr[:, 0]))
        arr = arr[order]
        issued, idx = np.unique(arr[:, 0], return_index=True)
        parts = np.split(arr, idx[1:])
        return cls(issued, [p[:, 1] for p in parts], [p[:, 2] for p in parts])

    def known_at(self, release_epoch: float, slot_starts: np.ndarray) -> np.ndarray:
        """Forecast value for each slot from the latest forecast issued at or before
        ``release_epoch``; NaN where none covers the slot."""
        out = np.full(slot_starts.shape, np.nan)
        k = int(np.searchsorted(self.issued, release_epoch, side="right")) - 1
        if k < 0:
            return out
        s, v = self.starts[k], self.values[k]
        pos = np.searchsorted(s, slot_starts)
        hit = (pos < s.size) & (s[np.minimum(pos, s.size - 1)] == slot_starts)
        out[hit] = v[pos[hit]]
        return out
