"""Text, Markdown and JSON renderings of report facts (see :mod:`carbontrail.report.facts`).

The compute-and-emissions statement (:func:`statement`) is the paragraph a
paper can print: hardware, hours, energy, location, intensity source, PUE,
emissions, tool version and method notes.
"""

from __future__ import annotations

import json
from typing import Any

from ..units import format_duration, format_energy, format_mass
from .facts import hardware_line


def fmt_mass(mass_g: float) -> str:
    """CO2e mass for reports: like units.format_mass, with three significant figures below 1 g."""
    if 0 < mass_g < 1:
        from .badge import mass_text

        return mass_text(mass_g)
    return format_mass(mass_g)


def fmt_hours(duration_s: float) -> str:
    """'1.00 hours' from 0.1 h up, else '2.0 s' / '5 min 3 s'."""
    h = duration_s / 3600.0
    return f"{h:.2f} hours" if h >= 0.1 else format_duration(duration_s)


def _g(x: float | None, fmt: str = "{:.0f}") -> str:
    return "?" if x is None else fmt.format(x)


def intensity_label(i: dict[str, Any]) -> str:
    """'56 gCO2e/kWh (OWID 2023, average, table)'."""
    bits = [str(i["source"])] if i.get("source") else []
    if i.get("year") and str(i["year"]) not in str(i.get("source", "")):
        bits.append(str(i["year"]))
    bits += [str(i[k]) for k in ("kind", "mode") if i.get(k)]
    rng = ""
    if i.get("min_g_per_kwh") is not None and i.get("max_g_per_kwh") is not None \
            and i["max_g_per_kwh"] - i["min_g_per_kwh"] > 0.5:
        rng = f", range {i['min_g_per_kwh']:.0f}-{i['max_g_per_kwh']:.0f}"
    return f"{_g(i.get('mean_g_per_kwh'))} gCO2e/kWh ({', '.join(bits) or 'source unknown'}{rng})"


def _method_notes(f: dict[str, Any]) -> list[str]:
    notes = []
    for c in f["energy"]["components"]:
        what = "unavailable, not counted" if c["energy_j"] is None else c["method_text"]
        notes.append(f"{c['component']}: {what}")
    return notes


def statement(f: dict[str, Any]) -> str:
    """One paragraph (plain text) for a paper's compute and emissions statement."""
    if f["kind"] == "project":
        return (f"The {f['runs_count']} runs of project {f['project']} ran on {'; '.join(f['hardware'])} for "
                f"{fmt_hours(f['duration_s'])} in total at {', '.join(f['locations'])}. They used "
                f"{format_energy(f['energy']['total_j'])} of electricity and emitted {fmt_mass(f['emissions']['g'])} CO2e "
                f"(location-based; grid intensity from {'; '.join(f['intensity_sources']) or 'unknown sources'}; "
                f"PUE {', '.join(f'{v:g} ({s})' for v, s in f['pue'])}). "
                f"Figures measured with {f['tool']['name']} {f['tool']['version']}.")
    run, e, i, p = f["run"], f["energy"], f["intensity"], f["pue"]
    loc = f["location"]
    src = i.get("source") or "an unknown source"
    year = f" {i['year']}" if i.get("year") and str(i["year"]) not in str(src) else ""
    emb = f["embodied"]
    emb_txt = (f" Embodied emissions allocated to the run: {fmt_mass(emb['emissions_g'])} CO2e ({emb['scope']})."
               if emb.get("estimated") else " Embodied (manufacturing) emissions were not estimated.")
    unavailable = (f" Energy of {', '.join(e['unavailable'])} could not be measured and is not included."
                   if e["unavailable"] else "")
    return (f"The experiments ran on {hardware_line(f['hardware'])} for {fmt_hours(run['duration_s'])} "
            f"in {loc.get('name') or loc.get('code') or 'an unknown location'} ({loc.get('code')}). "
            f"They used {format_energy(e['total_j'])} of electricity ({'; '.join(_method_notes(f))}). "
            f"With a power usage effectiveness (PUE) of {p['value']:.2f} ({p['source']}) and a grid carbon "
            f"intensity of {_g(i.get('mean_g_per_kwh'))} gCO2e/kWh ({src}{year}, {i.get('kind') or 'kind unknown'}), "
            f"the runs emitted {fmt_mass(f['emissions']['g'])} CO2e (location-based).{unavailable}{emb_txt} "
            f"Measured with {f['tool']['name']} {f['tool']['version']}.")


def render_json(f: dict[str, Any]) -> str:
    return json.dumps(f, indent=2, sort_keys=False, default=str) + "\n"


def gk(x: float) -> str:
    """An intensity [gCO2e/kWh] with one decimal below 10."""
    return f"{x:.1f}" if x < 10 else f"{x:.0f}"


