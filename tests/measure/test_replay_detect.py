"""Replay sensor and sensor detection."""

from __future__ import annotations

from pathlib import Path

import pytest

from carbontrail.config import load_settings
from carbontrail.errors import DataError
from carbontrail.measure.detect import describe_sensors, detect_sensors
from carbontrail.measure.replay import ReplaySensor
from carbontrail.provenance import Method

from .conftest import FakeGpu, FakeNvml, PowercapTree, write_proc_stat

CPUINFO = "processor\t: 0\nmodel name\t: AMD EPYC 7763 64-Core Processor\nphysical id\t: 0\n"


def test_replay_energy_and_power_tracks(tmp_path):
    f = tmp_path / "rec.csv"
    f.write_text("t_s,device_id,component,energy_j,power_w\n"
                 "100,cpu0,cpu,1000,\n101,cpu0,cpu,1010,\n103,cpu0,cpu,1050,\n"
                 "100,gpu0,gpu,,100\n102,gpu0,gpu,,300\n")
    s = ReplaySensor(f)
    assert {d.id: d.method for d in s.devices()} == {"cpu0": Method.REPLAYED, "gpu0": Method.REPLAYED}
    s.start(50.0)
    assert s.read(50.0) == {"cpu0": 0.0, "gpu0": 0.0}
    got = s.read(51.0)
    assert got["cpu0"] == pytest.approx(10.0)
    assert got["gpu0"] == pytest.approx(0.5 * (100 + 200) * 1.0)      # power interpolated to 200 W at t=1
    got = s.read(52.0)
    assert got["cpu0"] == pytest.approx(30.0) and got["gpu0"] == pytest.approx(400.0)
    assert s.read(60.0) == {"cpu0": pytest.approx(50.0), "gpu0": pytest.approx(400.0)}
    assert s.warnings and "ended" in s.warnings[0]
    assert s.duration_s == 3


@pytest.mark.parametrize("text, where", [
    ("t_s,device_id,energy_j\n0,a,1\n", "line 1"),
    ("t_s,device_id,component,energy_j\n0,a,cpu,x\n", "line 2, column energy_j"),
    ("t_s,device_id,component,energy_j\n0,a,disk,1\n", "column component"),
    ("t_s,device_id,component,energy_j\n0,a,cpu,5\n1,a,cpu,3\n", "decreases"),
    ("t_s,device_id,component,energy_j,power_w\n0,a,cpu,1,2\n", "exactly one"),
])
def test_replay_bad_files_say_where(tmp_path, text, where):
    f = tmp_path / "bad.csv"
    f.write_text(text)
    with pytest.raises(DataError) as e:
        ReplaySensor(f)
    assert where in str(e.value) and str(f) in str(e.value)


def _proc(tmp_path: Path) -> Path:
    proc = tmp_path / "proc"
    write_proc_stat(proc, 10, 0, 10, 100)
    (proc / "cpuinfo").write_text(CPUINFO)
    (proc / "meminfo").write_text("MemTotal: 1048576 kB\nMemAvailable: 524288 kB\n")
    return proc


def _settings(root: Path):
    return load_settings(overrides={"powercap_root": str(root)}, use_files=False, env={})


def test_detect_with_rapl_packages_and_dram_uses_no_models(tmp_path):
    pc = PowercapTree(tmp_path / "pc")
    pc.zone("intel-rapl:0", "package-0", 10)
    pc.zone("intel-rapl:0:2", "dram", 10)
    sensors = detect_sensors(_settings(pc.root), procfs=_proc(tmp_path), dev=tmp_path / "dev")
    assert [s.name for s in sensors] == ["rapl"]


def test_detect_rapl_without_dram_adds_ram_model_only(tmp_path):
    pc = PowercapTree(tmp_path / "pc")
    pc.zone("intel-rapl:0", "package-0", 10)
    sensors = detect_sensors(_settings(pc.root), procfs=_proc(tmp_path), dev=tmp_path / "dev")
    assert [s.name for s in sensors] == ["rapl", "ram-model"]


def test_detect_psys_covers_ram(tmp_path):
    pc = PowercapTree(tmp_path / "pc")
    pc.zone("intel-rapl:0", "package-0", 10)
    pc.zone("intel-rapl:1", "psys", 10)
    sensors = detect_sensors(_settings(pc.root), procfs=_proc(tmp_path), dev=tmp_path / "dev")
    assert [s.name for s in sensors] == ["rapl"]
    assert [d.component for d in sensors[0].devices()] == ["soc"]


def test_detect_denied_rapl_falls_back_to_cpu_model_with_reason(tmp_path):
    pc = PowercapTree(tmp_path / "pc")
    where = pc.zone("intel-rapl:0", "package-0", 10)
    (where / "energy_uj").unlink()
    (where / "energy_uj").mkdir()            # reading a folder fails with an OSError, even as root
    sensors = detect_sensors(_settings(pc.root), procfs=_proc(tmp_path), dev=tmp_path / "dev")
    assert [s.name for s in sensors] == ["cpu-model", "ram-model"]
    cpu = sensors[0]
    assert "RAPL" in cpu.devices()[0].details["why_modelled"]
    assert any("RAPL" in w for w in cpu.warnings)


def test_detect_returns_fresh_objects_and_gpu_with_fake_nvml(tmp_path):
    nv = FakeNvml([FakeGpu("GPU-1")])
    s1 = detect_sensors(_settings(tmp_path / "none"), procfs=_proc(tmp_path), dev=tmp_path / "dev", nvml=nv,
                        env={"CUDA_VISIBLE_DEVICES": "0"})
    s2 = detect_sensors(_settings(tmp_path / "none"), procfs=_proc(tmp_path), dev=tmp_path / "dev", nvml=nv,
                        env={})
    assert [s.name for s in s1] == ["nvml", "cpu-model", "ram-model"]
    assert all(a is not b for a, b in zip(s1, s2))


def test_detect_grace_hopper_skips_cpu_model(tmp_path):
    nv = FakeNvml([FakeGpu("GPU-1", name="NVIDIA GH200 480GB")])
    sensors = detect_sensors(_settings(tmp_path / "none"), procfs=_proc(tmp_path), dev=tmp_path / "dev",
                             nvml=nv, env={})
    assert [s.name for s in sensors] == ["nvml", "ram-model"]


def test_describe_with_test_read(tmp_path):
    pc = PowercapTree(tmp_path / "pc")
    pc.zone("intel-rapl:0", "package-0", 10)

    def sleep(_s):
        pc.set("intel-rapl:0", 10 + 2_000_000)

    out = describe_sensors(_settings(pc.root), procfs=_proc(tmp_path), dev=tmp_path / "dev",
                           test_read_s=0.01, sleep=sleep)
    assert out["rapl"]["state"] == "ok"
    assert out["nvml"]["state"] == "no-driver"
    assert out["cpu_model"]["used"] is False and "RAPL" in out["cpu_model"]["reason"]
    reads = {r["device"]: r for r in out["test_read"]}
    assert reads["rapl:package-0"]["energy_j"] == pytest.approx(2.0)
    assert "ram-model" in reads
