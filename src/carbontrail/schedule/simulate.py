"""Evaluate Flexible Start and Pause & Resume over every release time of a series.

One row per (mode, duration, window), with the metrics of SCHEDULING.md:
saving as a ratio of sums *and* as a mean of ratios, P10/P50/P90 of the
per-release saving, pauses per compute hour, added completion time. With a
forecast other than the oracle the plan is made with what was known at
release and paid with what happened, and the row also carries the oracle's
saving over the same releases and the gap between the two.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from ..errors import ScheduleError
from . import forecast as fc
from .flexible import flexible_start_all, flexible_start_naive, window_sums
from .grid import pr_horizon, slots_for, to_fixed, window_slots
from .pauseresume import ReleaseEvaluator, pause_resume_naive

FLEXIBLE_START = "flexible_start"
PAUSE_RESUME = "pause_resume"


@dataclass(frozen=True)
class Config:
    mode: str
    duration_s: float
    window_s: float        # allowed delay (FS) or allowed extra duration X*D (P&R)
    length: int            # slots of work
    horizon: int           # slots the planner may use from the release
    extra_fraction: float | None = None


def make_configs(slot_s: float, durations_s, fs_windows_s, pr_extras) -> list[Config]:
    out: list[Config] = []
    for d in durations_s:
        length = slots_for(d, slot_s)
        for w in fs_windows_s:
            out.append(Config(FLEXIBLE_START, float(d), float(w), length, length + window_slots(w, slot_s)))
        for x in pr_extras:
            out.append(Config(PAUSE_RESUME, float(d), float(x) * float(d), length, pr_horizon(length, x), float(x)))
    return out


def release_slots(n: int, slot_s: float, every_s: float, first: int, horizon: int) -> np.ndarray:
    step = every_s / slot_s
    if step < 1 or abs(step - round(step)) > 1e-9:
        raise ScheduleError(
            f"--every {every_s:g} s is not a whole number of {slot_s:g}-s slots; use a multiple of the slot"
        )
    rel = np.arange(first, n - horizon + 1, int(round(step)), dtype=np.int64)
    return rel


class _Runner:
    """Per-series caches shared by all configs (ranks, wavelet matrices)."""

    def __init__(self, fixed: np.ndarray, slots_per_day: int, forecast: str,
                 provider_plan=None) -> None:
        self.fixed = fixed
        self.day = slots_per_day
        self.forecast = forecast
        self.provider_plan = provider_plan
        self._evals: dict[str, ReleaseEvaluator] = {}
        self._plans: dict[str, np.ndarray] = {}

    def _evaluator(self, key: str, plan) -> ReleaseEvaluator:
        if key not in self._evals:
            self._evals[key] = ReleaseEvaluator(plan, None if plan is self.fixed else self.fixed)
        return self._evals[key]

    def _global_plan(self, forecast: str, horizon: int):
        plan = fc.global_plan(forecast, self.fixed, horizon, self.day) if forecast != "provider" else None
        if plan is None:
            return None
        # the array does not depend on the horizon, only its validity does: build it once
        return self._plans.setdefault(forecast, plan)

    def run(self, cfg: Config, rel: np.ndarray, forecast: str, naive: bool = False):
        """(cost, baseline, pauses, added_slots) per release."""
        fixed = self.fixed
        plan = self._global_plan(forecast, cfg.horizon)
        if plan is not None and not naive:
            if cfg.mode == FLEXIBLE_START:
                start, _, _ = flexible_start_all(plan, cfg.length, cfg.horizon - cfg.length, rel)
                sums = window_sums(fixed, cfg.length)
                return sums[start], sums[rel], np.zeros_like(rel), start - rel
            ev = self._evaluator(forecast, plan)
            cost, base, segs, finish = ev.evaluate(cfg.length, cfg.horizon, rel)
            return cost, base, segs - 1, finish - rel - cfg.length
        if plan is not None:  # naive baseline on the same plan
            if cfg.mode == FLEXIBLE_START:
                start, _, _ = flexible_start_naive(plan, cfg.length, cfg.horizon - cfg.length, rel)
                sums = window_sums(fixed, cfg.length)
                return sums[start], sums[rel], np.zeros_like(rel), start - rel
            cost, base, segs, finish = pause_resume_naive(plan, cfg.length, cfg.horizon, rel,
                                                          None if plan is fixed else fixed)
            return cost, base, segs - 1, finish - rel - cfg.length
        return self._per_release(cfg, rel, forecast)

    def _per_release(self, cfg: Config, rel: np.ndarray, forecast: str):
        fixed = self.fixed
        out = np.zeros((4, rel.size), dtype=np.int64)
        for j, r in enumerate(rel):
            r = int(r)
            arch = self.provider_plan(r, cfg.horizon) if self.provider_plan is not None else None
            pv = fc.plan_window(forecast, fixed, r, cfg.horizon, self.day, arch)
            actual = fixed[r:r + cfg.horizon]
            if cfg.mode == FLEXIBLE_START:
                off = int(np.argmin(window_sums(pv, cfg.length)))
                out[:, j] = (actual[off:off + cfg.length].sum(), actual[:cfg.length].sum(), 0, off)
            else:
                cost, base, segs, fin = pause_resume_naive(pv, cfg.length, cfg.horizon, np.array([0]), actual)
                out[:, j] = (cost[0], base[0], segs[0] - 1, fin[0] - cfg.length)
        return out[0], out[1], out[2], out[3]


def _stats(cost, base) -> dict[str, float]:
    ok = base > 0
    ratios = 1.0 - cost[ok] / base[ok]
    total = float(base.sum())
    return {
        "saving_ratio_of_sums": (1.0 - float(cost.sum()) / total) if total > 0 else float("nan"),
        "saving_mean_of_ratios": float(ratios.mean()) if ratios.size else float("nan"),
        "saving_p10": float(np.percentile(ratios, 10)) if ratios.size else float("nan"),
        "saving_p50": float(np.percentile(ratios, 50)) if ratios.size else float("nan"),
        "saving_p90": float(np.percentile(ratios, 90)) if ratios.size else float("nan"),
    }


def evaluate(values, slot_s: float, durations_s, fs_windows_s=(), pr_extras=(), *,
             every_s: float = 3600.0, forecast: str = "oracle", provider_plan=None,
             naive: bool = False) -> list[dict[str, Any]]:
    """Rows of the savings table (see module doc). ``values`` [gCO2e/kWh] on ``slot_s`` [s] slots.

    ``provider_plan(release_slot, horizon) -> array`` (NaN where unknown)
    replays a provider's forecasts for ``forecast="provider"``. ``naive``
    runs the per-release baseline (same results, slower; for the benchmark).
    """
    fixed = to_fixed(values)
    n = fixed.size
    slots_per_day = int(round(86400 / slot_s))
    if abs(slots_per_day * slot_s - 86400) > 1e-6 and forecast != "oracle":
        raise ScheduleError("own forecasts need a slot length that divides a day")
    if forecast == "provider" and provider_plan is None:
        raise ScheduleError("--forecast provider needs an archive of issued forecasts (--forecast-file)")
    first = fc.history_slots(forecast, slots_per_day)
    runner = _Runner(fixed, slots_per_day, forecast, provider_plan)
    rows = []
    for cfg in make_configs(slot_s, durations_s, fs_windows_s, pr_extras):
        if first + cfg.horizon > n:
            need_h = (first + cfg.horizon) * slot_s / 3600
            raise ScheduleError(
                f"{cfg.mode} with a {cfg.duration_s / 3600:g} h job and a {cfg.window_s / 3600:g} h window "
                f"needs {need_h:g} h of series{' (including forecast history)' if first else ''}; "
                f"the series has {n * slot_s / 3600:g} h; drop that duration or give a longer series"
            )
        rel = release_slots(n, slot_s, every_s, first, cfg.horizon)
        cost, base, pauses, added = runner.run(cfg, rel, forecast, naive)
        compute_h = rel.size * cfg.length * slot_s / 3600.0
        row: dict[str, Any] = {
            "mode": cfg.mode,
            "duration_s": cfg.duration_s,
            "window_s": cfg.window_s,
            "extra_fraction": cfg.extra_fraction,
            "releases": int(rel.size),
            **_stats(cost, base),
            "pauses_per_hour": float(pauses.sum()) / compute_h,
            "added_completion_s_mean": float(added.mean()) * slot_s,
            "added_completion_s_max": float(added.max()) * slot_s,
            "forecast": forecast,
        }
        if forecast != "oracle":
            ocost, obase, _, _ = runner.run(cfg, rel, "oracle", naive)
            oracle = _stats(ocost, obase)["saving_ratio_of_sums"]
            row["oracle_saving_ratio_of_sums"] = oracle
            row["forecast_gap"] = oracle - row["saving_ratio_of_sums"]
        rows.append(row)
    return rows
