"""UK Carbon Intensity API (National Grid ESO/NESO): national and regional, actual and forecast. No key.

National ``/intensity/{from}/{to}`` answers half-hourly ``{"from","to","intensity":{"forecast","actual","index"}}``;
``actual`` is null for unsettled periods, so the forecast is used there and the point is marked
``method="forecast"``. Regional endpoints give forecasts only. Timestamps are ``YYYY-MM-DDThh:mmZ``.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any

from ...errors import ProviderUnavailable
from ..model import AVERAGE, IntensityPoint
from ._common import expect, number, parse_ts
from ._http import HttpClient

NAME = "ukgrid"
SOURCE = "UK Carbon Intensity API (NESO)"
#: The API answers at most 14 days per from/to request.
MAX_RANGE = timedelta(days=14)
#: carbontrail codes covered: GB national; GB-REGION-<id> for the 17 DNO regions.
REGION_PREFIX = "GB-REGION-"


def _fmt(t: datetime) -> str:
    return t.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%MZ")


def _period(row: Any, source: str) -> IntensityPoint | None:
    if not isinstance(row, dict) or not isinstance(row.get("intensity"), dict):
        raise ProviderUnavailable(f"{NAME}: unexpected period {row!r:.60}")
    inten = row["intensity"]
    actual, forecast = inten.get("actual"), inten.get("forecast")
    if actual is None and forecast is None:
        return None
    method = "live" if actual is not None else "forecast"
    value = number(actual if actual is not None else forecast, NAME, "intensity")
    details = {"index": inten["index"]} if inten.get("index") else {}
    return IntensityPoint(parse_ts(row.get("from"), NAME), parse_ts(row.get("to"), NAME), value,
                          AVERAGE, source, None, method, details)


def parse_intensity(payload: Any) -> list[IntensityPoint]:
    """National payload -> points (actual where settled, else forecast)."""
    out = [_period(r, SOURCE) for r in expect(payload, "data", NAME)]
    return [p for p in out if p is not None]


def parse_regional(payload: Any, regionid: int | None = None) -> list[IntensityPoint]:
    """Regional payloads, both shapes: a list of periods with ``regions``, or region objects
    holding ``data`` periods (outer ``data`` a list or an object). Forecast only."""
    outer = payload.get("data") if isinstance(payload, dict) else None
    if isinstance(outer, dict):
        outer = [outer]
    if not isinstance(outer, list):
        raise ProviderUnavailable(f"{NAME}: unexpected regional payload")
    out: list[IntensityPoint] = []
    for item in outer:
        if not isinstance(item, dict):
            raise ProviderUnavailable(f"{NAME}: unexpected regional item")
        if "regions" in item:  # period with all regions
            for reg in item["regions"]:
                if regionid is None or reg.get("regionid") == regionid:
                    p = _period({"from": item.get("from"), "to": item.get("to"), "intensity": reg.get("intensity")},
                                f"{SOURCE} region {reg.get('regionid')} {reg.get('shortname', '')}".strip())
                    if p is not None:
                        out.append(IntensityPoint(p.start, p.end, p.g_per_kwh, p.kind, p.source, None,
                                                  "forecast", p.details))
        elif "data" in item:  # one region with its periods
            if regionid is not None and item.get("regionid") not in (None, regionid):
                continue
            src = f"{SOURCE} region {item.get('regionid')} {item.get('shortname', '')}".strip()
            for per in item["data"]:
                p = _period(per, src)
                if p is not None:
                    out.append(IntensityPoint(p.start, p.end, p.g_per_kwh, p.kind, p.source, None,
                                              "forecast", p.details))
        else:
            raise ProviderUnavailable(f"{NAME}: unexpected regional item keys {sorted(item)[:5]}")
    return sorted(out, key=lambda p: p.start)


class UkGridClient:
    name = NAME
    kind = AVERAGE
    source = SOURCE

    def __init__(self, base_url: str, *, timeout_s: float = 5.0, **http: Any) -> None:
        self.http = HttpClient(NAME, base_url, timeout_s=timeout_s, auth_setting="CARBONTRAIL_UKGRID_URL", **http)

    def zone_for(self, location: Any) -> str | None:
        for code in (location.code, location.grid_zone):
            if code == "GB" or (code or "").startswith(REGION_PREFIX):
                return code
        return None

    def fetch_range(self, zone: str, start: datetime, end: datetime) -> list[IntensityPoint]:
        out: list[IntensityPoint] = []
        a = start
        while a < end:
            b = min(end, a + MAX_RANGE)
            if zone.startswith(REGION_PREFIX):
                rid = int(zone[len(REGION_PREFIX):])
                out += parse_regional(self.http.get_json(f"regional/intensity/{_fmt(a)}/{_fmt(b)}/regionid/{rid}"), rid)
            else:
                out += parse_intensity(self.http.get_json(f"intensity/{_fmt(a)}/{_fmt(b)}"))
            a = b
        return out

    def forecast(self, zone: str) -> list[IntensityPoint]:
        now = _fmt(datetime.now(timezone.utc))
        if zone.startswith(REGION_PREFIX):
            rid = int(zone[len(REGION_PREFIX):])
            return parse_regional(self.http.get_json(f"regional/intensity/{now}/fw48h/regionid/{rid}"), rid)
        pts = parse_intensity(self.http.get_json(f"intensity/{now}/fw48h"))
        return [IntensityPoint(p.start, p.end, p.g_per_kwh, p.kind, p.source, None, "forecast", p.details)
                for p in pts]
