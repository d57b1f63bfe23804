"""The commands as a user runs them: two tracked runs, then compare, badge, card, report, export, import."""

from __future__ import annotations

import csv
import json
import os

import pytest
from report_helpers import FIXTURES
from huggingface_hub import ModelCard

from carbontrail.cli import main
from carbontrail.store.codecarbon_csv import COLUMNS


def run_cli(capsys, *args):
    try:
        main(list(args))
        code = 0
    except SystemExit as exc:
        code = exc.code or 0
    out, err = capsys.readouterr()
    return code, out, err


def test_compare_two_runs(store, capsys):
    code, out, _ = run_cli(capsys, "compare", "a1b2", "ffee", "--json")
    assert code == 0
    d = json.loads(out)
    big, small = d["runs"]
    assert small["ratios"]["energy"] == pytest.approx(700 / 2600)
    assert small["energy_by_component_j"]["gpu"] is None
    assert big["phases"]["eval"]["emissions_g"] > 0 and small["phases"]["eval"] is None
    assert big["greener"]["emissions_g"] < big["emissions_g"] and big["greener"]["figures"]
    code, out, _ = run_cli(capsys, "compare", "a1b2", "ffee")
    assert code == 0 and "x0.27" in out and "unavailable" in out and "no time shifting" in out


def test_unknown_id_is_one_line_with_latest_ids(store, capsys):
    code, out, err = run_cli(capsys, "compare", "a1b2", "deadbeef")
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and "no run 'deadbeef'" in err and "ffee0011, a1b2c3d4" in err


def test_badge_and_endpoint(store, capsys, tmp_path):
    code, _, err = run_cli(capsys, "badge", "a1b2", "--out", str(tmp_path / "b.svg"))
    assert code == 0 and "175 g CO2e" in (tmp_path / "b.svg").read_text()
    code, out, _ = run_cli(capsys, "badge", "--project", "bert", "--format", "endpoint")
    assert json.loads(out)["message"] == "229 g CO2e"


def test_card_update(store, capsys, tmp_path):
    readme = tmp_path / "README.md"
    readme.write_text("---\nlicense: apache-2.0\n---\n# Model\n")
    code, _, err = run_cli(capsys, "card", "a1b2", "--training-type", "fine-tuning", "--update", str(readme))
    assert code == 0 and "updated co2_eq_emissions" in err
    card = ModelCard.load(readme)
    assert card.data.co2_eq_emissions["training_type"] == "fine-tuning"
    assert card.data.license == "apache-2.0" and card.text == "# Model\n"
    code, out, _ = run_cli(capsys, "card", "--project", "bert", "--json")
    assert json.loads(out)["co2_eq_emissions"]["emissions"] == pytest.approx(229.32, abs=0.01)


@pytest.mark.parametrize("fmt", ["text", "md", "html", "latex", "json"])
def test_report_formats(store, capsys, tmp_path, fmt):
    out_path = tmp_path / f"r.{fmt}"
    code, _, err = run_cli(capsys, "report", "last", "--format", fmt, "--out", str(out_path), "--no-whatif")
    assert code == 0, err
    text = out_path.read_text()
    assert "ffee0011" in text or "ffee0011223344556677889900aabbcc" in text
    if fmt == "html":
        assert text.count("data:image/png;base64,") == 4


def test_report_project_and_series_whatif(store, capsys, tmp_path):
    code, out, _ = run_cli(capsys, "report", "--project", "bert", "--format", "md")
    assert code == 0 and "2 runs" in out and "Compute and emissions statement" in out
    series = tmp_path / "fr.csv"
    start = store.get("ffee").started_at
    lines = ["datetime,carbon_intensity"]
    from datetime import timedelta

    for h in range(30):
        lines.append(f"{(start + timedelta(hours=h)).strftime('%Y-%m-%dT%H:%M:%SZ')},{20 if h == 7 else 100}")
    series.write_text("\n".join(lines) + "\n")
    code, out, err = run_cli(capsys, "report", "ffee", "--format", "json", "--series", str(series))
    assert code == 0, err
    b = json.loads(out)["whatif"]["best_start"]
    assert b["available"] and b["delay_h"] == pytest.approx(7.0)


