"""The facts of a report: one plain, JSON-ready dict per run or project, every figure with its provenance.

Renderers (text, Markdown, LaTeX, HTML) only format these dicts; the JSON
report is the dict itself. Build with :func:`run_facts` or
:func:`project_facts`.

SCI (ISO/IEC 21031): ``SCI = (E x I + M) / R``; E x I is the run's
location-based operational emissions (with PUE), M the embodied emissions
allocated to the run when a cited figure exists, R the functional units the
run was given (``units``). Embodied emissions of GPUs follow
:mod:`carbontrail.estimate` (Luccioni, Viguier, Ligozat 2022: 150 kgCO2e per
GPU plus 1/8 of a 2,500 kgCO2e server, over the catalog's lifetime); the host
of a tracked run is not estimated, since a laptop and a rack server differ.
"""

from __future__ import annotations

from typing import Any

from ..record import RunRecord
from ..units import j_to_kwh
from .equivalents import pick_equivalents

HOURS_PER_YEAR = 8760.0

METHOD_TEXT = {
    "counter": "hardware energy counter",
    "integrated": "power samples integrated over time",
    "modelled": "modelled",
    "defaulted": "generic default (device unknown)",
    "replayed": "replayed from a recorded file",
    "imported": "imported from another tool",
    "unavailable": "unavailable (not counted as 0)",
}


#: What "modelled" means for each component (see docs/sensors.md).
MODELLED_TEXT = {
    "cpu": "modelled (CPU utilisation x catalog power)",
    "soc": "modelled (CPU utilisation x catalog power)",
    "ram": "modelled (W per GB x memory in use)",
    "gpu": "modelled (attributed share of the device)",
}


def _method_text(component: str, method: str) -> str:
    if method == "modelled":
        return MODELLED_TEXT.get(component, "modelled")
    return METHOD_TEXT.get(method, method)


def _component_rows(rec: RunRecord) -> list[dict[str, Any]]:
    total = rec.energy_j
    rows = []
    for comp in sorted(rec.components):
        c = rec.components[comp]
        e = c.get("energy_j")
        rows.append({
            "component": comp, "energy_j": e, "energy_kwh": j_to_kwh(e) if e is not None else None,
            "share": (e / total) if e is not None and total > 0 else None,
            "method": c.get("method", "unavailable"),
            "method_text": c.get("provenance") or _method_text(comp, c.get("method", "")),
            "note": c.get("note"),
            "devices": [d.get("name") or d.get("id") for d in rec.devices
                        if d.get("component") == comp and d.get("method") != "unavailable"],
        })
    return rows


def _phase_rows(rec: RunRecord) -> list[dict[str, Any]]:
    return [{"name": p.name, "path": p.path, "parent": p.parent, "duration_s": p.duration_s,
             "energy_j": p.energy_total_j, "energy_by_component_j": dict(p.energy_j),
             "emissions_g": p.emissions_g,
             "share": p.emissions_g / rec.emissions_g if rec.emissions_g > 0 else None}
            for p in rec.phases]


def cite(source: str) -> str:
    """A short citation from a long source text: 'Luccioni, Viguier, Ligozat 2022'."""
    import re

    m = re.match(r"^([^(:;]{0,60}?(?:19|20)\d\d)\b", source)
    return m.group(1) if m else source.split(" (")[0].split(":")[0][:60]


