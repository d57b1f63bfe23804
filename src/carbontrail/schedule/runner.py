"""The runner's controllers: wait for a planned start, or pause and resume a live job.

These act on a real process; the ``run`` command builds them. Clock and
sleep are injected (``clock() -> epoch s``, ``sleep(seconds)``) so tests run
on a fake clock against a real child.

Pause & Resume sends SIGSTOP / SIGCONT to the child's *process group* (start
the child with ``start_new_session=True``), or, for a job that checkpoints,
sends ``checkpoint_signal``, waits for it to exit, and later starts
``resume_cmd``. Every slot boundary it re-plans the remaining work over the
time left before the deadline (receding horizon); fresh intensity comes from
``replan(now)``. The deadline always wins: when the remaining work needs all
the time left, the job runs to completion. If the intensity source fails the
job is continued and runs to completion. On Ctrl-C the child is continued
before the interrupt propagates, so it is never left stopped.
"""

from __future__ import annotations

import math
import os
import signal
import subprocess
import time
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from ..errors import CarbontrailError
from .constrained import constrained_pause_resume
from .grid import slots_for
from .pauseresume import cheapest_slots
from .timeline import Timeline


def wait_for_start(start_epoch: float, *, clock: Callable[[], float] = time.time,
                   sleep: Callable[[float], None] = time.sleep,
                   on_tick: Callable[[float], None] | None = None, tick_s: float = 1.0) -> float:
    """Block until ``start_epoch`` [epoch s]; ``on_tick(remaining_s)`` once per tick.

    Returns the clock at the moment it stopped waiting. Ctrl-C propagates
    (nothing has been started yet).
    """
    while True:
        now = clock()
        remaining = start_epoch - now
        if remaining <= 0:
            return now
        if on_tick is not None:
            on_tick(remaining)
        sleep(min(tick_s, remaining))


def _slot_plan_values(timeline: Timeline, now: float, n: int, slot_s: float) -> np.ndarray:
    vals = timeline.grid(now, n, slot_s)
    known = vals[~np.isnan(vals)]
    # slots the data does not cover count as the dearest known slot: run in known clean slots first
    fill = float(known.max()) if known.size else 0.0
    return np.where(np.isnan(vals), fill, vals)


