"""RAPL energy counters through the Linux powercap tree (Intel and AMD).

The kernel lists every RAPL zone at the top of ``/sys/class/powercap`` (and
nests subzones inside their package folder)::

    intel-rapl:0        name=package-0   energy_uj  max_energy_range_uj
    intel-rapl:0:0      name=core        (part of package-0: never added)
    intel-rapl:0:1      name=uncore      (part of package-0: never added)
    intel-rapl:0:2      name=dram        (RAM energy of socket 0)
    intel-rapl:1        name=psys        (whole platform: replaces packages)
    intel-rapl-mmio:0   name=package-0   (same package through MMIO: counted once)

Rules (see MEASUREMENT.md): core/uncore are parts of their package and only
appear in the package's ``details``; psys covers the package and the rest of
the platform (memory included), so when a populated psys zone exists it is
reported as component ``soc`` *instead of* the packages and dram zones, never
beside them; an ``intel-rapl-mmio`` zone that duplicates an MSR zone's name
is dropped; multi-die AMD parts that expose several packages mirroring one
counter (identical non-zero raw values at start) are kept once. Counter
wraparound is handled by :func:`carbontrail.measure.base.counter_delta`.

Since CVE-2020-8694 ("Platypus"), ``energy_uj`` is readable by root only on
most kernels. Without access, the devices are listed as ``unavailable`` with
one warning naming the fix (:func:`permission_fix`); :meth:`RaplSensor.status`
gives the doctor the whole picture.
"""

from __future__ import annotations

import errno
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..provenance import Method
from .base import Device, WarnOnce, counter_delta

#: Highest package power we consider plausible [W] when a zone does not state
#: its own limit: above the largest server CPU TDPs on sale in 2025 (AMD EPYC
#: 9965: 500 W; Intel Xeon 6980P: 500 W, vendor data sheets).
PLAUSIBLE_MAX_POWER_W = 500.0

_ZONE_RE = re.compile(r"^(intel-rapl(?:-mmio)?):(\d+)(?::(\d+))?$")

Reader = Callable[[Path], str]


def _read_text(path: Path) -> str:
    with open(path, encoding="ascii", errors="replace") as fh:
        return fh.read()


@dataclass
class Zone:
    """One powercap zone as found on disk."""

    key: str                 # folder name: intel-rapl:0:2
    path: Path
    interface: str           # "intel-rapl" (MSR) or "intel-rapl-mmio"
    index: int
    sub: int | None
    name: str                # package-0, core, uncore, dram, psys
    max_range_uj: int        # 0 = unknown
    max_power_w: float | None = None
    parent: str | None = None

    @property
    def kind(self) -> str:
        """package, core, uncore, dram, psys or the raw name."""
        return "package" if self.name.startswith("package") else self.name


@dataclass
class RaplStatus:
    """What the doctor shows about RAPL."""

    state: str                       # ok | absent | permission-denied | error
    root: str
    message: str
    zones: list[dict[str, Any]] = field(default_factory=list)
    fix: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {"state": self.state, "root": self.root, "message": self.message,
                "zones": list(self.zones), "fix": list(self.fix)}


def permission_fix(root: Path) -> list[str]:
    """Exact commands that grant read access to the RAPL energy counters.

    The first is immediate but lost at reboot; the udev rule makes it
    permanent. Reading RAPL exposes a power side channel (CVE-2020-8694):
    on shared machines grant it to a group rather than to everyone.
    """
    r = str(root).rstrip("/")
    return [
        f"sudo chmod a+r {r}/intel-rapl:*/energy_uj {r}/intel-rapl:*/intel-rapl:*/energy_uj"
        "   # now, until reboot",
        "echo 'SUBSYSTEM==\"powercap\", ACTION==\"add\", RUN+=\"/bin/chmod a+r %S%p/energy_uj\"' "
        "| sudo tee /etc/udev/rules.d/99-carbontrail-rapl.rules   # at every boot",
        "on shared machines prefer a group: RUN+=\"/bin/chgrp powercap %S%p/energy_uj\", "
        "RUN+=\"/bin/chmod g+r %S%p/energy_uj\" (reading RAPL is a side channel, CVE-2020-8694)",
    ]


