"""Electricity Maps API v3: latest, history (24 h), past-range, forecast. Average, lifecycle by default.

Auth header ``auth-token``; setting ``CARBONTRAIL_ELECTRICITYMAPS_TOKEN``; base URL
``CARBONTRAIL_ELECTRICITYMAPS_URL`` (the path ``/v3`` is added). Format notes:
``history`` answers under ``history`` (older docs) or ``data`` (newer); both are read.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from ...errors import ProviderAuthError, ProviderUnavailable
from ..model import AVERAGE, IntensityPoint
from ._common import expect, number, parse_ts, points_from_starts
from ._http import HttpClient

NAME = "electricitymaps"
SOURCE = "Electricity Maps API"
SETTING = "CARBONTRAIL_ELECTRICITYMAPS_TOKEN"
#: past-range is capped per request (10 days at hourly granularity, API docs).
MAX_RANGE = timedelta(days=10)


def _row_details(row: dict[str, Any]) -> dict[str, Any]:
    d: dict[str, Any] = {}
    if row.get("isEstimated"):
        d["estimated"] = True
        if row.get("estimationMethod"):
            d["estimation_method"] = row["estimationMethod"]
    if row.get("emissionFactorType"):
        d["emission_factor"] = row["emissionFactorType"]
    return d


def parse_rows(rows: list[Any], method: str = "live", step_s: float | None = None) -> list[IntensityPoint]:
    """Points from rows ``{"carbonIntensity", "datetime", ...}``."""
    starts, values, details = [], [], []
    for row in rows:
        if not isinstance(row, dict):
            raise ProviderUnavailable(f"{NAME}: unexpected row {row!r:.60}")
        if row.get("carbonIntensity") is None:
            continue  # a missing hour: leave a gap
        starts.append(parse_ts(row.get("datetime"), NAME))
        values.append(number(row.get("carbonIntensity"), NAME, "carbonIntensity"))
        details.append(_row_details(row))
    gran = {"5_minutes": 300.0, "15_minutes": 900.0, "hourly": 3600.0, "daily": 86400.0}
    if step_s is None and rows and isinstance(rows[0], dict):
        step_s = gran.get(rows[0].get("temporalGranularity"))
    if step_s is None and len(starts) < 2:
        step_s = 3600.0
    return points_from_starts(starts, values, kind=AVERAGE, source=SOURCE, method=method,
                              step_s=step_s, details=details)


def parse_latest(payload: Any) -> IntensityPoint:
    if not isinstance(payload, dict):
        raise ProviderUnavailable(f"{NAME}: unexpected payload for latest")
    pts = parse_rows([payload])
    if not pts:
        raise ProviderUnavailable(f"{NAME}: latest has no carbonIntensity")
    return pts[0]


def parse_history(payload: Any) -> list[IntensityPoint]:
    """``history`` / ``past-range`` payload: rows under ``history`` or ``data``."""
    key = "history" if isinstance(payload, dict) and "history" in payload else "data"
    return parse_rows(expect(payload, key, NAME))


def parse_forecast(payload: Any) -> list[IntensityPoint]:
    return parse_rows(expect(payload, "forecast", NAME), method="forecast")


class ElectricityMapsClient:
    name = NAME
    kind = AVERAGE
    source = SOURCE

    def __init__(self, base_url: str, token: str | None, *, timeout_s: float = 5.0, **http: Any) -> None:
        base = base_url.rstrip("/")
        if not base.endswith("/v3"):
            base += "/v3"
        self.http = HttpClient(NAME, base, timeout_s=timeout_s, auth_setting=SETTING, **http)
        self._token = token

    def _get(self, path: str, params: dict[str, Any]) -> Any:
        if not self._token:
            raise ProviderAuthError(NAME, SETTING)
        return self.http.get_json(path, params, {"auth-token": self._token})

    def zone_for(self, location: Any) -> str | None:
        """Electricity Maps covers every zone in its id scheme: the location's grid zone."""
        return location.grid_zone or None

    def latest(self, zone: str) -> IntensityPoint:
        return parse_latest(self._get("carbon-intensity/latest", {"zone": zone}))

    def history(self, zone: str) -> list[IntensityPoint]:
        return parse_history(self._get("carbon-intensity/history", {"zone": zone}))

    def past_range(self, zone: str, start: datetime, end: datetime) -> list[IntensityPoint]:
        out: list[IntensityPoint] = []
        a = start
        while a < end:
            b = min(end, a + MAX_RANGE)
            out += parse_history(self._get("carbon-intensity/past-range",
                                           {"zone": zone, "start": a.isoformat(), "end": b.isoformat()}))
            a = b
        return out

    def forecast(self, zone: str) -> list[IntensityPoint]:
        return parse_forecast(self._get("carbon-intensity/forecast", {"zone": zone}))

    fetch_range = past_range
