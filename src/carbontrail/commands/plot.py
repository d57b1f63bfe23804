"""``carbontrail plot``: power, cumulative emissions, intensity, phases or a comparison, as PNG or SVG."""

from __future__ import annotations

import click

from ._common import settings_from


@click.command("plot")
@click.argument("run_ids", nargs=-1)
@click.option("--kind", "-k", type=click.Choice(["power", "emissions", "intensity", "phases", "compare"]),
              default="power", show_default=True)
@click.option("--out", "-o", required=True, type=click.Path(dir_okay=False), help="File to write (.png or .svg).")
def plot_cmd(run_ids: tuple[str, ...], kind: str, out: str) -> None:
    """Plot a run (default: last); --kind compare takes several run ids."""
    from ..errors import ConfigError
    from ..report.plots import FORMATS, figure_bytes, make_plot
    from ..report.select import select_records, write_output
    from ..store.sqlite import Store

    suffix = out.rsplit(".", 1)[-1].lower() if "." in out else ""
    if f".{suffix}" not in FORMATS:
        raise ConfigError(f"--out {out}: give a .png or .svg file name")
    records = select_records(Store.default(settings_from()), list(run_ids), None)
    fig = make_plot(kind, records)
    path = write_output(out, figure_bytes(fig, FORMATS[f".{suffix}"]))
    click.echo(f"wrote {kind} plot to {path}", err=True)
