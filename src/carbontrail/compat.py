"""CodeCarbon-compatible entry points, so a CodeCarbon user switches by one import.

``from carbontrail import track_emissions`` accepts CodeCarbon's common
arguments (project_name, experiment_id, output_dir, output_file,
measure_power_secs, country_iso_code, region, cloud_provider, cloud_region,
pue, save_to_file, tracking_mode, ...). Like CodeCarbon it appends a row to
``output_dir/output_file`` (default ``./emissions.csv``) in CodeCarbon's CSV
schema, and :meth:`EmissionsTracker.stop` returns the emissions in kg.
Arguments that carbontrail has no use for are accepted and listed in the run
record's warnings, never silently dropped.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from pathlib import Path
from typing import Any

from .tracker import Tracker

#: CodeCarbon arguments accepted but without effect here (kept in the record's warnings).
_IGNORED = {
    "log_level", "on_csv_write", "logger", "save_to_api", "api_endpoint", "api_key",
    "save_to_logger", "save_to_prometheus", "prometheus_url", "save_to_logfire",
    "emissions_endpoint", "co2_signal_api_token", "electricitymaps_api_token",
    "output_handlers", "default_cpu_power", "force_cpu_power", "force_ram_power",
    "allow_multiple_runs", "rapl_include_dram", "rapl_prefer_psys", "api_call_interval",
    "gpu_ids", "offline", "country_2letter_iso_code", "experiment_name",
}


def _location_from(country_iso_code: str | None, region: str | None,
                   cloud_provider: str | None, cloud_region: str | None) -> str | None:
    if cloud_provider and cloud_region:
        return f"{cloud_provider.lower()}:{cloud_region}"
    if region and country_iso_code and country_iso_code.upper() in {"USA", "US", "CAN", "CA"}:
        return region
    return country_iso_code


class EmissionsTracker:
    """CodeCarbon's ``EmissionsTracker`` API over a carbontrail :class:`Tracker`."""

    def __init__(self, project_name: str = "codecarbon", experiment_id: str | None = None,
                 output_dir: str = ".", output_file: str = "emissions.csv",
                 measure_power_secs: float | None = None, country_iso_code: str | None = None,
                 region: str | None = None, cloud_provider: str | None = None,
                 cloud_region: str | None = None, pue: float | None = None,
                 save_to_file: bool = True, tracking_mode: str = "machine",
                 **kwargs: Any) -> None:
        unknown = sorted(set(kwargs) - _IGNORED)
        if unknown:
            raise TypeError(f"unexpected argument(s) {', '.join(unknown)} for EmissionsTracker")
        self._ignored = sorted(kwargs)
        csv = Path(output_dir) / output_file if save_to_file else None
        scope = "process" if tracking_mode == "process" else "machine"
        self._tracker = Tracker(
            project=project_name, experiment=experiment_id,
            location=_location_from(country_iso_code, region, cloud_provider, cloud_region),
            pue=pue, interval_s=measure_power_secs, scope=scope, csv=csv,
        )

    @property
    def tracker(self) -> Tracker:
        return self._tracker

    def start(self) -> None:
        self._tracker.start()
        for name in self._ignored:
            self._tracker._warn(f"CodeCarbon argument {name!r} has no effect in carbontrail")

    def stop(self) -> float:
        """Stop and return the emissions in kg CO2e (as CodeCarbon does)."""
        fp = self._tracker.stop()
        return fp.emissions_kg

    def __enter__(self) -> EmissionsTracker:
        self.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self.stop()


def track_emissions(fn: Callable[..., Any] | None = None, **kwargs: Any) -> Any:
    """Decorator with CodeCarbon's arguments: ``@track_emissions(project_name="x")`` or bare."""

    def decorate(func: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(func)
        def wrapper(*args: Any, **kw: Any) -> Any:
            tracker = EmissionsTracker(**kwargs)
            wrapper.last_tracker = tracker  # type: ignore[attr-defined]
            tracker.start()
            try:
                return func(*args, **kw)
            finally:
                tracker.stop()

        return wrapper

    if fn is not None and callable(fn):
        return decorate(fn)
    return decorate


__all__ = ["EmissionsTracker", "track_emissions"]
