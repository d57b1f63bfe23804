"""``carbontrail runs list|show|import``: the local run history."""

from __future__ import annotations

from datetime import datetime, timezone

import click

from ..errors import ConfigError
from ._common import echo_json, settings_from


def _store():
    from ..store.sqlite import Store

    return Store.default(settings_from())


def _parse_since(value: str | None) -> datetime | None:
    if value is None:
        return None
    from ..units import parse_duration

    try:
        dt = datetime.fromisoformat(value)
    except ValueError:
        try:
            return datetime.now(timezone.utc) - __import__("datetime").timedelta(seconds=parse_duration(value))
        except ValueError:
            raise ConfigError(f"--since: cannot read {value!r}; give a date (2026-11-01) or an age (7d)") from None
    return dt if dt.tzinfo else dt.replace(tzinfo=timezone.utc)


@click.group("runs")
def runs_group() -> None:
    """List, show and import tracked runs."""


@runs_group.command("list")
@click.option("--project", "-p", help="Only this project.")
@click.option("--experiment", "-e", help="Only this experiment.")
@click.option("--since", help="Only runs started since a date (2026-11-01) or an age (7d).")
@click.option("--limit", "-n", type=int, default=20, show_default=True, help="At most this many runs.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def runs_list(project: str | None, experiment: str | None, since: str | None, limit: int, as_json: bool) -> None:
    """List runs, newest first."""
    from ..units import format_duration, format_energy, format_mass

    rows = _store().list(project=project, experiment=experiment, since=_parse_since(since), limit=limit)
    if as_json:
        echo_json({"runs": rows})
        return
    if not rows:
        click.echo("no runs yet: track one with `carbontrail run -- CMD`")
        return
    click.echo(f"{'id':<9} {'started (UTC)':<20} {'project':<14} {'experiment':<14} {'status':<11} "
               f"{'duration':>12} {'energy':>11} {'CO2e':>11}  location")
    for r in rows:
        started = r["started_at"][:19].replace("T", " ")
        click.echo(f"{r['id'][:8]:<9} {started:<20} {str(r['project'])[:14]:<14} "
                   f"{str(r['experiment'] or '-')[:14]:<14} {r['status']:<11} "
                   f"{format_duration(r['duration_s'] or 0):>12} {format_energy(r['energy_j'] or 0):>11} "
                   f"{format_mass(r['emissions_g'] or 0):>11}  {r['location'] or '?'}")


@runs_group.command("show")
@click.argument("run_id", default="last")
@click.option("--json", "as_json", is_flag=True, help="Print the full run record as JSON.")
def runs_show(run_id: str, as_json: bool) -> None:
    """Show one run (an id, a unique id prefix, or 'last')."""
    from ..summary import summary_lines

    store = _store()
    rec = store.get(run_id)
    if as_json:
        echo_json(rec.to_dict())
        return
    for line in summary_lines(rec):
        click.echo(line)
    click.echo(f"  started    {rec.started_at.isoformat()}")
    if rec.command:
        click.echo(f"  command    {' '.join(rec.command)}")
    hw = rec.hardware or {}
    click.echo(f"  hardware   {hw.get('cpu_model') or '?'} x{hw.get('cpu_count') or '?'} CPUs"
               + (f", {hw.get('gpu_count')} GPU ({hw.get('gpu_model')})" if hw.get("gpu_count") else ", no GPU")
               + (f", {hw['ram_total_gb']:.1f} GB RAM" if hw.get("ram_total_gb") else ""))


@runs_group.command("import")
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False))
def runs_import(paths: tuple[str, ...]) -> None:
    """Import run records written as JSON (--json or a fallback file) into the store."""
    from ..store.jsonio import read_record

    store = _store()
    for p in paths:
        rec = read_record(p)
        store.save(rec)
        click.echo(f"imported run {rec.id[:8]} from {p}")
