"""CSV rows in CodeCarbon's current schema (38 columns, same order and units).

Units as CodeCarbon: duration [s], emissions [kg CO2e], emissions_rate
[kg/s], powers [W] (averages over the run), energies [kWh], water [L],
ram_total_size [GB]. ``energy_consumed`` is the IT energy (without PUE);
``emissions`` includes PUE, whose value is in the ``pue`` column.

Cells carbontrail could not measure are left EMPTY, never 0 (a GPU that could
not be read has an empty ``gpu_energy``). Appending to a file whose header is
different never shifts columns: the row goes to a new file next to it and the
caller is told.
"""

from __future__ import annotations

import csv
import io
import os
from pathlib import Path

from .. import __version__
from ..record import RunRecord
from ..units import j_to_kwh

COLUMNS: tuple[str, ...] = (
    "timestamp", "project_name", "run_id", "experiment_id", "duration", "emissions",
    "emissions_rate", "cpu_power", "gpu_power", "ram_power", "cpu_energy", "gpu_energy",
    "ram_energy", "energy_consumed", "water_consumed", "country_name", "country_iso_code",
    "region", "cloud_provider", "cloud_region", "os", "python_version", "codecarbon_version",
    "cpu_count", "cpu_model", "gpu_count", "gpu_model", "longitude", "latitude",
    "ram_total_size", "tracking_mode", "cpu_utilization_percent", "gpu_utilization_percent",
    "ram_utilization_percent", "ram_used_gb", "on_cloud", "pue", "wue",
)


def _fmt(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return repr(value)
    return str(value)


def _iso3(alpha2: str | None) -> str | None:
    """CodeCarbon writes alpha-3 codes (FRA); the location tables know them."""
    from ..intensity.locations import country_iso3

    return country_iso3(alpha2)


def _country_name(alpha2: str | None) -> str | None:
    from ..intensity.locations import country_name

    return country_name(alpha2)


def row_for(record: RunRecord) -> dict[str, str]:
    """One CSV row (strings) for a run record."""
    comps = record.components
    dur = record.duration_s or 0.0

    def comp_energy_j(*names: str) -> float | None:
        vals = [comps[n]["energy_j"] for n in names if n in comps and comps[n].get("energy_j") is not None]
        return sum(vals) if vals else None

    cpu_j = comp_energy_j("cpu", "soc")
    gpu_j = comp_energy_j("gpu")
    ram_j = comp_energy_j("ram")
    loc = record.location or {}
    hw = record.hardware or {}
    provider = loc.get("provider")
    # nothing could be read: the totals are unknown, not 0
    emissions_kg = record.emissions_g / 1000.0 if record.energy_measured else None
    return {k: _fmt(v) for k, v in {
        "timestamp": (record.ended_at or record.started_at).replace(microsecond=0).isoformat(),
        "project_name": record.project,
        "run_id": record.id,
        "experiment_id": record.experiment,
        "duration": dur,
        "emissions": emissions_kg,
        "emissions_rate": emissions_kg / dur if emissions_kg is not None and dur > 0 else None,
        "cpu_power": cpu_j / dur if cpu_j is not None and dur > 0 else None,
        "gpu_power": gpu_j / dur if gpu_j is not None and dur > 0 else None,
        "ram_power": ram_j / dur if ram_j is not None and dur > 0 else None,
        "cpu_energy": j_to_kwh(cpu_j) if cpu_j is not None else None,
        "gpu_energy": j_to_kwh(gpu_j) if gpu_j is not None else None,
        "ram_energy": j_to_kwh(ram_j) if ram_j is not None else None,
        "energy_consumed": j_to_kwh(record.energy_j) if record.energy_measured else None,
        "water_consumed": None,
        "country_name": loc.get("country_name") or _country_name(loc.get("country")),
        "country_iso_code": loc.get("country_iso3") or _iso3(loc.get("country")) or loc.get("country"),
        "region": loc.get("grid_zone") if loc.get("grid_zone") != loc.get("country") else None,
        "cloud_provider": provider,
        "cloud_region": loc.get("region"),
        "os": hw.get("os"),
        "python_version": hw.get("python"),
        "codecarbon_version": f"carbontrail-{__version__}",
        "cpu_count": hw.get("cpu_count"),
        "cpu_model": hw.get("cpu_model"),
        "gpu_count": hw.get("gpu_count"),
        "gpu_model": hw.get("gpu_model"),
        "longitude": None,
        "latitude": None,
        "ram_total_size": round(hw["ram_total_gb"], 3) if hw.get("ram_total_gb") else None,
        "tracking_mode": (record.settings or {}).get("scope", "machine"),
        "cpu_utilization_percent": None,
        "gpu_utilization_percent": None,
        "ram_utilization_percent": None,
        "ram_used_gb": None,
        "on_cloud": "Y" if provider else "N",
        "pue": (record.pue or {}).get("value"),
        "wue": None,
    }.items()}


def _header_line() -> str:
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerow(COLUMNS)
    return buf.getvalue()


def _existing_header(path: Path) -> list[str] | None:
    try:
        with open(path, newline="", encoding="utf-8-sig") as fh:
            first = next(csv.reader(fh), None)
    except FileNotFoundError:
        return None
    return first


def append_row(record: RunRecord, path: str | os.PathLike[str]) -> tuple[Path, str | None]:
    """Append the run to ``path``; returns (file written, note or None).

    When ``path`` has another header (an older CodeCarbon file, say), the row
    goes to ``<stem>.carbontrail.csv`` (or ``-2``, ``-3`` ...) instead and the
    note says so. One ``write`` call per row, in append mode, so concurrent
    writers do not interleave within a row.
    """
    target = Path(path)
    note = None
    candidates = [target] + [target.with_name(f"{target.stem}.carbontrail{'' if i == 1 else f'-{i}'}{target.suffix or '.csv'}")
                             for i in range(1, 100)]
    for cand in candidates:
        header = _existing_header(cand)
        if header is None or header == [] or tuple(header) == COLUMNS:
            break
    else:  # pragma: no cover - 100 conflicting files
        raise OSError(f"no free file name next to {target}")
    if cand != target:
        note = (f"{target} has a different header; the row was written to {cand} "
                "so no column shifts")
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=COLUMNS, lineterminator="\n")
    w.writerow(row_for(record))
    line = buf.getvalue()
    cand.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(cand, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    try:
        try:
            import fcntl

            fcntl.flock(fd, fcntl.LOCK_EX)  # released on close
        except (ImportError, OSError):
            pass
        if os.fstat(fd).st_size == 0:
            line = _header_line() + line
        os.write(fd, line.encode("utf-8"))
    finally:
        os.close(fd)
    return cand, note


def read_rows(path: str | os.PathLike[str]) -> list[dict[str, str]]:
    with open(path, newline="", encoding="utf-8-sig") as fh:
        return list(csv.DictReader(fh))