def embodied_for(rec: RunRecord) -> dict[str, Any]:
    """Embodied emissions allocated to the run [g], or why they are not estimated."""
    emb = (rec.settings or {}).get("embodied") if isinstance((rec.settings or {}).get("embodied"), dict) else None
    if emb and emb.get("emissions_g") is not None:
        return {"estimated": True, "emissions_g": float(emb["emissions_g"]), "items": emb.get("items", []),
                "source": emb.get("source", "given with the run"), "scope": emb.get("scope", "given")}
    gpus = int((rec.hardware or {}).get("gpu_count") or 0)
    hours = rec.duration_s / 3600.0
    if gpus <= 0:
        return {"estimated": False, "reason": "not estimated: no cited manufacture figure for this host "
                                              "(a laptop and a rack server differ)"}
    try:
        from ..hardware.catalog import factors
        f = factors()
        gpu, srv, life, usage = (f["embodied_gpu_kg"], f["embodied_gpu_server_kg"], f["lifetime_years"],
                                 f["usage_rate"])
    except (ImportError, KeyError, OSError) as exc:
        return {"estimated": False, "reason": f"not estimated: hardware catalog unavailable ({exc})"}
    per_gpu_kg = gpu["value"] + srv["value"] / srv["gpus_per_server"]
    g = gpus * per_gpu_kg * 1000.0 * hours / (life["value"] * HOURS_PER_YEAR * usage["value"])
    return {
        "estimated": True, "emissions_g": g, "scope": "GPUs and their share of a GPU server; the host's CPU and "
                                                    "memory beyond that are not included",
        "items": [{"name": f"{gpus} x GPU ({(rec.hardware or {}).get('gpu_model') or 'model unknown'})",
                   "footprint_kg": gpus * per_gpu_kg, "hours": hours}],
        "source": (f"{gpu['value']:g} kgCO2e per GPU + {srv['value']:g} kgCO2e per {srv['gpus_per_server']}-GPU "
                   f"server ({cite(gpu['source'])}), lifetime {life['value']:g} years ({cite(life['source'])}), "
                   f"usage rate {usage['value']:g}"),
        "sources": {"gpu": gpu["source"], "server": srv["source"], "lifetime": life["source"],
                    "usage_rate": usage["source"]},
    }


def sci_for(rec: RunRecord, embodied: dict[str, Any]) -> dict[str, Any] | None:
    """SCI per functional unit (ISO/IEC 21031) when the run has ``units``; None otherwise."""
    units = rec.units or {}
    count = units.get("count")
    if not count:
        return None
    m = embodied.get("emissions_g") if embodied.get("estimated") else None
    total = rec.emissions_g + (m or 0.0)
    return {
        "unit": units.get("name") or "unit", "units": float(count),
        "operational_g": rec.emissions_g, "embodied_g": m,
        "per_unit_g": total / float(count),
        "formula": "SCI = (E x I + M) / R" if m is not None else
                   "SCI = (E x I) / R, M not estimated (so this SCI is a lower bound)",
    }


def run_facts(rec: RunRecord, *, tool_version: str | None = None, whatif: dict[str, Any] | None = None,
              equivalents_n: int = 3) -> dict[str, Any]:
    """Every fact a run report shows, JSON-ready.

    ``whatif`` is the output of :func:`carbontrail.report.whatif.whatif_for`
    (left out when None); ``tool_version`` defaults to the installed version.
    """
    if tool_version is None:
        from .. import __version__ as tool_version  # noqa: N811
    intensity = dict(rec.intensity or {})
    mean = intensity.get("mean_g_per_kwh", intensity.get("g_per_kwh"))
    embodied = embodied_for(rec)
    hw = dict(rec.hardware or {})
    facts: dict[str, Any] = {
        "kind": "run",
        "run": {"id": rec.id, "project": rec.project, "experiment": rec.experiment, "status": rec.status,
                "started_at": rec.started_at.isoformat(),
                "ended_at": rec.ended_at.isoformat() if rec.ended_at else None,
                "duration_s": rec.duration_s, "duration_h": rec.duration_s / 3600.0,
                "command": " ".join(rec.command) if rec.command else None,
                "hostname": rec.hostname, "recorded_by": rec.version or None},
        "location": {"code": (rec.location or {}).get("code"), "name": (rec.location or {}).get("name"),
                     "how": (rec.location or {}).get("how")},
        "hardware": hw,
        "energy": {"total_j": rec.energy_j, "total_kwh": rec.energy_kwh,
                   "components": _component_rows(rec), "unavailable": list(rec.energy_unavailable)},
        "emissions": {"g": rec.emissions_g, "kg": rec.emissions_kg,
                      "basis": "location-based: energy x PUE x grid intensity, per interval"},
        "intensity": {"mean_g_per_kwh": mean, "min_g_per_kwh": intensity.get("min_g_per_kwh"),
                      "max_g_per_kwh": intensity.get("max_g_per_kwh"), "source": intensity.get("source"),
                      "year": intensity.get("year"), "kind": intensity.get("kind"),
                      "mode": intensity.get("mode") or intensity.get("method")},
        "pue": {"value": float((rec.pue or {}).get("value", 1.0)), "source": (rec.pue or {}).get("source")},
        "phases": _phase_rows(rec),
        "embodied": embodied,
        "sci": sci_for(rec, embodied),
        "equivalents": [e.to_dict() for e in pick_equivalents(rec.emissions_g, equivalents_n)],
        "warnings": list(rec.warnings),
        "tool": {"name": "carbontrail", "version": tool_version},
    }
    if rec.attributed and rec.attributed.get("cpu_share") is not None:
        facts["attributed"] = dict(rec.attributed)
    if whatif is not None:
        facts["whatif"] = whatif
    return facts


