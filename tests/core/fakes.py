"""Test doubles for the tracker: a fake clock and a scripted power sensor."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from carbontrail.measure.base import Device
from carbontrail.provenance import Method

T0 = datetime(2026, 1, 1, 12, 0, tzinfo=timezone.utc)


class FakeClock:
    def __init__(self, t: float = 100.0) -> None:
        self.t = t

    def __call__(self) -> float:
        return self.t

    def advance(self, dt: float) -> None:
        self.t += dt


class FakeWall:
    """Wall clock that follows a FakeClock from T0."""

    def __init__(self, clock: FakeClock, at: datetime = T0) -> None:
        self.clock = clock
        self.t_start = clock.t
        self.at = at

    def __call__(self) -> datetime:
        return self.at + timedelta(seconds=self.clock.t - self.t_start)


class ConstantPowerSensor:
    """A device drawing a constant power [W]; cumulative energy = P x elapsed."""

    def __init__(self, power_w: float, component: str = "cpu", dev_id: str = "fake:0",
                 method: Method = Method.COUNTER, fail_at: set[float] | None = None) -> None:
        self.name = "fake"
        self.power_w = power_w
        self.component = component
        self.dev_id = dev_id
        self.method = method
        self.fail_at = fail_at or set()
        self.t0: float | None = None
        self._warnings: list[str] = []
        self.closed = False

    def devices(self) -> list[Device]:
        return [Device(self.dev_id, self.component, "Fake device", self.method)]

    def start(self, now_s: float) -> None:
        self.t0 = now_s

    def read(self, now_s: float) -> dict[str, float]:
        if now_s in self.fail_at:
            raise OSError("transient read failure")
        assert self.t0 is not None
        return {self.dev_id: self.power_w * (now_s - self.t0)}

    def close(self) -> None:
        self.closed = True

    @property
    def warnings(self) -> list[str]:
        return self._warnings


class UnavailableSensor:
    name = "broken"

    def devices(self) -> list[Device]:
        return [Device("broken:gpu0", "gpu", "Broken GPU", Method.UNAVAILABLE,
                       {"reason": "NVML not supported"})]

    def start(self, now_s: float) -> None:
        pass

    def read(self, now_s: float) -> dict[str, float]:
        return {}

    def close(self) -> None:
        pass

    warnings: list[str] = []
