"""The `locations` and `intensity` commands as a user runs them."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from carbontrail.cli import main


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    try:
        main(list(argv))
        code = 0
    except SystemExit as exc:
        code = int(exc.code or 0)
    out = capsys.readouterr()
    return code, out.out, out.err


def test_intensity_table_figure_with_source(capsys) -> None:
    code, out, _ = run(capsys, "intensity", "--location", "FR", "--json")
    data = json.loads(out)
    assert code == 0 and round(data["annual"]["g_per_kwh"]) == 56 and data["annual"]["year"] == 2023
    assert "OWID" in data["annual"]["source"] and data["pue"]["pue"] == 1.56
    code, out, _ = run(capsys, "intensity", "--location", "gcp:europe-west6")
    assert code == 0 and "15.1 gCO2e/kWh" in out and "region-carbon-info 2024" in out


def test_unknown_location_one_line_exit_2(capsys) -> None:
    code, out, err = run(capsys, "intensity", "--location", "Frnace")
    assert code == 2 and err.count("\n") == 1 and "did you mean FR" in err


def test_series_range(capsys, tmp_path: Path) -> None:
    p = tmp_path / "s.csv"
    p.write_text("2024-01-01T00:00,100\n2024-01-01T01:00,300\n")
    code, out, _ = run(capsys, "intensity", "-l", "DE", "--series", str(p), "--from", "2024-01-01T00:30Z",
                       "--to", "2024-01-01T01:30Z", "--json")
    data = json.loads(out)
    assert code == 0 and data["mean_g_per_kwh"] == pytest.approx(200) and data["source"]["mode"] == "series"


def test_series_without_time_answers_from_the_file(capsys, tmp_path: Path) -> None:
    p = tmp_path / "s.csv"
    p.write_text("2024-01-01T00:00,100\n2024-01-01T01:00,300\n")
    code, out, _ = run(capsys, "intensity", "-l", "DE", "--series", str(p), "--json")
    data = json.loads(out)
    assert code == 0 and data["source"]["mode"] == "series" and "annual" not in data
    assert data["mean_g_per_kwh"] == pytest.approx(200) and data["span"]["points"] == 2
    code, out, _ = run(capsys, "intensity", "-l", "DE", "--series", str(p))
    assert code == 0 and "200.0 gCO2e/kWh" in out and "file s.csv" in out


def test_locations_search_and_unknown(capsys) -> None:
    code, out, _ = run(capsys, "locations", "westeurope", "--json")
    assert code == 0 and json.loads(out)[0]["code"] == "azure:westeurope"
    code, _, err = run(capsys, "locations", "zzzqqq")
    assert code == 2 and "unknown location" in err
