"""The local run store: one SQLite file with migrations.

Schema (see ``MIGRATIONS``): projects, experiments, runs (summary columns plus
the full record as JSON), phases, and the power/energy timeline (downsampled
by the tracker for long runs).

Several processes may track into one store at once: the database runs in WAL
mode, every write is one short ``BEGIN IMMEDIATE`` transaction, and a busy
database is waited for (``busy_timeout``) and retried. Each call opens its own
connection, so a store object is safe to share between threads and forks.

A run whose tracker was killed stays ``running`` in the table; :meth:`get`
and :meth:`list` report it as ``incomplete`` once its heartbeat is older
than ``stale_after_s`` and its process is gone.
"""

from __future__ import annotations

import json
import os
import socket
import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from ..errors import RunNotFoundError, StoreError
from ..record import PhaseRecord, RunRecord, parse_time

DB_NAME = "carbontrail.db"

MIGRATIONS: list[str] = [
    # 1: initial schema
    """
    CREATE TABLE projects (
        id INTEGER PRIMARY KEY,
        name TEXT NOT NULL UNIQUE,
        created_at TEXT NOT NULL
    );
    CREATE TABLE experiments (
        id INTEGER PRIMARY KEY,
        project_id INTEGER NOT NULL REFERENCES projects(id),
        name TEXT NOT NULL,
        created_at TEXT NOT NULL,
        UNIQUE (project_id, name)
    );
    CREATE TABLE runs (
        id TEXT PRIMARY KEY,
        project_id INTEGER NOT NULL REFERENCES projects(id),
        experiment_id INTEGER REFERENCES experiments(id),
        status TEXT NOT NULL,
        started_at TEXT NOT NULL,
        ended_at TEXT,
        heartbeat_at TEXT,
        duration_s REAL,
        energy_j REAL,
        emissions_g REAL,
        location TEXT,
        hostname TEXT,
        pid INTEGER,
        source TEXT NOT NULL DEFAULT 'carbontrail',
        record_json TEXT NOT NULL
    );
    CREATE INDEX runs_started ON runs(started_at);
    CREATE INDEX runs_project ON runs(project_id, started_at);
    CREATE TABLE phases (
        run_id TEXT NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
        seq INTEGER NOT NULL,
        path TEXT NOT NULL,
        name TEXT NOT NULL,
        parent TEXT,
        started_at TEXT,
        ended_at TEXT,
        duration_s REAL,
        energy_j REAL,
        emissions_g REAL,
        energy_json TEXT,
        PRIMARY KEY (run_id, seq)
    );
    CREATE TABLE timeline (
        run_id TEXT NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
        seq INTEGER NOT NULL,
        t_s REAL NOT NULL,
        at TEXT NOT NULL,
        dt_s REAL NOT NULL,
        energy_json TEXT NOT NULL,
        intensity_g_per_kwh REAL,
        intensity_method TEXT,
        emissions_g REAL,
        PRIMARY KEY (run_id, seq)
    );
    """,
]


def _now_iso() -> str:
    return datetime.now(timezone.utc).isoformat()


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


