"""Carbon-aware `carbontrail run`: wait for the planned start, or pause and resume.

``--within 12h`` (Flexible Start): plan the start over the intensity known
now (a series file, a provider forecast), show the plan and a countdown, then
start and track the job. ``--pause-resume 100%``: start now and let
:class:`carbontrail.schedule.runner.PauseResumeController` stop (SIGSTOP) and
continue (SIGCONT) the job's process group, or checkpoint and restart it,
re-planning as time passes; the deadline always wins.

The run record's ``schedule`` keeps what was planned and what happened. The
realised saving compares the measured energy of each interval, charged at
the intensity of its own time, with the same energy charged as if the job
had started at release and run through.
"""

from __future__ import annotations

import sys
import time
from dataclasses import replace
from datetime import datetime
from pathlib import Path
from typing import Any

import click

from ..errors import ConfigError
from ..units import format_duration


def planning_timeline(settings: Any, location: Any, series: str | None, fill: bool, horizon_s: float) -> Any:
    """(Timeline or None, note): the series file, else a provider forecast, else None."""
    from .plan import intensity_for

    now = time.time()
    path = Path(series) if series else (Path(settings.intensity_series) if settings.intensity_series else None)
    timeline, fixed, note = intensity_for(location.code, path, settings, now, horizon_s, fill)
    return timeline, fixed, note


def _countdown(remaining_s: float, state: dict[str, float]) -> None:
    tty = sys.stderr.isatty()
    now = time.monotonic()
    if tty:
        click.echo(f"\rcarbontrail: starting in {format_duration(remaining_s):<16}", err=True, nl=False)
    elif now - state.get("last", -1e9) >= 600:
        click.echo(f"carbontrail: starting in {format_duration(remaining_s)}", err=True)
        state["last"] = now


def wait_planned_start(timeline: Any, fixed: Any, note: str, duration_s: float, within_s: float,
                       quiet: bool) -> dict[str, Any]:
    """Plan the start within ``within_s`` and wait for it; returns the schedule record."""
    from ..schedule.planner import make_plan
    from ..schedule.runner import wait_for_start

    release = time.time()
    if timeline is None:
        if not quiet:
            click.echo(f"carbontrail: only a flat annual figure is known ({note}): no time shifting is "
                       "possible; starting now. Give --series FILE or configure a provider forecast.", err=True)
        return {"mode": "flexible_start", "release": release, "planned_start": release, "note": note,
                "intensity": fixed.describe() if fixed is not None else None, "waited_s": 0.0}
    plan = make_plan(timeline, release, duration_s, within_s=within_s)
    start = datetime.fromisoformat(plan["start"]).timestamp()
    if not quiet:
        click.echo(f"carbontrail: plan ({note}): start {plan['start']} "
                   f"(in {format_duration(max(0.0, start - release))}); expected mean "
                   f"{plan['mean_intensity_g_per_kwh']:.0f} gCO2e/kWh against "
                   f"{plan['baseline_mean_intensity_g_per_kwh']:.0f} now: saving {plan['saving'] * 100:.1f}%",
                   err=True)
    state: dict[str, float] = {}
    started = wait_for_start(start, on_tick=None if quiet else (lambda r: _countdown(r, state)))
    if not quiet and sys.stderr.isatty():
        click.echo("", err=True)
    return {"mode": "flexible_start", "release": release, "planned_start": start, "plan": plan,
            "note": note, "waited_s": started - release}


