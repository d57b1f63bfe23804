"""``carbontrail export``: runs as CSV in CodeCarbon's schema, or as a JSON list of records."""

from __future__ import annotations

import csv
import io
import json

import click

from ._common import settings_from


def export_text(records: list, fmt: str) -> str:
    if fmt == "json":
        return json.dumps([r.to_dict() for r in records], indent=2, default=str) + "\n"
    from ..store.codecarbon_csv import COLUMNS, row_for

    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=COLUMNS, lineterminator="\n")
    w.writeheader()
    for r in records:
        w.writerow(row_for(r))
    return buf.getvalue()


@click.command("export")
@click.option("--format", "fmt", type=click.Choice(["csv", "json"]), default="csv", show_default=True,
              help="csv: CodeCarbon's emissions.csv schema; json: full run records.")
@click.option("--project", "-p", help="Only this project.")
@click.option("--out", "-o", type=click.Path(dir_okay=False), help="Write to this file (default: stdout).")
def export_cmd(fmt: str, project: str | None, out: str | None) -> None:
    """Export runs (oldest first)."""
    from ..report.select import write_output
    from ..store.sqlite import Store

    store = Store.default(settings_from())
    rows = store.list(project=project)
    records = [store.get(r["id"]) for r in reversed(rows)]
    text = export_text(records, fmt)
    if out:
        path = write_output(out, text)
        click.echo(f"exported {len(records)} runs to {path}", err=True)
    else:
        click.echo(text, nl=False)
