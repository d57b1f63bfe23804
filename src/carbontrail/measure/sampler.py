"""The sampler: reads every sensor at a fixed interval and emits intervals.

A background thread wakes every ``interval_s`` on a monotonic clock, reads
each sensor's cumulative energy [J] per device, and hands an
:class:`Interval` with the per-device energy of ``[previous tick, this tick)``
to a callback. The first read happens in :meth:`Sampler.start` and the last
in :meth:`Sampler.stop`, so a job shorter than one interval is still measured.

Clock, wall clock and the wait function are injectable: tests call
:meth:`Sampler.tick` by hand with a fake clock and never start a thread.

A failing sensor never stops sampling: its exception is turned into a
warning (said once) and its devices are left out of that tick. This and the
tracker's intensity lookup are the only places that catch any ``Exception``:
sensors, callbacks and intensity sources may be user code (a replay or custom
sensor), and telemetry must never break the job or lose what was measured. When a device
comes back, the energy it accumulated meanwhile lands in the tick that read
it, so nothing measured is lost.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone

from .base import Sensor


@dataclass(frozen=True)
class Interval:
    """Energy per device over ``[start_s, end_s)`` of the monotonic clock.

    ``started_at``/``ended_at`` are the same instants in UTC wall time.
    """

    start_s: float
    end_s: float
    started_at: datetime
    ended_at: datetime
    energy_j: dict[str, float] = field(default_factory=dict)

    @property
    def duration_s(self) -> float:
        return self.end_s - self.start_s


def _wall_now() -> datetime:
    return datetime.now(timezone.utc)


class Sampler:
    """Reads ``sensors`` every ``interval_s`` and calls ``on_interval(Interval)``.

    :param sensors: sensor objects (see :class:`carbontrail.measure.base.Sensor`).
    :param interval_s: period [s] between reads.
    :param on_interval: called from the sampling thread with each interval;
        an exception raised by it becomes a warning, never kills the thread.
    :param clock: monotonic time [s]; default :func:`time.monotonic`.
    :param wall: UTC wall clock at :meth:`start`; later instants are derived
        from the monotonic clock so a wall-clock jump cannot distort intervals.
    """

    def __init__(
        self,
        sensors: Sequence[Sensor],
        interval_s: float = 1.0,
        on_interval: Callable[[Interval], None] | None = None,
        clock: Callable[[], float] = time.monotonic,
        wall: Callable[[], datetime] = _wall_now,
    ) -> None:
        if interval_s <= 0:
            raise ValueError("interval_s must be > 0")
        self.sensors = list(sensors)
        self.interval_s = float(interval_s)
        self.on_interval = on_interval
        self.clock = clock
        self.wall = wall
        self.warnings: list[str] = []
        self._warned: set[str] = set()
        self._last: dict[str, float] = {}
        self._t0: float | None = None
        self._wall0: datetime | None = None
        self._t_prev: float | None = None
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.ticks = 0

    # -- time ---------------------------------------------------------------
    def wall_at(self, t_s: float) -> datetime:
        """UTC instant of monotonic time ``t_s``."""
        assert self._t0 is not None and self._wall0 is not None
        return self._wall0 + timedelta(seconds=t_s - self._t0)

    @property
    def started(self) -> bool:
        return self._t0 is not None

    @property
    def t0(self) -> float | None:
        return self._t0

    def _warn(self, key: str, message: str) -> None:
        if key not in self._warned:
            self._warned.add(key)
            self.warnings.append(message)

    # -- sampling -------------------------------------------------------------
    def start(self, thread: bool = True) -> None:
        """Baseline read of every sensor; start the background thread if asked."""
        now = self.clock()
        self._t0 = now
        self._t_prev = now
        self._wall0 = self.wall()
        for sensor in self.sensors:
            try:
                sensor.start(now)
            except Exception as exc:  # noqa: BLE001 - a sensor must never break the job
                self._warn(f"start:{sensor.name}", f"sensor {sensor.name} failed to start: {exc}")
        if thread:
            self._thread = threading.Thread(target=self._loop, name="carbontrail-sampler", daemon=True)
            self._thread.start()

    def _loop(self) -> None:
        assert self._t0 is not None
        next_t = self._t0 + self.interval_s
        while True:
            delay = next_t - self.clock()
            if delay > 0 and self._stop.wait(delay):
                return
            if self._stop.is_set():
                return
            self.tick()
            # schedule on a fixed grid; skip missed slots instead of bursting
            now = self.clock()
            next_t += self.interval_s
            if next_t <= now:
                next_t = now + self.interval_s

    def tick(self) -> Interval | None:
        """Read all sensors now and emit the interval since the previous tick."""
        with self._lock:
            if self._t_prev is None:
                raise RuntimeError("Sampler.tick() before start()")
            now = self.clock()
            if now <= self._t_prev:
                return None
            energy: dict[str, float] = {}
            for sensor in self.sensors:
                try:
                    cumulative = sensor.read(now)
                except Exception as exc:  # noqa: BLE001 - telemetry must not break the job
                    self._warn(f"read:{sensor.name}", f"sensor {sensor.name} read failed: {exc}")
                    continue
                for dev_id, value in cumulative.items():
                    prev = self._last.get(dev_id, 0.0)
                    delta = value - prev
                    if delta < 0:
                        self._warn(f"neg:{dev_id}", f"{dev_id}: cumulative energy went backwards; reading skipped")
                        continue
                    self._last[dev_id] = value
                    energy[dev_id] = delta
            interval = Interval(
                start_s=self._t_prev,
                end_s=now,
                started_at=self.wall_at(self._t_prev),
                ended_at=self.wall_at(now),
                energy_j=energy,
            )
            self._t_prev = now
            self.ticks += 1
        if self.on_interval is not None:
            try:
                self.on_interval(interval)
            except Exception as exc:  # noqa: BLE001 - a callback failure must not kill sampling
                self._warn("callback", f"recording an interval failed: {exc}")
        return interval

    def stop(self) -> Interval | None:
        """Stop the thread and take the final reading."""
        self._stop.set()
        if self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join(timeout=max(5.0, 2 * self.interval_s))
        self._thread = None
        last = self.tick() if self._t_prev is not None else None
        for sensor in self.sensors:
            try:
                sensor.close()
            except Exception as exc:  # noqa: BLE001
                self._warn(f"close:{sensor.name}", f"sensor {sensor.name} failed to close: {exc}")
        return last

    def collect_sensor_warnings(self) -> list[str]:
        """Warnings of the sampler and of every sensor, each once."""
        out = list(self.warnings)
        for sensor in self.sensors:
            for w in getattr(sensor, "warnings", []) or []:
                if w not in out:
                    out.append(w)
        return out
