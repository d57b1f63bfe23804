"""A sensor that plays back a recorded CSV, for testing pipelines without hardware.

The file has a header and one row per sample::

    t_s,device_id,component,energy_j
    0,rapl:package-0,cpu,0
    1,rapl:package-0,cpu,41.5
    0,nvml:GPU-1,gpu,
    ...

Columns: ``t_s`` (time of the sample [s], any origin), ``device_id``,
``component`` (cpu, gpu, ram, soc, other) and either ``energy_j`` (cumulative
energy [J]) or ``power_w`` (power [W] at that time); per device, use one of
the two. Optional ``name``. Rows may come in any order.

Playback: at :meth:`ReplaySensor.start` the recording's first instant is
aligned with ``now_s``; :meth:`read` returns each device's cumulative energy
[J] since the recording's start at the matching instant (linear between
samples; power samples integrated with the trapezoid rule). Past the end of a
device's recording its energy stays at its last value. Method ``replayed``.
"""

from __future__ import annotations

import bisect
import csv
import math
from pathlib import Path

from ..errors import DataError
from ..provenance import Method
from .base import COMPONENTS, Device


class _Track:
    def __init__(self, device_id: str, component: str, name: str, kind: str) -> None:
        self.device_id, self.component, self.name, self.kind = device_id, component, name, kind
        self.points: list[tuple[float, float]] = []
        self.times: list[float] = []
        self.cum: list[float] = []     # cumulative energy at each time [J], from 0

    def finish(self) -> None:
        self.points.sort()
        self.times = [t for t, _ in self.points]
        if self.kind == "energy_j":
            base = self.points[0][1]
            self.cum = [v - base for _, v in self.points]
        else:
            self.cum = [0.0]
            for (t0, p0), (t1, p1) in zip(self.points, self.points[1:]):
                self.cum.append(self.cum[-1] + 0.5 * (p0 + p1) * (t1 - t0))

    def energy_at(self, t: float) -> float:
        if t <= self.times[0]:
            return 0.0
        if t >= self.times[-1]:
            return self.cum[-1]
        i = bisect.bisect_right(self.times, t) - 1
        t0, t1 = self.times[i], self.times[i + 1]
        if self.kind == "energy_j":
            return self.cum[i] + (self.cum[i + 1] - self.cum[i]) * (t - t0) / (t1 - t0)
        p0, p1 = self.points[i][1], self.points[i + 1][1]
        p_t = p0 + (p1 - p0) * (t - t0) / (t1 - t0)
        return self.cum[i] + 0.5 * (p0 + p_t) * (t - t0)


def _number(raw: str, path: Path, line: int, column: str) -> float:
    try:
        x = float(raw)
    except ValueError:
        raise DataError(f"{raw!r} is not a number", str(path), line, column) from None
    if not math.isfinite(x):
        raise DataError(f"{raw!r} is not a finite number", str(path), line, column)
    return x


def load_recording(path: Path) -> list[_Track]:
    """Parse a replay CSV; raises :class:`DataError` naming the line and column at fault."""
    path = Path(path)
    try:
        fh = open(path, newline="", encoding="utf-8-sig")
    except OSError as exc:
        raise DataError(f"cannot open the replay file ({exc.strerror})", str(path)) from None
    tracks: dict[str, _Track] = {}
    with fh:
        reader = csv.DictReader(fh)
        cols = set(reader.fieldnames or [])
        missing = {"t_s", "device_id", "component"} - cols
        if missing or not cols & {"energy_j", "power_w"}:
            need = sorted(missing) or ["energy_j or power_w"]
            raise DataError(f"missing column(s) {', '.join(need)}; expected t_s,device_id,component,"
                            "energy_j|power_w", str(path), 1)
        for line, row in enumerate(reader, start=2):
            dev = (row.get("device_id") or "").strip()
            comp = (row.get("component") or "").strip()
            if not dev:
                raise DataError("empty device_id", str(path), line, "device_id")
            if comp not in COMPONENTS:
                raise DataError(f"component {comp!r} is not one of {', '.join(COMPONENTS)}",
                                str(path), line, "component")
            e, p = (row.get("energy_j") or "").strip(), (row.get("power_w") or "").strip()
            if bool(e) == bool(p):
                raise DataError("give exactly one of energy_j and power_w", str(path), line)
            kind = "energy_j" if e else "power_w"
            tr = tracks.setdefault(dev, _Track(dev, comp, (row.get("name") or dev).strip(), kind))
            if tr.kind != kind:
                raise DataError(f"device {dev} mixes energy_j and power_w rows", str(path), line, kind)
            value = _number(e or p, path, line, kind)
            if value < 0:
                raise DataError(f"negative {kind} {value}", str(path), line, kind)
            tr.points.append((_number(row["t_s"], path, line, "t_s"), value))
    if not tracks:
        raise DataError("no samples", str(path))
    for tr in tracks.values():
        tr.finish()
        if tr.kind == "energy_j" and any(b < a for a, b in zip(tr.cum, tr.cum[1:])):
            raise DataError(f"energy_j of {tr.device_id} decreases: it must be cumulative", str(path))
    return list(tracks.values())


class ReplaySensor:
    """Plays back a recorded CSV (see the module docstring for the format)."""

    name = "replay"

    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)
        self._tracks = load_recording(self.path)
        self._t0 = min(tr.times[0] for tr in self._tracks)
        self._end = max(tr.times[-1] for tr in self._tracks)
        self._start_s: float | None = None
        self._warnings: list[str] = []

    @property
    def duration_s(self) -> float:
        """Length of the recording [s]."""
        return self._end - self._t0

    def devices(self) -> list[Device]:
        return [Device(tr.device_id, tr.component, tr.name, Method.REPLAYED,
                       {"file": str(self.path), "recorded_as": tr.kind}) for tr in self._tracks]

    def start(self, now_s: float) -> None:
        self._start_s = now_s

    def read(self, now_s: float) -> dict[str, float]:
        """Cumulative energy [J] since the start of the recording at the replayed instant."""
        if self._start_s is None:
            return {}
        t = self._t0 + (now_s - self._start_s)
        if t > self._end and not self._warnings:
            self._warnings.append(f"replay: {self.path.name} ended after {self.duration_s:g} s; "
                                  "energy holds at its last value")
        return {tr.device_id: tr.energy_at(t) for tr in self._tracks}

    def close(self) -> None:
        return None

    @property
    def warnings(self) -> list[str]:
        return self._warnings
