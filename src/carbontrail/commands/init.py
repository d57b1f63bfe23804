"""``carbontrail init``: set a project up once with a carbontrail.toml."""

from __future__ import annotations

import uuid
from pathlib import Path

import click

from ..errors import ConfigError


def render_config(project: str, experiment: str, location: str | None, csv: str | None,
                  pue: float | None) -> str:
    lines = [
        "# carbontrail settings for this project (see docs/configuration.md).",
        "# Flags and CARBONTRAIL_* environment variables override these values.",
        f"project = {project!r}".replace("'", '"'),
        f"experiment = {experiment!r}".replace("'", '"'),
    ]
    if location:
        lines.append(f'location = "{location}"')
    else:
        lines.append('# location = "FR"          # country, zone (US-CAL-CISO) or cloud region (gcp:europe-west6)')
    if pue is not None:
        lines.append(f"pue = {pue}")
    else:
        lines.append("# pue = 1.1                # facility overhead; default: provider figure or 1.56 on premises")
    if csv:
        lines.append(f'csv = "{csv}"               # CodeCarbon-compatible CSV appended after each run')
    else:
        lines.append('# csv = "emissions.csv"    # append each run to a CodeCarbon-compatible CSV')
    lines.append("# interval_s = 1.0          # sampling interval in seconds")
    lines.append('# scope = "machine"         # or "process" to attribute CPU energy to the job')
    return "\n".join(lines) + "\n"


@click.command("init")
@click.option("--project", "-p", help="Project name (default: the folder name).")
@click.option("--experiment", "-e", help="Experiment id (default: a new short id).")
@click.option("--location", "-l", help="Where jobs run: FR, US-CAL-CISO, gcp:europe-west6, ...")
@click.option("--pue", type=float, help="PUE of the facility, if known.")
@click.option("--csv", "csv", default="emissions.csv", show_default=True,
              help="CSV file to append runs to ('' for none).")
@click.option("--force", is_flag=True, help="Overwrite an existing carbontrail.toml.")
def init_cmd(project: str | None, experiment: str | None, location: str | None, pue: float | None,
             csv: str, force: bool) -> None:
    """Write carbontrail.toml in the current folder."""
    target = Path.cwd() / "carbontrail.toml"
    if target.exists() and not force:
        raise ConfigError(f"{target.name} already exists; use --force to overwrite it")
    if location:
        from ..intensity.locations import resolve_location

        location = resolve_location(location).code
    if pue is not None and pue < 1.0:
        raise ConfigError("--pue must be >= 1.0")
    project = project or Path.cwd().name or "default"
    experiment = experiment or uuid.uuid4().hex[:8]
    text = render_config(project, experiment, location, csv or None, pue)
    from ..store.jsonio import atomic_write_text

    atomic_write_text(target, text)
    click.echo(f"wrote {target.name}: project {project!r}, experiment {experiment!r}"
               + (f", location {location}" if location else ", location not set (edit the file or pass --location)"))
