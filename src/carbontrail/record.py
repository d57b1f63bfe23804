"""The run record: everything a tracked run produced, with provenance.

A :class:`RunRecord` is what the store keeps, what ``--json`` writes and what
reports read. :class:`Footprint` is the short answer a user reads from
``run.footprint``. Both serialise to plain JSON (``to_dict``) and back
(``RunRecord.from_dict``).

Record layout (JSON, version 1)::

    id, project, experiment, status, started_at, ended_at, duration_s,
    command, exit_code, hostname, pid,
    location    {code, name, country, grid_zone, provider, region, how}
    intensity   {mode: table|series|live|override|mixed, source, kind, year,
                 method, mean_g_per_kwh (energy-weighted), min/max, warnings}
    pue         {value, source}
    hardware    {cpu_model, cpu_count, gpu_count, gpu_model, ram_total_gb, os, python}
    devices     [{id, component, name, method, details, energy_j|null}]
    components  {cpu|gpu|ram|soc|other: {energy_j|null, method, devices: [ids]}}
    energy_j    total over readable components (facility energy excludes PUE)
    energy_unavailable  [components that could not be read]
    emissions_g location-based: sum over intervals of energy x PUE x intensity
    attributed  {scope: process, cpu_share, cpu_energy_j, method} | null
    phases      [{name, path, parent, started_at, ended_at, duration_s,
                  energy_j: {component: J}, energy_total_j, emissions_g}]
    timeline    [{t_s, at, dt_s, energy_j: {component: J}, power_w: {component: W},
                  intensity_g_per_kwh, emissions_g}]   (downsampled for long runs)
    units       {count, name} | null        (functional unit R for SCI)
    warnings    [text]
    settings    public settings (no secrets)
    version     carbontrail version that wrote it
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

from .units import j_to_kwh

RECORD_VERSION = 1

#: Statuses a run can have. "incomplete" is derived by the store for a run
#: still marked running whose tracker stopped sending heartbeats.
STATUSES = ("running", "completed", "failed", "interrupted", "incomplete")


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


def _iso(dt: datetime | None) -> str | None:
    return dt.isoformat() if dt is not None else None


def parse_time(value: str | None) -> datetime | None:
    """ISO text -> aware UTC datetime (naive text is taken as UTC)."""
    if value is None:
        return None
    dt = datetime.fromisoformat(value)
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=timezone.utc)
    return dt.astimezone(timezone.utc)


@dataclass
class PhaseRecord:
    """Energy and emissions of a named (nestable) part of a run."""

    name: str
    path: str
    parent: str | None
    started_at: datetime
    ended_at: datetime | None = None
    duration_s: float = 0.0
    energy_j: dict[str, float] = field(default_factory=dict)
    emissions_g: float = 0.0

    @property
    def energy_total_j(self) -> float:
        return sum(self.energy_j.values())

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "path": self.path,
            "parent": self.parent,
            "started_at": _iso(self.started_at),
            "ended_at": _iso(self.ended_at),
            "duration_s": self.duration_s,
            "energy_j": dict(self.energy_j),
            "energy_total_j": self.energy_total_j,
            "emissions_g": self.emissions_g,
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> PhaseRecord:
        return cls(
            name=d["name"],
            path=d.get("path", d["name"]),
            parent=d.get("parent"),
            started_at=parse_time(d["started_at"]),  # type: ignore[arg-type]
            ended_at=parse_time(d.get("ended_at")),
            duration_s=float(d.get("duration_s", 0.0)),
            energy_j={k: float(v) for k, v in (d.get("energy_j") or {}).items()},
            emissions_g=float(d.get("emissions_g", 0.0)),
        )


@dataclass
class Footprint:
    """The short answer: what a run used and emitted, and how each figure was obtained."""

    energy_j: dict[str, float | None]
    energy_total_j: float
    emissions_g: float
    duration_s: float
    intensity: dict[str, Any]
    pue: float
    pue_source: str
    location: dict[str, Any]
    hardware: dict[str, Any]
    provenance: dict[str, str]
    energy_unavailable: list[str] = field(default_factory=list)
    attributed: dict[str, Any] | None = None

    @property
    def energy_kwh(self) -> float:
        return j_to_kwh(self.energy_total_j)

    @property
    def emissions_kg(self) -> float:
        return self.emissions_g / 1000.0

    def to_dict(self) -> dict[str, Any]:
        return {
            "energy_j": dict(self.energy_j),
            "energy_total_j": self.energy_total_j,
            "energy_kwh": self.energy_kwh,
            "emissions_g": self.emissions_g,
            "duration_s": self.duration_s,
            "intensity": dict(self.intensity),
            "pue": self.pue,
            "pue_source": self.pue_source,
            "location": dict(self.location),
            "hardware": dict(self.hardware),
            "provenance": dict(self.provenance),
            "energy_unavailable": list(self.energy_unavailable),
            "attributed": self.attributed,
        }


@dataclass
class RunRecord:
    """Everything about one run. See the module docstring for the JSON layout."""

    id: str
    project: str
    experiment: str | None
    started_at: datetime
    status: str = "running"
    ended_at: datetime | None = None
    duration_s: float = 0.0
    command: list[str] | None = None
    exit_code: int | None = None
    hostname: str | None = None
    pid: int | None = None
    location: dict[str, Any] = field(default_factory=dict)
    intensity: dict[str, Any] = field(default_factory=dict)
    pue: dict[str, Any] = field(default_factory=dict)
    hardware: dict[str, Any] = field(default_factory=dict)
    devices: list[dict[str, Any]] = field(default_factory=list)
    components: dict[str, dict[str, Any]] = field(default_factory=dict)
    energy_j: float = 0.0
    energy_unavailable: list[str] = field(default_factory=list)
    emissions_g: float = 0.0
    attributed: dict[str, Any] | None = None
    phases: list[PhaseRecord] = field(default_factory=list)
    timeline: list[dict[str, Any]] = field(default_factory=list)
    schedule: dict[str, Any] | None = None
    units: dict[str, Any] | None = None
    warnings: list[str] = field(default_factory=list)
    settings: dict[str, Any] = field(default_factory=dict)
    version: str = ""
    heartbeat_at: datetime | None = None

    @property
    def energy_kwh(self) -> float:
        return j_to_kwh(self.energy_j)

    @property
    def emissions_kg(self) -> float:
        return self.emissions_g / 1000.0

    @property
    def energy_measured(self) -> bool:
        """True when at least one component has an energy figure; False means the totals
        are not 0 but unknown (every sensor was unavailable, or none was found)."""
        if self.components:
            return any(c.get("energy_j") is not None for c in self.components.values())
        return self.energy_j > 0  # an imported total without components; a tracker without devices has 0

    @property
    def footprint(self) -> Footprint:
        return Footprint(
            energy_j={c: v.get("energy_j") for c, v in self.components.items()},
            energy_total_j=self.energy_j,
            emissions_g=self.emissions_g,
            duration_s=self.duration_s,
            intensity=dict(self.intensity),
            pue=float(self.pue.get("value", 1.0)),
            pue_source=str(self.pue.get("source", "")),
            location=dict(self.location),
            hardware=dict(self.hardware),
            provenance={c: v.get("method", "unavailable") for c, v in self.components.items()},
            energy_unavailable=list(self.energy_unavailable),
            attributed=self.attributed,
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "record_version": RECORD_VERSION,
            "id": self.id,
            "project": self.project,
            "experiment": self.experiment,
            "status": self.status,
            "started_at": _iso(self.started_at),
            "ended_at": _iso(self.ended_at),
            "duration_s": self.duration_s,
            "command": self.command,
            "exit_code": self.exit_code,
            "hostname": self.hostname,
            "pid": self.pid,
            "location": self.location,
            "intensity": self.intensity,
            "pue": self.pue,
            "hardware": self.hardware,
            "devices": self.devices,
            "components": self.components,
            "energy_j": self.energy_j,
            "energy_kwh": self.energy_kwh,
            "energy_unavailable": self.energy_unavailable,
            "emissions_g": self.emissions_g,
            "emissions_kg": self.emissions_kg,
            "attributed": self.attributed,
            "phases": [p.to_dict() for p in self.phases],
            "timeline": self.timeline,
            "schedule": self.schedule,
            "units": self.units,
            "warnings": self.warnings,
            "settings": self.settings,
            "version": self.version,
            "heartbeat_at": _iso(self.heartbeat_at),
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> RunRecord:
        return cls(
            id=d["id"],
            project=d.get("project") or "default",
            experiment=d.get("experiment"),
            started_at=parse_time(d["started_at"]),  # type: ignore[arg-type]
            status=d.get("status", "completed"),
            ended_at=parse_time(d.get("ended_at")),
            duration_s=float(d.get("duration_s") or 0.0),
            command=d.get("command"),
            exit_code=d.get("exit_code"),
            hostname=d.get("hostname"),
            pid=d.get("pid"),
            location=d.get("location") or {},
            intensity=d.get("intensity") or {},
            pue=d.get("pue") or {},
            hardware=d.get("hardware") or {},
            devices=d.get("devices") or [],
            components=d.get("components") or {},
            energy_j=float(d.get("energy_j") or 0.0),
            energy_unavailable=list(d.get("energy_unavailable") or []),
            emissions_g=float(d.get("emissions_g") or 0.0),
            attributed=d.get("attributed"),
            phases=[PhaseRecord.from_dict(p) for p in d.get("phases") or []],
            timeline=d.get("timeline") or [],
            schedule=d.get("schedule"),
            units=d.get("units"),
            warnings=list(d.get("warnings") or []),
            settings=d.get("settings") or {},
            version=d.get("version") or "",
            heartbeat_at=parse_time(d.get("heartbeat_at")),
        )


def downsample_timeline(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Merge adjacent rows pairwise: energies and emissions add, power and intensity re-derive."""
    out: list[dict[str, Any]] = []
    for i in range(0, len(rows) - 1, 2):
        a, b = rows[i], rows[i + 1]
        energy = dict(a["energy_j"])
        for c, e in b["energy_j"].items():
            energy[c] = energy.get(c, 0.0) + e
        dt = a["dt_s"] + b["dt_s"]
        e_tot = sum(energy.values())
        emissions = a["emissions_g"] + b["emissions_g"]
        if e_tot > 0:
            weight_a = sum(a["energy_j"].values()) / e_tot
            intensity = a["intensity_g_per_kwh"] * weight_a + b["intensity_g_per_kwh"] * (1 - weight_a)
        else:
            intensity = (a["intensity_g_per_kwh"] * a["dt_s"] + b["intensity_g_per_kwh"] * b["dt_s"]) / dt if dt else b["intensity_g_per_kwh"]
        out.append({
            "t_s": b["t_s"], "at": b["at"], "dt_s": dt, "energy_j": energy,
            "power_w": {c: e / dt for c, e in energy.items()} if dt > 0 else {},
            "intensity_g_per_kwh": intensity,
            "intensity_method": a.get("intensity_method") if a.get("intensity_method") == b.get("intensity_method") else "mixed",
            "emissions_g": emissions,
        })
    if len(rows) % 2:
        out.append(rows[-1])
    return out
