"""The short, explained summary printed after a tracked run.

Every line says how its figure was obtained: the energy of each component
with its method (counter, integrated, modelled, defaulted, unavailable), the
emissions as energy x PUE x intensity with the intensity's source, year and
kind, and where the location came from.
"""

from __future__ import annotations

from typing import Any

from .record import RunRecord
from .units import format_duration, format_energy, format_mass

_METHOD_TEXT = {
    "counter": "hardware counter",
    "integrated": "power samples integrated",
    "modelled": "modelled",
    "defaulted": "DEFAULT figure (device unknown)",
    "replayed": "replayed from file",
    "unavailable": "UNAVAILABLE",
}


def _short(source: object) -> str:
    """First clause of a long source citation."""
    text = str(source or "")
    return text.split(",")[0].split(" (")[0].strip()


def _device_note(rec: RunRecord, component: str) -> str:
    """How a modelled or defaulted device figure was made, in a few words."""
    notes = []
    for d in rec.devices:
        if d["component"] != component or d["method"] not in {"modelled", "defaulted"}:
            continue
        det = d.get("details") or {}
        bits = []
        if det.get("idle_power_w") is not None and det.get("max_power_w") is not None:
            bits.append(f"{det['idle_power_w']:.1f}-{det['max_power_w']:.1f} W by CPU utilisation")
        if det.get("tdp_w_per_core"):
            bits.append(f"{det['tdp_w_per_core']:g} W/core x {det.get('cores', '?')}")
        elif det.get("tdp_w"):
            bits.append(f"TDP {det['tdp_w']:g} W")
        if det.get("matched"):
            bits.append(f"catalog row {det['matched']!r} ({det.get('match', 'match')})")
        if det.get("w_per_gb"):
            bits.append(f"{det['w_per_gb']} W/GB of {det.get('memory', 'memory used')}")
        src = det.get("tdp_source") or det.get("w_per_gb_source") or det.get("source")
        if src:
            bits.append(_short(src))
        if bits:
            notes.append(", ".join(bits))
    return "; ".join(notes)


def intensity_text(intensity: dict[str, Any]) -> str:
    """'56 g/kWh (OWID 2023, average, annual table)'."""
    mean = intensity.get("mean_g_per_kwh", intensity.get("g_per_kwh"))
    parts = []
    if intensity.get("source"):
        parts.append(str(intensity["source"]))
    if intensity.get("year") and str(intensity["year"]) not in str(intensity.get("source", "")):
        parts.append(str(intensity["year"]))
    if intensity.get("kind"):
        parts.append(str(intensity["kind"]))
    mode = intensity.get("mode") or intensity.get("method")
    if mode:
        parts.append({"table": "annual table", "series": "per-interval series", "live": "live provider",
                      "override": "user override"}.get(mode, str(mode)))
    value = f"{mean:.0f} g/kWh" if isinstance(mean, (int, float)) else "? g/kWh"
    if intensity.get("min_g_per_kwh") is not None and intensity.get("max_g_per_kwh") is not None \
            and intensity["max_g_per_kwh"] - intensity["min_g_per_kwh"] > 0.5:
        value += f" (range {intensity['min_g_per_kwh']:.0f}-{intensity['max_g_per_kwh']:.0f})"
    return f"{value} [{', '.join(parts)}]" if parts else value


def summary_lines(rec: RunRecord, where: str | None = None) -> list[str]:
    """The summary as lines of text (no trailing newlines)."""
    exit_txt = f", exit {rec.exit_code}" if rec.exit_code is not None else ""
    lines = [f"carbontrail: run {rec.id[:8]} {rec.status} in {format_duration(rec.duration_s)}{exit_txt}"]
    measured = rec.energy_measured
    if not measured:
        lines.append("  energy     UNAVAILABLE: no component could be read (not 0)")
    else:
        missing = f"; without unavailable {', '.join(rec.energy_unavailable)}" if rec.energy_unavailable else ""
        lines.append(f"  energy     {format_energy(rec.energy_j)} (IT equipment, before PUE{missing})")
    for comp in sorted(rec.components):
        c = rec.components[comp]
        if c.get("energy_j") is None:
            lines.append(f"    {comp:<5}    unavailable: could not be read (not counted as 0); "
                         "run `carbontrail doctor`")
            continue
        method = _METHOD_TEXT.get(c.get("method", ""), c.get("method", ""))
        note = _device_note(rec, comp)
        lines.append(f"    {comp:<5}    {format_energy(c['energy_j'])}  {method}" + (f" ({note})" if note else ""))
    if not rec.components:
        lines.append("    no sensor could measure anything: run `carbontrail doctor`")
    pue = rec.pue or {}
    total = format_mass(rec.emissions_g) if measured else "UNAVAILABLE (no energy measured)"
    lines.append(f"  emissions  {total} CO2e = energy x PUE {pue.get('value', 1):.2f}"
                 f" x {intensity_text(rec.intensity)}")
    lines.append(f"  PUE        {pue.get('value', 1):.2f} ({pue.get('source', '?')})")
    loc = rec.location or {}
    lines.append(f"  location   {loc.get('code', '?')} - {loc.get('name', '')} ({loc.get('how', '?')})")
    if rec.attributed and rec.attributed.get("cpu_share") is not None:
        a = rec.attributed
        lines.append(f"  process    {a['cpu_share'] * 100:.1f}% of CPU energy attributed to the job "
                     f"({format_energy(a['cpu_energy_j'])}, modelled by CPU time)")
    if rec.attributed and rec.attributed.get("gpus"):
        a = rec.attributed
        lines.append(f"  shared GPU {format_energy(a['gpu_job_energy_j'])} of {format_energy(a['gpu_device_energy_j'])} "
                     "GPU energy attributed to the job (modelled by per-process use; device energy counted above)")
    if rec.phases:
        lines.append("  phases")
        for p in rec.phases:
            depth = p.path.count("/")
            lines.append(f"    {'  ' * depth}{p.name:<20} {format_duration(p.duration_s):>12}  "
                         f"{format_energy(p.energy_total_j):>10}  {format_mass(p.emissions_g):>10}")
    for w in rec.warnings:
        lines.append(f"  warning: {w}")
    if where:
        lines.append(f"  saved to {where} (see `carbontrail runs show {rec.id[:8]}`)")
    return lines
