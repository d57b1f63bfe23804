"""The small interface every energy sensor implements.

A sensor owns one or more *devices* (a CPU package, a GPU, the RAM). The
sampler calls :meth:`Sensor.start` once, then :meth:`Sensor.read` at each tick
with the time of the tick from its (injectable) monotonic clock. ``read``
returns the cumulative energy [J] of each device since ``start``. Sensors
that only know power integrate it themselves (trapezoid over the ticks), so
the sampler sees one uniform quantity.

A device that cannot be read at a tick is simply left out of that tick's
mapping; a device that can never be read is listed with method
``UNAVAILABLE`` and never reported as 0.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol, runtime_checkable

from ..provenance import Method

#: Components a device can belong to. ``soc`` is a psys-like domain that
#: covers CPU and more; it replaces the package figure, never adds to it.
COMPONENTS = ("cpu", "gpu", "ram", "soc", "other")


@dataclass(frozen=True)
class Device:
    """One measured (or modelled) device.

    ``id`` is unique and stable within a run (``rapl:package-0``,
    ``nvml:GPU-8f3c...``, ``cpu-model``, ``ram-model``). ``details`` holds the
    inputs of a model (TDP, matched catalog name, W/GB and its source, ...).
    """

    id: str
    component: str
    name: str
    method: Method
    details: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "component": self.component,
            "name": self.name,
            "method": self.method.value,
            "details": dict(self.details),
        }


@runtime_checkable
class Sensor(Protocol):
    """What the sampler needs from a sensor backend."""

    #: short backend name: "rapl", "nvml", "cpu-model", "ram-model", "replay"
    name: str

    def devices(self) -> list[Device]:
        """The devices this sensor reports (may be empty: the null object)."""
        ...

    def start(self, now_s: float) -> None:
        """Take the baseline reading at monotonic time ``now_s`` [s]."""
        ...

    def read(self, now_s: float) -> dict[str, float]:
        """Cumulative energy [J] per device id since :meth:`start`.

        Must not raise for a transient failure: leave the device out and
        record a warning in :attr:`warnings`.
        """
        ...

    def close(self) -> None:
        """Release handles (NVML shutdown, files)."""
        ...

    @property
    def warnings(self) -> list[str]:
        """Human warnings collected so far (each said once)."""
        ...


class WarnOnce:
    """Mixin: ``self._warn(key, message)`` keeps each warning once, in ``warnings``.

    The subclass sets ``self._warnings = []`` and ``self._warned = set()`` in
    its ``__init__``.
    """

    _warnings: list[str]
    _warned: set[str]

    def _warn(self, key: str, message: str) -> None:
        if key not in self._warned:
            self._warned.add(key)
            self._warnings.append(message)

    @property
    def warnings(self) -> list[str]:
        return self._warnings


class NullSensor:
    """A sensor with no devices: what detection returns when hardware is absent."""

    def __init__(self, name: str, reason: str = "") -> None:
        self.name = name
        self.reason = reason
        self._warnings: list[str] = []

    def devices(self) -> list[Device]:
        return []

    def start(self, now_s: float) -> None:
        return None

    def read(self, now_s: float) -> dict[str, float]:
        return {}

    def close(self) -> None:
        return None

    @property
    def warnings(self) -> list[str]:
        return self._warnings


def counter_delta(previous: int, current: int, max_range: int) -> int:
    """Increase of a wrapping counter between two reads.

    ``max_range`` is the value at which the counter wraps to 0 (RAPL's
    ``max_energy_range_uj``). Assumes at most one wrap between reads; a
    ``max_range`` of 0 or less means "unknown": a decrease then yields 0.
    """
    if current >= previous:
        return current - previous
    if max_range <= 0:
        return 0
    if previous > max_range:
        # the range file lied or changed: trust nothing but the new value
        return current
    return (max_range - previous) + current
