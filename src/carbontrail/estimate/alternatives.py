"""The same job in the cleanest cloud regions: of the same provider, and anywhere.

Each region's figure uses its own annual location-based intensity (the
intensity tables' primary source) and its provider's PUE unless the user fixed
the PUE; embodied emissions are the same everywhere.
"""

from __future__ import annotations

from typing import Any

from ..units import J_PER_KWH


def _rows(energy_j: float, embodied_g: float, pue_override: float | None) -> list[dict[str, Any]]:
    from ..intensity import tables
    from ..intensity.locations import all_locations

    rows = []
    for loc in all_locations():
        if not loc.provider:
            continue
        fig = tables.annual_intensity(loc)
        pue = pue_override if pue_override is not None else tables.pue_for(loc)[0]
        operational = energy_j / J_PER_KWH * pue * fig.g_per_kwh
        rows.append({"location": loc.code, "name": loc.name, "provider": loc.provider,
                     "intensity_g_per_kwh": fig.g_per_kwh, "intensity_source": fig.source, "year": fig.year,
                     "pue": pue, "operational_g": operational, "total_g": operational + embodied_g})
    rows.sort(key=lambda r: (r["total_g"], r["location"]))
    return rows


def greener_regions(energy_j: float, embodied_g: float, location, pue_override: float | None,
                    limit: int = 3) -> dict[str, list[dict[str, Any]]]:
    """{"same_provider": [...], "anywhere": [...]}: the ``limit`` lowest-emission cloud regions.

    ``energy_j`` is the job's IT energy [J]; totals include ``embodied_g``.
    """
    rows = _rows(energy_j, embodied_g, pue_override)
    out: dict[str, list[dict[str, Any]]] = {"anywhere": rows[:limit]}
    if location is not None and location.provider:
        out["same_provider"] = [r for r in rows if r["provider"] == location.provider][:limit]
    return out
