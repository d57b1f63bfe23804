"""Pick the intensity source for a location: series file, live provider, or static table.

:func:`intensity_source` returns an object with ``points(start, end)`` and
``describe()`` that never raises from either: when a live provider fails it
answers from the table, marks those points ``method="fallback"`` and adds one
line to its ``warnings`` list. ``describe()["mode"]`` is "series", "live" or "table".
"""

from __future__ import annotations

import time
from datetime import datetime, timedelta, timezone
from typing import TYPE_CHECKING, Any, Callable

from ..errors import ProviderAuthError, ProviderError, ProviderUnavailable, StoreError
from .model import FixedIntensity, IntensityPoint, Location
from .tables import annual_intensity

if TYPE_CHECKING:  # pragma: no cover
    from ..config import Settings
    from .cache import IntensityCache
    from .series import IntensitySeries

#: History younger than this is not cached (providers revise the latest hours) [s].
SETTLED_AFTER_S = 2 * 3600.0
#: After a failure, do not ask the provider again for this long [s].
RETRY_AFTER_S = 300.0
#: After a successful fetch that still left a hole, wait this long before asking again [s]
#: (a tracker asks every interval; the provider publishes hourly or 5-minutely).
REFETCH_AFTER_S = 60.0


class TableSource(FixedIntensity):
    """The static annual figure, with ``warnings`` and ``describe()['mode'] == 'table'``."""

    def __init__(self, fixed: FixedIntensity, warnings: list[str] | None = None) -> None:
        super().__init__(fixed.g_per_kwh, fixed.source, fixed.kind, fixed.year, fixed.method, fixed.details)
        self.warnings: list[str] = list(warnings or [])

    def describe(self) -> dict[str, Any]:
        return {"mode": "table", **super().describe()}


class SeriesSource:
    """A series file for the location; outside the file's span the table answers (method "fallback")."""

    def __init__(self, series: IntensitySeries, fallback: FixedIntensity) -> None:
        self.series = series
        self.fallback = fallback
        self.warnings: list[str] = []

    def points(self, start: datetime, end: datetime) -> list[IntensityPoint]:
        pts = self.series.points_between(start, end)
        holes = uncovered(pts, start, end)
        if holes:
            self._warn_once(f"the series {self.series.source} does not cover {holes[0][0].isoformat()}; "
                            f"used the annual figure {self.fallback.source} there")
            pts = sorted(pts + fallback_points(self.fallback, holes), key=lambda p: p.start)
        return pts

    def _warn_once(self, text: str) -> None:
        if not self.warnings:
            self.warnings.append(text)

    def describe(self) -> dict[str, Any]:
        return {**self.series.describe(), "mode": "series", "fallback": self.fallback.source}


class LiveSource:
    """A live provider for one zone, with an in-memory and SQLite cache and a table fallback."""

    def __init__(self, client: Any, zone: str, fallback: FixedIntensity, cache: IntensityCache | None = None,
                 clock: Callable[[], float] = time.time) -> None:
        self.client, self.zone, self.fallback, self.cache, self.clock = client, zone, fallback, cache, clock
        self.warnings: list[str] = []
        self._mem: dict[float, IntensityPoint] = {}
        self._failed_at: float | None = None
        self._fetched_at: float | None = None
        self.fallback_used = False

    def points(self, start: datetime, end: datetime) -> list[IntensityPoint]:
        try:
            pts = self._known(start, end)
            if uncovered(pts, start, end) and self._may_ask():
                self._fetch(start, end)
                pts = self._known(start, end)
        except ProviderError as exc:
            self._failed_at = self.clock()
            self._warn(f"{self.client.name} failed ({exc}); using the annual figure {self.fallback.source}")
            pts = self._known(start, end)
        holes = uncovered(pts, start, end)
        if holes:
            self.fallback_used = True
            if not self.warnings:
                self._warn(f"{self.client.name} has no data for {self.zone} at {holes[0][0].isoformat()}; "
                           f"using the annual figure {self.fallback.source} there")
            pts = sorted(pts + fallback_points(self.fallback, holes), key=lambda p: p.start)
        return pts

    def _warn(self, text: str) -> None:
        if text not in self.warnings and len(self.warnings) < 1:
            self.warnings.append(text)

    def _may_ask(self) -> bool:
        now = self.clock()
        if self._failed_at is not None and now - self._failed_at < RETRY_AFTER_S:
            return False
        return self._fetched_at is None or now - self._fetched_at >= REFETCH_AFTER_S

    def _known(self, start: datetime, end: datetime) -> list[IntensityPoint]:
        return sorted((p for p in self._mem.values() if p.end > start and p.start < end), key=lambda p: p.start)

    def _remember(self, pts: list[IntensityPoint]) -> None:
        for p in pts:
            self._mem[p.start.timestamp()] = p

    def _fetch(self, start: datetime, end: datetime) -> None:
        name = self.client.name
        self._fetched_at = self.clock()
        a = start.replace(minute=0, second=0, microsecond=0)
        b = min(end, datetime.fromtimestamp(self.clock(), tz=timezone.utc) + timedelta(hours=1))
        if self.cache is not None and self.cache.covered(name, self.zone, a, end):
            self._remember(self.cache.get(name, self.zone, a, end))
            return
        pts = _parsed(name, lambda: self.client.fetch_range(self.zone, a, max(b, start + timedelta(seconds=1))))
        if hasattr(self.client, "latest") and (not pts or pts[-1].end < end):
            try:
                pts.append(_parsed(name, lambda: self.client.latest(self.zone)))
            except ProviderAuthError:
                raise
            except ProviderError:
                pass  # the history answered; the latest point is optional
        self._remember(pts)
        settled = datetime.fromtimestamp(self.clock() - SETTLED_AFTER_S, tz=timezone.utc)
        if self.cache is not None and min(b, settled) > a:
            self.cache.put(name, self.zone, a, min(b, settled), pts, self.clock())

    def describe(self) -> dict[str, Any]:
        out = {"mode": "live", "provider": self.client.name, "zone": self.zone, "kind": self.client.kind,
               "source": getattr(self.client, "source", self.client.name), "method": "live",
               "fallback": self.fallback.source}
        if self.fallback_used or self._failed_at is not None:
            out["fallback_used"] = True
        if self.warnings:
            out["warnings"] = list(self.warnings)
        return out


