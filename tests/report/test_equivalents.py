from __future__ import annotations

import math

from hypothesis import given
from hypothesis import strategies as st

from carbontrail.report.equivalents import equivalent, factors, pick_equivalents


def test_every_factor_has_source_year_and_licence():
    rows = factors()
    assert {"car_km_eu", "smartphone_charge", "flight_pkm", "tree_year", "household_electricity_day",
            "person_year_world"} <= {f.id for f in rows}
    for f in rows:
        assert f.g_per_unit > 0 and f.source and 1990 < f.year < 2030 and f.licence, f


def test_pinned_figures_with_their_source():
    assert equivalent(175.0, "car_km_eu").count == 1.0          # Green Algorithms, EU car 175 g/km
    assert equivalent(8.22, "smartphone_charge").count == 1.0    # US EPA, 8.22e-6 t per charge
    assert equivalent(11_000, "tree_year").count == 1.0          # 11 kg CO2 per tree-year
    assert math.isclose(equivalent(4.7e6, "person_year_world").count, 1.0)


def test_person_share_is_written_as_percent():
    e = equivalent(47_000, "person_year_world")
    assert e.text.startswith("1.00% of the average person")


def test_small_and_large_masses_get_different_picks():
    small = [e.factor.id for e in pick_equivalents(200.0)]
    big = [e.factor.id for e in pick_equivalents(5e6)]
    assert "smartphone_charge" in small and "person_year_world" not in small
    assert "smartphone_charge" not in big
    assert pick_equivalents(0.0) == [] and pick_equivalents(-1.0) == []
    assert pick_equivalents(0.0003) == []  # 0.3 mg: no everyday equivalent is meaningful


@given(st.floats(min_value=1e-3, max_value=1e10))
def test_picks_are_consistent_and_in_range(g):
    picks = pick_equivalents(g, 3)
    assert len(picks) <= 3
    if not picks:  # nothing graspable: below every candidate's readable range
        assert all(g / f.g_per_unit < f.low or g / f.g_per_unit > f.high for f in factors() if f.pick)
    for e in picks:
        assert math.isclose(e.count * e.factor.g_per_unit, g, rel_tol=1e-9)
    if len(picks) > 1:
        assert all(e.factor.low <= e.count <= e.factor.high for e in picks)
