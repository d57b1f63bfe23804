"""``carbontrail run -- CMD``: run a command as a child and track it.

The child gets our stdin, stdout and stderr untouched. It runs in its own
process group; when stdin is a terminal that group is made the terminal's
foreground group (as a shell does), so Ctrl-C reaches the job directly and
its reads from the terminal work. SIGINT, SIGTERM and SIGHUP sent to
carbontrail are forwarded to the child's group. carbontrail exits with the
child's exit code (128 + N when the child died of signal N; 127 when the
command does not exist; 126 when it cannot be executed).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import warnings
from contextlib import contextmanager
from typing import Any, Iterator

import click

from ..errors import ConfigError
from ._common import echo_json, warn

_FORWARDED = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)


@contextmanager
def _foreground(pgid: int) -> Iterator[None]:
    """Make ``pgid`` the terminal's foreground group while the child runs."""
    fd = None
    try:
        if sys.stdin is not None and sys.stdin.isatty():
            fd = sys.stdin.fileno()
            if os.tcgetpgrp(fd) != os.getpgrp():
                fd = None  # we are not in the foreground ourselves: leave the terminal alone
    except (OSError, ValueError):
        fd = None
    if fd is None:
        yield
        return
    old = signal.signal(signal.SIGTTOU, signal.SIG_IGN)
    try:
        os.tcsetpgrp(fd, pgid)
        try:
            os.killpg(pgid, signal.SIGCONT)  # in case it read the terminal before it was foreground
        except ProcessLookupError:
            pass
        yield
    finally:
        try:
            os.tcsetpgrp(fd, os.getpgrp())
        except OSError:
            pass
        signal.signal(signal.SIGTTOU, old)


def start_child(command: list[str]) -> subprocess.Popen[bytes]:
    """Start ``command`` in its own process group; raise click exits for 126/127."""
    try:
        return subprocess.Popen(command, process_group=0)
    except FileNotFoundError:
        click.echo(f"carbontrail: error: command not found: {command[0]}", err=True)
        sys.exit(127)
    except PermissionError:
        click.echo(f"carbontrail: error: cannot execute {command[0]}: permission denied", err=True)
        sys.exit(126)
    except OSError as exc:
        click.echo(f"carbontrail: error: cannot start {command[0]}: {exc.strerror}", err=True)
        sys.exit(126)


def exit_code_of(returncode: int) -> int:
    """Shell convention: a child killed by signal N gives 128 + N."""
    return 128 - returncode if returncode < 0 else returncode


class SignalForwarder:
    """Forward SIGINT/SIGTERM/SIGHUP received by carbontrail to the child's group."""

    def __init__(self, pgid: int) -> None:
        self.pgid = pgid
        self.received: list[int] = []
        self._old: dict[int, Any] = {}

    def _handler(self, signum: int, frame: Any) -> None:
        self.received.append(signum)
        try:
            os.killpg(self.pgid, signum)
        except ProcessLookupError:
            pass

    def __enter__(self) -> SignalForwarder:
        for sig in _FORWARDED:
            self._old[sig] = signal.signal(sig, self._handler)
        return self

    def __exit__(self, *exc: Any) -> None:
        for sig, old in self._old.items():
            signal.signal(sig, old)


@click.command("run", context_settings={"ignore_unknown_options": False, "allow_interspersed_args": False})
@click.option("--project", "-p", help="Project name (default: carbontrail.toml, CARBONTRAIL_PROJECT or 'default').")
@click.option("--experiment", "-e", help="Experiment name or id.")
@click.option("--location", "-l", help="Where the job runs: FR, US-CAL-CISO, gcp:europe-west6, ...")
@click.option("--interval", "interval_s", type=float, help="Sampling interval [s] (default 1).")
@click.option("--pue", type=float, help="Power usage effectiveness of the facility (>= 1.0).")
@click.option("--intensity", "intensity_g", type=float, help="Override the grid intensity [gCO2e/kWh].")
@click.option("--scope", type=click.Choice(["machine", "process"]),
              help="process: also attribute CPU energy to the job by its CPU time.")
@click.option("--units", type=float, help="Functional units produced (for SCI per unit).")
@click.option("--unit-name", help="Name of the functional unit, e.g. '1k inferences'.")
@click.option("--csv", "csv_path", type=click.Path(dir_okay=False), help="Append a CodeCarbon-compatible row here.")
@click.option("--json", "json_path", type=click.Path(dir_okay=False), help="Write the run record as JSON here.")
@click.option("--quiet", "-q", is_flag=True, help="Print no summary.")
@click.argument("command", nargs=-1, required=True, type=click.UNPROCESSED)
def run_cmd(project: str | None, experiment: str | None, location: str | None, interval_s: float | None,
            pue: float | None, intensity_g: float | None, scope: str | None, units: float | None,
            unit_name: str | None, csv_path: str | None, json_path: str | None, quiet: bool,
            command: tuple[str, ...]) -> None:
    """Run COMMAND as a child process and track its energy and emissions.

    Example: carbontrail run --location FR -- python train.py --epochs 3
    """
    from ..config import load_settings
    from ..tracker import CarbontrailWarning, Tracker

    cmd = list(command)
    if cmd and cmd[0] == "--":
        cmd = cmd[1:]
    if not cmd:
        raise ConfigError("no command given; write it after --, e.g. carbontrail run -- python train.py")
    if intensity_g is not None and intensity_g < 0:
        raise ConfigError("--intensity must be >= 0 gCO2e/kWh")
    settings = load_settings(overrides={
        "project": project, "experiment": experiment, "location": location,
        "interval_s": interval_s, "pue": pue, "scope": scope,
    })
    csv_target = csv_path or (str(settings.csv) if settings.csv else None)
    tracker = Tracker(settings=settings, intensity=intensity_g, command=cmd, csv=csv_target,
                      json_path=json_path, units=units, unit_name=unit_name)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", CarbontrailWarning)  # the summary shows them
        tracker.prepare()  # bad input (unknown location ...) stops here, before the job starts
        child = start_child(cmd)
        tracker.set_job_pid(child.pid)
        tracker.start()
        with SignalForwarder(child.pid) as fwd, _foreground(child.pid):
            while True:
                try:
                    returncode = child.wait()
                    break
                except KeyboardInterrupt:  # pragma: no cover - handler replaces SIGINT
                    continue
        status = "completed" if returncode == 0 else "failed"
        if fwd.received:
            status = "interrupted"
        footprint = tracker.stop(status=status, exit_code=exit_code_of(returncode))
    rec = tracker.record
    assert rec is not None
    if not quiet:
        from ..summary import summary_lines

        where = tracker.stored_at or tracker.outputs.get("fallback")
        for line in summary_lines(rec, where=where):
            click.echo(line, err=True)
        for key in ("csv", "json"):
            if key in tracker.outputs:
                click.echo(f"  {key:<10} {tracker.outputs[key]}", err=True)
    elif rec.warnings and tracker.outputs.get("fallback"):
        warn(f"run record written to {tracker.outputs['fallback']}")
    del footprint
    sys.exit(exit_code_of(returncode))


__all__ = ["run_cmd", "echo_json"]
