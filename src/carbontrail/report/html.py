"""A self-contained HTML report: one file, inline CSS, plots embedded as base64 PNG.

No external resource (no script, font, stylesheet or image URL); links to
sources are plain ``<a href>`` citations, not resources.
"""

from __future__ import annotations

import base64
import html
from typing import Any

from ..record import RunRecord
from ..units import format_duration, format_energy
from .facts import hardware_line
from .render import _whatif_lines, fmt_mass, intensity_label, statement

_CSS = """body{font:15px/1.45 system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:2rem auto;max-width:60rem;
color:#1b1f23;padding:0 1rem}h1{font-size:1.5rem}h2{font-size:1.15rem;margin-top:1.6rem;border-bottom:1px solid #ddd}
table{border-collapse:collapse;margin:.5rem 0}td,th{border:1px solid #ddd;padding:.25rem .6rem;text-align:left}
th{background:#f4f6f8}.big{font-size:1.6rem;font-weight:600;color:#14532d}.muted{color:#57606a;font-size:.9rem}
figure{margin:1rem 0}img{max-width:100%}.stmt{background:#f6f8fa;padding:.8rem 1rem;border-left:4px solid #2f855a}"""


def _e(x: Any) -> str:
    return html.escape(str(x))


def figure_html(fig: Any, alt: str) -> str:
    """A <figure> with ``fig`` embedded as a base64 PNG."""
    from .plots import figure_bytes

    data = base64.b64encode(figure_bytes(fig, "png")).decode("ascii")
    return f'<figure><img alt="{_e(alt)}" src="data:image/png;base64,{data}"></figure>'


def run_plots(rec: RunRecord) -> list[str]:
    """Embedded <figure> elements for what the record holds (timeline, phases)."""
    from . import plots

    out = []
    if rec.timeline:
        out.append(figure_html(plots.plot_power(rec), "power per component over time"))
        out.append(figure_html(plots.plot_emissions(rec), "cumulative emissions"))
        out.append(figure_html(plots.plot_intensity(rec), "grid intensity during the run"))
    if rec.phases:
        out.append(figure_html(plots.plot_phases(rec), "emissions per phase"))
    return out


def _table(head: list[str], rows: list[list[Any]]) -> str:
    th = "".join(f"<th>{_e(h)}</th>" for h in head)
    thead = f"<thead><tr>{th}</tr></thead>" if any(head) else ""
    trs = "".join("<tr>" + "".join(f"<td>{_e(c)}</td>" for c in r) + "</tr>" for r in rows)
    return f"<table>{thead}<tbody>{trs}</tbody></table>"


def render_html(f: dict[str, Any], figures: list[str] | None = None) -> str:
    """The report page; ``figures`` are pre-rendered <figure> elements (see :func:`run_plots`)."""
    figs = "\n".join(figures or [])
    if f["kind"] == "project":
        title = f"Project {f['project']}"
        body = (f"<p class=big>{_e(fmt_mass(f['emissions']['g']))} CO2e</p>"
                f"<p>{f['runs_count']} runs, {_e(format_energy(f['energy']['total_j']))}, "
                f"{_e(format_duration(f['duration_s']))}</p>"
                + _table(["run", "started (UTC)", "duration", "energy", "CO2e", "location"],
                         [[r["id"][:8], r["started_at"][:19], format_duration(r["duration_s"]),
                           format_energy(r["energy_j"]), fmt_mass(r["emissions_g"]), r["location"]]
                          for r in f["runs"]]))
    else:
        run, e = f["run"], f["energy"]
        title = f"Run {run['id'][:8]}"
        emb = f["embodied"]
        facts = [["project", run["project"] + (f" / {run['experiment']}" if run["experiment"] else "")],
                 ["started", f"{run['started_at']} ({format_duration(run['duration_s'])}, {run['status']})"],
                 ["where", f"{f['location'].get('name')} ({f['location'].get('code')}; {f['location'].get('how')})"],
                 ["hardware", hardware_line(f["hardware"])],
                 ["grid intensity", intensity_label(f["intensity"])],
                 ["PUE", f"{f['pue']['value']:.2f} ({f['pue']['source']})"],
                 ["embodied", f"{fmt_mass(emb['emissions_g'])} CO2e ({emb['scope']}; {emb['source']})"
                  if emb.get("estimated") else emb["reason"]]]
        if f.get("sci"):
            facts.append(["SCI", f"{fmt_mass(f['sci']['per_unit_g'])} CO2e per {f['sci']['unit']} "
                                 f"({f['sci']['formula']})"])
        comps = [[c["component"], "unavailable (not counted as 0)" if c["energy_j"] is None
                  else format_energy(c["energy_j"]), "-" if c["share"] is None else f"{c['share'] * 100:.1f}%",
                  c["method_text"]] for c in e["components"]]
        body = (f"<p class=big>{_e(fmt_mass(f['emissions']['g']))} CO2e</p>"
                f"<p>{_e(format_energy(e['total_j']))} of IT energy; {_e(f['emissions']['basis'])}</p>"
                + _table(["", ""], facts) + "<h2>Energy by component</h2>"
                + _table(["component", "energy", "share", "how it was obtained"], comps))
        if f["phases"]:
            body += "<h2>Phases</h2>" + _table(
                ["phase", "duration", "energy", "CO2e"],
                [[p["path"], format_duration(p["duration_s"]), format_energy(p["energy_j"]),
                  fmt_mass(p["emissions_g"])] for p in f["phases"]])
        if f.get("whatif"):
            body += "<h2>What if</h2><ul>" + "".join(f"<li>{_e(x)}</li>" for x in _whatif_lines(f["whatif"])) + "</ul>"
        if f["warnings"]:
            body += "<h2>Warnings</h2><ul>" + "".join(f"<li>{_e(w)}</li>" for w in f["warnings"]) + "</ul>"
    if f["equivalents"]:
        body += "<h2>That is about</h2><ul>" + "".join(
            f"<li>{_e(q['text'])} <span class=muted>({_e(q['source'])}, {q['year']})</span></li>"
            for q in f["equivalents"]) + "</ul>"
    if figs:
        body += "<h2>Plots</h2>" + figs
    body += f"<h2>Compute and emissions statement</h2><p class=stmt>{_e(statement(f))}</p>"
    return (f"<!doctype html>\n<html lang=en><head><meta charset=utf-8><title>{_e(title)}: energy and emissions"
            f"</title><style>{_CSS}</style></head><body><h1>{_e(title)}: energy and emissions</h1>\n{body}\n"
            f"<p class=muted>{_e(f['tool']['name'])} {_e(f['tool']['version'])}</p></body></html>\n")
