"""NVML sensor against a fake pynvml module."""

from __future__ import annotations

import os

import pytest

from carbontrail.errors import SensorNotSupported, SensorPermissionError, SensorUnavailable
from carbontrail.measure.nvml import INSTALL_FIX, NvmlSensor, from_environment, map_nvml_error
from carbontrail.provenance import Method

from .conftest import FakeGpu, FakeNvml, FakeNvmlError, Proc, UtilSample

U0 = "GPU-11111111-aaaa-bbbb-cccc-000000000000"
U1 = "GPU-22222222-aaaa-bbbb-cccc-000000000001"
U2 = "GPU-33333333-aaaa-bbbb-cccc-000000000002"


def test_counter_method_and_energy_since_start():
    g = FakeGpu(U0, energy_mj=5_000_000)
    nv = FakeNvml([g])
    s = NvmlSensor(nvml=nv)
    [d] = s.devices()
    assert (d.id, d.component, d.method) == (f"nvml:{U0}", "gpu", Method.COUNTER)
    s.start(0.0)
    g.energy_mj += 250_000          # 250 J
    assert s.read(1.0) == {f"nvml:{U0}": pytest.approx(250.0)}
    s.close()
    assert nv.shutdowns == 1


def test_counter_validated_once_against_integrated_power():
    g = FakeGpu(U0, energy_mj=0, power_mw=200_000)
    s = NvmlSensor(nvml=FakeNvml([g]))
    s.start(0.0)
    g.energy_mj = 400_000           # 400 J over 2 s at 200 W: consistent
    s.read(2.0)
    v = s.devices()[0].details["validation"]
    assert v["counter_j"] == pytest.approx(400.0) and v["integrated_power_j"] == pytest.approx(400.0)
    assert v["relative_gap"] == pytest.approx(0.0)
    assert s.warnings == []

    g2 = FakeGpu(U1, energy_mj=0, power_mw=300_000)
    s2 = NvmlSensor(nvml=FakeNvml([g2]))
    s2.start(0.0)
    g2.energy_mj = 100_000          # 100 J where power says 600 J
    s2.read(2.0)
    assert any("differ" in w for w in s2.warnings)
    assert s2.devices()[0].method is Method.COUNTER


def test_no_counter_falls_back_to_integrated_power():
    g = FakeGpu(U0, energy_mj=None, power_mw=100_000)
    s = NvmlSensor(nvml=FakeNvml([g]))
    [d] = s.devices()
    assert d.method is Method.INTEGRATED and "not supported" in d.details["counter"]
    s.start(0.0)
    g.power_mw = 300_000
    assert s.read(2.0)[d.id] == pytest.approx(400.0)     # trapezoid (100+300)/2 * 2
    assert s.read(3.0)[d.id] == pytest.approx(700.0)


def test_neither_counter_nor_power_is_unavailable_never_zero():
    g = FakeGpu(U0, energy_mj=None, power_mw=None)
    s = NvmlSensor(nvml=FakeNvml([g]))
    [d] = s.devices()
    assert d.method is Method.UNAVAILABLE
    s.start(0.0)
    assert s.read(1.0) == {}
    assert s.warnings and "unavailable" in s.warnings[0]


@pytest.mark.parametrize("visible, expected", [
    ("1", [U1]),
    ("2,0", [U2, U0]),
    (U1, [U1]),
    ("GPU-3333", [U2]),                 # unique prefix, as CUDA accepts
    (f"{U2},{U0}", [U2, U0]),
    ("", []),
    ("0,7,1", [U0]),                    # CUDA stops at the first invalid entry
])
def test_cuda_visible_devices_by_index_and_uuid(visible, expected):
    nv = FakeNvml([FakeGpu(U0), FakeGpu(U1), FakeGpu(U2)])
    s = NvmlSensor(nvml=nv, visible_devices=visible)
    assert [d.id for d in s.devices()] == [f"nvml:{u}" for u in expected]


def test_index_order_warning_when_gpus_differ_and_order_not_pci():
    gpus = [FakeGpu(U0, name="NVIDIA A100"), FakeGpu(U1, name="NVIDIA T4")]
    s = NvmlSensor(nvml=FakeNvml(gpus), visible_devices="1")
    assert any("CUDA_DEVICE_ORDER" in w for w in s.warnings)
    s2 = NvmlSensor(nvml=FakeNvml(gpus), visible_devices="1", device_order="PCI_BUS_ID")
    assert s2.warnings == []
    s3 = NvmlSensor(nvml=FakeNvml(gpus), visible_devices=U1)
    assert s3.warnings == []


