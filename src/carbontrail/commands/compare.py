"""``carbontrail compare ID ID...``: runs side by side, with ratios and greener what-ifs."""

from __future__ import annotations

import click

from ._common import echo_json, settings_from


@click.command("compare")
@click.argument("run_ids", nargs=-1, required=True)
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.option("--series", type=click.Path(dir_okay=False),
              help="Intensity series covering 24 h after the runs, for the best-start what-if.")
@click.option("--no-whatif", is_flag=True, help="Leave out the greener what-if for each run.")
def compare_cmd(run_ids: tuple[str, ...], as_json: bool, series: str | None, no_whatif: bool) -> None:
    """Compare runs: energy, emissions, duration, per component and phase, ratios vs the first."""
    from ..report.compare import compare_facts, render_compare_text
    from ..report.select import load_series, select_records
    from ..store.sqlite import Store

    settings = settings_from()
    records = select_records(Store.default(settings), list(run_ids), None, default_last=False)
    whatifs = None
    if not no_whatif:
        from ..report.whatif import whatif_for

        s = load_series(series or settings.intensity_series)
        whatifs = [whatif_for(r, series=s, n_regions=1) for r in records]
    facts = compare_facts(records, whatifs)
    if as_json:
        echo_json(facts)
    else:
        click.echo(render_compare_text(facts), nl=False)
