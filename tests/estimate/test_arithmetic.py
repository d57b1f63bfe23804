"""The calculator against hand computation."""

from __future__ import annotations

import pytest

from carbontrail.errors import ConfigError
from carbontrail.estimate import estimate

# Luccioni et al. 2022: 150 kg per GPU + 2,500 kg server / 8 GPUs; CCF lifetime 4 years
PER_GPU_KG = 150 + 2500 / 8
HOURS_4Y = 4 * 8760


def test_four_v100_six_hours_by_hand():
    e = estimate("4xV100", 6, intensity_g_per_kwh=100, pue=1.2, units=1000, unit_name="1k inferences",
                 alternatives=False)
    assert e.energy_kwh == pytest.approx(4 * 300 * 6 / 1000)            # 7.2 kWh at TDP, utilisation 1
    assert e.operational_g == pytest.approx(7.2 * 1.2 * 100)             # 864 g
    assert e.embodied_g == pytest.approx(4 * PER_GPU_KG * 1000 * 6 / HOURS_4Y)
    assert e.sci_g_per_unit == pytest.approx((864 + e.embodied_g) / 1000)
    assert e.energy_by_kind_kwh() == {"gpu": pytest.approx(7.2)}
    assert e.intensity["method"] == "override"


def test_device_hours_equal_wall_hours_times_devices():
    a = estimate("4xV100", 6, intensity_g_per_kwh=100, pue=1.0, alternatives=False)
    b = estimate("4xV100", device_hours=24, intensity_g_per_kwh=100, pue=1.0, alternatives=False)
    assert a.total_g == pytest.approx(b.total_g) and b.device_hours == pytest.approx(24)


def test_power_and_utilization_overrides():
    e = estimate("2xA100", 10, power_w=250, intensity_g_per_kwh=300, pue=1.1, alternatives=False)
    assert e.energy_kwh == pytest.approx(2 * 250 * 10 / 1000)
    assert e.devices[0].method == "user-given"
    u = estimate("2xA100", 10, utilization=0.5, intensity_g_per_kwh=300, pue=1.1, alternatives=False)
    assert u.energy_kwh == pytest.approx(2 * 400 * 0.5 * 10 / 1000)


def test_instance_by_hand():
    # p4d.24xlarge: 8 x A100 400 W, 96 vCPU Cascade Lake (CCF AWS 0.6903..4.0632 W), 1152 GB x 0.3725 W/GB
    e = estimate("p4d.24xlarge", 2, utilization=0.5, intensity_g_per_kwh=200, pue=1.0, alternatives=False)
    gpu_w = 8 * 400 * 0.5
    vcpu_w = 96 * (0.6903 + 0.5 * (4.0632 - 0.6903))
    ram_w = 1152 * 0.3725
    assert e.energy_kwh == pytest.approx((gpu_w + vcpu_w + ram_w) * 2 / 1000, rel=1e-4)
    assert e.embodied_g == pytest.approx(4676.79 * 1000 * 2 / HOURS_4Y)   # CCF host figure, share 96/96
    kinds = e.energy_by_kind_kwh()
    assert set(kinds) == {"gpu", "vcpu", "ram"} and kinds["ram"] == pytest.approx(ram_w * 2 / 1000)


def test_cpu_only_server_embodied_from_ccf():
    e = estimate("2xcpu:AMD EPYC 7763", 10, intensity_g_per_kwh=100, pue=1.0, alternatives=False)
    assert e.energy_kwh == pytest.approx(2 * 280 * 0.5 * 10 / 1000)     # CCF 50 % utilisation
    assert e.embodied_g == pytest.approx((1000 + 100) * 1000 * 10 / HOURS_4Y)


def test_location_intensity_pue_and_market_view():
    e = estimate("A100", 1, location="gcp:europe-west1", alternatives=False)
    assert e.pue == pytest.approx(1.1) and "Cloud Carbon Footprint" in e.pue_source
    assert e.intensity["source"] and e.intensity["year"] and e.intensity["kind"] == "average"
    assert e.operational_g == pytest.approx(0.4 * 1.1 * e.intensity["g_per_kwh"])
    m = e.market
    assert m is not None and m["kind"] == "market-based"
    assert m["market_based_g"] == pytest.approx(e.operational_g * (1 - float(m["google_cfe"])))
    assert e.total_g == pytest.approx(e.operational_g + e.embodied_g)    # never subtracted


def test_unknown_location_uses_world_average_and_says_so():
    e = estimate("A100", 1, alternatives=False)
    assert e.location is None and any("world" in a for a in e.assumptions)
    assert e.pue == pytest.approx(1.56)


def test_alternatives_sorted_and_same_provider():
    e = estimate("8xH100", 24, location="aws:us-east-1")
    same = e.alternatives["same_provider"]
    anywhere = e.alternatives["anywhere"]
    assert same and all(r["provider"] == "aws" for r in same)
    assert [r["total_g"] for r in anywhere] == sorted(r["total_g"] for r in anywhere)
    assert anywhere[0]["total_g"] <= e.total_g


@pytest.mark.parametrize("kwargs,match", [
    ({"hours": 0}, "--hours"), ({"hours": -1}, "--hours"), ({}, "duration"),
    ({"hours": 1, "utilization": 0}, "utilization"), ({"hours": 1, "utilization": 1.5}, "utilization"),
    ({"hours": 1, "pue": 0.9}, "PUE|pue"), ({"hours": 1, "units": 0}, "units"),
    ({"hours": 1, "device_hours": 2}, "not both"), ({"hours": 1, "power_w": -5}, "power"),
])
def test_bad_input_is_a_clear_error(kwargs, match):
    with pytest.raises(ConfigError, match=match):
        estimate("4xV100", **kwargs, alternatives=False)


def test_start_uses_the_series_over_the_job_window(tmp_path):
    from datetime import datetime, timezone

    from carbontrail.config import Settings

    f = tmp_path / "series.csv"
    f.write_text("datetime,carbon_intensity\n2024-05-01T00:00:00Z,100\n2024-05-01T01:00:00Z,200\n"
                 "2024-05-01T02:00:00Z,300\n2024-05-01T03:00:00Z,400\n")
    start = datetime(2024, 5, 1, 1, 0, tzinfo=timezone.utc)
    e = estimate("4xV100", 2, location="FR", pue=1.0, start=start, settings=Settings(intensity_series=f),
                 alternatives=False)
    assert e.intensity["g_per_kwh"] == pytest.approx(250.0)          # mean of 200 and 300 over [01:00, 03:00)
    assert e.intensity["method"] == "series"
    assert e.operational_g == pytest.approx(2.4 * 250.0)
    with pytest.raises(ConfigError, match="time zone"):
        estimate("4xV100", 2, start=datetime(2024, 5, 1), alternatives=False)
