"""What-if: the same job elsewhere or later, from sourced figures only.

- :func:`cleanest_regions`: the run's IT energy [J] x each region's PUE x its
  annual average intensity (the packaged tables: Google's per-region figures,
  OWID/Ember, eGRID ...), cleanest first. Each row names the figures used.
- :func:`best_start`: the lowest-emission start within a window (24 h by
  default) for a run whose intensity was time-resolved, over an intensity
  series covering the window, with Flexible Start from
  :mod:`carbontrail.schedule.flexible`. The run's energy is spread evenly over
  its duration (a flat profile). An annual figure allows no time shifting, and
  the result says so.
"""

from __future__ import annotations

import math
from datetime import timedelta
from typing import Any

from ..record import RunRecord
from ..units import emissions_g as _emissions_g

#: intensity modes whose figures vary in time, so a shifted start can be evaluated
TIME_RESOLVED = {"series", "live", "forecast"}


def region_row(energy_j: float, location: Any, intensity: Any, pue: float, pue_source: str) -> dict[str, Any]:
    """One what-if row: ``energy_j`` [J] run at ``location`` with ``intensity`` (a FixedIntensity)."""
    return {
        "code": location.code, "name": location.name, "provider": location.provider,
        "g_per_kwh": intensity.g_per_kwh, "intensity_source": intensity.source, "year": intensity.year,
        "kind": intensity.kind, "pue": pue, "pue_source": pue_source,
        "emissions_g": _emissions_g(energy_j, intensity.g_per_kwh, pue),
    }


def region_candidates(kind: str = "cloud") -> list[tuple[Any, Any, float, str]]:
    """(location, annual intensity, PUE, PUE source) for every location of ``kind`` ('cloud' or 'all')."""
    from ..intensity.locations import all_locations, location_kind
    from ..intensity.tables import annual_intensity, pue_for

    out = []
    for loc in all_locations():
        if kind == "cloud" and location_kind(loc.code) != "cloud":
            continue
        pue, src = pue_for(loc)
        out.append((loc, annual_intensity(loc), pue, src))
    return out


def cleanest_regions(energy_j: float, n: int = 3,
                     candidates: list[tuple[Any, Any, float, str]] | None = None) -> list[dict[str, Any]]:
    """The ``n`` locations where ``energy_j`` [J] would emit least (annual averages), cleanest first.

    ``candidates`` defaults to every cloud region in the tables (see
    :func:`region_candidates`); ties go to the alphabetically first code.
    """
    cands = region_candidates() if candidates is None else candidates
    rows = [region_row(energy_j, *c) for c in cands]
    rows.sort(key=lambda r: (r["emissions_g"], r["code"]))
    return rows[:n]


def same_job_here(record: RunRecord) -> dict[str, Any] | None:
    """The run at its own location with the annual figure (to set beside the regions), or None."""
    from ..errors import ConfigError
    from ..intensity.locations import resolve_location
    from ..intensity.tables import annual_intensity

    code = (record.location or {}).get("code")
    if not code or code == "?":
        return None
    try:
        loc = resolve_location(code)
    except ConfigError:
        return None
    pue = float((record.pue or {}).get("value", 1.0))
    return region_row(record.energy_j, loc, annual_intensity(loc), pue, str((record.pue or {}).get("source", "")))


def intensity_mode(record: RunRecord) -> str:
    i = record.intensity or {}
    return str(i.get("mode") or i.get("method") or "table")


def best_start(record: RunRecord, series: Any | None, window_s: float = 86400.0) -> dict[str, Any]:
    """The best start within ``window_s`` [s] after the run's start, or why it cannot be computed.

    ``series`` is an :class:`~carbontrail.intensity.series.IntensitySeries`
    covering the run and the window (None when there is none). Returns
    ``{"available": False, "reason": ...}`` or the start, the emissions at
    that start [g] (same energy and PUE, flat profile), the emissions at the
    actual start from the same series, and the saving.
    """
    mode = intensity_mode(record)
    if mode not in TIME_RESOLVED:
        return {"available": False, "reason": f"the run used an annual average ({mode}): one figure for every "
                                              "hour, so the figure allows no time shifting"}
    if series is None or not len(series):
        return {"available": False, "reason": "no intensity series for the hours after the run is available; "
                                              "give one with --series FILE"}
    from ..errors import ScheduleError
    from ..schedule.flexible import flexible_start

    slot_s = float(series.slot_s)
    duration = max(record.duration_s, 1.0)
    start = record.started_at
    end = start + timedelta(seconds=window_s + duration)
    grid = series.resample(slot_s, start, end)
    n_expected = math.ceil((window_s + duration) / slot_s - 1e-9)
    if len(grid) < n_expected or float(grid.coverage().min()) < 0.999:
        covered = len(grid) * slot_s / 3600.0
        return {"available": False, "reason": f"the series covers {covered:.1f} h of the {(window_s + duration) / 3600:.1f} h "
                                              "needed from the run's start; give a longer series"}
    length = max(1, math.ceil(duration / slot_s - 1e-9))
    window = int((window_s) // slot_s)
    try:
        plan = flexible_start(grid.values(), length, window)
    except ScheduleError as exc:
        return {"available": False, "reason": str(exc)}
    vals = grid.values()
    best_mean = float(vals[plan.start:plan.start + length].mean())
    base_mean = float(vals[:length].mean())
    pue = float((record.pue or {}).get("value", 1.0))
    best_g = _emissions_g(record.energy_j, best_mean, pue)
    base_g = _emissions_g(record.energy_j, base_mean, pue)
    return {
        "available": True, "window_h": window_s / 3600.0, "slot_s": slot_s,
        "start": (start + timedelta(seconds=plan.start * slot_s)).isoformat(),
        "delay_h": plan.start * slot_s / 3600.0,
        "g_per_kwh": best_mean, "baseline_g_per_kwh": base_mean,
        "emissions_g": best_g, "baseline_emissions_g": base_g,
        "saving": 1.0 - best_g / base_g if base_g > 0 else None,
        "series_source": series.source, "series_kind": series.kind,
        "note": "same energy and PUE; energy spread evenly over the run (flat profile); Flexible Start",
    }


def whatif_for(record: RunRecord, *, series: Any | None = None, n_regions: int = 3,
               candidates: list[tuple[Any, Any, float, str]] | None = None) -> dict[str, Any]:
    """The what-if section of a report: cleanest regions, this location's annual figure, best start."""
    if not record.energy_j > 0:
        return {"regions": [], "here": None, "best_start": {"available": False, "reason": "no energy was measured"}}
    return {
        "regions": cleanest_regions(record.energy_j, n_regions, candidates),
        "here": same_job_here(record) if candidates is None else None,
        "best_start": best_start(record, series),
        "note": "same IT energy; each region's PUE and annual average intensity (location-based)",
    }
