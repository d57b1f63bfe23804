"""``carbontrail import codecarbon emissions.csv``: bring a CodeCarbon history into the store."""

from __future__ import annotations

import click

from ._common import echo_json, settings_from


@click.group("import")
def import_group() -> None:
    """Import history from other tools."""


@import_group.command("codecarbon")
@click.argument("path", type=click.Path(dir_okay=False))
@click.option("--project", "-p", help="Store the runs under this project (default: the file's project_name).")
@click.option("--dry-run", is_flag=True, help="Read and report, store nothing.")
@click.option("--json", "as_json", is_flag=True, help="Print the per-row report as JSON.")
def import_codecarbon(path: str, project: str | None, dry_run: bool, as_json: bool) -> None:
    """Import every row of CodeCarbon's emissions.csv (any version) as a run."""
    from ..report.codecarbon_import import read_codecarbon_csv
    from ..store.sqlite import Store

    rows = read_codecarbon_csv(path, project=project)
    store = None if dry_run else Store.default(settings_from())
    report = []
    for imp in rows:
        if imp.record is not None and store is not None:
            store.save(imp.record, source="codecarbon")
        report.append({"line": imp.line, "run_id": imp.record.id if imp.record else None,
                       "imported": imp.record is not None and not dry_run, "error": imp.error,
                       "skipped": imp.skipped, "notes": imp.notes})
    done = sum(1 for r in rows if r.record is not None)
    if as_json:
        echo_json({"file": path, "rows": len(rows), "imported": 0 if dry_run else done, "report": report})
        return
    for r in report:
        if r["error"]:
            click.echo(f"line {r['line']}: NOT imported: {r['error']}")
            continue
        head = f"line {r['line']}: run {r['run_id'][:8]}" + (" (dry run)" if dry_run else " imported")
        click.echo(head)
        for col, why in r["skipped"].items():
            click.echo(f"    skipped {col}: {why}")
        for n in r["notes"]:
            click.echo(f"    note: {n}")
    verb = "would import" if dry_run else "imported"
    click.echo(f"{verb} {done} of {len(rows)} rows from {path} (source codecarbon; see `carbontrail runs list`)")