def _int_or(reader: Reader, path: Path, default: int) -> int:
    try:
        return int(reader(path).strip())
    except (OSError, ValueError):
        return default


def scan_zones(root: Path, reader: Reader = _read_text) -> list[Zone]:
    """Every RAPL zone under ``root`` (top-level links and nested subzones), sorted."""
    found: dict[str, Path] = {}
    try:
        top = list(root.iterdir())
    except OSError:
        return []
    for entry in top:
        if _ZONE_RE.match(entry.name):
            found.setdefault(entry.name, entry)
        elif entry.name not in ("intel-rapl", "intel-rapl-mmio"):  # neither a zone nor a control type
            continue
        try:  # subzones nest inside their package; the control-type folder lists zones too
            for child in entry.iterdir():
                if _ZONE_RE.match(child.name):
                    found.setdefault(child.name, child)
        except OSError:
            continue
    zones = []
    for key, path in found.items():
        m = _ZONE_RE.match(key)
        assert m is not None
        try:
            name = reader(path / "name").strip()
        except OSError:
            continue
        power_uw = _int_or(reader, path / "constraint_0_max_power_uw", 0)
        zones.append(Zone(
            key=key, path=path, interface=m.group(1), index=int(m.group(2)),
            sub=int(m.group(3)) if m.group(3) is not None else None, name=name,
            max_range_uj=_int_or(reader, path / "max_energy_range_uj", 0),
            max_power_w=power_uw / 1e6 if power_uw > 0 else None,
            parent=f"{m.group(1)}:{m.group(2)}" if m.group(3) is not None else None,
        ))
    zones.sort(key=lambda z: (z.interface != "intel-rapl", z.index, -1 if z.sub is None else z.sub))
    return zones


