"""Shared fixtures. Every test runs with a private CARBONTRAIL_HOME and no
CARBONTRAIL_* settings from the developer's environment, no ../shared, no
network, no GPU, no RAPL."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import settings as hypothesis_settings

# No per-example deadline anywhere (a loaded 2-core CI machine must not fail on timing), and
# under CI the same examples every run, so a red build is reproducible and never a dice roll.
hypothesis_settings.register_profile("carbontrail", deadline=None)
hypothesis_settings.register_profile("carbontrail-ci", deadline=None, derandomize=True, print_blob=True)
hypothesis_settings.load_profile("carbontrail-ci" if os.environ.get("CI") else "carbontrail")


@pytest.fixture(autouse=True)
def isolated_env(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A fresh data home per test and a clean CARBONTRAIL_* environment."""
    for key in list(os.environ):
        if key.startswith("CARBONTRAIL_") or key in {"CUDA_VISIBLE_DEVICES", "CUDA_DEVICE_ORDER"}:
            monkeypatch.delenv(key, raising=False)
    home = tmp_path_factory.mktemp("ct-home")
    monkeypatch.setenv("CARBONTRAIL_HOME", str(home))
    # an empty powercap root and DMI folder: tests see no RAPL and no cloud unless they build one
    empty = tmp_path_factory.mktemp("ct-empty")
    monkeypatch.setenv("CARBONTRAIL_POWERCAP_ROOT", str(empty / "powercap"))
    monkeypatch.setenv("CARBONTRAIL_DMI_ROOT", str(empty / "dmi"))
    # no cloud metadata lookups in tests: point them at a closed local port
    monkeypatch.setenv("CARBONTRAIL_METADATA_URL", "http://127.0.0.1:9")
    return home
