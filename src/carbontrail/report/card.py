"""Hugging Face model-card metadata: the ``co2_eq_emissions`` block, in grams.

Fields as the Hub documents them (huggingface.co/docs/hub/model-cards-co2):
``emissions`` [g CO2e], ``source``, ``training_type`` (pre-training or
fine-tuning), ``geographical_location``, ``hardware_used``.

:func:`card_metadata` is pure. :func:`update_model_card` rewrites the YAML
header of a local README.md with ``huggingface_hub``'s own ``ModelCard``
parser and writer (offline), keeps every other header key and the body
unchanged, and writes atomically.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from ..errors import ConfigError, DataError
from ..record import RunRecord
from .facts import hardware_line

TRAINING_TYPES = ("pre-training", "fine-tuning")


def _location_text(rec: RunRecord) -> str:
    loc = rec.location or {}
    name, code = loc.get("name"), loc.get("code")
    if name and code and code != name:
        return f"{name} ({code})"
    return str(name or code or "unknown")


def card_metadata(records: list[RunRecord], training_type: str | None = None,
                  tool_version: str | None = None) -> dict[str, Any]:
    """The ``co2_eq_emissions`` dict for one or several runs (summed) [g CO2e]."""
    if not records:
        raise ConfigError("no runs to describe; track one with `carbontrail run -- CMD`")
    if training_type is not None and training_type not in TRAINING_TYPES:
        raise ConfigError(f"--training-type must be one of {', '.join(TRAINING_TYPES)}, got {training_type!r}")
    if tool_version is None:
        from .. import __version__ as tool_version  # noqa: N811
    emissions = sum(r.emissions_g for r in records)
    sources = sorted({str((r.intensity or {}).get("source") or "unknown") for r in records})
    methods = sorted({c.get("method", "unavailable") for r in records for c in r.components.values()})
    runs = f"{len(records)} runs" if len(records) > 1 else f"run {records[0].id[:8]}"
    meta: dict[str, Any] = {
        # six significant figures, not six decimals: a tiny run must never read 0 g
        "emissions": float(f"{emissions:.6g}"),
        "source": (f"carbontrail {tool_version} ({runs}; energy: {', '.join(methods)}; "
                   f"grid intensity: {'; '.join(sources)}; location-based)"),
    }
    if training_type:
        meta["training_type"] = training_type
    meta["geographical_location"] = "; ".join(dict.fromkeys(_location_text(r) for r in records))
    meta["hardware_used"] = "; ".join(dict.fromkeys(hardware_line(r.hardware or {}) for r in records))
    return meta


def _scalar(v: Any) -> str:
    if isinstance(v, float):
        text = repr(v)
        if "e" in text and "." not in text.split("e")[0]:
            # YAML 1.1 (PyYAML, the Hub) reads '1e-07' as a string; '1.0e-07' is a float
            mant, exp = text.split("e")
            text = f"{mant}.0e{exp}"
        return text
    if isinstance(v, int):
        return repr(v)
    s = str(v).replace("\\", "\\\\").replace('"', '\\"')
    return f'"{s}"'


def metadata_yaml(meta: dict[str, Any]) -> str:
    """The block as YAML text to paste into a model card header (no dependency needed)."""
    return "co2_eq_emissions:\n" + "".join(f"  {k}: {_scalar(v)}\n" for k, v in meta.items())


def _hub() -> Any:
    try:
        import huggingface_hub
    except ImportError:
        raise ConfigError("updating a model card needs huggingface_hub: pip install huggingface_hub "
                          "(or paste the printed YAML into the card yourself)") from None
    return huggingface_hub


def updated_card_text(text: str, meta: dict[str, Any]) -> str:
    """``text`` (a model card, maybe without header) with ``co2_eq_emissions`` set in its YAML header."""
    import logging

    hub = _hub()
    log = logging.getLogger("huggingface_hub.repocard")
    level = log.level
    log.setLevel(logging.ERROR)  # "metadata block not found" is expected for a card without header
    try:
        card = hub.ModelCard(text, ignore_metadata_errors=False)
    except ValueError as exc:
        raise DataError(f"the model card header is not valid YAML metadata ({exc})") from None
    finally:
        log.setLevel(level)
    card.data.co2_eq_emissions = dict(meta)
    out = str(card)
    # ModelCard adds the header on top; keep the body exactly as it was
    if not out.endswith(card.text):
        raise DataError("huggingface_hub changed the card body; not written")
    return out


def update_model_card(path: str | os.PathLike[str], meta: dict[str, Any]) -> Path:
    """Set ``co2_eq_emissions`` in the YAML header of the model card at ``path`` (created when absent)."""
    from ..store.jsonio import atomic_write_text

    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8") if p.exists() else ""
    except (OSError, UnicodeDecodeError) as exc:
        raise DataError(f"cannot read the model card ({exc})", str(p)) from None
    new = updated_card_text(text, meta)
    try:
        return atomic_write_text(p, new)
    except OSError as exc:
        raise DataError(f"cannot write the model card ({exc.strerror}); nothing was changed", str(p)) from None
