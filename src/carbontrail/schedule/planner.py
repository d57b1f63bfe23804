"""Plan one job on wall-clock time: the library behind ``carbontrail plan`` and the runner.

Takes a :class:`~carbontrail.schedule.timeline.Timeline`, a release time
[epoch s] and the job, anchors the slot grid at the release (the first slot
starts at the release; each slot's intensity is the time-weighted mean of
the series over it), and returns the schedule with expected figures.
"""

from __future__ import annotations

import math
from datetime import datetime, timezone
from typing import Any

from ..errors import ScheduleError
from ..units import J_PER_KWH
from .constrained import constrained_pause_resume
from .flexible import flexible_start
from .grid import SCALE, pr_horizon, slots_for, to_fixed, window_slots
from .pauseresume import cheapest_slots
from .timeline import Timeline


def iso(epoch: float) -> str:
    return datetime.fromtimestamp(epoch, tz=timezone.utc).isoformat()


def make_plan(timeline: Timeline, release: float, duration_s: float, *, within_s: float | None = None,
              extra_fraction: float | None = None, min_segment_s: float = 0.0,
              max_pauses: int | None = None, pause_cost_g: float | None = None,
              power_w: float | None = None, restart_overhead_s: float = 0.0,
              checkpoint_overhead_s: float = 0.0, profile_w: Any = None) -> dict[str, Any]:
    """Flexible Start (``within_s`` [s]) or Pause & Resume (``extra_fraction``: 1.0 = +100 %).

    ``power_w`` [W] (flat) turns intensities into emissions [g]; without it
    the plan reports intensities and the saving only. ``pause_cost_g`` [g per
    pause] needs ``power_w``. ``restart_overhead_s`` / ``checkpoint_overhead_s``
    [s]: time a resume / a pause costs, at full power, charged at the
    intensity of the slots it falls in (Pause & Resume, solved exactly).
    ``profile_w``: the job's power per slot [W] (a measured run), for
    Flexible Start with a non-flat energy profile (a correlation); its length
    sets the job's length. Raises ScheduleError when the job cannot fit.
    """
    if (within_s is None) == (extra_fraction is None):
        raise ScheduleError("choose one: a start window (--within) or pause and resume (--pause-resume)")
    slot = timeline.slot_s
    length = slots_for(duration_s, slot)
    if profile_w is not None:
        import numpy as np

        profile_w = np.asarray(profile_w, dtype=float)
        if within_s is None:
            raise ScheduleError("a power profile is used for Flexible Start (--within) only")
        if profile_w.size < 1 or (profile_w < 0).any():
            raise ScheduleError("the power profile needs at least one slot and no negative power")
        length = int(profile_w.size)
    if release < timeline.start - 1e-6 or release >= timeline.end:
        raise ScheduleError(
            f"the release {iso(release)} is outside the intensity data ({iso(timeline.start)} to "
            f"{iso(timeline.end)}); give --start inside it or fresher data"
        )
    available = int(math.floor((timeline.end - release) / slot + 1e-9))
    if available < length:
        raise ScheduleError(
            f"the job ({duration_s / 3600:g} h) does not fit in the intensity data after the release "
            f"(it ends {iso(timeline.end)}); give a longer series or an earlier --start"
        )
    if within_s is not None:
        horizon = length + window_slots(within_s, slot)
    else:
        horizon = pr_horizon(length, extra_fraction)
    cut = max(0, horizon - available)
    horizon -= cut
    fixed = to_fixed(timeline.grid(release, horizon, slot))
    energy_kwh = None if power_w is None else power_w * slot / J_PER_KWH  # per slot
    if pause_cost_g is not None and energy_kwh is None:
        raise ScheduleError("--pause-cost is in grams; give the job's power with --power W to compare it")
    if profile_w is not None:
        return _profile_plan(timeline, release, slot, duration_s, profile_w, horizon, cut, within_s)
    if within_s is not None:
        plan = flexible_start(fixed, length, horizon - length)
        mode = "flexible_start"
    else:
        min_slots = slots_for(min_segment_s, slot) if min_segment_s > 0 else 1
        restart = slots_for(restart_overhead_s, slot) if restart_overhead_s > 0 else 0
        checkpoint = slots_for(checkpoint_overhead_s, slot) if checkpoint_overhead_s > 0 else 0
        if min_slots > 1 or max_pauses is not None or pause_cost_g or restart or checkpoint:
            cost_units = int(round(pause_cost_g / energy_kwh * SCALE)) if pause_cost_g else 0
            plan = constrained_pause_resume(fixed, length, horizon, min_segment=min_slots,
                                            max_pauses=max_pauses, pause_cost=cost_units,
                                            restart_slots=restart, checkpoint_slots=checkpoint)
        else:
            plan = cheapest_slots(fixed, length, horizon)
        mode = "pause_resume"
    out = _plan_record(
        timeline, mode, release, slot, duration_s, length, horizon, cut, plan.segments, plan.pauses,
        mean=plan.cost / SCALE / length, baseline_mean=plan.baseline / SCALE / length, saving=plan.saving,
        emissions_g=None if energy_kwh is None else plan.cost / SCALE * energy_kwh,
        baseline_emissions_g=None if energy_kwh is None else plan.baseline / SCALE * energy_kwh,
    )
    out["start"] = iso(release + plan.start * slot)   # a plan may start with overhead slots
    out["finish"] = iso(release + plan.finish * slot)
    if mode == "pause_resume":
        out["extra_fraction"] = extra_fraction
        out["min_segment_s"] = min_segment_s
        out["max_pauses"] = max_pauses
        out["restart_overhead_s"] = restart_overhead_s
        out["checkpoint_overhead_s"] = checkpoint_overhead_s
    else:
        out["within_s"] = within_s
    return out


