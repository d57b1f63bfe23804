from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest
from report_records import gpu_run, series_run

from carbontrail.errors import ConfigError, DataError
from carbontrail.report.plots import make_plot, save


def test_power_has_one_line_per_component():
    ax = make_plot("power", [gpu_run()]).axes[0]
    assert ax.get_xlabel() == "time since start [min]" and ax.get_ylabel() == "power [W]"
    assert sorted(line.get_label() for line in ax.get_lines()) == ["cpu", "gpu", "ram"]
    gpu = next(line for line in ax.get_lines() if line.get_label() == "gpu")
    assert set(gpu.get_ydata()) == {2000.0}
    assert gpu.get_xdata()[0] == 0.0 and gpu.get_xdata()[-1] == 60.0


def test_cumulative_emissions_end_at_the_total():
    rec = gpu_run()
    line = make_plot("emissions", [rec]).axes[0].get_lines()[0]
    assert line.get_ydata()[0] == 0.0 and line.get_ydata()[-1] == pytest.approx(rec.emissions_g)


def test_intensity_follows_the_timeline():
    ax = make_plot("intensity", [series_run()]).axes[0]
    assert ax.get_ylabel() == "grid intensity [gCO2e/kWh]"
    assert list(ax.get_lines()[0].get_ydata()) == [40, 50, 60, 70, 80, 90, 90]
    assert "Electricity Maps" in ax.get_title()


def test_phases_and_compare_bars():
    ax = make_plot("phases", [gpu_run()]).axes[0]
    assert [p.get_height() for p in ax.patches] == pytest.approx([p.emissions_g for p in gpu_run().phases])
    ax = make_plot("compare", [gpu_run(), series_run()]).axes[0]
    assert ax.get_ylabel() == "emissions [g CO2e]"
    assert len(ax.patches) == 3 * 2  # cpu, gpu, ram stacked for two runs
    tops = {}
    for p in ax.patches:
        x = round(p.get_x(), 3)
        tops[x] = max(tops.get(x, 0.0), p.get_y() + p.get_height())
    assert sorted(tops.values()) == pytest.approx(sorted([gpu_run().emissions_g, series_run().emissions_g]))


def test_saved_files_are_real_png_and_svg(tmp_path):
    fig = make_plot("power", [gpu_run()])
    png = save(fig, tmp_path / "p.png")
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and png.stat().st_size > 5000
    svg = save(fig, tmp_path / "p.svg")
    assert ET.parse(svg).getroot().tag.endswith("svg")
    with pytest.raises(ConfigError, match=".png or .svg"):
        save(fig, tmp_path / "p.jpg")


def test_missing_data_is_a_clear_error():
    with pytest.raises(DataError, match="no timeline"):
        make_plot("power", [gpu_run(timeline=[])])
    with pytest.raises(DataError, match="no phases"):
        make_plot("phases", [gpu_run(phases=[])])
    with pytest.raises(ConfigError, match="unknown plot kind"):
        make_plot("pie", [gpu_run()])
