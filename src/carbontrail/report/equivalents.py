"""Emission equivalents: what a mass of CO2e means in everyday terms.

The table ``data/equivalents.csv`` is built by ``scripts/build_equivalents.py``;
every row has a factor [gCO2e per unit], its source and year (Green Algorithms
reference values, CC BY 4.0; US EPA Greenhouse Gas Equivalencies Calculator,
public domain; Our World in Data / Global Carbon Budget 2023, CC BY 4.0).
"""

from __future__ import annotations

import csv
import functools
import io
import math
from dataclasses import dataclass
from importlib import resources
from typing import Any

#: the count [units] a reader grasps most easily; picks are ranked by distance to it (log scale)
SWEET_SPOT = 20.0


@dataclass(frozen=True)
class EquivalentFactor:
    """One row of the table: ``g_per_unit`` [gCO2e per unit]."""

    id: str
    g_per_unit: float
    unit: str
    phrase: str
    pick: bool
    low: float
    high: float
    source: str
    year: int
    licence: str
    url: str
    note: str


@dataclass(frozen=True)
class Equivalent:
    """An emissions mass expressed as ``count`` units of a factor."""

    factor: EquivalentFactor
    count: float

    @property
    def text(self) -> str:
        """'3.4 km driven by an average passenger car (EU)' or '0.12% of the average person's ...'."""
        if self.factor.unit == "person-years":
            return f"{_num(self.count * 100)}% {self.factor.phrase}"
        return f"{_num(self.count)} {self.factor.phrase}"

    @property
    def citation(self) -> str:
        return f"{self.factor.source}, {self.factor.year}"

    def to_dict(self) -> dict[str, Any]:
        f = self.factor
        return {"id": f.id, "count": self.count, "unit": f.unit, "text": self.text,
                "g_per_unit": f.g_per_unit, "source": f.source, "year": f.year, "licence": f.licence,
                "url": f.url, "note": f.note}


def _num(x: float) -> str:
    """Three significant figures, thousands separated: 12,300 / 45.6 / 0.0123."""
    if x == 0:
        return "0"
    digits = max(0, 2 - int(math.floor(math.log10(abs(x)))))
    rounded = round(x, digits)
    return f"{rounded:,.{digits}f}" if digits else f"{rounded:,.0f}"


@functools.lru_cache(maxsize=1)
def factors() -> tuple[EquivalentFactor, ...]:
    """Every row of the packaged table (read on first use)."""
    text = resources.files("carbontrail.data").joinpath("equivalents.csv").read_text(encoding="utf-8")
    out = []
    for r in csv.DictReader(io.StringIO(text)):
        out.append(EquivalentFactor(
            id=r["id"], g_per_unit=float(r["g_per_unit"]), unit=r["unit"], phrase=r["phrase"],
            pick=r["pick"] == "1", low=float(r["low"]), high=float(r["high"]), source=r["source"],
            year=int(r["year"]), licence=r["licence"], url=r["url"], note=r["note"]))
    return tuple(out)


def factor(factor_id: str) -> EquivalentFactor:
    for f in factors():
        if f.id == factor_id:
            return f
    raise KeyError(f"no equivalent {factor_id!r}; known: {', '.join(f.id for f in factors())}")


def equivalent(emissions_g: float, factor_id: str) -> Equivalent:
    """``emissions_g`` [gCO2e] expressed in the units of one factor."""
    f = factor(factor_id)
    return Equivalent(f, emissions_g / f.g_per_unit)


def pick_equivalents(emissions_g: float, n: int = 3) -> list[Equivalent]:
    """The ``n`` equivalents that make ``emissions_g`` [gCO2e] easiest to grasp.

    Candidates are the rows marked ``pick``; those whose count falls in their
    readable range [low, high] rank by how close the count is to
    :data:`SWEET_SPOT` on a log scale. When none is in range (a few mg), there
    is no graspable equivalent and the list is empty; so is it for 0 or less.
    """
    if not emissions_g > 0:
        return []
    cands = [Equivalent(f, emissions_g / f.g_per_unit) for f in factors() if f.pick]

    def dist(e: Equivalent) -> float:
        target = SWEET_SPOT if e.factor.unit != "person-years" else 0.01
        return abs(math.log10(e.count) - math.log10(target))

    inside = sorted((e for e in cands if e.factor.low <= e.count <= e.factor.high), key=dist)
    return inside[:n]
