"""``carbontrail plan``: when (and where) to run a job for lower emissions."""

from __future__ import annotations

import time
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import click

from ..errors import ConfigError, ScheduleError
from ._common import echo_json, parse_duration_option, parse_percent, settings_from, warn


def _parse_time(text: str | None) -> float:
    if text is None:
        return float(int(time.time()))
    try:
        dt = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError:
        raise ConfigError(f"--start: cannot read {text!r}; write an ISO time like 2024-05-01T22:00Z") from None
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=timezone.utc)
    return dt.timestamp()


def _pairs(text: str | None, flag: str, convert=float) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for part in (text or "").split(","):
        if not part.strip():
            continue
        if "=" not in part:
            raise ConfigError(f"{flag}: expected LOCATION=VALUE pairs separated by commas, got {part!r}")
        k, v = part.split("=", 1)
        try:
            out[k.strip()] = convert(v.strip())
        except ValueError:
            raise ConfigError(f"{flag}: cannot read {v!r} for {k.strip()}") from None
    return out


def load_timeline(path: Path, fill: bool):
    """A series file as a Timeline; gaps are an error unless ``fill``."""
    from ..intensity.series import read_series
    from ..schedule.timeline import Timeline

    series = read_series(path)
    gaps = series.gaps()
    if gaps and not fill:
        a, b = gaps[0]
        raise ScheduleError(
            f"{path}: the series has {len(gaps)} gap(s), the first from {a.isoformat()} to {b.isoformat()}; "
            "pass --fill to fill them linearly, or cut the series"
        )
    if gaps:
        series = series.fill_gaps("linear")
    tl = Timeline.from_series(series)
    return Timeline(tl.starts, tl.values, tl.slot_s, source=tl.source or path.name, kind=tl.kind,
                    details={"method": "series", "file": path.name, "gaps_filled": len(gaps)})


def intensity_for(code: str, series_path: Path | None, settings, start: float, horizon_s: float, fill: bool):
    """(timeline or None, fixed figure or None, note) for one location."""
    from ..intensity.locations import resolve_location
    from ..intensity.tables import annual_intensity

    if series_path is not None:
        return load_timeline(series_path, fill), None, f"series file {series_path.name}"
    location = resolve_location(code)
    from ..intensity.sources import forecast_series
    from ..schedule.timeline import Timeline

    a = datetime.fromtimestamp(start, tz=timezone.utc)
    b = datetime.fromtimestamp(start + horizon_s, tz=timezone.utc)
    fc = forecast_series(location, settings, a, b)
    if fc is not None and len(fc) and not fc.gaps():
        tl = Timeline.from_series(fc)
        return Timeline(tl.starts, tl.values, tl.slot_s, source=fc.source, kind=fc.kind,
                        details={"method": "forecast"}), None, f"provider forecast ({fc.source})"
    fixed = annual_intensity(location)
    return None, fixed, f"annual table: {fixed.source}, {fixed.year}"


def _run_profile(run_id: str, duration: str | None) -> dict[str, Any]:
    """The measured IT power of a past run as cumulative energy over its own time."""
    from ..store.sqlite import Store

    rec = Store.default(settings_from()).get(run_id)
    rows = [r for r in rec.timeline if r.get("dt_s")]
    if not rows or rec.energy_j <= 0:
        raise ConfigError(f"run {rec.id[:8]} has no measured power timeline to use as a profile")
    ends = [float(r["t_s"]) for r in rows]
    starts = [e - float(r["dt_s"]) for e, r in zip(ends, rows)]
    energy = [sum(r["energy_j"].values()) for r in rows]
    total_s = ends[-1] - starts[0]
    if duration is not None:
        want = parse_duration_option(duration, "--duration")
        if want is not None and abs(want - total_s) > max(1.0, 0.01 * total_s):
            raise ConfigError(f"run {rec.id[:8]} lasted {total_s:.0f} s but --duration says {want:.0f} s; "
                              "drop --duration to plan the run as measured")
    return {"run_id": rec.id, "t0": starts[0], "starts": starts, "ends": ends, "energy_j": energy,
            "duration_s": total_s, "mean_power_w": sum(energy) / total_s if total_s > 0 else 0.0}


