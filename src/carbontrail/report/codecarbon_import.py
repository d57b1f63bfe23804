"""Read a CodeCarbon ``emissions.csv`` (any schema version) into run records.

Every row becomes one run (source "codecarbon"); every component carries the
method ``imported`` and the provenance "imported from CodeCarbon". Units are
converted at the edge: energies [kWh] -> [J] (x 3.6e6), emissions [kg] -> [g].

Schemas seen over CodeCarbon's versions (header order differs; columns are
matched by name):

- 1.x: ``timestamp, experiment_id, project_name, duration, emissions,
  energy_consumed, country_name, country_iso_code, region, on_cloud,
  cloud_provider, cloud_region``. No per-component split, no PUE; its
  ``experiment_id`` is a fresh UUID per run, so it serves as the run id.
- 2.x: adds ``run_id``, powers and energies per cpu/gpu/ram, hardware,
  ``tracking_mode``, ``codecarbon_version`` and (2.2+) ``pue``.
- 3.x: adds ``experiment_id`` (the experiment), ``water_consumed``,
  utilisation columns, ``ram_used_gb`` and ``wue``.

Columns with no place in a run record (water, utilisation, coordinates ...)
and unknown columns are reported per row as skipped, never silently dropped.
CodeCarbon writes local time without a zone; such timestamps are taken as UTC
and the record says so.
"""

from __future__ import annotations

import csv
import os
import uuid
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from ..errors import DataError
from ..record import RunRecord, parse_time
from ..units import kg_to_g, kwh_to_j

PROVENANCE = "imported from CodeCarbon"
#: fixed namespace for ids derived from rows that have none or repeat one
_NS = uuid.UUID("3f0c6f5e-6f1b-4d8e-9b1e-2c6a1f0d9a41")

#: columns used to build the record
MAPPED = {"timestamp", "project_name", "run_id", "experiment_id", "duration", "emissions", "cpu_energy",
          "gpu_energy", "ram_energy", "energy_consumed", "country_name", "country_iso_code", "region",
          "cloud_provider", "cloud_region", "on_cloud", "os", "python_version", "codecarbon_version",
          "cpu_count", "cpu_model", "gpu_count", "gpu_model", "ram_total_size", "tracking_mode", "pue"}
#: columns recomputed from mapped ones (averages over the run), so nothing is lost
DERIVED = {"emissions_rate": "emissions / duration", "cpu_power": "cpu energy / duration",
           "gpu_power": "gpu energy / duration", "ram_power": "ram energy / duration"}
#: known columns a run record has no field for
NO_FIELD = {"water_consumed", "wue", "cpu_utilization_percent", "gpu_utilization_percent",
            "ram_utilization_percent", "ram_used_gb", "longitude", "latitude"}


@dataclass
class ImportedRow:
    """One CSV row: its record (None when the row could not be imported) and what was left out."""

    line: int
    record: RunRecord | None
    skipped: dict[str, str] = field(default_factory=dict)   # column -> why
    notes: list[str] = field(default_factory=list)
    error: str | None = None


def _num(row: dict[str, str], col: str) -> float | None:
    v = (row.get(col) or "").strip()
    if v == "":
        return None
    try:
        return float(v)
    except ValueError:
        return None


def _text(row: dict[str, str], col: str) -> str | None:
    v = (row.get(col) or "").strip()
    return v or None


def _location(row: dict[str, str]) -> dict[str, Any]:
    from ..errors import ConfigError
    from ..intensity.locations import resolve_location

    provider, region = _text(row, "cloud_provider"), _text(row, "cloud_region")
    iso = _text(row, "country_iso_code")
    for query in ([f"{provider}:{region}"] if provider and region else []) + ([iso] if iso else []):
        try:
            loc = resolve_location(query, how=PROVENANCE).to_dict()
            break
        except ConfigError:
            continue
    else:
        loc = {"code": iso or "?", "name": _text(row, "country_name") or "unknown", "how": PROVENANCE}
    if iso:
        loc["country_iso3"] = iso
    if _text(row, "country_name"):
        loc["country_name"] = _text(row, "country_name")
    if _text(row, "region"):
        loc["codecarbon_region"] = _text(row, "region")
    return loc


def _run_id(row: dict[str, str], has_run_id: bool, seen: set[str], line: int, path: str,
            notes: list[str]) -> str:
    raw = _text(row, "run_id") if has_run_id else _text(row, "experiment_id")
    try:
        rid = uuid.UUID(raw).hex if raw else None
    except ValueError:
        rid = None
    if rid is None or rid in seen:
        if rid is not None:
            notes.append(f"run id {raw} repeats an earlier row: a new id was derived")
        rid = uuid.uuid5(_NS, f"{os.path.basename(path)}:{line}:{raw}:{row.get('timestamp')}").hex
    seen.add(rid)
    return rid


def _components(row: dict[str, str], imp: ImportedRow) -> dict[str, dict[str, Any]]:
    comps: dict[str, dict[str, Any]] = {}
    gpu_listed = bool(_text(row, "gpu_model")) or (_num(row, "gpu_count") or 0) > 0
    for comp in ("cpu", "gpu", "ram"):
        col = f"{comp}_energy"
        if col not in row:
            continue
        kwh = _num(row, col)
        if kwh is None:
            if _text(row, col):
                imp.skipped[col] = f"unreadable value {row[col]!r}"
            continue
        if comp == "gpu" and kwh == 0 and not gpu_listed:
            imp.notes.append("gpu_energy 0 with no GPU listed: no GPU component (not a reading of 0)")
            continue
        comps[comp] = {"energy_j": kwh_to_j(kwh), "method": "imported", "provenance": PROVENANCE,
                       "devices": []}
    return comps


