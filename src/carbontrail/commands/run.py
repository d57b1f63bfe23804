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
from datetime import datetime, timezone
from typing import Any, Iterator

import click

from ..errors import ConfigError, ScheduleError
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


def check_command(command: list[str]) -> None:
    """Exit 127 (not found) or 126 (not executable) the way a shell would, before anything starts."""
    import shutil

    name = command[0]
    if os.sep in name:
        if not os.path.exists(name):
            click.echo(f"carbontrail: error: command not found: {name}", err=True)
            sys.exit(127)
        if os.path.isdir(name) or not os.access(name, os.X_OK):
            click.echo(f"carbontrail: error: cannot execute {name}: permission denied", err=True)
            sys.exit(126)
    elif shutil.which(name) is None:
        click.echo(f"carbontrail: error: command not found: {name}", err=True)
        sys.exit(127)


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
            os.killpg(self.pgid, signal.SIGCONT)  # a paused job must be able to act on it
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
@click.option("--series", type=click.Path(exists=True, dir_okay=False),
              help="Intensity series file: each interval is charged at its own time's figure.")
@click.option("--within", help="Flexible Start: delay the start by up to this long (12h) to a cleaner time.")
@click.option("--pause-resume", "pause_resume",
              help="Pause in dirty hours; may take this much longer than --duration (100%).")
@click.option("--duration", help="Expected uninterrupted run time of the job (6h), for --within/--pause-resume.")
@click.option("--min-segment", help="Pause & Resume: shortest run segment (30m).")
@click.option("--max-pauses", type=int, help="Pause & Resume: at most this many pauses.")
@click.option("--checkpoint-signal", help="Signal that makes the job checkpoint and exit (USR1) instead of SIGSTOP.")
@click.option("--resume-cmd", help="Command that restarts the job from its checkpoint (with --checkpoint-signal).")
@click.option("--fill", is_flag=True, help="Fill gaps in the series linearly instead of refusing it.")
@click.argument("command", nargs=-1, required=True, type=click.UNPROCESSED)
def run_cmd(project: str | None, experiment: str | None, location: str | None, interval_s: float | None,
            pue: float | None, intensity_g: float | None, scope: str | None, units: float | None,
            unit_name: str | None, csv_path: str | None, json_path: str | None, quiet: bool,
            series: str | None, within: str | None, pause_resume: str | None, duration: str | None,
            min_segment: str | None, max_pauses: int | None, checkpoint_signal: str | None,
            resume_cmd: str | None, fill: bool, command: tuple[str, ...]) -> None:
    """Run COMMAND as a child process and track its energy and emissions.

    Example: carbontrail run --location FR -- python train.py --epochs 3

    Carbon-aware: --within 12h --duration 2h waits for the cleanest start;
    --pause-resume 100% --duration 6h pauses the job in dirty hours and always
    meets the deadline (release + 2 x duration).
    """
    from . import _scheduled as sched
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
    within_s, extra, duration_s = sched.check_options(within, pause_resume, duration, checkpoint_signal,
                                                     resume_cmd)
    settings = sched.settings_with_series(settings, series)
    csv_target = csv_path or (str(settings.csv) if settings.csv else None)
    tracker = Tracker(settings=settings, intensity=intensity_g, command=cmd, csv=csv_target,
                      json_path=json_path, units=units, unit_name=unit_name)
    schedule: dict[str, Any] | None = None
    timeline = None
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", CarbontrailWarning)  # the summary shows them
        tracker.prepare()  # bad input (unknown location ...) stops here, before the job starts
        if duration_s is not None:
            location = tracker.location
            horizon = duration_s + (within_s if within_s is not None else duration_s * (extra or 0.0))
            timeline, fixed, note = sched.planning_timeline(settings, location, None, fill, horizon)
        if within_s is not None:
            schedule = sched.wait_planned_start(timeline, fixed, note, duration_s, within_s, quiet)
        # In machine scope the first reading is taken BEFORE the job starts, so even a job
        # shorter than one interval is measured from its first instruction. In process
        # scope the sensors follow the job's pid, so the job must exist first.
        measure_first = settings.scope == "machine"
        if measure_first:
            check_command(cmd)  # 127/126 before a run is recorded
            tracker.start()
        try:
            child = start_child(cmd)
        except SystemExit as exc:  # vanished between the check and the start
            if measure_first:
                tracker.stop(status="failed", exit_code=int(exc.code or 1))
            raise
        except KeyboardInterrupt:  # Ctrl-C before the job existed: close the run, start nothing
            if measure_first:
                tracker.stop(status="interrupted")
            raise
        # forward signals from the moment the child exists: a Ctrl-C or SIGTERM while the
        # tracker starts (sensor detection) must reach the job, not orphan it
        with SignalForwarder(child.pid) as fwd, _foreground(child.pid):
            tracker.set_job_pid(child.pid)
            if not measure_first:
                tracker.start()
            if extra is not None:
                def replan(now: float) -> Any:
                    """Fresh intensity (the series file re-read, or a new provider forecast)."""
                    tl, _fixed, _note = sched.planning_timeline(settings, location, None, fill,
                                                                duration_s * (1.0 + extra))
                    if tl is None:
                        raise ScheduleError("the intensity series or forecast is no longer available")
                    return tl

                returncode, schedule = _pause_resume(child, fwd, tracker, timeline, fixed, note, duration_s,
                                                     extra, min_segment, max_pauses, checkpoint_signal,
                                                     resume_cmd, quiet, replan)
            else:
                returncode = child.wait()
        status = "completed" if returncode == 0 else "failed"
        if fwd.received:
            status = "interrupted"
        def finalize(record: Any) -> None:
            # runs after the last reading, before the record is saved: the realised
            # saving is measured on every interval
            if schedule is not None:
                record.schedule = schedule
                schedule["realised"] = sched.realised_saving(
                    record, timeline, schedule.get("release", 0.0),
                    "start" if schedule["mode"] == "flexible_start" else "work")

        footprint = tracker.stop(status=status, exit_code=exit_code_of(returncode), finalize=finalize)
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
    if not quiet and rec.schedule:
        real = (rec.schedule.get("realised") or {})
        if real.get("saving") is not None:
            click.echo(f"  schedule   {rec.schedule['mode']}: realised saving {real['saving'] * 100:.1f}% "
                       f"({real['emissions_g']:.3g} g against {real['baseline_emissions_g']:.3g} g "
                       "starting at release and running through; measured energy)", err=True)
        elif real.get("why"):
            click.echo(f"  schedule   {rec.schedule['mode']}: no realised saving ({real['why']})", err=True)
    del footprint
    sys.exit(exit_code_of(returncode))


