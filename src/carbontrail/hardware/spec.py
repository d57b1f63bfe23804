"""Parse a hardware description into device lines with their power model.

Grammar (case-insensitive)::

    spec  := term ("+" term)*
    term  := [COUNT ("x" | "*")] NAME ["@" WATTS ["W"]]
    NAME  := accelerator (V100, H100-SXM, TPUv3, MI300X, ...)
           | "cpu:" CPU MODEL (AMD EPYC 7763, Intel Xeon Platinum 8480+)
           | "ram:" GB ["GB"]
           | cloud instance type (p4d.24xlarge, a2-highgpu-8g, Standard_ND96asr_v4)

A "+" that ends the text or is followed by another "+" belongs to the name
before it (``cpu:Intel Xeon Platinum 8480+``). Instances expand to their GPUs,
vCPUs (Cloud Carbon Footprint per-vCPU watts) and memory (0.3725 W/GB, Green
Algorithms). ``@300W`` sets the average power per device of that term.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from ..errors import UnknownHardwareError
from . import catalog

ACCELERATOR_KINDS = ("gpu", "tpu", "accelerator")


@dataclass
class DeviceLine:
    """``count`` identical devices with a linear power model per device [W].

    power(u) = idle_w + u * (max_w - idle_w); for TDP-modelled devices
    idle_w = 0 and max_w = TDP. ``uses_utilization`` is False for RAM (power
    by GB reserved). ``power_override_w`` replaces the model when given.
    """

    token: str
    name: str
    kind: str                 # gpu | tpu | accelerator | cpu | vcpu | ram | unknown
    count: float
    idle_w: float
    max_w: float
    power_source: str
    uses_utilization: bool = True
    power_override_w: float | None = None
    instance: str | None = None
    notes: list[str] = field(default_factory=list)

    @property
    def is_accelerator(self) -> bool:
        return self.kind in ACCELERATOR_KINDS or self.kind == "unknown"

    def power_w(self, utilization: float) -> float:
        """Average power per device [W] at ``utilization`` in (0, 1]."""
        if self.power_override_w is not None:
            return self.power_override_w
        if not self.uses_utilization:
            return self.max_w
        return self.idle_w + utilization * (self.max_w - self.idle_w)

    def to_dict(self) -> dict[str, Any]:
        return {"token": self.token, "name": self.name, "kind": self.kind, "count": self.count,
                "idle_w": self.idle_w, "max_w": self.max_w, "power_source": self.power_source,
                "power_override_w": self.power_override_w, "instance": self.instance, "notes": list(self.notes)}


@dataclass
class InstanceUse:
    """``count`` reservations of a cloud instance type."""

    instance: catalog.Instance
    count: float


@dataclass
class HardwareSpec:
    text: str
    lines: list[DeviceLine]
    instances: list[InstanceUse]

    @property
    def accelerator_count(self) -> float:
        return sum(line.count for line in self.lines if line.is_accelerator)


_TERM = re.compile(r"^\s*(?:(?P<count>\d+(?:\.\d+)?)\s*[x*×]\s*)?(?P<name>.+?)\s*"
                   r"(?:@\s*(?P<watts>\d+(?:\.\d+)?)\s*(?:w|watts?)?)?\s*$", re.IGNORECASE)


def split_terms(text: str) -> list[str]:
    """Split on '+' separators, keeping a '+' that ends a name (``8480+``)."""
    terms: list[str] = []
    cur = ""
    i = 0
    while i < len(text):
        ch = text[i]
        if ch == "+":
            rest = text[i + 1:]
            if not rest.strip() or rest.startswith("+"):
                cur += "+"          # the '+' belongs to the name: '8480+' or '8480++4xV100'
                if rest.startswith("+"):
                    terms.append(cur)
                    cur = ""
                    i += 2
                    continue
            else:
                terms.append(cur)
                cur = ""
        else:
            cur += ch
        i += 1
    terms.append(cur)
    return terms


def _vcpu_watts(inst: catalog.Instance) -> tuple[float, float, str]:
    f = catalog.factors()
    by_arch = f["vcpu_w"]["value"].get(inst.provider, {})
    if inst.arch in by_arch:
        lo, hi = by_arch[inst.arch]
        return lo, hi, f"{f['vcpu_w']['source']} ({inst.provider}, {inst.arch})"
    lo, hi = f["vcpu_w_unknown"]["value"][inst.provider]
    return lo, hi, f"{f['vcpu_w_unknown']['source']} ({inst.provider})"


def _instance_lines(token: str, inst: catalog.Instance, count: float, watts: float | None) -> list[DeviceLine]:
    ram = catalog.factors()["ram_w_per_gb"]
    lines = []
    if inst.gpu:
        acc = catalog.find_accelerator(inst.gpu)
        if acc is None:  # the builder checks this; guard against a hand-edited table
            raise UnknownHardwareError(inst.gpu, catalog.close_matches(inst.gpu))
        lines.append(_accelerator_line(token, acc, count * inst.gpu_count, watts, inst.type))
    lo, hi, src = _vcpu_watts(inst)
    lines.append(DeviceLine(token, f"vCPU ({inst.cpu or inst.arch or 'unknown CPU'})", "vcpu", count * inst.vcpus,
                            lo, hi, src, instance=inst.type))
    if inst.memory_gb:
        lines.append(DeviceLine(token, "RAM [GB]", "ram", count * inst.memory_gb, ram["value"], ram["value"],
                                ram["source"], uses_utilization=False, instance=inst.type))
    return lines


def _accelerator_line(token: str, acc: catalog.Accelerator, count: float, watts: float | None,
                      instance: str | None = None) -> DeviceLine:
    notes = [acc.note] if acc.note else []
    if acc.tdp_w is None and watts is None:
        raise UnknownHardwareError(
            token, [], hint=f"the catalog has no published power for {acc.id} ({acc.note or acc.source}); "
                            "give the average power per device with --power W or write it as "
                            f"{acc.id}@WATTS")
    if acc.typical_w is not None:
        notes.append(f"typical {acc.typical_w:g} W ({acc.typical_source})")
    return DeviceLine(token, acc.id, acc.kind, count, 0.0, acc.tdp_w or 0.0,
                      f"TDP {acc.tdp_w:g} W: {acc.source}" if acc.tdp_w else "user-given power",
                      power_override_w=watts, instance=instance, notes=notes)


def _cpu_line(token: str, model: str, count: float, watts: float | None) -> DeviceLine:
    from .cpus import find_cpu, search_cpus

    m = find_cpu(model)
    if m is None:
        if watts is not None:
            return DeviceLine(token, model, "cpu", count, 0.0, watts, "user-given power",
                              power_override_w=watts, notes=["not in the CPU catalog"])
        near = [s.name for s in search_cpus(model, limit=5)]
        raise UnknownHardwareError(f"cpu:{model}", near)
    notes = [] if m.match == "exact" else [f"matched {model!r} to {m.name!r} ({m.match}, score {m.score:.2f})"]
    return DeviceLine(token, m.name, "cpu", count, 0.0, m.tdp_w, f"TDP {m.tdp_w:g} W: {m.source}",
                      power_override_w=watts, notes=notes)


def parse_hardware(text: str, power_w: float | None = None) -> HardwareSpec:
    """Parse ``text`` into device lines.

    ``power_w`` [W] (``--power``) is the average power per accelerator (and
    per unknown device); with no accelerator it is the power per CPU. A term's
    own ``@WATTS`` wins over it.

    Raises UnknownHardwareError (with close matches) for an unknown name, and
    ConfigError naming the token for a term that cannot be read.
    """
    from ..errors import ConfigError

    if not text or not text.strip():
        raise ConfigError("--hardware is empty; write it like 4xV100, 8xH100-SXM+2xcpu:AMD EPYC 7763 or p4d.24xlarge")
    lines: list[DeviceLine] = []
    insts: list[InstanceUse] = []
    for raw in split_terms(text):
        token = raw.strip()
        m = _TERM.match(token) if token else None
        if m is None:
            raise ConfigError(f"cannot read hardware term {token!r} in {text!r}; write terms like 4xV100, "
                              "cpu:AMD EPYC 7763, ram:256GB or p4d.24xlarge joined by +")
        count = float(m.group("count")) if m.group("count") else 1.0
        if count <= 0:
            raise ConfigError(f"hardware term {token!r}: the count must be at least 1")
        name = m.group("name").strip()
        watts = float(m.group("watts")) if m.group("watts") else None
        if watts is not None and watts <= 0:
            raise ConfigError(f"hardware term {token!r}: power must be greater than 0 W")
        low = name.lower()
        if low.startswith("cpu:"):
            lines.append(_cpu_line(token, name[4:].strip(), count, watts))
        elif low.startswith("ram:"):
            gb = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*(?:gb|gib)?\s*", name[4:], re.IGNORECASE)
            if gb is None:
                raise ConfigError(f"cannot read memory size in {token!r}; write it like ram:256GB")
            ram = catalog.factors()["ram_w_per_gb"]
            lines.append(DeviceLine(token, "RAM [GB]", "ram", count * float(gb.group(1)), ram["value"],
                                    ram["value"], ram["source"], uses_utilization=False))
        elif (inst := catalog.find_instance(name)) is not None:
            insts.append(InstanceUse(inst, count))
            lines.extend(_instance_lines(token, inst, count, watts if watts is not None else power_w))
        elif (acc := catalog.find_accelerator(name)) is not None:
            lines.append(_accelerator_line(token, acc, count, watts if watts is not None else power_w))
        elif watts is not None or power_w is not None:
            p = watts if watts is not None else power_w
            lines.append(DeviceLine(token, name, "unknown", count, 0.0, p, "user-given power",
                                    power_override_w=p, notes=["not in the hardware catalog"]))
        else:
            raise UnknownHardwareError(name, catalog.close_matches(name),
                                       hint=f"give the average power per device with --power W (or {name}@WATTS); "
                                            "`carbontrail hardware QUERY` searches the catalog")
    if power_w is not None and not any(line.is_accelerator for line in lines):
        for line in lines:  # no accelerators: --power is the power per CPU
            if line.kind == "cpu" and line.power_override_w is None:
                line.power_override_w = power_w
    return HardwareSpec(text, lines, insts)
