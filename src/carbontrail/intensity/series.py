"""Intensity time series: immutable, numpy-backed, fast point lookup, time-weighted resampling.

A series is a sorted list of non-overlapping points ``[start, end)`` with a
value in gCO2e/kWh, one kind (average or marginal) and one source. Times are
held as float epoch seconds [s] (UTC); lookups use ``numpy.searchsorted``.
Gaps stay gaps unless :meth:`IntensitySeries.fill_gaps` is asked for.

Read files with :func:`read_series` (formats in :mod:`carbontrail.intensity.readers`).
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Sequence
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import numpy as np

from .model import AVERAGE, MARGINAL, IntensityPoint

#: Per-point flags, shown in IntensityPoint.details.
FLAG_NONE, FLAG_FILLED, FLAG_FORECAST, FLAG_ESTIMATED = 0, 1, 2, 3
_FLAG_DETAILS = {FLAG_FILLED: {"filled": True}, FLAG_FORECAST: {"value": "forecast"},
                 FLAG_ESTIMATED: {"estimated": True}}


def to_epoch(t: datetime | float | int) -> float:
    """Epoch seconds [s] of an aware datetime (naive = UTC) or a number."""
    if isinstance(t, (int, float, np.floating, np.integer)):
        return float(t)
    if t.tzinfo is None:
        t = t.replace(tzinfo=timezone.utc)
    return t.timestamp()


def from_epoch(ts: float) -> datetime:
    """Aware UTC datetime of epoch seconds [s]."""
    return datetime.fromtimestamp(float(ts), tz=timezone.utc)


def _ro(a: Any, dtype: Any) -> np.ndarray:
    arr = np.array(a, dtype=dtype, copy=True)
    arr.flags.writeable = False
    return arr


class IntensitySeries:
    """An immutable intensity series. Satisfies the ``IntensitySource`` protocol.

    ``starts_s``/``ends_s`` are epoch seconds [s], ``values_g_per_kwh`` [gCO2e/kWh].
    """

    def __init__(self, starts_s: Sequence[float] | np.ndarray, ends_s: Sequence[float] | np.ndarray,
                 values_g_per_kwh: Sequence[float] | np.ndarray, *, kind: str = AVERAGE, source: str = "",
                 method: str = "series", zone: str | None = None, details: dict[str, Any] | None = None,
                 flags: Sequence[int] | np.ndarray | None = None) -> None:
        if kind not in (AVERAGE, MARGINAL):
            raise ValueError(f"kind must be {AVERAGE!r} or {MARGINAL!r}, got {kind!r}")
        s, e, v = _ro(starts_s, float), _ro(ends_s, float), _ro(values_g_per_kwh, float)
        if not (s.shape == e.shape == v.shape) or s.ndim != 1:
            raise ValueError("starts, ends and values must be 1-D arrays of the same length")
        if s.size:
            if not np.all(np.isfinite(v)) or np.any(v < 0):
                raise ValueError("intensity values must be finite and >= 0 gCO2e/kWh")
            if np.any(e <= s):
                raise ValueError("every point must end after it starts")
            if np.any(s[1:] < e[:-1]):
                raise ValueError("points must be sorted by time and must not overlap")
        f = np.zeros(s.shape, dtype=np.int8) if flags is None else _ro(flags, np.int8)
        f.flags.writeable = False
        self._s, self._e, self._v, self._f = s, e, v, f
        self._kind, self._source, self._method = kind, source, method
        self.zone = zone
        self.details: dict[str, Any] = dict(details or {})

    # -- construction ---------------------------------------------------------------------------
    @classmethod
    def from_points(cls, points: Iterable[IntensityPoint], **kw: Any) -> IntensitySeries:
        pts = sorted(points, key=lambda p: p.start)
        if pts:
            kw.setdefault("kind", pts[0].kind)
            kw.setdefault("source", pts[0].source)
        flags = [FLAG_FILLED if p.details.get("filled") else FLAG_FORECAST if p.method == "forecast"
                 else FLAG_NONE for p in pts]
        return cls([to_epoch(p.start) for p in pts], [to_epoch(p.end) for p in pts],
                   [p.g_per_kwh for p in pts], flags=flags, **kw)

    def _derive(self, s: np.ndarray, e: np.ndarray, v: np.ndarray, f: np.ndarray | None = None,
                **details: Any) -> IntensitySeries:
        return IntensitySeries(s, e, v, kind=self._kind, source=self._source, method=self._method,
                               zone=self.zone, details={**self.details, **details}, flags=f)

    # -- basic properties -------------------------------------------------------------------------
    def __len__(self) -> int:
        return int(self._s.size)

    def __repr__(self) -> str:
        span = f"{self.start.isoformat()} .. {self.end.isoformat()}" if len(self) else "empty"
        return f"<IntensitySeries {len(self)} points {span} {self._kind} {self._source!r}>"

    @property
    def kind(self) -> str:
        return self._kind

    @property
    def source(self) -> str:
        return self._source

    @property
    def method(self) -> str:
        return self._method

    @property
    def start(self) -> datetime:
        if not len(self):
            raise ValueError("empty series has no start")
        return from_epoch(self._s[0])

    @property
    def end(self) -> datetime:
        if not len(self):
            raise ValueError("empty series has no end")
        return from_epoch(self._e[-1])

    @functools.cached_property
    def slot_s(self) -> float:
        """Median step between point starts [s] (the duration of the only point if one)."""
        if len(self) == 0:
            return 0.0
        if len(self) == 1:
            return float(self._e[0] - self._s[0])
        return float(np.median(np.diff(self._s)))

    def values(self) -> np.ndarray:
        """Values [gCO2e/kWh] (read-only array)."""
        return self._v

    def starts(self) -> np.ndarray:
        """Point starts, epoch seconds [s] (read-only array)."""
        return self._s

    def ends(self) -> np.ndarray:
        """Point ends, epoch seconds [s] (read-only array)."""
        return self._e

    def flags(self) -> np.ndarray:
        return self._f

    def _point(self, i: int) -> IntensityPoint:
        details = dict(_FLAG_DETAILS.get(int(self._f[i]), {}))
        method = "forecast" if self._f[i] == FLAG_FORECAST else self._method
        return IntensityPoint(from_epoch(self._s[i]), from_epoch(self._e[i]), float(self._v[i]),
                              self._kind, self._source, None, method, details)

    @property
    def points(self) -> PointView:
        """All points, as a lazy read-only sequence of IntensityPoint.

        It is also callable: ``series.points(start, end)`` returns the points
        overlapping ``[start, end)`` (the IntensitySource protocol).
        """
        return PointView(self)

    # -- lookup -------------------------------------------------------------------------------------
    def index_at(self, t: datetime | float) -> int | None:
        """Index of the point containing ``t``, or None (before, after or in a gap)."""
        ts = to_epoch(t)
        i = int(np.searchsorted(self._s, ts, side="right")) - 1
        if i >= 0 and ts < self._e[i]:
            return i
        return None

    def at(self, t: datetime | float) -> IntensityPoint | None:
        """The point containing ``t``, or None."""
        i = self.index_at(t)
        return None if i is None else self._point(i)

    def _range(self, start: datetime | float, end: datetime | float) -> tuple[int, int]:
        a, b = to_epoch(start), to_epoch(end)
        lo = int(np.searchsorted(self._e, a, side="right"))
        hi = int(np.searchsorted(self._s, b, side="left"))
        if b <= a:  # zero-length: the point containing start
            i = self.index_at(a)
            return (i, i + 1) if i is not None else (0, 0)
        return lo, max(lo, hi)

    def points_between(self, start: datetime | float, end: datetime | float) -> list[IntensityPoint]:
        """Points overlapping ``[start, end)`` (unclipped)."""
        lo, hi = self._range(start, end)
        return [self._point(i) for i in range(lo, hi)]

    def describe(self) -> dict[str, Any]:
        """Provenance for a run record."""
        out: dict[str, Any] = {"mode": "series", "source": self._source, "kind": self._kind,
                               "method": self._method, "points": len(self), "slot_s": self.slot_s}
        if self.zone:
            out["zone"] = self.zone
        if len(self):
            out["start"] = self.start.isoformat()
            out["end"] = self.end.isoformat()
            out["filled_points"] = int(np.count_nonzero(self._f == FLAG_FILLED))
        out.update(self.details)
        return out

    def mean(self, start: datetime | float | None = None, end: datetime | float | None = None) -> float | None:
        """Time-weighted mean [gCO2e/kWh] over ``[start, end)`` (whole series by default); None if uncovered."""
        if not len(self):
            return None
        a = self._s[0] if start is None else to_epoch(start)
        b = self._e[-1] if end is None else to_epoch(end)
        integ, cov = self._integral(np.array([a, b]))
        c = cov[1] - cov[0]
        return None if c <= 0 else float((integ[1] - integ[0]) / c)

    # -- transforms ---------------------------------------------------------------------------------
    def slice(self, start: datetime | float, end: datetime | float) -> IntensitySeries:
        """The part of the series inside ``[start, end)``; boundary points are clipped."""
        a, b = to_epoch(start), to_epoch(end)
        lo, hi = self._range(a, b) if b > a else (0, 0)
        s = np.maximum(self._s[lo:hi], a)
        e = np.minimum(self._e[lo:hi], b)
        return self._derive(s, e, self._v[lo:hi], self._f[lo:hi])

    def gaps(self) -> list[tuple[datetime, datetime]]:
        """Uncovered stretches between the first start and the last end."""
        if len(self) < 2:
            return []
        idx = np.nonzero(self._s[1:] > self._e[:-1])[0]
        return [(from_epoch(self._e[i]), from_epoch(self._s[i + 1])) for i in idx]

    def _integral(self, bounds: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(integral of value dt, covered seconds) from the series start to each bound."""
        dur = self._e - self._s
        cum_v = np.concatenate(([0.0], np.cumsum(self._v * dur)))
        cum_d = np.concatenate(([0.0], np.cumsum(dur)))
        i = np.searchsorted(self._s, bounds, side="right") - 1
        ok = i >= 0
        ic = np.where(ok, i, 0)
        part = np.where(ok, np.clip(bounds - self._s[ic], 0.0, dur[ic]), 0.0)
        integ = np.where(ok, cum_v[ic] + self._v[ic] * part, 0.0)
        cov = np.where(ok, cum_d[ic] + part, 0.0)
        return integ, cov

    def resample(self, slot_s: float, start: datetime | float | None = None,
                 end: datetime | float | None = None) -> IntensitySeries:
        """Time-weighted averages on a grid of ``slot_s`` [s] slots.

        The grid starts at ``start`` (default: the series start rounded down to a
        multiple of ``slot_s`` since the epoch) and ends at ``end`` (default: the
        series end rounded up). Each point counts by its overlap with a slot; a
        slot's value is the mean over its covered time. A slot is clipped to its
        first and last covered instant (so edge slots may be shorter), and
        :meth:`coverage` gives the covered fraction of slots with a gap inside.
        Slots with no data are left out (they stay gaps).
        """
        if not slot_s > 0:
            raise ValueError("slot_s must be > 0")
        if not len(self):
            return self._derive(np.array([]), np.array([]), np.array([]), resampled_slot_s=slot_s)
        a = to_epoch(start) if start is not None else np.floor(self._s[0] / slot_s) * slot_s
        b = to_epoch(end) if end is not None else np.ceil(self._e[-1] / slot_s) * slot_s
        n = int(np.ceil((b - a) / slot_s - 1e-9))
        if n <= 0:
            return self._derive(np.array([]), np.array([]), np.array([]), resampled_slot_s=slot_s)
        edges = a + slot_s * np.arange(n + 1, dtype=float)
        edges[-1] = min(edges[-1], b) if end is not None else edges[-1]
        integ, cov = self._integral(edges)
        d_int, d_cov = np.diff(integ), np.diff(cov)
        keep = d_cov > 1e-9
        vals = np.divide(d_int, d_cov, out=np.zeros_like(d_int), where=keep)
        # clip each slot to its first and last covered instant (series edges, gaps at slot edges)
        lo = np.minimum(np.searchsorted(self._e, edges[:-1], side="right"), len(self) - 1)
        hi = np.maximum(np.searchsorted(self._s, edges[1:], side="left") - 1, 0)
        first = np.maximum(edges[:-1], self._s[lo])
        last = np.minimum(edges[1:], self._e[hi])
        res = self._derive(first[keep], last[keep], vals[keep], resampled_slot_s=slot_s)
        res._coverage = d_cov[keep] / (last[keep] - first[keep])  # type: ignore[attr-defined]
        return res

    def coverage(self) -> np.ndarray:
        """Covered fraction of each point (1.0 unless the series came from :meth:`resample`)."""
        return getattr(self, "_coverage", np.ones(len(self)))

    def fill_gaps(self, method: str = "linear", max_gap_s: float | None = None) -> IntensitySeries:
        """Fill gaps on the series' slot grid: ``linear`` between neighbours or ``previous`` value.

        Gaps longer than ``max_gap_s`` [s] are left alone. Filled points are
        flagged (``details['filled']``) and counted in :meth:`describe`.
        """
        if method not in ("linear", "previous"):
            raise ValueError("method must be 'linear' or 'previous'")
        if len(self) < 2:
            return self
        step = self.slot_s
        s, e, v, f = [self._s[:1]], [self._e[:1]], [self._v[:1]], [self._f[:1]]
        for i in range(1, len(self)):
            g0, g1 = self._e[i - 1], self._s[i]
            if g1 > g0 and (max_gap_s is None or g1 - g0 <= max_gap_s):
                k = max(1, int(round((g1 - g0) / step)))
                edges = np.linspace(g0, g1, k + 1)
                mids = (edges[:-1] + edges[1:]) / 2
                if method == "previous":
                    fill = np.full(k, self._v[i - 1])
                else:
                    x0 = (self._s[i - 1] + self._e[i - 1]) / 2
                    x1 = (self._s[i] + self._e[i]) / 2
                    fill = self._v[i - 1] + (self._v[i] - self._v[i - 1]) * (mids - x0) / (x1 - x0)
                s.append(edges[:-1])
                e.append(edges[1:])
                v.append(fill)
                f.append(np.full(k, FLAG_FILLED, dtype=np.int8))
            s.append(self._s[i:i + 1])
            e.append(self._e[i:i + 1])
            v.append(self._v[i:i + 1])
            f.append(self._f[i:i + 1])
        return self._derive(np.concatenate(s), np.concatenate(e), np.concatenate(v), np.concatenate(f),
                            gaps_filled=method)


