"""Where a job runs: countries, grid zones, cloud regions, and how each was found.

A location code is canonical: an ISO 3166-1 alpha-2 country (``FR``), an
Electricity Maps zone id (``US-CAL-CISO``, ``SE-SE3``), a US state or Canadian
province (``US-CA``, ``CA-QC``), an eGRID subregion (``CAMX``), or a cloud region
``aws:us-east-1`` / ``gcp:europe-west6`` / ``azure:westeurope``. Each cloud region
carries the grid zone that powers it. Names, alpha-3 codes and aliases resolve
case-insensitively; the table is ``data/intensity/locations.csv``, built by
``scripts/build_intensity_tables.py``.

Detection order (:func:`detect_location`), recorded in ``Location.how``:
explicit setting > cloud (DMI files, then instance metadata) > system time
zone ("guessed from time zone") > world average ("location unknown").
"""

from __future__ import annotations

import difflib
import functools
import re
from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import UnknownLocationError
from . import _data
from .model import Location

if TYPE_CHECKING:  # pragma: no cover
    from ..config import Settings

WORLD = "WORLD"

#: Time-zone names that zone.tab lists under a newer name (IANA "backward" links).
_TZ_LINKS = {
    "Europe/Kiev": "UA", "Asia/Calcutta": "IN", "Asia/Saigon": "VN", "Asia/Katmandu": "NP",
    "Asia/Rangoon": "MM", "America/Buenos_Aires": "AR", "US/Pacific": "US", "US/Eastern": "US",
    "US/Central": "US", "US/Mountain": "US", "US/Alaska": "US", "US/Hawaii": "US", "GB": "GB",
    "Europe/Belfast": "GB", "Asia/Istanbul": "TR", "Australia/ACT": "AU", "Australia/NSW": "AU",
    "Canada/Eastern": "CA", "Canada/Pacific": "CA", "Japan": "JP", "PRC": "CN", "ROK": "KR",
    "Singapore": "SG", "Hongkong": "HK", "Israel": "IL", "Eire": "IE", "Poland": "PL", "Portugal": "PT",
    "NZ": "NZ", "Iceland": "IS", "Egypt": "EG", "Turkey": "TR", "Brazil/East": "BR",
}


def _key(text: str) -> str:
    """Lookup key: lower case, spaces collapsed, ``aws/x`` and ``aws x`` written ``aws:x``."""
    s = re.sub(r"\s+", " ", str(text).strip().lower())
    s = re.sub(r"^(aws|gcp|azure)\s*[/: ]\s*", r"\1:", s)
    return s


def _compact(text: str) -> str:
    """A looser key without spaces, dots, dashes, underscores and brackets."""
    return re.sub(r"[\s._()\-]", "", _key(text))


@functools.cache
def _index() -> tuple[dict[str, str], dict[str, str]]:
    """(exact key -> code, compact key -> code). Codes win over aliases."""
    exact: dict[str, str] = {}
    compact: dict[str, str] = {}
    rows = _data.location_rows()
    for code, row in rows.items():
        exact[_key(code)] = code
        compact.setdefault(_compact(code), code)
    for code, row in rows.items():
        names = [row["name"], *(a for a in row["aliases"].split("|") if a)]
        for alias in names:
            exact.setdefault(_key(alias), code)
            compact.setdefault(_compact(alias), code)
    return exact, compact


def _to_location(code: str, how: str) -> Location:
    row = _data.location_rows()[code]
    return Location(
        code=code,
        name=row["name"],
        country=row["country"] or None,
        grid_zone=row["grid_zone"] or None,
        provider=row["provider"] or None,
        region=row["region"] or None,
        how=how,
    )


def location_kind(code: str) -> str:
    """The kind of a canonical code: country, zone, state, province, egrid, cloud or world."""
    return _data.location_rows()[code]["kind"]


def location_parent(code: str) -> str | None:
    """The enclosing location (a cloud region's zone, a zone's country), or None."""
    row = _data.location_rows().get(code)
    return (row["parent"] or None) if row else None


def close_matches(query: str, limit: int = 5) -> list[str]:
    """Canonical codes whose code, name or alias is close to ``query``."""
    exact, _ = _index()
    q = _key(query)
    out: list[str] = []
    for k in difflib.get_close_matches(q, list(exact), n=limit * 3, cutoff=0.6):
        code = exact[k]
        if code not in out:
            out.append(code)
    if len(out) < limit:
        for loc in search_locations(query)[:limit]:
            if loc.code not in out:
                out.append(loc.code)
    return out[:limit]


def resolve_location(query: str, how: str = "argument") -> Location:
    """The location for a code, name or cloud region (case-insensitive).

    Raises :class:`~carbontrail.errors.UnknownLocationError` with close
    matches when nothing fits.
    """
    text = str(query or "").strip()
    if not text:
        raise UnknownLocationError(str(query), [])
    rows = _data.location_rows()
    if text in rows:  # fast path: a canonical code, as written by config files and flags
        return _to_location(text, how)
    upper = text.upper()
    if upper in rows and rows[upper]["kind"] != "cloud":
        return _to_location(upper, how)
    exact, compact = _index()
    code = exact.get(_key(text)) or compact.get(_compact(text))
    if code is None:
        raise UnknownLocationError(text, close_matches(text))
    return _to_location(code, how)


