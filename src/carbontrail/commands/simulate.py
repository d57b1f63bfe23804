"""``carbontrail simulate``: evaluate carbon-aware scheduling over every release time of a series."""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

import click

from ..errors import ConfigError, ScheduleError
from ._common import echo_json, parse_duration_option, parse_percent

FIELDS = ("mode", "duration_s", "window_s", "extra_fraction", "releases", "saving_ratio_of_sums",
          "saving_mean_of_ratios", "saving_p10", "saving_p50", "saving_p90", "pauses_per_hour",
          "added_completion_s_mean", "added_completion_s_max", "forecast", "oracle_saving_ratio_of_sums",
          "forecast_gap")


def _list(text: str, flag: str, conv) -> list[float]:
    items = [t for t in (text or "").split(",") if t.strip()]
    return [conv(t.strip(), flag) for t in items]


def _label_h(seconds: float) -> str:
    h = seconds / 3600
    if h >= 24 and h % 24 == 0:
        return f"{h / 24:g}d"
    return f"{h:g}h" if h >= 1 else f"{seconds / 60:g}m"


def _table(rows: list[dict[str, Any]], durations: list[float]) -> str:
    heads = [_label_h(d) for d in durations]
    width = max(24, *(len(h) + 2 for h in heads))
    out = io.StringIO()
    out.write(f"{'':<26}" + "".join(f"{h:>{width // 2}}" for h in heads) + "\n")

    def line(label: str, pick) -> None:
        cells = []
        for d in durations:
            r = pick(d)
            cells.append("-" if r is None else r)
        out.write(f"{label:<26}" + "".join(f"{c:>{width // 2}}" for c in cells) + "\n")

    fs = sorted({r["window_s"] for r in rows if r["mode"] == "flexible_start"})
    pr = sorted({r["extra_fraction"] for r in rows if r["mode"] == "pause_resume"})

    def find(mode, key, val, d):
        for r in rows:
            if r["mode"] == mode and r[key] == val and r["duration_s"] == d:
                return r
        return None

    for w in fs:
        line(f"Flexible Start +{_label_h(w)}",
             lambda d, w=w: f"{find('flexible_start', 'window_s', w, d)['saving_ratio_of_sums']:.1%}")
    for x in pr:
        line(f"Pause & Resume +{x:.0%}",
             lambda d, x=x: f"{find('pause_resume', 'extra_fraction', x, d)['saving_ratio_of_sums']:.1%}")
    for x in pr:
        line(f"  pauses per hour +{x:.0%}",
             lambda d, x=x: f"{find('pause_resume', 'extra_fraction', x, d)['pauses_per_hour']:.2f}")
    if rows and rows[0].get("forecast") not in (None, "oracle"):
        for w in fs:
            line(f"  gap to oracle FS +{_label_h(w)}",
                 lambda d, w=w: f"{find('flexible_start', 'window_s', w, d)['forecast_gap']:.1%}")
        for x in pr:
            line(f"  gap to oracle P&R +{x:.0%}",
                 lambda d, x=x: f"{find('pause_resume', 'extra_fraction', x, d)['forecast_gap']:.1%}")
    return out.getvalue()


def _plot(path: Path, rows, durations, starts, values) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import numpy as np

    fig, axes = plt.subplots(1, 3, figsize=(16, 4.5))
    for ax, mode, key, unit in ((axes[0], "flexible_start", "window_s", "h"),
                                (axes[1], "pause_resume", "extra_fraction", "%")):
        for d in durations:
            pts = sorted((r[key], r["saving_ratio_of_sums"]) for r in rows
                         if r["mode"] == mode and r["duration_s"] == d)
            if pts:
                xs = [p[0] / 3600 if unit == "h" else p[0] * 100 for p in pts]
                ax.plot(xs, [p[1] * 100 for p in pts], marker="o", label=_label_h(d))
        ax.set_xlabel("allowed delay [h]" if unit == "h" else "allowed extra duration [%]")
        ax.set_ylabel("saving [%] (ratio of sums)")
        ax.set_title("Flexible Start" if mode == "flexible_start" else "Pause & Resume")
        ax.legend(title="job", fontsize=8)
        ax.grid(alpha=0.3)
    dt = np.asarray(starts, dtype="datetime64[s]")
    hours = (dt.astype("datetime64[h]") - dt.astype("datetime64[D]")).astype(int)
    months = dt.astype("datetime64[M]").astype(int) % 12
    grid = np.full((24, 12), np.nan)
    for m in range(12):
        for h in range(24):
            sel = (months == m) & (hours == h)
            if sel.any():
                grid[h, m] = float(np.mean(np.asarray(values)[sel]))
    im = axes[2].imshow(grid, aspect="auto", origin="lower", cmap="viridis",
                        extent=(0.5, 12.5, -0.5, 23.5))
    axes[2].set_xlabel("month")
    axes[2].set_ylabel("hour of day (UTC)")
    axes[2].set_title("mean intensity [gCO2e/kWh]")
    fig.colorbar(im, ax=axes[2])
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


