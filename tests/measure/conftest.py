"""Fixtures for the sensor tests: fake powercap trees and a fake /proc."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

#: max_energy_range_uj of a typical Intel package zone (about 262 kJ)
PKG_RANGE_UJ = 262143328850


class PowercapTree:
    """Writes a powercap tree laid out like the kernel's.

    Zones live in ``devices/intel-rapl/intel-rapl:N[/intel-rapl:N:M]`` and the
    top of the root holds a symlink per zone, as ``/sys/class/powercap`` does.
    """

    def __init__(self, root: Path) -> None:
        self.root = root
        self.root.mkdir(parents=True, exist_ok=True)
        self.phys = root / "devices"

    def zone(self, key: str, name: str, energy_uj: int = 0, max_range_uj: int = PKG_RANGE_UJ,
             max_power_uw: int | None = None, link: bool = True) -> Path:
        control = key.split(":")[0]
        parts = key.split(":")
        where = self.phys / control / f"{control}:{parts[1]}"
        if len(parts) == 3:
            where = where / key
        where.mkdir(parents=True, exist_ok=True)
        (where / "name").write_text(name + "\n")
        (where / "energy_uj").write_text(f"{energy_uj}\n")
        (where / "max_energy_range_uj").write_text(f"{max_range_uj}\n")
        if max_power_uw is not None:
            (where / "constraint_0_max_power_uw").write_text(f"{max_power_uw}\n")
        top = self.root / key
        if link and not top.exists():
            os.symlink(os.path.relpath(where, self.root), top)
        return where

    def set(self, key: str, energy_uj: int) -> None:
        (self.root / key / "energy_uj").write_text(f"{energy_uj}\n")


@pytest.fixture
def powercap(tmp_path: Path) -> PowercapTree:
    return PowercapTree(tmp_path / "powercap")


def write_proc_stat(proc: Path, user: int, nice: int, system: int, idle: int, iowait: int = 0,
                    irq: int = 0, softirq: int = 0, steal: int = 0) -> None:
    """A /proc/stat with an aggregate 'cpu' line (ticks)."""
    proc.mkdir(parents=True, exist_ok=True)
    (proc / "stat").write_text(
        f"cpu  {user} {nice} {system} {idle} {iowait} {irq} {softirq} {steal} 0 0\n"
        f"cpu0 {user} {nice} {system} {idle} {iowait} {irq} {softirq} {steal} 0 0\n"
        "intr 0\nctxt 0\nbtime 0\n"
    )


@pytest.fixture
def proc_stat_writer():
    return write_proc_stat


class FakeNvmlError(Exception):
    """Like pynvml.NVMLError: carries the NVML return code in ``value``."""

    def __init__(self, value: int) -> None:
        self.value = value
        super().__init__(f"NVML error {value}")


class FakeGpu:
    def __init__(self, uuid: str, name: str = "NVIDIA A100-SXM4-40GB", energy_mj: int | None = 1_000_000,
                 power_mw: int | None = 200_000, procs=(), util=(), migs=()) -> None:
        self.uuid, self.name = uuid, name
        self.energy_mj, self.power_mw = energy_mj, power_mw
        self.procs, self.util, self.migs = list(procs), list(util), list(migs)


class FakeNvml:
    """The handful of pynvml calls the sensor uses, over a list of FakeGpu."""

    NVML_ERROR_UNINITIALIZED = 1
    NVML_ERROR_NOT_SUPPORTED = 3
    NVML_ERROR_NO_PERMISSION = 4
    NVML_ERROR_NOT_FOUND = 6
    NVML_ERROR_DRIVER_NOT_LOADED = 9
    NVML_ERROR_LIBRARY_NOT_FOUND = 12
    NVMLError = FakeNvmlError

    def __init__(self, gpus, init_error: int | None = None) -> None:
        self.gpus = list(gpus)
        self.init_error = init_error
        self.inited = False
        self.shutdowns = 0

    def nvmlInit(self):
        if self.init_error is not None:
            raise FakeNvmlError(self.init_error)
        self.inited = True

    def nvmlShutdown(self):
        self.shutdowns += 1
        self.inited = False

    def nvmlDeviceGetCount(self):
        return len(self.gpus)

    def nvmlDeviceGetHandleByIndex(self, i):
        return self.gpus[i]

    def nvmlDeviceGetUUID(self, h):
        return h.uuid

    def nvmlDeviceGetName(self, h):
        return h.name.encode()          # old pynvml returns bytes

    def nvmlDeviceGetTotalEnergyConsumption(self, h):
        if h.energy_mj is None:
            raise FakeNvmlError(self.NVML_ERROR_NOT_SUPPORTED)
        return h.energy_mj

    def nvmlDeviceGetPowerUsage(self, h):
        if h.power_mw is None:
            raise FakeNvmlError(self.NVML_ERROR_NOT_SUPPORTED)
        return h.power_mw

    def nvmlDeviceGetComputeRunningProcesses(self, h):
        return list(h.procs)

    def nvmlDeviceGetProcessUtilization(self, h, last_seen):
        if not h.util:
            raise FakeNvmlError(self.NVML_ERROR_NOT_FOUND)
        return list(h.util)

    def nvmlDeviceGetMaxMigDeviceCount(self, h):
        return len(h.migs)

    def nvmlDeviceGetMigDeviceHandleByIndex(self, h, k):
        return h.migs[k]


class Proc:
    def __init__(self, pid: int, used_gpu_memory: int = 0) -> None:
        self.pid, self.usedGpuMemory = pid, used_gpu_memory


class UtilSample:
    def __init__(self, pid: int, sm: int, ts: int = 1) -> None:
        self.pid, self.smUtil, self.timeStamp = pid, sm, ts


def write_pid(proc: Path, pid: int, ppid: int, utime: int, stime: int, cutime: int = 0, cstime: int = 0,
              rss_pages: int = 0, comm: str = "python", children: list[int] | None = None) -> None:
    """A /proc/<pid>/stat line (fields 1-24) and, if given, task/<pid>/children."""
    d = proc / str(pid)
    d.mkdir(parents=True, exist_ok=True)
    fields = ["S", ppid, 0, 0, 0, 0, 0, 0, 0, 0, 0, utime, stime, cutime, cstime, 20, 0, 1, 0, 0, 0, rss_pages]
    (d / "stat").write_text(f"{pid} ({comm}) " + " ".join(str(f) for f in fields) + "\n")
    if children is not None:
        t = d / "task" / str(pid)
        t.mkdir(parents=True, exist_ok=True)
        (t / "children").write_text(" ".join(str(c) for c in children) + (" " if children else ""))
