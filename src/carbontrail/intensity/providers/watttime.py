"""WattTime API v3: login, historical, forecast, signal index. Marginal (MOER) by default.

Login: ``GET /login`` with HTTP Basic (``CARBONTRAIL_WATTTIME_USERNAME`` /
``CARBONTRAIL_WATTTIME_PASSWORD``) gives a bearer token (about 30 min). Values
are lbs CO2/MWh, converted with 1 lb/MWh = 0.45359237 g/kWh; the signal index
is a 0-100 percentile, not an intensity, and is returned as such.
"""

from __future__ import annotations

import base64
import time
from datetime import datetime, timedelta
from typing import Any

from ...errors import ProviderAuthError, ProviderUnavailable
from ...units import G_PER_KWH_PER_LB_PER_MWH
from ..model import AVERAGE, MARGINAL, IntensityPoint
from ._common import expect, number, parse_ts, points_from_starts
from ._http import HttpClient

NAME = "watttime"
SETTING = "CARBONTRAIL_WATTTIME_USERNAME and CARBONTRAIL_WATTTIME_PASSWORD"
#: historical is capped at about a month per request (API docs).
MAX_RANGE = timedelta(days=30)
TOKEN_LIFETIME_S = 25 * 60

#: carbontrail zone -> WattTime region. Only regions we are sure of; pass a region
#: explicitly (``--provider watttime`` with a WattTime region as location zone) otherwise.
REGIONS = {"US-CAL-CISO": "CAISO_NORTH", "CAMX": "CAISO_NORTH"}


def _convert(value: float, units: str) -> float:
    u = (units or "lbs_co2_per_mwh").lower()
    if u in ("lbs_co2_per_mwh", "lbs/mwh"):
        return value * G_PER_KWH_PER_LB_PER_MWH
    if u in ("g_co2_per_kwh", "kg_co2_per_mwh"):
        return value
    raise ProviderUnavailable(f"{NAME}: unexpected units {units!r}")


def parse_data(payload: Any, method: str = "live") -> list[IntensityPoint]:
    """``historical`` / ``forecast`` payload -> points in gCO2/kWh (marginal unless co2_aoer)."""
    rows = expect(payload, "data", NAME)
    meta = payload.get("meta") or {}
    units = meta.get("units", "lbs_co2_per_mwh")
    if units == "percentile":
        raise ProviderUnavailable(f"{NAME}: payload is a percentile index, not an intensity")
    kind = AVERAGE if meta.get("signal_type") == "co2_aoer" else MARGINAL
    starts, values = [], []
    for row in rows:
        if not isinstance(row, dict):
            raise ProviderUnavailable(f"{NAME}: unexpected row {row!r:.60}")
        starts.append(parse_ts(row.get("point_time"), NAME))
        values.append(_convert(number(row.get("value"), NAME, "value"), units))
    step = meta.get("data_point_period_seconds")
    source = f"WattTime {meta.get('signal_type', 'co2_moer')}" + (f" {meta['region']}" if meta.get("region") else "")
    return points_from_starts(starts, values, kind=kind, source=source, method=method,
                              step_s=float(step) if step else None)


def parse_signal_index(payload: Any) -> tuple[datetime, float]:
    """(time, percentile 0-100) of the current signal index."""
    rows = expect(payload, "data", NAME)
    if not rows or not isinstance(rows[0], dict):
        raise ProviderUnavailable(f"{NAME}: empty signal index")
    value = number(rows[0].get("value"), NAME, "value")
    if value > 100:
        raise ProviderUnavailable(f"{NAME}: signal index {value} is not a percentile")
    return parse_ts(rows[0].get("point_time"), NAME), value


class WattTimeClient:
    name = NAME
    kind = MARGINAL
    source = "WattTime co2_moer"

    def __init__(self, base_url: str, username: str | None, password: str | None, *,
                 timeout_s: float = 5.0, signal_type: str = "co2_moer", **http: Any) -> None:
        self.http = HttpClient(NAME, base_url, timeout_s=timeout_s, auth_setting=SETTING, **http)
        self._user, self._password = username, password
        self._token: str | None = None
        self._token_at = 0.0
        self.signal_type = signal_type
        if signal_type == "co2_aoer":
            self.kind = AVERAGE

    def login(self) -> str:
        if not (self._user and self._password):
            raise ProviderAuthError(NAME, SETTING)
        basic = base64.b64encode(f"{self._user}:{self._password}".encode()).decode()
        payload = self.http.get_json("login", None, {"Authorization": f"Basic {basic}"})
        token = payload.get("token") if isinstance(payload, dict) else None
        if not isinstance(token, str) or not token:
            raise ProviderUnavailable(f"{NAME}: login answered without a token")
        self._token, self._token_at = token, time.monotonic()
        return token

    def _get(self, path: str, params: dict[str, Any]) -> Any:
        if self._token is None or time.monotonic() - self._token_at > TOKEN_LIFETIME_S:
            self.login()
        return self.http.get_json(path, params, {"Authorization": f"Bearer {self._token}"})

    def zone_for(self, location: Any) -> str | None:
        for code in (location.grid_zone, location.code):
            if code in REGIONS:
                return REGIONS[code]
        return None

    def fetch_range(self, region: str, start: datetime, end: datetime) -> list[IntensityPoint]:
        out: list[IntensityPoint] = []
        a = start
        while a < end:
            b = min(end, a + MAX_RANGE)
            out += parse_data(self._get("v3/historical", {"region": region, "start": a.isoformat(),
                                                          "end": b.isoformat(), "signal_type": self.signal_type}))
            a = b
        return out

    def forecast(self, region: str, horizon_hours: int = 24) -> list[IntensityPoint]:
        return parse_data(self._get("v3/forecast", {"region": region, "signal_type": self.signal_type,
                                                     "horizon_hours": horizon_hours}), method="forecast")

    def signal_index(self, region: str) -> tuple[datetime, float]:
        return parse_signal_index(self._get("v3/signal-index", {"region": region, "signal_type": self.signal_type}))