@click.command("simulate")
@click.option("--series", "series_path", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="intensity series file (any format `carbontrail intensity` reads)")
@click.option("--location", help="location whose series to use (needs --series today; see docs)")
@click.option("--durations", default="1h,6h,24h,8d", show_default=True, help="job durations")
@click.option("--within", default="6h,12h,18h,24h", show_default=True, help="Flexible Start windows")
@click.option("--pause-resume", "pause_resume", default="25%,50%,75%,100%", show_default=True,
              help="Pause & Resume extra durations")
@click.option("--every", default="1h", show_default=True, help="time between release times")
@click.option("--forecast", type=click.Choice(["oracle", "yesterday", "weekly", "provider"]), default="oracle",
              show_default=True, help="what the planner knows at release")
@click.option("--forecast-file", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="archive of issued forecasts for --forecast provider: CSV issued_at,time,value")
@click.option("--fill", is_flag=True, help="fill gaps in the series linearly instead of failing")
@click.option("--json", "as_json", is_flag=True, help='print {"rows": [...]}')
@click.option("--csv", "as_csv", is_flag=True, help="print CSV rows")
@click.option("--plot", "plot_path", type=click.Path(dir_okay=False, path_type=Path),
              help="save a figure: saving vs window per duration, and the hour x month heatmap")
def simulate_cmd(series_path, location, durations, within, pause_resume, every, forecast, forecast_file,
                 fill, as_json, as_csv, plot_path):
    """Savings of Flexible Start and Pause & Resume over every release time of a series."""
    from ..schedule.simulate import evaluate
    from .plan import load_timeline

    if series_path is None:
        raise ConfigError(
            f"simulate needs a historical series{' for ' + location if location else ''}: give --series FILE "
            "(an Electricity Maps portal year, a WattTime CSV or a CSV of time,value)"
        )
    if as_json and as_csv:
        raise ConfigError("choose one of --json and --csv")
    durs = _list(durations, "--durations", parse_duration_option)
    wins = _list(within, "--within", parse_duration_option)
    extras = _list(pause_resume, "--pause-resume", parse_percent)
    every_s = parse_duration_option(every, "--every")
    if not durs:
        raise ConfigError("--durations: give at least one duration, like 1h,6h")
    tl = load_timeline(series_path, fill)
    provider_plan = None
    if forecast == "provider":
        if forecast_file is None:
            raise ConfigError("--forecast provider replays issued forecasts: give --forecast-file")
        provider_plan = _archive_plan(forecast_file, tl)
    rows = evaluate(tl.values, tl.slot_s, durs, wins, extras, every_s=every_s, forecast=forecast,
                    provider_plan=provider_plan)
    if plot_path is not None:
        _plot(plot_path, rows, durs, tl.starts, tl.values)
    if as_json:
        echo_json({"series": {"file": series_path.name, "source": tl.source, "kind": tl.kind,
                              "slot_s": tl.slot_s, "slots": int(tl.values.size)},
                   "saving_definition": "1 - E_shifted / E_baseline; baseline = start at release, no pause",
                   "rows": rows})
        return
    if as_csv:
        buf = io.StringIO()
        w = csv.DictWriter(buf, fieldnames=FIELDS, extrasaction="ignore")
        w.writeheader()
        for r in rows:
            w.writerow(r)
        click.echo(buf.getvalue(), nl=False)
        return
    releases = sorted({r["releases"] for r in rows})
    click.echo(f"{series_path.name}: {tl.values.size} slots of {tl.slot_s / 60:g} min, {tl.kind} intensity "
               f"({tl.source}); forecast: {forecast}")
    click.echo(f"saving = 1 - E_shifted/E_baseline as a ratio of sums over {releases[0]}-{releases[-1]} "
               f"releases every {_label_h(every_s)} (P10/P50/P90 and mean of ratios: --json or --csv)\n")
    click.echo(_table(rows, durs), nl=False)
    if plot_path is not None:
        click.echo(f"\nfigure written to {plot_path}")


def _archive_plan(path: Path, tl):
    """Replay an archive CSV (issued_at,time,value) on the series grid."""
    from ..intensity.readers import parse_time
    from ..schedule.forecast import ForecastArchive

    rows = []
    with open(path, newline="", encoding="utf-8") as fh:
        reader = csv.reader(fh)
        header = next(reader, None)
        if header is None or len(header) < 3:
            raise ScheduleError(f"{path}: expected a header issued_at,time,value")
        for lineno, rec in enumerate(reader, start=2):
            if not rec:
                continue
            try:
                rows.append((parse_time(rec[0]), parse_time(rec[1]), float(rec[2])))
            except (ValueError, IndexError):
                raise ScheduleError(f"{path}, line {lineno}: cannot read {rec!r}; expected issued_at,time,value") from None
    archive = ForecastArchive.from_rows(rows)

    def plan(release_slot: int, horizon: int):
        starts = tl.starts[release_slot:release_slot + horizon]
        return archive.known_at(float(tl.starts[release_slot]), starts)

    return plan
