"""RAM power model for machines without a RAPL dram domain.

Power [W] = ``w_per_gb`` x memory in use [GiB]. The default 0.3725 W/GB is
the Green Algorithms figure (Lannelongue, Grealey & Inouye 2021, Adv. Sci. 8,
2100707, ``referenceValues.csv`` memoryPower, CC BY 4.0; their sources: ACM
e-Energy 2017 doi:10.1145/3076113.3076117 and a Tom's Hardware Haswell-E
review), read from the catalog's ``cpus_meta.json``. A "GB" of memory is taken
as GiB (2^30 bytes), the unit DIMM sizes are sold in.

Memory in use:

* ``scope="process"`` (a pid is given): resident memory of the job's process
  tree (:class:`carbontrail.measure.process.ProcessTree`);
* ``scope="machine"``: ``MemTotal - MemAvailable`` from ``/proc/meminfo``.

Energy integrates the power samples with the trapezoid rule between ticks;
method ``modelled``. The tracker uses this sensor only when RAPL has no
readable dram domain (see :attr:`RaplSensor.covers_ram`): never both.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ..provenance import Method
from .base import Device
from .process import ProcessTree, machine_memory_used_bytes

GIB = 2 ** 30


class RamModelSensor:
    """Modelled RAM energy [J] from memory in use.

    :param pid: the job's root process for ``process`` scope; None = machine scope.
    :param procfs: procfs root.
    :param w_per_gb: override of the W/GB figure (then its source is "given by the user").
    :param refresh_s: memory in use is read at most this often [s]; between
        reads the last power is carried (memory use changes slowly, and each
        read of /proc costs more than the rest of a sampler tick).
    """

    name = "ram-model"

    def __init__(self, pid: int | None = None, procfs: Path = Path("/proc"),
                 w_per_gb: float | None = None, refresh_s: float = 5.0) -> None:
        from ..hardware.cpus import catalog_meta

        self.procfs = Path(procfs)
        self.tree = ProcessTree(pid, procfs) if pid is not None else None
        self.scope = "process" if pid is not None else "machine"
        self.refresh_s = float(refresh_s)
        self._read_at: float | None = None
        if w_per_gb is None:
            d = catalog_meta()["defaults"]["ram_w_per_gb"]
            self.w_per_gb, source = float(d["value"]), d["source"]
        else:
            self.w_per_gb, source = float(w_per_gb), "given by the user"
        details: dict[str, Any] = {
            "w_per_gb": self.w_per_gb, "w_per_gb_source": source, "gb": "GiB (2^30 bytes)",
            "scope": self.scope,
            "memory": "resident memory of the process tree" if self.tree else "MemTotal - MemAvailable",
            "refresh_s": self.refresh_s,
        }
        self._device = Device("ram-model", "ram", "RAM (model)", Method.MODELLED, details)
        self._warnings: list[str] = []
        self._energy_j = 0.0
        self._prev: tuple[float, float] | None = None    # (t [s], power [W])
        self.last_used_bytes: int | None = None

    def used_bytes(self) -> int | None:
        """Memory in use [bytes] for the scope, None when unreadable."""
        try:
            if self.tree is not None:
                rss = self.tree.rss_bytes()
                if rss is None and self.last_used_bytes is not None:
                    return 0          # the job has exited: its memory is freed
                return rss
            return machine_memory_used_bytes(self.procfs)
        except (OSError, ValueError, KeyError) as exc:
            msg = f"RAM model: cannot read memory use ({exc}); the tick leaves RAM out"
            if msg not in self._warnings:
                self._warnings.append(msg)
            return None

    def power_w(self, used_bytes: int) -> float:
        """Modelled power [W] of ``used_bytes`` of memory."""
        return self.w_per_gb * used_bytes / GIB

    def devices(self) -> list[Device]:
        return [self._device]

    def start(self, now_s: float) -> None:
        self._energy_j = 0.0
        used = self.used_bytes()
        self._prev = (now_s, self.power_w(used)) if used is not None else None
        self.last_used_bytes = used
        self._read_at = now_s

    def read(self, now_s: float) -> dict[str, float]:
        """Cumulative modelled energy [J] since :meth:`start` (trapezoid over ticks)."""
        if (self._read_at is not None and now_s - self._read_at < self.refresh_s
                and self.last_used_bytes is not None and self._prev is not None):
            used = self.last_used_bytes  # carried between reads
        else:
            used = self.used_bytes()
            if used is None:
                return {}
            self._read_at = now_s
        self.last_used_bytes = used
        p = self.power_w(used)
        if self._prev is None:           # first readable sample: start integrating here
            self._prev = (now_s, p)
            return {"ram-model": self._energy_j}
        t0, p0 = self._prev
        if now_s > t0:
            self._energy_j += 0.5 * (p0 + p) * (now_s - t0)
            self._prev = (now_s, p)
        return {"ram-model": self._energy_j}

    def close(self) -> None:
        return None

    @property
    def warnings(self) -> list[str]:
        return self._warnings
