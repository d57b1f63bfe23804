"""Fast algorithms against brute force (exact equality) and the properties of SCHEDULING.md."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from carbontrail.errors import ScheduleError
from carbontrail.schedule.constrained import constrained_pause_resume
from carbontrail.schedule.flexible import (flexible_start, flexible_start_all, flexible_start_naive,
                                           flexible_start_profile)
from carbontrail.schedule.grid import SCALE, segments_of, to_fixed
from carbontrail.schedule.pauseresume import ReleaseEvaluator, cheapest_slots, pause_resume_naive

small_series = st.lists(st.integers(0, 6), min_size=2, max_size=14)


def brute_fs(c, length, window):
    best = None
    for s in range(0, min(window, len(c) - length) + 1):
        cost = sum(c[s:s + length])
        if best is None or cost < best[1]:
            best = (s, cost)
    return best


def brute_pr(c, length, horizon):
    """All subsets of size L; ties by the lexicographically smallest index set."""
    best = None
    for comb in itertools.combinations(range(horizon), length):
        cost = sum(c[i] for i in comb)
        if best is None or cost < best[1]:
            best = (comb, cost)
    return best


@settings(max_examples=150, deadline=None)
@given(small_series, st.data())
def test_flexible_start_equals_brute_force(c, data):
    length = data.draw(st.integers(1, len(c)))
    window = data.draw(st.integers(0, len(c)))
    plan = flexible_start(np.array(c, float), length, window)
    s, cost = brute_fs(c, length, window)
    assert plan.start == s  # earliest start among ties
    assert plan.cost == cost * SCALE
    assert plan.cost <= plan.baseline  # never worse than starting now


@settings(max_examples=150, deadline=None)
@given(small_series, st.data())
def test_cheapest_slots_equals_brute_force_with_ties_by_time(c, data):
    length = data.draw(st.integers(1, len(c)))
    horizon = data.draw(st.integers(length, len(c)))
    plan = cheapest_slots(np.array(c, float), length, horizon)
    comb, cost = brute_pr(c, length, horizon)
    chosen = [i for a, b in plan.segments for i in range(a, b)]
    assert plan.cost == cost * SCALE
    # among the optimal sets, ties by time pick exactly L slots, the earliest ones of equal value
    assert len(chosen) == length
    assert chosen == sorted(np.lexsort((np.arange(horizon), np.array(c[:horizon])))[:length].tolist())


@settings(max_examples=60, deadline=None)
@given(st.lists(st.integers(0, 5), min_size=6, max_size=60), st.data())
def test_all_releases_fast_equals_naive(c, data):
    fixed = np.array(c, dtype=np.int64)
    n = fixed.size
    length = data.draw(st.integers(1, n // 2))
    horizon = data.draw(st.integers(length, n))
    rel = np.arange(0, n - horizon + 1)
    fast = ReleaseEvaluator(fixed).evaluate(length, horizon, rel)
    slow = pause_resume_naive(fixed, length, horizon, rel)
    for a, b in zip(fast, slow):
        assert np.array_equal(a, b)
    window = horizon - length
    fs_fast = flexible_start_all(fixed, length, window, rel)
    fs_slow = flexible_start_naive(fixed, length, window, rel)
    for a, b in zip(fs_fast, fs_slow):
        assert np.array_equal(a, b)
    # P&R at least as good as FS for the same deadline, both never worse than now
    assert np.all(fast[0] <= fs_fast[1])
    assert np.all(fs_fast[1] <= fs_fast[2])


def test_fast_evaluator_with_a_separate_pay_series_matches_naive():
    rng = np.random.default_rng(3)
    plan = rng.integers(0, 50, 200).astype(np.int64)
    pay = rng.integers(0, 50, 200).astype(np.int64)
    rel = np.arange(0, 120, 7)
    fast = ReleaseEvaluator(plan, pay).evaluate(20, 60, rel)
    slow = pause_resume_naive(plan, 20, 60, rel, pay)
    for a, b in zip(fast, slow):
        assert np.array_equal(a, b)


def brute_constrained(c, length, horizon, m, max_pauses, pause_cost, restart, ckpt, frac):
    """Enumerate work-slot sets; overheads sit right after (checkpoint) and before (restart) gaps."""
    oc = [int(round(x * frac)) for x in c]
    best = None
    for comb in itertools.combinations(range(horizon), length):
        segs = segments_of(np.array(comb))
        if any(b - a < min(m, length) for a, b in segs):
            continue
        pauses = len(segs) - 1
        if max_pauses is not None and pauses > max_pauses:
            continue
        gaps_ok = all(segs[i + 1][0] - segs[i][1] >= max(1, ckpt) + restart for i in range(pauses))
        if not gaps_ok:
            continue
        cost = sum(c[i] for i in comb) + pause_cost * pauses
        for i in range(pauses):
            cost += sum(oc[segs[i][1]:segs[i][1] + ckpt])
            cost += sum(oc[segs[i + 1][0] - restart:segs[i + 1][0]])
        if best is None or cost < best:
            best = cost
    return best


@settings(max_examples=120, deadline=None)
@given(st.lists(st.integers(0, 9), min_size=2, max_size=10), st.data())
def test_constrained_dp_equals_brute_force(c, data):
    n = len(c)
    length = data.draw(st.integers(1, n))
    m = data.draw(st.integers(1, 3))
    max_pauses = data.draw(st.one_of(st.none(), st.integers(0, 2)))
    pause_cost = data.draw(st.integers(0, 4))
    restart = data.draw(st.integers(0, 2))
    ckpt = data.draw(st.integers(0, 2))
    frac = data.draw(st.sampled_from([0.0, 0.5, 1.0]))
    fixed = np.array(c, dtype=np.int64)
    expect = brute_constrained(c, length, n, m, max_pauses, pause_cost, restart, ckpt, frac)
    if expect is None:
        with pytest.raises(ScheduleError):
            constrained_pause_resume(fixed, length, n, min_segment=m, max_pauses=max_pauses,
                                     pause_cost=pause_cost, restart_slots=restart,
                                     checkpoint_slots=ckpt, overhead_fraction=frac)
        return
    plan = constrained_pause_resume(fixed, length, n, min_segment=m, max_pauses=max_pauses,
                                    pause_cost=pause_cost, restart_slots=restart,
                                    checkpoint_slots=ckpt, overhead_fraction=frac)
    assert plan.details["objective"] == expect
    assert sum(b - a for a, b in plan.segments) == length
    assert all(b - a >= min(m, length) for a, b in plan.segments)
    if max_pauses is not None:
        assert plan.pauses <= max_pauses
    # the reported carbon cost is the objective without the pause penalty
    assert plan.cost == expect - pause_cost * plan.pauses


@settings(max_examples=60, deadline=None)
@given(st.lists(st.integers(0, 9), min_size=3, max_size=24), st.data())
def test_constraints_never_improve_the_optimum(c, data):
    fixed = np.array(c, dtype=np.int64)
    n = fixed.size
    length = data.draw(st.integers(1, n))
    free = constrained_pause_resume(fixed, length, n)
    assert free.cost == cheapest_slots(fixed, length, n).cost
    tighter = constrained_pause_resume(fixed, length, n, min_segment=data.draw(st.integers(2, 4)))
    fewer = constrained_pause_resume(fixed, length, n, max_pauses=data.draw(st.integers(0, 2)))
    none = constrained_pause_resume(fixed, length, n, max_pauses=0)
    assert free.cost <= tighter.cost
    assert free.cost <= fewer.cost <= none.cost
    # no pause allowed is exactly Flexible Start with the same deadline
    assert none.cost == flexible_start(fixed, length, n - length).cost


@settings(max_examples=60, deadline=None)
@given(st.lists(st.integers(0, 9), min_size=4, max_size=30), st.data())
def test_savings_grow_with_the_window(c, data):
    fixed = np.array(c, dtype=np.int64)
    n = fixed.size
    length = data.draw(st.integers(1, n // 2))
    fs = [flexible_start(fixed, length, w).cost for w in range(0, n - length + 1)]
    pr = [cheapest_slots(fixed, length, h).cost for h in range(length, n + 1)]
    assert fs == sorted(fs, reverse=True)
    assert pr == sorted(pr, reverse=True)


def test_profile_correlation_matches_direct_including_fft_path():
    rng = np.random.default_rng(7)
    c = rng.random(3000) * 400
    p = rng.random(900) * 300
    start, cost, base = flexible_start_profile(c, p, window=1500)
    direct = [float(np.dot(c[s:s + p.size], p)) for s in range(1501)]
    assert start == int(np.argmin(direct))
    assert cost == pytest.approx(min(direct))
    assert base == pytest.approx(direct[0])


def test_profile_puts_the_power_peak_in_the_clean_slot():
    c = np.array([100, 100, 10, 100, 100.0])
    start, _, _ = flexible_start_profile(c, [1.0, 5.0], window=3)
    assert start == 1  # the heavy second slot lands on the 10 g/kWh slot


def test_bad_inputs_say_what_to_do():
    with pytest.raises(ScheduleError, match="does not fit"):
        flexible_start(np.ones(5), 6, 0)
    with pytest.raises(ScheduleError, match="runs past the series"):
        cheapest_slots(np.ones(5), 3, 6)
    with pytest.raises(ScheduleError, match="missing value.*slot 2"):
        to_fixed([1.0, 2.0, float("nan"), 3.0])
    with pytest.raises(ScheduleError, match="negative"):
        to_fixed([1.0, -2.0])
    with pytest.raises(ScheduleError, match="no schedule fits"):
        constrained_pause_resume(np.ones(6), 4, 6, min_segment=2, restart_slots=3, max_pauses=1,
                                 start_state="paused")
