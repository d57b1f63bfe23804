"""`carbontrail doctor` as a user runs it (click runner, fake powercap tree)."""

from __future__ import annotations

import json

from click.testing import CliRunner

from carbontrail.cli import cli

from .conftest import PowercapTree


def test_doctor_json_without_rapl_names_the_model_and_location(monkeypatch):
    monkeypatch.setenv("CARBONTRAIL_LOCATION", "FR")
    r = CliRunner().invoke(cli, ["doctor", "--json", "--seconds", "0"])
    assert r.exit_code == 0, r.output
    data = json.loads(r.output)
    s = data["sensors"]
    assert s["rapl"]["state"] == "absent"
    assert s["cpu_model"]["used"] is True
    assert s["cpu_model"]["devices"][0]["method"] in ("modelled", "defaulted")
    assert s["ram_model"]["used"] is True
    assert data["location"]["location"]["code"] == "FR"
    assert "CARBONTRAIL_LOCATION" in data["location"]["location"]["how"]


def test_doctor_text_with_rapl_tree_and_test_read(tmp_path, monkeypatch):
    pc = PowercapTree(tmp_path / "pc")
    pc.zone("intel-rapl:0", "package-0", 10)
    pc.zone("intel-rapl:0:0", "core", 10)
    pc.zone("intel-rapl:0:2", "dram", 10)
    monkeypatch.setenv("CARBONTRAIL_POWERCAP_ROOT", str(pc.root))
    monkeypatch.setenv("CARBONTRAIL_LOCATION", "DE")
    r = CliRunner().invoke(cli, ["doctor", "--seconds", "0.01"])
    assert r.exit_code == 0, r.output
    assert "RAPL (" in r.output and ": ok: readable: rapl:package-0, rapl:dram-0" in r.output
    assert "part of its package" in r.output          # core listed, not added
    assert "CPU model: not needed (RAPL counters measure the CPU)" in r.output
    assert "RAM model: not needed (RAPL dram domain)" in r.output
    assert "Test read over" in r.output and "rapl:package-0" in r.output
    assert "DE" in r.output


def test_doctor_shows_the_fix_for_an_unreadable_counter(tmp_path, monkeypatch):
    pc = PowercapTree(tmp_path / "pc")
    where = pc.zone("intel-rapl:0", "package-0", 10)
    (where / "energy_uj").unlink()
    (where / "energy_uj").mkdir()                     # unreadable even for root
    monkeypatch.setenv("CARBONTRAIL_POWERCAP_ROOT", str(pc.root))
    r = CliRunner().invoke(cli, ["doctor", "--seconds", "0"])
    assert r.exit_code == 0, r.output
    assert ": error: cannot read" in r.output
    assert "CPU model: used" in r.output
    assert "No energy counter is readable here" in r.output


def test_doctor_bad_location_is_reported_not_fatal(monkeypatch):
    monkeypatch.setenv("CARBONTRAIL_LOCATION", "Atlantis")
    r = CliRunner().invoke(cli, ["doctor", "--seconds", "0"])
    assert r.exit_code == 0, r.output
    assert "error: unknown location 'Atlantis'" in r.output
