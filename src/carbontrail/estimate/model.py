"""The result of an estimate: every figure with its source, in J and g internally."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..units import J_PER_KWH


@dataclass
class DeviceEstimate:
    """Energy of one device line: ``count`` devices at ``power_w`` [W] each for ``hours`` [h]."""

    name: str
    kind: str
    count: float
    power_w: float
    power_source: str
    method: str              # "modelled" (catalog x utilisation) or "user-given"
    utilization: float | None
    energy_j: float
    instance: str | None = None
    notes: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "kind": self.kind, "count": self.count, "power_w": round(self.power_w, 4),
                "power_source": self.power_source, "method": self.method, "utilization": self.utilization,
                "energy_j": self.energy_j, "energy_kwh": self.energy_j / J_PER_KWH, "instance": self.instance,
                "notes": list(self.notes)}


@dataclass
class Estimate:
    """A job's estimated footprint: operational (location-based), embodied, SCI, range, alternatives.

    ``energy_j`` is IT energy (devices); ``facility_energy_j`` = IT x PUE.
    ``operational_g`` = facility kWh x location-based intensity [gCO2e];
    ``embodied_g`` = manufacture emissions allocated to the job;
    ``total_g`` = operational + embodied; ``sci_g_per_unit`` = total / units.
    ``market`` holds provider claims (CFE, offsets) shown beside, never subtracted.
    """

    hardware: str
    devices: list[DeviceEstimate]
    duration_s: float
    energy_j: float
    pue: float
    pue_source: str
    intensity: dict[str, Any]
    location: dict[str, Any] | None
    operational_g: float
    embodied_g: float
    embodied: dict[str, Any]
    units: float
    unit_name: str
    range: dict[str, Any]
    market: dict[str, Any] | None = None
    alternatives: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    assumptions: list[str] = field(default_factory=list)

    @property
    def facility_energy_j(self) -> float:
        return self.energy_j * self.pue

    @property
    def energy_kwh(self) -> float:
        return self.energy_j / J_PER_KWH

    @property
    def total_g(self) -> float:
        return self.operational_g + self.embodied_g

    @property
    def sci_g_per_unit(self) -> float:
        return self.total_g / self.units

    @property
    def device_hours(self) -> float:
        acc = sum(d.count for d in self.devices if d.kind in ("gpu", "tpu", "accelerator", "unknown"))
        return acc * self.duration_s / 3600.0

    def energy_by_kind_kwh(self) -> dict[str, float]:
        """IT energy [kWh] per device kind (gpu, tpu, cpu, vcpu, ram, ...)."""
        out: dict[str, float] = {}
        for d in self.devices:
            out[d.kind] = out.get(d.kind, 0.0) + d.energy_j / J_PER_KWH
        return out

    def to_dict(self) -> dict[str, Any]:
        return {
            "hardware": self.hardware,
            "duration_s": self.duration_s,
            "hours": self.duration_s / 3600.0,
            "device_hours": self.device_hours,
            "devices": [d.to_dict() for d in self.devices],
            "energy_kwh_by_kind": self.energy_by_kind_kwh(),
            "energy_j": self.energy_j,
            "energy_kwh": self.energy_kwh,
            "pue": self.pue,
            "pue_source": self.pue_source,
            "facility_energy_kwh": self.facility_energy_j / J_PER_KWH,
            "location": self.location,
            "intensity": self.intensity,
            "operational_g": self.operational_g,
            "market": self.market,
            "embodied_g": self.embodied_g,
            "embodied": self.embodied,
            "total_g": self.total_g,
            "units": self.units,
            "unit_name": self.unit_name,
            "sci_g_per_unit": self.sci_g_per_unit,
            "range": self.range,
            "alternatives": self.alternatives,
            "assumptions": list(self.assumptions),
        }
