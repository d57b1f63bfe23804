"""Benchmark: the scheduling grid over a year of 5-minute data, fast against naive.

    python bench/schedule.py [--data ../shared/data] [--naive/--no-naive]

A year of 5-minute slots (105,120): a real hourly Electricity Maps portal year
(US-CAL-CISO 2022) resampled to 5 minutes when ../shared/data is present,
else a synthetic series (daily and weekly cycles plus noise, fixed seed).
Every hourly release; 11 durations from 5 minutes to 8 days x 4 windows x
both modes. The fast path (prefix sums, wavelet matrix) runs against the
straightforward per-release loop (argpartition on (value, index)), and the
results must be identical. Then the constrained solver on a 24 h job.
Prints figures; asserts nothing about time.
"""

from __future__ import annotations

import argparse
import os
import time
from pathlib import Path

import numpy as np

from carbontrail.schedule.constrained import constrained_pause_resume
from carbontrail.schedule.simulate import evaluate

H = 3600.0
DURATIONS = [300, 900, 1800, H, 3 * H, 6 * H, 12 * H, 24 * H, 48 * H, 96 * H, 192 * H]
WINDOWS = [6 * H, 12 * H, 18 * H, 24 * H]
EXTRAS = [0.25, 0.5, 0.75, 1.0]
SLOTS = 105_120


def load(data: Path) -> tuple[np.ndarray, str]:
    path = data / "intensity" / "em-portal-decarbonization-potential" / "US-CAL-CISO_2022_hourly.csv"
    if path.is_file():
        from carbontrail.intensity.series import read_series

        s = read_series(path).resample(300.0)
        v = np.asarray(s.values(), dtype=float)[:SLOTS]
        if v.size == SLOTS:
            return v, f"{path.name} (Electricity Maps portal, ODbL) resampled to 5 min"
    rng = np.random.default_rng(2024)
    t = np.arange(SLOTS)
    day = np.sin(2 * np.pi * t / 288.0)
    week = np.sin(2 * np.pi * t / (288.0 * 7))
    v = 250 + 120 * day + 40 * week + rng.normal(0, 25, SLOTS)
    return np.clip(v, 5, None), "synthetic (daily + weekly cycle + noise, seed 2024)"


def main() -> None:
    here = Path(__file__).resolve().parent.parent
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", type=Path, default=here.parent / "shared" / "data")
    ap.add_argument("--no-naive", action="store_true", help="skip the slow per-release baseline")
    args = ap.parse_args()
    values, label = load(args.data)
    print(f"series: {label}; {values.size} slots of 300 s; cores visible: {os.cpu_count()}")
    print(f"grid: {len(DURATIONS)} durations x {len(WINDOWS)} windows x 2 modes, hourly releases")

    t0 = time.perf_counter()
    fast = evaluate(values, 300.0, DURATIONS, WINDOWS, EXTRAS)
    t_fast = time.perf_counter() - t0
    releases = sum(r["releases"] for r in fast)
    print(f"fast   : {t_fast:7.2f} s for {len(fast)} rows, {releases} (release, config) plans")
    if not args.no_naive:
        t0 = time.perf_counter()
        slow = evaluate(values, 300.0, DURATIONS, WINDOWS, EXTRAS, naive=True)
        t_slow = time.perf_counter() - t0
        same = fast == slow
        print(f"naive  : {t_slow:7.2f} s   identical results: {same}   speed-up: {t_slow / t_fast:5.1f}x")
        if not same:
            raise SystemExit("fast and naive results differ")

    print("\nsaving (ratio of sums), oracle:")
    print(f"{'duration':>9} " + " ".join(f"FS {w / H:>3.0f}h" for w in WINDOWS)
          + " " + " ".join(f"PR {x:>4.0%}" for x in EXTRAS) + "  pauses/h@100%")
    for d in DURATIONS:
        rows = [r for r in fast if r["duration_s"] == d]
        fs = [r for r in rows if r["mode"] == "flexible_start"]
        pr = [r for r in rows if r["mode"] == "pause_resume"]
        print(f"{d / H:>8.2f}h " + " ".join(f"{r['saving_ratio_of_sums']:>6.1%}" for r in fs) + " "
              + " ".join(f"{r['saving_ratio_of_sums']:>7.1%}" for r in pr)
              + f"  {pr[-1]['pauses_per_hour']:.2f}")

    day = values[:576]
    for m in (1, 6):
        t0 = time.perf_counter()
        plan = constrained_pause_resume(day, 288, 576, min_segment=m)
        dt = time.perf_counter() - t0
        print(f"\nconstrained: 24 h job, 5-min slots, +100 % window, min segment {m * 5} min: "
              f"{dt * 1000:.0f} ms, {plan.pauses} pauses, saving {plan.saving:.1%}")
    t0 = time.perf_counter()
    plan = constrained_pause_resume(day, 288, 576, min_segment=6, max_pauses=4, restart_slots=1)
    dt = time.perf_counter() - t0
    print(f"constrained: same, at most 4 pauses, 5-min restart: {dt * 1000:.0f} ms, "
          f"{plan.pauses} pauses, saving {plan.saving:.1%}")


if __name__ == "__main__":
    main()
