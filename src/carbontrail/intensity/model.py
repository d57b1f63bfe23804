"""Core intensity types shared by tables, series, providers and the tracker."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol, runtime_checkable

#: Kinds of intensity. Never mixed without a label.
AVERAGE = "average"
MARGINAL = "marginal"


@dataclass(frozen=True)
class IntensityPoint:
    """Grid intensity over ``[start, end)`` in gCO2e/kWh.

    ``source`` names the dataset or provider ("OWID 2023 (Ember)",
    "Electricity Maps API", ...); ``year`` is set for annual figures;
    ``method`` says how it was obtained: "table" (annual average),
    "series" (file), "live", "forecast", "fallback" (a live provider failed
    and the table answered), or "override" (user-given number).
    """

    start: datetime
    end: datetime
    g_per_kwh: float
    kind: str = AVERAGE
    source: str = ""
    year: int | None = None
    method: str = "table"
    details: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "start": self.start.isoformat(),
            "end": self.end.isoformat(),
            "g_per_kwh": self.g_per_kwh,
            "kind": self.kind,
            "source": self.source,
            "year": self.year,
            "method": self.method,
            "details": dict(self.details),
        }


@dataclass(frozen=True)
class Location:
    """A resolved place. ``code`` is canonical (``FR``, ``US-CAL-CISO``, ``gcp:europe-west6``).

    ``how`` says how it was found: "argument", "env CARBONTRAIL_LOCATION",
    "config <path>", "cloud metadata", "guessed from time zone",
    "location unknown". ``grid_zone`` is the zone or country whose grid powers
    it (a cloud region's zone), ``country`` the ISO 3166-1 alpha-2 code.
    """

    code: str
    name: str
    country: str | None = None
    grid_zone: str | None = None
    provider: str | None = None      # cloud provider for cloud regions: aws, gcp, azure
    region: str | None = None        # cloud region id
    how: str = "argument"

    def to_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "name": self.name,
            "country": self.country,
            "grid_zone": self.grid_zone,
            "provider": self.provider,
            "region": self.region,
            "how": self.how,
        }


@runtime_checkable
class IntensitySource(Protocol):
    """Anything that answers "what was the intensity over [start, end)?"."""

    def points(self, start: datetime, end: datetime) -> list[IntensityPoint]:
        """Points covering ``[start, end)`` (one for a static figure). May be empty."""
        ...

    def describe(self) -> dict[str, Any]:
        """Provenance for the run record: source, kind, year, method."""
        ...


class FixedIntensity:
    """A single figure for all times (a table value or a user override)."""

    def __init__(self, g_per_kwh: float, source: str, kind: str = AVERAGE,
                 year: int | None = None, method: str = "override",
                 details: dict[str, Any] | None = None) -> None:
        if g_per_kwh < 0:
            raise ValueError("intensity must be >= 0 gCO2e/kWh")
        self.g_per_kwh = float(g_per_kwh)
        self.source = source
        self.kind = kind
        self.year = year
        self.method = method
        self.details = dict(details or {})

    def points(self, start: datetime, end: datetime) -> list[IntensityPoint]:
        return [IntensityPoint(start, end, self.g_per_kwh, self.kind, self.source, self.year,
                               self.method, self.details)]

    def describe(self) -> dict[str, Any]:
        return {"source": self.source, "kind": self.kind, "year": self.year,
                "method": self.method, "g_per_kwh": self.g_per_kwh, **self.details}


def weighted_intensity(points: list[IntensityPoint], start: datetime, end: datetime) -> float | None:
    """Time-weighted mean intensity of ``points`` over ``[start, end)`` [gCO2e/kWh].

    Only the overlap of each point counts. None when nothing overlaps. A
    zero-length interval takes the point that contains ``start``.
    """
    total = 0.0
    weight = 0.0
    span = (end - start).total_seconds()
    for p in points:
        if span <= 0:
            if p.start <= start < p.end or (p.start == p.end == start):
                return p.g_per_kwh
            continue
        a = max(p.start, start)
        b = min(p.end, end)
        w = (b - a).total_seconds()
        if w > 0:
            total += p.g_per_kwh * w
            weight += w
    if weight == 0:
        return None
    return total / weight
