"""The hardware catalog: accelerators, cloud instance types and power/embodied factors.

Package data built by ``scripts/build_hardware_catalog.py`` (see that script
and ``data/ATTRIBUTION.md`` for sources): ``accelerators.csv`` (TDP [W],
typical power [W] where published, each with its datasheet or paper),
``instances.csv`` (instance type -> GPU model x count, vCPUs, CPU model,
memory [GB], host embodied footprint [kgCO2e]) and ``factors.json`` (RAM
0.3725 W/GB from Green Algorithms, per-vCPU watts from Cloud Carbon Footprint,
default utilisation, embodied footprints, lifetime). Loaded lazily on first use.
CPUs live in :mod:`carbontrail.hardware.cpus`.
"""

from __future__ import annotations

import csv
import difflib
import io
import json
import re
from dataclasses import asdict, dataclass
from functools import lru_cache
from importlib import resources
from typing import Any

PROVIDERS = ("aws", "gcp", "azure")


def norm(name: str) -> str:
    """Lower-case alphanumerics only: 'Tesla V100-SXM2' -> 'teslav100sxm2'."""
    return re.sub(r"[^a-z0-9]", "", name.lower())


@dataclass(frozen=True)
class Accelerator:
    """A GPU, TPU or other accelerator. Power figures in [W], memory in [GB].

    ``tdp_w`` is None where no power figure is published (give ``--power``).
    """

    id: str
    aliases: tuple[str, ...]
    kind: str
    vendor: str
    tdp_w: float | None
    typical_w: float | None
    typical_source: str
    memory_gb: float | None
    source: str
    year: int | None
    note: str

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["aliases"] = list(self.aliases)
        return d


@dataclass(frozen=True)
class Instance:
    """A cloud instance type and the devices it reserves.

    ``platform_vcpus``: vCPUs of the whole host (the share reserved is
    ``vcpus / platform_vcpus``, as in Cloud Carbon Footprint);
    ``embodied_kg``: manufacture footprint of the host platform [kgCO2e] or None.
    """

    provider: str
    type: str
    gpu: str
    gpu_count: int
    vcpus: int
    platform_vcpus: int
    memory_gb: float | None
    cpu: str
    arch: str
    embodied_kg: float | None
    embodied_source: str
    source: str

    @property
    def share(self) -> float:
        """Share of the host reserved by this instance (0, 1]."""
        if self.platform_vcpus <= 0:
            return 1.0
        return min(1.0, self.vcpus / self.platform_vcpus)

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["share"] = round(self.share, 4)
        srcs = factors().get("sources", {})
        d["source"] = srcs.get(self.source, self.source)
        d["embodied_source"] = srcs.get(self.embodied_source, self.embodied_source)
        return d


def _text(name: str) -> str:
    return resources.files("carbontrail.data").joinpath("hardware").joinpath(name).read_text(encoding="utf-8")


def _f(s: str) -> float | None:
    return float(s) if s not in ("", None) else None


@lru_cache(maxsize=1)
def accelerators() -> tuple[Accelerator, ...]:
    """Every accelerator in the catalog, curated current hardware first."""
    out = []
    for r in csv.DictReader(io.StringIO(_text("accelerators.csv"))):
        out.append(Accelerator(
            id=r["id"], aliases=tuple(a for a in r["aliases"].split("|") if a), kind=r["kind"],
            vendor=r["vendor"], tdp_w=_f(r["tdp_w"]), typical_w=_f(r["typical_w"]),
            typical_source=r["typical_source"], memory_gb=_f(r["memory_gb"]), source=r["source"],
            year=int(r["year"]) if r["year"] else None, note=r["note"]))
    return tuple(out)


@lru_cache(maxsize=1)
def instances() -> tuple[Instance, ...]:
    """Every cloud instance type in the catalog (AWS, GCP, Azure)."""
    out = []
    for r in csv.DictReader(io.StringIO(_text("instances.csv"))):
        out.append(Instance(
            provider=r["provider"], type=r["type"], gpu=r["gpu"], gpu_count=int(r["gpu_count"] or 0),
            vcpus=int(r["vcpus"]), platform_vcpus=int(r["platform_vcpus"]), memory_gb=_f(r["memory_gb"]),
            cpu=r["cpu"], arch=r["arch"], embodied_kg=_f(r["embodied_kg"]),
            embodied_source=r["embodied_source"], source=r["source"]))
    return tuple(out)


