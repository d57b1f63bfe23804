"""Golden files for the text, Markdown, LaTeX and JSON reports (fixed records and version)."""

from __future__ import annotations

import json

import pytest
from report_helpers import TOOL_VERSION, check_golden, fixed_candidates
from report_records import gpu_run, series_run

from carbontrail.report.facts import project_facts, run_facts
from carbontrail.report.latex import escape, render_latex
from carbontrail.report.render import render_json, render_markdown, render_text, statement
from carbontrail.report.whatif import whatif_for


def _facts(rec):
    return run_facts(rec, tool_version=TOOL_VERSION, whatif=whatif_for(rec, candidates=fixed_candidates()))


@pytest.mark.parametrize("name,rec", [("gpu", gpu_run), ("series", series_run)])
@pytest.mark.parametrize("fmt,render", [("txt", render_text), ("md", render_markdown), ("tex", render_latex),
                                        ("json", render_json)])
def test_run_report_golden(name, rec, fmt, render):
    check_golden(f"run-{name}.{fmt}", render(_facts(rec())))


@pytest.mark.parametrize("fmt,render", [("txt", render_text), ("md", render_markdown), ("tex", render_latex)])
def test_project_report_golden(fmt, render):
    f = project_facts([series_run(), gpu_run()], "bert", tool_version=TOOL_VERSION)
    check_golden(f"project.{fmt}", render(f))


def test_facts_carry_provenance_and_sci():
    f = _facts(gpu_run())
    assert f["emissions"]["g"] == pytest.approx(2.6 * 1.2 * 56.0)
    assert {c["component"]: c["method"] for c in f["energy"]["components"]} == {
        "cpu": "counter", "gpu": "integrated", "ram": "modelled"}
    assert f["intensity"]["source"] == "OWID 2023" and f["intensity"]["kind"] == "average"
    # embodied of 2 GPUs for 1 h: 2 x (150 + 2500/8) kg over 4 years (hardware catalog factors)
    assert f["embodied"]["estimated"] and f["embodied"]["emissions_g"] == pytest.approx(
        2 * 462.5e3 / (4 * 8760))
    sci = f["sci"]
    assert sci["per_unit_g"] == pytest.approx((f["emissions"]["g"] + f["embodied"]["emissions_g"]) / 50)
    assert json.loads(render_json(f))["run"]["id"] == gpu_run().id


def test_unavailable_component_is_never_zero():
    f = _facts(series_run())
    gpu = next(c for c in f["energy"]["components"] if c["component"] == "gpu")
    assert gpu["energy_j"] is None and gpu["share"] is None
    assert "unavailable" in render_text(f) and "gpu could not be measured" not in render_text(f)
    assert "Energy of gpu could not be measured and is not included" in statement(f)
    assert f["embodied"]["estimated"] is False and "not estimated" in f["embodied"]["reason"]
    assert f["sci"] is None


def test_statement_names_every_required_fact():
    s = statement(_facts(gpu_run()))
    for needle in ("2 x NVIDIA A100-SXM4-40GB", "1.00 hours", "2.600 kWh", "France (FR)", "OWID 2023",
                   "PUE) of 1.20", "174.72 g CO2e", TOOL_VERSION, "hardware energy counter"):
        assert needle in s, needle


def test_statement_of_a_tiny_run_never_rounds_to_zero():
    rec = series_run(duration_s=2.0, energy_j=13.5, emissions_g=0.000327)
    s = statement(run_facts(rec, tool_version=TOOL_VERSION))
    assert "2.0 s" in s and "13.5 J" in s and "0.327 mg CO2e" in s
    assert " 0.00" not in s and "0.000 kWh" not in s


def test_latex_table_of_a_tiny_run_never_says_0_00_h():
    """The LaTeX table printed 'Compute time & 0.00 h' for a 2-second run."""
    rec = series_run(duration_s=2.0, energy_j=13.5, emissions_g=0.000327)
    tex = render_latex(run_facts(rec, tool_version=TOOL_VERSION))
    assert "Compute time & 2.0 s" in tex and "0.00 h" not in tex


def test_latex_escapes_specials():
    assert escape("50% of run_1 & $x#") == r"50\% of run\_1 \& \$x\#"
    tex = render_latex(_facts(gpu_run(command=["python", "a_b.py"], experiment="x_y")))
    assert "\\begin{tabular}" in tex and "CO\\textsubscript{2}" in tex