class Store:
    """Runs in a SQLite file. ``Store.default(settings)`` opens ``$CARBONTRAIL_HOME/carbontrail.db``."""

    def __init__(self, path: str | os.PathLike[str], stale_after_s: float = 60.0,
                 busy_timeout_s: float = 10.0) -> None:
        self.path = Path(path)
        self.stale_after_s = stale_after_s
        self.busy_timeout_s = busy_timeout_s
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise StoreError(f"cannot create {self.path.parent}: {exc.strerror}; "
                             "set CARBONTRAIL_HOME to a writable folder") from None
        self._migrate()

    @classmethod
    def default(cls, settings: Any) -> Store:
        return cls(Path(settings.data_home) / DB_NAME)

    # -- connections ------------------------------------------------------------
    @contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        """A connection for one operation, closed after it.

        Never kept open between operations: a connection inherited across
        fork (a tracked job's DataLoader workers, say) or left open while a
        file with the same inode is created confuses SQLite's POSIX locks and
        loses writes.
        """
        try:
            conn = sqlite3.connect(self.path, timeout=self.busy_timeout_s, isolation_level=None)
            conn.execute("PRAGMA foreign_keys = ON")
            conn.execute("PRAGMA synchronous = NORMAL")  # WAL: durable at checkpoints, no fsync per commit
            conn.execute(f"PRAGMA busy_timeout = {int(self.busy_timeout_s * 1000)}")
        except sqlite3.DatabaseError as exc:
            if "not a database" in str(exc):
                raise StoreError(f"{self.path} is not a carbontrail store ({exc}); "
                                 "move it away or set CARBONTRAIL_HOME elsewhere") from None
            raise StoreError(f"cannot open {self.path}: {exc}") from None
        try:
            yield conn
        finally:
            conn.close()

    @contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        """One short write transaction. Waiting for a busy database happens in BEGIN."""
        with self._connect() as conn:
            deadline = time.monotonic() + self.busy_timeout_s
            while True:
                try:
                    conn.execute("BEGIN IMMEDIATE")
                    break
                except sqlite3.OperationalError as exc:
                    msg = str(exc).lower()
                    if ("locked" in msg or "busy" in msg) and time.monotonic() < deadline:
                        time.sleep(0.05)
                        continue
                    raise StoreError(f"cannot write {self.path}: {exc}; is the disk full or read-only?") from None
            try:
                yield conn
            except sqlite3.Error as exc:
                conn.execute("ROLLBACK")
                raise StoreError(f"cannot write {self.path}: {exc}") from None
            except BaseException:
                conn.execute("ROLLBACK")
                raise
            try:
                conn.execute("COMMIT")
            except sqlite3.Error as exc:
                try:
                    conn.execute("ROLLBACK")
                except sqlite3.Error:
                    pass
                raise StoreError(f"cannot write {self.path}: {exc}") from None

    def _migrate(self) -> None:
        try:
            with self._connect() as conn:
                conn.execute("PRAGMA journal_mode = WAL")
                version = conn.execute("PRAGMA user_version").fetchone()[0]
        except sqlite3.DatabaseError as exc:
            raise StoreError(f"{self.path} is not a carbontrail store ({exc}); "
                             "move it away or set CARBONTRAIL_HOME elsewhere") from None
        if version >= len(MIGRATIONS):
            return
        with self._write() as conn:
            version = conn.execute("PRAGMA user_version").fetchone()[0]
            for i in range(version, len(MIGRATIONS)):
                for statement in MIGRATIONS[i].split(";"):
                    if statement.strip():
                        conn.execute(statement)
                conn.execute(f"PRAGMA user_version = {i + 1}")

    @property
    def schema_version(self) -> int:
        with self._connect() as conn:
            return int(conn.execute("PRAGMA user_version").fetchone()[0])

    # -- writes -------------------------------------------------------------------
    @staticmethod
    def _project_id(conn: sqlite3.Connection, name: str) -> int:
        conn.execute("INSERT OR IGNORE INTO projects(name, created_at) VALUES (?, ?)", (name, _now_iso()))
        return int(conn.execute("SELECT id FROM projects WHERE name = ?", (name,)).fetchone()[0])

    @staticmethod
    def _experiment_id(conn: sqlite3.Connection, project_id: int, name: str | None) -> int | None:
        if name is None:
            return None
        conn.execute("INSERT OR IGNORE INTO experiments(project_id, name, created_at) VALUES (?, ?, ?)",
                     (project_id, name, _now_iso()))
        row = conn.execute("SELECT id FROM experiments WHERE project_id = ? AND name = ?",
                           (project_id, name)).fetchone()
        return int(row[0])

    def save(self, record: RunRecord, source: str = "carbontrail", timeline_from: int = 0) -> None:
        """Insert or replace a run with its phases and timeline.

        ``timeline_from`` > 0 says the first rows are already stored unchanged
        (a running tracker's periodic flush): only later rows are written.
        """
        data = record.to_dict()
        timeline = data.pop("timeline")
        phases = data["phases"]
        with self._write() as conn:
            pid = self._project_id(conn, record.project)
            eid = self._experiment_id(conn, pid, record.experiment)
            conn.execute(
                """INSERT INTO runs(id, project_id, experiment_id, status, started_at, ended_at,
                       heartbeat_at, duration_s, energy_j, emissions_g, location, hostname, pid,
                       source, record_json)
                   VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)
                   ON CONFLICT(id) DO UPDATE SET
                       project_id=excluded.project_id, experiment_id=excluded.experiment_id,
                       status=excluded.status, ended_at=excluded.ended_at,
                       heartbeat_at=excluded.heartbeat_at, duration_s=excluded.duration_s,
                       energy_j=excluded.energy_j, emissions_g=excluded.emissions_g,
                       location=excluded.location, record_json=excluded.record_json""",
                (record.id, pid, eid, record.status, data["started_at"], data["ended_at"],
                 data["heartbeat_at"], record.duration_s, record.energy_j, record.emissions_g,
                 record.location.get("code"), record.hostname, record.pid, source,
                 json.dumps(data, default=str)),
            )
            conn.execute("DELETE FROM phases WHERE run_id = ?", (record.id,))
            conn.executemany(
                """INSERT INTO phases(run_id, seq, path, name, parent, started_at, ended_at,
                       duration_s, energy_j, emissions_g, energy_json) VALUES (?,?,?,?,?,?,?,?,?,?,?)""",
                [(record.id, i, p["path"], p["name"], p["parent"], p["started_at"], p["ended_at"],
                  p["duration_s"], p["energy_total_j"], p["emissions_g"], json.dumps(p["energy_j"]))
                 for i, p in enumerate(phases)],
            )
            conn.execute("DELETE FROM timeline WHERE run_id = ? AND seq >= ?", (record.id, timeline_from))
            conn.executemany(
                """INSERT INTO timeline(run_id, seq, t_s, at, dt_s, energy_json, intensity_g_per_kwh,
                       intensity_method, emissions_g) VALUES (?,?,?,?,?,?,?,?,?)""",
                [(record.id, i, r["t_s"], r["at"], r["dt_s"], json.dumps(r["energy_j"]),
                  r.get("intensity_g_per_kwh"), r.get("intensity_method"), r.get("emissions_g"))
                 for i, r in enumerate(timeline) if i >= timeline_from],
            )

    def delete(self, run_id: str) -> None:
        rid = self.resolve_id(run_id)
        with self._write() as conn:
            conn.execute("DELETE FROM runs WHERE id = ?", (rid,))

    # -- reads --------------------------------------------------------------------
    def _effective_status(self, status: str, heartbeat_at: str | None, hostname: str | None,
                          pid: int | None) -> str:
        if status != "running":
            return status
        hb = parse_time(heartbeat_at) if heartbeat_at else None
        stale = hb is None or datetime.now(timezone.utc) - hb > timedelta(seconds=self.stale_after_s)
        if hostname == socket.gethostname() and pid is not None:
            return "running" if _pid_alive(pid) else "incomplete"
        return "incomplete" if stale else "running"

    def latest_ids(self, n: int = 5) -> list[str]:
        with self._connect() as conn:
            rows = conn.execute("SELECT id FROM runs ORDER BY started_at DESC LIMIT ?", (n,)).fetchall()
        return [r[0][:8] for r in rows]

    def resolve_id(self, run_id: str) -> str:
        """Full id from an id, a unique prefix, or ``last``."""
        with self._connect() as conn:
            if run_id in {"last", "latest"}:
                row = conn.execute("SELECT id FROM runs ORDER BY started_at DESC LIMIT 1").fetchone()
                if row:
                    return row[0]
            else:
                rows = conn.execute("SELECT id FROM runs WHERE id LIKE ? LIMIT 2",
                                    (run_id.replace("%", "").replace("_", "") + "%",)).fetchall() \
                    if len(run_id) >= 4 else conn.execute("SELECT id FROM runs WHERE id = ?", (run_id,)).fetchall()
                if len(rows) == 1:
                    return rows[0][0]
                if len(rows) > 1:
                    raise StoreError(f"run id prefix {run_id!r} is ambiguous; give more characters")
        raise RunNotFoundError(run_id, self.latest_ids())

    def get(self, run_id: str) -> RunRecord:
        """The full record (with phases and timeline) of a run; ``last`` for the newest."""
        rid = self.resolve_id(run_id)
        with self._connect() as conn:
            row = conn.execute("SELECT record_json, status, heartbeat_at, hostname, pid FROM runs WHERE id = ?",
                               (rid,)).fetchone()
            tl = conn.execute(
                "SELECT t_s, at, dt_s, energy_json, intensity_g_per_kwh, intensity_method, emissions_g "
                "FROM timeline WHERE run_id = ? ORDER BY seq", (rid,)).fetchall()
        data = json.loads(row[0])
        data["status"] = self._effective_status(row[1], row[2], row[3], row[4])
        energy_rows = []
        for t_s, at, dt_s, ej, inten, method, em in tl:
            energy = json.loads(ej)
            energy_rows.append({
                "t_s": t_s, "at": at, "dt_s": dt_s, "energy_j": energy,
                "power_w": {c: e / dt_s for c, e in energy.items()} if dt_s else {},
                "intensity_g_per_kwh": inten, "intensity_method": method, "emissions_g": em,
            })
        data["timeline"] = energy_rows
        return RunRecord.from_dict(data)

    def list(self, project: str | None = None, experiment: str | None = None,
             since: datetime | None = None, limit: int | None = None) -> list[dict[str, Any]]:
        """Summary rows, newest first."""
        sql = ("SELECT r.id, p.name, e.name, r.status, r.started_at, r.ended_at, r.duration_s, "
               "r.energy_j, r.emissions_g, r.location, r.heartbeat_at, r.hostname, r.pid, r.source "
               "FROM runs r JOIN projects p ON p.id = r.project_id "
               "LEFT JOIN experiments e ON e.id = r.experiment_id WHERE 1=1")
        args: list[Any] = []
        if project is not None:
            sql += " AND p.name = ?"
            args.append(project)
        if experiment is not None:
            sql += " AND e.name = ?"
            args.append(experiment)
        if since is not None:
            sql += " AND r.started_at >= ?"
            args.append(since.astimezone(timezone.utc).isoformat())
        sql += " ORDER BY r.started_at DESC"
        if limit is not None:
            sql += " LIMIT ?"
            args.append(int(limit))
        with self._connect() as conn:
            rows = conn.execute(sql, args).fetchall()
        out = []
        for (rid, proj, exp, status, started, ended, dur, energy, em, loc, hb, host, pid, source) in rows:
            out.append({
                "id": rid, "project": proj, "experiment": exp,
                "status": self._effective_status(status, hb, host, pid),
                "started_at": started, "ended_at": ended, "duration_s": dur,
                "energy_j": energy, "emissions_g": em, "location": loc, "source": source,
            })
        return out

    def phases(self, run_id: str) -> list[PhaseRecord]:
        return self.get(run_id).phases

    def count(self) -> int:
        with self._connect() as conn:
            return int(conn.execute("SELECT COUNT(*) FROM runs").fetchone()[0])
