"""`carbontrail intensity`: the grid intensity for a place and time, with its source."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any

import click

from ._common import echo_json, settings_from, warn


def _time(value: str | None, flag: str) -> datetime | None:
    if value is None:
        return None
    from ..errors import ConfigError

    text = value.strip()
    if text.lower() == "now":
        return datetime.now(timezone.utc)
    try:
        t = datetime.fromisoformat(text[:-1] + "+00:00" if text.endswith(("Z", "z")) else text)
    except ValueError:
        raise ConfigError(f"{flag}: cannot read {value!r}; write ISO 8601 like 2024-03-01T12:00Z or 'now'") from None
    return t.replace(tzinfo=timezone.utc) if t.tzinfo is None else t.astimezone(timezone.utc)


def _point_row(p: Any) -> dict[str, Any]:
    return p.to_dict()


def _fmt_point(p: Any) -> str:
    return (f"{p.start:%Y-%m-%d %H:%M}Z  {p.g_per_kwh:8.1f} gCO2e/kWh  {p.kind:<8}  {p.method:<8}  {p.source}"
            + (f" {p.year}" if p.year and str(p.year) not in p.source else ""))


@click.command("intensity")
@click.option("--location", "-l", help="country, zone or cloud region (see `carbontrail locations`)")
@click.option("--at", "at", help="one time (ISO 8601, UTC if no offset; or 'now')")
@click.option("--from", "t_from", help="start of a range (ISO 8601)")
@click.option("--to", "t_to", help="end of a range (ISO 8601)")
@click.option("--forecast", is_flag=True, help="the provider's forecast (next 24-48 h)")
@click.option("--provider", help="live provider: electricitymaps, watttime, ukgrid, energidataservice")
@click.option("--series", type=click.Path(dir_okay=False), help="an intensity series file to read")
@click.option("--json", "as_json", is_flag=True, help="print JSON")
def intensity_cmd(location: str | None, at: str | None, t_from: str | None, t_to: str | None, forecast: bool,
                  provider: str | None, series: str | None, as_json: bool) -> None:
    """Grid carbon intensity [gCO2e/kWh] with its source, year or timestamp, and kind.

    Without a time: the annual average from the sourced tables, with the other
    sources' figures beside it. With --at or --from/--to: the figure(s) from the
    series file, the live provider, or the table (in that order).
    """
    from ..errors import ConfigError
    from ..intensity.locations import detect_location
    from ..intensity.sources import forecast_series, intensity_source
    from ..intensity.tables import annual_intensities, market_claims, pue_for

    if at and (t_from or t_to):
        raise ConfigError("give either --at or --from/--to, not both")
    if bool(t_from) != bool(t_to):
        raise ConfigError("--from and --to go together")
    settings = settings_from(location=location, provider=provider, intensity_series=series)
    loc, warnings = detect_location(settings)
    for w in warnings:
        warn(w)
    out: dict[str, Any] = {"location": loc.to_dict()}
    if forecast:
        now = datetime.now(timezone.utc)
        fc = forecast_series(loc, settings, now - timedelta(hours=1), now + timedelta(hours=72))
        if fc is None:
            raise ConfigError(f"no forecast for {loc.code}: configure a provider that covers it "
                              "(--provider, CARBONTRAIL_ELECTRICITYMAPS_TOKEN, ...)")
        out["source"] = fc.describe()
        out["points"] = [_point_row(p) for p in fc.points]
    elif at or t_from:
        a = _time(at or t_from, "--at" if at else "--from")
        b = a + timedelta(seconds=1) if at else _time(t_to, "--to")
        if b <= a:
            raise ConfigError("--to must be after --from")
        src = intensity_source(loc, settings)
        pts = src.points(a, b)
        for w in getattr(src, "warnings", []):
            warn(w)
        from ..intensity.model import weighted_intensity

        out["source"] = src.describe()
        out["points"] = [_point_row(p) for p in pts]
        out["mean_g_per_kwh"] = weighted_intensity(pts, a, b) if pts else None
    elif series:
        # a series file and no time: the file's own figure (time-weighted mean over its span)
        src = intensity_source(loc, settings)
        ser = src.series
        out["source"] = src.describe()
        out["mean_g_per_kwh"] = ser.mean()
        out["span"] = {"start": ser.start.isoformat(), "end": ser.end.isoformat(), "points": len(ser)}
    else:
        figs = annual_intensities(loc)
        out["annual"] = {**figs[0].describe(), "g_per_kwh": figs[0].g_per_kwh}
        out["other_sources"] = [{"source": f.source, "g_per_kwh": f.g_per_kwh, "year": f.year,
                                 "scope": f.details.get("scope")} for f in figs[1:]]
        pue, pue_source = pue_for(loc)
        out["pue"] = {"pue": pue, "source": pue_source}
        out["market_claims"] = market_claims(loc)
    if as_json:
        echo_json(out)
        return
    click.echo(f"location   {loc.code}  {loc.name}  ({loc.how})"
               + (f"  grid zone {loc.grid_zone}" if loc.grid_zone and loc.grid_zone != loc.code else ""))
    if "annual" in out:
        f = figs[0]
        d = f.details
        click.echo(f"intensity  {f.g_per_kwh:.1f} gCO2e/kWh  annual {f.kind}, {d.get('scope')}, {d.get('basis')}")
        click.echo(f"source     {f.source}  [{d.get('licence')}]")
        click.echo(f"           {d.get('url')}")
        if d.get("fallback_from"):
            click.echo(f"note       no figure for {d['fallback_from']}; used {d.get('zone')}")
        for o in figs[1:6]:
            click.echo(f"also       {o.g_per_kwh:8.1f}  {o.source}  ({o.details.get('scope')})")
        click.echo(f"PUE        {out['pue']['pue']}  ({out['pue']['source']})")
        claims = out["market_claims"]
        if claims:
            extra = f", Google CFE {claims['google_cfe']:.0%} ({claims['google_cfe_year']})" if claims.get(
                "google_cfe") is not None else ""
            click.echo(f"market     offsets claimed {claims.get('offset_ratio_percent', 0):.0f}%{extra} "
                       "(market-based; not subtracted)")
        return
    desc = out["source"]
    click.echo(f"source     {desc.get('source')}  mode {desc.get('mode')}  kind {desc.get('kind')}")
    if "span" in out:
        sp = out["span"]
        click.echo(f"span       {sp['start']} .. {sp['end']}  ({sp['points']} points)")
        click.echo(f"mean       {out['mean_g_per_kwh']:.1f} gCO2e/kWh (time-weighted over the file; "
                   "add --at or --from/--to for a time)")
        return
    for p in (fc.points if forecast else pts):
        click.echo(_fmt_point(p))
    if out.get("mean_g_per_kwh") is not None and t_from:
        click.echo(f"mean       {out['mean_g_per_kwh']:.1f} gCO2e/kWh (time-weighted)")