class PointView(Sequence[IntensityPoint]):
    """Read-only, lazily built view of a series' points; callable as ``points(start, end)``."""

    __slots__ = ("_series",)

    def __init__(self, series: IntensitySeries) -> None:
        self._series = series

    def __len__(self) -> int:
        return len(self._series)

    def __getitem__(self, i):  # type: ignore[override]
        n = len(self._series)
        if isinstance(i, slice):
            return [self._series._point(k) for k in range(*i.indices(n))]
        if i < 0:
            i += n
        if not 0 <= i < n:
            raise IndexError("point index out of range")
        return self._series._point(i)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, (list, tuple, PointView)):
            return list(self) == list(other)
        return NotImplemented

    def __call__(self, start: datetime, end: datetime) -> list[IntensityPoint]:
        return self._series.points_between(start, end)

    def __repr__(self) -> str:
        return f"<PointView of {len(self)} points>"


def read_series(path: str | Path, *, kind: str | None = None, zone: str | None = None,
                emission_factor: str = "lifecycle") -> IntensitySeries:
    """Read an intensity series file, detecting its format.

    Formats: Electricity Maps portal CSV (2021-23 and 2024+ headers;
    ``emission_factor`` picks the lifecycle or direct column), WattTime CSV
    (lbs/MWh converted to g/kWh; marginal), UK Carbon Intensity JSON, WattTime
    v3 JSON, Energi Data Service JSON, Electricity Maps API JSON, and a generic
    CSV (first column an ISO timestamp, naive = UTC; second column gCO2e/kWh).
    ``kind`` overrides the detected kind; ``zone`` labels the series. Malformed
    input raises :class:`~carbontrail.errors.DataError` with path, line and column.
    """
    from .readers import read_series_file

    return read_series_file(Path(path), kind=kind, zone=zone, emission_factor=emission_factor)
