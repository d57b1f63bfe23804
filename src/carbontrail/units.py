"""Unit conversions. Internally: joules [J], grams [g], seconds [s], watts [W].

kWh, kg, lbs/MWh and friends appear only at the edges (CSV, reports, parsers).
"""

from __future__ import annotations

J_PER_KWH = 3.6e6
G_PER_KG = 1000.0
G_PER_LB = 453.59237
#: 1 lb/MWh = 0.45359237 g/kWh (exact, from the avoirdupois pound).
G_PER_KWH_PER_LB_PER_MWH = G_PER_LB / 1000.0


def j_to_kwh(energy_j: float) -> float:
    """[J] -> [kWh]."""
    return energy_j / J_PER_KWH


def kwh_to_j(energy_kwh: float) -> float:
    """[kWh] -> [J]."""
    return energy_kwh * J_PER_KWH


def g_to_kg(mass_g: float) -> float:
    return mass_g / G_PER_KG


def kg_to_g(mass_kg: float) -> float:
    return mass_kg * G_PER_KG


def lbs_per_mwh_to_g_per_kwh(value: float) -> float:
    """[lbs CO2/MWh] -> [gCO2/kWh] (WattTime, eGRID)."""
    return value * G_PER_KWH_PER_LB_PER_MWH


def emissions_g(energy_j: float, intensity_g_per_kwh: float, pue: float = 1.0) -> float:
    """Emissions [g] of ``energy_j`` [J] at ``intensity_g_per_kwh`` [gCO2e/kWh] times PUE."""
    return j_to_kwh(energy_j) * pue * intensity_g_per_kwh


_DURATION_UNITS = {"s": 1, "sec": 1, "m": 60, "min": 60, "h": 3600, "d": 86400, "w": 604800}


def parse_duration(text: str) -> float:
    """Parse '90', '90s', '30m', '6h', '8d', '1h30m' into seconds [s].

    A bare number is seconds. Raises ValueError naming the bad text.
    """
    import re

    s = str(text).strip().lower().replace(" ", "")
    if not s:
        raise ValueError("empty duration; write it like 30m, 6h or 8d")
    try:
        return float(s)
    except ValueError:
        pass
    parts = re.findall(r"(\d+(?:\.\d+)?)([a-z]+)", s)
    if not parts or "".join(n + u for n, u in parts) != s:
        raise ValueError(f"cannot read duration {text!r}; write it like 30m, 6h, 1h30m or 8d")
    total = 0.0
    for number, unit in parts:
        if unit not in _DURATION_UNITS:
            raise ValueError(f"unknown duration unit {unit!r} in {text!r}; use s, m, h, d or w")
        total += float(number) * _DURATION_UNITS[unit]
    return total


def format_energy(energy_j: float) -> str:
    """Human text for an energy: Wh below 1 kWh, else kWh/MWh."""
    kwh = j_to_kwh(energy_j)
    if kwh < 1e-3:
        return f"{energy_j:.1f} J"
    if kwh < 1:
        return f"{kwh * 1000:.2f} Wh"
    if kwh < 1000:
        return f"{kwh:.3f} kWh"
    return f"{kwh / 1000:.3f} MWh"


def format_mass(mass_g: float) -> str:
    """Human text for CO2e: mg, g, kg or t by magnitude."""
    if mass_g < 1:
        return f"{mass_g * 1000:.1f} mg"
    if mass_g < 1000:
        return f"{mass_g:.2f} g"
    if mass_g < 1e6:
        return f"{mass_g / 1000:.3f} kg"
    return f"{mass_g / 1e6:.3f} t"


def format_duration(duration_s: float) -> str:
    if duration_s < 60:
        return f"{duration_s:.1f} s"
    if duration_s < 3600:
        return f"{int(duration_s // 60)} min {int(duration_s % 60)} s"
    h, rem = divmod(int(duration_s), 3600)
    return f"{h} h {rem // 60:02d} min"
