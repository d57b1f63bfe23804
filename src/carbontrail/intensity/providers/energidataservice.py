"""Energi Data Service (Energinet, Denmark): CO2Emis (realised) and CO2EmisProg (prognosis), 5-minute, no key.

Records ``{"Minutes5UTC", "Minutes5DK", "PriceArea", "CO2Emission"}`` with
``CO2Emission`` in g/kWh and ``Minutes5UTC`` naive UTC. The old CKAN wrapper
``{"success": true, "result": {"records": [...]}}`` is read too.
"""

from __future__ import annotations

import json
from datetime import datetime, timezone
from typing import Any

from ...errors import ProviderUnavailable
from ..model import AVERAGE, IntensityPoint
from ._common import number, parse_ts, points_from_starts
from ._http import HttpClient

NAME = "energidataservice"
SOURCE = "Energi Data Service (Energinet)"
ZONES = {"DK-DK1": "DK1", "DK-DK2": "DK2"}


def parse_records(payload: Any, method: str = "live", price_area: str | None = None) -> list[IntensityPoint]:
    """Records (both wrappers) -> 5-minute points for one price area."""
    if isinstance(payload, dict) and isinstance(payload.get("result"), dict):
        payload = payload["result"]
    rows = payload.get("records") if isinstance(payload, dict) else None
    if not isinstance(rows, list):
        raise ProviderUnavailable(f"{NAME}: unexpected payload (no 'records' list)")
    areas = {r.get("PriceArea") for r in rows if isinstance(r, dict)}
    if price_area is None and len(areas) > 1:
        raise ProviderUnavailable(f"{NAME}: records for several price areas {sorted(map(str, areas))}; ask for one")
    starts, values = [], []
    for r in rows:
        if not isinstance(r, dict):
            raise ProviderUnavailable(f"{NAME}: unexpected record {r!r:.60}")
        if price_area is not None and r.get("PriceArea") != price_area:
            continue
        if r.get("CO2Emission") is None:
            continue
        starts.append(parse_ts(r.get("Minutes5UTC"), NAME))
        values.append(number(r.get("CO2Emission"), NAME, "CO2Emission"))
    area = price_area or (areas.pop() if len(areas) == 1 else "")
    return points_from_starts(starts, values, kind=AVERAGE, source=f"{SOURCE} {area}".strip(),
                              method=method, step_s=300.0)


def _fmt(t: datetime) -> str:
    return t.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M")


class EnergiDataServiceClient:
    name = NAME
    kind = AVERAGE
    source = SOURCE

    def __init__(self, base_url: str, *, timeout_s: float = 5.0, **http: Any) -> None:
        self.http = HttpClient(NAME, base_url, timeout_s=timeout_s,
                               auth_setting="CARBONTRAIL_ENERGIDATASERVICE_URL", **http)

    def zone_for(self, location: Any) -> str | None:
        for code in (location.code, location.grid_zone):
            if code in ZONES:
                return code
        return None

    def _query(self, dataset: str, area: str, start: str, end: str | None, method: str) -> list[IntensityPoint]:
        params = {"start": start, "end": end, "filter": json.dumps({"PriceArea": [area]}),
                  "sort": "Minutes5UTC ASC", "limit": 0, "timezone": "UTC"}
        return parse_records(self.http.get_json(f"dataset/{dataset}", params), method, area)

    def fetch_range(self, zone: str, start: datetime, end: datetime) -> list[IntensityPoint]:
        return self._query("CO2Emis", ZONES[zone], _fmt(start), _fmt(end), "live")

    def forecast(self, zone: str) -> list[IntensityPoint]:
        return self._query("CO2EmisProg", ZONES[zone], _fmt(datetime.now(timezone.utc)), None, "forecast")
