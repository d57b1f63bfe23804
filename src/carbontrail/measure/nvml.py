"""NVIDIA GPU energy through NVML (``pynvml`` from the ``nvidia-ml-py`` package).

Per visible GPU, the best method it offers:

* ``counter``: ``nvmlDeviceGetTotalEnergyConsumption`` [mJ since driver load],
  Volta and newer. Checked once against integrated power over the first
  interval of at least :data:`VALIDATION_MIN_S`; the check lands in the
  device's details (a large gap is a warning; the counter is kept).
* ``integrated``: where the counter raises NOT_SUPPORTED (older GPUs, many
  vGPUs), ``nvmlDeviceGetPowerUsage`` [mW] samples integrated with the
  trapezoid rule between ticks. This averages over about a second on many
  boards: short intervals are approximate.
* ``unavailable`` when neither works: listed, never reported as 0.

``CUDA_VISIBLE_DEVICES`` may hold indices, ``GPU-<uuid>`` (unique prefixes
allowed, as CUDA does) or ``MIG-<uuid>``; devices are mapped by UUID. Indices
follow CUDA's order, which is NVML's PCI bus order only with
``CUDA_DEVICE_ORDER=PCI_BUS_ID`` (or when all GPUs are the same model); a
warning says so otherwise. A MIG instance has no energy counter of its own:
its parent GPU's energy is reported, marked as shared.

Shared GPUs (``pid`` given): when processes outside the job's tree run on a
GPU, each interval's device energy is split by per-process SM utilisation
(``nvmlDeviceGetProcessUtilization``), else by GPU memory used; the job's
share is a model (:meth:`NvmlSensor.attribution`), the device energy stays
the measured figure. Grace Hopper (GH200) module power includes the Grace
CPU: :attr:`NvmlSensor.includes_cpu` tells the tracker not to add it again.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import SensorError, SensorNotSupported, SensorPermissionError, SensorUnavailable
from ..provenance import Method
from .base import Device, WarnOnce, counter_delta

#: shortest interval [s] over which the counter is checked against integrated power
VALIDATION_MIN_S = 1.0
#: relative gap above which the check warns
VALIDATION_TOLERANCE = 0.25
_CPU_INCLUDED_NAMES = ("GH200", "GRACE HOPPER", "GB200", "GRACE BLACKWELL")
INSTALL_FIX = "pip install 'carbontrail[nvidia]'   # installs nvidia-ml-py"


def map_nvml_error(exc: BaseException, nvml: Any, what: str = "NVML") -> SensorError:
    """Our error for an NVMLError, by its code (``exc.value``)."""
    code = getattr(exc, "value", None)
    c = lambda name: getattr(nvml, name, object())  # noqa: E731
    if code in (c("NVML_ERROR_LIBRARY_NOT_FOUND"), c("NVML_ERROR_DRIVER_NOT_LOADED"),
                c("NVML_ERROR_GPU_IS_LOST"), c("NVML_ERROR_NOT_FOUND")):
        return SensorUnavailable(f"{what}: {exc} (no NVIDIA driver or GPU)")
    if code == c("NVML_ERROR_NO_PERMISSION"):
        return SensorPermissionError(f"{what}: {exc}; run as a user allowed to query the GPU")
    if code == c("NVML_ERROR_NOT_SUPPORTED"):
        return SensorNotSupported(f"{what}: not supported by this GPU ({exc})")
    return SensorError(f"{what}: {exc}")


def _text(v: Any) -> str:
    return v.decode() if isinstance(v, bytes) else str(v)


@dataclass
class _Gpu:
    index: int                     # NVML index
    handle: Any
    uuid: str
    name: str
    method: Method = Method.UNAVAILABLE
    via: str = ""                  # CUDA_VISIBLE_DEVICES entry that selected it
    details: dict[str, Any] = field(default_factory=dict)
    e0_mj: int | None = None
    prev_mj: int | None = None
    total_mj: int = 0
    prev_p: tuple[float, float] | None = None    # (t, W)
    energy_j: float = 0.0
    job_j: float = 0.0
    last_j: float = 0.0
    share: float | None = None
    share_basis: str = ""
    other_pids: list[int] = field(default_factory=list)
    seen_util_ts: int = 0
    check: tuple[float, float, float] | None = None  # (t0, counter J at t0, power W at t0)

    @property
    def id(self) -> str:
        return f"nvml:{self.uuid}"


@dataclass(frozen=True)
class GpuAttribution:
    """Device energy and the job's modelled share of it [J], cumulative since start."""

    device_id: str
    device_energy_j: float
    job_energy_j: float
    last_share: float | None
    basis: str
    other_pids: list[int]
    method: str = "modelled"


