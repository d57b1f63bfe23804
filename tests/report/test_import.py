"""Real CodeCarbon files (1.2.0, 2.3.4, 3.3.2; see fixtures/README.md) imported row by row."""

from __future__ import annotations

import csv
import uuid

import pytest
from report_helpers import FIXTURES

from carbontrail.errors import DataError
from carbontrail.report.codecarbon_import import PROVENANCE, read_codecarbon_csv

VERSIONS = ["1.2.0", "2.3.4", "3.3.2"]


def _rows(version):
    with open(FIXTURES / f"codecarbon-{version}.csv", newline="") as fh:
        return list(csv.DictReader(fh))


@pytest.mark.parametrize("version", VERSIONS)
def test_every_row_kept_with_units_converted(version):
    raw = _rows(version)
    got = read_codecarbon_csv(FIXTURES / f"codecarbon-{version}.csv")
    assert len(got) == len(raw) == 2
    for row, imp in zip(raw, got):
        rec = imp.record
        assert imp.error is None and rec is not None
        assert rec.emissions_g == pytest.approx(float(row["emissions"]) * 1000.0)          # kg -> g
        assert rec.energy_j == pytest.approx(float(row["energy_consumed"]) * 3.6e6)       # kWh -> J
        assert rec.duration_s == pytest.approx(float(row["duration"]))
        assert rec.ended_at.isoformat().startswith(row["timestamp"])
        assert rec.project == "cc-fixture"
        assert rec.location["code"] == "FR" and rec.location["country_iso3"] == "FRA"
        assert all(c["provenance"] == PROVENANCE and c["method"] == "imported" for c in rec.components.values())
        assert any(PROVENANCE in w for w in rec.warnings)
        rid = row.get("run_id") or row["experiment_id"]
        assert rec.id == uuid.UUID(rid).hex
        if "cpu_energy" in row:
            assert rec.components["cpu"]["energy_j"] == pytest.approx(float(row["cpu_energy"]) * 3.6e6)
            assert rec.components["ram"]["energy_j"] == pytest.approx(float(row["ram_energy"]) * 3.6e6)
            assert "gpu" not in rec.components  # 0 with no GPU listed is no GPU, not a reading of 0
            assert rec.pue["value"] == float(row["pue"])
            assert rec.settings["codecarbon_version"] == version
        else:  # 1.x: total only, no PUE column
            assert list(rec.components) == ["other"]
            assert rec.pue["value"] == 1.0 and "no pue column" in rec.pue["source"]
            assert rec.experiment is None
        kwh = float(row["energy_consumed"]) * rec.pue["value"]
        assert rec.intensity["mean_g_per_kwh"] == pytest.approx(float(row["emissions"]) * 1000 / kwh)


def test_v3_reports_columns_without_a_field_per_row():
    got = read_codecarbon_csv(FIXTURES / "codecarbon-3.3.2.csv")
    assert set(got[0].skipped) == {"water_consumed", "wue", "cpu_utilization_percent", "gpu_utilization_percent",
                                   "ram_utilization_percent", "ram_used_gb"}
    assert got[0].record.experiment == "5b0fa12a-3dd7-45bb-9766-cc326314d9f1"


def test_edited_file_missing_and_extra_columns():
    got = read_codecarbon_csv(FIXTURES / "codecarbon-edited.csv", project="imported")
    first, second, third = got
    assert first.record.location["code"] == "gcp:europe-west1"
    assert first.record.components["gpu"]["energy_j"] == pytest.approx(0.4 * 3.6e6)
    assert first.skipped["my_note"].startswith("unknown column")
    assert "water_consumed" in first.skipped
    assert second.record.id != first.record.id and "repeats an earlier row" in second.notes[0]
    assert second.record.project == "imported"
    assert third.record is None and "emissions" in third.error


def test_not_a_codecarbon_file(tmp_path):
    p = tmp_path / "x.csv"
    p.write_text("a,b\n1,2\n")
    with pytest.raises(DataError, match="not a CodeCarbon emissions file"):
        read_codecarbon_csv(p)
    with pytest.raises(DataError, match="file not found"):
        read_codecarbon_csv(tmp_path / "missing.csv")


def test_reimport_is_idempotent(tmp_path):
    from carbontrail.store.sqlite import Store

    store = Store(tmp_path / "s.db")
    for _ in range(2):
        for imp in read_codecarbon_csv(FIXTURES / "codecarbon-2.3.4.csv"):
            store.save(imp.record, source="codecarbon")
    rows = store.list()
    assert len(rows) == 2 and {r["source"] for r in rows} == {"codecarbon"}
