"""README badges: a shields-style flat SVG and the shields.io endpoint JSON.

The figure's unit is chosen by magnitude (mg, g, kg, t CO2e) and the colour
by emissions (green below 1 kg, yellow-green below 10 kg, yellow below 100 kg,
orange below 1 t, red above). Text widths are estimated from per-character
advance widths of Verdana 11 px (the font shields uses), so no font file is needed.
"""

from __future__ import annotations

import json
import math
from html import escape
from typing import Any

#: (upper bound [g], colour) for the badge background
COLOURS = ((1_000.0, "#4c1"), (10_000.0, "#97ca00"), (100_000.0, "#dfb317"), (1_000_000.0, "#fe7d37"),
           (float("inf"), "#e05d44"))
_NARROW = set("ijlI.,:;!|' ()[]ft1")
_WIDE = set("mwMW%@")


def _three_figures(v: float) -> str:
    """12.3, 1,230, 0.0412: three significant figures, no trailing zeros."""
    digits = max(0, 2 - math.floor(math.log10(v))) if v > 0 else 0
    text = f"{round(v, digits):,.{digits}f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def mass_text(emissions_g: float) -> str:
    """'412 mg', '3.4 g', '12.3 kg', '1.2 t': three significant figures, unit by magnitude.

    The unit is the largest in which the rounded figure is at least 1 (999.6 g is '1 kg').
    """
    if emissions_g <= 0:
        return "0 g"
    units = (("t", 1e6), ("kg", 1e3), ("g", 1.0), ("mg", 1e-3))
    for unit, div in units:
        v = float(f"{emissions_g / div:.3g}")
        if v >= 1 or unit == "mg":
            return f"{_three_figures(v)} {unit}"
    raise AssertionError("unreachable")


def colour(emissions_g: float) -> str:
    return next(c for limit, c in COLOURS if emissions_g < limit)


def _width(text: str) -> float:
    """Approximate width [px] of ``text`` in Verdana 11 px."""
    return sum(3.9 if ch in _NARROW else 10.0 if ch in _WIDE else 7.0 for ch in text)


def badge_message(emissions_g: float) -> str:
    return f"{mass_text(emissions_g)} CO2e"


def badge_svg(emissions_g: float, label: str = "carbon footprint") -> str:
    """A flat shields-style SVG badge: ``label | 3.4 kg CO2e``."""
    msg = badge_message(emissions_g)
    lw, mw = round(_width(label) + 10), round(_width(msg) + 10)
    w = lw + mw
    col = colour(emissions_g)
    el, em = escape(label), escape(msg)
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="20" role="img" aria-label="{el}: {em}">'
        f"<title>{el}: {em}</title>"
        '<linearGradient id="s" x2="0" y2="100%"><stop offset="0" stop-color="#bbb" stop-opacity=".1"/>'
        '<stop offset="1" stop-opacity=".1"/></linearGradient>'
        f'<clipPath id="r"><rect width="{w}" height="20" rx="3" fill="#fff"/></clipPath>'
        f'<g clip-path="url(#r)"><rect width="{lw}" height="20" fill="#555"/>'
        f'<rect x="{lw}" width="{mw}" height="20" fill="{col}"/><rect width="{w}" height="20" fill="url(#s)"/></g>'
        '<g fill="#fff" text-anchor="middle" font-family="Verdana,Geneva,DejaVu Sans,sans-serif" font-size="11">'
        f'<text x="{lw / 2:.1f}" y="15" fill="#010101" fill-opacity=".3">{el}</text>'
        f'<text x="{lw / 2:.1f}" y="14">{el}</text>'
        f'<text x="{lw + mw / 2:.1f}" y="15" fill="#010101" fill-opacity=".3">{em}</text>'
        f'<text id="value" x="{lw + mw / 2:.1f}" y="14">{em}</text></g></svg>\n'
    )


def badge_endpoint(emissions_g: float, label: str = "carbon footprint") -> dict[str, Any]:
    """The shields.io endpoint JSON (schemaVersion 1) for the same badge."""
    return {"schemaVersion": 1, "label": label, "message": badge_message(emissions_g),
            "color": colour(emissions_g).lstrip("#")}


def badge_endpoint_json(emissions_g: float, label: str = "carbon footprint") -> str:
    return json.dumps(badge_endpoint(emissions_g, label), indent=2) + "\n"