def _whatif_lines(w: dict[str, Any]) -> list[str]:
    out = []
    here = w.get("here")
    if here:
        out.append(f"{here['code']} with its annual figure: {fmt_mass(here['emissions_g'])} CO2e at {gk(here['g_per_kwh'])} g/kWh "
                   f"({here['intensity_source']}) x PUE {here['pue']:.2f}")
    for r in w.get("regions", []):
        out.append(f"{r['code']:<22} {fmt_mass(r['emissions_g']):>10} CO2e  {gk(r['g_per_kwh'])} g/kWh "
                   f"({r['intensity_source']}) x PUE {r['pue']:.2f}")
    b = w.get("best_start") or {}
    if b.get("available"):
        out.append(f"best start within {b['window_h']:.0f} h: {b['start']} (+{b['delay_h']:.1f} h), "
                   f"{fmt_mass(b['emissions_g'])} instead of {fmt_mass(b['baseline_emissions_g'])} "
                   f"({b['saving'] * 100:.0f}% less; {b['series_source']}, {b['series_kind']})")
    elif b:
        out.append(f"best start within 24 h: not computed: {b['reason']}")
    return out


def render_text(f: dict[str, Any]) -> str:
    """A plain-text report."""
    if f["kind"] == "project":
        return _project_text(f)
    run, e, i, p = f["run"], f["energy"], f["intensity"], f["pue"]
    lines = [f"carbontrail report: run {run['id'][:8]} ({run['project']}"
             + (f" / {run['experiment']}" if run["experiment"] else "") + f"), {run['status']}",
             f"  started    {run['started_at']}, ran {format_duration(run['duration_s'])}"]
    if run["command"]:
        lines.append(f"  command    {run['command']}")
    lines += [f"  where      {f['location'].get('code')} - {f['location'].get('name')} ({f['location'].get('how')})",
              f"  hardware   {hardware_line(f['hardware'])}",
              f"  energy     {format_energy(e['total_j'])} (IT equipment, before PUE)"]
    for c in e["components"]:
        if c["energy_j"] is None:
            lines.append(f"    {c['component']:<6} unavailable: could not be read (not counted as 0)")
        else:
            lines.append(f"    {c['component']:<6} {format_energy(c['energy_j']):>11} {c['share'] * 100:5.1f}%  "
                         f"{c['method_text']}")
    lines += [f"  emissions  {fmt_mass(f['emissions']['g'])} CO2e ({f['emissions']['basis']})",
              f"  intensity  {intensity_label(i)}",
              f"  PUE        {p['value']:.2f} ({p['source']})"]
    emb = f["embodied"]
    lines.append(f"  embodied   {fmt_mass(emb['emissions_g'])} CO2e ({emb['scope']}; {emb['source']})"
                 if emb.get("estimated") else f"  embodied   {emb['reason']}")
    if f.get("sci"):
        s = f["sci"]
        lines.append(f"  SCI        {fmt_mass(s['per_unit_g'])} CO2e per {s['unit']} over {s['units']:g} "
                     f"{s['unit']} ({s['formula']})")
    if f["phases"]:
        lines.append("  phases")
        for ph in f["phases"]:
            depth = ph["path"].count("/")
            lines.append(f"    {'  ' * depth}{ph['name']:<20} {format_duration(ph['duration_s']):>12} "
                         f"{format_energy(ph['energy_j']):>11} {fmt_mass(ph['emissions_g']):>10}")
    if f["equivalents"]:
        lines.append("  that is about")
        lines += [f"    {q['text']} ({q['source']}, {q['year']})" for q in f["equivalents"]]
    if f.get("whatif"):
        lines.append("  what if (same energy)")
        lines += [f"    {x}" for x in _whatif_lines(f["whatif"])]
    lines += [f"  warning: {w}" for w in f["warnings"]]
    lines.append(f"  {f['tool']['name']} {f['tool']['version']}")
    return "\n".join(lines) + "\n"


def _project_text(f: dict[str, Any]) -> str:
    lines = [f"carbontrail report: project {f['project']}, {f['runs_count']} runs "
             f"({f['first_started_at']} .. {f['last_started_at']})",
             f"  energy     {format_energy(f['energy']['total_j'])}, emissions {fmt_mass(f['emissions']['g'])} CO2e, "
             f"time {format_duration(f['duration_s'])}"]
    for c in f["energy"]["components"]:
        lines.append(f"    {c['component']:<6} {format_energy(c['energy_j']):>11}")
    if f["energy"]["unavailable_in_some_runs"]:
        lines.append(f"    unavailable in some runs (not counted): {', '.join(f['energy']['unavailable_in_some_runs'])}")
    lines.append("  runs")
    for r in f["runs"]:
        lines.append(f"    {r['id'][:8]} {r['started_at'][:19]} {format_duration(r['duration_s']):>12} "
                     f"{format_energy(r['energy_j']):>11} {fmt_mass(r['emissions_g']):>10}  {r['location']}")
    if f["equivalents"]:
        lines.append("  that is about")
        lines += [f"    {q['text']} ({q['source']}, {q['year']})" for q in f["equivalents"]]
    lines.append(f"  {f['tool']['name']} {f['tool']['version']}")
    return "\n".join(lines) + "\n"


