"""Where to run: spatial choice, the cost/carbon Pareto front, and offsets shown beside.

For each candidate region the best schedule over its own intensity (the
caller plans it), then the minimum after filters (data residency, hardware
available). A price per hour per region gives a money cost; the Pareto front
keeps the regions no other region beats on both cost and emissions.

"Run in the cheaper, dirtier region and spend the difference on offsets" is
shown next to "run in the cleaner region". Offsets are market-based: they are
reported *beside* the location-based emissions, never subtracted from them
(GHG Protocol Scope 2 Guidance, 2015: location- and market-based figures are
reported separately).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from ..errors import ScheduleError


@dataclass
class RegionOption:
    """One candidate: ``emissions_g`` [gCO2e] location-based for the planned schedule."""

    code: str
    emissions_g: float | None
    mean_intensity_g_per_kwh: float
    price_per_h: float | None = None
    run_hours: float = 0.0
    allowed: bool = True
    reason: str = ""
    details: dict[str, Any] = field(default_factory=dict)

    @property
    def cost(self) -> float | None:
        return None if self.price_per_h is None else self.price_per_h * self.run_hours

    def score(self) -> float:
        return self.emissions_g if self.emissions_g is not None else self.mean_intensity_g_per_kwh

    def to_dict(self) -> dict[str, Any]:
        return {"code": self.code, "emissions_g": self.emissions_g,
                "mean_intensity_g_per_kwh": self.mean_intensity_g_per_kwh,
                "price_per_h": self.price_per_h, "cost": self.cost, "allowed": self.allowed,
                "reason": self.reason, **self.details}


def filter_regions(options: Iterable[RegionOption], allowed: set[str] | None = None) -> list[RegionOption]:
    """Mark regions outside ``allowed`` (residency, hardware) as not allowed; returns all."""
    out = list(options)
    if allowed is not None:
        for o in out:
            if o.code not in allowed and o.allowed:
                o.allowed = False
                o.reason = "excluded by filter"
    return out


def best_region(options: Iterable[RegionOption]) -> RegionOption:
    """Lowest emissions (ties: lower cost, then name) among allowed regions."""
    ok = [o for o in options if o.allowed]
    if not ok:
        raise ScheduleError("no candidate region is left after the filters; relax --regions or the filters")
    return min(ok, key=lambda o: (o.score(), o.cost if o.cost is not None else 0.0, o.code))


def pareto_front(options: Iterable[RegionOption]) -> list[RegionOption]:
    """Allowed regions not dominated on (cost, emissions), sorted by cost. Needs prices."""
    ok = [o for o in options if o.allowed and o.cost is not None]
    front = []
    for o in ok:
        dominated = any(
            p is not o and p.cost <= o.cost and p.score() <= o.score()
            and (p.cost < o.cost or p.score() < o.score())
            for p in ok
        )
        if not dominated:
            front.append(o)
    return sorted(front, key=lambda o: (o.cost, o.score()))


def offsets_comparison(options: Iterable[RegionOption],
                       offset_price_per_t: float | None = None) -> dict[str, Any] | None:
    """The cheapest allowed region against the cleanest one, with offsets beside (never subtracted).

    ``offset_price_per_t`` [currency per tCO2e] turns the money saved into
    tonnes of offsets that money would buy. None when there is nothing to
    compare (no prices, or the cheapest is also the cleanest).
    """
    priced = [o for o in options if o.allowed and o.cost is not None and o.emissions_g is not None]
    if len(priced) < 2:
        return None
    cheap = min(priced, key=lambda o: (o.cost, o.score()))
    clean = min(priced, key=lambda o: (o.score(), o.cost))
    if cheap is clean:
        return None
    saved = clean.cost - cheap.cost
    extra_g = cheap.emissions_g - clean.emissions_g
    out: dict[str, Any] = {
        "cheaper_region": cheap.code, "cleaner_region": clean.code,
        "cheaper_location_based_g": cheap.emissions_g, "cleaner_location_based_g": clean.emissions_g,
        "extra_emissions_g": extra_g, "money_saved": saved,
        "offset_price_per_t": offset_price_per_t, "offsets_bought_g": None, "offsets_cover_extra": None,
        "note": "offsets are market-based and shown beside the location-based figures, never subtracted",
    }
    if offset_price_per_t is not None:
        if offset_price_per_t <= 0:
            raise ScheduleError("--offset-price must be > 0 per tonne")
        bought = saved / offset_price_per_t * 1e6
        out["offsets_bought_g"] = bought
        out["offsets_cover_extra"] = bought >= extra_g
    return out
