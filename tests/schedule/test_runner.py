"""The runner's controllers against a REAL child process, on a fake clock."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from carbontrail.errors import ProviderUnavailable
from carbontrail.schedule.runner import PauseResumeController, wait_for_start
from carbontrail.schedule.timeline import Timeline

T0 = 1_700_000_000.0
SLOT = 60.0

CHILD = """
import os, sys, time
counter, stop = sys.argv[1], sys.argv[2]
i = int(open(counter).read()) if os.path.exists(counter) else 0
while not os.path.exists(stop):
    i += 1
    with open(counter + '.tmp', 'w') as fh:
        fh.write(str(i))
    os.replace(counter + '.tmp', counter)
    time.sleep(0.002)
"""


class FakeClock:
    def __init__(self, t: float) -> None:
        self.t = t
        self.hooks = []

    def __call__(self) -> float:
        return self.t

    def sleep(self, dt: float) -> None:
        self.t += dt
        time.sleep(0.005)  # let the real child do (or not do) some work
        for hook in self.hooks:
            hook()


def proc_state(pid: int) -> str:
    text = Path(f"/proc/{pid}/stat").read_text()
    return text.rsplit(")", 1)[1].split()[0]


def read_counter(path: Path) -> int:
    for _ in range(50):
        try:
            return int(path.read_text())
        except (FileNotFoundError, ValueError):
            time.sleep(0.01)
    raise AssertionError("the child never wrote its counter")


@pytest.fixture
def child(tmp_path):
    counter, stop = tmp_path / "counter", tmp_path / "stop"
    proc = subprocess.Popen([sys.executable, "-c", CHILD, str(counter), str(stop)], start_new_session=True)
    read_counter(counter)
    yield proc, counter, stop
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGCONT)
        stop.touch()
        try:
            proc.wait(5)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


def finish(proc, stop: Path) -> None:
    """Ask the child to end and wait for it in REAL time, so the fake clock does not
    run ahead while a loaded machine is slow to schedule the child's exit."""
    stop.touch()
    proc.wait(30)


def timeline(values) -> Timeline:
    return Timeline(T0 + SLOT * np.arange(len(values)), np.array(values, float), SLOT, source="scripted")


def test_wait_for_start_counts_down_on_the_fake_clock():
    clock = FakeClock(T0)
    ticks = []
    started = wait_for_start(T0 + 5.0, clock=clock, sleep=clock.sleep, on_tick=ticks.append, tick_s=2.0)
    assert started == pytest.approx(T0 + 5.0)
    assert ticks == [5.0, 3.0, 1.0]


def test_pauses_the_real_child_in_dirty_slots_and_meets_the_deadline(child):
    proc, counter, stop = child
    clock = FakeClock(T0)
    # 3 work slots in a 6-slot window: the clean ones are 2, 3, 4
    ctl = PauseResumeController(proc, timeline([500, 400, 100, 100, 100, 500]), work_s=180,
                                deadline=T0 + 360, clock=clock, sleep=clock.sleep, poll_s=10)
    seen_stopped = []

    def inspect():
        if ctl.state == "paused" and not seen_stopped:
            a = read_counter(counter)
            time.sleep(0.05)
            seen_stopped.append((proc_state(proc.pid), a, read_counter(counter)))
        if ctl.work_done_s >= 180:
            finish(proc, stop)

    clock.hooks.append(inspect)
    assert ctl.run() == 0
    state, before, after = seen_stopped[0]
    assert state == "T"             # really stopped by SIGSTOP
    assert before == after          # and it did no work while stopped
    record = ctl.to_dict()
    assert record["planned"][0][0] == pytest.approx(T0 + 120)
    assert record["actual_segments"][0][0] == pytest.approx(T0 + 120)
    assert record["finished_at"] <= T0 + 360 + 10
    assert record["pauses"] == 1
    # the child ends a few fake ticks after its planned work (real shutdown time), so not the ideal 0.7
    assert record["realised"]["saving"] > 0.4


def test_deadline_wins_when_the_clean_slots_are_too_late(child):
    proc, counter, stop = child
    clock = FakeClock(T0)
    # cheap only after the deadline; the job must still finish by it
    ctl = PauseResumeController(proc, timeline([300, 500, 500, 500, 10, 10, 10, 10]), work_s=180,
                                deadline=T0 + 240, clock=clock, sleep=clock.sleep, poll_s=10)
    clock.hooks.append(lambda: finish(proc, stop) if ctl.work_done_s >= 180 else None)
    assert ctl.run() == 0
    rec = ctl.to_dict()
    assert rec["finished_at"] <= T0 + 240
    assert sum(b - a for a, b in rec["actual_segments"]) >= 180