def _row_record(row: dict[str, str], line: int, path: str, has_run_id: bool, seen: set[str],
                version: str) -> ImportedRow:
    imp = ImportedRow(line=line, record=None)
    ended = None
    try:
        ended = parse_time(_text(row, "timestamp"))
    except ValueError:
        pass
    emissions_kg = _num(row, "emissions")
    if ended is None or emissions_kg is None:
        bad = "timestamp" if ended is None else "emissions"
        imp.error = f"no readable {bad} ({row.get(bad)!r}): row not imported"
        return imp
    duration = _num(row, "duration")
    if duration is None:
        imp.notes.append("no duration: taken as 0 s")
        duration = 0.0
    comps = _components(row, imp)
    total_kwh = _num(row, "energy_consumed")
    if total_kwh is None and comps:
        total_j = sum(c["energy_j"] for c in comps.values())
        imp.notes.append("no energy_consumed: total is the sum of cpu/gpu/ram")
    elif total_kwh is None:
        total_j = 0.0
        comps = {"other": {"energy_j": None, "method": "unavailable", "provenance": PROVENANCE, "devices": []}}
        imp.notes.append("no energy figure in the row: energy unavailable")
    else:
        total_j = kwh_to_j(total_kwh)
        if not comps:
            comps = {"other": {"energy_j": total_j, "method": "imported", "provenance": PROVENANCE,
                               "devices": [], "note": "total only: this CodeCarbon version gave no cpu/gpu/ram split"}}
    pue = _num(row, "pue")
    pue_d = ({"value": pue, "source": f"CodeCarbon file ({PROVENANCE})"} if pue is not None else
             {"value": 1.0, "source": "no pue column: CodeCarbon before 2.2 applied no PUE (1.0)"})
    emissions_g = kg_to_g(emissions_kg)
    kwh_pue = total_j / 3.6e6 * pue_d["value"]
    intensity: dict[str, Any] = {"source": f"CodeCarbon {version}", "kind": "average", "method": "imported",
                                 "provenance": PROVENANCE, "year": None,
                                 "note": "derived as emissions / (energy x PUE); CodeCarbon's own source not in the file"}
    if kwh_pue > 0:
        intensity["mean_g_per_kwh"] = emissions_g / kwh_pue
    cols = set(row)
    for c in sorted(cols - MAPPED):
        if c in DERIVED:
            continue  # recomputed from energy and duration, nothing lost
        value = row.get(c)
        why = "no field in a carbontrail run record" if c in NO_FIELD else "unknown column"
        if value not in (None, ""):
            imp.skipped[c] = f"{why} (value {value!r})"
    hw = {"cpu_model": _text(row, "cpu_model"), "cpu_count": _num(row, "cpu_count"),
          "gpu_count": _num(row, "gpu_count"), "gpu_model": _text(row, "gpu_model"),
          "ram_total_gb": _num(row, "ram_total_size"), "os": _text(row, "os"), "python": _text(row, "python_version")}
    for k in ("cpu_count", "gpu_count"):
        if hw[k] is not None:
            hw[k] = int(hw[k])
    experiment = _text(row, "experiment_id") if has_run_id else None
    settings = {"imported_from": "CodeCarbon", "codecarbon_version": version, "file": os.path.basename(path),
                "line": line}
    if _text(row, "tracking_mode"):
        settings["scope"] = _text(row, "tracking_mode")
    warnings = [f"{PROVENANCE} {version} ({os.path.basename(path)}, line {line})"]
    from datetime import datetime

    if datetime.fromisoformat(_text(row, "timestamp") or "").tzinfo is None:
        warnings.append("CodeCarbon wrote the time without a zone; it was taken as UTC")
    imp.record = RunRecord(
        id=_run_id(row, has_run_id, seen, line, path, imp.notes), project=_text(row, "project_name") or "codecarbon",
        experiment=experiment, started_at=ended - timedelta(seconds=duration), status="completed",
        ended_at=ended, duration_s=duration, location=_location(row), intensity=intensity, pue=pue_d,
        hardware={k: v for k, v in hw.items() if v is not None}, components=comps, energy_j=total_j,
        energy_unavailable=sorted(c for c, v in comps.items() if v["energy_j"] is None),
        emissions_g=emissions_g, warnings=warnings, settings=settings, version=f"codecarbon {version}")
    return imp


def read_codecarbon_csv(path: str | os.PathLike[str], project: str | None = None) -> list[ImportedRow]:
    """Every row of a CodeCarbon ``emissions.csv`` as an :class:`ImportedRow` (in file order).

    ``project`` overrides the file's project name. Raises
    :class:`~carbontrail.errors.DataError` when the file is not a CodeCarbon CSV.
    """
    p = str(path)
    try:
        with open(p, newline="", encoding="utf-8-sig") as fh:
            reader = csv.DictReader(fh)
            header = reader.fieldnames or []
            rows = list(reader)
    except FileNotFoundError:
        raise DataError("file not found; give the path of CodeCarbon's emissions.csv", p) from None
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise DataError(f"cannot read as CSV ({exc})", p) from None
    missing = {"timestamp", "emissions"} - set(header)
    if missing:
        raise DataError(f"not a CodeCarbon emissions file: no {', '.join(sorted(missing))} column "
                        f"(header: {', '.join(header[:6])}...)", p, 1)
    has_run_id = "run_id" in header
    seen: set[str] = set()
    out = []
    for i, row in enumerate(rows, start=2):
        row = {k: v for k, v in row.items() if k is not None}
        version = _text(row, "codecarbon_version") or ("1.x (no version column)" if not has_run_id
                                                       else "2.x or later (no version column)")
        imp = _row_record(row, i, p, has_run_id, seen, version)
        if imp.record is not None and project:
            imp.record.project = project
        out.append(imp)
    return out
