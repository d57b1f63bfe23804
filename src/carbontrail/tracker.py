"""Track a job: ``with track():``, ``@track()``, or ``Tracker().start()/stop()``.

The tracker wires sensors -> sampler -> intervals x intensity x PUE -> run
record -> store. Each interval's energy is multiplied by the intensity of its
own time and place (a series or live provider when configured, the annual
table otherwise) and by the PUE. Named phases (``with run.phase("epoch-3")``)
get the energy of the intervals they span: the tracker takes a reading at
every phase boundary, so phase figures are exact to the sensor's resolution.

Telemetry never breaks the job: a failing sensor, intensity source or store
becomes a warning (kept in ``record.warnings``, and raised as a
:class:`CarbontrailWarning` for the API user), and what was measured is kept.
"""

from __future__ import annotations

import functools
import os
import socket
import threading
import time
import uuid
import warnings
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any

from . import __version__
from .config import Settings, load_settings
from .errors import CarbontrailError, StoreError
from .intensity.model import FixedIntensity, IntensitySource, weighted_intensity
from .measure.base import Device, Sensor
from .measure.sampler import Interval, Sampler, _wall_now
from .provenance import Method, weakest
from .measure.host import host_hardware
from .record import Footprint, PhaseRecord, RunRecord, downsample_timeline
from .units import j_to_kwh

#: Timeline rows kept in a record; longer runs are merged pairwise.
MAX_TIMELINE_ROWS = 1000


class CarbontrailWarning(UserWarning):
    """Something the user should know about a measurement (shown once)."""


