from __future__ import annotations

import json

import pytest

from carbontrail.intensity.model import FixedIntensity, IntensityPoint
from carbontrail.store.sqlite import Store
from carbontrail.record import downsample_timeline
from carbontrail.tracker import CarbontrailWarning, Tracker
from carbontrail.units import J_PER_KWH

from fakes import T0, ConstantPowerSensor, FakeClock, FakeWall, UnavailableSensor


def make_tracker(tmp_path, sensors=None, intensity=100.0, pue=1.5, **kw):
    clock = FakeClock()
    tr = Tracker("proj", "exp", location="FR", pue=pue, intensity=intensity,
                 sensors=sensors if sensors is not None else [ConstantPowerSensor(3600.0)],
                 store=Store(tmp_path / "ct.db"), clock=clock, wall=FakeWall(clock), thread=False, **kw)
    return tr, clock


def test_emissions_are_energy_times_pue_times_intensity(tmp_path):
    tr, clock = make_tracker(tmp_path)
    tr.start()
    for _ in range(10):
        clock.advance(100.0)
        tr.sampler.tick()
    fp = tr.stop()
    # 3600 W for 1000 s = 3.6e6 J = 1 kWh; x 1.5 x 100 g/kWh = 150 g
    assert fp.energy_total_j == pytest.approx(J_PER_KWH)
    assert fp.emissions_g == pytest.approx(150.0)
    assert fp.duration_s == pytest.approx(1000.0)
    assert fp.provenance == {"cpu": "counter"}
    assert fp.pue == 1.5
    assert fp.intensity["source"] == "user override"
    assert fp.location["code"] == "FR"


class SteppedIntensity:
    """100 g/kWh before T0+500 s, 300 after."""

    def points(self, start, end):
        from datetime import timedelta

        mid = T0 + timedelta(seconds=500)
        far = T0 + timedelta(days=1)
        return [IntensityPoint(T0 - timedelta(days=1), mid, 100.0, source="test series", method="series"),
                IntensityPoint(mid, far, 300.0, source="test series", method="series")]

    def describe(self):
        return {"mode": "series", "source": "test series", "kind": "average"}


def test_each_interval_uses_the_intensity_of_its_own_time(tmp_path):
    tr, clock = make_tracker(tmp_path, intensity=SteppedIntensity(), pue=1.0)
    tr.start()
    for _ in range(10):
        clock.advance(100.0)
        tr.sampler.tick()
    fp = tr.stop()
    # 0.5 kWh at 100 and 0.5 kWh at 300
    assert fp.emissions_g == pytest.approx(200.0)
    rec = tr.record
    assert [round(r["intensity_g_per_kwh"]) for r in rec.timeline] == [100] * 5 + [300] * 5
    assert rec.intensity["mean_g_per_kwh"] == pytest.approx(200.0)
    assert rec.intensity["methods_used"] == ["series"]


def test_phases_nest_and_get_their_own_energy(tmp_path):
    tr, clock = make_tracker(tmp_path, intensity=FixedIntensity(100.0, "t"), pue=1.0)
    tr.start()
    clock.advance(10)
    with tr.phase("train"):
        with tr.phase("epoch-1"):
            clock.advance(20)
        with tr.phase("epoch-2"):
            clock.advance(30)
    clock.advance(5)
    tr.stop()
    phases = {p.path: p for p in tr.record.phases}
    assert set(phases) == {"train", "train/epoch-1", "train/epoch-2"}
    assert phases["train/epoch-1"].energy_total_j == pytest.approx(3600 * 20)
    assert phases["train/epoch-2"].energy_total_j == pytest.approx(3600 * 30)
    assert phases["train"].energy_total_j == pytest.approx(3600 * 50)
    assert phases["train/epoch-2"].parent == "train"
    assert phases["train/epoch-1"].duration_s == pytest.approx(20)
    assert tr.record.energy_j == pytest.approx(3600 * 65)


def test_unavailable_device_is_reported_not_zero(tmp_path):
    tr, clock = make_tracker(tmp_path, sensors=[ConstantPowerSensor(10.0), UnavailableSensor()])
    with pytest.warns(CarbontrailWarning, match="NVML not supported"):
        tr.start()
    clock.advance(10)
    fp = tr.stop()
    assert fp.energy_j["gpu"] is None
    assert fp.provenance["gpu"] == "unavailable"
    assert fp.energy_unavailable == ["gpu"]
    gpu_dev = [d for d in tr.record.devices if d["component"] == "gpu"][0]
    assert gpu_dev["energy_j"] is None


