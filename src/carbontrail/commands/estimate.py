"""``carbontrail estimate``: a job's footprint before running it, or a batch of jobs."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import click

from ..errors import ConfigError
from ..units import J_PER_KWH, format_mass
from ._common import echo_json, settings_from


def _start(value: str | None) -> datetime | None:
    if value is None:
        return None
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise ConfigError(f"--start: cannot read {value!r}; write an ISO time like 2024-05-01T12:00Z") from None


def _utilization(value: str | None) -> float | None:
    """'0.8' or '80%' -> 0.8. A bare number must already be a fraction in (0, 1]: '1.5' is an
    error, not 1.5 %, and '80' is an error, not 80 % (the issue's rule: outside (0, 1] is refused)."""
    if value is None:
        return None
    s = value.strip()
    try:
        u = float(s[:-1]) / 100.0 if s.endswith("%") else float(s)
    except ValueError:
        raise ConfigError(f"--utilization: cannot read {value!r}; write a share of TDP like 0.8 or 80%") from None
    if not 0 < u <= 1:
        raise ConfigError(f"--utilization must be in (0, 1] (a share of TDP, e.g. 0.8 or 80%), got {value}")
    return u


def _g(value: float) -> str:
    return format_mass(value)


def print_estimate(est) -> None:
    d = est.to_dict()
    click.echo(f"Estimate for {est.hardware}: {d['hours']:g} h wall-clock")
    click.echo("\nEnergy (IT equipment)")
    for dev in est.devices:
        util = f" x utilisation {dev.utilization:g}" if dev.utilization is not None else ""
        click.echo(f"  {dev.count:g} x {dev.name} [{dev.kind}]: {dev.power_w:.4g} W{util} -> "
                   f"{dev.energy_j / J_PER_KWH:.4g} kWh")
        click.echo(f"      power: {dev.power_source}")
        for note in dev.notes:
            click.echo(f"      note: {note}")
    for kind, kwh in d["energy_kwh_by_kind"].items():
        click.echo(f"  total {kind}: {kwh:.4g} kWh")
    click.echo(f"  IT energy {est.energy_kwh:.4g} kWh x PUE {est.pue:g} = {d['facility_energy_kwh']:.4g} kWh")
    click.echo(f"      PUE: {est.pue_source}")
    i = est.intensity
    where = est.location["code"] if est.location else "unknown location"
    click.echo(f"\nOperational (location-based): {_g(est.operational_g)}")
    click.echo(f"  intensity {i['g_per_kwh']:.4g} gCO2e/kWh at {where}: {i.get('source')}, "
               f"year {i.get('year') or 'n/a'}, {i.get('kind')}, {i.get('method')}")
    if est.market:
        m = est.market
        click.echo("  market-based view (shown beside, never subtracted):")
        if m.get("market_based_g") is not None:
            click.echo(f"    {_g(m['market_based_g'])} after Google CFE {float(m['google_cfe']):.0%} "
                       f"({m.get('cfe_source', '')})")
        if m.get("offset_ratio_percent") is not None:
            click.echo(f"    {m['provider']} claims {m['offset_ratio_percent']:g} % offset/matched "
                       f"({m.get('offset_source', '')})")
    e = est.embodied
    click.echo(f"\nEmbodied (manufacture, allocated): {_g(est.embodied_g)}")
    click.echo(f"  {e['formula']}; lifetime {e['lifetime_years']:g} y, usage rate {e['usage_rate']:g}")
    click.echo(f"      lifetime: {e['lifetime_source']}")
    for item in e["items"]:
        click.echo(f"  {item['name']}: {item['footprint_kg']:g} kgCO2e x share {item['share']:g} "
                   f"({item['method']}: {item['source']})")
        if item["note"]:
            click.echo(f"      note: {item['note']}")
    r = est.range
    click.echo(f"\nTotal: {_g(est.total_g)}  (range {_g(r['low_g'])} - {_g(r['high_g'])})")
    click.echo(f"  range: {r['note']}")
    click.echo(f"SCI: {_g(est.sci_g_per_unit)} per {est.unit_name}"
               + (f" ({est.units:g} units)" if est.units != 1 else ""))
    for title, key in (("Same provider, cleanest regions", "same_provider"), ("Cleanest cloud regions anywhere",
                                                                                "anywhere")):
        rows = est.alternatives.get(key)
        if rows:
            click.echo(f"\n{title}:")
            for row in rows:
                click.echo(f"  {row['location']:<28} {_g(row['total_g']):>12}  ({row['intensity_g_per_kwh']:g} "
                           f"gCO2e/kWh, {row['intensity_source']}; PUE {row['pue']:g})")
    for a in est.assumptions:
        click.echo(f"note: {a}")


def _batch(path: Path, fmt: str, group_by: str, location, pue, intensity, gpu_model, cpu_model, as_json) -> None:
    from ..estimate.batch import estimate_jobs, read_batch

    jobs = read_batch(path, fmt, gpu_model=gpu_model, cpu_model=cpu_model)
    if not jobs:
        raise ConfigError(f"{path}: no jobs to estimate")
    result = estimate_jobs(jobs, location=location, pue=pue, intensity_g_per_kwh=intensity,
                           settings=settings_from(location=None), path=str(path))
    totals = result.totals(group_by)
    if as_json:
        echo_json({"group_by": group_by, "totals": totals,
                   "jobs": [{"job_id": j.job_id, "line": j.line, "user": j.user, "project": j.project,
                             **e.to_dict()} for j, e in result.items]})
        return
    click.echo(f"{len(result.items)} jobs from {path}, totals by {group_by}:")
    click.echo(f"  {'group':<24} {'jobs':>5} {'IT kWh':>12} {'x PUE kWh':>12} {'operational':>14} {'embodied':>12} "
               f"{'total':>12}")
    for key, t in sorted(totals.items(), key=lambda kv: (kv[0] == "TOTAL", -kv[1]["total_g"])):
        click.echo(f"  {key:<24} {t['jobs']:>5} {t['energy_kwh']:>12.4g} {t['facility_energy_kwh']:>12.4g} "
                   f"{_g(t['operational_g']):>14} "
                   f"{_g(t['embodied_g']):>12} {_g(t['total_g']):>12}")
    for a in totals["TOTAL"]["assumptions"]:
        click.echo(f"assumed: {a} (name the exact model in the site's gres types if that is wrong)")
    missing = totals["TOTAL"]["not_estimated"]
    if missing:
        click.echo(f"not estimated in {len(missing)} job(s), e.g. {missing[0]}")


@click.command("estimate")
@click.option("--hardware", "-H", help="4xV100, 8xH100-SXM+2xcpu:AMD EPYC 7763, p4d.24xlarge, TPUv3@283W ...")
@click.option("--hours", type=float, help="wall-clock hours")
@click.option("--device-hours", type=float, help="hours summed over accelerators (GPU-hours)")
@click.option("--utilization", help="share of TDP, e.g. 0.8 or 80% (default: cited typical value)")
@click.option("--power", "power_w", type=float, help="average power per accelerator [W] (per CPU if none)")
@click.option("--location", "-l", help="country, zone or cloud region (FR, US-CAL-CISO, gcp:europe-west6)")
@click.option("--pue", type=float, help="facility PUE (default: the provider's figure)")
@click.option("--intensity", type=float, help="grid intensity override [gCO2e/kWh]")
@click.option("--start", help="start time (ISO, with zone) to use an intensity series over the job's window")
@click.option("--series", type=click.Path(exists=True, dir_okay=False), help="intensity series file used with --start")
@click.option("--units", type=float, help="functional units (R) for SCI, e.g. 1000")
@click.option("--unit-name", help='name of the functional unit, e.g. "1k inferences"')
@click.option("--lifetime", "lifetime_years", type=float, help="hardware lifetime for embodied [years] (default 4)")
@click.option("--usage-rate", type=float,
              help="share of its life the hardware is busy, for embodied (default 1.0; 0.85 in Luccioni et al. 2022)")
@click.option("--batch", "batch", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="CSV of jobs (hardware,hours,location,user,project) or sacct --parsable2 output")
@click.option("--batch-format", type=click.Choice(["auto", "csv", "sacct"]), default="auto", show_default=True)
@click.option("--group-by", type=click.Choice(["user", "project", "location", "hardware"]), default="project",
              show_default=True, help="batch totals per")
@click.option("--gpu-model", help="batch/sacct: GPU model for gres/gpu (e.g. A100-SXM4-80GB)")
@click.option("--cpu-model", help="batch/sacct: CPU model of the nodes (e.g. AMD EPYC 7763)")
@click.option("--no-alternatives", is_flag=True, help="skip the greener-region comparison")
@click.option("--json", "as_json", is_flag=True, help="print JSON")
def estimate_cmd(hardware, hours, device_hours, utilization, power_w, location, pue, intensity, start, series, units,
                 unit_name, lifetime_years, usage_rate, batch, batch_format, group_by, gpu_model, cpu_model, no_alternatives,
                 as_json) -> None:
    """Estimate a job's energy, emissions (with sources), embodied share, SCI and greener regions.

    Example: carbontrail estimate --hardware 4xV100 --hours 6 --location azure:westeurope
    """
    if batch is not None:
        _batch(batch, batch_format, group_by, location, pue, intensity, gpu_model, cpu_model, as_json)
        return
    if not hardware:
        raise ConfigError("give --hardware (e.g. 4xV100 or p4d.24xlarge) or --batch FILE")
    from ..estimate import estimate

    est = estimate(hardware, hours, device_hours=device_hours,
                   utilization=_utilization(utilization),
                   power_w=power_w, location=location, pue=pue, intensity_g_per_kwh=intensity,
                   start=_start(start), units=units, unit_name=unit_name, settings=settings_from(intensity_series=series),
                   lifetime_years=lifetime_years, usage_rate=usage_rate, alternatives=not no_alternatives)
    if as_json:
        echo_json(est.to_dict())
    else:
        print_estimate(est)
