"""Static, sourced figures: annual grid intensity, Google's per-region figures, PUE, market claims.

All figures come from the packaged tables built by
``scripts/build_intensity_tables.py`` (see ``data/intensity/sources.csv`` and
``data/ATTRIBUTION.md``) and are loaded on first use.

Choice of the annual figure for a location (location-based, average):

1. a Google Cloud region: Google's own per-region figure, latest year
   (GoogleCloudPlatform/region-carbon-info, Apache-2.0);
2. the location's own code, then its grid zone, then the enclosing zone or
   country: the best-ranked permissive source (OWID/Ember via CodeCarbon for
   countries, eGRID for subregions, ENTSO-E averages for Nordic zones, Green
   Algorithms for states and provinces), else Electricity Maps' yearly figure
   (ODbL, a separate file) for zones only it covers;
3. the world average (OWID, latest year) when nothing else is known.

Lifecycle vs direct and generation vs consumption are noted in ``details``.
"""

from __future__ import annotations

from typing import Any

from ..errors import ConfigError, UnknownLocationError
from . import _data
from .locations import WORLD, location_parent, world_location
from .model import AVERAGE, FixedIntensity, Location

#: Electricity Maps 2025 figures were published early 2026 and may be revised;
#: the default uses the newest complete year up to this one.
EM_LATEST_COMPLETE_YEAR = 2024


def _source_info(source_id: str) -> dict[str, str]:
    return _data.sources()[source_id]


def _fixed(g_per_kwh: float, source_id: str, year: int | None, zone: str, location: Location | None,
           extra: dict[str, Any] | None = None) -> FixedIntensity:
    info = _source_info(source_id)
    details: dict[str, Any] = {
        "source_id": source_id,
        "scope": info["scope"],
        "basis": info["basis"],
        "licence": info["licence"],
        "url": info["url"],
        "zone": zone,
    }
    if info["note"]:
        details["note"] = info["note"]
    if location is not None:
        details["location"] = location.code
        if location.how:
            details["location_how"] = location.how
    details.update(extra or {})
    label = f"{info['short']} {year}" if year else info["short"]
    return FixedIntensity(g_per_kwh, source=label, kind=AVERAGE, year=year, method="table", details=details)


def _em_choice(zone: str) -> dict[str, Any] | None:
    rows = _data.electricitymaps_rows().get(zone)
    if not rows:
        return None
    for r in rows:
        if r["year"] <= EM_LATEST_COMPLETE_YEAR:
            return r
    return rows[-1]


def _chain(location: Location) -> list[str]:
    """Codes to try, most specific first, ending with the country."""
    out: list[str] = []
    start = [location.code] if location.provider is None else []
    for code in (*start, location.grid_zone):
        while code and code not in out:
            out.append(code)
            code = location_parent(code)
    if location.country and location.country not in out:
        out.append(location.country)
    return out


def _zone_figure(code: str, location: Location, fallback_from: str | None) -> FixedIntensity | None:
    extra = {"fallback_from": fallback_from} if fallback_from else {}
    rows = _data.annual_rows().get(code)
    if rows:
        r = rows[0]
        return _fixed(r["g_per_kwh"], r["source"], r["year"], code, location, extra)
    em = _em_choice(code)
    if em is not None:
        return _fixed(em["g_per_kwh"], "electricitymaps-yearly", em["year"], code, location, extra)
    return None


def world_intensity(location: Location | None = None) -> FixedIntensity:
    """The world-average annual intensity (OWID, latest year) [gCO2e/kWh]."""
    r = _data.annual_rows()[WORLD][0]
    loc = location if location is not None else world_location()
    return _fixed(r["g_per_kwh"], r["source"], r["year"], WORLD, loc,
                  {"note": "world average: the location is unknown"} if loc.code != WORLD else {})