def project_facts(records: list[RunRecord], project: str, *, tool_version: str | None = None,
                  equivalents_n: int = 3) -> dict[str, Any]:
    """Totals over a project's runs plus one row per run (newest first as given)."""
    if tool_version is None:
        from .. import __version__ as tool_version  # noqa: N811
    energy = sum(r.energy_j for r in records)
    em = sum(r.emissions_g for r in records)
    comps: dict[str, float] = {}
    unavailable: set[str] = set()
    for r in records:
        for c, v in r.components.items():
            if v.get("energy_j") is None:
                unavailable.add(c)
            else:
                comps[c] = comps.get(c, 0.0) + float(v["energy_j"])
    sources = sorted({f"{r.intensity.get('source')} ({r.intensity.get('kind') or '?'})" for r in records
                      if r.intensity.get("source")})
    return {
        "kind": "project", "project": project, "runs_count": len(records),
        "first_started_at": min(r.started_at for r in records).isoformat() if records else None,
        "last_started_at": max(r.started_at for r in records).isoformat() if records else None,
        "duration_s": sum(r.duration_s for r in records),
        "energy": {"total_j": energy, "total_kwh": j_to_kwh(energy),
                   "components": [{"component": c, "energy_j": e, "share": e / energy if energy else None}
                                  for c, e in sorted(comps.items())],
                   "unavailable_in_some_runs": sorted(unavailable)},
        "emissions": {"g": em, "kg": em / 1000.0},
        "locations": sorted({str((r.location or {}).get("code")) for r in records}),
        "hardware": sorted({_hw_line(r.hardware or {}) for r in records}),
        "intensity_sources": sources,
        "pue": sorted({(float((r.pue or {}).get("value", 1.0)), str((r.pue or {}).get("source")))
                       for r in records}),
        "runs": [{"id": r.id, "started_at": r.started_at.isoformat(), "experiment": r.experiment,
                  "status": r.status, "duration_s": r.duration_s, "energy_j": r.energy_j,
                  "emissions_g": r.emissions_g, "location": (r.location or {}).get("code")} for r in records],
        "equivalents": [e.to_dict() for e in pick_equivalents(em, equivalents_n)],
        "tool": {"name": "carbontrail", "version": tool_version},
    }


def _hw_line(hw: dict[str, Any]) -> str:
    """'2 x NVIDIA A100, AMD EPYC 7763 (64 CPUs), 512 GB RAM'."""
    parts = []
    if hw.get("gpu_count"):
        parts.append(f"{hw['gpu_count']} x {hw.get('gpu_model') or 'GPU'}")
    if hw.get("cpu_model"):
        parts.append(f"{hw['cpu_model']}" + (f" ({hw['cpu_count']} CPUs)" if hw.get("cpu_count") else ""))
    if hw.get("ram_total_gb"):
        parts.append(f"{hw['ram_total_gb']:.0f} GB RAM")
    return ", ".join(parts) or "hardware not recorded"


hardware_line = _hw_line
