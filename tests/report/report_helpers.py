"""Helpers for the report tests: golden files, fixture paths, fixed what-if regions."""

from __future__ import annotations

import os
from pathlib import Path

from carbontrail.intensity.model import FixedIntensity, Location

GOLDEN = Path(__file__).parent / "golden"
FIXTURES = Path(__file__).parent / "fixtures"
TOOL_VERSION = "0.0.0-test"


def fixed_candidates() -> list:
    """Three made-up regions with fixed, labelled figures (golden files must not move with the tables)."""
    return [
        (Location("test:north", "Test North", "NO", "NO", "test", "north"),
         FixedIntensity(20.0, "Test table 2024", year=2024, method="table"), 1.1, "test PUE"),
        (Location("test:south", "Test South", "ES", "ES", "test", "south"),
         FixedIntensity(150.0, "Test table 2024", year=2024, method="table"), 1.2, "test PUE"),
        (Location("test:east", "Test East", "PL", "PL", "test", "east"),
         FixedIntensity(650.0, "Test table 2024", year=2024, method="table"), 1.3, "test PUE"),
    ]


def check_golden(name: str, text: str) -> None:
    """Compare with tests/report/golden/<name>; UPDATE_GOLDEN=1 rewrites it."""
    path = GOLDEN / name
    if os.environ.get("UPDATE_GOLDEN") == "1":
        path.write_text(text, encoding="utf-8")
    assert path.exists(), f"golden file {path} missing; run with UPDATE_GOLDEN=1 once and review it"
    assert text == path.read_text(encoding="utf-8")