def _md_escape(s: Any) -> str:
    return str(s).replace("|", "\\|")


def render_markdown(f: dict[str, Any]) -> str:
    """A Markdown report ending with the compute-and-emissions statement."""
    if f["kind"] == "project":
        rows = "\n".join(f"| {r['id'][:8]} | {r['started_at'][:19]} | {format_duration(r['duration_s'])} | "
                         f"{format_energy(r['energy_j'])} | {fmt_mass(r['emissions_g'])} | {r['location']} |"
                         for r in f["runs"])
        return (f"# Project {f['project']}: energy and emissions\n\n"
                f"{f['runs_count']} runs, {format_energy(f['energy']['total_j'])}, "
                f"**{fmt_mass(f['emissions']['g'])} CO2e**.\n\n"
                "| run | started (UTC) | duration | energy | CO2e | location |\n|---|---|---|---|---|---|\n"
                f"{rows}\n\n{_md_equivalents(f)}## Compute and emissions statement\n\n{statement(f)}\n")
    run, e, i, p = f["run"], f["energy"], f["intensity"], f["pue"]
    out = [f"# Run {run['id'][:8]}: energy and emissions\n",
           f"- **Project**: {_md_escape(run['project'])}" + (f" / {_md_escape(run['experiment'])}" if run["experiment"] else ""),
           f"- **Started**: {run['started_at']} ({format_duration(run['duration_s'])}, {run['status']})",
           f"- **Where**: {f['location'].get('name')} (`{f['location'].get('code')}`, {f['location'].get('how')})",
           f"- **Hardware**: {_md_escape(hardware_line(f['hardware']))}",
           f"- **Emissions**: **{fmt_mass(f['emissions']['g'])} CO2e** ({f['emissions']['basis']})",
           f"- **Grid intensity**: {_md_escape(intensity_label(i))}",
           f"- **PUE**: {p['value']:.2f} ({_md_escape(p['source'])})"]
    emb = f["embodied"]
    out.append(f"- **Embodied**: {fmt_mass(emb['emissions_g'])} CO2e ({_md_escape(emb['scope'])}; "
               f"{_md_escape(emb['source'])})" if emb.get("estimated") else f"- **Embodied**: {emb['reason']}")
    if f.get("sci"):
        s = f["sci"]
        out.append(f"- **SCI**: {fmt_mass(s['per_unit_g'])} CO2e per {s['unit']} ({s['formula']})")
    out.append("\n## Energy by component\n\n| component | energy | share | how it was obtained |\n|---|---|---|---|")
    for c in e["components"]:
        if c["energy_j"] is None:
            out.append(f"| {c['component']} | unavailable | - | could not be read (not counted as 0) |")
        else:
            out.append(f"| {c['component']} | {format_energy(c['energy_j'])} | {c['share'] * 100:.1f}% | "
                       f"{_md_escape(c['method_text'])} |")
    out.append(f"| **total** | **{format_energy(e['total_j'])}** | | IT equipment, before PUE |")
    if f["phases"]:
        out.append("\n## Phases\n\n| phase | duration | energy | CO2e | share |\n|---|---|---|---|---|")
        for ph in f["phases"]:
            share = f"{ph['share'] * 100:.1f}%" if ph["share"] is not None else "-"
            out.append(f"| {_md_escape(ph['path'])} | {format_duration(ph['duration_s'])} | "
                       f"{format_energy(ph['energy_j'])} | {fmt_mass(ph['emissions_g'])} | {share} |")
    out.append("")
    out.append(_md_equivalents(f).rstrip("\n"))
    if f.get("whatif"):
        out.append("\n## What if\n")
        out += [f"- {_md_escape(x)}" for x in _whatif_lines(f["whatif"])]
    if f["warnings"]:
        out.append("\n## Warnings\n")
        out += [f"- {_md_escape(w)}" for w in f["warnings"]]
    out.append(f"\n## Compute and emissions statement\n\n{statement(f)}\n")
    return "\n".join(out)


def _md_equivalents(f: dict[str, Any]) -> str:
    if not f["equivalents"]:
        return ""
    items = "\n".join(f"- {q['text']} ({_md_escape(q['source'])}, {q['year']})" for q in f["equivalents"])
    return f"## That is about\n\n{items}\n\n"