def test_nothing_readable_is_unavailable_not_zero_in_summary_and_csv(tmp_path):
    from carbontrail.store.codecarbon_csv import row_for
    from carbontrail.summary import summary_lines

    tr, clock = make_tracker(tmp_path, sensors=[UnavailableSensor()])
    with pytest.warns(CarbontrailWarning):
        tr.start()
    clock.advance(10)
    tr.stop()
    assert not tr.record.energy_measured
    row = row_for(tr.record)
    assert row["energy_consumed"] == "" and row["emissions"] == "" and row["emissions_rate"] == ""
    text = "\n".join(summary_lines(tr.record))
    assert "energy     UNAVAILABLE" in text and "emissions  UNAVAILABLE" in text and "0.0 J" not in text
    # with one component read, the total is a figure and says what it leaves out
    tr, clock = make_tracker(tmp_path, sensors=[ConstantPowerSensor(10.0), UnavailableSensor()])
    with pytest.warns(CarbontrailWarning):
        tr.start()
    clock.advance(10)
    tr.stop()
    assert tr.record.energy_measured and float(row_for(tr.record)["energy_consumed"]) > 0
    assert "without unavailable gpu" in "\n".join(summary_lines(tr.record))


def test_record_is_stored_and_flushed_while_running(tmp_path):
    tr, clock = make_tracker(tmp_path, flush_interval_s=10.0)
    tr.start()
    store = tr.store
    assert store.get(tr.run_id).status == "running"
    clock.advance(5)
    tr.sampler.tick()
    assert store.get(tr.run_id).energy_j == 0.0  # not flushed yet
    clock.advance(6)
    tr.sampler.tick()
    assert store.get(tr.run_id).energy_j == pytest.approx(3600 * 11)
    tr.stop()
    got = store.get("last")
    assert got.status == "completed"
    assert got.energy_j == pytest.approx(3600 * 11)
    assert len(got.timeline) == 2


def test_unwritable_store_goes_to_fallback_file(tmp_path):
    class BrokenStore:
        path = tmp_path / "nowhere.db"

        def save(self, record):
            raise OSError("disk full")

    clock = FakeClock()
    tr = Tracker("p", location="FR", pue=1.0, intensity=50.0, sensors=[ConstantPowerSensor(1.0)],
                 store=BrokenStore(), clock=clock, wall=FakeWall(clock), thread=False)
    with pytest.warns(CarbontrailWarning):
        tr.start()
        clock.advance(2)
        tr.stop()
    path = tr.outputs["fallback"]
    data = json.loads(open(path).read())
    assert data["energy_j"] == pytest.approx(2.0)
    assert any("fallback" in w for w in tr.record.warnings)


def test_json_and_csv_outputs(tmp_path):
    tr, clock = make_tracker(tmp_path, json_path=tmp_path / "run.json", csv=tmp_path / "e.csv")
    tr.start()
    clock.advance(100)
    tr.stop()
    data = json.loads((tmp_path / "run.json").read_text())
    assert data["id"] == tr.run_id and data["components"]["cpu"]["method"] == "counter"
    lines = (tmp_path / "e.csv").read_text().splitlines()
    assert len(lines) == 2 and lines[0].startswith("timestamp,project_name,run_id")


def test_context_manager_and_decorator(tmp_path):
    clock = FakeClock()
    common = dict(location="FR", pue=1.0, intensity=10.0, sensors=[ConstantPowerSensor(1.0)],
                  store=Store(tmp_path / "x.db"), clock=clock, wall=FakeWall(clock), thread=False)
    with Tracker("p", **common) as run:
        clock.advance(3)
    assert run.record.status == "completed"

    with pytest.raises(ValueError):
        with Tracker("p", **common) as failing:
            raise ValueError("job crashed")
    assert failing.record.status == "failed"

    from carbontrail import track

    @track("p", **common)
    def job(x):
        clock.advance(2)
        return x * 2

    assert job(21) == 42
    assert job.last_tracker.record.energy_j == pytest.approx(2.0)
    assert Store(tmp_path / "x.db").count() == 3


def test_downsample_keeps_totals():
    rows = [{"t_s": i + 1.0, "at": "", "dt_s": 1.0, "energy_j": {"cpu": float(i)},
             "power_w": {}, "intensity_g_per_kwh": 100.0 + i, "intensity_method": "series",
             "emissions_g": i * 0.5} for i in range(7)]
    out = downsample_timeline(rows)
    assert len(out) == 4
    assert sum(r["energy_j"]["cpu"] for r in out) == pytest.approx(sum(range(7)))
    assert sum(r["emissions_g"] for r in out) == pytest.approx(sum(i * 0.5 for i in range(7)))
    assert sum(r["dt_s"] for r in out) == pytest.approx(7.0)


