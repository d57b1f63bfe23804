"""``carbontrail estimate`` and ``carbontrail hardware`` as a user runs them."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from carbontrail.cli import cli, main


def run(*args):
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def test_estimate_prints_every_part():
    r = run("estimate", "--hardware", "4xV100", "--hours", "6", "--location", "azure:westeurope",
            "--units", "1000", "--unit-name", "1k inferences")
    assert r.exit_code == 0, r.output
    for part in ("Energy", "PUE 1.185", "Operational (location-based)", "market-based", "Embodied",
                 "range", "SCI:", "per 1k inferences", "Same provider", "anywhere", "NVIDIA V100"):
        assert part in r.output, part


def test_estimate_json_matches_library():
    r = run("estimate", "-H", "8xH100-SXM", "--hours", "24", "--intensity", "100", "--pue", "1.2", "--json")
    d = json.loads(r.output)
    assert d["energy_kwh"] == pytest.approx(8 * 700 * 24 / 1000)
    assert d["operational_g"] == pytest.approx(d["energy_kwh"] * 1.2 * 100)
    assert d["range"]["low_g"] <= d["total_g"] <= d["range"]["high_g"]


def test_batch_cli(tmp_path):
    f = tmp_path / "jobs.csv"
    f.write_text("hardware,hours,location,user,project\n4xV100,10,FR,alice,nlp\nT4,5,DE,bob,cv\n")
    r = run("estimate", "--batch", str(f), "--group-by", "user", "--json")
    d = json.loads(r.output)
    assert set(d["totals"]) == {"alice", "bob", "TOTAL"} and d["totals"]["TOTAL"]["jobs"] == 2
    r = run("estimate", "--batch", str(f))
    assert "TOTAL" in r.output and "nlp" in r.output


def test_hardware_command():
    r = run("hardware", "H100", "--kind", "gpu")
    assert "H100-SXM" in r.output and "700 W" in r.output
    d = json.loads(run("hardware", "p4d", "--kind", "instance", "--json").output)
    assert d[0]["type"].startswith("p4d") and d[0]["gpu_count"] == 8 and d[0]["source"]


@pytest.mark.parametrize("args,text", [
    (["estimate", "-H", "4xH10", "--hours", "1"], "H100-SXM"),
    (["estimate", "-H", "4xV100", "--hours", "0"], "--hours"),
    (["estimate", "-H", "4xV100", "--hours", "1", "--utilization", "150%"], "utilization"),
    (["estimate", "-H", "4xV100", "--hours", "1", "--utilization", "1.5"], "utilization"),   # not 1.5 %
    (["estimate", "-H", "4xV100", "--hours", "1", "--utilization", "80"], "utilization"),    # not 80 %
    (["estimate", "-H", "4xV100", "--hours", "1", "--utilization", "0"], "utilization"),
    (["estimate", "-H", "T4", "--hours", "1", "--usage-rate", "1.5"], "usage rate"),
    (["estimate", "-H", "4xV100", "--hours", "1", "--pue", "0.8"], "pue"),
    (["estimate", "-H", "4xV100+ +T4", "--hours", "1"], "term"),
])
def test_bad_input_is_one_line_and_exit_2(args, text, capsys):
    with pytest.raises(SystemExit) as exc:
        main(args)
    assert exc.value.code == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("carbontrail: error:") and "\n" not in err and text in err


def test_utilization_fraction_and_percent_agree():
    out = []
    for u in ("0.8", "80%"):
        r = run("estimate", "-H", "4xV100", "--hours", "1", "--pue", "1", "--intensity", "100",
                "--no-alternatives", "--utilization", u, "--json")
        out.append(json.loads(r.output)["energy_kwh"])
    assert out[0] == out[1] == pytest.approx(4 * 300 * 0.8 / 1000)


def test_cli_reproduces_bloom_embodied_with_lifetime_and_usage_rate():
    """docs/estimate.md's BLOOM row needs --usage-rate 0.85, which the CLI did not accept."""
    r = run("estimate", "-H", "A100-SXM4-80GB", "--device-hours", "1082990", "--power", "400", "--pue", "1",
            "--intensity", "57", "--lifetime", "6", "--usage-rate", "0.85", "--no-alternatives", "--json")
    d = json.loads(r.output)
    assert d["embodied"]["usage_rate"] == 0.85
    assert d["embodied_g"] / 1e6 == pytest.approx(11.2, rel=0.005)