class NvmlSensor(WarnOnce):
    """Energy [J] per visible NVIDIA GPU.

    :param nvml: a pynvml-like module; default: ``import pynvml`` when first needed.
    :param visible_devices: value of ``CUDA_VISIBLE_DEVICES`` (None = all GPUs).
    :param device_order: value of ``CUDA_DEVICE_ORDER``.
    :param pid: root process of the job, for shared-GPU attribution.
    :param procfs: procfs root used to find the job's process tree.
    """

    name = "nvml"

    def __init__(self, nvml: Any = None, visible_devices: str | None = None,
                 device_order: str | None = None, pid: int | None = None,
                 procfs: Path = Path("/proc")) -> None:
        self._warnings: list[str] = []
        self._warned: set[str] = set()
        self._gpus: list[_Gpu] = []
        self.state, self.message, self.fix = "ok", "", ""
        self.pid, self.procfs = pid, Path(procfs)
        self._nvml = nvml
        self._inited = False
        if self._nvml is None:
            try:
                import pynvml  # type: ignore[import-not-found]
            except ImportError:
                self.state, self.message, self.fix = ("library-missing",
                                                      "nvidia-ml-py (pynvml) is not installed", INSTALL_FIX)
                return
            self._nvml = pynvml
        n = self._nvml
        try:
            n.nvmlInit()
            self._inited = True
            count = int(n.nvmlDeviceGetCount())
            gpus = []
            for i in range(count):
                h = n.nvmlDeviceGetHandleByIndex(i)
                gpus.append(_Gpu(i, h, _text(n.nvmlDeviceGetUUID(h)), _text(n.nvmlDeviceGetName(h))))
        except n.NVMLError as exc:
            err = map_nvml_error(exc, n)
            self.state = {SensorUnavailable: "no-driver", SensorPermissionError: "permission-denied"}.get(
                type(err), "error")
            self.message = str(err)
            self.fix = ("install the NVIDIA driver, or ignore this on a machine without NVIDIA GPUs"
                        if self.state == "no-driver" else "")
            self.close()
            return
        if not gpus:
            self.state, self.message = "no-gpu", "NVML found no NVIDIA GPU"
        self._gpus = self._select(gpus, visible_devices, device_order)
        for g in self._gpus:
            self._probe(g)

    # -- selection -----------------------------------------------------------------
    def _select(self, gpus: list[_Gpu], visible: str | None, order: str | None) -> list[_Gpu]:
        if visible is None:
            for g in gpus:
                g.via = "all GPUs (CUDA_VISIBLE_DEVICES unset)"
            return gpus
        chosen: list[_Gpu] = []
        entries = [e.strip() for e in visible.split(",")] if visible.strip() else []
        used_index = False
        for entry in entries:
            g = self._resolve(entry, gpus)
            if g is None:
                self._warn(f"cvd:{entry}", f"NVML: CUDA_VISIBLE_DEVICES entry {entry!r} matches no GPU; "
                           "CUDA ignores it and every entry after it, and so does carbontrail")
                break
            used_index = used_index or entry.lstrip("-").isdigit()
            if g not in chosen:
                chosen.append(g)
        names = {g.name for g in gpus}
        if used_index and len(names) > 1 and (order or "FASTEST_FIRST").upper() != "PCI_BUS_ID":
            self._warn("order", "NVML: CUDA_VISIBLE_DEVICES holds indices and the GPUs differ, but "
                       "CUDA_DEVICE_ORDER is not PCI_BUS_ID: CUDA may number them differently from NVML "
                       "(PCI order, used here); set CUDA_DEVICE_ORDER=PCI_BUS_ID or use GPU UUIDs")
        if not entries:
            self.message = "CUDA_VISIBLE_DEVICES is empty: the job sees no GPU"
        return chosen

    def _resolve(self, entry: str, gpus: list[_Gpu]) -> _Gpu | None:
        if entry.lstrip("-").isdigit():
            i = int(entry)
            g = next((g for g in gpus if g.index == i), None)
            if g is not None:
                g.via = f"index {i} (NVML/PCI order)"
            return g
        if entry.startswith("MIG-"):
            return self._resolve_mig(entry, gpus)
        matches = [g for g in gpus if g.uuid.startswith(entry)]
        if len(matches) == 1:
            matches[0].via = f"UUID {entry}"
            return matches[0]
        return None

    def _resolve_mig(self, entry: str, gpus: list[_Gpu]) -> _Gpu | None:
        n = self._nvml
        for g in gpus:
            if entry.startswith("MIG-GPU-") and entry[4:].split("/")[0] == g.uuid:   # legacy form
                g.via, g.details["mig"] = f"MIG instance {entry}", True
                return g
            try:
                for k in range(int(n.nvmlDeviceGetMaxMigDeviceCount(g.handle))):
                    mh = n.nvmlDeviceGetMigDeviceHandleByIndex(g.handle, k)
                    if _text(n.nvmlDeviceGetUUID(mh)) == entry:
                        g.via, g.details["mig"] = f"MIG instance {entry}", True
                        return g
            except (AttributeError, n.NVMLError):
                continue
        return None

    def _probe(self, g: _Gpu) -> None:
        n = self._nvml
        if any(k in g.name.upper() for k in _CPU_INCLUDED_NAMES):
            g.details["includes_cpu"] = True
            g.details["note"] = "module power includes the Grace CPU: do not add a CPU figure for it"
        if g.details.get("mig"):
            g.details["shared_by_mig"] = "MIG instances have no energy counter: whole-GPU energy reported"
        try:
            n.nvmlDeviceGetTotalEnergyConsumption(g.handle)
            g.method = Method.COUNTER
            return
        except n.NVMLError as exc:
            err = map_nvml_error(exc, n, f"GPU {g.index} energy counter")
            g.details["counter"] = str(err)
        try:
            n.nvmlDeviceGetPowerUsage(g.handle)
            g.method = Method.INTEGRATED
        except n.NVMLError as exc:
            err = map_nvml_error(exc, n, f"GPU {g.index} power")
            g.method = Method.UNAVAILABLE
            g.details["reason"] = str(err)
            self._warn(f"unavail:{g.uuid}", f"NVML: {g.name} ({g.uuid}) has neither an energy counter nor "
                       "a power reading: reported as unavailable, not 0")

    # -- info ---------------------------------------------------------------------
    def devices(self) -> list[Device]:
        out = []
        for g in self._gpus:
            d = dict(g.details, nvml_index=g.index, selected_by=g.via)
            if g.share is not None or g.other_pids:
                d["attribution"] = {"job_energy_j": round(g.job_j, 3), "last_share": g.share,
                                    "basis": g.share_basis, "other_pids": g.other_pids,
                                    "method": "modelled"}
            out.append(Device(g.id, "gpu", g.name, g.method, d))
        return out

    @property
    def includes_cpu(self) -> bool:
        """True when a GPU's reported power includes its CPU (Grace Hopper modules)."""
        return any(g.details.get("includes_cpu") for g in self._gpus)

    def status(self) -> dict[str, Any]:
        """State, message, fix and per-GPU method, for ``carbontrail doctor``."""
        return {"state": self.state, "message": self.message, "fix": self.fix,
                "devices": [d.to_dict() for d in self.devices()]}

    diagnose = status

    def attribution(self) -> dict[str, GpuAttribution]:
        """Per GPU: device energy and the job's modelled share since start [J]."""
        return {g.id: GpuAttribution(g.id, g.energy_j, g.job_j, g.share, g.share_basis, list(g.other_pids))
                for g in self._gpus if g.method is not Method.UNAVAILABLE}

    # -- sampling -------------------------------------------------------------------
    def _power_w(self, g: _Gpu) -> float | None:
        n = self._nvml
        try:
            return float(n.nvmlDeviceGetPowerUsage(g.handle)) / 1000.0
        except n.NVMLError as exc:
            self._warn(f"power:{g.uuid}", f"NVML: {map_nvml_error(exc, n, g.name)}; tick left out")
            return None

    def _counter_mj(self, g: _Gpu) -> int | None:
        n = self._nvml
        try:
            return int(n.nvmlDeviceGetTotalEnergyConsumption(g.handle))
        except n.NVMLError as exc:
            self._warn(f"counter:{g.uuid}", f"NVML: {map_nvml_error(exc, n, g.name)}; tick left out")
            return None

    def start(self, now_s: float) -> None:
        for g in self._gpus:
            g.total_mj, g.energy_j, g.job_j, g.last_j = 0, 0.0, 0.0, 0.0
            if g.method is Method.COUNTER:
                g.prev_mj = self._counter_mj(g)
                p = self._power_w(g)
                if g.prev_mj is not None and p is not None:
                    g.check = (now_s, 0.0, p)
            elif g.method is Method.INTEGRATED:
                p = self._power_w(g)
                g.prev_p = (now_s, p) if p is not None else None

    def read(self, now_s: float) -> dict[str, float]:
        """Cumulative energy [J] per GPU since :meth:`start`."""
        out: dict[str, float] = {}
        for g in self._gpus:
            if g.method is Method.COUNTER:
                mj = self._counter_mj(g)
                if mj is None:
                    continue
                if g.prev_mj is None:
                    g.prev_mj = mj
                g.total_mj += counter_delta(g.prev_mj, mj, 0)
                g.prev_mj = mj
                g.energy_j = g.total_mj / 1000.0
                self._validate(g, now_s)
            elif g.method is Method.INTEGRATED:
                p = self._power_w(g)
                if p is None:
                    continue
                if g.prev_p is not None and now_s > g.prev_p[0]:
                    g.energy_j += 0.5 * (g.prev_p[1] + p) * (now_s - g.prev_p[0])
                g.prev_p = (now_s, p)
            else:
                continue
            out[g.id] = g.energy_j
            if self.pid is not None:
                self._attribute(g)
            g.last_j = g.energy_j
        return out

    def _validate(self, g: _Gpu, now_s: float) -> None:
        if g.check is None or now_s - g.check[0] < VALIDATION_MIN_S:
            return
        t0, _, p0 = g.check
        g.check = None
        p1 = self._power_w(g)
        if p1 is None:
            return
        integrated = 0.5 * (p0 + p1) * (now_s - t0)
        gap = abs(g.energy_j - integrated) / max(integrated, g.energy_j, 1e-9)
        g.details["validation"] = {"over_s": round(now_s - t0, 3), "counter_j": round(g.energy_j, 3),
                                   "integrated_power_j": round(integrated, 3), "relative_gap": round(gap, 3)}
        if gap > VALIDATION_TOLERANCE and integrated > 1.0:
            self._warn(f"valid:{g.uuid}", f"NVML: {g.name} energy counter ({g.energy_j:.1f} J) and integrated "
                       f"power ({integrated:.1f} J) differ by {gap:.0%} over {now_s - t0:.1f} s; "
                       "the counter is kept (power is a ~1 s average on many boards)")

    def _job_pids(self) -> set[int]:
        from .process import ProcessTree

        assert self.pid is not None
        return {m.pid for m in ProcessTree(self.pid, self.procfs).members()} | {self.pid}

    def _attribute(self, g: _Gpu) -> None:
        n = self._nvml
        delta = g.energy_j - g.last_j
        try:
            procs = list(n.nvmlDeviceGetComputeRunningProcesses(g.handle))
        except n.NVMLError:
            return
        mine = self._job_pids()
        others = sorted({int(p.pid) for p in procs} - mine)
        g.other_pids = others
        if not others:
            g.share, g.share_basis = 1.0, "no other process on the GPU"
            g.job_j += delta
            return
        share, basis = None, ""
        try:
            samples = list(n.nvmlDeviceGetProcessUtilization(g.handle, g.seen_util_ts))
            if samples:
                g.seen_util_ts = max(int(getattr(s, "timeStamp", 0)) for s in samples)
                total = sum(float(s.smUtil) for s in samples)
                if total > 0:
                    share = sum(float(s.smUtil) for s in samples if int(s.pid) in mine) / total
                    basis = "per-process SM utilisation"
        except n.NVMLError:
            pass
        if share is None:
            mem = {int(p.pid): float(getattr(p, "usedGpuMemory", 0) or 0) for p in procs}
            if sum(mem.values()) > 0:
                share = sum(v for k, v in mem.items() if k in mine) / sum(mem.values())
                basis = "GPU memory used (no utilisation samples)"
        if share is not None:
            g.share, g.share_basis = share, basis
            g.job_j += delta * share

    def close(self) -> None:
        if self._inited and self._nvml is not None:
            try:
                self._nvml.nvmlShutdown()
            except self._nvml.NVMLError:
                pass
            self._inited = False


def from_environment(env: dict[str, str] | None = None, **kwargs: Any) -> NvmlSensor:
    """An :class:`NvmlSensor` honouring CUDA_VISIBLE_DEVICES and CUDA_DEVICE_ORDER of ``env``."""
    env = os.environ if env is None else env
    return NvmlSensor(visible_devices=env.get("CUDA_VISIBLE_DEVICES"),
                      device_order=env.get("CUDA_DEVICE_ORDER"), **kwargs)