def _profile_slots(profile: dict[str, Any], slot_s: float):
    """Average IT power [W] of the run in each plan slot (energy by overlap / slot length)."""
    import math

    import numpy as np

    n = max(1, math.ceil(profile["duration_s"] / slot_s - 1e-9))
    out = np.zeros(n)
    for a, b, e in zip(profile["starts"], profile["ends"], profile["energy_j"]):
        a -= profile["t0"]
        b -= profile["t0"]
        if b <= a:
            continue
        for k in range(int(a // slot_s), min(n, int(math.ceil(b / slot_s)))):
            lo, hi = max(a, k * slot_s), min(b, (k + 1) * slot_s)
            if hi > lo:
                out[k] += e * (hi - lo) / (b - a)
    return out / slot_s


def _flat_plan(fixed, start: float, duration_s: float, power_w: float | None) -> dict[str, Any]:
    from ..schedule.planner import iso
    from ..units import J_PER_KWH

    g = fixed.g_per_kwh
    e = None if power_w is None else power_w * duration_s / J_PER_KWH * g
    return {"mode": "none", "start": iso(start), "finish": iso(start + duration_s),
            "segments": [{"start": iso(start), "end": iso(start + duration_s)}], "pauses": 0,
            "mean_intensity_g_per_kwh": g, "baseline_mean_intensity_g_per_kwh": g, "saving": 0.0,
            "emissions_g": e, "baseline_emissions_g": e, "intensity": fixed.describe(),
            "note": "only a flat annual figure is known here: no time shifting is possible; start now. "
                    "Give --series FILE or configure a provider forecast to plan in time."}


@click.command("plan")
@click.option("--duration", help="uninterrupted run time of the job (30m, 6h, 8d); default: the --profile-from run's")
@click.option("--location", help="where the job runs (FR, US-CAL-CISO, gcp:europe-west6)")
@click.option("--within", help="Flexible Start: latest allowed delay of the start (e.g. 24h)")
@click.option("--pause-resume", "pause_resume", help="Pause & Resume: allowed extra duration (e.g. 100%)")
@click.option("--min-segment", help="Pause & Resume: shortest run segment (e.g. 30m)")
@click.option("--max-pauses", type=int, help="Pause & Resume: at most this many pauses")
@click.option("--pause-cost", type=float, help="Pause & Resume: cost of each pause [gCO2e] (needs --power)")
@click.option("--power", type=float, help="average IT power of the job [W], for emissions in grams")
@click.option("--pue", type=float, help="facility PUE (default: each region's provider figure, 1.56 on premises)")
@click.option("--profile-from", "profile_from",
              help="Flexible Start with the measured power profile of a past run (an id or 'last')")
@click.option("--restart-overhead", help="Pause & Resume: time each resume costs at full power (e.g. 5m)")
@click.option("--checkpoint-overhead", help="Pause & Resume: time each pause's checkpoint costs (e.g. 2m)")
@click.option("--regions", help="candidate locations to compare, comma separated")
@click.option("--price", help="price per hour per region, e.g. FR=3.2,DE=2.9")
@click.option("--exclude", "excludes", multiple=True,
              help="LOCATION[=why]: a candidate region that may not be chosen (data residency, hardware not "
                   "available); shown with the reason, left out of the choice (repeatable)")
@click.option("--offset-price", type=float, help="offset price per tCO2e, for the cheaper-region comparison")
@click.option("--series", "series_path", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="intensity series file for --location")
@click.option("--region-series", multiple=True, help="LOCATION=FILE series for a region (repeatable)")
@click.option("--start", "start_text", help="release time, ISO (default: now)")
@click.option("--fill", is_flag=True, help="fill gaps in series files linearly instead of failing")
@click.option("--json", "as_json", is_flag=True, help="print JSON")
def plan_cmd(duration, location, within, pause_resume, min_segment, max_pauses, pause_cost, power, pue,
             profile_from, restart_overhead, checkpoint_overhead, regions,
             price, excludes, offset_price, series_path, region_series, start_text, fill, as_json):
    """Plan when (and where) to run a job: start time, run segments, expected saving."""
    from ..schedule.planner import make_plan
    from ..schedule.regions import RegionOption, best_region, filter_regions, offsets_comparison, pareto_front

    profile = None
    if profile_from is not None:
        if power is not None:
            raise ConfigError("--profile-from gives the power; drop --power")
        if within is None:
            raise ConfigError("--profile-from is for Flexible Start (--within): Pause & Resume cuts the "
                              "profile at pauses, so it plans with a flat profile")
        profile = _run_profile(profile_from, duration)
        duration = duration or f"{profile['duration_s']}s"
    if duration is None:
        raise ConfigError("give --duration (e.g. 6h), or --profile-from RUN to take it from a past run")
    duration_s = parse_duration_option(duration, "--duration")
    restart_s = parse_duration_option(restart_overhead, "--restart-overhead") or 0.0
    checkpoint_s = parse_duration_option(checkpoint_overhead, "--checkpoint-overhead") or 0.0
    if within is not None and (restart_s or checkpoint_s):
        raise ConfigError("--restart-overhead and --checkpoint-overhead apply to --pause-resume only")
    if (within is None) == (pause_resume is None):
        raise ConfigError("choose one: --within 24h (Flexible Start) or --pause-resume 100% (Pause & Resume)")
    within_s = parse_duration_option(within, "--within")
    extra = parse_percent(pause_resume, "--pause-resume") if pause_resume is not None else None
    min_seg_s = parse_duration_option(min_segment, "--min-segment") or 0.0
    if within is not None and (min_segment or max_pauses is not None or pause_cost is not None):
        raise ConfigError("--min-segment, --max-pauses and --pause-cost apply to --pause-resume only")
    if power is not None and power <= 0:
        raise ConfigError("--power must be > 0 W")
    if pue is not None and pue < 1.0:
        raise ConfigError("--pue must be >= 1.0 (1.0 means no facility overhead)")
    settings = settings_from(location=location)
    main = settings.location
    if main is None and not regions:
        raise ConfigError("give --location (or --regions), or set CARBONTRAIL_LOCATION")
    codes = ([main] if main else []) + [c.strip() for c in (regions or "").split(",") if c.strip()]
    codes = list(dict.fromkeys(codes))
    files = {k: Path(v) for k, v in _pairs(",".join(region_series), "--region-series", str).items()}
    if series_path is not None and main:
        files[main] = series_path
    prices = _pairs(price, "--price")
    unknown = set(prices) - set(codes)
    if unknown:
        raise ConfigError(f"--price names {', '.join(sorted(unknown))}, which is not among the regions")
    excluded: dict[str, str] = {}
    for item in excludes:
        code, _, why = item.partition("=")
        excluded[code.strip()] = why.strip() or "excluded by --exclude"
    if set(excluded) - set(codes):
        raise ConfigError(f"--exclude names {', '.join(sorted(set(excluded) - set(codes)))}, which is not among "
                          "the regions (--location and --regions)")
    release = _parse_time(start_text)
    horizon_s = duration_s * (1 + extra) if extra is not None else duration_s + within_s
    results: dict[str, dict[str, Any]] = {}
    options = []
    from ..intensity.locations import resolve_location
    from ..intensity.tables import pue_for

    for code in codes:
        region_pue, pue_source = (pue, "given (--pue)") if pue is not None else pue_for(resolve_location(code))
        it_w = profile["mean_power_w"] if profile is not None else power
        facility_w = None if it_w is None else it_w * region_pue  # grams include the facility overhead
        tl, fixed, note = intensity_for(code, files.get(code), settings, release, horizon_s, fill)
        if tl is not None:
            rel = release
            if start_text is None and not (tl.start <= release < tl.end):
                rel = tl.start
                note += " (now is outside the series: planned from its start; give --start to choose)"
            prof = None
            if profile is not None:
                prof = _profile_slots(profile, tl.slot_s) * region_pue
            res = make_plan(tl, rel, duration_s, within_s=within_s, extra_fraction=extra,
                            min_segment_s=min_seg_s, max_pauses=max_pauses, pause_cost_g=pause_cost,
                            power_w=facility_w, restart_overhead_s=restart_s,
                            checkpoint_overhead_s=checkpoint_s, profile_w=prof)
            if profile is not None:
                res["profile"]["from_run"] = profile["run_id"]
        else:
            res = _flat_plan(fixed, release, duration_s, facility_w)
        res["location"] = code
        res["pue"] = {"value": region_pue, "source": pue_source}
        res.setdefault("power_w", it_w)
        res["intensity_from"] = note
        results[code] = res
        options.append(RegionOption(code, res["emissions_g"], res["mean_intensity_g_per_kwh"],
                                    prices.get(code), duration_s / 3600.0))
    out: dict[str, Any] = {"plan": results[codes[0]], "regions": None}
    if len(codes) > 1:
        options = filter_regions(options, set(codes) - set(excluded) if excluded else None)
        for o in options:
            if o.code in excluded:
                o.reason = excluded[o.code]
        best = best_region(options)
        out["regions"] = {
            "candidates": [dict(o.to_dict(), saving=results[o.code]["saving"],
                                start=results[o.code]["start"]) for o in options],
            "best": best.code,
            "pareto_front": [o.code for o in pareto_front(options)],
            "offsets": offsets_comparison(options, offset_price),
            "basis": "emissions_g (location-based)" if power else "mean intensity (give --power for grams)",
        }
    if as_json:
        echo_json(out)
        return
    _print(out, codes)


def _print(out: dict[str, Any], codes: list[str]) -> None:
    from ..units import format_duration, format_mass

    p = out["plan"]
    label = {"flexible_start": "Flexible Start", "pause_resume": "Pause & Resume", "none": "no shifting"}
    click.echo(f"{label[p['mode']]} plan for {p['location']} ({p['intensity_from']})")
    if p.get("note"):
        click.echo(f"  {p['note']}")
    click.echo(f"  start   {p['start']}")
    click.echo(f"  finish  {p['finish']}" + (f"  (deadline {p['deadline']})" if p.get("deadline") else ""))
    if p["mode"] == "pause_resume":
        click.echo(f"  {len(p['segments'])} run segment(s), {p['pauses']} pause(s):")
        for s in p["segments"][:12]:
            click.echo(f"    {s['start']} -> {s['end']}")
        if len(p["segments"]) > 12:
            click.echo(f"    ... {len(p['segments']) - 12} more (see --json)")
    if p.get("window_cut_s"):
        warn(f"the intensity data ends early: the window was cut by {format_duration(p['window_cut_s'])}")
    kind = p["intensity"].get("kind", "average")
    click.echo(f"  mean intensity {p['mean_intensity_g_per_kwh']:.1f} gCO2e/kWh ({kind}) against "
               f"{p['baseline_mean_intensity_g_per_kwh']:.1f} starting now: saving {p['saving']:.1%}")
    if p["emissions_g"] is not None:
        click.echo(f"  expected emissions {format_mass(p['emissions_g'])} CO2e against "
                   f"{format_mass(p['baseline_emissions_g'])} (location-based; {p['power_w']:g} W x PUE "
                   f"{p['pue']['value']:.2f}, {p['pue']['source']})")
    else:
        click.echo("  give --power W for emissions in grams")
    r = out["regions"]
    if r:
        click.echo(f"\nregions ({r['basis']}):")
        for c in r["candidates"]:
            em = format_mass(c["emissions_g"]) if c["emissions_g"] is not None else "-"
            cost = f"{c['cost']:.2f}" if c["cost"] is not None else "-"
            click.echo(f"  {c['code']:<22} {c['mean_intensity_g_per_kwh']:8.1f} g/kWh  {em:>10}  "
                       f"cost {cost:>8}  start {c['start']}"
                       + ("" if c["allowed"] else f"  EXCLUDED: {c['reason']}"))
        click.echo(f"  lowest emissions: {r['best']}")
        if r["pareto_front"]:
            click.echo(f"  cost/carbon Pareto front: {', '.join(r['pareto_front'])}")
        o = r["offsets"]
        if o:
            click.echo(f"  {o['cheaper_region']} is cheaper by {o['money_saved']:.2f} but emits "
                       f"{format_mass(o['extra_emissions_g'])} more than {o['cleaner_region']} (location-based)")
            if o["offsets_bought_g"] is not None:
                click.echo(f"  that money buys {format_mass(o['offsets_bought_g'])} of offsets at "
                           f"{o['offset_price_per_t']:g}/t (market-based, shown beside, not subtracted)")
            else:
                click.echo("  give --offset-price to see the offsets the difference would buy")
