"""Side-by-side comparison of runs: energy, emissions, duration, per component and per phase,
ratios against the first run, and each run's greener what-if (its cleanest region).
"""

from __future__ import annotations

from typing import Any

from ..record import RunRecord
from ..units import format_duration, format_energy
from .render import fmt_mass


def _ratio(x: float | None, base: float | None) -> float | None:
    if x is None or base is None or base == 0:
        return None
    return x / base


def compare_facts(records: list[RunRecord], whatifs: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    """The comparison as a JSON-ready dict; ratios are against ``records[0]``.

    ``whatifs`` (one per record, from :func:`carbontrail.report.whatif.whatif_for`)
    adds each run's greener alternative.
    """
    base = records[0]
    comps = sorted({c for r in records for c in r.components})
    phases = list(dict.fromkeys(p.path for r in records for p in r.phases))
    runs = []
    for i, r in enumerate(records):
        by_comp = {c: r.components.get(c, {}).get("energy_j") for c in comps}
        by_phase = {}
        for path in phases:
            ph = next((p for p in r.phases if p.path == path), None)
            by_phase[path] = None if ph is None else {"energy_j": ph.energy_total_j, "emissions_g": ph.emissions_g,
                                                      "duration_s": ph.duration_s}
        row: dict[str, Any] = {
            "id": r.id, "project": r.project, "experiment": r.experiment,
            "started_at": r.started_at.isoformat(), "location": (r.location or {}).get("code"),
            "intensity_g_per_kwh": (r.intensity or {}).get("mean_g_per_kwh"),
            "intensity_source": (r.intensity or {}).get("source"),
            "duration_s": r.duration_s, "energy_j": r.energy_j, "emissions_g": r.emissions_g,
            "energy_by_component_j": by_comp, "phases": by_phase,
            "ratios": {"duration": _ratio(r.duration_s, base.duration_s), "energy": _ratio(r.energy_j, base.energy_j),
                       "emissions": _ratio(r.emissions_g, base.emissions_g),
                       "components": {c: _ratio(by_comp[c], base.components.get(c, {}).get("energy_j")) for c in comps}},
        }
        if whatifs is not None:
            w = whatifs[i]
            best = (w.get("regions") or [None])[0]
            row["greener"] = None if best is None else {
                "where": best["code"], "emissions_g": best["emissions_g"],
                "saving": 1 - best["emissions_g"] / r.emissions_g if r.emissions_g > 0 else None,
                "figures": f"{best['g_per_kwh']:g} g/kWh ({best['intensity_source']}) x PUE {best['pue']:g}"}
            row["best_start"] = w.get("best_start")
        runs.append(row)
    return {"kind": "compare", "baseline": base.id, "components": comps, "phases": phases, "runs": runs}


def _r(x: float | None) -> str:
    return "-" if x is None else f"x{x:.2f}"


def render_compare_text(c: dict[str, Any]) -> str:
    """A table per topic: totals, components, phases, greener options."""
    runs = c["runs"]
    ids = [r["id"][:8] for r in runs]
    w = 19
    head = f"{'':<22}" + "".join(f"{i:>{w}}" for i in ids)
    lines = [f"comparing {len(runs)} runs (ratios against {ids[0]})", head]

    def row(label: str, vals: list[str]) -> None:
        lines.append(f"{label:<22}" + "".join(f"{v:>{w}}" for v in vals))

    row("duration", [format_duration(r["duration_s"]) for r in runs])
    row("  ratio", [_r(r["ratios"]["duration"]) for r in runs])
    row("energy", [format_energy(r["energy_j"]) for r in runs])
    row("  ratio", [_r(r["ratios"]["energy"]) for r in runs])
    row("emissions CO2e", [fmt_mass(r["emissions_g"]) for r in runs])
    row("  ratio", [_r(r["ratios"]["emissions"]) for r in runs])
    row("location", [str(r["location"]) for r in runs])
    row("intensity g/kWh", ["?" if r["intensity_g_per_kwh"] is None else f"{r['intensity_g_per_kwh']:.0f}"
                            for r in runs])
    for comp in c["components"]:
        row(f"energy {comp}", ["unavailable" if r["energy_by_component_j"][comp] is None
                               else format_energy(r["energy_by_component_j"][comp]) for r in runs])
    for ph in c["phases"]:
        row(f"phase {ph}"[:22], ["-" if r["phases"][ph] is None else fmt_mass(r["phases"][ph]["emissions_g"])
                                 for r in runs])
    if runs and "greener" in runs[0]:
        row("greener: where", ["-" if r["greener"] is None else r["greener"]["where"][:w - 1] for r in runs])
        row("greener: CO2e", ["-" if r["greener"] is None else fmt_mass(r["greener"]["emissions_g"]) for r in runs])
        for r in runs:
            if r["greener"]:
                sv = r['greener']['saving']
                lines.append(f"  {r['id'][:8]} greener: {r['greener']['where']} at {r['greener']['figures']}"
                             + (f", {sv * 100:.0f}% less" if sv is not None else ""))
            b = r.get("best_start") or {}
            lines.append(f"  {r['id'][:8]} best start within 24 h: "
                         + (f"{b['start']} ({fmt_mass(b['emissions_g'])})" if b.get("available")
                            else f"not computed: {b.get('reason')}"))
    return "\n".join(lines) + "\n"
