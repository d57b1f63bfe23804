from __future__ import annotations

import pytest
from huggingface_hub import ModelCard
from huggingface_hub.repocard import metadata_load
from report_records import gpu_run, series_run

from carbontrail.errors import ConfigError
from carbontrail.report.card import card_metadata, metadata_yaml, update_model_card


def test_metadata_in_grams_with_every_field():
    meta = card_metadata([gpu_run()], "fine-tuning", tool_version="0.0.0-test")
    assert meta["emissions"] == pytest.approx(174.72)
    assert meta["training_type"] == "fine-tuning"
    assert meta["geographical_location"] == "France (FR)"
    assert meta["hardware_used"].startswith("2 x NVIDIA A100-SXM4-40GB")
    assert "OWID 2023" in meta["source"] and "carbontrail 0.0.0-test" in meta["source"]


def test_project_sums_runs():
    meta = card_metadata([gpu_run(), series_run()])
    assert meta["emissions"] == pytest.approx(gpu_run().emissions_g + series_run().emissions_g, abs=1e-6)
    assert "2 runs" in meta["source"]


def test_bad_training_type_is_a_clear_error():
    with pytest.raises(ConfigError, match="pre-training, fine-tuning"):
        card_metadata([gpu_run()], "training")


def test_printed_yaml_loads_as_card_metadata(tmp_path):
    meta = card_metadata([gpu_run()], "pre-training")
    card = ModelCard("---\n" + metadata_yaml(meta) + "---\n# m\n")
    assert card.data.co2_eq_emissions == meta


def test_update_keeps_header_keys_and_body(tmp_path):
    body = "# My model\n\nFine-tuned from `bert-base`.\n\n| a | b |\n|---|---|\n| 1 | 2 |\n"
    readme = tmp_path / "README.md"
    readme.write_text("---\nlicense: mit\ntags:\n- bert\n---\n" + body)
    meta = card_metadata([gpu_run()], "fine-tuning")
    update_model_card(readme, meta)
    loaded = ModelCard.load(readme)
    assert loaded.data.co2_eq_emissions == meta
    assert loaded.data.license == "mit" and loaded.data.tags == ["bert"]
    assert loaded.text == body and readme.read_text().endswith(body)
    assert metadata_load(readme)["co2_eq_emissions"]["emissions"] == pytest.approx(174.72)
    # a second update replaces the block, never duplicates it
    update_model_card(readme, card_metadata([series_run()]))
    assert readme.read_text().count("co2_eq_emissions") == 1
    assert ModelCard.load(readme).data.co2_eq_emissions["emissions"] == pytest.approx(series_run().emissions_g)


def test_update_creates_header_when_absent(tmp_path):
    readme = tmp_path / "README.md"
    readme.write_text("# Bare card\n")
    update_model_card(readme, card_metadata([gpu_run()]))
    assert readme.read_text().startswith("---\nco2_eq_emissions:")
    assert ModelCard.load(readme).text == "# Bare card\n"
    fresh = tmp_path / "new" / "README.md"
    update_model_card(fresh, card_metadata([gpu_run()]))
    assert metadata_load(fresh)["co2_eq_emissions"]["emissions"] == pytest.approx(174.72)


def test_tiny_run_emissions_never_round_to_zero():
    """round(g, 6) turned a 0.3 ug run into 'emissions: 0.0'."""
    meta = card_metadata([series_run(duration_s=1.0, energy_j=0.01, emissions_g=3.27e-7)], tool_version="x")
    assert meta["emissions"] == pytest.approx(3.27e-7) and meta["emissions"] > 0
    big = card_metadata([gpu_run()], tool_version="x")
    assert big["emissions"] == pytest.approx(174.72)


@pytest.mark.parametrize("grams", [1e-7, 3.27e-7, 2e21, 174.72])
def test_printed_yaml_keeps_emissions_a_number(grams):
    """'emissions: 1e-07' is a string to YAML 1.1 readers (PyYAML, the Hub); it must load as a float."""
    import yaml

    meta = card_metadata([series_run(emissions_g=grams)], tool_version="x")
    loaded = yaml.safe_load(metadata_yaml(meta))["co2_eq_emissions"]["emissions"]
    assert isinstance(loaded, float) and loaded == pytest.approx(grams)
