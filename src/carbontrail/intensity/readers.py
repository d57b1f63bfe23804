"""Readers of intensity series files; format detected from the content.

CSV formats:
- Electricity Maps Data Portal, 2021-23 header (``Datetime (UTC)``, ``Zone Id``,
  ``Carbon Intensity gCO₂eq/kWh (direct)``, ``... (LCA)``) and 2024+ header
  (``Zone id``, ``Carbon intensity gCO₂eq/kWh (Life cycle)``, ...). Average,
  consumption-based. ``Data Estimated`` rows are flagged.
- WattTime v2 CSV ``timestamp,MOER,MOER version,frequency``: marginal, lbs/MWh
  converted with 1 lb/MWh = 0.45359237 g/kWh.
- Generic: first column an ISO 8601 timestamp (naive = UTC), second the value
  in gCO2e/kWh; an optional header row.

JSON formats (parsed by the provider modules' pure ``parse_*`` functions):
UK Carbon Intensity ``{"data":[{"from","to","intensity":{...}}]}``, WattTime v3
``{"data":[{"point_time","value"}],"meta":{...}}``, Energi Data Service
``{"records":[...]}``, Electricity Maps API ``history``/``data``/``forecast``.

Each point ends where the next begins when the step is regular (up to 1.5x the
median step); otherwise after one median step, so gaps stay visible.
"""

from __future__ import annotations

import csv
import io
import json
from datetime import datetime, timezone
from pathlib import Path

import numpy as np

from ..errors import DataError, ProviderUnavailable
from ..units import G_PER_KWH_PER_LB_PER_MWH
from .model import AVERAGE, MARGINAL
from .series import FLAG_ESTIMATED, FLAG_FORECAST, FLAG_NONE, IntensitySeries

_EM_TIME = "Datetime (UTC)"
_EM_LCA = ("Carbon Intensity gCO₂eq/kWh (LCA)", "Carbon intensity gCO₂eq/kWh (Life cycle)")
_EM_DIRECT = ("Carbon Intensity gCO₂eq/kWh (direct)", "Carbon intensity gCO₂eq/kWh (direct)")
_EM_ZONE = ("Zone Id", "Zone id")
_EM_EST = ("Data Estimated", "Data estimated")


def parse_time(text: str) -> float:
    """Epoch seconds [s] of an ISO 8601 timestamp; naive means UTC. Raises ValueError."""
    s = text.strip()
    if not s:
        raise ValueError("empty timestamp")
    if s.endswith(("Z", "z")):
        s = s[:-1] + "+00:00"
    dt = datetime.fromisoformat(s)
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=timezone.utc)
    return dt.timestamp()


def ends_from_starts(starts: np.ndarray, step_s: float | None = None) -> np.ndarray:
    """End of each point: the next start when the step is regular, else start + median step."""
    if starts.size == 0:
        return starts.copy()
    if step_s is None:
        step_s = float(np.median(np.diff(starts))) if starts.size > 1 else 3600.0
    ends = starts + step_s
    if starts.size > 1:
        nxt = starts[1:]
        regular = (nxt - starts[:-1]) <= 1.5 * step_s
        ends[:-1] = np.where(regular, nxt, ends[:-1])
    return ends


def build_series(path: Path, starts: list[float], values: list[float], lines: list[int],
                 flags: list[int] | None = None, *, kind: str, source: str, zone: str | None,
                 step_s: float | None = None, details: dict | None = None,
                 value_column: int | str = 2) -> IntensitySeries:
    """Sort, check duplicates and negatives (naming the line), then build the series."""
    if not starts:
        raise DataError("no data rows; expected a timestamp and a value per row", str(path))
    s = np.asarray(starts, dtype=float)
    v = np.asarray(values, dtype=float)
    ln = np.asarray(lines)
    f = np.asarray(flags if flags is not None else [FLAG_NONE] * len(starts), dtype=np.int8)
    bad = np.nonzero((v < 0) | ~np.isfinite(v))[0]
    if bad.size:
        i = int(bad[0])
        raise DataError(f"intensity {values[i]!r} is negative or not finite", str(path), int(ln[i]), value_column)
    order = np.argsort(s, kind="stable")
    s, v, ln, f = s[order], v[order], ln[order], f[order]
    dup = np.nonzero(np.diff(s) == 0)[0]
    if dup.size:
        i = int(dup[0]) + 1
        raise DataError(f"duplicate timestamp (same as line {int(ln[i - 1])})", str(path), int(ln[i]), 1)
    e = ends_from_starts(s, step_s)
    return IntensitySeries(s, e, v, kind=kind, source=source, method="series", zone=zone,
                           details={"file": path.name, **(details or {})}, flags=f)