@lru_cache(maxsize=1)
def factors() -> dict[str, Any]:
    """Power and embodied factors with their sources (see module docstring)."""
    return json.loads(_text("factors.json"))


@lru_cache(maxsize=1)
def _acc_index() -> dict[str, Accelerator]:
    idx: dict[str, Accelerator] = {}
    for a in accelerators():
        for key in (a.id, *a.aliases):
            idx.setdefault(norm(key), a)
    return idx


@lru_cache(maxsize=1)
def _ins_index() -> dict[str, Instance]:
    idx: dict[str, Instance] = {}
    for i in instances():
        idx.setdefault(i.type.lower(), i)
        idx.setdefault(f"{i.provider}:{i.type}".lower(), i)
        if i.provider == "azure":  # accept ND96asr_v4 and 'ND96asr v4' without Standard_
            idx.setdefault(i.type.lower().removeprefix("standard_"), i)
    return idx


def find_accelerator(name: str) -> Accelerator | None:
    """The accelerator named ``name`` (id or alias, case/punctuation-insensitive), or None.

    A leading vendor word ("NVIDIA", "AMD", "Intel", "Google") is ignored.
    """
    key = norm(name)
    idx = _acc_index()
    if key in idx:
        return idx[key]
    for vendor in ("nvidia", "amd", "intel", "google", "habana"):
        if key.startswith(vendor) and key[len(vendor):] in idx:
            return idx[key[len(vendor):]]
    return None


def find_instance(name: str) -> Instance | None:
    """The cloud instance type ``name`` (``p4d.24xlarge``, ``gcp:a2-highgpu-8g``, ``Standard_ND96asr_v4``)."""
    key = name.strip().lower().replace(" ", "_")
    return _ins_index().get(key)


def close_matches(query: str, limit: int = 5) -> list[str]:
    """Catalog names (accelerators and instance types) that look like ``query``."""
    names = {a.id: norm(a.id) for a in accelerators()}
    for a in accelerators():
        for al in a.aliases:
            names.setdefault(al, norm(al))
    by_norm: dict[str, str] = {}
    for shown, key in names.items():
        by_norm.setdefault(key, shown)
    for i in instances():
        by_norm.setdefault(i.type.lower(), i.type)
    q = norm(query) if not re.search(r"[.\-_]", query) else query.strip().lower()
    hits = difflib.get_close_matches(q, list(by_norm), n=limit, cutoff=0.6)
    if not hits:
        hits = difflib.get_close_matches(norm(query), list(by_norm), n=limit, cutoff=0.6)
    seen: list[str] = []
    for h in hits:
        name = by_norm[h]
        acc = find_accelerator(name)
        shown = acc.id if acc is not None else name
        if shown not in seen:
            seen.append(shown)
    return seen


def search(query: str | None = None, kind: str | None = None, limit: int | None = None) -> list[dict[str, Any]]:
    """Catalog rows matching ``query`` (substring of name/alias/provider) as dicts.

    ``kind``: "gpu" (GPUs, TPUs and other accelerators), "cpu" or "instance";
    None searches all. Each row has ``kind`` and its sources.
    """
    q = norm(query or "")
    rows: list[dict[str, Any]] = []
    if kind in (None, "gpu", "accelerator", "tpu"):
        for a in accelerators():
            if not q or any(q in norm(n) for n in (a.id, *a.aliases, a.vendor)):
                rows.append({"kind": a.kind, **a.to_dict()})
    if kind in (None, "instance"):
        for i in instances():
            if not q or q in norm(i.type) or q in norm(f"{i.provider} {i.type}") or (i.gpu and q in norm(i.gpu)):
                rows.append({"kind": "instance", **i.to_dict()})
    if kind in (None, "cpu"):
        from .cpus import search_cpus

        if q:
            for m in search_cpus(query or "", limit=limit or 20):
                if kind is None and m.match == "fuzzy":
                    continue  # a mixed search shows only CPUs that really match
                rows.append({"kind": "cpu", **m.to_dict()})
    return rows[:limit] if limit else rows
