"""``carbontrail badge``: a README badge (shields-style SVG) or the shields endpoint JSON."""

from __future__ import annotations

import click

from ._common import settings_from


@click.command("badge")
@click.argument("run_id", required=False)
@click.option("--project", "-p", help="Sum every run of this project.")
@click.option("--format", "fmt", type=click.Choice(["svg", "endpoint"]), default="svg", show_default=True,
              help="svg: a badge image; endpoint: JSON for https://shields.io/badges/endpoint-badge")
@click.option("--label", default="carbon footprint", show_default=True)
@click.option("--out", "-o", type=click.Path(dir_okay=False), help="Write to this file (default: stdout).")
def badge_cmd(run_id: str | None, project: str | None, fmt: str, label: str, out: str | None) -> None:
    """Make a badge with a run's (default: last) or a project's emissions."""
    from ..report.badge import badge_endpoint_json, badge_svg
    from ..report.select import select_records, write_output
    from ..store.sqlite import Store

    records = select_records(Store.default(settings_from()), [run_id] if run_id else [], project)
    total = sum(r.emissions_g for r in records)
    text = badge_svg(total, label) if fmt == "svg" else badge_endpoint_json(total, label)
    if out:
        path = write_output(out, text)
        click.echo(f"wrote {fmt} badge to {path}", err=True)
    else:
        click.echo(text, nl=False)
