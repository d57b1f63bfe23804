"""Plots of runs with matplotlib (Agg backend, imported on first use): PNG or SVG by file extension.

Each ``plot_*`` function returns a matplotlib ``Figure`` (tests inspect its
axes); :func:`save` writes it atomically. Kinds: power per component over
time, cumulative emissions, intensity during the run, emissions per phase,
comparison bars across runs.
"""

from __future__ import annotations

import io
import os
from pathlib import Path
from typing import Any

from ..errors import ConfigError, DataError
from ..record import RunRecord

KINDS = ("power", "emissions", "intensity", "phases", "compare")
FORMATS = {".png": "png", ".svg": "svg"}


def _plt() -> Any:
    import matplotlib

    matplotlib.use("Agg", force=True)
    import matplotlib.pyplot as plt

    return plt


def _figure() -> tuple[Any, Any]:
    from matplotlib.figure import Figure

    _plt()
    fig = Figure(figsize=(7.0, 3.6), dpi=100, layout="constrained")
    return fig, fig.add_subplot(1, 1, 1)


def _need_timeline(rec: RunRecord, what: str) -> list[dict[str, Any]]:
    if not rec.timeline:
        raise DataError(f"run {rec.id[:8]} has no timeline, so there is no {what} over time to plot; "
                        "try --kind phases or a longer run")
    return rec.timeline


def _minutes(rows: list[dict[str, Any]]) -> list[float]:
    """Interval edges [min]: each row's start (t_s - dt_s), then the last row's end."""
    edges = [(float(r["t_s"]) - float(r.get("dt_s") or 0.0)) / 60.0 for r in rows]
    return edges + [float(rows[-1]["t_s"]) / 60.0]


def _steps(ys: list[Any]) -> list[Any]:
    """Values for a 'post' step over :func:`_minutes` edges (the last value repeated)."""
    return list(ys) + [ys[-1]]


def plot_power(rec: RunRecord) -> Any:
    """Power [W] per component over the run (one line per component)."""
    rows = _need_timeline(rec, "power")
    fig, ax = _figure()
    comps = sorted({c for r in rows for c in (r.get("power_w") or r.get("energy_j") or {})})
    t = _minutes(rows)
    for c in comps:
        ys = []
        for r in rows:
            pw = r.get("power_w") or {}
            if c in pw:
                ys.append(pw[c])
            elif r.get("dt_s") and c in (r.get("energy_j") or {}):
                ys.append(r["energy_j"][c] / r["dt_s"])
            else:
                ys.append(float("nan"))
        ax.step(t, _steps(ys), where="post", label=c)
    ax.set_xlabel("time since start [min]")
    ax.set_ylabel("power [W]")
    ax.set_ylim(bottom=0)
    ax.set_title(f"Power per component, run {rec.id[:8]}")
    ax.legend(loc="upper right")
    return fig


def plot_emissions(rec: RunRecord) -> Any:
    """Cumulative emissions [g CO2e] over the run."""
    rows = _need_timeline(rec, "emissions")
    fig, ax = _figure()
    total, ys = 0.0, [0.0]
    for r in rows:
        total += float(r.get("emissions_g") or 0.0)
        ys.append(total)
    ax.plot(_minutes(rows), ys, color="tab:red")
    ax.set_ylim(bottom=0)
    ax.set_xlabel("time since start [min]")
    ax.set_ylabel("cumulative emissions [g CO2e]")
    ax.set_title(f"Cumulative emissions, run {rec.id[:8]}")
    return fig


def plot_intensity(rec: RunRecord) -> Any:
    """Grid intensity [gCO2e/kWh] used for each interval of the run, with its source."""
    rows = _need_timeline(rec, "intensity")
    fig, ax = _figure()
    vals = [r.get("intensity_g_per_kwh") for r in rows]
    ax.step(_minutes(rows), _steps([float("nan") if v is None else v for v in vals]), where="post",
            color="tab:green")
    ax.set_xlabel("time since start [min]")
    ax.set_ylabel("grid intensity [gCO2e/kWh]")
    src = (rec.intensity or {}).get("source") or "source unknown"
    ax.set_title(f"Grid intensity during run {rec.id[:8]} ({src})")
    ax.set_ylim(bottom=0)
    return fig


def plot_phases(rec: RunRecord) -> Any:
    """Emissions [g CO2e] per phase (one bar per phase)."""
    if not rec.phases:
        raise DataError(f"run {rec.id[:8]} has no phases; mark them with `with run.phase(name):`")
    fig, ax = _figure()
    ax.bar([p.path for p in rec.phases], [p.emissions_g for p in rec.phases], color="tab:orange")
    ax.set_xlabel("phase")
    ax.set_ylabel("emissions [g CO2e]")
    ax.set_title(f"Emissions per phase, run {rec.id[:8]}")
    ax.tick_params(axis="x", labelrotation=30)
    return fig


def plot_compare(records: list[RunRecord]) -> Any:
    """Emissions [g CO2e] per run, stacked by component share of the energy (one bar per run)."""
    if not records:
        raise ConfigError("give at least one run to compare")
    fig, ax = _figure()
    labels = [r.id[:8] for r in records]
    comps = sorted({c for r in records for c, v in r.components.items() if v.get("energy_j") is not None})
    bottom = [0.0] * len(records)
    for c in comps:
        vals = []
        for r in records:
            e = r.components.get(c, {}).get("energy_j")
            vals.append(r.emissions_g * e / r.energy_j if e is not None and r.energy_j > 0 else 0.0)
        ax.bar(labels, vals, bottom=bottom, label=c)
        bottom = [b + v for b, v in zip(bottom, vals)]
    if not comps:
        ax.bar(labels, [r.emissions_g for r in records], label="total")
    ax.set_xlabel("run")
    ax.set_ylabel("emissions [g CO2e]")
    ax.set_title("Emissions per run, split by component energy")
    ax.legend(loc="upper right")
    return fig


def make_plot(kind: str, records: list[RunRecord]) -> Any:
    """The figure of ``kind`` (one of :data:`KINDS`) for the first record (all records for 'compare')."""
    if kind not in KINDS:
        raise ConfigError(f"unknown plot kind {kind!r}; use one of {', '.join(KINDS)}")
    if kind == "compare":
        return plot_compare(records)
    return {"power": plot_power, "emissions": plot_emissions, "intensity": plot_intensity,
            "phases": plot_phases}[kind](records[0])


def figure_bytes(fig: Any, fmt: str) -> bytes:
    buf = io.BytesIO()
    fig.savefig(buf, format=fmt, metadata={"Software": None} if fmt == "png" else {"Date": None})
    return buf.getvalue()


def save(fig: Any, path: str | os.PathLike[str]) -> Path:
    """Write ``fig`` to ``path`` (PNG or SVG by extension) via a temp file and a rename."""
    target = Path(path)
    fmt = FORMATS.get(target.suffix.lower())
    if fmt is None:
        raise ConfigError(f"{target}: give a .png or .svg file name")
    from .select import write_output

    return write_output(target, figure_bytes(fig, fmt))
