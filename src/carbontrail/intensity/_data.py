"""Lazy readers of the packaged intensity tables (``carbontrail/data/intensity``).

The tables are built by ``scripts/build_intensity_tables.py`` and read on
first use only (never at ``import carbontrail``); each reader is cached.
"""

from __future__ import annotations

import csv
import functools
import io
import json
from importlib import resources
from typing import Any


def read_text(name: str) -> str:
    """The text of one packaged table file."""
    return (resources.files("carbontrail") / "data" / "intensity" / name).read_text(encoding="utf-8")


def read_csv(name: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(read_text(name))))


@functools.cache
def sources() -> dict[str, dict[str, str]]:
    """Source id -> {short, title, url, licence, scope, basis, note}."""
    return {row["id"]: row for row in read_csv("sources.csv")}


@functools.cache
def location_rows() -> dict[str, dict[str, str]]:
    """Canonical code -> row of locations.csv."""
    return {row["code"]: row for row in read_csv("locations.csv")}


@functools.cache
def annual_rows() -> dict[str, list[dict[str, Any]]]:
    """Code -> annual figures (g_per_kwh [gCO2e/kWh], year, source), best rank first."""
    out: dict[str, list[dict[str, Any]]] = {}
    for row in read_csv("annual.csv"):
        out.setdefault(row["code"], []).append({
            "g_per_kwh": float(row["g_per_kwh"]),
            "year": int(row["year"]) if row["year"] else None,
            "source": row["source"],
            "rank": int(row["rank"]),
        })
    for rows in out.values():
        rows.sort(key=lambda r: (r["rank"], -(r["year"] or 0)))
    return out


@functools.cache
def electricitymaps_rows() -> dict[str, list[dict[str, Any]]]:
    """Zone -> Electricity Maps yearly figures (ODbL), newest year first."""
    out: dict[str, list[dict[str, Any]]] = {}
    for row in read_csv("electricitymaps_yearly.csv"):
        out.setdefault(row["zone"], []).append({
            "g_per_kwh": float(row["g_per_kwh"]),
            "year": int(row["year"]),
            "cfe_percent": float(row["cfe_percent"]) if row["cfe_percent"] else None,
            "renewable_percent": float(row["renewable_percent"]) if row["renewable_percent"] else None,
        })
    for rows in out.values():
        rows.sort(key=lambda r: -r["year"])
    return out


@functools.cache
def gcp_rows() -> dict[str, dict[int, dict[str, Any]]]:
    """GCP region -> year -> {g_per_kwh, google_cfe, location, scope}."""
    out: dict[str, dict[int, dict[str, Any]]] = {}
    for row in read_csv("gcp_regions.csv"):
        out.setdefault(row["region"], {})[int(row["year"])] = {
            "g_per_kwh": float(row["g_per_kwh"]),
            "google_cfe": float(row["google_cfe"]) if row["google_cfe"] else None,
            "location": row["location"],
            "scope": row["scope"],
        }
    return out


@functools.cache
def providers() -> dict[str, Any]:
    """PUE defaults and market-based claims per cloud provider, with sources."""
    return json.loads(read_text("providers.json"))


@functools.cache
def tz_countries() -> dict[str, str]:
    """IANA time-zone name -> ISO 3166-1 alpha-2 country (IANA zone.tab)."""
    return {row["tz"]: row["country"] for row in read_csv("tz_countries.csv")}
