"""Unconstrained Pause & Resume: the ``L`` cheapest slots in ``[r, r + (1+X)L)``.

Ties go to the earlier slot: slots are ordered by ``(value, index)``, which is
a total order, so exactly ``L`` slots are chosen (never "all slots <= the L-th
value", which can pick more).

For a whole year of releases the per-release selection (argpartition, the
naive baseline kept here as :func:`pause_resume_naive`) is replaced by a
*wavelet matrix* over the slots' global ranks in that order. One build,
O(N log N), answers "sum of the k smallest in [l, r)" and "how many are below
a rank in [l, r)" in O(log N) per query, and numpy runs every release's
query at once, level by level. Sums are exact integers (see grid.py), so the
fast and the naive answers are identical.
"""

from __future__ import annotations

import numpy as np

from ..errors import ScheduleError
from .grid import SlotPlan, segments_of, to_fixed


def order_ranks(fixed: np.ndarray) -> np.ndarray:
    """Rank of every slot in the total order ``(value, index)``: a permutation of 0..N-1."""
    order = np.argsort(fixed, kind="stable")
    ranks = np.empty(fixed.size, dtype=np.int64)
    ranks[order] = np.arange(fixed.size, dtype=np.int64)
    return ranks


def cheapest_slots(values, length: int, horizon: int, release: int = 0) -> SlotPlan:
    """The ``length`` cheapest slots of ``[release, release + horizon)``, ties by time."""
    fixed = values if np.asarray(values).dtype == np.int64 else to_fixed(values)
    n = fixed.size
    if length < 1:
        raise ScheduleError("a job must last at least one slot")
    if horizon < length:
        raise ScheduleError(f"the window ({horizon} slots) is shorter than the job ({length} slots)")
    if release < 0 or release + horizon > n:
        raise ScheduleError(
            f"the window [{release}, {release + horizon}) runs past the series ({n} slots); "
            "give a longer series, a shorter job or a smaller extra duration"
        )
    seg = fixed[release:release + horizon]
    key = np.lexsort((np.arange(horizon), seg))  # by value, then by index
    chosen = np.sort(key[:length])
    segs = segments_of(chosen + release)
    return SlotPlan(
        segments=tuple(segs),
        cost=int(seg[chosen].sum()),
        baseline=int(seg[:length].sum()),
        release=release,
        length=length,
        details={"mode": "pause_resume"},
    )


class WaveletMatrix:
    """Wavelet matrix over non-negative integer symbols with an integer payload.

    ``k_smallest_sum(l, r, k)`` -> (payload sum of the k smallest symbols in
    positions [l, r), the k-th smallest symbol); ``count_less(l, r, t)`` ->
    how many symbols < t lie in [l, r). Every argument may be an array: the
    queries run together, one numpy pass per bit level.
    """

    def __init__(self, symbols: np.ndarray, payload: np.ndarray | None = None) -> None:
        cur = np.asarray(symbols, dtype=np.int64)
        n = cur.size
        self.n = n
        self.bits = max(1, int(cur.max(initial=0) + 1).bit_length())
        pay = np.zeros(n, dtype=np.int64) if payload is None else np.asarray(payload, dtype=np.int64)
        self.rank0: list[np.ndarray] = []
        self.psum0: list[np.ndarray] = []
        self.zeros: list[int] = []
        for b in range(self.bits - 1, -1, -1):
            zero = ((cur >> b) & 1) == 0
            r0 = np.zeros(n + 1, dtype=np.int64)
            np.cumsum(zero, out=r0[1:])
            ps = np.zeros(n + 1, dtype=np.int64)
            np.cumsum(np.where(zero, pay, 0), out=ps[1:])
            self.rank0.append(r0)
            self.psum0.append(ps)
            self.zeros.append(int(r0[-1]))
            order = np.concatenate([np.flatnonzero(zero), np.flatnonzero(~zero)])
            cur = cur[order]
            pay = pay[order]
        # at the bottom equal symbols sit together; payload of the first of each
        self._leaf_pay = pay
        self._leaf_sym = cur

    def k_smallest_sum(self, l, r, k):
        l = np.array(l, dtype=np.int64, ndmin=1)
        r = np.array(r, dtype=np.int64, ndmin=1)
        k = np.array(k, dtype=np.int64, ndmin=1).copy()
        if np.any(k < 1) or np.any(k > r - l):
            raise ScheduleError("k must be between 1 and the range length")
        total = np.zeros(l.shape, dtype=np.int64)
        sym = np.zeros(l.shape, dtype=np.int64)
        for level, b in enumerate(range(self.bits - 1, -1, -1)):
            r0v, ps, z = self.rank0[level], self.psum0[level], self.zeros[level]
            l0 = r0v[l]
            rr0 = r0v[r]
            zc = rr0 - l0
            go1 = k > zc
            # going right: add the sum of the zero side, skip its count, move into the ones
            total += go1 * (ps[r] - ps[l])
            k -= go1 * zc
            sym |= go1.astype(np.int64) << b
            l = np.where(go1, z + l - l0, l0)
            r = np.where(go1, z + r - rr0, rr0)
        # the k remaining elements share one symbol; symbols are unique ranks here, so k == 1
        total += k * self._leaf_pay[l]
        return total, sym

    def count_less(self, l, r, t):
        l = np.array(l, dtype=np.int64, ndmin=1)
        r = np.array(r, dtype=np.int64, ndmin=1)
        t = np.array(t, dtype=np.int64, ndmin=1)
        cnt = np.zeros(np.broadcast_shapes(l.shape, r.shape, t.shape), dtype=np.int64)
        full = r - l
        big = t >= (1 << self.bits)
        for level, b in enumerate(range(self.bits - 1, -1, -1)):
            r0v, z = self.rank0[level], self.zeros[level]
            l0 = r0v[l]
            rr0 = r0v[r]
            one = ((t >> b) & 1) == 1
            cnt += np.where(one, rr0 - l0, 0)
            l = np.where(one, z + l - l0, l0)
            r = np.where(one, z + r - rr0, rr0)
        return np.where(big, full, cnt)


