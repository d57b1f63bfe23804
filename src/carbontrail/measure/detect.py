"""Which sensors to use on this machine, as fresh objects (no singletons).

The combination (MEASUREMENT.md):

* RAPL packages, or psys instead of them (never both), and dram when present;
* NVML GPUs, when an NVIDIA driver is present (checked by a file test before
  loading the library, so machines without one pay nothing);
* the CPU model only when no CPU counter is readable, and not when a GPU
  module's power already includes the CPU (Grace Hopper);
* the RAM model only when RAPL has no readable dram or psys domain.

A RAPL sensor whose counters cannot be read is replaced by the CPU model;
its warning (with the fix) travels in the model's warnings and details, so
the record says why the CPU figure is modelled. Detection reads a few small
sysfs/procfs files: no subprocess, no heavy import.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from ..config import Settings
from .base import Sensor


def nvidia_driver_present(procfs: Path = Path("/proc"), dev: Path = Path("/dev")) -> bool:
    """True when the NVIDIA kernel driver looks loaded (cheap file tests)."""
    return (procfs / "driver" / "nvidia" / "version").exists() or (dev / "nvidiactl").exists()


def _build(settings: Settings, pid: int | None, env: Mapping[str, str] | None, nvml: Any,
           procfs: Path, dev: Path) -> dict[str, Any]:
    from .cpu_model import CpuModelSensor
    from .nvml import NvmlSensor
    from .ram_model import RamModelSensor
    from .rapl import RaplSensor

    env = os.environ if env is None else env
    rapl = RaplSensor(settings.powercap_root)
    gpu: NvmlSensor | None = None
    gpu_reason = ""
    if nvml is not None or nvidia_driver_present(procfs, dev):
        gpu = NvmlSensor(nvml=nvml, visible_devices=env.get("CUDA_VISIBLE_DEVICES"),
                         device_order=env.get("CUDA_DEVICE_ORDER"),
                         pid=pid if settings.scope == "process" else None, procfs=procfs)
    else:
        gpu_reason = f"no NVIDIA driver ({procfs / 'driver/nvidia/version'} and {dev / 'nvidiactl'} absent)"
    cpu = ram = None
    cpu_reason = ram_reason = ""
    if rapl.covers_cpu:
        cpu_reason = "RAPL counters measure the CPU"
    elif gpu is not None and gpu.includes_cpu:
        cpu_reason = "the GPU module's power includes the CPU (Grace Hopper): not added again"
    else:
        cpu = CpuModelSensor(procfs=procfs, tdp_w=settings.cpu_tdp_w,
                             why_modelled=f"no readable CPU counter: RAPL {rapl.status().message}")
        if rapl.warnings:
            cpu.warnings[:0] = list(rapl.warnings)
    if rapl.covers_ram:
        ram_reason = "RAPL dram domain" if rapl.has_dram else "RAPL psys covers the platform, memory included"
    else:
        ram = RamModelSensor(pid=pid if settings.scope == "process" else None, procfs=procfs)
    return {"rapl": rapl, "nvml": gpu, "nvml_reason": gpu_reason, "cpu": cpu, "cpu_reason": cpu_reason,
            "ram": ram, "ram_reason": ram_reason}


def detect_sensors(settings: Settings, pid: int | None = None, env: Mapping[str, str] | None = None,
                   nvml: Any = None, procfs: Path = Path("/proc"), dev: Path = Path("/dev")) -> list[Sensor]:
    """Fresh sensors for this machine, in the right combination.

    :param settings: uses ``powercap_root`` and ``scope``.
    :param pid: the job's root process (RAM and GPU attribution in process scope).
    :param env: environment for CUDA_VISIBLE_DEVICES / CUDA_DEVICE_ORDER (default os.environ).
    :param nvml: an injected pynvml-like module (tests); default: real NVML when a driver is present.
    """
    b = _build(settings, pid, env, nvml, Path(procfs), Path(dev))
    sensors: list[Sensor] = []
    if b["rapl"].available:
        sensors.append(b["rapl"])
    if b["nvml"] is not None:
        if b["nvml"].devices():
            sensors.append(b["nvml"])
        else:
            b["nvml"].close()
    for key in ("cpu", "ram"):
        if b[key] is not None:
            sensors.append(b[key])
    return sensors


def describe_sensors(settings: Settings, pid: int | None = None, env: Mapping[str, str] | None = None,
                     nvml: Any = None, procfs: Path = Path("/proc"), dev: Path = Path("/dev"),
                     test_read_s: float = 0.0, sleep=None) -> dict[str, Any]:
    """What each backend found, what is used and why, and the fixes (for ``carbontrail doctor``).

    With ``test_read_s`` > 0, each used sensor is started, left ``test_read_s``
    seconds (``sleep`` injectable) and read once: energy [J] and mean power [W].
    """
    import time

    b = _build(settings, pid, env, nvml, Path(procfs), Path(dev))
    rapl, gpu = b["rapl"], b["nvml"]
    nvml_status = gpu.status() if gpu is not None else {
        "state": "no-driver", "message": b["nvml_reason"], "fix": "", "devices": []}
    out: dict[str, Any] = {
        "rapl": rapl.status().to_dict() | {"min_read_interval_s": rapl.min_read_interval_s()},
        "nvml": nvml_status,
        "cpu_model": {"used": b["cpu"] is not None, "reason": b["cpu_reason"],
                      "devices": [d.to_dict() for d in b["cpu"].devices()] if b["cpu"] else []},
        "ram_model": {"used": b["ram"] is not None, "reason": b["ram_reason"],
                      "devices": [d.to_dict() for d in b["ram"].devices()] if b["ram"] else []},
    }
    used: list[Sensor] = [s for s in (rapl if rapl.available else None,
                                      gpu if gpu is not None and gpu.devices() else None,
                                      b["cpu"], b["ram"]) if s is not None]
    reads: list[dict[str, Any]] = []
    if test_read_s > 0 and used:
        clock = time.monotonic
        t0 = clock()
        for s in used:
            s.start(t0)
        (sleep or time.sleep)(test_read_s)
        t1 = clock()
        for s in used:
            got = s.read(t1)
            for d in s.devices():
                e = got.get(d.id)
                reads.append({"device": d.id, "method": d.method.value, "energy_j": e,
                              "power_w": e / (t1 - t0) if e is not None and t1 > t0 else None,
                              "over_s": round(t1 - t0, 3)})
    out["used"] = [d.to_dict() for s in used for d in s.devices()]
    out["test_read"] = reads
    out["warnings"] = [w for s in used for w in s.warnings] + (
        [] if rapl.available else [w for w in rapl.warnings if b["cpu"] is None])
    for s in (rapl, gpu, b["cpu"], b["ram"]):
        if s is not None:
            s.close()
    return out