def _pause_resume(child: subprocess.Popen[bytes], fwd: SignalForwarder, tracker: Any, timeline: Any,
                  fixed: Any, note: str, duration_s: float, extra: float, min_segment: str | None,
                  max_pauses: int | None, checkpoint_signal: str | None, resume_cmd: str | None,
                  quiet: bool, replan: Any = None) -> tuple[int, dict[str, Any]]:
    """Drive the child with the Pause & Resume controller; returns (returncode, schedule record)."""
    import shlex
    import time

    from ..schedule.runner import PauseResumeController
    from . import _scheduled as sched
    from ._common import parse_duration_option

    release = time.time()
    if timeline is None:
        if not quiet:
            click.echo(f"carbontrail: only a flat annual figure is known ({note}): nothing to gain by "
                       "pausing; running straight through.", err=True)
        return child.wait(), {"mode": "pause_resume", "release": release, "note": note,
                              "intensity": fixed.describe() if fixed is not None else None}
    deadline = release + (1.0 + extra) * duration_s

    def on_event(ev: dict[str, Any]) -> None:
        if ev["event"] == "restart":
            fwd.pgid = ev["pid"]
            tracker.set_job_pid(ev["pid"])
        if not quiet and ev["event"] in {"pause", "resume", "restart", "run_to_completion", "intensity_failed"}:
            what = ev.get("reason") or ev.get("error") or ""
            click.echo(f"carbontrail: {ev['event'].replace('_', ' ')}"
                       f"{': ' + what if what else ''}", err=True)

    def spawn(cmd: Any) -> subprocess.Popen[bytes]:
        return subprocess.Popen(list(cmd), process_group=0)

    controller = PauseResumeController(
        child, timeline, duration_s, deadline,
        poll_s=min(1.0, timeline.slot_s / 4),
        min_segment_s=parse_duration_option(min_segment, "--min-segment") or 0.0,
        max_pauses=max_pauses,
        checkpoint_signal=sched.parse_signal(checkpoint_signal),
        resume_cmd=shlex.split(resume_cmd) if resume_cmd else None,
        spawn=spawn, on_event=on_event,
        replan=replan, replan_every_s=max(60.0, min(900.0, timeline.slot_s)),
    )
    if not quiet:
        click.echo(f"carbontrail: pause & resume over {note}; deadline "
                   f"{datetime.fromtimestamp(deadline, tz=timezone.utc).isoformat(timespec='seconds')}", err=True)
    returncode = controller.run()
    record = controller.to_dict()
    record["release"] = release
    record["note"] = note
    record["paused_intervals"] = sched.paused_intervals(record)
    return returncode, record


__all__ = ["run_cmd", "echo_json"]
