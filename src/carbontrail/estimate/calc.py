"""The calculator: hardware x hours x utilisation x PUE x intensity, plus embodied, SCI, range.

E [kWh] = sum over devices of count x power(u) [W] x hours / 1000
operational [g] = E x PUE x I [gCO2e/kWh] (location-based)
M [g] = footprint x hours / (lifetime x usage rate) x share   (see :mod:`.embodied`)
SCI = (E x PUE x I + M) / R   (ISO/IEC 21031; PUE folded into E as facility energy)
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any

from ..config import Settings
from ..errors import ConfigError
from ..hardware import catalog
from ..hardware.spec import parse_hardware
from ..units import J_PER_KWH
from . import embodied as emb
from .model import DeviceEstimate, Estimate


def _check(hours, device_hours, utilization, power_w, pue, intensity_g_per_kwh, units, lifetime_years,
           usage_rate) -> None:
    if hours is None and device_hours is None:
        raise ConfigError("give the job's duration: --hours H (wall-clock) or --device-hours H")
    if hours is not None and device_hours is not None:
        raise ConfigError("give either --hours (wall-clock) or --device-hours, not both")
    for flag, v in (("--hours", hours), ("--device-hours", device_hours)):
        if v is not None and not v > 0:
            raise ConfigError(f"{flag} must be greater than 0, got {v:g}")
    if utilization is not None and not 0 < utilization <= 1:
        raise ConfigError(f"--utilization must be in (0, 1] (a share of TDP, e.g. 0.8 or 80%), got {utilization:g}")
    if power_w is not None and not power_w > 0:
        raise ConfigError(f"--power must be greater than 0 W, got {power_w:g}")
    if pue is not None and pue < 1.0:
        raise ConfigError(f"--pue must be >= 1.0 (1.0 means no facility overhead), got {pue:g}")
    if intensity_g_per_kwh is not None and intensity_g_per_kwh < 0:
        raise ConfigError(f"--intensity must be >= 0 gCO2e/kWh, got {intensity_g_per_kwh:g}")
    if units is not None and not units > 0:
        raise ConfigError(f"--units must be greater than 0, got {units:g}")
    if lifetime_years is not None and not lifetime_years > 0:
        raise ConfigError(f"hardware lifetime must be greater than 0 years, got {lifetime_years:g}")
    if usage_rate is not None and not 0 < usage_rate <= 1:
        raise ConfigError(f"hardware usage rate must be in (0, 1], got {usage_rate:g}")


def _utilization(kind: str, given: float | None) -> tuple[float, float, float, str]:
    """(central, low, high, source) utilisation for a device kind."""
    if given is not None:
        return given, given, given, "given"
    f = catalog.factors()["utilization_cpu" if kind in ("cpu", "vcpu") else "utilization_accelerator"]
    return f["value"], f["low"], f["high"], f["source"]


def _location(location: str | None, settings: Settings | None):
    from ..intensity.locations import resolve_location

    query = location if location is not None else (settings.location if settings is not None else None)
    if query is None:
        return None
    how = "argument" if location is not None else settings.sources.get("location", "settings")
    return resolve_location(query, how=how)


def _intensity(loc, override: float | None, start: datetime | None, hours: float,
               settings: Settings | None) -> tuple[dict[str, Any], float, float, list[str]]:
    """(intensity record, low, high, notes); low/high span the sources the tables hold."""
    from ..intensity import tables

    notes: list[str] = []
    if override is not None:
        return ({"g_per_kwh": override, "source": "user override (--intensity)", "year": None,
                 "kind": "average", "method": "override"}, override, override, notes)
    if loc is None:
        fig = tables.world_intensity()
        notes.append("location unknown: the world-average intensity is used (give --location)")
        figs = [fig]
    else:
        fig = tables.annual_intensity(loc)
        figs = tables.annual_intensities(loc)
    record = fig.describe()
    values = [f.g_per_kwh for f in figs if f.kind == fig.kind] + [fig.g_per_kwh]
    if start is not None:
        record, notes2 = _series_intensity(loc, start, hours, settings, record)
        notes += notes2
        values = [f.g_per_kwh for f in figs if f.kind == record.get("kind")] + [record["g_per_kwh"]]
    return record, min(values), max(values), notes


def _series_intensity(loc, start: datetime, hours: float, settings: Settings | None,
                      annual: dict[str, Any]) -> tuple[dict[str, Any], list[str]]:
    """Time-weighted intensity over [start, start+hours) from the configured series or provider."""
    from ..intensity.model import weighted_intensity

    from ..intensity.locations import world_location
    from ..intensity.sources import intensity_source

    if start.tzinfo is None:
        raise ConfigError("--start must carry a time zone (e.g. 2024-05-01T12:00Z)")
    start = start.astimezone(timezone.utc)
    end = start + timedelta(hours=hours)
    source = intensity_source(loc if loc is not None else world_location(),
                              settings if settings is not None else Settings())
    points = source.points(start, end)
    value = weighted_intensity(points, start, end)
    if value is None:
        return annual, [f"no intensity series covers {start.isoformat()}..{end.isoformat()}; "
                        "the annual average is used"]
    desc = source.describe()
    notes = list(getattr(source, "warnings", []))
    return ({"g_per_kwh": value, "source": desc.get("source", ""), "year": None,
             "kind": desc.get("kind", "average"), "method": desc.get("method", "series"), "mode": desc.get("mode"),
             "start": start.isoformat(), "end": end.isoformat()}, notes)


def estimate(hardware: str, hours: float | None = None, *, device_hours: float | None = None,
             utilization: float | None = None, power_w: float | None = None, location: str | None = None,
             pue: float | None = None, intensity_g_per_kwh: float | None = None, start: datetime | None = None,
             units: float | None = None, unit_name: str | None = None, settings: Settings | None = None,
             lifetime_years: float | None = None, usage_rate: float | None = None,
             alternatives: bool = True) -> Estimate:
    """Estimate a job's footprint before running it.

    ``hardware``: ``4xV100``, ``8xH100-SXM+2xcpu:AMD EPYC 7763``, ``p4d.24xlarge`` ...
    (see :mod:`carbontrail.hardware.spec`). ``hours`` [h] wall-clock, or
    ``device_hours`` [h] summed over accelerators (over the first device line
    when there is none). ``utilization`` in (0, 1] (default: cited typical
    value per device kind); ``power_w`` [W] average power per accelerator.
    ``location``: country, zone or cloud region (default: ``settings.location``,
    else the world average). ``pue`` (default: provider figure, 1.56 unknown),
    ``intensity_g_per_kwh`` overrides the table; ``start`` (tz-aware) uses a
    series over the job's window. ``units``/``unit_name``: SCI functional unit.
    ``lifetime_years`` (default 4, CCF) and ``usage_rate`` (default 1.0) set the
    embodied allocation. ``alternatives`` adds the cleanest cloud regions.
    """
    _check(hours, device_hours, utilization, power_w, pue, intensity_g_per_kwh, units, lifetime_years, usage_rate)
    spec = parse_hardware(hardware, power_w=power_w)
    assumptions: list[str] = []
    if hours is None:
        per = spec.accelerator_count or (spec.lines[0].count if spec.lines else 1.0)
        hours = device_hours / per
        assumptions.append(f"{device_hours:g} device-hours over {per:g} device(s) = {hours:g} h wall-clock")
    devices, lows, highs = [], 0.0, 0.0
    for line in spec.lines:
        u, u_lo, u_hi, u_src = _utilization(line.kind, utilization)
        p = line.power_w(u)
        override = line.power_override_w is not None
        if not override and line.uses_utilization:
            lows += line.count * line.power_w(u_lo) * hours * 3600.0
            highs += line.count * line.power_w(u_hi) * hours * 3600.0
        else:
            lows += line.count * p * hours * 3600.0
            highs += line.count * p * hours * 3600.0
        notes = list(line.notes)
        if line.uses_utilization and not override:
            notes.append(f"utilisation {u:g} ({'given' if u_src == 'given' else 'default, see notes'})")
            src_note = f"default utilisation {u:g} for {line.kind}: {u_src}"
            if u_src != "given" and src_note not in assumptions:
                assumptions.append(src_note)
        devices.append(DeviceEstimate(line.name, line.kind, line.count, p,
                                      "user-given" if override else line.power_source,
                                      "user-given" if override else "modelled",
                                      None if (override or not line.uses_utilization) else u,
                                      line.count * p * hours * 3600.0, line.instance, notes))
    energy_j = sum(d.energy_j for d in devices)

    loc = _location(location, settings)
    from ..intensity import tables

    if pue is None:
        pue, pue_source = tables.pue_for(loc)
    else:
        pue_source = "given (--pue)"
    intensity, i_lo, i_hi, notes = _intensity(loc, intensity_g_per_kwh, start, hours, settings)
    assumptions += notes
    g = intensity["g_per_kwh"]
    operational_g = energy_j / J_PER_KWH * pue * g

    f = catalog.factors()
    life = lifetime_years if lifetime_years is not None else f["lifetime_years"]["value"]
    rate = usage_rate if usage_rate is not None else f["usage_rate"]["value"]
    items = emb.embodied_items(spec)
    embodied_g = emb.allocate(items, hours, life, rate)
    m_lo = emb.allocate(items, hours, max(life, f["lifetime_years"]["low_impact"]), rate)
    m_hi = emb.allocate(items, hours, life, min(rate, f["usage_rate"]["high_impact"]))
    embodied = {"items": [i.to_dict() for i in items], "lifetime_years": life, "usage_rate": rate,
                "hours_reserved": hours,
                "lifetime_source": "given" if lifetime_years is not None else f["lifetime_years"]["source"],
                "usage_rate_source": "given" if usage_rate is not None else f["usage_rate"]["source"],
                "formula": "footprint x hours / (lifetime x 8760 h x usage rate) x share"}
    rng = {"low_g": lows / J_PER_KWH * pue * i_lo + m_lo, "high_g": highs / J_PER_KWH * pue * i_hi + m_hi,
           "inputs": {"energy_kwh": [lows / J_PER_KWH, highs / J_PER_KWH], "intensity_g_per_kwh": [i_lo, i_hi],
                      "embodied_g": [m_lo, m_hi]},
           "note": "low: low utilisation, lowest intensity the tables hold for the zone, 6-year lifetime; "
                   "high: utilisation 1, highest intensity, 85 % hardware usage rate"}
    market = tables.market_claims(loc) if loc is not None else None
    if market is not None and market.get("google_cfe") is not None:
        market["market_based_g"] = operational_g * (1.0 - float(market["google_cfe"]))
        market["market_based_note"] = "operational emissions x (1 - Google CFE share); shown beside, never subtracted"
    result = Estimate(hardware=hardware, devices=devices, duration_s=hours * 3600.0, energy_j=energy_j, pue=pue,
                      pue_source=pue_source, intensity=intensity, location=loc.to_dict() if loc else None,
                      operational_g=operational_g, embodied_g=embodied_g, embodied=embodied,
                      units=units if units is not None else 1.0, unit_name=unit_name or "run", range=rng,
                      market=market, assumptions=assumptions)
    if alternatives:
        from .alternatives import greener_regions

        result.alternatives = greener_regions(energy_j, embodied_g, loc, pue if pue_source.startswith("given")
                                              else None)
    return result
