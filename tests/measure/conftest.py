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