class Tracker:
    """Measures energy and emissions of the code between :meth:`start` and :meth:`stop`.

    Every argument left as None comes from settings (``CARBONTRAIL_*``
    environment, ``carbontrail.toml``, defaults); pass ``settings`` to
    control that fully.

    :param intensity: a number [gCO2e/kWh] to override the grid intensity, or
        any :class:`~carbontrail.intensity.model.IntensitySource`.
    :param sensors: sensors to use instead of detection (tests, replay).
    :param store: True for the default SQLite store, a ``Store`` object, or
        False for none.
    :param csv: append a CodeCarbon-compatible row to this file at stop.
    :param json_path: write the run record as JSON here at stop.
    :param flush_interval_s: how often the running record is saved [s], so a
        killed process keeps what was measured (default: settings, 30 s).
    """

    def __init__(
        self,
        project: str | None = None,
        experiment: str | None = None,
        *,
        location: str | None = None,
        pue: float | None = None,
        interval_s: float | None = None,
        scope: str | None = None,
        intensity: float | IntensitySource | None = None,
        sensors: Sequence[Sensor] | None = None,
        store: Any = True,
        csv: str | os.PathLike[str] | None = None,
        json_path: str | os.PathLike[str] | None = None,
        settings: Settings | None = None,
        command: Sequence[str] | None = None,
        units: float | None = None,
        unit_name: str | None = None,
        pid: int | None = None,
        flush_interval_s: float | None = None,
        clock: Callable[[], float] | None = None,
        wall: Callable[[], datetime] | None = None,
        thread: bool = True,
    ) -> None:
        self._overrides = {
            "project": project, "experiment": experiment, "location": location,
            "pue": pue, "interval_s": interval_s, "scope": scope,
        }
        self._settings = settings
        self._intensity_arg = intensity
        self._sensors_arg = list(sensors) if sensors is not None else None
        self._store_arg = store
        self._csv = Path(csv) if csv is not None else None
        self._json_path = Path(json_path) if json_path is not None else None
        self._command = list(command) if command is not None else None
        self._units = (units, unit_name)
        self._pid = pid
        self.flush_interval_s = flush_interval_s
        self._clock = clock or time.monotonic
        self._wall = wall or _wall_now
        self._thread = thread
        self._lock = threading.RLock()
        self._phase_stack: list[PhaseRecord] = []
        self._device_component: dict[str, str] = {}
        self._component_energy: dict[str, float] = {}
        self._device_energy: dict[str, float] = {}
        self._last_flush = 0.0
        self._attribution: Any = None
        self._intensity_fallback: IntensitySource | None = None
        self.sampler: Sampler | None = None
        self.store: Any = None
        self.record: RunRecord | None = None
        self.settings: Settings | None = None
        self.intensity_source: IntensitySource | None = None
        self.stored_at: str | None = None
        self.outputs: dict[str, str] = {}
        self._prepared: Any = None
        self._intensity_range = (float("inf"), float("-inf"))
        self._intensity_methods: set[str] = set()
        self._energy_at_pue_kwh = 0.0
        self._last_intensity: float | None = None
        self._timeline_saved = 0
        self._location_warnings: list[str] = []

    # -- setup ----------------------------------------------------------------
    def _warn(self, message: str, loud: bool = False) -> None:
        assert self.record is not None
        if message not in self.record.warnings:
            self.record.warnings.append(message)
            if loud:
                warnings.warn(message, CarbontrailWarning, stacklevel=3)

    def _resolve(self) -> tuple[Settings, Any, IntensitySource, float, str]:
        settings = self._settings or load_settings(overrides=self._overrides)
        if self._settings is not None:
            # explicit arguments still win over a given Settings object
            from dataclasses import replace

            given = {k: v for k, v in self._overrides.items() if v is not None}
            if given:
                settings = replace(settings, **given, sources={**settings.sources, **{k: "argument" for k in given}})
        from .intensity.locations import detect_location

        # explicit > env > config > cloud detection > time zone > world average
        location, loc_warnings = detect_location(settings)
        if isinstance(self._intensity_arg, (int, float)):
            source: IntensitySource = FixedIntensity(float(self._intensity_arg), "user override",
                                                     method="override")
        elif self._intensity_arg is not None:
            source = self._intensity_arg
        else:
            from .intensity.sources import intensity_source

            source = intensity_source(location, settings)
        if settings.pue is not None:
            pue, pue_source = settings.pue, f"given ({settings.sources.get('pue', 'argument')})"
        else:
            from .intensity.tables import pue_for

            pue, pue_source = pue_for(location)
        self._location_warnings = loc_warnings
        return settings, location, source, float(pue), pue_source

    def _open_store(self, settings: Settings) -> Any:
        if self._store_arg is False or self._store_arg is None:
            return None
        if self._store_arg is not True:
            return self._store_arg
        from .store.sqlite import Store

        return Store.default(settings)

    def prepare(self) -> Tracker:
        """Resolve settings, location, intensity, PUE and sensors without sampling.

        Raises on bad input (unknown location, bad setting) so a caller can
        refuse to start a job; :meth:`start` calls it when needed.
        """
        if self._prepared is not None:
            return self
        self._prepared = self._resolve()
        return self

    def start(self) -> Tracker:
        """Take the first reading and start sampling (prepares first if needed)."""
        if self.record is not None:
            raise RuntimeError("this tracker was already started; make a new Tracker for a new run")
        self.prepare()
        settings, location, source, pue, pue_source = self._prepared
        if self._sensors_arg is not None:
            sensors = self._sensors_arg
        else:
            from .measure.detect import detect_sensors

            # the job's pid lets the RAM model and GPU attribution follow the job in process scope
            sensors = detect_sensors(settings, pid=self._pid)
        self.settings = settings
        self.intensity_source = source
        if self.flush_interval_s is None:
            self.flush_interval_s = settings.flush_interval_s
        devices: list[Device] = []
        for s in sensors:
            devices.extend(s.devices())
        self._device_component = {d.id: d.component for d in devices}
        units, unit_name = self._units
        self.record = RunRecord(
            id=uuid.uuid4().hex,
            project=settings.project,
            experiment=settings.experiment,
            started_at=self._wall(),
            command=self._command,
            hostname=socket.gethostname(),
            pid=os.getpid(),
            location=location.to_dict(),
            intensity=dict(source.describe()),
            pue={"value": pue, "source": pue_source},
            hardware=host_hardware(devices),
            devices=[d.to_dict() for d in devices],
            units={"count": units, "name": unit_name or "run"} if units else None,
            settings=settings.public_dict(),
            version=__version__,
        )
        for w in self._location_warnings:
            self._warn(w, loud=True)
        if not devices:
            self._warn("no energy sensor found: energy is unavailable; run `carbontrail doctor`", loud=True)
        for d in devices:
            if d.method == Method.UNAVAILABLE:
                why = d.details.get("reason", "cannot be read")
                self._warn(f"{d.id} ({d.name}): {why}; run `carbontrail doctor` for the fix", loud=True)
        if settings.scope == "process":
            self._attribution = self._make_attribution()
        try:
            self.store = self._open_store(settings)
        except (StoreError, OSError) as exc:  # a broken store must not stop the job
            self.store = None
            self._warn(f"run store unavailable ({exc}); the record will go to a fallback file", loud=True)
        interval_s = settings.interval_s
        for sensor in sensors:
            hint = getattr(sensor, "min_read_interval_s", None)
            limit = hint() if callable(hint) else None
            if limit and interval_s > limit:
                self._warn(f"sampling every {limit:.0f} s instead of {interval_s:g} s so the {sensor.name} "
                           "counter cannot wrap twice between reads")
                interval_s = limit
        self.sampler = Sampler(sensors, interval_s, on_interval=self._on_interval,
                               clock=self._clock, wall=self._wall)
        self.sampler.start(thread=self._thread)
        self.record.started_at = self.sampler.wall_at(self.sampler.t0 or 0.0)
        self._last_flush = self._clock()
        self._flush()
        return self

    def set_job_pid(self, pid: int) -> None:
        """The process (tree) whose share is attributed with scope=process."""
        self._pid = pid

    def _make_attribution(self) -> Any:
        try:
            from .measure.process import ProcessAttribution
        except ImportError:
            self._warn("process scope asked for but process attribution is not available")
            return None
        attribution = ProcessAttribution(self._pid or os.getpid())
        attribution.start(self._clock())
        return attribution

    # -- per interval -----------------------------------------------------------
    def _intensity_for(self, interval: Interval) -> tuple[float, str]:
        assert self.intensity_source is not None
        if isinstance(self.intensity_source, FixedIntensity):  # one figure for all times: no lookup
            return self.intensity_source.g_per_kwh, self.intensity_source.method
        a, b = interval.started_at, interval.ended_at
        try:
            points = self.intensity_source.points(a, b)
            value = weighted_intensity(points, a, b)
            methods = {p.method for p in points}
            # an interval partly answered by the fallback table says so
            method = ("fallback" if "fallback" in methods else points[0].method) if points else "table"
        except Exception as exc:  # noqa: BLE001 - the source may be user code; the energy must be kept
            self._warn(f"intensity source failed ({exc}); using the annual table")
            points, value, method = [], None, "fallback"
        if value is None:
            fb = self._fallback_source()
            value = weighted_intensity(fb.points(a, b), a, b) or 0.0
            method = "fallback"
        return float(value), method

    def _fallback_source(self) -> IntensitySource:
        if self._intensity_fallback is None:
            from .intensity.locations import resolve_location
            from .intensity.tables import annual_intensity

            assert self.record is not None
            code = self.record.location.get("code")
            try:
                self._intensity_fallback = annual_intensity(resolve_location(code)) if code else None
            except (CarbontrailError, KeyError):
                self._intensity_fallback = None
            if self._intensity_fallback is None:
                from .intensity.tables import world_intensity

                self._intensity_fallback = world_intensity()
            self._warn("the intensity source had no figure for part of the run; the annual table was used there")
        return self._intensity_fallback

    def _on_interval(self, interval: Interval) -> None:
        # the intensity first: if a (user-supplied) source fails in an unexpected way, nothing
        # of this interval has been added yet, so the record stays consistent
        intensity, method = self._intensity_for(interval)
        with self._lock:
            rec = self.record
            assert rec is not None
            by_component: dict[str, float] = {}
            for dev, e in interval.energy_j.items():
                comp = self._device_component.get(dev, "other")
                by_component[comp] = by_component.get(comp, 0.0) + e
                self._device_energy[dev] = self._device_energy.get(dev, 0.0) + e
            for comp, e in by_component.items():
                self._component_energy[comp] = self._component_energy.get(comp, 0.0) + e
            energy = sum(by_component.values())
            pue = float(rec.pue["value"])
            emissions = j_to_kwh(energy) * pue * intensity
            rec.energy_j += energy
            rec.emissions_g += emissions
            for phase in self._phase_stack:
                for comp, e in by_component.items():
                    phase.energy_j[comp] = phase.energy_j.get(comp, 0.0) + e
                phase.emissions_g += emissions
            if self._attribution is not None:
                self._attribute(interval, by_component)
            dt = interval.duration_s
            rec.timeline.append({
                "t_s": round(interval.end_s - (self.sampler.t0 if self.sampler and self.sampler.t0 else 0.0), 6),
                "at": interval.ended_at.isoformat(),
                "dt_s": dt,
                "energy_j": by_component,
                "power_w": {c: e / dt for c, e in by_component.items()} if dt > 0 else {},
                "intensity_g_per_kwh": intensity,
                "intensity_method": method,
                "emissions_g": emissions,
            })
            if len(rec.timeline) > MAX_TIMELINE_ROWS:
                rec.timeline = downsample_timeline(rec.timeline)
                self._timeline_saved = 0  # rows changed: the next flush rewrites them
            rec.duration_s = interval.end_s - (self.sampler.t0 if self.sampler and self.sampler.t0 else 0.0)
            lo, hi = self._intensity_range
            self._intensity_range = (min(lo, intensity), max(hi, intensity))
            self._intensity_methods.add(method)
            self._energy_at_pue_kwh += j_to_kwh(energy) * pue
            self._last_intensity = intensity
        if self._clock() - self._last_flush >= self.flush_interval_s:
            self._last_flush = self._clock()
            self._flush()

    def _attribute(self, interval: Interval, by_component: dict[str, float]) -> None:
        """Split the interval's CPU energy into the job's share, other processes' and idle."""
        rec = self.record
        assert rec is not None
        try:
            sample = self._attribution.sample(interval.end_s)
        except (OSError, ValueError) as exc:
            self._warn(f"process attribution failed: {exc}")
            return
        if sample is None:
            return
        cpu = by_component.get("cpu", 0.0) + by_component.get("soc", 0.0)
        att = rec.attributed or {
            "scope": "process", "pid": self._pid or os.getpid(), "method": "modelled",
            "model": "CPU energy x (CPU time of the job's process tree / total CPU time of the machine)",
            "cpu_energy_j": 0.0, "others_energy_j": 0.0, "idle_energy_j": 0.0,
            "machine_cpu_energy_j": 0.0, "job_cpu_s": 0.0,
        }
        att["cpu_energy_j"] += cpu * sample.job_share
        att["others_energy_j"] += cpu * sample.others_share
        att["idle_energy_j"] += cpu * sample.idle_share
        att["machine_cpu_energy_j"] += cpu
        att["job_cpu_s"] += sample.job_cpu_s
        m = att["machine_cpu_energy_j"]
        att["cpu_share"] = att["cpu_energy_j"] / m if m else None
        att["idle_share"] = att["idle_energy_j"] / m if m else None
        rec.attributed = att

    def _collect_gpu_attribution(self) -> None:
        """Device energy and the job's modelled share of each shared GPU (NVML per-process data)."""
        rec = self.record
        assert rec is not None and self.sampler is not None
        gpus: dict[str, Any] = {}
        for sensor in self.sampler.sensors:
            get = getattr(sensor, "attribution", None)
            if not callable(get):
                continue
            try:
                items = get()
            except (CarbontrailError, OSError, ValueError) as exc:
                self._warn(f"GPU attribution failed: {exc}")
                continue
            for dev, a in items.items():
                if a.last_share is None and not a.other_pids:
                    continue  # no per-process information: the device figure is all there is
                gpus[dev] = {"device_energy_j": a.device_energy_j, "job_energy_j": a.job_energy_j,
                             "share": a.last_share, "basis": a.basis, "other_pids": a.other_pids,
                             "method": a.method}
        if gpus:
            att = rec.attributed or {"scope": "process", "pid": self._pid or os.getpid()}
            att["gpus"] = gpus
            att["gpu_job_energy_j"] = sum(g["job_energy_j"] for g in gpus.values())
            att["gpu_device_energy_j"] = sum(g["device_energy_j"] for g in gpus.values())
            rec.attributed = att

    def _update_components(self) -> None:
        rec = self.record
        assert rec is not None
        if self.sampler is not None:
            self._collect_gpu_attribution()
        comps: dict[str, dict[str, Any]] = {}
        for d in rec.devices:
            c = comps.setdefault(d["component"], {"energy_j": None, "method": "unavailable",
                                                 "devices": [], "unavailable_devices": []})
            c["devices"].append(d["id"])
            if d["method"] == Method.UNAVAILABLE.value:
                c["unavailable_devices"].append(d["id"])
            d["energy_j"] = self._device_energy.get(d["id"]) if d["method"] != "unavailable" else None
        for comp, c in comps.items():
            readable = [d for d in rec.devices if d["component"] == comp and d["method"] != "unavailable"]
            if readable:
                c["energy_j"] = self._component_energy.get(comp, 0.0)
                c["method"] = weakest(d["method"] for d in readable).value
        for comp, e in self._component_energy.items():
            if comp not in comps:
                comps[comp] = {"energy_j": e, "method": "unavailable", "devices": [], "unavailable_devices": []}
        rec.components = comps
        rec.energy_unavailable = sorted(c for c, v in comps.items() if v["energy_j"] is None)
        if self._intensity_methods:
            lo, hi = self._intensity_range
            rec.intensity["mean_g_per_kwh"] = (
                rec.emissions_g / self._energy_at_pue_kwh if self._energy_at_pue_kwh > 0 else self._last_intensity
            )
            rec.intensity["min_g_per_kwh"] = lo
            rec.intensity["max_g_per_kwh"] = hi
            rec.intensity["methods_used"] = sorted(m for m in self._intensity_methods if m)

    # -- store ------------------------------------------------------------------
    def _flush(self) -> None:
        rec = self.record
        if rec is None:
            return
        with self._lock:
            self._update_components()
            rec.heartbeat_at = self._wall()
            snapshot = RunRecord.from_dict(rec.to_dict())
            saved_from = self._timeline_saved
        if self.store is None:
            return
        try:
            try:
                self.store.save(snapshot, timeline_from=saved_from)
            except TypeError:  # a user-supplied store without incremental timelines
                self.store.save(snapshot)
            with self._lock:
                if self._timeline_saved == saved_from:
                    self._timeline_saved = len(snapshot.timeline)
            self.stored_at = str(self.store.path)
        except (StoreError, OSError) as exc:  # the job goes on without the store
            self.store = None
            self._warn(f"cannot write the run store ({exc}); the record will go to a fallback file", loud=True)

    # -- phases ---------------------------------------------------------------------
    @contextmanager
    def phase(self, name: str) -> Iterator[PhaseRecord]:
        """A named part of the run; phases nest (``train/epoch-3``)."""
        if self.record is None or self.sampler is None:
            raise RuntimeError("start the tracker before opening a phase")
        self.sampler.tick()  # close the interval so the phase starts on a reading
        with self._lock:
            parent = self._phase_stack[-1] if self._phase_stack else None
            path = f"{parent.path}/{name}" if parent else name
            t = self.sampler.wall_at(self._clock())
            ph = PhaseRecord(name=name, path=path, parent=parent.path if parent else None, started_at=t)
            self._phase_stack.append(ph)
            self.record.phases.append(ph)
            t_start = self._clock()
        try:
            yield ph
        finally:
            self.sampler.tick()
            with self._lock:
                if ph in self._phase_stack:
                    self._phase_stack.remove(ph)
                ph.ended_at = self.sampler.wall_at(self._clock())
                ph.duration_s = self._clock() - t_start

    # -- stop -------------------------------------------------------------------------
    def stop(self, status: str = "completed", exit_code: int | None = None,
             finalize: Callable[[RunRecord], None] | None = None) -> Footprint:
        """Take the last reading, save the record everywhere asked, return the footprint.

        ``finalize(record)`` runs after the last reading and before anything is
        saved, for figures that need every interval (the runner's realised saving).
        """
        if self.record is None or self.sampler is None:
            raise RuntimeError("stop() before start()")
        if self.record.status != "running":
            return self.record.footprint
        self.sampler.stop()
        with self._lock:
            rec = self.record
            end_s = self.sampler._t_prev or self._clock()
            rec.ended_at = self.sampler.wall_at(end_s)
            rec.duration_s = end_s - (self.sampler.t0 or end_s)
            for ph in self._phase_stack:
                ph.ended_at = rec.ended_at
            self._phase_stack.clear()
            rec.status = status
            rec.exit_code = exit_code
            self._update_components()
            for w in self.sampler.collect_sensor_warnings():
                self._warn(w)
            if hasattr(self.intensity_source, "warnings"):
                for w in getattr(self.intensity_source, "warnings") or []:
                    self._warn(w)
            rec.intensity.update({k: v for k, v in (self.intensity_source.describe() or {}).items()
                                  if k not in rec.intensity})
            if finalize is not None:
                finalize(rec)
        self._flush()
        if self.store is None:
            self._write_fallback()
        if self._csv is not None:
            self._write_csv(self._csv)
        if self._json_path is not None:
            self._write_json(self._json_path)
        return rec.footprint

    def _write_fallback(self) -> None:
        from .store.jsonio import write_fallback

        assert self.record is not None and self.settings is not None
        try:
            path = write_fallback(self.record, self.settings.data_home)
        except OSError as exc:
            self._warn(f"could not write the fallback record either ({exc})", loud=True)
            return
        self.outputs["fallback"] = str(path)
        self._warn(f"run record written to {path} (import it later with `carbontrail runs import {path}`)",
                   loud=True)

    def _write_csv(self, path: Path) -> None:
        from .store.codecarbon_csv import append_row

        assert self.record is not None
        try:
            written, note = append_row(self.record, path)
        except OSError as exc:
            self._warn(f"cannot write CSV {path}: {exc.strerror or exc}", loud=True)
            return
        self.outputs["csv"] = str(written)
        if note:
            self._warn(note, loud=True)

    def _write_json(self, path: Path) -> None:
        from .store.jsonio import write_record

        assert self.record is not None
        try:
            write_record(self.record, path)
        except OSError as exc:
            self._warn(f"cannot write JSON {path}: {exc.strerror or exc}", loud=True)
            return
        self.outputs["json"] = str(path)

    # -- conveniences ---------------------------------------------------------------------
    @property
    def footprint(self) -> Footprint:
        """The footprint so far (live while running, final after stop)."""
        if self.record is None:
            raise RuntimeError("the tracker has not started")
        if self.record.status == "running" and self.sampler is not None:
            self.sampler.tick()
        with self._lock:
            self._update_components()
            return self.record.footprint

    @property
    def location(self) -> Any:
        """The resolved :class:`~carbontrail.intensity.model.Location` (after :meth:`prepare`)."""
        if self._prepared is None:
            raise RuntimeError("prepare() or start() the tracker first")
        return self._prepared[1]

    @property
    def run_id(self) -> str | None:
        return self.record.id if self.record else None

    def __enter__(self) -> Tracker:
        return self.start()

    def __exit__(self, exc_type: Any, exc: Any, tb: Any) -> None:
        if exc_type is KeyboardInterrupt:
            status = "interrupted"
        elif exc_type is not None:
            status = "failed"
        else:
            status = "completed"
        self.stop(status=status)

    def __call__(self, func: Callable[..., Any]) -> Callable[..., Any]:
        """Use a configured tracker as a decorator: each call is a new run."""
        params = dict(self._overrides)
        extra = {
            "intensity": self._intensity_arg, "sensors": self._sensors_arg, "store": self._store_arg,
            "csv": self._csv, "json_path": self._json_path, "settings": self._settings,
            "flush_interval_s": self.flush_interval_s, "clock": self._clock, "wall": self._wall,
            "thread": self._thread, "units": self._units[0], "unit_name": self._units[1],
        }

        @functools.wraps(func)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            tracker = Tracker(**params, **extra)
            wrapper.last_tracker = tracker  # type: ignore[attr-defined]
            with tracker:
                return func(*args, **kwargs)

        return wrapper


def track(
    project: str | None = None,
    experiment: str | None = None,
    **kwargs: Any,
) -> Tracker:
    """Track a block or a function.

    ``with track(project="bert") as run: ...`` or ``@track(project="bert")``.
    Keyword arguments are those of :class:`Tracker`.
    """
    return Tracker(project, experiment, **kwargs)
