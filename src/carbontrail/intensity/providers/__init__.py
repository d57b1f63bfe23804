"""Live intensity providers, one module each, behind the same small interface.

Each client has ``name``, ``kind``, ``source``, ``zone_for(location) -> str | None``,
``fetch_range(zone, start, end) -> list[IntensityPoint]`` and
``forecast(zone) -> list[IntensityPoint]``; each module has pure ``parse_*``
functions over the provider's payloads (formats: API_FORMATS notes, summarised
in each module's docstring).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ...errors import ConfigError, ProviderUnavailable
from ..model import IntensityPoint

if TYPE_CHECKING:  # pragma: no cover
    from ...config import Settings

PROVIDERS = ("electricitymaps", "watttime", "ukgrid", "energidataservice")


def make_client(name: str, settings: Settings, **http: Any) -> Any:
    """The client for provider ``name`` configured from ``settings`` (base URL, credentials, timeout)."""
    key = (name or "").strip().lower().replace("-", "").replace("_", "").replace(" ", "")
    aliases = {"electricitymaps": "electricitymaps", "electricitymap": "electricitymaps", "em": "electricitymaps",
               "watttime": "watttime", "ukgrid": "ukgrid", "carbonintensityuk": "ukgrid", "uk": "ukgrid",
               "energidataservice": "energidataservice", "energinet": "energidataservice"}
    canon = aliases.get(key)
    t = settings.http_timeout_s
    if canon == "electricitymaps":
        from .electricitymaps import ElectricityMapsClient

        return ElectricityMapsClient(settings.electricitymaps_url, settings.electricitymaps_token, timeout_s=t, **http)
    if canon == "watttime":
        from .watttime import WattTimeClient

        return WattTimeClient(settings.watttime_url, settings.watttime_username, settings.watttime_password,
                              timeout_s=t, **http)
    if canon == "ukgrid":
        from .ukgrid import UkGridClient

        return UkGridClient(settings.ukgrid_url, timeout_s=t, **http)
    if canon == "energidataservice":
        from .energidataservice import EnergiDataServiceClient

        return EnergiDataServiceClient(settings.energidataservice_url, timeout_s=t, **http)
    raise ConfigError(f"unknown intensity provider {name!r}; choose one of {', '.join(PROVIDERS)}")


def configured_providers(settings: Settings) -> list[str]:
    """Providers usable with these settings: the one named, else those whose credentials are set.

    The keyless providers (ukgrid, energidataservice) count as configured only
    when named or when their URL was set explicitly: no network unless asked.
    """
    if settings.provider:
        return [settings.provider]
    out = []
    if settings.electricitymaps_token:
        out.append("electricitymaps")
    if settings.watttime_username and settings.watttime_password:
        out.append("watttime")
    for name in ("ukgrid", "energidataservice"):
        if settings.sources.get(f"{name}_url", "default") != "default":
            out.append(name)
    return out


def parse_any(payload: Any) -> tuple[list[IntensityPoint], dict[str, Any]]:
    """Points and metadata of any supported provider payload (for series files)."""
    from . import electricitymaps, energidataservice, ukgrid, watttime

    if isinstance(payload, dict):
        data = payload.get("data")
        if "records" in payload or isinstance(payload.get("result"), dict):
            pts = energidataservice.parse_records(payload)
            return pts, {"format": "Energi Data Service JSON"}
        if "forecast" in payload and isinstance(payload.get("forecast"), list):
            return electricitymaps.parse_forecast(payload), {"format": "Electricity Maps forecast JSON",
                                                              "zone": payload.get("zone")}
        if "history" in payload or ("zone" in payload and isinstance(data, list)):
            return electricitymaps.parse_history(payload), {"format": "Electricity Maps history JSON",
                                                             "zone": payload.get("zone")}
        if isinstance(data, list) and data and isinstance(data[0], dict):
            first = data[0]
            if "point_time" in first:
                meta = payload.get("meta") or {}
                return watttime.parse_data(payload), {"format": "WattTime v3 JSON", "zone": meta.get("region")}
            if "intensity" in first and "from" in first:
                return ukgrid.parse_intensity(payload), {"format": "UK Carbon Intensity JSON", "zone": "GB"}
            if "regions" in first or "regionid" in first:
                return ukgrid.parse_regional(payload), {"format": "UK Carbon Intensity regional JSON"}
        if isinstance(data, dict) and "regionid" in data:
            return ukgrid.parse_regional(payload), {"format": "UK Carbon Intensity regional JSON"}
    raise ProviderUnavailable("not a known provider payload (UK Carbon Intensity, WattTime, "
                              "Electricity Maps, Energi Data Service)")