def _plan_record(timeline: Timeline, mode: str, release: float, slot: float, duration_s: float, length: int,
                 horizon: int, cut: int, segments: Any, pauses: int, *, mean: float, baseline_mean: float,
                 saving: float, emissions_g: float | None, baseline_emissions_g: float | None) -> dict[str, Any]:
    """The plan as plain data; ``segments`` are (start, end) slot pairs from the release."""
    segs = [(int(a), int(b)) for a, b in segments]
    return {
        "mode": mode,
        "release": iso(release),
        "slot_s": slot,
        "duration_s": duration_s,
        "work_slots": length,
        "deadline": iso(release + horizon * slot),
        "window_cut_s": cut * slot,
        "start": iso(release + segs[0][0] * slot) if segs else iso(release),
        "finish": iso(release + segs[-1][1] * slot) if segs else iso(release),
        "segments": [{"start": iso(release + a * slot), "end": iso(release + b * slot)} for a, b in segs],
        "pauses": pauses,
        "mean_intensity_g_per_kwh": mean,
        "baseline_mean_intensity_g_per_kwh": baseline_mean,
        "saving": saving,
        "emissions_g": emissions_g,
        "baseline_emissions_g": baseline_emissions_g,
        "intensity": {"source": timeline.source, "kind": timeline.kind, **timeline.details},
    }


def _profile_plan(timeline: Timeline, release: float, slot: float, duration_s: float, profile_w: Any,
                  horizon: int, cut: int, within_s: float) -> dict[str, Any]:
    """Flexible Start for a measured power profile: emissions = sum_i c[s+i] p[i] slot."""
    import numpy as np

    from .flexible import flexible_start_profile

    values = timeline.grid(release, horizon, slot)
    length = int(profile_w.size)
    start, cost, baseline = flexible_start_profile(values, profile_w, horizon - length)
    kwh_per_w_slot = slot / J_PER_KWH
    total_w = float(profile_w.sum())
    out = _plan_record(
        timeline, "flexible_start", release, slot, duration_s, length, horizon, cut, [(start, start + length)], 0,
        mean=cost / total_w if total_w > 0 else float("nan"),
        baseline_mean=baseline / total_w if total_w > 0 else float("nan"),
        saving=1.0 - cost / baseline if baseline > 0 else 0.0,
        emissions_g=cost * kwh_per_w_slot, baseline_emissions_g=baseline * kwh_per_w_slot,
    )
    out["energy_kwh"] = total_w * kwh_per_w_slot
    out["profile"] = {"slots": length, "mean_power_w": float(np.mean(profile_w)),
                      "peak_power_w": float(np.max(profile_w))}
    out["within_s"] = within_s
    return out
