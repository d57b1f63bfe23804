"""``carbontrail card``: Hugging Face model-card ``co2_eq_emissions`` metadata (grams)."""

from __future__ import annotations

import click

from ._common import echo_json, settings_from


@click.command("card")
@click.argument("run_id", required=False)
@click.option("--project", "-p", help="Sum every run of this project.")
@click.option("--training-type", type=click.Choice(["pre-training", "fine-tuning"]))
@click.option("--update", "update", type=click.Path(dir_okay=False),
              help="Write the metadata into this model card's YAML header (README.md); created when absent.")
@click.option("--json", "as_json", is_flag=True, help="Print the metadata as JSON instead of YAML.")
def card_cmd(run_id: str | None, project: str | None, training_type: str | None, update: str | None,
             as_json: bool) -> None:
    """Model-card metadata for a run (default: last) or a project."""
    from ..report.card import card_metadata, metadata_yaml, update_model_card
    from ..report.select import select_records
    from ..store.sqlite import Store

    records = select_records(Store.default(settings_from()), [run_id] if run_id else [], project)
    meta = card_metadata(records, training_type)
    if update:
        path = update_model_card(update, meta)
        click.echo(f"updated co2_eq_emissions in {path} ({meta['emissions']:g} g CO2e)", err=True)
        return
    if as_json:
        echo_json({"co2_eq_emissions": meta})
    else:
        click.echo(metadata_yaml(meta), nl=False)
