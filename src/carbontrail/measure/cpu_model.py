"""CPU power model for machines where no CPU counter can be read.

Power [W] over an interval, from the machine's CPU utilisation ``u`` in that
interval (``/proc/stat`` deltas)::

    P = P_idle + (P_max - P_idle) * u,     P_idle = idle_fraction * P_max

``P_max`` is the catalog TDP [W] of the CPU named in ``/proc/cpuinfo``
times the sockets, scaled to the share of the socket's hardware threads this
machine sees (a 2-vCPU VM on a 64-core part gets 2/128 of it); method
``modelled``. For a CPU the catalog does not know safely
(:func:`carbontrail.hardware.cpus.find_cpu` returns None), ``P_max`` is a
per-core default times the cores, method ``defaulted``. Defaults and their
citations come from the catalog's ``cpus_meta.json``: 12 W per core (Green
Algorithms TDP_cpu.csv, row "Any", Lannelongue et al. 2021, CC BY 4.0) and
the idle floor fraction (median min/max watts over CPU microarchitectures,
Cloud Carbon Footprint coefficients from SPECpower_ssj2008, Apache-2.0).

The model is linear in ``u`` and ``u`` is the interval's average, so
``P * dt`` is the interval's modelled energy exactly (no trapezoid needed).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from ..provenance import Method
from .base import Device
from .process import CpuTimes, read_cpu_times


def cpu_topology(cpuinfo_text: str) -> dict[str, int]:
    """logical CPUs, sockets, cores per socket and threads per core from /proc/cpuinfo text."""
    logical = 0
    sockets: set[str] = set()
    cores = siblings = 0
    for line in cpuinfo_text.splitlines():
        key, _, value = line.partition(":")
        key, value = key.strip(), value.strip()
        if key == "processor":
            logical += 1
        elif key == "physical id":
            sockets.add(value)
        elif key == "cpu cores" and value.isdigit():
            cores = int(value)
        elif key == "siblings" and value.isdigit():
            siblings = int(value)
    n_sockets = max(1, len(sockets))
    return {
        "logical_cpus": logical,
        "sockets": n_sockets,
        "cores_per_socket": cores,
        "threads_per_core": max(1, siblings // cores) if cores else 1,
    }


def _brand_cores(brand: str) -> int | None:
    m = re.search(r"\b(\d+)-Core\b", brand, flags=re.IGNORECASE)
    return int(m.group(1)) if m else None


class CpuModelSensor:
    """Modelled CPU energy [J] from utilisation and a catalog or default TDP.

    :param procfs: procfs root (``/proc``); ``stat`` and ``cpuinfo`` are read.
    :param tdp_w: a known TDP per socket [W] (given by the user): skips the catalog.
    :param cpuinfo_text: /proc/cpuinfo content (default: read from procfs).
    :param why_modelled: why no counter was used (kept in the device details).
    """

    name = "cpu-model"

    def __init__(self, procfs: Path = Path("/proc"), tdp_w: float | None = None,
                 cpuinfo_text: str | None = None, why_modelled: str | None = None) -> None:
        from ..hardware.cpus import catalog_meta, cpu_brand, find_cpu

        self.procfs = Path(procfs)
        self._warnings: list[str] = []
        if cpuinfo_text is None:
            try:
                cpuinfo_text = (self.procfs / "cpuinfo").read_text()
            except OSError:
                cpuinfo_text = ""
        topo = cpu_topology(cpuinfo_text)
        brand = cpu_brand(cpuinfo_text) or ""
        defaults = catalog_meta()["defaults"]
        idle = defaults["idle_fraction"]
        self.idle_fraction = float(idle["value"])
        details: dict[str, Any] = {
            "cpu": brand or None, "sockets": topo["sockets"], "logical_cpus": topo["logical_cpus"],
            "idle_fraction": self.idle_fraction, "idle_fraction_source": idle["source"],
            "utilisation": "machine-wide, from /proc/stat",
        }
        if why_modelled:
            details["why_modelled"] = why_modelled
        match = None if tdp_w is not None else (find_cpu(brand) if brand else None)
        hypervisor = " hypervisor" in cpuinfo_text
        if tdp_w is not None:
            self.method = Method.MODELLED
            per_socket_w = float(tdp_w)
            details.update(tdp_w=per_socket_w, tdp_source="given by the user (CARBONTRAIL_CPU_TDP)")
            visible = 1.0
        elif match is not None:
            self.method = Method.MODELLED
            per_socket_w = match.tdp_w
            details.update(tdp_w=match.tdp_w, matched_name=match.name, match=match.match,
                           match_score=round(match.score, 3), tdp_source=match.source)
            cores = match.cores or _brand_cores(brand)
            threads = topo["threads_per_core"]
            if cores and topo["logical_cpus"]:
                visible = min(1.0, topo["logical_cpus"] / (cores * threads * topo["sockets"]))
                details.update(socket_cores=cores, visible_fraction=round(visible, 4),
                               visible_basis=f"{topo['logical_cpus']} logical CPUs of "
                                             f"{cores} cores x {threads} threads x {topo['sockets']} sockets")
            else:
                visible = 1.0
                if hypervisor:
                    self._warnings.append(
                        f"CPU model: {match.name} has no core count in the catalog; in this VM the whole "
                        "socket's TDP is assumed, which overestimates a VM that has part of it")
            if match.match == "fuzzy":
                self._warnings.append(f"CPU model: {brand!r} matched {match.name!r} fuzzily "
                                      f"(score {match.score:.2f}); TDP {match.tdp_w:g} W")
        else:
            self.method = Method.DEFAULTED
            per_core = defaults["tdp_per_core_w"]
            cores = topo["cores_per_socket"] * topo["sockets"] or topo["logical_cpus"] or 1
            basis = "physical cores" if topo["cores_per_socket"] else "logical CPUs"
            per_socket_w = float(per_core["value"]) * cores / topo["sockets"]
            visible = 1.0
            details.update(tdp_w_per_core=per_core["value"], tdp_source=per_core["source"],
                           cores=cores, cores_basis=basis,
                           reason=f"CPU {brand!r} is not in the catalog (or has no model number)"
                           if brand else "no CPU model name in /proc/cpuinfo")
            self._warnings.append(
                f"CPU model: {brand or 'this CPU'} is not in the catalog: using the per-core default "
                f"{per_core['value']:g} W x {cores} {basis} (defaulted); set CARBONTRAIL_CPU_TDP to its "
                "TDP per socket [W] to be precise")
        self.max_power_w = per_socket_w * topo["sockets"] * visible
        self.idle_power_w = self.idle_fraction * self.max_power_w
        details.update(max_power_w=round(self.max_power_w, 3), idle_power_w=round(self.idle_power_w, 3))
        self._device = Device("cpu-model", "cpu", brand or "CPU (model)", self.method, details)
        self._prev: CpuTimes | None = None
        self._prev_t: float | None = None
        self._energy_j = 0.0
        self.last_utilisation: float | None = None

    def power_w(self, utilisation: float) -> float:
        """Modelled power [W] at a utilisation in [0, 1]."""
        u = min(1.0, max(0.0, utilisation))
        return self.idle_power_w + (self.max_power_w - self.idle_power_w) * u

    def devices(self) -> list[Device]:
        return [self._device]

    def _times(self) -> CpuTimes | None:
        try:
            return read_cpu_times(self.procfs)
        except (OSError, ValueError) as exc:
            msg = f"CPU model: cannot read {self.procfs / 'stat'} ({exc}); the tick leaves the CPU out"
            if msg not in self._warnings:
                self._warnings.append(msg)
            return None

    def start(self, now_s: float) -> None:
        self._energy_j = 0.0
        self._prev = self._times()
        self._prev_t = now_s

    def read(self, now_s: float) -> dict[str, float]:
        """Cumulative modelled energy [J] since :meth:`start`."""
        cur = self._times()
        if cur is None or self._prev_t is None:
            return {}
        if self._prev is None:          # /proc/stat came back: baseline now
            self._prev, self._prev_t = cur, now_s
            return {"cpu-model": self._energy_j}
        dt = now_s - self._prev_t
        total = cur.total - self._prev.total
        if dt > 0 and total > 0:
            u = max(0, cur.busy - self._prev.busy) / total
            self.last_utilisation = u
            self._energy_j += self.power_w(u) * dt
            self._prev, self._prev_t = cur, now_s
        elif dt > 0:                    # no tick elapsed in /proc/stat: assume the last level
            self._energy_j += self.power_w(self.last_utilisation or 0.0) * dt
            self._prev_t = now_s
        return {"cpu-model": self._energy_j}

    def close(self) -> None:
        return None

    @property
    def warnings(self) -> list[str]:
        return self._warnings
