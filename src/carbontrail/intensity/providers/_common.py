"""Helpers shared by the provider parsers: timestamps and points."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta, timezone
from typing import Any

from ...errors import ProviderUnavailable
from ..model import IntensityPoint


def parse_ts(value: Any, provider: str) -> datetime:
    """Aware UTC datetime of an ISO 8601 string (``Z``, offset or naive = UTC)."""
    if not isinstance(value, str) or not value:
        raise ProviderUnavailable(f"{provider}: expected an ISO timestamp, got {value!r:.40}")
    s = value.strip()
    if s.endswith(("Z", "z")):
        s = s[:-1] + "+00:00"
    try:
        dt = datetime.fromisoformat(s)
    except ValueError:
        raise ProviderUnavailable(f"{provider}: unreadable timestamp {value!r:.40}") from None
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=timezone.utc)
    return dt.astimezone(timezone.utc)


def number(value: Any, provider: str, what: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ProviderUnavailable(f"{provider}: {what} is not a number ({value!r:.40})")
    if value != value or value < 0:
        raise ProviderUnavailable(f"{provider}: {what} is negative or NaN ({value!r})")
    return float(value)


def points_from_starts(starts: Sequence[datetime], values: Sequence[float], *, kind: str, source: str,
                       method: str, step_s: float | None = None,
                       details: Sequence[dict[str, Any]] | None = None) -> list[IntensityPoint]:
    """Points whose end is the next start (regular step) or start + step."""
    order = sorted(range(len(starts)), key=lambda i: starts[i])
    st = [starts[i] for i in order]
    vals = [values[i] for i in order]
    det = [details[i] for i in order] if details else [{} for _ in order]
    if step_s is None:
        diffs = sorted((b - a).total_seconds() for a, b in zip(st, st[1:]) if b > a)
        step_s = diffs[len(diffs) // 2] if diffs else 3600.0
    step = timedelta(seconds=step_s)
    out = []
    for i, (s, v) in enumerate(zip(st, vals)):
        e = s + step
        if i + 1 < len(st) and s < st[i + 1] <= s + 1.5 * step:
            e = st[i + 1]
        if i + 1 < len(st) and st[i + 1] == s:
            continue  # duplicate timestamp: keep the later row
        out.append(IntensityPoint(s, e, v, kind, source, None, method, det[i]))
    return out


def expect(payload: Any, key: str, provider: str, kind: type = list) -> Any:
    if not isinstance(payload, dict) or not isinstance(payload.get(key), kind):
        raise ProviderUnavailable(f"{provider}: unexpected payload (no {key!r} {kind.__name__})")
    return payload[key]