def _col(header: list[str], names: tuple[str, ...]) -> int | None:
    for n in names:
        if n in header:
            return header.index(n)
    return None


def _read_em_portal(path: Path, rows: list[list[str]], kind: str | None, zone: str | None,
                    emission_factor: str) -> IntensitySeries:
    header = rows[0]
    t_col = header.index(_EM_TIME)
    names = _EM_DIRECT if emission_factor == "direct" else _EM_LCA
    v_col = _col(header, names)
    if v_col is None:
        raise DataError(f"no {emission_factor} intensity column (expected one of {', '.join(names)})",
                        str(path), 1)
    z_col, est_col = _col(header, _EM_ZONE), _col(header, _EM_EST)
    starts, values, lines, flags = [], [], [], []
    zones: set[str] = set()
    for n, row in enumerate(rows[1:], start=2):
        if not row or not any(c.strip() for c in row):
            continue
        if len(row) <= max(t_col, v_col):
            raise DataError(f"row has {len(row)} columns, expected {len(header)}", str(path), n)
        try:
            starts.append(parse_time(row[t_col]))
        except ValueError:
            raise DataError(f"cannot read timestamp {row[t_col]!r}", str(path), n, _EM_TIME) from None
        cell = row[v_col].strip()
        try:
            values.append(float(cell))
        except ValueError:
            raise DataError(f"cannot read intensity {cell!r}", str(path), n, header[v_col]) from None
        lines.append(n)
        est = est_col is not None and len(row) > est_col and row[est_col].strip().lower() == "true"
        flags.append(FLAG_ESTIMATED if est else FLAG_NONE)
        if z_col is not None and len(row) > z_col:
            zones.add(row[z_col].strip())
    zone = zone or (zones.pop() if len(zones) == 1 else None)
    return build_series(path, starts, values, lines, flags, kind=kind or AVERAGE,
                        source=f"Electricity Maps data portal ({emission_factor})", zone=zone,
                        details={"scope": emission_factor, "basis": "consumption",
                                 "licence": "ODbL 1.0 (Electricity Maps)"},
                        value_column=header[v_col])


def _read_watttime_csv(path: Path, rows: list[list[str]], kind: str | None, zone: str | None) -> IntensitySeries:
    header = [h.strip() for h in rows[0]]
    t_col, v_col = header.index("timestamp"), header.index("MOER")
    f_col = header.index("frequency") if "frequency" in header else None
    starts, values, lines = [], [], []
    freq: set[float] = set()
    for n, row in enumerate(rows[1:], start=2):
        if not row or not any(c.strip() for c in row):
            continue
        try:
            starts.append(parse_time(row[t_col]))
        except (ValueError, IndexError):
            raise DataError(f"cannot read timestamp {row[t_col] if row else ''!r}", str(path), n, "timestamp") from None
        try:
            values.append(float(row[v_col]) * G_PER_KWH_PER_LB_PER_MWH)
        except (ValueError, IndexError):
            raise DataError("cannot read MOER value (lbs/MWh)", str(path), n, "MOER") from None
        lines.append(n)
        if f_col is not None and len(row) > f_col:
            try:
                freq.add(float(row[f_col]))
            except ValueError:
                pass  # "None" in some rows of the v2 export
    step = freq.pop() if len(freq) == 1 else None
    return build_series(path, starts, values, lines, kind=kind or MARGINAL,
                        source="WattTime MOER (CSV, lbs/MWh converted)", zone=zone, step_s=step,
                        details={"unit_converted_from": "lbs/MWh"}, value_column="MOER")


