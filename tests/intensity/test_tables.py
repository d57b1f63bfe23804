"""Built tables checked against figures pinned by source and year."""

from __future__ import annotations

import pytest

from carbontrail.errors import ConfigError, UnknownLocationError
from carbontrail.intensity import _data
from carbontrail.intensity.locations import resolve_location, world_location
from carbontrail.intensity.tables import (annual_intensities, annual_intensity, gcp_region_intensity,
                                          market_claims, pue_for)


def test_france_owid_2023_is_56() -> None:
    fig = annual_intensity(resolve_location("FR"))
    assert round(fig.g_per_kwh) == 56
    assert fig.year == 2023
    assert fig.source.startswith("OWID") and fig.method == "table" and fig.kind == "average"
    assert fig.details["scope"] == "lifecycle" and fig.details["source_id"] == "owid-codecarbon"


def test_france_other_sources_pinned() -> None:
    figs = {(f.details["source_id"], f.year): f.g_per_kwh for f in annual_intensities(resolve_location("FR"))}
    assert round(figs[("owid-grapher", 2024)]) == 44          # OWID/Ember 2024
    assert figs[("electricitymaps-yearly", 2024)] == 33        # Electricity Maps 2024


def test_gcp_region_uses_google_figure_latest_year() -> None:
    fig = annual_intensity(resolve_location("gcp:europe-west6"))
    assert fig.g_per_kwh == pytest.approx(15.05) and fig.year == 2024
    assert "Google" in fig.source
    assert fig.details["google_cfe"] == pytest.approx(0.98)
    assert gcp_region_intensity("europe-west6", 2019).g_per_kwh == 87
    assert gcp_region_intensity("gcp:us-central1", 2024).g_per_kwh == pytest.approx(412.72)


def test_gcp_unknown_region_and_year() -> None:
    with pytest.raises(UnknownLocationError) as exc:
        gcp_region_intensity("europe-west66")
    assert "gcp:europe-west6" in exc.value.suggestions
    with pytest.raises(ConfigError, match="years available"):
        gcp_region_intensity("europe-west6", 2011)


def test_em_zone_uses_electricitymaps_2024() -> None:
    fig = annual_intensity(resolve_location("US-CAL-CISO"))
    assert fig.g_per_kwh == 229 and fig.year == 2024
    assert "ODbL" in fig.details["licence"]
    assert fig.details["basis"] == "consumption"


def test_egrid_subregion_is_direct_2019() -> None:
    fig = annual_intensity(resolve_location("CAMX"))
    assert fig.g_per_kwh == pytest.approx(206.46) and fig.year == 2019
    assert fig.details["scope"] == "direct"


def test_aws_region_uses_its_grid_zone() -> None:
    loc = resolve_location("aws:us-east-1")
    fig = annual_intensity(loc)
    assert fig.details["zone"] == "US-MIDA-PJM" == loc.grid_zone
    assert fig.g_per_kwh == 403 and fig.year == 2024


def test_world_average_when_unknown() -> None:
    fig = annual_intensity(world_location())
    assert round(fig.g_per_kwh) == 473 and fig.year == 2024
    assert fig.details["zone"] == "WORLD"


def test_pue_defaults_with_sources() -> None:
    assert pue_for(resolve_location("gcp:us-central1"))[0] == pytest.approx(1.10)
    assert pue_for(resolve_location("aws:us-east-1"))[0] == pytest.approx(1.135)
    assert pue_for(resolve_location("azure:westeurope"))[0] == pytest.approx(1.185)
    value, source = pue_for(None)
    assert value == pytest.approx(1.56) and "Uptime" in source
    assert pue_for(resolve_location("FR"))[0] == pytest.approx(1.56)


def test_market_claims_kept_separate() -> None:
    claims = market_claims(resolve_location("gcp:europe-west6"))
    assert claims is not None and claims["kind"] == "market-based"
    assert claims["google_cfe"] == pytest.approx(0.98) and claims["offset_ratio_percent"] == 100
    assert market_claims(resolve_location("FR")) is None


def test_every_row_has_a_known_source_and_year() -> None:
    srcs = _data.sources()
    for code, rows in _data.annual_rows().items():
        for r in rows:
            assert r["source"] in srcs, code
            assert r["year"] and 2000 < r["year"] < 2100, code
            assert 0 <= r["g_per_kwh"] < 2000, code


def test_every_cloud_region_resolves_to_a_figure() -> None:
    clouds = [c for c, r in _data.location_rows().items() if r["kind"] == "cloud"]
    assert len(clouds) > 140
    for code in clouds:
        fig = annual_intensity(resolve_location(code))
        assert fig.details["zone"] != "WORLD", code
