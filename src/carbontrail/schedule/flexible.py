"""Flexible Start: delay a non-interruptible job by at most ``W`` (SCHEDULING.md).

Candidates ``s in {r, ..., r + W}`` (slots); pick the ``s`` minimising
``sum_i p[i] * c[s + i]``, ties to the earliest start. With a flat profile the
window sums come from one prefix sum, O(1) per candidate; a non-flat energy
profile is a correlation, direct when short and by FFT when long.
"""

from __future__ import annotations

import numpy as np

from ..errors import ScheduleError
from .grid import SlotPlan, to_fixed

#: above this many multiply-adds the profile correlation switches to FFT
_FFT_THRESHOLD = 2_000_000


def _check(n: int, release: int, length: int, window: int) -> None:
    if length < 1:
        raise ScheduleError("a job must last at least one slot")
    if release < 0 or release >= n:
        raise ScheduleError(f"release slot {release} is outside the series (0..{n - 1})")
    if release + length > n:
        raise ScheduleError(
            f"the job ({length} slots) does not fit in the series after the release "
            f"({n - release} slots left); give a longer series or a shorter job"
        )
    if window < 0:
        raise ScheduleError("the start window cannot be negative")


def window_sums(fixed: np.ndarray, length: int) -> np.ndarray:
    """Exact sums of every run of ``length`` slots: ``out[s] = sum(fixed[s:s+length])``."""
    csum = np.concatenate([[0], np.cumsum(fixed, dtype=np.int64)])
    return csum[length:] - csum[:-length]


def flexible_start(values, length: int, window: int, release: int = 0) -> SlotPlan:
    """Best start for a flat-profile job of ``length`` slots released at ``release``.

    ``window`` [slots] is the largest allowed delay; it is cut where the
    series ends (``details['window_cut']`` says by how much). Ties go to the
    earliest start.
    """
    fixed = values if np.asarray(values).dtype == np.int64 else to_fixed(values)
    n = fixed.size
    _check(n, release, length, window)
    last = min(release + window, n - length)
    sums = window_sums(fixed[release:last + length], length)
    best = int(np.argmin(sums))
    return SlotPlan(
        segments=((release + best, release + best + length),),
        cost=int(sums[best]),
        baseline=int(sums[0]),
        release=release,
        length=length,
        details={"mode": "flexible_start", "window_cut": int(release + window - last)},
    )


def profile_costs(values, profile) -> np.ndarray:
    """``out[s] = sum_i profile[i] * values[s + i]`` for every full placement [gCO2e/kWh x weight].

    Direct correlation when small, FFT when ``len(values) * len(profile)`` is large.
    """
    c = np.asarray(values, dtype=float)
    p = np.asarray(profile, dtype=float)
    if p.ndim != 1 or p.size == 0:
        raise ScheduleError("an energy profile needs at least one slot")
    if np.any(p < 0) or not np.all(np.isfinite(p)):
        raise ScheduleError("an energy profile must be finite and >= 0 in every slot")
    if p.size > c.size:
        raise ScheduleError("the energy profile is longer than the series")
    if c.size * p.size <= _FFT_THRESHOLD:
        return np.correlate(c, p, mode="valid")
    size = 1 << int(np.ceil(np.log2(c.size + p.size)))
    spec = np.fft.rfft(c, size) * np.conj(np.fft.rfft(p, size))
    return np.fft.irfft(spec, size)[: c.size - p.size + 1]


def flexible_start_profile(values, profile, window: int, release: int = 0) -> tuple[int, float, float]:
    """Best start for a job with per-slot energy weights ``profile`` (e.g. measured power [W]).

    Returns ``(start_slot, cost, baseline_cost)`` with costs in
    gCO2e/kWh x profile units. FFT noise cannot flip a tie: candidates within
    1e-9 relative of the minimum are re-scored directly and the earliest wins.
    """
    c = np.asarray(values, dtype=float)
    p = np.asarray(profile, dtype=float)
    _check(c.size, release, p.size, window)
    last = min(release + window, c.size - p.size)
    seg = c[release:last + p.size]
    costs = profile_costs(seg, p)
    lo = costs.min()
    tol = 1e-9 * max(abs(lo), 1.0)
    near = np.flatnonzero(costs <= lo + tol)
    exact = np.array([float(np.dot(seg[s:s + p.size], p)) for s in near])
    best = int(near[int(np.argmin(exact))])
    return release + best, float(exact.min()), float(np.dot(seg[:p.size], p))


def flexible_start_all(fixed: np.ndarray, length: int, window: int, releases: np.ndarray):
    """Flexible Start for many releases at once (vectorised; exact integers).

    Every release must satisfy ``r + window + length <= N``. Returns
    ``(best_start, cost, baseline)`` arrays (slots, micro-units).
    """
    releases = np.asarray(releases, dtype=np.int64)
    sums = window_sums(fixed, length)
    if releases.size and int(releases.max()) + window > sums.size - 1:
        raise ScheduleError("a release's window runs past the end of the series")
    view = np.lib.stride_tricks.sliding_window_view(sums, window + 1)
    cand = view[releases]
    off = np.argmin(cand, axis=1)
    cost = cand[np.arange(releases.size), off]
    return releases + off, cost, sums[releases]


def flexible_start_naive(fixed: np.ndarray, length: int, window: int, releases: np.ndarray):
    """The straightforward per-release loop; same outputs as :func:`flexible_start_all`."""
    starts, costs, bases = [], [], []
    for r in np.asarray(releases, dtype=np.int64):
        seg = fixed[r:r + window + length]
        sums = window_sums(seg, length)
        off = int(np.argmin(sums))
        starts.append(r + off)
        costs.append(sums[off])
        bases.append(sums[0])
    return np.array(starts, dtype=np.int64), np.array(costs, dtype=np.int64), np.array(bases, dtype=np.int64)