def _read_generic_csv(path: Path, rows: list[list[str]], kind: str | None, zone: str | None) -> IntensitySeries:
    starts, values, lines = [], [], []
    first_data = 0
    if rows:
        try:
            parse_time(rows[0][0])
        except (ValueError, IndexError):
            first_data = 1  # a header row
    for n, row in enumerate(rows[first_data:], start=first_data + 1):
        if not row or not any(c.strip() for c in row):
            continue
        if row[0].lstrip().startswith("#"):
            continue
        if len(row) < 2:
            raise DataError("expected two columns: ISO timestamp, gCO2e/kWh", str(path), n, 2)
        try:
            starts.append(parse_time(row[0]))
        except ValueError:
            raise DataError(f"cannot read timestamp {row[0]!r}; write ISO 8601 like 2024-01-31T13:00Z",
                            str(path), n, 1) from None
        try:
            values.append(float(row[1]))
        except ValueError:
            raise DataError(f"cannot read intensity {row[1]!r} (gCO2e/kWh)", str(path), n, 2) from None
        lines.append(n)
    return build_series(path, starts, values, lines, kind=kind or AVERAGE, source=f"file {path.name}",
                        zone=zone)


def _read_json(path: Path, text: str, kind: str | None, zone: str | None) -> IntensitySeries:
    try:
        payload = json.loads(text)
    except json.JSONDecodeError as exc:
        raise DataError(f"not valid JSON ({exc.msg})", str(path), exc.lineno, exc.colno) from None
    from .providers import parse_any

    try:
        points, meta = parse_any(payload)
    except ProviderUnavailable as exc:
        raise DataError(f"unrecognised JSON intensity payload: {exc}", str(path)) from None
    flags = [FLAG_FORECAST if p.method == "forecast" else FLAG_NONE for p in points]
    s = np.array([p.start.timestamp() for p in points])
    e = np.array([p.end.timestamp() for p in points])
    v = np.array([p.g_per_kwh for p in points])
    order = np.argsort(s, kind="stable")
    if not len(points):
        raise DataError("the payload holds no intensity points", str(path))
    return IntensitySeries(s[order], e[order], v[order], kind=kind or points[0].kind,
                           source=points[0].source, zone=zone or meta.get("zone"),
                           details={"file": path.name, **meta}, flags=np.asarray(flags)[order])


def read_series_file(path: Path, *, kind: str | None = None, zone: str | None = None,
                     emission_factor: str = "lifecycle") -> IntensitySeries:
    """See :func:`carbontrail.intensity.series.read_series`."""
    if kind is not None and kind not in (AVERAGE, MARGINAL):
        raise DataError(f"kind must be {AVERAGE!r} or {MARGINAL!r}, got {kind!r}", str(path))
    if emission_factor not in ("lifecycle", "direct"):
        raise DataError(f"emission_factor must be 'lifecycle' or 'direct', got {emission_factor!r}", str(path))
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise DataError("file not found; give the path of an intensity series file", str(path)) from None
    except UnicodeDecodeError as exc:
        raise DataError(f"not UTF-8 text ({exc.reason})", str(path)) from None
    except OSError as exc:
        raise DataError(f"cannot read ({exc.strerror})", str(path)) from None
    head = text.lstrip()[:1]
    if head in ("{", "["):
        return _read_json(path, text, kind, zone)
    try:
        rows = list(csv.reader(io.StringIO(text)))
    except csv.Error as exc:
        raise DataError(f"not a readable CSV ({exc})", str(path)) from None
    header = [h.strip() for h in rows[0]] if rows else []
    if _EM_TIME in header:
        return _read_em_portal(path, [header, *rows[1:]], kind, zone, emission_factor)
    if "timestamp" in header and "MOER" in header:
        return _read_watttime_csv(path, rows, kind, zone)
    return _read_generic_csv(path, rows, kind, zone)
