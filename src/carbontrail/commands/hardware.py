"""``carbontrail hardware [QUERY]``: list and search the hardware catalog."""

from __future__ import annotations

import click

from ._common import echo_json


def _line(row: dict) -> str:
    kind = row["kind"]
    if kind == "instance":
        gpu = f"{row['gpu_count']} x {row['gpu']}, " if row["gpu"] else ""
        emb = f", host embodied {row['embodied_kg']:g} kg" if row.get("embodied_kg") is not None else ""
        return (f"{row['provider']}:{row['type']:<28} {gpu}{row['vcpus']} vCPU ({row['cpu'] or row['arch'] or '?'}), "
                f"{row['memory_gb'] or '?'} GB{emb}")
    if kind == "cpu":
        return f"cpu:{row['name']:<40} TDP {row['tdp_w']:g} W, {row['cores'] or '?'} cores ({row['match']})"
    tdp = f"TDP {row['tdp_w']:g} W" if row.get("tdp_w") is not None else "no published power"
    typ = f", typical {row['typical_w']:g} W" if row.get("typical_w") is not None else ""
    return f"{row['id']:<20} [{kind}] {tdp}{typ} - {row['source']}"


@click.command("hardware")
@click.argument("query", required=False)
@click.option("--kind", type=click.Choice(["gpu", "cpu", "instance"]), help="only this kind (gpu includes TPUs)")
@click.option("--limit", type=int, default=50, show_default=True, help="at most this many rows")
@click.option("--json", "as_json", is_flag=True, help="print JSON")
def hardware_cmd(query, kind, limit, as_json) -> None:
    """List and search GPUs/TPUs, CPUs and cloud instance types with their power, embodied figures and sources.

    Without QUERY lists accelerators (CPUs need a QUERY: the table has thousands).
    """
    from ..hardware.catalog import search

    rows = search(query, kind=kind or (None if query else "gpu"), limit=limit)
    if as_json:
        echo_json(rows)
        return
    if not rows:
        click.echo(f"nothing matches {query!r}; try a shorter query, e.g. `carbontrail hardware A100`")
        return
    for row in rows:
        click.echo(_line(row))
