"""Shared fixtures. Every test runs with a private CARBONTRAIL_HOME and no
CARBONTRAIL_* settings from the developer's environment, no ../shared, no
network, no GPU, no RAPL."""

from __future__ import annotations

import os
from pathlib import Path

import pytest


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