def annual_intensity(location: Location) -> FixedIntensity:
    """The location-based annual average intensity for ``location`` (method "table").

    ``source`` names dataset and year; ``details`` holds scope (lifecycle or
    direct), basis, licence, URL, the zone whose figure was used and, when a
    broader zone answered, ``fallback_from``.
    """
    if location.provider == "gcp" and location.region in _data.gcp_rows():
        return gcp_region_intensity(location.region, location=location)
    if location.code == WORLD:
        return world_intensity(location)
    chain = _chain(location)
    for i, code in enumerate(chain):
        fig = _zone_figure(code, location, chain[0] if i > 0 and location.provider is None else None)
        if fig is not None:
            return fig
    return world_intensity(location)


def annual_intensities(location: Location) -> list[FixedIntensity]:
    """Every annual figure the tables hold for the location's own zone, primary first.

    Useful to show that the figure depends on source, year and method.
    """
    out = [annual_intensity(location)]
    zone = location.grid_zone or location.code
    seen = {(out[0].source, out[0].g_per_kwh)}
    cands: list[FixedIntensity] = []
    if location.provider == "gcp" and location.region in _data.gcp_rows():
        for year in sorted(_data.gcp_rows()[location.region], reverse=True):
            cands.append(gcp_region_intensity(location.region, year, location=location))
    for r in _data.annual_rows().get(zone, []):
        cands.append(_fixed(r["g_per_kwh"], r["source"], r["year"], zone, location))
    for r in _data.electricitymaps_rows().get(zone, []):
        cands.append(_fixed(r["g_per_kwh"], "electricitymaps-yearly", r["year"], zone, location))
    for c in cands:
        if (c.source, c.g_per_kwh) not in seen:
            seen.add((c.source, c.g_per_kwh))
            out.append(c)
    return out


def gcp_region_intensity(region: str, year: int | None = None, *,
                         location: Location | None = None) -> FixedIntensity:
    """Google's published grid intensity of a GCP region [gCO2e/kWh] (latest year by default).

    Source: GoogleCloudPlatform/region-carbon-info, Apache-2.0. Google's CFE
    share is kept in ``details['google_cfe']`` as a market-based figure, never
    subtracted.
    """
    reg = region.split(":", 1)[1] if region.lower().startswith("gcp:") else region
    years = _data.gcp_rows().get(reg.lower())
    if not years:
        from .locations import close_matches

        raise UnknownLocationError(f"gcp:{reg}", [c for c in close_matches(f"gcp:{reg}") if c.startswith("gcp:")])
    if year is None:
        year = max(years)
    if year not in years:
        raise ConfigError(f"Google publishes no {year} figure for {reg}; years available: "
                          f"{', '.join(map(str, sorted(years)))}")
    row = years[year]
    extra = {"google_cfe": row["google_cfe"], "google_location": row["location"], "scope": row["scope"],
             "market_based_note": "Google CFE is market-based and shown beside, never subtracted"}
    return _fixed(row["g_per_kwh"], "gcp-region-carbon-info", year, f"gcp:{reg.lower()}", location, extra)


def pue_for(location: Location | None) -> tuple[float, str]:
    """(PUE, source) for the location's provider; unknown or on-premises: 1.56 (Uptime Institute 2024)."""
    table = _data.providers()["pue"]
    entry = table.get(location.provider) if location is not None and location.provider else None
    if entry is None:
        entry = table["unknown"]
    return float(entry["pue"]), entry["source"]


def market_claims(location: Location) -> dict[str, Any] | None:
    """Market-based claims of the location's cloud provider (offsets, Google CFE), or None.

    These are shown beside location-based emissions and never subtracted from them.
    """
    if not location.provider:
        return None
    claims = dict(_data.providers()["claims"].get(location.provider, {}))
    if location.provider == "gcp" and location.region in _data.gcp_rows():
        years = _data.gcp_rows()[location.region]
        year = max(y for y in years)
        claims.update({"google_cfe": years[year]["google_cfe"], "google_cfe_year": year,
                       "cfe_source": f"Google Cloud region-carbon-info {year} (Apache-2.0)"})
    if not claims:
        return None
    claims["provider"] = location.provider
    claims["kind"] = "market-based"
    claims["note"] = "market-based claims are shown beside location-based emissions, never subtracted"
    return claims
