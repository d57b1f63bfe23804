from __future__ import annotations

import pytest

from carbontrail.measure.base import counter_delta
from carbontrail.measure.sampler import Sampler

from fakes import ConstantPowerSensor, FakeClock, FakeWall


def make(power=10.0, **kw):
    clock = FakeClock()
    got = []
    s = Sampler([ConstantPowerSensor(power, **kw)], interval_s=1.0, on_interval=got.append,
                clock=clock, wall=FakeWall(clock))
    return s, clock, got


def test_intervals_carry_the_energy_of_their_span():
    s, clock, got = make(power=10.0)
    s.start(thread=False)
    clock.advance(1.0)
    s.tick()
    clock.advance(2.5)
    s.tick()
    assert [round(i.energy_j["fake:0"], 9) for i in got] == [10.0, 25.0]
    assert got[1].duration_s == pytest.approx(2.5)
    assert (got[1].ended_at - got[0].started_at).total_seconds() == pytest.approx(3.5)


def test_short_job_is_measured_between_start_and_stop():
    s, clock, got = make(power=100.0)
    s.start(thread=False)
    clock.advance(0.2)
    s.stop()
    assert len(got) == 1
    assert got[0].energy_j["fake:0"] == pytest.approx(20.0)


def test_failed_read_loses_nothing_and_warns_once():
    clock = FakeClock()
    sensor = ConstantPowerSensor(10.0, fail_at={101.0, 102.0})
    got = []
    s = Sampler([sensor], 1.0, on_interval=got.append, clock=clock, wall=FakeWall(clock))
    s.start(thread=False)
    for _ in range(3):
        clock.advance(1.0)
        s.tick()
    total = sum(i.energy_j.get("fake:0", 0.0) for i in got)
    assert total == pytest.approx(30.0)  # the energy of the failed ticks lands in the next one
    assert "fake:0" not in got[0].energy_j
    assert len([w for w in s.warnings if "read failed" in w]) == 1


def test_callback_errors_do_not_stop_sampling():
    clock = FakeClock()

    def boom(interval):
        raise RuntimeError("store broke")

    s = Sampler([ConstantPowerSensor(1.0)], 1.0, on_interval=boom, clock=clock, wall=FakeWall(clock))
    s.start(thread=False)
    clock.advance(1)
    assert s.tick() is not None
    assert any("store broke" in w for w in s.warnings)


def test_background_thread_samples_and_stops():
    import time

    s = Sampler([ConstantPowerSensor(5.0)], interval_s=0.01)
    got = []
    s.on_interval = got.append
    s.start()
    time.sleep(0.15)
    s.stop()
    assert len(got) >= 3
    total = sum(i.energy_j["fake:0"] for i in got)
    span = got[-1].end_s - got[0].start_s
    assert total == pytest.approx(5.0 * span, rel=1e-6)


@pytest.mark.parametrize("prev,cur,max_range,expected", [
    (100, 250, 1000, 150),        # no wrap
    (900, 100, 1000, 200),        # one wrap
    (0, 0, 1000, 0),
    (999, 0, 1000, 1),
    (500, 100, 0, 0),             # unknown range: a decrease cannot be trusted
    (2000, 100, 1000, 100),       # range smaller than the previous value: trust only the new value
])
def test_counter_delta(prev, cur, max_range, expected):
    assert counter_delta(prev, cur, max_range) == expected
