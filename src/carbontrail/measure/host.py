"""What a run ran on: CPU model, core count, GPUs, memory, OS, Python."""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from .base import Device


def _read_cpu_model(procfs: Path = Path("/proc")) -> str | None:
    try:
        with open(procfs / "cpuinfo", encoding="utf-8", errors="replace") as fh:
            for line in fh:
                if line.lower().startswith(("model name", "hardware", "cpu model")):
                    return line.split(":", 1)[1].strip()
    except OSError:
        return None
    return None


def _read_mem_total_gb(procfs: Path = Path("/proc")) -> float | None:
    try:
        with open(procfs / "meminfo", encoding="utf-8") as fh:
            for line in fh:
                if line.startswith("MemTotal:"):
                    return int(line.split()[1]) * 1024 / 1e9
    except (OSError, ValueError, IndexError):
        return None
    return None


def host_hardware(devices: Sequence[Device]) -> dict[str, Any]:
    """What the run ran on: CPU, GPUs, memory, OS, Python."""
    import platform

    gpus = [d for d in devices if d.component == "gpu"]
    names = sorted({d.name for d in gpus})
    return {
        "cpu_model": _read_cpu_model(),
        "cpu_count": os.cpu_count(),
        "gpu_count": len(gpus),
        "gpu_model": ", ".join(names) if names else None,
        "ram_total_gb": _read_mem_total_gb(),
        "os": platform.platform(),
        "python": platform.python_version(),
    }
