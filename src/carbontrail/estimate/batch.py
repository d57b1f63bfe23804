"""Estimate many jobs: a CSV of jobs or Slurm accounting output (``sacct --parsable2``).

CSV columns: ``hardware``, ``hours`` (or ``device_hours``), optional
``location``, ``user``, ``project``, ``utilization``, ``power_w``, ``pue``.

Slurm: ``sacct --allocations --parsable2 --format=JobID,User,Account,Elapsed,ElapsedRaw,AllocTRES,NodeList``
(pipe-separated with a header). Job steps (``123.batch``, ``123.0``) are
skipped so a job counts once. GPUs come from ``gres/gpu:TYPE=N`` in AllocTRES
(``--gpu-model`` names untyped ``gres/gpu=N``), CPU cores from ``cpu=N`` as a
share of ``--cpu-model`` (TDP / cores), memory from ``mem=``.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..config import Settings
from ..errors import CarbontrailError, DataError
from ..units import J_PER_KWH
from .calc import estimate
from .model import Estimate


@dataclass
class Job:
    """One job to estimate; ``line`` is its line in the input file (1-based)."""

    hardware: str
    hours: float | None
    device_hours: float | None = None
    location: str | None = None
    user: str = ""
    project: str = ""
    job_id: str = ""
    line: int = 0
    utilization: float | None = None
    power_w: float | None = None
    pue: float | None = None
    notes: list[str] = field(default_factory=list)          # parts not estimated
    assumptions: list[str] = field(default_factory=list)    # how input names were read


def detect_format(text: str) -> str:
    """"sacct" when the header is pipe-separated with Slurm columns, else "csv"."""
    head = text.lstrip().splitlines()[0] if text.strip() else ""
    if "|" in head and ("AllocTRES" in head or "Elapsed" in head):
        return "sacct"
    return "csv"


def _float(value: str, path: str, line: int, column: str) -> float | None:
    if value is None or value.strip() == "":
        return None
    try:
        return float(value.strip().rstrip("%")) / (100.0 if value.strip().endswith("%") else 1.0)
    except ValueError:
        raise DataError(f"cannot read number {value!r}", path, line, column) from None


def read_jobs_csv(text: str, path: str = "<jobs>") -> list[Job]:
    """Jobs from a CSV with a header (see module docstring)."""
    reader = csv.DictReader(io.StringIO(text))
    cols = {c.strip().lower(): c for c in (reader.fieldnames or [])}
    if "hardware" not in cols or not ({"hours", "device_hours"} & set(cols)):
        raise DataError("a jobs CSV needs the columns hardware and hours (or device_hours); "
                        f"found {', '.join(cols) or 'none'}", path, 1)
    jobs = []
    for n, row in enumerate(reader, start=2):
        get = {k: (row.get(orig) or "").strip() for k, orig in cols.items()}
        if not any(get.values()):
            continue
        if not get["hardware"]:
            raise DataError("empty hardware", path, n, "hardware")
        jobs.append(Job(hardware=get["hardware"], hours=_float(get.get("hours", ""), path, n, "hours"),
                        device_hours=_float(get.get("device_hours", ""), path, n, "device_hours"),
                        location=get.get("location") or None, user=get.get("user", ""),
                        project=get.get("project", "") or get.get("account", ""), job_id=get.get("job_id", ""),
                        line=n, utilization=_float(get.get("utilization", ""), path, n, "utilization"),
                        power_w=_float(get.get("power_w", ""), path, n, "power_w"),
                        pue=_float(get.get("pue", ""), path, n, "pue")))
    return jobs


def parse_elapsed(text: str) -> float:
    """Slurm elapsed ``[D-]HH:MM:SS``, ``MM:SS`` or ``MM:SS.mmm`` -> seconds [s]."""
    m = re.fullmatch(r"(?:(\d+)-)?(?:(\d+):)?(\d+):(\d+(?:\.\d+)?)", text.strip())
    if m is None:
        raise ValueError(f"cannot read elapsed time {text!r}; expected [D-]HH:MM:SS")
    d, h, mi, s = m.groups()
    return int(d or 0) * 86400 + int(h or 0) * 3600 + int(mi) * 60 + float(s)


def _tres(text: str) -> dict[str, str]:
    return dict(item.split("=", 1) for item in text.split(",") if "=" in item)


def _mem_gb(text: str) -> float:
    m = re.fullmatch(r"(\d+(?:\.\d+)?)([KMGTP]?)", text.strip().upper())
    if m is None:
        return 0.0
    scale = {"": 1 / 1024, "K": 1 / 1024**2, "M": 1 / 1024, "G": 1.0, "T": 1024.0, "P": 1024.0**2}[m.group(2)]
    return float(m.group(1)) * scale


def read_sacct(text: str, path: str = "<sacct>", gpu_model: str | None = None,
               cpu_model: str | None = None) -> list[Job]:
    """Jobs from ``sacct --parsable2`` output (see module docstring)."""
    lines = [ln for ln in text.splitlines() if ln.strip()]
    if not lines:
        return []
    header = lines[0].split("|")
    need = {"JobID", "AllocTRES"}
    if not need <= set(header) or not ({"Elapsed", "ElapsedRaw"} & set(header)):
        raise DataError("sacct output needs the columns JobID, AllocTRES and Elapsed or ElapsedRaw; run "
                        "sacct --parsable2 --format=JobID,User,Account,Elapsed,ElapsedRaw,AllocTRES,NodeList",
                        path, 1)
    cores = None
    if cpu_model:
        from ..hardware.cpus import find_cpu

        m = find_cpu(cpu_model)
        cores = m.cores if m is not None else None
    jobs = []
    for n, raw in enumerate(lines[1:], start=2):
        row = dict(zip(header, raw.split("|")))
        jid = row.get("JobID", "")
        if "." in jid:
            continue  # job steps repeat their job's allocation
        try:
            secs = float(row["ElapsedRaw"]) if row.get("ElapsedRaw") else parse_elapsed(row.get("Elapsed", ""))
        except ValueError as exc:
            raise DataError(str(exc), path, n, "Elapsed") from None
        if secs <= 0:
            continue  # never started: nothing reserved
        tres = _tres(row.get("AllocTRES", ""))
        terms, notes, assumptions = [], [], []
        typed = {k.split(":", 1)[1]: v for k, v in tres.items() if k.startswith("gres/gpu:")}
        if not typed and "gres/gpu" in tres:  # Slurm lists untyped and typed counts; typed wins
            if gpu_model is None:
                raise DataError(f"job {jid} has untyped GPUs (gres/gpu={tres['gres/gpu']}); give the model with "
                                "--gpu-model", path, n, "AllocTRES")
            typed = {gpu_model: tres["gres/gpu"]}
        untyped = gpu_model is not None and set(typed) == {gpu_model}
        for model, val in typed.items():
            terms.append(f"{int(float(val))}x{model}")
            if not untyped:
                from ..hardware.catalog import find_accelerator

                hit = find_accelerator(model)
                if hit is not None and hit.id.lower() != model.lower():
                    # a Slurm gres type is a site's own name: say which catalog row it became
                    assumptions.append(f"gres/gpu:{model} taken as {hit.id} ({hit.tdp_w:g} W)")
        ncpu = float(tres.get("cpu", 0) or 0)
        if ncpu and cpu_model:
            if not cores:
                raise DataError(f"the CPU catalog has no core count for {cpu_model!r}; give another --cpu-model",
                                path, n, "AllocTRES")
            terms.append(f"{ncpu / cores:.6g}xcpu:{cpu_model}")
        elif ncpu:
            notes.append(f"{ncpu:g} CPU cores not estimated: give --cpu-model")
        mem = _mem_gb(tres.get("mem", ""))
        if mem:
            terms.append(f"ram:{mem:.6g}GB")
        if not terms:
            continue
        jobs.append(Job(hardware="+".join(terms), hours=secs / 3600.0, user=row.get("User", ""),
                        project=row.get("Account", ""), job_id=jid, line=n, notes=notes,
                        assumptions=assumptions, location=None))
    return jobs


@dataclass
class BatchResult:
    """Each job with its estimate; ``totals(by)`` sums them per group."""

    items: list[tuple[Job, Estimate]]

    def totals(self, by: str = "user") -> dict[str, dict[str, Any]]:
        """{group: {jobs, energy_kwh, facility_energy_kwh, operational_g, embodied_g, total_g}} plus "TOTAL".

        ``energy_kwh`` is IT energy (devices), as in each job's estimate;
        ``facility_energy_kwh`` is IT energy x that job's PUE.
        """
        out: dict[str, dict[str, Any]] = {}
        for job, est in self.items:
            key = getattr(job, by, "") if by != "location" else (est.location or {}).get("code", "world")
            for k in (key or "(none)", "TOTAL"):
                t = out.setdefault(k, {"jobs": 0, "energy_kwh": 0.0, "facility_energy_kwh": 0.0,
                                       "operational_g": 0.0, "embodied_g": 0.0, "total_g": 0.0,
                                       "not_estimated": [], "assumptions": []})
                t["jobs"] += 1
                t["energy_kwh"] += est.energy_j / J_PER_KWH
                t["facility_energy_kwh"] += est.facility_energy_j / J_PER_KWH
                t["operational_g"] += est.operational_g
                t["embodied_g"] += est.embodied_g
                t["total_g"] += est.total_g
                t["not_estimated"] += [f"{job.job_id or job.line}: {note}" for note in job.notes]
                for a in job.assumptions:
                    if a not in t["assumptions"]:
                        t["assumptions"].append(a)
        return out


def estimate_jobs(jobs: list[Job], *, location: str | None = None, pue: float | None = None,
                  intensity_g_per_kwh: float | None = None, settings: Settings | None = None,
                  path: str = "<jobs>") -> BatchResult:
    """Estimate each job (a row's location wins over ``location``); errors name the input line."""
    items = []
    for job in jobs:
        try:
            est = estimate(job.hardware, job.hours, device_hours=job.device_hours if job.hours is None else None,
                           utilization=job.utilization, power_w=job.power_w, location=job.location or location,
                           pue=job.pue if job.pue is not None else pue, intensity_g_per_kwh=intensity_g_per_kwh,
                           settings=settings, alternatives=False)
        except DataError:
            raise
        except CarbontrailError as exc:
            raise DataError(str(exc), path, job.line) from None
        items.append((job, est))
    return BatchResult(items)


def read_batch(path: Path, fmt: str = "auto", gpu_model: str | None = None,
               cpu_model: str | None = None) -> list[Job]:
    """Read ``path`` as a jobs CSV or sacct output (``fmt``: auto | csv | sacct)."""
    try:
        text = Path(path).read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise DataError(f"cannot read ({exc.strerror})", str(path)) from None
    kind = detect_format(text) if fmt == "auto" else fmt
    if kind == "sacct":
        return read_sacct(text, str(path), gpu_model=gpu_model, cpu_model=cpu_model)
    return read_jobs_csv(text, str(path))