def test_unknown_location_is_a_clear_error(tmp_path):
    from carbontrail.errors import UnknownLocationError

    with pytest.raises(UnknownLocationError, match="unknown location"):
        Tracker("p", location="Atlantis", sensors=[], store=False).start()


def test_process_scope_attributes_a_share_of_cpu_energy(tmp_path):
    import time as _time

    tr, clock = make_tracker(tmp_path, scope="process")
    tr.start()
    for _ in range(2):
        t_end = _time.process_time() + 0.3
        while _time.process_time() < t_end:
            pass
        clock.advance(1.0)
        tr.sampler.tick()
    tr.stop()
    att = tr.record.attributed
    assert att is not None and att["method"] == "modelled"
    assert 0.0 < att["cpu_share"] <= 1.0
    assert att["cpu_energy_j"] + att["others_energy_j"] + att["idle_energy_j"] == pytest.approx(
        att["machine_cpu_energy_j"])
    assert att["job_cpu_s"] >= 0.5


def test_incremental_flushes_store_the_same_timeline_as_the_record(tmp_path, monkeypatch):
    import carbontrail.tracker as trk

    monkeypatch.setattr(trk, "MAX_TIMELINE_ROWS", 4)
    tr, clock = make_tracker(tmp_path, flush_interval_s=1.0)
    tr.start()
    for _ in range(11):
        clock.advance(1.0)
        tr.sampler.tick()
        stored = tr.store.get(tr.run_id).timeline
        assert [r["t_s"] for r in stored] == [r["t_s"] for r in tr.record.timeline]
    tr.stop()
    stored = tr.store.get(tr.run_id).timeline
    assert sum(r["dt_s"] for r in stored) == pytest.approx(11.0)
    assert sum(r["energy_j"]["cpu"] for r in stored) == pytest.approx(3600.0 * 11)


def test_an_unexpected_intensity_failure_keeps_the_energy_and_falls_back(tmp_path):
    class Weird:
        def points(self, start, end):
            raise LookupError("a user source failing in an unexpected way")

        def describe(self):
            return {"mode": "custom", "source": "weird"}

    tr, clock = make_tracker(tmp_path, intensity=Weird(), pue=1.0)
    tr.start()
    clock.advance(10)
    tr.sampler.tick()
    tr.stop()
    rec = tr.record
    assert rec.energy_j == pytest.approx(3600.0 * 10)          # nothing measured is lost
    assert rec.energy_j == pytest.approx(sum(c["energy_j"] or 0 for c in rec.components.values()))
    assert {r["intensity_method"] for r in rec.timeline} == {"fallback"}
    fr_2023 = 56.0                                              # FR annual table figure (OWID 2023)
    assert rec.emissions_g == pytest.approx(0.01 * fr_2023, rel=0.05)
    assert any("a user source failing" in w for w in rec.warnings)


def test_shared_gpu_share_is_recorded_beside_the_device_energy(tmp_path):
    import importlib.util
    import os
    import sys

    spec = importlib.util.spec_from_file_location(
        "measure_conftest", os.path.join(os.path.dirname(__file__), "..", "measure", "conftest.py"))
    fakes = importlib.util.module_from_spec(spec)
    sys.modules["measure_conftest"] = fakes
    spec.loader.exec_module(fakes)
    from carbontrail.measure.nvml import NvmlSensor

    me, other = os.getpid(), 999_999_003
    uuid = "GPU-11111111-2222-3333-4444-555555555555"
    g = fakes.FakeGpu(uuid, energy_mj=0, procs=[fakes.Proc(me), fakes.Proc(other)],
                      util=[fakes.UtilSample(me, 30), fakes.UtilSample(other, 90)])
    sensor = NvmlSensor(nvml=fakes.FakeNvml([g]), pid=me)
    tr, clock = make_tracker(tmp_path, sensors=[sensor], pue=1.0)
    tr.start()
    g.energy_mj = 800_000
    clock.advance(1.0)
    tr.sampler.tick()
    tr.stop()
    rec = tr.record
    assert rec.components["gpu"]["energy_j"] == pytest.approx(800.0)      # the device, measured
    att = rec.attributed["gpus"][f"nvml:{uuid}"]
    assert att["job_energy_j"] == pytest.approx(200.0) and att["method"] == "modelled"
    assert rec.attributed["gpu_job_energy_j"] == pytest.approx(200.0)
    from carbontrail.summary import summary_lines

    assert any("shared GPU" in line for line in summary_lines(rec))
