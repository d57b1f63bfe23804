"""How a figure was obtained. Every energy and emissions figure carries one."""

from __future__ import annotations

from enum import Enum


class Method(str, Enum):
    """How an energy figure was obtained, best first."""

    COUNTER = "counter"            # a hardware energy counter (RAPL energy_uj, NVML total energy)
    INTEGRATED = "integrated"      # power samples integrated over time (NVML power, ...)
    MODELLED = "modelled"          # utilisation x power from a catalog (CPU TDP, W/GB RAM)
    DEFAULTED = "defaulted"        # a generic default because the device is unknown
    REPLAYED = "replayed"          # played back from a recorded file
    IMPORTED = "imported"          # taken from another tool's file (CodeCarbon CSV); its own method unknown
    UNAVAILABLE = "unavailable"    # could not be read: never reported as 0

    def __str__(self) -> str:  # pragma: no cover - trivial
        return self.value


#: Rank for "the weakest method wins" when figures are combined.
METHOD_RANK = {
    Method.COUNTER: 0,
    Method.REPLAYED: 1,
    Method.INTEGRATED: 2,
    Method.MODELLED: 3,
    Method.IMPORTED: 3.5,
    Method.DEFAULTED: 4,
    Method.UNAVAILABLE: 5,
}


def weakest(methods) -> Method:
    """The least trustworthy of several methods (UNAVAILABLE if none)."""
    ms = [Method(m) for m in methods]
    if not ms:
        return Method.UNAVAILABLE
    return max(ms, key=METHOD_RANK.__getitem__)