def _parsed(provider: str, call: Callable[[], Any]) -> Any:
    """``call()``, with a payload of the wrong shape (a list where an object was due, ...) turned
    into :class:`ProviderUnavailable`, so garbage falls back to the table like a timeout does."""
    try:
        return call()
    except (TypeError, AttributeError, KeyError, IndexError, ValueError) as exc:
        raise ProviderUnavailable(f"{provider}: unexpected payload ({type(exc).__name__}: {exc})") from None


def uncovered(points: list[IntensityPoint], start: datetime, end: datetime) -> list[tuple[datetime, datetime]]:
    """Sub-intervals of ``[start, end)`` that no point covers."""
    holes, pos = [], start
    for p in sorted(points, key=lambda p: p.start):
        if p.end <= pos:
            continue
        if p.start > pos:
            holes.append((pos, min(p.start, end)))
        pos = max(pos, p.end)
        if pos >= end:
            break
    if pos < end:
        holes.append((pos, end))
    return [h for h in holes if h[1] > h[0]]


def fallback_points(fixed: FixedIntensity, holes: list[tuple[datetime, datetime]]) -> list[IntensityPoint]:
    return [IntensityPoint(a, b, fixed.g_per_kwh, fixed.kind, fixed.source, fixed.year, "fallback",
                           dict(fixed.details)) for a, b in holes]


def _client_for(location: Location, settings: Settings, http: dict[str, Any]) -> tuple[Any, str]:
    """(client, zone) of the first configured provider covering ``location``, else (None, why not)."""
    from .providers import configured_providers, make_client

    notes = []
    for name in configured_providers(settings):
        client = make_client(name, settings, **http)
        zone = client.zone_for(location)
        if zone:
            return client, zone
        notes.append(f"{client.name} does not cover {location.code}")
    return None, "; ".join(notes)


def check_series_zone(series: IntensitySeries, location: Location, path: Any) -> None:
    """Refuse a series file whose own zone is not the location's grid (a DE file for a run in FR).

    Files that do not name a zone (generic CSV, Energi Data Service JSON) and
    runs whose location is unknown (world average) are accepted as given.
    """
    zone = series.zone
    if not zone or location.code == "WORLD":
        return
    from .providers.watttime import REGIONS

    same = {location.code, location.grid_zone, location.country}
    same |= {REGIONS[c] for c in (location.code, location.grid_zone) if c in REGIONS}
    if zone in same:
        return
    from ..errors import ConfigError

    raise ConfigError(f"the intensity series {path} is for zone {zone}, but the location is {location.code} "
                      f"(grid {location.grid_zone}); set the location to {zone} or give a series for "
                      f"{location.grid_zone or location.code}")


def intensity_source(location: Location, settings: Settings, *, http: dict[str, Any] | None = None,
                     clock: Callable[[], float] = time.time) -> Any:
    """The best source for ``location``: series file > live provider > static table.

    ``http`` passes options to the provider HTTP client (tests: ``sleep``,
    ``retries``). The returned object never raises from points()/describe().
    """
    table = annual_intensity(location)
    if settings.intensity_series is not None:
        from .series import read_series  # numpy only when a series is configured

        series = read_series(settings.intensity_series)
        check_series_zone(series, location, settings.intensity_series)
        if series.zone is None:
            series.zone = location.grid_zone
        return SeriesSource(series, table)
    client, zone_or_note = _client_for(location, settings, http or {})
    if client is None:
        return TableSource(table, [zone_or_note] if zone_or_note else [])
    try:
        from .cache import IntensityCache

        cache: IntensityCache | None = IntensityCache.in_home(settings.data_home)
        cache_note = ""
    except StoreError as exc:
        cache, cache_note = None, str(exc)
    src = LiveSource(client, zone_or_note, table, cache, clock)
    if cache_note:
        src.warnings.append(cache_note)
    return src


def forecast_series(location: Location, settings: Settings, start: datetime, end: datetime, *,
                    http: dict[str, Any] | None = None) -> IntensitySeries | None:
    """The provider forecast for ``location`` over ``[start, end)``, or None when no provider forecasts it.

    A provider that is down gives None; wrong credentials raise ProviderAuthError.
    """
    client, _ = _client_for(location, settings, http or {})
    if client is None:
        return None
    try:
        pts = _parsed(client.name, lambda: client.forecast(client.zone_for(location)))
    except ProviderAuthError:
        raise
    except ProviderError:
        return None
    if not pts:
        return None
    from .series import IntensitySeries

    series = IntensitySeries.from_points(pts, method="forecast", zone=client.zone_for(location),
                                         details={"provider": client.name})
    return series.slice(start, end)
