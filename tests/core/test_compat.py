"""CodeCarbon users switch by changing one import."""

from __future__ import annotations

import csv

import pytest

from carbontrail import EmissionsTracker, track_emissions
from carbontrail.store.codecarbon_csv import COLUMNS


def test_track_emissions_decorator_writes_codecarbon_csv(tmp_path):
    @track_emissions(project_name="cc-proj", experiment_id="exp-1", output_dir=str(tmp_path),
                     output_file="emissions.csv", measure_power_secs=0.05, country_iso_code="FRA",
                     log_level="error")
    def train(n):
        return sum(i * i for i in range(n))

    assert train(10000) == sum(i * i for i in range(10000))
    with open(tmp_path / "emissions.csv", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert list(rows[0]) == list(COLUMNS)
    assert rows[0]["project_name"] == "cc-proj" and rows[0]["experiment_id"] == "exp-1"
    assert rows[0]["country_iso_code"] == "FRA" and rows[0]["country_name"] == "France"
    assert float(rows[0]["duration"]) > 0
    rec = train.last_tracker.tracker.record
    assert rec.location["code"] == "FR"
    assert any("'log_level' has no effect" in w for w in rec.warnings)


def test_bare_decorator_and_tracker_api(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)

    @track_emissions
    def job():
        return 1

    with pytest.warns(UserWarning, match="LOCATION UNKNOWN"):  # no country given: said loudly
        assert job() == 1
    assert (tmp_path / "emissions.csv").exists()

    tracker = EmissionsTracker(project_name="p", country_iso_code="DE", save_to_file=False)
    tracker.start()
    kg = tracker.stop()
    assert isinstance(kg, float) and kg >= 0
    assert kg == pytest.approx(tracker.tracker.record.emissions_g / 1000)
    assert tracker.tracker.record.location["code"] == "DE"


def test_cloud_arguments_map_to_a_region():
    t = EmissionsTracker(cloud_provider="gcp", cloud_region="europe-west6", save_to_file=False)
    t.start()
    t.stop()
    assert t.tracker.record.location["code"] == "gcp:europe-west6"


def test_unknown_argument_is_a_type_error():
    with pytest.raises(TypeError, match="unexpected argument"):
        EmissionsTracker(projectname="typo")
