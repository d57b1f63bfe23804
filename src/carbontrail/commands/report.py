"""``carbontrail report``: a run or project report as text, Markdown, HTML, LaTeX or JSON."""

from __future__ import annotations

import click

from ._common import settings_from

FORMATS = ("text", "md", "html", "latex", "json")


def render_report(records: list, project: str | None, fmt: str, series_path: str | None,
                  whatif: bool) -> str:
    from ..report import facts as F
    from ..report.render import render_json, render_markdown, render_text
    from ..report.select import load_series

    if project:
        f = F.project_facts(records, project)
    else:
        rec = records[0]
        w = None
        if whatif:
            from ..report.whatif import whatif_for

            w = whatif_for(rec, series=load_series(series_path))
        f = F.run_facts(rec, whatif=w)
    if fmt == "json":
        return render_json(f)
    if fmt == "text":
        return render_text(f)
    if fmt == "md":
        return render_markdown(f)
    if fmt == "latex":
        from ..report.latex import render_latex

        return render_latex(f)
    from ..report.html import render_html, run_plots

    if project:
        from ..report.html import figure_html
        from ..report.plots import plot_compare

        figures = [figure_html(plot_compare(records[:30]), "emissions per run (newest 30)")]
    else:
        figures = run_plots(records[0])
    return render_html(f, figures)


@click.command("report")
@click.argument("run_id", required=False)
@click.option("--project", "-p", help="Report every run of this project instead of one run.")
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="text", show_default=True)
@click.option("--out", "-o", type=click.Path(dir_okay=False), help="Write to this file (default: stdout).")
@click.option("--series", type=click.Path(dir_okay=False),
              help="Intensity series covering 24 h after the run, for the best-start what-if.")
@click.option("--no-whatif", is_flag=True, help="Leave out the what-if section.")
def report_cmd(run_id: str | None, project: str | None, fmt: str, out: str | None, series: str | None,
               no_whatif: bool) -> None:
    """Report a run (an id, a prefix or 'last'; default last) or a whole project."""
    from ..report.select import select_records, write_output
    from ..store.sqlite import Store

    settings = settings_from()
    store = Store.default(settings)
    records = select_records(store, [run_id] if run_id else [], project)
    series_path = series or (str(settings.intensity_series) if settings.intensity_series else None)
    text = render_report(records, project, fmt, series_path, not no_whatif)
    if out:
        path = write_output(out, text)
        click.echo(f"wrote {fmt} report to {path}", err=True)
    else:
        click.echo(text, nl=False)
