"""The low-high range brackets the central figure for any inputs."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from carbontrail.estimate import estimate

HW = ["4xV100", "8xH100-SXM", "TPUv3", "p4d.24xlarge", "a2-highgpu-1g", "2xcpu:AMD EPYC 7763+ram:64GB",
      "Standard_ND96asr_v4", "g5.xlarge+cpu:Intel Xeon Platinum 8480+"]
LOC = [None, "FR", "DE", "gcp:europe-west1", "aws:us-east-1", "azure:westeurope"]


@settings(max_examples=40, deadline=None)
@given(hw=st.sampled_from(HW), hours=st.floats(0.01, 5000), loc=st.sampled_from(LOC),
       util=st.one_of(st.none(), st.floats(0.01, 1.0)), pue=st.one_of(st.none(), st.floats(1.0, 2.5)))
def test_low_le_central_le_high(hw, hours, loc, util, pue):
    e = estimate(hw, hours, location=loc, utilization=util, pue=pue, alternatives=False)
    r = e.range
    assert 0 < r["low_g"] <= e.total_g * (1 + 1e-12)
    assert e.total_g <= r["high_g"] * (1 + 1e-12)
    lo_i, hi_i = r["inputs"]["intensity_g_per_kwh"]
    assert lo_i <= e.intensity["g_per_kwh"] <= hi_i


def test_given_utilization_narrows_the_energy_range():
    e = estimate("4xV100", 10, utilization=0.7, intensity_g_per_kwh=100, alternatives=False)
    lo, hi = e.range["inputs"]["energy_kwh"]
    assert lo == hi == e.energy_kwh
    d = estimate("4xV100", 10, intensity_g_per_kwh=100, alternatives=False)
    lo, hi = d.range["inputs"]["energy_kwh"]
    assert lo == d.energy_kwh / 2 and hi == d.energy_kwh           # cited accelerator range 0.5..1.0
