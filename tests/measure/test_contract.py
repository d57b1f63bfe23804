"""Every sensor through the same checks (the Sensor contract of measure/base.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from carbontrail.measure.base import Device, NullSensor, Sensor
from carbontrail.measure.cpu_model import CpuModelSensor
from carbontrail.measure.nvml import NvmlSensor
from carbontrail.measure.ram_model import RamModelSensor
from carbontrail.measure.rapl import RaplSensor
from carbontrail.measure.replay import ReplaySensor
from carbontrail.provenance import Method

from .conftest import FakeGpu, FakeNvml, PowercapTree, write_proc_stat


def rapl_ok(tmp: Path):
    pc = PowercapTree(tmp / "pc")
    rng = 10_000_000
    pc.zone("intel-rapl:0", "package-0", rng - 3_000_000, max_range_uj=rng)
    pc.zone("intel-rapl:0:2", "dram", 0, max_range_uj=rng)
    state = {"v": rng - 3_000_000, "d": 0}

    def advance(i):
        state["v"] = (state["v"] + 2_500_000) % rng      # wraps on the second tick
        state["d"] += 400_000
        pc.set("intel-rapl:0", state["v"])
        pc.set("intel-rapl:0:2", state["d"])
    return RaplSensor(pc.root), advance


def rapl_denied(tmp: Path):
    pc = PowercapTree(tmp / "pc")
    pc.zone("intel-rapl:0", "package-0", 5)

    def reader(p: Path) -> str:
        if p.name == "energy_uj":
            raise PermissionError(13, "Permission denied")
        return p.read_text()
    return RaplSensor(pc.root, reader=reader), lambda i: None


def nvml_counter(tmp: Path):
    g = FakeGpu("GPU-a", energy_mj=0, power_mw=100_000)

    def advance(i):
        g.energy_mj += 100_000
    return NvmlSensor(nvml=FakeNvml([g])), advance


def nvml_mixed(tmp: Path):
    gs = [FakeGpu("GPU-b", energy_mj=None, power_mw=50_000), FakeGpu("GPU-c", energy_mj=None, power_mw=None)]

    def advance(i):
        gs[0].power_mw = 50_000 + 10_000 * i
    return NvmlSensor(nvml=FakeNvml(gs)), advance


def cpu_model(tmp: Path):
    proc = tmp / "proc"
    write_proc_stat(proc, 0, 0, 0, 0)
    (proc / "cpuinfo").write_text("processor\t: 0\nmodel name\t: Intel(R) Xeon(R) Gold 6148 CPU @ 2.40GHz\n")

    def advance(i):
        write_proc_stat(proc, 50 * i, 0, 0, 100 * i)
    return CpuModelSensor(procfs=proc), advance


def ram_model(tmp: Path):
    proc = tmp / "proc"
    proc.mkdir()

    def advance(i):
        (proc / "meminfo").write_text(f"MemTotal: 8388608 kB\nMemAvailable: {8388608 - 100000 * i} kB\n")
    advance(0)
    return RamModelSensor(procfs=proc), advance


def replay(tmp: Path):
    f = tmp / "r.csv"
    f.write_text("t_s,device_id,component,energy_j\n0,x,cpu,0\n2,x,cpu,20\n5,x,cpu,21\n")
    return ReplaySensor(f), lambda i: None


def null(tmp: Path):
    return NullSensor("nothing", "absent"), lambda i: None


FACTORIES = [rapl_ok, rapl_denied, nvml_counter, nvml_mixed, cpu_model, ram_model, replay, null]


@pytest.mark.parametrize("factory", FACTORIES, ids=lambda f: f.__name__)
def test_sensor_contract(tmp_path, factory):
    sensor, advance = factory(tmp_path)
    assert isinstance(sensor, Sensor)
    assert isinstance(sensor.name, str) and sensor.name
    devices = sensor.devices()
    assert all(isinstance(d, Device) for d in devices)
    ids = [d.id for d in devices]
    assert len(ids) == len(set(ids)), "device ids must be unique"
    unavailable = {d.id for d in devices if d.method is Method.UNAVAILABLE}
    sensor.start(0.0)
    last: dict[str, float] = {}
    for i in range(1, 6):
        advance(i)
        got = sensor.read(float(i))
        assert set(got) <= set(ids), "read() reports only listed devices"
        assert not set(got) & unavailable, "an unavailable device is never reported (not even as 0)"
        for k, v in got.items():
            assert v >= 0.0
            assert v >= last.get(k, 0.0) - 1e-9, f"{k}: cumulative energy went down"
            last[k] = v
    if devices and not unavailable:
        assert last, "a sensor with readable devices reports energy"
    if unavailable:
        assert sensor.warnings, "unavailable devices come with a warning"
    assert isinstance(sensor.warnings, list)
    sensor.close()
    sensor.close()          # idempotent


def test_contract_energy_values_are_right_for_counters(tmp_path):
    s, advance = rapl_ok(tmp_path)
    s.start(0.0)
    for i in range(1, 4):
        advance(i)
        got = s.read(float(i))
    assert got["rapl:package-0"] == pytest.approx(7.5)      # 3 x 2.5 J across a wrap
    assert got["rapl:dram-0"] == pytest.approx(1.2)
