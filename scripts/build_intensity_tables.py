#!/usr/bin/env python3
"""Build carbontrail's grid-intensity tables from the sourced reference files.

Reads ``<data>/reference`` (default: ``../shared/data`` relative to the repo
root; override with ``--data``) and the IANA time-zone tables (``--tzdata``,
default ``/usr/share/zoneinfo``), writes compact CSV/JSON under
``src/carbontrail/data/intensity/``. Every value keeps its source id and year;
``sources.csv`` says what each source id is, its licence, and whether it is
lifecycle or direct, generation- or consumption-based.

Electricity Maps yearly figures (ODbL 1.0) go to a separate file,
``electricitymaps_yearly.csv``, with its own licence notice.

Run:  python scripts/build_intensity_tables.py [--data DIR] [--tzdata DIR]
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import re
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(HERE))
from intensity_cloud_regions import REGIONS  # noqa: E402

OUT = REPO / "src" / "carbontrail" / "data" / "intensity"

# short labels shown next to figures (id -> label)
SHORT = {
    "owid-codecarbon": "OWID (Ember, EI) via CodeCarbon",
    "owid-grapher": "OWID (Ember, EI)",
    "green-algorithms": "Green Algorithms v3.0",
    "egrid-nrel": "US EPA eGRID via NREL",
    "egrid2016-codecarbon": "US EPA eGRID2016 via CodeCarbon",
    "nordic-codecarbon": "ENTSO-E averages via CodeCarbon",
    "gcp-region-carbon-info": "Google Cloud region-carbon-info",
    "electricitymaps-yearly": "Electricity Maps yearly (ODbL)",
}

# Provider PUE defaults. Cloud figures: the PUE_AVG constants of Cloud Carbon Footprint
# (cloud-carbon-footprint/cloud-carbon-footprint @ b7a049c7d25c0022919ab9010199dd9e77aa4577,
# packages/{aws,gcp,azure}/src/domain/*FootprintEstimationConstants.ts, Apache-2.0), which
# follow the providers' own sustainability reports; unknown / on-premises: Uptime Institute
# 2024 Global Data Center Survey average, as carried by Green Algorithms defaults_PUE.csv.
PUE = {
    "gcp": (1.1, "Google fleet-wide PUE as used by Cloud Carbon Footprint (PUE_AVG, commit b7a049c7d25c)"),
    "aws": (1.135, "AWS PUE as used by Cloud Carbon Footprint (PUE_AVG, commit b7a049c7d25c)"),
    "azure": (1.185, "Azure PUE as used by Cloud Carbon Footprint (PUE_AVG, commit b7a049c7d25c)"),
}

# id, title, url, licence, scope, basis, note
SOURCES = [
    ("owid-codecarbon", "OWID energy-data carbon_intensity_elec (Ember, Energy Institute) via CodeCarbon global_energy_mix.json",
     "https://github.com/mlco2/codecarbon/blob/b05965e43b690cdc53787c7577adbe6e2caf4ed9/codecarbon/data/private_infra/global_energy_mix.json",
     "CC BY 4.0 (OWID); carrier MIT", "lifecycle", "generation",
     "annual average; year differs by country"),
    ("owid-grapher", "OWID grapher carbon-intensity-electricity (Ember, Energy Institute)",
     "https://ourworldindata.org/grapher/carbon-intensity-electricity",
     "CC BY 4.0 (OWID)", "lifecycle", "generation", "annual average, latest year per entity"),
    ("green-algorithms", "Green Algorithms CI_aggregated v3.0 (carbonfootprint.com March 2022 compilation and others)",
     "https://github.com/GreenAlgorithms/green-algorithms-tool/blob/30df2feead1c7f5db87a3d86ca1239470a0cd415/data/latest/CI_aggregated.csv",
     "CC BY 4.0", "mixed", "generation",
     "mixed sources and years; some factors include T&D losses"),
    ("egrid-nrel", "US EPA eGRID subregion CO2 output emission rate via NREL OpenStudio measures",
     "https://github.com/NREL/openstudio-common-measures-gem/blob/082fd478b687b6ea89b862bcf05b3b64c71358a9/lib/measures/add_ems_emissions_reporting/resources/historical_annual_subregion.csv",
     "US public domain (eGRID)", "direct", "generation", "CO2 only, kg/MWh = g/kWh, no grid losses"),
    ("egrid2016-codecarbon", "US EPA eGRID2016 state CO2 output emission rate via CodeCarbon usa_emissions.json",
     "https://github.com/mlco2/codecarbon/blob/b05965e43b690cdc53787c7577adbe6e2caf4ed9/codecarbon/data/private_infra/2016/usa_emissions.json",
     "US public domain (eGRID); carrier MIT", "direct", "generation", "lbs/MWh converted x 0.45359237"),
    ("nordic-codecarbon", "ENTSO-E historical averages per Nordic bidding zone via CodeCarbon nordic_emissions.json",
     "https://github.com/mlco2/codecarbon/blob/b05965e43b690cdc53787c7577adbe6e2caf4ed9/codecarbon/data/private_infra/nordic_emissions.json",
     "MIT (carrier)", "unspecified", "generation", "coarse: one value for all SE and NO zones"),
    ("gcp-region-carbon-info", "Google Cloud region-carbon-info (Google's per-region grid carbon intensity)",
     "https://github.com/GoogleCloudPlatform/region-carbon-info/tree/49f3f26bfd682305e8d9b572fea1f811900421a9/data/yearly",
     "Apache-2.0", "lifecycle", "location-based",
     "2019-2020 files say 'Lifecycle grid carbon intensity'; 2021+ 'Grid carbon intensity' (method changed)"),
    ("electricitymaps-yearly", "Electricity Maps yearly data via co2.js",
     "https://github.com/thegreenwebfoundation/co2.js/tree/27cbe8328aeaad0824fb07b3640dc45b72228c7b/data/output/electricity-maps",
     "ODbL 1.0 (Electricity Maps)", "lifecycle", "consumption", "flow-traced; separate file under its own licence"),
]

EGRID_NAMES = {
    "AKGD": "ASCC Alaska Grid", "AKMS": "ASCC Miscellaneous", "AZNM": "WECC Southwest",
    "CAMX": "WECC California", "ERCT": "ERCOT All", "FRCC": "FRCC All", "HIMS": "HICC Miscellaneous",
    "HIOA": "HICC Oahu", "MROE": "MRO East", "MROW": "MRO West", "NEWE": "NPCC New England",
    "NWPP": "WECC Northwest", "NYCW": "NPCC NYC/Westchester", "NYLI": "NPCC Long Island",
    "NYUP": "NPCC Upstate NY", "RFCE": "RFC East", "RFCM": "RFC Michigan", "RFCW": "RFC West",
    "RMPA": "WECC Rockies", "SPNO": "SPP North", "SPSO": "SPP South", "SRMV": "SERC Mississippi Valley",
    "SRMW": "SERC Midwest", "SRSO": "SERC South", "SRTV": "SERC Tennessee Valley",
    "SRVC": "SERC Virginia/Carolina",
}


def read_text(path: Path) -> str:
    return path.read_text(encoding="utf-8-sig")


def clean(name: str) -> str:
    return re.sub(r"\s+", " ", name).strip()


def build_providers(ref: Path) -> dict:
    """PUE defaults and market-based claims per provider, each with its source."""
    lines = read_text(ref / "green-algorithms/latest/defaults_PUE.csv").splitlines()
    ga_pue = {r["provider"]: r for r in csv.DictReader(io.StringIO("\n".join(lines[1:])))}
    unknown = ga_pue["Unknown"]
    lines = read_text(ref / "green-algorithms/latest/servers_offset.csv").splitlines()
    offsets = {r["provider"]: float(r["offsetRatio"]) for r in csv.DictReader(io.StringIO("\n".join(lines[1:])))}
    out = {"pue": {"unknown": {"pue": float(unknown["PUE"]),
                               "source": "Uptime Institute Global Data Center Survey 2024 average, via Green Algorithms "
                                         "defaults_PUE.csv (CC BY 4.0)",
                               "url": unknown["source"].split(" ", 1)[-1].strip()}},
           "claims": {}}
    for p, (value, source) in PUE.items():
        out["pue"][p] = {"pue": value, "source": source,
                         "url": "https://github.com/cloud-carbon-footprint/cloud-carbon-footprint"}
        out["claims"][p] = {
            "offset_ratio_percent": offsets[p],
            "offset_source": "Green Algorithms servers_offset.csv v3.0 (CC BY 4.0): share of emissions "
                             "the provider claims to offset or match with renewable purchases",
        }
    return out


def build(data: Path, tzdata: Path) -> dict[str, int]:
    ref = data / "reference"
    locations: dict[str, dict] = {}
    annual: list[tuple] = []  # code, g_per_kwh, year, source, rank

    def add_loc(code: str, name: str, kind: str, country: str | None, grid_zone: str | None,
                aliases=(), provider: str = "", region: str = "", parent: str = "") -> None:
        loc = locations.get(code)
        if loc is None:
            loc = locations[code] = {"code": code, "name": name, "kind": kind, "country": country or "",
                                     "grid_zone": grid_zone or "", "provider": provider, "region": region,
                                     "parent": parent, "aliases": []}
        for a in aliases:
            a = clean(a)
            if a and a.lower() != code.lower() and a not in loc["aliases"]:
                loc["aliases"].append(a)

    # -- countries: IANA iso3166.tab (public domain) + alpha-3 and names from data files
    for line in read_text(tzdata / "iso3166.tab").splitlines():
        if line.startswith("#") or not line.strip():
            continue
        a2, name = line.split("\t")[:2]
        add_loc(a2, clean(name), "country", a2, a2)
    add_loc("GB", "United Kingdom", "country", "GB", "GB", ["UK", "United Kingdom", "Great Britain", "Britain (UK)"])
    locations["GB"]["name"] = "United Kingdom"
    # ISO alpha-3 codes the co2.js table lacks (ISO 3166-1; OWID uses OWID_KOS for Kosovo)
    a3_to_a2: dict[str, str] = {"ESH": "EH", "HKG": "HK", "MAC": "MO", "TWN": "TW", "OWID_KOS": "XK"}
    marg = json.loads(read_text(ref / "co2js/output/marginal-intensities-2021.json"))
    for row in marg.values():
        a2, a3 = row.get("country_code_iso_2"), row.get("country_code_iso_3")
        if a2 in locations and a3:
            a3_to_a2[a3] = a2
            name = row.get("Country / Territory / Island", "")
            if isinstance(name, list):
                name = name[0]
            add_loc(a2, "", "country", a2, a2, [a3, name])
    mix = json.loads(read_text(ref / "codecarbon/private_infra/global_energy_mix.json"))
    for a3, row in mix.items():
        a2 = a3_to_a2.get(a3)
        if a2 is None:
            print(f"  note: no alpha-2 code for {a3} {row['country_name']}; skipped", file=sys.stderr)
            continue
        add_loc(a2, "", "country", a2, a2, [row["country_name"]])
        annual.append((a2, round(float(row["carbon_intensity"]), 3), int(row["year"]), "owid-codecarbon", 10))

    grapher: dict[str, tuple[int, float, str]] = {}
    with open(ref / "owid-iea-via-twsaf1-sys/carbon-intensity-electricity.csv", encoding="utf-8-sig") as fh:
        for row in csv.DictReader(fh):
            code = row["Code"]
            if not code:
                continue
            year, value = int(row["Year"]), float(row["Carbon intensity of electricity - gCO2/kWh"])
            if code not in grapher or year > grapher[code][0]:
                grapher[code] = (year, value, row["Entity"])
    add_loc("WORLD", "World average", "world", None, None, ["World", "Global", "Earth"])
    for code, (year, value, entity) in grapher.items():
        if code == "OWID_WRL":
            annual.append(("WORLD", round(value, 3), year, "owid-grapher", 10))
            continue
        a2 = a3_to_a2.get(code)
        if a2 is None:
            continue
        add_loc(a2, "", "country", a2, a2, [entity])
        annual.append((a2, round(value, 3), year, "owid-grapher", 20))

    # -- Electricity Maps zones (names only here; figures go to the separate ODbL file)
    em_rows: list[tuple] = []
    for f in sorted((ref / "co2js/output/electricity-maps").glob("yearly_*.json")):
        year = int(f.stem.split("_")[1])
        for zone, row in json.loads(read_text(f)).items():
            z = row.get("zone", {})
            name = z.get("displayName") or z.get("zoneName") or zone
            if zone not in locations:
                country = zone.split("-")[0] if re.match(r"^[A-Z]{2}-", zone) else None
                add_loc(zone, name, "zone", country, zone, [z.get("zoneName", "")], parent=country or "")
            ci = row.get("carbonIntensity", {}).get("value")
            if ci is None:
                continue
            em_rows.append((zone, ci, year, row.get("carbonFreeEnergy", {}).get("value"),
                            row.get("renewableEnergy", {}).get("value")))
    for num in range(1, 5):
        add_loc(f"SE-SE{num}", f"Sweden bidding zone SE{num}", "zone", "SE", f"SE-SE{num}", [f"SE{num}"], parent="SE")
    for num in range(1, 6):
        add_loc(f"NO-NO{num}", f"Norway bidding zone NO{num}", "zone", "NO", f"NO-NO{num}", [f"NO{num}"], parent="NO")
    for num in (1, 2):
        add_loc(f"DK-DK{num}", f"Denmark bidding zone DK{num}", "zone", "DK", f"DK-DK{num}", [f"DK{num}"], parent="DK")

    # UK Carbon Intensity API regions (DNO areas; names from the API's region list)
    uk_regions = ["North Scotland", "South Scotland", "North West England", "North East England", "Yorkshire",
                  "North Wales & Merseyside", "South Wales", "West Midlands", "East Midlands", "East England",
                  "South West England", "South England", "London", "South East England", "England", "Scotland",
                  "Wales"]
    for rid, name in enumerate(uk_regions, start=1):
        add_loc(f"GB-REGION-{rid}", f"{name} (UK Carbon Intensity region {rid})", "zone", "GB",
                f"GB-REGION-{rid}", [f"{name}, GB"] if name in ("England", "Scotland", "Wales") else [name],
                parent="GB")

    # -- Green Algorithms: sub-national regions (US states, Canadian provinces, Australian states ...)
    lines = read_text(ref / "green-algorithms/latest/CI_aggregated.csv").splitlines()
    for row in csv.DictReader(io.StringIO("\n".join(lines[1:]))):
        code, value = row["location"].strip(), row["carbonIntensity"].strip()
        if not code or not value:
            continue
        text = row["source"] + " " + row["comments"]
        m = re.search(r"data from (?:[A-Za-z]+ )?(\d{4})", text, re.I) or re.search(r"based on (\d{4}) data", text)
        if m is None:
            print(f"  note: Green Algorithms {code}: no data year stated; row skipped", file=sys.stderr)
            continue
        year = int(m.group(1))
        if code == "WORLD":
            annual.append(("WORLD", float(value), year, "green-algorithms", 30))
            continue
        if code == "CN-HK":
            code = "HK"
        if code not in locations:
            country = code.split("-")[0]
            kind = {"US": "state", "CA": "province", "AU": "state"}.get(country, "zone")
            add_loc(code, clean(row["regionName"]), kind, country, code,
                    [f"{row['regionName']}, {row['countryName']}"], parent=country)
        elif "-" in code and code.startswith(("US-", "CA-", "AU-")):
            add_loc(code, "", "state", None, None, [clean(row["regionName"])])
        annual.append((code, float(value), year, "green-algorithms", 30))

    # -- US states: eGRID2016 via CodeCarbon (lb/MWh -> g/kWh)
    usa = json.loads(read_text(ref / "codecarbon/private_infra/2016/usa_emissions.json"))
    for state, row in usa.items():
        if not isinstance(row, dict) or "regionCode" not in row:
            continue
        try:
            lbs_per_mwh = float(row["emissions"])
        except (TypeError, ValueError):
            continue
        code = "US-" + row["regionCode"]
        add_loc(code, state.title(), "state", "US", code, [state.title()], parent="US")
        annual.append((code, round(lbs_per_mwh * 0.45359237, 3), 2016, "egrid2016-codecarbon", 40))

    # -- eGRID subregions (kg/MWh = g/kWh CO2), latest year
    latest: dict[str, tuple[int, float]] = {}
    with open(ref / "nrel-egrid-cambium/historical_annual_subregion.csv", encoding="utf-8-sig") as fh:
        for row in csv.DictReader(fh):
            sub, year, rate = row["subregion"], int(row["year"]), float(row["co2_rate"])
            if sub not in latest or year > latest[sub][0]:
                latest[sub] = (year, rate)
    for sub, (year, rate) in sorted(latest.items()):
        add_loc(sub, f"eGRID subregion {sub} ({EGRID_NAMES.get(sub, sub)})", "egrid", "US", sub,
                [f"egrid:{sub}", f"EGRID-{sub}", EGRID_NAMES.get(sub, "")], parent="US")
        annual.append((sub, rate, year, "egrid-nrel", 10))

    # -- Nordic bidding zones (CodeCarbon, ENTSO-E averages)
    nordic = json.loads(read_text(ref / "codecarbon/private_infra/nordic_emissions.json"))["data"]
    for key, row in nordic.items():
        code = f"{key[:2]}-{key}" if re.match(r"^(SE|NO)\d$", key) else key
        annual.append((code, float(row["emission_factor"]), int(row["year"]), "nordic-codecarbon",
                       10 if code != key else 40))

    # -- Google Cloud official figures, every year
    gcp_rows: list[tuple] = []
    for f in sorted((ref / "gcp-region-carbon-info/yearly").glob("*.csv")):
        year = int(f.stem)
        with open(f, encoding="utf-8-sig") as fh:
            reader = csv.reader(fh)
            header = next(reader)
            scope = "lifecycle" if "Lifecycle" in header[3] else "not stated"
            for r in reader:
                if not r or not r[0].strip():
                    continue
                cfe = float(r[2]) if r[2].strip() else None
                ci = float(r[3]) if r[3].strip() else None
                if ci is None:
                    continue
                gcp_rows.append((r[0].strip(), year, ci, "" if cfe is None else cfe, clean(r[1]), scope))

    # -- cloud regions: check coverage against every region list in the reference data
    known = {(p, r[0]) for p, rows in REGIONS.items() for r in rows}
    display = {(p, r[1].lower()) for p, rows in REGIONS.items() for r in rows}
    missing = []
    for region, *_ in gcp_rows:
        if ("gcp", region) not in known:
            missing.append(("gcp", region))
    with open(ref / "mlco2-impact/impact.csv", encoding="utf-8-sig") as fh:
        for row in csv.DictReader(fh):
            if row["provider"] in REGIONS and (row["provider"], row["region"]) not in known:
                missing.append((row["provider"], row["region"]))
    with open(ref / "ccf-coefficients/data/grid-emissions-factors-aws.csv", encoding="utf-8-sig") as fh:
        for row in csv.DictReader(fh):
            if ("aws", row["Region"]) not in known:
                missing.append(("aws", row["Region"]))
    with open(ref / "ccf-coefficients/data/grid-emissions-factors-azure.csv", encoding="utf-8-sig") as fh:
        for row in csv.DictReader(fh):
            if ("azure", row["Region"].lower()) not in display:
                print(f"  note: CCF Azure region {row['Region']!r} not in the region list", file=sys.stderr)
    if missing:
        raise SystemExit(f"cloud regions missing from intensity_cloud_regions.py: {missing}")
    bare: dict[str, list[str]] = {}
    for p, rows in REGIONS.items():
        for region, *_ in rows:
            bare.setdefault(region.lower(), []).append(p)
    for p, rows in REGIONS.items():
        for region, name, city, country, zone in rows:
            code = f"{p}:{region}"
            if zone not in locations:
                raise SystemExit(f"{code}: grid zone {zone} is not a known location")
            aliases = [f"{p}:{name}", f"{p}:{name.replace(' ', '').lower()}", f"{p} {name}"]
            if len(bare[region.lower()]) == 1 and region.upper() not in locations:
                aliases.append(region)
            label = {"aws": "AWS", "gcp": "Google Cloud", "azure": "Azure"}[p]
            where = "" if city.lower() == name.lower() else f" ({city})"
            add_loc(code, f"{label} {name}{where}",
                    "cloud", country, zone, aliases, provider=p, region=region, parent=zone)

    # -- time zones -> countries (IANA zone.tab, public domain)
    tz_rows = []
    for line in read_text(tzdata / "zone.tab").splitlines():
        if line.startswith("#") or not line.strip():
            continue
        parts = line.split("\t")
        tz_rows.append((parts[2], parts[0]))

    # drop locations without names (should not happen) and write
    OUT.mkdir(parents=True, exist_ok=True)
    with open(OUT / "sources.csv", "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(["id", "short", "title", "url", "licence", "scope", "basis", "note"])
        w.writerows((r[0], SHORT[r[0]], *r[1:]) for r in SOURCES)
    providers = build_providers(ref)
    (OUT / "providers.json").write_text(json.dumps(providers, indent=1, ensure_ascii=False) + "\n",
                                        encoding="utf-8")
    with open(OUT / "locations.csv", "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(["code", "name", "kind", "country", "grid_zone", "provider", "region", "parent", "aliases"])
        for loc in sorted(locations.values(), key=lambda d: (d["kind"] == "cloud", d["code"])):
            w.writerow([loc["code"], loc["name"] or loc["code"], loc["kind"], loc["country"], loc["grid_zone"],
                        loc["provider"], loc["region"], loc["parent"], "|".join(loc["aliases"])])
    with open(OUT / "annual.csv", "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(["code", "g_per_kwh", "year", "source", "rank"])
        for row in sorted(annual, key=lambda r: (r[0], r[4], -(r[2] or 0))):
            w.writerow([row[0], f"{row[1]:g}", row[2] if row[2] is not None else "", row[3], row[4]])
    with open(OUT / "gcp_regions.csv", "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(["region", "year", "g_per_kwh", "google_cfe", "location", "scope"])
        w.writerows(sorted(gcp_rows))
    with open(OUT / "electricitymaps_yearly.csv", "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(["zone", "g_per_kwh", "year", "cfe_percent", "renewable_percent"])
        w.writerows(sorted(em_rows))
    with open(OUT / "tz_countries.csv", "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(["tz", "country"])
        w.writerows(sorted(tz_rows))
    return {"locations": len(locations), "annual": len(annual), "gcp": len(gcp_rows),
            "electricitymaps": len(em_rows), "tz": len(tz_rows)}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", type=Path, default=REPO.parent / "shared" / "data",
                    help="the shared data folder holding reference/ (default: ../shared/data)")
    ap.add_argument("--tzdata", type=Path, default=Path("/usr/share/zoneinfo"),
                    help="folder with the IANA iso3166.tab and zone.tab")
    args = ap.parse_args(argv)
    if not (args.data / "reference").is_dir():
        print(f"error: {args.data / 'reference'} not found; pass --data DIR", file=sys.stderr)
        return 2
    counts = build(args.data, args.tzdata)
    print("wrote " + ", ".join(f"{k} {v}" for k, v in counts.items()) + f" rows to {OUT.relative_to(REPO)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