def country_iso3(alpha2: str | None) -> str | None:
    """ISO 3166-1 alpha-3 code of a country given by its alpha-2 code (FR -> FRA), or None."""
    if not alpha2:
        return None
    row = _data.location_rows().get(alpha2.upper())
    if row is None or row["kind"] != "country":
        return None
    for alias in row["aliases"].split("|"):
        if len(alias) == 3 and alias.isalpha() and alias.isupper():
            return alias
    return None


def country_name(alpha2: str | None) -> str | None:
    """English name of a country given by its alpha-2 code, or None."""
    row = _data.location_rows().get((alpha2 or "").upper())
    return row["name"] if row is not None and row["kind"] == "country" else None


def all_locations() -> list[Location]:
    """Every known location: countries and zones first, then cloud regions."""
    return [_to_location(code, "table") for code in _data.location_rows()]


def search_locations(query: str) -> list[Location]:
    """Locations whose code, name or alias contains ``query``, best first."""
    q = _key(query)
    if not q:
        return all_locations()
    scored: list[tuple[int, str]] = []
    for code, row in _data.location_rows().items():
        names = [code, row["name"], *(a for a in row["aliases"].split("|") if a)]
        keys = [_key(n) for n in names]
        if q == keys[0] or q in keys[1:]:
            score = 0
        elif any(k.startswith(q) for k in keys):
            score = 1
        elif any(q in k for k in keys):
            score = 2
        else:
            continue
        scored.append((score, code))
    scored.sort(key=lambda t: (t[0], location_kind(t[1]) == "cloud", t[1]))
    return [_to_location(code, "table") for _, code in scored]


def world_location(how: str = "location unknown") -> Location:
    """The world-average pseudo location."""
    return _to_location(WORLD, how)


def country_for_tz(tz_name: str) -> str | None:
    """ISO alpha-2 country of an IANA time-zone name, or None (UTC, Etc/*, unknown)."""
    if not tz_name:
        return None
    return _data.tz_countries().get(tz_name) or _TZ_LINKS.get(tz_name)


def system_tz_name(localtime: Path = Path("/etc/localtime"),
                   timezone_file: Path = Path("/etc/timezone")) -> str | None:
    """The system's IANA time-zone name, from the /etc/localtime link or /etc/timezone."""
    try:
        target = str(localtime.resolve()) if localtime.is_symlink() else ""
    except OSError:
        target = ""
    if "zoneinfo/" in target:
        return target.split("zoneinfo/", 1)[1]
    try:
        name = timezone_file.read_text(encoding="utf-8").strip()
    except OSError:
        return None
    return name or None


def _how_from_source(source: str) -> str:
    if source == "argument" or source.startswith("env "):
        return source
    if source == "default":  # a Settings built by hand, not by load_settings
        return "argument"
    return f"config {source}"


UNKNOWN_WARNING = (
    "LOCATION UNKNOWN: using the world-average grid intensity, which can be off by a factor of 10 "
    "(Norway ~30, India ~700 gCO2e/kWh); set it with --location FR, CARBONTRAIL_LOCATION=FR or "
    "`location = \"FR\"` in carbontrail.toml (see `carbontrail locations`)"
)


def detect_location(settings: Settings, *, tz_name: str | None = None) -> tuple[Location, list[str]]:
    """Where this job runs, and warnings to show (never printed here).

    Order: ``settings.location`` (how = its source); cloud detection from DMI
    files under ``settings.dmi_root`` then the instance metadata endpoint
    (``settings.metadata_url``, ``settings.metadata_timeout_s``) only when DMI
    says cloud; the system time zone (``tz_name`` overrides it, for tests);
    else the world average with a loud warning. When the user opted in
    (``settings.ip_geolocation``), an IP geolocation lookup at
    ``settings.ip_geolocation_url`` comes before the time-zone guess.
    """
    from .cloud import detect_cloud_region

    warnings: list[str] = []
    if settings.location:
        how = _how_from_source(settings.sources.get("location", "argument"))
        return resolve_location(settings.location, how=how), warnings
    provider, region, note = detect_cloud_region(settings.dmi_root, settings.metadata_url,
                                                 settings.metadata_timeout_s)
    if provider and region:
        try:
            return resolve_location(f"{provider}:{region}", how="cloud metadata"), warnings
        except UnknownLocationError:
            warnings.append(f"running on {provider} region {region!r}, which carbontrail does not know; "
                            "set CARBONTRAIL_LOCATION to its country or zone")
    elif note:
        warnings.append(note)
    if settings.ip_geolocation:
        from .geoip import ip_country

        country, why = ip_country(settings.ip_geolocation_url, settings.metadata_timeout_s * 10)
        if country and country in _data.location_rows():
            loc = _to_location(country, "IP geolocation (opted in)")
            warnings.append(f"location {loc.name} ({loc.code}) from IP geolocation; a VPN or proxy "
                            "moves it: set --location or CARBONTRAIL_LOCATION to be exact")
            return loc, warnings
        warnings.append(why or f"IP geolocation gave {country!r}, which carbontrail does not know")
    tz = tz_name if tz_name is not None else system_tz_name()
    country = country_for_tz(tz or "")
    if country and country in _data.location_rows():
        loc = _to_location(country, "guessed from time zone")
        warnings.append(f"location guessed from the time zone {tz} as {loc.name} ({loc.code}); "
                        f"set --location or CARBONTRAIL_LOCATION to be exact")
        return loc, warnings
    warnings.append(UNKNOWN_WARNING)
    return world_location(), warnings