class RaplSensor(WarnOnce):
    """Whole-socket energy from RAPL counters [J], one device per counted zone.

    :param root: the powercap folder (``CARBONTRAIL_POWERCAP_ROOT``).
    :param reader: reads one sysfs file as text; injectable so tests can
        simulate a permission error while running as root.

    Devices: ``rapl:package-N`` (cpu), ``rapl:dram-N`` (ram) or ``rapl:psys``
    (soc, replacing the others). Method ``counter``; ``unavailable`` when the
    counters exist but cannot be read.
    """

    name = "rapl"

    def __init__(self, root: Path = Path("/sys/class/powercap"), reader: Reader | None = None) -> None:
        self.root = Path(root)
        self._reader: Reader = reader or _read_text
        self._warnings: list[str] = []
        self._warned: set[str] = set()
        self.zones = scan_zones(self.root, self._reader)
        self._state = "absent" if not self.zones else "ok"
        self._error = ""
        self._counted: list[Zone] = []       # zones reported as devices
        self._dropped: dict[str, str] = {}   # zone key -> why it is not counted
        self._mirrors: dict[str, list[Zone]] = {}   # kept zone key -> mirrored peers
        self._prev: dict[str, int] = {}
        self._total_uj: dict[str, int] = {}
        self._started = False
        if self.zones:
            self._select()

    # -- selection -------------------------------------------------------------
    def _probe(self, zone: Zone) -> int | None:
        try:
            return int(self._reader(zone.path / "energy_uj").strip())
        except PermissionError:
            self._state = "permission-denied"
            self._error = f"cannot read {zone.path / 'energy_uj'}: permission denied"
        except OSError as exc:
            if exc.errno in (errno.EACCES, errno.EPERM):
                self._state = "permission-denied"
                self._error = f"cannot read {zone.path / 'energy_uj'}: permission denied"
            else:
                self._state = "error"
                self._error = f"cannot read {zone.path / 'energy_uj'}: {exc.strerror or exc}"
        except ValueError:
            self._state = "error"
            self._error = f"{zone.path / 'energy_uj'} does not hold a number"
        return None

    def _select(self) -> None:
        msr_names = {z.name for z in self.zones if z.interface == "intel-rapl" and z.sub is None}
        tops: list[Zone] = []
        drams: list[Zone] = []
        for z in self.zones:
            if z.interface == "intel-rapl-mmio" and z.sub is None and z.name in msr_names:
                self._dropped[z.key] = f"duplicate of the MSR zone {z.name} (same package through MMIO)"
            elif z.kind in ("core", "uncore") or (z.sub is not None and z.kind not in ("dram",)):
                self._dropped[z.key] = f"{z.name} is part of its package: listed as a detail, never added"
            elif z.kind == "dram":
                drams.append(z)
            else:
                tops.append(z)
        probes = {z.key: self._probe(z) for z in tops + drams}
        psys = [z for z in tops if z.kind == "psys"]
        packages = [z for z in tops if z.kind != "psys"]
        psys_uj = probes.get(psys[0].key) if psys else None
        if psys and (psys_uj is None or psys_uj > 0 or not packages):
            for z in packages + drams:
                self._dropped[z.key] = "covered by psys (whole platform): psys is used instead"
            for z in psys[1:]:
                self._dropped[z.key] = "second psys zone: one platform counter is enough"
            self._counted = psys[:1]
        else:
            for z in psys:
                self._dropped[z.key] = "psys reads 0 (not populated on this platform): packages used"
            self._counted = self._dedupe_mirrors(packages, probes) + drams
        if self._state == "permission-denied":
            self._warn("perm", f"RAPL: {self._error}; CPU energy is unavailable from counters "
                       f"(root-only since CVE-2020-8694). Fix: {permission_fix(self.root)[0]} "
                       "(see `carbontrail doctor` for a permanent udev rule)")
        elif self._state == "error":
            self._warn("probe", f"RAPL: {self._error}; see `carbontrail doctor`")

    def _dedupe_mirrors(self, packages: list[Zone], probes: dict[str, int | None]) -> list[Zone]:
        kept: list[Zone] = []
        for z in packages:
            value = probes.get(z.key)
            twin = next((k for k in kept if value and probes.get(k.key) == value
                         and k.max_range_uj == z.max_range_uj), None)
            if twin is None:
                kept.append(z)
            else:
                self._mirrors.setdefault(twin.key, []).append(z)
                self._dropped[z.key] = (f"mirrors {twin.name} (identical counter: multi-die package "
                                        "exposing one counter twice): counted once")
        return kept

    # -- public info -----------------------------------------------------------
    @staticmethod
    def _device_id(z: Zone) -> str:
        if z.kind == "dram":
            return f"rapl:dram-{z.index}"
        return f"rapl:{z.name}"

    def devices(self) -> list[Device]:
        method = Method.COUNTER if self._state == "ok" else Method.UNAVAILABLE
        out = []
        for z in self._counted:
            component = {"package": "cpu", "dram": "ram", "psys": "soc"}.get(z.kind, "other")
            details: dict[str, Any] = {
                "zone": z.key, "interface": "msr" if z.interface == "intel-rapl" else "mmio",
                "max_energy_range_uj": z.max_range_uj,
                "subdomains": [s.name for s in self.zones if s.parent == z.key and s.kind in ("core", "uncore")],
                "scope": "whole socket or platform, not the process",
            }
            if z.key in self._mirrors:
                details["mirrored_zones"] = [m.key for m in self._mirrors[z.key]]
            if z.kind == "psys":
                details["replaces"] = [k for k, why in self._dropped.items() if "covered by psys" in why]
            if method is Method.UNAVAILABLE:
                details["reason"] = self._error
            out.append(Device(self._device_id(z), component, f"RAPL {z.name}", method, details))
        return out

    @property
    def available(self) -> bool:
        """True when at least one counter can be read."""
        return self._state == "ok" and bool(self._counted)

    @property
    def has_dram(self) -> bool:
        """True when a readable dram zone is counted (then no RAM model is needed)."""
        return self.available and any(z.kind == "dram" for z in self._counted)

    @property
    def uses_psys(self) -> bool:
        return self.available and any(z.kind == "psys" for z in self._counted)

    @property
    def covers_ram(self) -> bool:
        """True when RAM energy is already in the counters (dram or psys)."""
        return self.has_dram or self.uses_psys

    @property
    def covers_cpu(self) -> bool:
        """True when CPU energy is measured by counters (no CPU model needed)."""
        return self.available and any(z.kind in ("package", "psys") for z in self._counted)

    def min_read_interval_s(self) -> float | None:
        """Longest read period [s] that still guarantees at most one wrap.

        ``max_energy_range_uj`` / the zone's power limit (or
        :data:`PLAUSIBLE_MAX_POWER_W`); the smallest over counted zones.
        None when no zone states its range.
        """
        periods = [z.max_range_uj / 1e6 / (z.max_power_w or PLAUSIBLE_MAX_POWER_W)
                   for z in self._counted if z.max_range_uj > 0]
        return min(periods) if periods else None

    def status(self) -> RaplStatus:
        """State, zones and fix for ``carbontrail doctor``."""
        zones = [{"zone": z.key, "name": z.name, "counted": z in self._counted,
                  "note": self._dropped.get(z.key, "counted")} for z in self.zones]
        if self._state == "absent":
            return RaplStatus("absent", str(self.root),
                              f"no RAPL zones under {self.root} (not Linux, no intel_rapl driver, "
                              "a VM that hides RAPL, or a container without /sys/class/powercap)",
                              zones, ["if the host has RAPL, mount it and set CARBONTRAIL_POWERCAP_ROOT"])
        if self._state == "permission-denied":
            return RaplStatus("permission-denied", str(self.root), self._error, zones,
                              permission_fix(self.root))
        if self._state == "error":
            return RaplStatus("error", str(self.root), self._error, zones, [])
        names = ", ".join(self._device_id(z) for z in self._counted)
        return RaplStatus("ok", str(self.root), f"readable: {names}", zones, [])

    diagnose = status

    # -- sampling ----------------------------------------------------------------
    def _raw(self, z: Zone) -> int | None:
        try:
            return int(self._reader(z.path / "energy_uj").strip())
        except (OSError, ValueError) as exc:
            why = "permission denied" if isinstance(exc, PermissionError) else str(exc)
            self._warn(f"read:{z.key}", f"RAPL: cannot read {z.path / 'energy_uj'} ({why}); "
                       "that tick leaves it out")
            return None

    def start(self, now_s: float) -> None:
        self._prev.clear()
        self._total_uj.clear()
        self._started = True
        if self._state != "ok":
            return
        watched = self._counted + [m for ms in self._mirrors.values() for m in ms]
        for z in watched:
            value = self._raw(z)
            if value is not None:
                self._prev[z.key] = value
                self._total_uj[z.key] = 0

    def read(self, now_s: float) -> dict[str, float]:
        """Cumulative energy [J] since :meth:`start` per counted zone."""
        if self._state != "ok" or not self._started:
            return {}
        out: dict[str, float] = {}
        fresh: set[str] = set()
        for z in self._counted + [m for ms in self._mirrors.values() for m in ms]:
            value = self._raw(z)
            if value is None:
                continue
            fresh.add(z.key)
            if z.key not in self._prev:       # first successful read: new baseline
                self._prev[z.key] = value
                self._total_uj[z.key] = 0
            else:
                self._total_uj[z.key] += counter_delta(self._prev[z.key], value, z.max_range_uj)
                self._prev[z.key] = value
        self._promote_diverged()
        for z in self._counted:
            if z.key in fresh:
                out[self._device_id(z)] = self._total_uj[z.key] / 1e6
        return out

    def _promote_diverged(self) -> None:
        """A 'mirror' whose counter moved differently is a real package: count it."""
        for key, peers in list(self._mirrors.items()):
            for peer in list(peers):
                if peer.key in self._total_uj and self._total_uj[peer.key] != self._total_uj.get(key):
                    peers.remove(peer)
                    self._counted.append(peer)
                    self._dropped.pop(peer.key, None)
                    self._warn(f"mirror:{peer.key}",
                               f"RAPL: {peer.key} matched {key} at start but its counter diverged: "
                               "it is a separate package and is now counted from the start")
            if not peers:
                del self._mirrors[key]

    def close(self) -> None:
        return None
