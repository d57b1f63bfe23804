"""`carbontrail run` against real child processes and real signals."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

CT = [sys.executable, "-m", "carbontrail"]


def ct(*args, input=None, timeout=60, env=None, cwd=None):
    return subprocess.run([*CT, *args], capture_output=True, text=True, input=input, timeout=timeout,
                          env=env, cwd=cwd)


def py(code: str) -> list[str]:
    return [sys.executable, "-c", textwrap.dedent(code)]


def runs_json(*args):
    out = ct("runs", "list", "--json", *args)
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout)["runs"]


def test_exit_code_stdout_and_summary(tmp_path):
    res = ct("run", "--location", "FR", "--", *py("print('hello from the job'); import sys; sys.exit(3)"))
    assert res.returncode == 3
    assert res.stdout == "hello from the job\n"           # stdout untouched
    assert "carbontrail: run" in res.stderr and "failed" in res.stderr
    assert "emissions" in res.stderr and "FR" in res.stderr
    rows = runs_json()
    assert rows[0]["status"] == "failed"
    rec = json.loads(ct("runs", "show", "last", "--json").stdout)
    assert rec["exit_code"] == 3 and rec["location"]["code"] == "FR"
    assert rec["command"][0] == sys.executable


def test_stdin_is_passed_through():
    res = ct("run", "-q", "--location", "DE", "--", *py("import sys; print(sys.stdin.read().upper(), end='')"),
             input="abc\ndef\n")
    assert res.returncode == 0, res.stderr
    assert res.stdout == "ABC\nDEF\n"
    assert res.stderr == ""                                # --quiet


def test_command_not_found_exits_127():
    res = ct("run", "--location", "FR", "--", "no-such-command-xyz")
    assert res.returncode == 127
    assert "command not found: no-such-command-xyz" in res.stderr


def test_unknown_location_stops_before_the_job(tmp_path):
    marker = tmp_path / "ran"
    res = ct("run", "--location", "Frnace", "--", *py(f"open({str(marker)!r}, 'w').write('x')"))
    assert res.returncode == 2
    assert "unknown location 'Frnace'" in res.stderr and "FR" in res.stderr
    assert len(res.stderr.strip().splitlines()) == 1
    assert not marker.exists()


def _wait_for(path: Path, timeout: float = 20.0) -> None:
    t_end = time.monotonic() + timeout
    while not path.exists():
        if time.monotonic() > t_end:
            raise AssertionError(f"{path} never appeared")
        time.sleep(0.02)


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_signals_are_forwarded_to_the_child(tmp_path, sig):
    ready, got = tmp_path / "ready", tmp_path / "got"
    child = py(f"""
        import signal, sys, time
        def handler(signum, frame):
            open({str(got)!r}, 'w').write(str(signum))
            sys.exit(7)
        signal.signal(signal.SIGTERM, handler)
        signal.signal(signal.SIGINT, handler)
        open({str(ready)!r}, 'w').write('1')
        time.sleep(60)
    """)
    proc = subprocess.Popen([*CT, "run", "--location", "FR", "--", *child],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    _wait_for(ready)
    time.sleep(0.2)
    proc.send_signal(sig)
    out, err = proc.communicate(timeout=30)
    assert proc.returncode == 7, err
    assert got.read_text() == str(int(sig))
    assert "interrupted" in err
    assert runs_json()[0]["status"] == "interrupted"


@pytest.mark.parametrize("scope", ["machine", "process"])
def test_signal_while_the_tracker_starts_never_orphans_the_job(tmp_path, monkeypatch, scope):
    # machine scope takes the first reading before the job starts: a Ctrl-C then aborts before
    # anything runs. process scope starts the job first (its sensors follow the job's pid): the
    # signal must reach the job instead of leaving it running, orphaned.
    from carbontrail.cli import main
    from carbontrail.tracker import Tracker

    started = Tracker.start

    def slow_start(self):
        os.kill(os.getpid(), signal.SIGINT)
        return started(self)

    import carbontrail.commands.run as run_mod

    children = []
    spawn = run_mod.start_child
    monkeypatch.setattr(run_mod, "start_child", lambda cmd: children.append(spawn(cmd)) or children[-1])
    monkeypatch.setattr(Tracker, "start", slow_start)
    monkeypatch.setenv("CARBONTRAIL_HOME", str(tmp_path))
    try:
        if scope == "machine":
            with pytest.raises(SystemExit) as exc:
                main(["run", "-q", "--location", "FR", "--scope", scope, "--", "sleep", "30"])
            assert exc.value.code == 130
            assert children == []                            # nothing was started
        else:
            with pytest.raises(SystemExit) as exc:
                main(["run", "-q", "--location", "FR", "--scope", scope, "--", "sleep", "30"])
            assert exc.value.code == 128 + signal.SIGINT
            assert children[0].poll() == -signal.SIGINT      # the job got the signal and is gone
    finally:
        if children and children[0].poll() is None:
            children[0].kill()
            children[0].wait()


def test_short_job_is_measured_from_before_its_start(tmp_path):
    res = ct("run", "-q", "--location", "FR", "--json", str(tmp_path / "r.json"), "--", "true")
    assert res.returncode == 0, res.stderr
    rec = json.loads((tmp_path / "r.json").read_text())
    assert rec["duration_s"] > 0 and rec["energy_j"] > 0   # first reading before `true` started


def test_child_killed_by_signal_gives_128_plus_n():
    res = ct("run", "-q", "--location", "FR", "--", *py("import os, signal; os.kill(os.getpid(), signal.SIGKILL)"))
    assert res.returncode == 128 + 9


def test_sigkill_of_the_tracker_leaves_an_incomplete_run_with_its_measurements(tmp_path):
    ready = tmp_path / "ready"
    env = dict(os.environ, CARBONTRAIL_INTERVAL="0.05", CARBONTRAIL_FLUSH_INTERVAL="0.2")
    child = py(f"""
        import os, time
        open({str(ready)!r}, 'w').write(str(os.getpid()))
        t = time.monotonic()
        while time.monotonic() - t < 30:
            sum(range(10000))
    """)
    proc = subprocess.Popen([*CT, "run", "--location", "FR", "--", *child], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        _wait_for(ready)
        time.sleep(1.5)
        proc.kill()
        proc.wait(10)
    finally:
        # the job runs in its own process group and survives the tracker: end it
        if ready.exists() and ready.read_text().strip().isdigit():
            try:
                os.kill(int(ready.read_text()), signal.SIGKILL)
            except ProcessLookupError:
                pass
    rows = runs_json()
    assert rows[0]["status"] == "incomplete"
    assert rows[0]["energy_j"] > 0                         # measured up to the last flush is kept
    rec = json.loads(ct("runs", "show", "last", "--json").stdout)
    assert rec["timeline"], "timeline rows flushed before the kill are kept"


def test_json_and_csv_outputs(tmp_path):
    res = ct("run", "-q", "--location", "gcp:europe-west1", "--project", "p1", "--experiment", "e1",
             "--json", str(tmp_path / "r.json"), "--csv", str(tmp_path / "e.csv"), "--", *py("pass"))
    assert res.returncode == 0, res.stderr
    rec = json.loads((tmp_path / "r.json").read_text())
    assert rec["project"] == "p1" and rec["experiment"] == "e1"
    assert rec["location"]["provider"] == "gcp"
    for comp, c in rec["components"].items():
        assert c["method"] in {"counter", "integrated", "modelled", "defaulted", "unavailable"}
    header, row = (tmp_path / "e.csv").read_text().splitlines()
    assert len(header.split(",")) == 38
    assert "p1" in row and "gcp" in row


def test_init_then_run_uses_the_project_file(tmp_path):
    res = ct("init", "--project", "bert", "--location", "FR", "--csv", "", cwd=tmp_path)
    assert res.returncode == 0, res.stderr
    text = (tmp_path / "carbontrail.toml").read_text()
    assert 'project = "bert"' in text and 'location = "FR"' in text
    assert ct("init", cwd=tmp_path).returncode == 2       # refuses to overwrite
    res = ct("run", "-q", "--", *py("pass"), cwd=tmp_path)
    assert res.returncode == 0, res.stderr
    rec = json.loads(ct("runs", "show", "last", "--json").stdout)
    assert rec["project"] == "bert" and rec["location"]["code"] == "FR"
    assert rec["location"]["how"].startswith("config")


def test_unknown_run_id_lists_latest():
    ct("run", "-q", "--location", "FR", "--", *py("pass"))
    res = ct("runs", "show", "nosuchid")
    assert res.returncode == 2
    assert "no run 'nosuchid'" in res.stderr and "latest runs" in res.stderr


def test_several_processes_track_into_one_store():
    procs = [subprocess.Popen([*CT, "run", "-q", "--location", "FR", "--", *py("pass")])
             for _ in range(4)]
    assert [p.wait(60) for p in procs] == [0] * 4
    assert len(runs_json()) == 4
    db = Path(os.environ["CARBONTRAIL_HOME"]) / "carbontrail.db"
    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT COUNT(DISTINCT id) FROM runs").fetchone()[0] == 4


def test_unwritable_store_keeps_the_job_and_the_record(tmp_path):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the data folder should be")
    env = dict(os.environ, CARBONTRAIL_HOME=str(blocker / "home"), TMPDIR=str(tmp_path / "tmp"))
    (tmp_path / "tmp").mkdir()
    res = subprocess.run([*CT, "run", "--location", "FR", "--", *py("print('job ran')")],
                         capture_output=True, text=True, env=env, timeout=60)
    assert res.returncode == 0
    assert res.stdout == "job ran\n"
    assert "run store unavailable" in res.stderr
    fallback = list((tmp_path / "tmp" / "carbontrail-fallback").glob("run-*.json"))
    assert len(fallback) == 1 and str(fallback[0]) in res.stderr
    rec = json.loads(fallback[0].read_text())
    assert rec["status"] == "completed" and rec["location"]["code"] == "FR"
    # and it can be brought back into a working store later
    res = ct("runs", "import", str(fallback[0]))
    assert res.returncode == 0, res.stderr
    assert runs_json()[0]["id"] == rec["id"]