def test_mig_uuid_maps_to_parent_gpu():
    class Mig:
        uuid = "MIG-aaaa-bbbb"
    parent = FakeGpu(U1, migs=[Mig()])
    s = NvmlSensor(nvml=FakeNvml([FakeGpu(U0), parent]), visible_devices="MIG-aaaa-bbbb")
    [d] = s.devices()
    assert d.id == f"nvml:{U1}" and d.details["mig"] is True and "shared_by_mig" in d.details


def test_from_environment_reads_cuda_variables():
    nv = FakeNvml([FakeGpu(U0), FakeGpu(U1)])
    s = from_environment({"CUDA_VISIBLE_DEVICES": U1}, nvml=nv)
    assert [d.id for d in s.devices()] == [f"nvml:{U1}"]


def test_shared_gpu_attribution_by_sm_utilisation():
    me, other = os.getpid(), 999_999_001
    g = FakeGpu(U0, energy_mj=0, procs=[Proc(me), Proc(other)], util=[UtilSample(me, 30), UtilSample(other, 90)])
    s = NvmlSensor(nvml=FakeNvml([g]), pid=me)
    s.start(0.0)
    g.energy_mj = 800_000
    got = s.read(1.0)
    assert got[f"nvml:{U0}"] == pytest.approx(800.0)             # device energy stays measured
    a = s.attribution()[f"nvml:{U0}"]
    assert a.job_energy_j == pytest.approx(200.0) and a.last_share == pytest.approx(0.25)
    assert a.other_pids == [other] and a.method == "modelled" and "SM" in a.basis
    assert s.devices()[0].details["attribution"]["job_energy_j"] == pytest.approx(200.0)


def test_shared_gpu_attribution_by_memory_when_no_utilisation():
    me, other = os.getpid(), 999_999_002
    g = FakeGpu(U0, energy_mj=0, procs=[Proc(me, 1000), Proc(other, 3000)])
    s = NvmlSensor(nvml=FakeNvml([g]), pid=me)
    s.start(0.0)
    g.energy_mj = 400_000
    s.read(1.0)
    a = s.attribution()[f"nvml:{U0}"]
    assert a.job_energy_j == pytest.approx(100.0) and "memory" in a.basis


def test_alone_on_gpu_gets_all_of_it():
    me = os.getpid()
    g = FakeGpu(U0, energy_mj=0, procs=[Proc(me)])
    s = NvmlSensor(nvml=FakeNvml([g]), pid=me)
    s.start(0.0)
    g.energy_mj = 50_000
    s.read(1.0)
    assert s.attribution()[f"nvml:{U0}"].job_energy_j == pytest.approx(50.0)


def test_grace_hopper_includes_cpu():
    s = NvmlSensor(nvml=FakeNvml([FakeGpu(U0, name="NVIDIA GH200 480GB")]))
    assert s.includes_cpu and s.devices()[0].details["includes_cpu"] is True
    assert not NvmlSensor(nvml=FakeNvml([FakeGpu(U0)])).includes_cpu


@pytest.mark.parametrize("code, state", [(9, "no-driver"), (12, "no-driver"), (4, "permission-denied"), (999, "error")])
def test_init_errors_become_states_not_exceptions(code, state):
    s = NvmlSensor(nvml=FakeNvml([FakeGpu(U0)], init_error=code))
    assert s.devices() == [] and s.status()["state"] == state
    s.start(0.0)
    assert s.read(1.0) == {}


def test_error_mapping():
    nv = FakeNvml([])
    assert isinstance(map_nvml_error(FakeNvmlError(3), nv), SensorNotSupported)
    assert isinstance(map_nvml_error(FakeNvmlError(4), nv), SensorPermissionError)
    assert isinstance(map_nvml_error(FakeNvmlError(12), nv), SensorUnavailable)
    assert isinstance(map_nvml_error(FakeNvmlError(9), nv), SensorUnavailable)


def test_transient_read_error_leaves_gpu_out_then_recovers():
    g = FakeGpu(U0, energy_mj=0, power_mw=5_000)        # 5 W: consistent with 10 J over 2 s
    s = NvmlSensor(nvml=FakeNvml([g]))
    s.start(0.0)
    g.energy_mj = None
    assert s.read(1.0) == {}
    g.energy_mj = 10_000
    assert s.read(2.0) == {f"nvml:{U0}": pytest.approx(10.0)}
    assert len(s.warnings) == 1


def test_missing_library_is_a_null_sensor_with_the_install_fix(monkeypatch):
    import builtins
    real_import = builtins.__import__

    def no_pynvml(name, *a, **k):
        if name == "pynvml":
            raise ImportError("No module named 'pynvml'")
        return real_import(name, *a, **k)

    monkeypatch.setattr(builtins, "__import__", no_pynvml)
    s = NvmlSensor()
    assert s.devices() == [] and s.status()["state"] == "library-missing"
    assert s.status()["fix"] == INSTALL_FIX and "carbontrail[nvidia]" in INSTALL_FIX