class PauseResumeController:
    """Pause and resume a running child to put its work in the cleanest slots.

    ``process``: the child (a Popen started with ``start_new_session=True``).
    ``timeline``: the intensity known now. ``work_s``: the job's uninterrupted
    duration D [s]. ``deadline``: [epoch s], normally release + (1 + X) D.
    ``replan(now) -> Timeline``: fresh intensity, called every
    ``replan_every_s``; raising a CarbontrailError or OSError switches to run
    to completion. ``spawn(cmd) -> Popen`` starts ``resume_cmd``.
    """

    def __init__(self, process: subprocess.Popen, timeline: Timeline, work_s: float, deadline: float, *,
                 clock: Callable[[], float] = time.time, sleep: Callable[[float], None] = time.sleep,
                 poll_s: float = 1.0, min_segment_s: float = 0.0, max_pauses: int | None = None,
                 checkpoint_signal: int | None = None, resume_cmd: Sequence[str] | None = None,
                 spawn: Callable[[Sequence[str]], subprocess.Popen] | None = None,
                 replan: Callable[[float], Timeline] | None = None, replan_every_s: float = 900.0,
                 on_event: Callable[[dict[str, Any]], None] | None = None) -> None:
        if (checkpoint_signal is None) != (resume_cmd is None):
            raise CarbontrailError("--checkpoint-signal and --resume-cmd go together; give both or neither")
        self.process = process
        self.timeline = timeline
        self.work_s = float(work_s)
        self.deadline = float(deadline)
        self.clock = clock
        self.sleep = sleep
        self.poll_s = poll_s
        self.slot_s = float(timeline.slot_s)
        self.min_slots = slots_for(min_segment_s, self.slot_s) if min_segment_s > 0 else 1
        self.max_pauses = max_pauses
        self.checkpoint_signal = checkpoint_signal
        self.resume_cmd = list(resume_cmd) if resume_cmd else None
        self.spawn = spawn or (lambda cmd: subprocess.Popen(list(cmd), start_new_session=True))
        self.replan = replan
        self.replan_every_s = replan_every_s
        self.on_event = on_event
        self.state = "running"          # running | paused | checkpointing | done
        self.mode = "planning"          # planning | completion (deadline, fallback or work done)
        self.work_done_s = 0.0
        self.pauses = 0
        self.events: list[dict[str, Any]] = []
        self.plans: list[dict[str, Any]] = []
        self.segments: list[list[float]] = []
        self.fallback: str | None = None
        self.deadline_forced = False
        self.started_at: float | None = None
        self.finished_at: float | None = None
        self.returncode: int | None = None

    # -- signals ---------------------------------------------------------------
    def _signal(self, sig: int) -> None:
        pid = self.process.pid
        try:
            pgid = os.getpgid(pid)
            if pgid != os.getpgrp():
                os.killpg(pgid, sig)
            else:  # never stop ourselves: the child shares our group, signal it alone
                os.kill(pid, sig)
        except ProcessLookupError:
            pass

    def _event(self, now: float, name: str, **extra: Any) -> None:
        ev = {"t": now, "event": name, **extra}
        self.events.append(ev)
        if self.on_event is not None:
            self.on_event(ev)

    def _pause(self, now: float) -> None:
        self.segments[-1][1] = now
        self.pauses += 1
        if self.checkpoint_signal is not None:
            self._signal(self.checkpoint_signal)
            self.state = "checkpointing"
        else:
            self._signal(signal.SIGSTOP)
            self.state = "paused"
        self._event(now, "pause", work_done_s=self.work_done_s)

    def _resume(self, now: float) -> None:
        if self.state == "paused" and self.checkpoint_signal is not None:
            self.process = self.spawn(self.resume_cmd)
            self._event(now, "restart", pid=self.process.pid)
        elif self.state == "paused":
            self._signal(signal.SIGCONT)
            self._event(now, "resume", work_done_s=self.work_done_s)
        self.state = "running"
        self.segments.append([now, now])

    # -- planning --------------------------------------------------------------
    def _to_completion(self, now: float, why: str) -> None:
        if self.mode != "completion":
            self.mode = "completion"
            self._event(now, "run_to_completion", reason=why)
        if self.state == "paused":
            self._resume(now)

    def _decide(self, now: float) -> None:
        if self.mode == "completion" or self.state == "checkpointing":
            return
        remaining = self.work_s - self.work_done_s
        if remaining <= 0:
            self._to_completion(now, "planned work done; running until the job ends")
            return
        n_slots = int(math.floor((self.deadline - now) / self.slot_s + 1e-9))
        need = math.ceil(remaining / self.slot_s - 1e-9)
        if need >= n_slots:
            self.deadline_forced = True
            self._to_completion(now, "deadline: the remaining work needs all the time left")
            return
        vals = _slot_plan_values(self.timeline, now, n_slots, self.slot_s)
        run_len = self._current_run_slots(now)
        constrained = self.min_slots > 1 or self.max_pauses is not None
        if constrained:
            left = None if self.max_pauses is None else max(0, self.max_pauses - self.pauses)
            start = run_len if self.state == "running" and run_len > 0 else (
                "paused" if self.segments else "new")
            plan = constrained_pause_resume(vals, need, n_slots, min_segment=self.min_slots,
                                            max_pauses=left, start_state=start)
        else:
            plan = cheapest_slots(vals, need, n_slots)
        segs = [[now + a * self.slot_s, now + b * self.slot_s] for a, b in plan.segments]
        if not self.plans or self.plans[-1]["segments"] != segs:
            self.plans.append({"t": now, "segments": segs, "source": self.timeline.source})
        run_now = bool(plan.segments) and plan.segments[0][0] == 0
        if run_now and self.state == "paused":
            self._resume(now)
        elif not run_now and self.state == "running":
            self._pause(now)

    def _current_run_slots(self, now: float) -> int:
        if self.state != "running" or not self.segments:
            return 0
        return max(1, round((now - self.segments[-1][0]) / self.slot_s))

    def _refresh(self, now: float) -> None:
        if self.replan is None or self.mode == "completion":
            return
        try:
            self.timeline = self.replan(now)
            self._event(now, "replan", source=self.timeline.source)
        except (CarbontrailError, OSError) as exc:
            self.fallback = str(exc)
            self._event(now, "intensity_failed", error=str(exc))
            self._to_completion(now, "the intensity source failed")

    # -- main loop -------------------------------------------------------------
    def run(self) -> int:
        """Drive the child until it exits; returns its exit status (of the last process)."""
        now = self.clock()
        self.started_at = now
        self.segments.append([now, now])
        next_decision = now
        next_replan = now + self.replan_every_s
        last = now
        try:
            while True:
                now = self.clock()
                if self.state == "running":
                    self.work_done_s += now - last
                    self.segments[-1][1] = now
                last = now
                code = self.process.poll()
                if code is not None:
                    if self.state == "checkpointing":
                        self.state = "paused"
                        self._event(now, "checkpointed", returncode=code)
                    elif self.state == "running":
                        self.returncode = code
                        break
                if now >= next_replan:
                    self._refresh(now)
                    next_replan = now + self.replan_every_s
                if now >= next_decision:
                    self._decide(now)
                    while next_decision <= now:
                        next_decision += self.slot_s
                self.sleep(max(0.0, min(self.poll_s, next_decision - now)))
        except KeyboardInterrupt:
            now = self.clock()
            if self.state == "paused" and self.checkpoint_signal is None:
                self._signal(signal.SIGCONT)
                self.state = "running"
            self._event(now, "interrupted")
            raise
        finally:
            if self.state == "paused" and self.checkpoint_signal is None:
                self._signal(signal.SIGCONT)
        self.state = "done"
        self.finished_at = now
        self._event(now, "exit", returncode=self.returncode)
        return int(self.returncode)

    # -- record ----------------------------------------------------------------
    def realised(self) -> dict[str, Any]:
        """Intensity-weighted figures for what happened against starting at release and running through.

        Flat power assumed; the tracker's measured energy per interval gives
        the exact emissions. Uses the latest timeline (say so in reports).
        """
        if self.started_at is None:
            return {}
        segs = np.array([s for s in self.segments if s[1] > s[0]], dtype=float).reshape(-1, 2)
        run_s = float((segs[:, 1] - segs[:, 0]).sum())
        means = self.timeline.mean_over(segs[:, 0], segs[:, 1])
        weights = segs[:, 1] - segs[:, 0]
        ok = ~np.isnan(means) & (weights > 0)
        actual = float(np.sum(means[ok] * weights[ok]) / weights[ok].sum()) if ok.any() else None
        base = self.timeline.mean_over(np.array([self.started_at]), np.array([self.started_at + run_s]))[0]
        baseline = None if np.isnan(base) else float(base)
        saving = None if actual is None or not baseline else 1.0 - actual / baseline
        return {"run_s": run_s, "mean_intensity_g_per_kwh": actual,
                "baseline_mean_intensity_g_per_kwh": baseline, "saving": saving,
                "intensity_source": self.timeline.source, "assumes": "flat power"}

    def to_dict(self) -> dict[str, Any]:
        return {
            "mode": "pause_resume",
            "mechanism": "checkpoint" if self.checkpoint_signal is not None else "sigstop",
            "work_s": self.work_s,
            "deadline": self.deadline,
            "min_segment_slots": self.min_slots,
            "slot_s": self.slot_s,
            "max_pauses": self.max_pauses,
            "started_at": self.started_at,
            "finished_at": self.finished_at,
            "planned": self.plans[0]["segments"] if self.plans else [],
            "plans": self.plans,
            "actual_segments": [s for s in self.segments if s[1] > s[0]],
            "pauses": self.pauses,
            "deadline_forced": self.deadline_forced,
            "fallback": self.fallback,
            "events": self.events,
            "realised": self.realised(),
            "returncode": self.returncode,
        }
