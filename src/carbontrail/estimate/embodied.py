"""Embodied (manufacture) emissions allocated to a job.

M = footprint [gCO2e] x time reserved [h] / (lifetime [h] x usage rate) x share reserved.

This is the SCI allocation (ISO/IEC 21031) as used by Cloud Carbon Footprint
(M = TE x TR/EL x RR/TR, lifetime EL = 4 years); the usage rate (share of its
life the hardware is busy, 0.85 in Luccioni et al. 2022) spreads idle time
over the jobs that do run. Footprints:

- cloud instance: the host platform's figure from Cloud Carbon Footprint
  (Teads method) times the instance's vCPU share of the host;
- a bare accelerator: 150 kgCO2e per GPU plus 1/8 of a 2,500 kgCO2e 8-GPU
  server (Luccioni, Viguier, Ligozat 2022, BLOOM, arXiv:2211.02001);
- CPUs without accelerators: a 1,000 kgCO2e rack server plus 100 kgCO2e per
  extra CPU (Cloud Carbon Footprint, Teads).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..hardware import catalog
from ..hardware.spec import HardwareSpec

HOURS_PER_YEAR = 8760.0


@dataclass(frozen=True)
class EmbodiedItem:
    """One manufactured thing reserved by the job: footprint [kgCO2e] and share reserved (0, 1]."""

    name: str
    footprint_kg: float
    share: float
    source: str
    method: str          # "cited" (a published figure for this item) or "defaulted" (a generic figure)
    note: str = ""

    def allocated_g(self, hours: float, lifetime_years: float, usage_rate: float) -> float:
        """Emissions allocated to ``hours`` of reservation [gCO2e]."""
        return self.footprint_kg * 1000.0 * self.share * hours / (lifetime_years * HOURS_PER_YEAR * usage_rate)

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "footprint_kg": round(self.footprint_kg, 3), "share": round(self.share, 4),
                "source": self.source, "method": self.method, "note": self.note}


def _per_gpu_kg() -> tuple[float, str]:
    f = catalog.factors()
    gpu = f["embodied_gpu_kg"]
    srv = f["embodied_gpu_server_kg"]
    kg = gpu["value"] + srv["value"] / srv["gpus_per_server"]
    return kg, (f"{gpu['value']:g} kg per GPU + {srv['value']:g} kg server / {srv['gpus_per_server']} GPUs: "
                f"{srv['source']}")


def embodied_items(spec: HardwareSpec) -> list[EmbodiedItem]:
    """The manufactured items the job reserves, each with footprint, share and source."""
    f = catalog.factors()
    srcs = f.get("sources", {})
    per_gpu, per_gpu_src = _per_gpu_kg()
    items: list[EmbodiedItem] = []
    for use in spec.instances:
        inst = use.instance
        if inst.embodied_kg is not None:
            items.append(EmbodiedItem(f"{inst.type} host", use.count * inst.embodied_kg, inst.share,
                                      srcs.get(inst.embodied_source, inst.embodied_source), "cited"))
        elif inst.gpu:
            items.append(EmbodiedItem(f"{inst.type}: {inst.gpu_count} x {inst.gpu} with host share",
                                      use.count * inst.gpu_count * per_gpu, 1.0, per_gpu_src, "defaulted",
                                      "no host figure for this instance type; per-GPU server figure used"))
        else:
            base = f["embodied_cpu_server_kg"]
            items.append(EmbodiedItem(f"{inst.type} host", use.count * base["value"], inst.share, base["source"],
                                      "defaulted", "no host figure for this instance type; base rack server used"))
    bare = [line for line in spec.lines if line.instance is None]
    bare_acc = [line for line in bare if line.is_accelerator]
    for line in bare_acc:
        note = ""
        method = "cited" if line.kind == "gpu" else "defaulted"
        if line.kind != "gpu":
            note = f"no published manufacture figure for {line.name}; the GPU figure is assumed"
        items.append(EmbodiedItem(f"{line.count:g} x {line.name} with host share", line.count * per_gpu, 1.0,
                                  per_gpu_src, method, note))
    cpus = sum(line.count for line in bare if line.kind == "cpu")
    if cpus and not bare_acc:
        base = f["embodied_cpu_server_kg"]
        if cpus >= 1:
            kg, share = base["value"] + base["per_extra_cpu_kg"] * (cpus - 1), 1.0
        else:  # part of one CPU (e.g. Slurm cores): that share of a one-CPU server
            kg, share = base["value"], cpus
        items.append(EmbodiedItem(f"server with {cpus:g} CPU(s)", kg, share, base["source"], "cited"))
    return items


def allocate(items: list[EmbodiedItem], hours: float, lifetime_years: float, usage_rate: float) -> float:
    """Total embodied emissions allocated to ``hours`` of reservation [gCO2e]."""
    return sum(i.allocated_g(hours, lifetime_years, usage_rate) for i in items)
