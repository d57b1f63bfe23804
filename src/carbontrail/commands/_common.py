"""Helpers shared by CLI commands: settings from flags, JSON output, errors."""

from __future__ import annotations

import json
import sys
from typing import Any

import click

from ..config import Settings, load_settings
from ..errors import ConfigError


def settings_from(**overrides: Any) -> Settings:
    """Settings with the given flags on top (None = not given)."""
    return load_settings(overrides={k: v for k, v in overrides.items() if v is not None})


def echo_json(data: Any) -> None:
    """Print ``data`` as indented JSON on stdout."""
    click.echo(json.dumps(data, indent=2, sort_keys=False, default=str))


def warn(message: str) -> None:
    """One warning line on stderr."""
    click.echo(f"carbontrail: warning: {message}", err=True)


def fail(message: str, code: int = 2) -> None:
    """One error line on stderr, then exit."""
    click.echo(f"carbontrail: error: {message}", err=True)
    sys.exit(code)


def parse_duration_option(value: str | None, flag: str) -> float | None:
    """A duration flag (30m, 6h, 8d) in seconds, or a ConfigError naming the flag."""
    if value is None:
        return None
    from ..units import parse_duration

    try:
        return parse_duration(value)
    except ValueError as exc:
        raise ConfigError(f"{flag}: {exc}") from None


def parse_percent(value: str, flag: str) -> float:
    """'100%', '50', '0.25' -> fraction (1.0, 0.5, 0.25)."""
    s = value.strip()
    try:
        if s.endswith("%"):
            return float(s[:-1]) / 100.0
        x = float(s)
    except ValueError:
        raise ConfigError(f"{flag}: cannot read {value!r}; write a percentage like 50%") from None
    return x / 100.0 if x > 1 else x
