from __future__ import annotations

from datetime import timedelta

import numpy as np
import pytest
from report_helpers import fixed_candidates
from report_records import gpu_run, series_run

from carbontrail.intensity.series import IntensitySeries, to_epoch
from carbontrail.report.whatif import best_start, cleanest_regions, region_candidates, whatif_for


def _series(start, hours, values_fn, slot_s=3600.0):
    s0 = to_epoch(start)
    starts = s0 + slot_s * np.arange(hours)
    vals = [values_fn(i) for i in range(hours)]
    return IntensitySeries(starts, starts + slot_s, vals, source="test series", kind="average")


def test_cleanest_regions_use_each_regions_pue_and_figure():
    rows = cleanest_regions(3.6e6, 2, fixed_candidates())  # 1 kWh
    assert [r["code"] for r in rows] == ["test:north", "test:south"]
    assert rows[0]["emissions_g"] == pytest.approx(1.0 * 1.1 * 20.0)
    assert rows[1]["emissions_g"] == pytest.approx(1.0 * 1.2 * 150.0)
    assert rows[0]["intensity_source"] == "Test table 2024" and rows[0]["pue_source"] == "test PUE"


def test_packaged_cloud_regions_are_sorted_and_sourced():
    cands = region_candidates()
    assert len(cands) > 20
    rows = cleanest_regions(3.6e6, 5)
    em = [r["emissions_g"] for r in rows]
    assert em == sorted(em) and all(r["intensity_source"] and r["pue"] >= 1.0 for r in rows)
    everything = sorted(region_row_em for region_row_em in
                        (c[1].g_per_kwh * c[2] for c in cands))
    assert rows[0]["emissions_g"] == pytest.approx(everything[0])


def test_annual_figure_allows_no_time_shifting():
    b = best_start(gpu_run(), _series(gpu_run().started_at, 48, lambda i: 50.0))
    assert b["available"] is False and "no time shifting" in b["reason"]


def test_best_start_over_a_series():
    rec = series_run()
    # high now, a 2-hour trough 5 h later
    ser = _series(rec.started_at, 30, lambda i: 20.0 if i in (5, 6) else 100.0)
    b = best_start(rec, ser)
    assert b["available"] is True
    assert b["delay_h"] == pytest.approx(5.0)
    assert b["start"] == (rec.started_at + timedelta(hours=5)).isoformat()
    kwh_pue = rec.energy_j / 3.6e6 * 1.2
    assert b["emissions_g"] == pytest.approx(kwh_pue * 20.0)
    assert b["baseline_emissions_g"] == pytest.approx(kwh_pue * 100.0)
    assert b["saving"] == pytest.approx(0.8)


def test_short_series_says_how_much_is_missing():
    rec = series_run()
    b = best_start(rec, _series(rec.started_at, 6, lambda i: 50.0))
    assert b["available"] is False and "covers 6.0 h of the 25.0 h" in b["reason"]
    assert best_start(rec, None)["available"] is False


def test_whatif_without_energy():
    w = whatif_for(gpu_run(energy_j=0.0), candidates=fixed_candidates())
    assert w["regions"] == [] and w["best_start"]["available"] is False
