"""Opt-in IP geolocation: the country of this machine's public address.

Used only when the user turns on ``ip_geolocation`` (``CARBONTRAIL_IP_GEOLOCATION=1``)
and neither a location setting nor cloud metadata answered. The service is
``settings.ip_geolocation_url`` (default ipinfo.io's JSON endpoint, which
answers ``{"country": "FR", ...}`` without a key); any JSON answer with a
``country``, ``country_code`` or ``countryCode`` field of two letters works.
One request with a short timeout; a failure is reported, never raised, and
detection goes on with the time zone.
"""

from __future__ import annotations

import json
import re


def ip_country(url: str, timeout_s: float) -> tuple[str | None, str | None]:
    """(ISO alpha-2 country or None, note on failure)."""
    import urllib.request  # only when the user opted in

    req = urllib.request.Request(url, headers={"Accept": "application/json",
                                               "User-Agent": "carbontrail"})
    try:
        with urllib.request.urlopen(req, timeout=timeout_s) as resp:  # noqa: S310 - URL from settings
            body = resp.read(65536)
        data = json.loads(body.decode("utf-8", errors="replace"))
    except (OSError, ValueError) as exc:  # URLError and timeouts are OSErrors
        return None, f"IP geolocation at {url} failed ({getattr(exc, 'reason', exc)})"
    if not isinstance(data, dict):
        return None, f"IP geolocation at {url} answered something unreadable"
    for key in ("country", "country_code", "countryCode"):
        value = data.get(key)
        if isinstance(value, str) and re.fullmatch(r"[A-Za-z]{2}", value.strip()):
            return value.strip().upper(), None
    return None, f"IP geolocation at {url} gave no two-letter country"