def realised_saving(record: Any, timeline: Any, release: float, moved_from: str) -> dict[str, Any]:
    """Measured emissions against the same interval energies charged from the release onwards.

    ``moved_from``: "start" shifts every interval back by the wait (Flexible
    Start); "work" packs the intervals into one block from the release, in
    order, counting only intervals with work (Pause & Resume).
    """
    if timeline is None or not record.timeline:
        return {"saving": None, "why": "no time series: nothing was shifted"}
    import numpy as np

    pue = float(record.pue.get("value", 1.0))
    ends = np.array([datetime.fromisoformat(r["at"]).timestamp() for r in record.timeline])
    dts = np.array([float(r["dt_s"]) for r in record.timeline])
    energy = np.array([sum(r["energy_j"].values()) for r in record.timeline])
    actual = float(sum(r["emissions_g"] for r in record.timeline))
    if moved_from == "start":
        shift = (ends[0] - dts[0]) - release
        a, b = ends - dts - shift, ends - shift
    else:
        paused = [tuple(p) for p in (record.schedule or {}).get("paused_intervals", [])]
        keep = np.array([not any(s <= e - d / 2 < t for s, t in paused) for e, d in zip(ends, dts)])
        dts_k, energy = dts[keep], energy[keep]
        b = release + np.cumsum(dts_k)
        a = b - dts_k
    means = timeline.mean_over(a, b)
    if np.isnan(means).any():
        return {"saving": None, "why": "the series does not cover the baseline period"}
    baseline = float(np.sum(energy / 3.6e6 * pue * means))
    return {"saving": 1.0 - actual / baseline if baseline > 0 else None, "emissions_g": actual,
            "baseline_emissions_g": baseline, "basis": "measured interval energy x intensity of its time",
            "baseline": "same energy from the release without waiting or pausing"}


def paused_intervals(controller_dict: dict[str, Any]) -> list[list[float]]:
    """The gaps between actual run segments [epoch s]."""
    segs = controller_dict.get("actual_segments") or []
    return [[segs[i][1], segs[i + 1][0]] for i in range(len(segs) - 1)]


def settings_with_series(settings: Any, series: str | None) -> Any:
    """Settings whose intensity source is the series file, so the tracker charges its own times."""
    if not series:
        return settings
    return replace(settings, intensity_series=Path(series),
                   sources={**settings.sources, "intensity_series": "argument"})


def check_options(within: str | None, pause_resume: str | None, duration: str | None,
                  checkpoint_signal: str | None, resume_cmd: str | None) -> tuple[float | None, float | None, float | None]:
    """Validate the scheduling flags; returns (within_s, extra_fraction, duration_s)."""
    from ._common import parse_duration_option, parse_percent

    if within and pause_resume:
        raise ConfigError("choose one: --within (delay the start) or --pause-resume (pause in dirty hours)")
    if not within and not pause_resume:
        for flag, v in (("--duration", duration), ("--checkpoint-signal", checkpoint_signal),
                        ("--resume-cmd", resume_cmd)):
            if v:
                raise ConfigError(f"{flag} only makes sense with --within or --pause-resume")
        return None, None, None
    if not duration:
        raise ConfigError("give the job's expected uninterrupted run time with --duration (e.g. --duration 6h) "
                          "so the plan knows how much work to place")
    within_s = parse_duration_option(within, "--within")
    extra = parse_percent(pause_resume, "--pause-resume") if pause_resume else None
    duration_s = parse_duration_option(duration, "--duration")
    if duration_s is None or duration_s <= 0:
        raise ConfigError("--duration must be positive")
    if extra is not None and extra <= 0:
        raise ConfigError("--pause-resume must be more than 0% (the extra time allowed)")
    if (checkpoint_signal is None) != (resume_cmd is None):
        raise ConfigError("--checkpoint-signal and --resume-cmd go together: the job is signalled to "
                          "checkpoint and exit, then restarted with the resume command")
    if within_s is not None and within_s < 0:
        raise ConfigError("--within must be >= 0")
    return within_s, extra, duration_s


def parse_signal(name: str | None) -> int | None:
    import signal

    if name is None:
        return None
    n = name.upper()
    if n.isdigit():
        return int(n)
    if not n.startswith("SIG"):
        n = "SIG" + n
    try:
        return int(getattr(signal, n))
    except AttributeError:
        raise ConfigError(f"--checkpoint-signal: unknown signal {name!r}; use e.g. USR1 or TERM") from None
