from __future__ import annotations

import csv
import multiprocessing as mp
import os
import sqlite3
from datetime import datetime, timedelta, timezone

import pytest

from carbontrail.errors import RunNotFoundError, StoreError
from carbontrail.record import PhaseRecord, RunRecord
from carbontrail.store.codecarbon_csv import COLUMNS, append_row, read_rows
from carbontrail.store.jsonio import read_record, write_record
from carbontrail.store.sqlite import MIGRATIONS, Store

T = datetime(2026, 3, 1, 8, 0, tzinfo=timezone.utc)


def record(i=0, **kw) -> RunRecord:
    base = dict(
        id=f"{i:032x}", project="proj", experiment="exp", started_at=T + timedelta(minutes=i),
        status="completed", ended_at=T + timedelta(minutes=i, seconds=30), duration_s=30.0,
        location={"code": "FR", "name": "France", "country": "FR", "how": "argument"},
        pue={"value": 1.2, "source": "given"},
        components={"cpu": {"energy_j": 3600.0, "method": "counter", "devices": ["rapl:package-0"]},
                    "gpu": {"energy_j": None, "method": "unavailable", "devices": ["nvml:0"]}},
        energy_j=3600.0, emissions_g=0.06, hostname="elsewhere", pid=1,
        phases=[PhaseRecord("epoch-1", "epoch-1", None, T, T + timedelta(seconds=10), 10.0, {"cpu": 1200.0}, 0.02)],
        timeline=[{"t_s": 30.0, "at": (T + timedelta(seconds=30)).isoformat(), "dt_s": 30.0,
                   "energy_j": {"cpu": 3600.0}, "power_w": {"cpu": 120.0}, "intensity_g_per_kwh": 50.0,
                   "intensity_method": "table", "emissions_g": 0.06}],
        settings={"scope": "machine"},
    )
    base.update(kw)
    return RunRecord(**base)


def test_round_trip_with_phases_and_timeline(tmp_path):
    store = Store(tmp_path / "s.db")
    store.save(record(1))
    got = store.get(f"{1:032x}"[:8])
    assert got.energy_j == 3600.0
    assert got.phases[0].energy_j == {"cpu": 1200.0}
    assert got.timeline[0]["power_w"] == {"cpu": 120.0}
    assert got.components["gpu"]["energy_j"] is None
    assert store.schema_version == len(MIGRATIONS)


def test_list_filters_and_last(tmp_path):
    store = Store(tmp_path / "s.db")
    for i in range(5):
        store.save(record(i, project="a" if i % 2 else "b"))
    assert [r["id"][-1] for r in store.list(project="a")] == ["3", "1"]
    assert store.get("last").id.endswith("4")
    assert len(store.list(since=T + timedelta(minutes=3))) == 2
    assert len(store.list(limit=2)) == 2


def test_unknown_id_lists_latest(tmp_path):
    store = Store(tmp_path / "s.db")
    store.save(record(7))
    with pytest.raises(RunNotFoundError, match="latest runs: 00000000"):
        store.get("deadbeef")


def test_not_a_database_is_a_clear_error(tmp_path):
    p = tmp_path / "junk.db"
    p.write_bytes(b"this is not sqlite at all" * 100)
    with pytest.raises(StoreError, match="not a carbontrail store"):
        Store(p)


def test_stale_running_run_on_this_host_with_dead_pid_is_incomplete(tmp_path):
    import socket

    store = Store(tmp_path / "s.db")
    dead = mp.Process(target=int)
    dead.start()
    dead.join()
    store.save(record(1, status="running", hostname=socket.gethostname(), pid=dead.pid,
                      heartbeat_at=datetime.now(timezone.utc)))
    store.save(record(2, status="running", hostname=socket.gethostname(), pid=os.getpid(),
                      heartbeat_at=datetime.now(timezone.utc)))
    store.save(record(3, status="running", hostname="other-host",
                      heartbeat_at=datetime.now(timezone.utc) - timedelta(hours=1)))
    statuses = {r["id"][-1]: r["status"] for r in store.list()}
    assert statuses == {"1": "incomplete", "2": "running", "3": "incomplete"}


def _writer(path: str, start: int, n: int) -> None:
    store = Store(path, busy_timeout_s=30)
    for i in range(start, start + n):
        store.save(record(i))


def test_several_processes_write_one_store_and_lose_nothing(tmp_path):
    path = str(tmp_path / "shared.db")
    Store(path)
    ctx = mp.get_context("fork")
    procs = [ctx.Process(target=_writer, args=(path, k * 100, 25)) for k in range(4)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(60)
        assert p.exitcode == 0
    store = Store(path)
    assert store.count() == 100
    with sqlite3.connect(path) as conn:
        assert conn.execute("SELECT COUNT(*) FROM phases").fetchone()[0] == 100


def test_json_round_trip(tmp_path):
    rec = record(3)
    write_record(rec, tmp_path / "r.json")
    back = read_record(tmp_path / "r.json")
    assert back.to_dict() == rec.to_dict()


def test_codecarbon_csv_has_38_columns_units_and_empty_unreadable(tmp_path):
    path = tmp_path / "emissions.csv"
    append_row(record(1), path)
    append_row(record(2), path)
    rows = read_rows(path)
    assert len(COLUMNS) == 38
    with open(path) as fh:
        assert next(csv.reader(fh)) == list(COLUMNS)
    r = rows[0]
    assert float(r["energy_consumed"]) == pytest.approx(0.001)  # 3600 J = 0.001 kWh
    assert float(r["emissions"]) == pytest.approx(0.06e-3)      # kg
    assert float(r["cpu_power"]) == pytest.approx(120.0)        # W averaged over 30 s
    assert r["gpu_energy"] == "" and r["gpu_power"] == ""       # unreadable: empty, never 0
    assert r["pue"] == "1.2" and r["on_cloud"] == "N"
    assert len(rows) == 2


def test_csv_with_another_header_is_never_shifted(tmp_path):
    path = tmp_path / "emissions.csv"
    path.write_text("timestamp,project_name,run_id,duration,emissions\n2024-01-01,x,y,1,2\n")
    written, note = append_row(record(1), path)
    assert written != path and "different header" in note
    assert path.read_text().count("\n") == 2  # untouched
    assert read_rows(written)[0]["run_id"] == f"{1:032x}"
    again, note2 = append_row(record(2), path)
    assert again == written
