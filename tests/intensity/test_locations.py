"""resolve_location, search, and detect_location with fake DMI, local metadata server and injected tz."""

from __future__ import annotations

from pathlib import Path

import pytest

from carbontrail.config import Settings, load_settings
from carbontrail.errors import UnknownLocationError
from carbontrail.intensity.cloud import AZURE_ASSET_TAG, detect_cloud_provider
from carbontrail.intensity.locations import (all_locations, country_for_tz, detect_location,
                                             resolve_location, search_locations)


@pytest.mark.parametrize("query,code", [
    ("fr", "FR"), ("FRA", "FR"), ("france", "FR"), ("us-cal-ciso", "US-CAL-CISO"), ("SE3", "SE-SE3"),
    ("aws:us-east-1", "aws:us-east-1"), ("AWS/us-east-1", "aws:us-east-1"), ("gcp:europe-west6", "gcp:europe-west6"),
    ("azure:West Europe", "azure:westeurope"), ("westeurope", "azure:westeurope"), ("camx", "CAMX"),
    ("UK", "GB"), ("California", "US-CA"), ("DK1", "DK-DK1"),
])
def test_resolve(query: str, code: str) -> None:
    loc = resolve_location(query, how="argument")
    assert loc.code == code and loc.how == "argument"


def test_cloud_region_carries_grid_zone() -> None:
    loc = resolve_location("gcp:europe-west6")
    assert (loc.provider, loc.region, loc.country, loc.grid_zone) == ("gcp", "europe-west6", "CH", "CH")


def test_unknown_location_has_close_matches() -> None:
    with pytest.raises(UnknownLocationError) as exc:
        resolve_location("Frnace")
    assert "FR" in exc.value.suggestions
    with pytest.raises(UnknownLocationError) as exc:
        resolve_location("aws:us-est-1")
    assert "aws:us-east-1" in exc.value.suggestions
    assert "did you mean" in str(exc.value)


def test_all_and_search() -> None:
    codes = {loc.code for loc in all_locations()}
    assert {"FR", "US-CAL-CISO", "aws:eu-west-3", "azure:westeurope", "gcp:us-central1", "WORLD"} <= codes
    found = [loc.code for loc in search_locations("sweden")]
    assert "SE" in found and "SE-SE3" in found and "azure:swedencentral" in found
    assert search_locations("fr")[0].code == "FR"


def _settings(tmp_path: Path, **kw: object) -> Settings:
    base = {"dmi_root": tmp_path / "dmi", "metadata_url": "http://127.0.0.1:9", "metadata_timeout_s": 0.5}
    base.update(kw)
    return Settings(**base)  # type: ignore[arg-type]


def test_detect_explicit_records_its_source(tmp_path: Path) -> None:
    s = load_settings(env={"CARBONTRAIL_LOCATION": "fr", "CARBONTRAIL_HOME": str(tmp_path)}, use_files=False)
    loc, warnings = detect_location(s, tz_name="Asia/Tokyo")
    assert loc.code == "FR" and loc.how == "env CARBONTRAIL_LOCATION" and warnings == []
    cfg = tmp_path / "carbontrail.toml"
    cfg.write_text('location = "gcp:europe-west6"\n')
    s = load_settings(env={"CARBONTRAIL_HOME": str(tmp_path)}, cwd=tmp_path)
    loc, _ = detect_location(s, tz_name="Asia/Tokyo")
    assert loc.code == "gcp:europe-west6" and loc.how == f"config {cfg.resolve()}"


def test_detect_time_zone_guess(tmp_path: Path) -> None:
    loc, warnings = detect_location(_settings(tmp_path), tz_name="Europe/Paris")
    assert loc.code == "FR" and loc.how == "guessed from time zone"
    assert any("Europe/Paris" in w for w in warnings)


def test_detect_unknown_is_world_with_loud_warning(tmp_path: Path) -> None:
    loc, warnings = detect_location(_settings(tmp_path), tz_name="Etc/UTC")
    assert loc.code == "WORLD" and loc.how == "location unknown"
    assert any("LOCATION UNKNOWN" in w and "CARBONTRAIL_LOCATION" in w for w in warnings)
    assert country_for_tz("UTC") is None and country_for_tz("US/Pacific") == "US"


def _dmi(tmp_path: Path, **files: str) -> Path:
    d = tmp_path / "dmi"
    d.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        (d / name).write_text(text + "\n")
    return d


def test_dmi_detection(tmp_path: Path) -> None:
    assert detect_cloud_provider(tmp_path / "none") is None
    assert detect_cloud_provider(_dmi(tmp_path / "a", sys_vendor="Amazon EC2")) == "aws"
    assert detect_cloud_provider(_dmi(tmp_path / "g", product_name="Google Compute Engine")) == "gcp"
    assert detect_cloud_provider(_dmi(tmp_path / "z", chassis_asset_tag=AZURE_ASSET_TAG)) == "azure"
    assert detect_cloud_provider(_dmi(tmp_path / "d", sys_vendor="Dell Inc.", product_name="PowerEdge")) is None


def test_detect_aws_via_imdsv2(tmp_path: Path, server) -> None:
    server.routes["/latest/api/token"] = lambda r: (200, b"tok123")
    server.routes["/latest/meta-data/placement/region"] = (
        lambda r: (200, b"eu-west-3") if r.headers.get("x-aws-ec2-metadata-token") == "tok123" else (401, b""))
    _dmi(tmp_path, sys_vendor="Amazon EC2")
    loc, warnings = detect_location(_settings(tmp_path, metadata_url=server.url), tz_name="Asia/Tokyo")
    assert loc.code == "aws:eu-west-3" and loc.how == "cloud metadata" and warnings == []
    assert server.log[0].method == "PUT"


def test_detect_gcp_and_azure(tmp_path: Path, server) -> None:
    server.routes["/computeMetadata/v1/instance/zone"] = (
        lambda r: (200, b"projects/123/zones/europe-west6-b") if r.headers.get("metadata-flavor") == "Google"
        else (403, b""))
    _dmi(tmp_path, product_name="Google Compute Engine")
    loc, _ = detect_location(_settings(tmp_path, metadata_url=server.url), tz_name="Asia/Tokyo")
    assert loc.code == "gcp:europe-west6"
    server.routes["/metadata/instance/compute/location"] = lambda r: (200, b"westeurope")
    d2 = tmp_path / "az"
    _dmi(d2, chassis_asset_tag=AZURE_ASSET_TAG)
    loc, _ = detect_location(_settings(d2, metadata_url=server.url), tz_name="Asia/Tokyo")
    assert loc.code == "azure:westeurope"


def test_cloud_without_metadata_falls_back_to_time_zone(tmp_path: Path) -> None:
    _dmi(tmp_path, sys_vendor="Amazon EC2")
    loc, warnings = detect_location(_settings(tmp_path), tz_name="Europe/Berlin")
    assert loc.code == "DE" and loc.how == "guessed from time zone"
    assert any("aws" in w and "did not give the region" in w for w in warnings)