def test_export_csv_json_and_unwritable(store, capsys, tmp_path):
    code, out, _ = run_cli(capsys, "export", "--format", "csv", "--project", "bert")
    rows = list(csv.DictReader(out.splitlines()))
    assert code == 0 and len(rows) == 2 and list(rows[0]) == list(COLUMNS)
    assert rows[0]["run_id"] == "a1b2c3d4e5f60718293a4b5c6d7e8f90"  # oldest first
    assert float(rows[0]["energy_consumed"]) == pytest.approx(2.6)
    assert rows[1]["gpu_energy"] == ""  # unreadable GPU stays empty
    code, _, _ = run_cli(capsys, "export", "--format", "json", "--out", str(tmp_path / "runs.json"))
    assert [r["id"][:4] for r in json.loads((tmp_path / "runs.json").read_text())] == ["a1b2", "ffee"]


def test_export_to_a_read_only_folder(store, capsys, tmp_path):
    locked = tmp_path / "locked"
    locked.mkdir()
    os.chmod(locked, 0o500)
    try:
        if os.access(locked, os.W_OK):
            pytest.skip("running as a user who can write anywhere (root)")
        code, _, err = run_cli(capsys, "export", "--out", str(locked / "x.csv"))
        assert code == 2 and "cannot write" in err and os.listdir(locked) == []
    finally:
        os.chmod(locked, 0o700)


def test_export_to_a_missing_parent_under_a_file_fails_cleanly(store, capsys, tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    code, _, err = run_cli(capsys, "export", "--out", str(blocker / "sub" / "x.csv"))
    assert code == 2 and err.startswith("carbontrail: error: cannot write") and err.count("\n") == 1
    assert blocker.read_text() == "x"


def test_import_codecarbon_then_list_and_report(capsys, tmp_path):
    code, out, _ = run_cli(capsys, "import", "codecarbon", str(FIXTURES / "codecarbon-edited.csv"), "--project", "cc")
    assert code == 0
    assert "line 4: NOT imported" in out and "skipped my_note: unknown column" in out
    assert "imported 2 of 3 rows" in out
    code, out, _ = run_cli(capsys, "runs", "list", "--project", "cc", "--json")
    assert {r["source"] for r in json.loads(out)["runs"]} == {"codecarbon"}
    code, out, _ = run_cli(capsys, "report", "last", "--format", "text", "--no-whatif")
    assert code == 0 and "imported from CodeCarbon" in out
    code, out, err = run_cli(capsys, "import", "codecarbon", str(tmp_path / "nope.csv"))
    assert code == 2 and "file not found" in err


def test_plot_command(store, capsys, tmp_path):
    code, _, err = run_cli(capsys, "plot", "a1b2", "ffee", "--kind", "compare", "--out", str(tmp_path / "c.svg"))
    assert code == 0 and (tmp_path / "c.svg").read_text().lstrip().startswith("<?xml")
    code, _, err = run_cli(capsys, "plot", "a1b2", "--kind", "power", "--out", str(tmp_path / "c.gif"))
    assert code == 2 and ".png or .svg" in err


def test_failed_write_leaves_nothing_behind(tmp_path, monkeypatch):
    from carbontrail.errors import ConfigError
    from carbontrail.report import select

    target = tmp_path / "out.csv"
    target.write_text("old complete file\n")

    def boom(src, dst):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(select.os, "replace", boom)
    with pytest.raises(ConfigError, match="No space left on device; nothing was written"):
        select.write_output(target, "new,data\n" * 1000)
    assert target.read_text() == "old complete file\n" and os.listdir(tmp_path) == ["out.csv"]


def test_project_html_report_embeds_the_comparison(store, capsys, tmp_path):
    code, _, err = run_cli(capsys, "report", "--project", "bert", "--format", "html", "--out", str(tmp_path / "p.html"))
    page = (tmp_path / "p.html").read_text()
    assert code == 0 and page.count("data:image/png;base64,") == 1 and "2 runs" in page