def test_intensity_failure_mid_job_continues_the_child_to_completion(child):
    proc, counter, stop = child
    clock = FakeClock(T0)

    def failing(now):
        raise ProviderUnavailable("Electricity Maps timed out")

    ctl = PauseResumeController(proc, timeline([500, 500, 500, 100, 100, 100, 100, 100]), work_s=120,
                                deadline=T0 + 480, clock=clock, sleep=clock.sleep, poll_s=10,
                                replan=failing, replan_every_s=90)
    states = []

    def inspect():
        states.append((clock.t, ctl.state))
        if ctl.mode == "completion" and not any(s == "checked" for _, s in states):
            a = read_counter(counter)
            assert proc_state(proc.pid) != "T"
            deadline = time.monotonic() + 5.0  # generous: a loaded machine may schedule the child late
            while read_counter(counter) <= a and time.monotonic() < deadline:
                time.sleep(0.01)
            assert read_counter(counter) > a
            states.append((clock.t, "checked"))
            finish(proc, stop)

    clock.hooks.append(inspect)
    assert ctl.run() == 0
    assert any(s == "paused" for _, s in states)          # it was paused before the failure
    assert "timed out" in ctl.to_dict()["fallback"]
    assert any(e["event"] == "intensity_failed" for e in ctl.events)


def test_ctrl_c_leaves_the_child_running(child):
    proc, counter, stop = child
    clock = FakeClock(T0)
    ctl = PauseResumeController(proc, timeline([500, 500, 100, 100]), work_s=60, deadline=T0 + 240,
                                clock=clock, sleep=clock.sleep, poll_s=10)

    def interrupt():
        if ctl.state == "paused":
            assert proc_state(proc.pid) == "T"
            raise KeyboardInterrupt

    clock.hooks.append(interrupt)
    with pytest.raises(KeyboardInterrupt):
        ctl.run()
    assert proc_state(proc.pid) != "T"
    a = read_counter(counter)
    deadline = time.monotonic() + 5.0
    while read_counter(counter) <= a and time.monotonic() < deadline:
        time.sleep(0.01)
    assert read_counter(counter) > a  # it runs again after Ctrl-C
    assert ctl.events[-1]["event"] == "interrupted"


def test_min_segment_is_respected_on_the_real_child(child):
    proc, counter, stop = child
    clock = FakeClock(T0)
    # unconstrained would run slots 0, 2, 4; a 2-slot minimum segment forces runs of 2
    ctl = PauseResumeController(proc, timeline([100, 500, 100, 500, 100, 500, 600, 600]), work_s=180,
                                deadline=T0 + 480, clock=clock, sleep=clock.sleep, poll_s=10,
                                min_segment_s=120)
    clock.hooks.append(lambda: finish(proc, stop) if ctl.work_done_s >= 180 else None)
    assert ctl.run() == 0
    segs = ctl.to_dict()["actual_segments"]
    assert all(b - a >= 120 - 1e-6 for a, b in segs[:-1])


CKPT_CHILD = """
import os, signal, sys, time
counter, stop, ckpt = sys.argv[1], sys.argv[2], sys.argv[3]
i = int(open(ckpt).read()) if os.path.exists(ckpt) else 0
def save(*_):
    open(ckpt, 'w').write(str(i)); sys.exit(0)
signal.signal(signal.SIGUSR1, save)
while not os.path.exists(stop):
    i += 1
    open(counter + '.tmp', 'w').write(str(i)); os.replace(counter + '.tmp', counter)
    time.sleep(0.002)
"""


def test_checkpoint_signal_and_resume_command(tmp_path):
    counter, stop, ckpt = tmp_path / "counter", tmp_path / "stop", tmp_path / "ckpt"
    cmd = [sys.executable, "-c", CKPT_CHILD, str(counter), str(stop), str(ckpt)]
    proc = subprocess.Popen(cmd, start_new_session=True)
    read_counter(counter)
    clock = FakeClock(T0)
    ctl = PauseResumeController(proc, timeline([100, 500, 500, 100, 100]), work_s=120, deadline=T0 + 300,
                                clock=clock, sleep=clock.sleep, poll_s=10,
                                checkpoint_signal=signal.SIGUSR1, resume_cmd=cmd)
    saved = []

    def hook():
        if ctl.state == "checkpointing":
            ctl.process.wait(30)  # real time for the job to save and exit, before fake time moves on
        if ctl.state == "paused" and not saved:
            saved.append(int(ckpt.read_text()))
        if ctl.work_done_s >= 120 and ctl.state == "running":
            finish(ctl.process, stop)

    clock.hooks.append(hook)
    try:
        assert ctl.run() == 0
    finally:
        stop.touch()
    assert saved and saved[0] > 0                       # the job saved its state and exited
    assert ctl.process.pid != proc.pid                  # a new process resumed it
    assert int(counter.read_text()) > saved[0]          # from the checkpoint onwards
    assert [e["event"] for e in ctl.events].count("restart") == 1
