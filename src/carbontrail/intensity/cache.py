"""SQLite cache of fetched provider data, so a series fetched once is not fetched again.

File: ``<data_home>/cache/intensity.sqlite``. Two tables: ``points`` (one row
per provider, zone, start) and ``ranges`` (the complete ranges fetched). Only
settled history is stored (the caller passes ranges that ended at least two
hours ago); forecasts and the latest hour are never cached. No credentials are
stored.
"""

from __future__ import annotations

import json
import sqlite3
from datetime import datetime
from pathlib import Path

from ..errors import StoreError
from .model import IntensityPoint
from .series import from_epoch, to_epoch

SCHEMA = """
CREATE TABLE IF NOT EXISTS points (
  provider TEXT NOT NULL, zone TEXT NOT NULL, start_s REAL NOT NULL, end_s REAL NOT NULL,
  g_per_kwh REAL NOT NULL, kind TEXT NOT NULL, source TEXT NOT NULL, method TEXT NOT NULL,
  details TEXT NOT NULL, PRIMARY KEY (provider, zone, start_s));
CREATE TABLE IF NOT EXISTS ranges (
  provider TEXT NOT NULL, zone TEXT NOT NULL, start_s REAL NOT NULL, end_s REAL NOT NULL,
  fetched_at REAL NOT NULL);
"""


class IntensityCache:
    """A small SQLite cache keyed by (provider, zone) and time [epoch s]."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._db = sqlite3.connect(str(self.path), timeout=5.0)
            self._db.executescript(SCHEMA)
        except (OSError, sqlite3.Error) as exc:
            raise StoreError(f"cannot open the intensity cache {self.path}: {exc}; "
                             "check the permissions of CARBONTRAIL_HOME") from None

    @classmethod
    def in_home(cls, data_home: Path) -> IntensityCache:
        return cls(Path(data_home) / "cache" / "intensity.sqlite")

    def close(self) -> None:
        self._db.close()

    def covered(self, provider: str, zone: str, start: datetime, end: datetime) -> bool:
        """True when fetched ranges cover ``[start, end)`` without a hole."""
        a, b = to_epoch(start), to_epoch(end)
        rows = self._db.execute(
            "SELECT start_s, end_s FROM ranges WHERE provider=? AND zone=? AND end_s>? AND start_s<? "
            "ORDER BY start_s", (provider, zone, a, b)).fetchall()
        pos = a
        for s, e in rows:
            if s > pos:
                return False
            pos = max(pos, e)
            if pos >= b:
                return True
        return pos >= b

    def get(self, provider: str, zone: str, start: datetime, end: datetime) -> list[IntensityPoint]:
        a, b = to_epoch(start), to_epoch(end)
        rows = self._db.execute(
            "SELECT start_s, end_s, g_per_kwh, kind, source, method, details FROM points "
            "WHERE provider=? AND zone=? AND end_s>? AND start_s<? ORDER BY start_s", (provider, zone, a, b))
        return [IntensityPoint(from_epoch(s), from_epoch(e), v, k, src, None, m, json.loads(d))
                for s, e, v, k, src, m, d in rows]

    def put(self, provider: str, zone: str, start: datetime, end: datetime,
            points: list[IntensityPoint], fetched_at: float) -> None:
        """Store ``points`` and mark ``[start, end)`` as fetched."""
        a, b = to_epoch(start), to_epoch(end)
        if b <= a:
            return
        with self._db:
            self._db.executemany(
                "INSERT OR REPLACE INTO points VALUES (?,?,?,?,?,?,?,?,?)",
                [(provider, zone, to_epoch(p.start), to_epoch(p.end), p.g_per_kwh, p.kind, p.source, p.method,
                  json.dumps(p.details)) for p in points if to_epoch(p.start) < b and to_epoch(p.end) > a])
            self._db.execute("INSERT INTO ranges VALUES (?,?,?,?,?)", (provider, zone, a, b, fetched_at))