class ReleaseEvaluator:
    """Pause & Resume over many releases of one series (build once, query per config).

    ``plan_values`` order the slots (what the planner believes); ``pay_values``
    are what the chosen slots cost (what happened). For the oracle both are
    the series itself.
    """

    def __init__(self, plan_fixed: np.ndarray, pay_fixed: np.ndarray | None = None) -> None:
        pay = plan_fixed if pay_fixed is None else pay_fixed
        self.n = plan_fixed.size
        self.ranks = order_ranks(plan_fixed)
        self.main = WaveletMatrix(self.ranks, pay)
        # adjacent pairs both chosen <=> max(rank[i-1], rank[i]) < threshold
        pair = np.maximum(self.ranks[1:], self.ranks[:-1])
        self.pairs = WaveletMatrix(pair)
        self._pay_csum = np.concatenate([[0], np.cumsum(pay, dtype=np.int64)])
        self._mins: list[np.ndarray] = []   # sparse table: _mins[k][i] = min(ranks[i : i + 2**k])

    def _min_table(self, levels: int) -> list[np.ndarray]:
        if not self._mins:
            self._mins.append(self.ranks)
        while len(self._mins) < levels:
            prev = self._mins[-1]
            half = 1 << (len(self._mins) - 1)
            self._mins.append(np.minimum(prev[:-half], prev[half:]))
        return self._mins

    def evaluate(self, length: int, horizon: int, releases: np.ndarray, want_finish: bool = True):
        """For each release: (cost, baseline, segments, finish_slot) as int64 arrays.

        ``finish_slot`` is the exclusive end of the last run slot (absolute index).
        """
        rel = np.asarray(releases, dtype=np.int64)
        if rel.size and int(rel.max()) + horizon > self.n:
            raise ScheduleError("a release's window runs past the end of the series")
        if horizon < length:
            raise ScheduleError("the window is shorter than the job")
        end = rel + horizon
        cost, kth = self.main.k_smallest_sum(rel, end, np.full(rel.shape, length))
        thresh = kth + 1
        adjacent = self.pairs.count_less(rel, end - 1, thresh) if horizon > 1 else np.zeros_like(rel)
        segments = length - adjacent
        baseline = self._pay_csum[rel + length] - self._pay_csum[rel]
        finish = np.full(rel.shape, -1, dtype=np.int64)
        if want_finish:
            # strip the unselected tail of each window by binary lifting on a sparse table of
            # range minima: [pos - 2**k, pos) is all unselected iff its min rank >= thresh
            tail = horizon - length  # at most this many trailing slots can be unselected
            levels = max(1, tail.bit_length())
            mins = self._min_table(levels)
            pos = end.copy()
            for k in range(levels - 1, -1, -1):
                step = 1 << k
                if step > tail:
                    continue
                cand = pos - step
                ok = cand >= rel + length
                idx = np.where(ok, cand, 0)
                ok &= mins[k][np.minimum(idx, mins[k].size - 1)] >= thresh
                pos = np.where(ok, cand, pos)
            finish = pos
        return cost, baseline, segments, finish


def pause_resume_naive(plan_fixed: np.ndarray, length: int, horizon: int, releases: np.ndarray,
                       pay_fixed: np.ndarray | None = None):
    """The straightforward per-release argpartition on (value, index); same outputs as
    :meth:`ReleaseEvaluator.evaluate`."""
    pay = plan_fixed if pay_fixed is None else pay_fixed
    ranks = order_ranks(plan_fixed)
    out = np.zeros((4, len(releases)), dtype=np.int64)
    for j, r in enumerate(np.asarray(releases, dtype=np.int64)):
        w = ranks[r:r + horizon]
        sel = np.argpartition(w, length - 1)[:length] if length < horizon else np.arange(horizon)
        mask = np.zeros(horizon, dtype=bool)
        mask[sel] = True
        out[0, j] = pay[r:r + horizon][mask].sum()
        out[1, j] = pay[r:r + length].sum()
        out[2, j] = int(mask[0]) + int(np.count_nonzero(mask[1:] & ~mask[:-1]))
        out[3, j] = r + int(np.flatnonzero(mask)[-1]) + 1
    return out[0], out[1], out[2], out[3]
