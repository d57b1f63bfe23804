"""Build ``src/carbontrail/data/equivalents.csv``: emission equivalents with source and year.

Reads the machine-readable figures from the shared reference folder
(``../shared/data/reference`` relative to the repository root, or the folder
given as the first argument):

- Green Algorithms ``referenceValues.csv`` (CC BY 4.0): car km (EU, US),
  economy flight passenger-km, tree-year, with the primary source each row names;
- carbontracker ``co2eq.csv`` (MIT): EEA average new car 2020.

The US EPA Greenhouse Gas Equivalencies Calculator (US public domain) has no
data file; its factors are transcribed below with the page vintage, as listed
in the reference SOURCES.md (carried by cloud-carbon-footprint and WaCSEshiny).
The world per-capita figure is Our World in Data's (CC BY 4.0) presentation of
the Global Carbon Budget 2023, year 2022.

Run: ``python scripts/build_equivalents.py [REFERENCE_DIR]``.
"""

from __future__ import annotations

import csv
import io
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "src" / "carbontrail" / "data" / "equivalents.csv"
FIELDS = ("id", "g_per_unit", "unit", "phrase", "pick", "low", "high", "source", "year", "licence", "url", "note")

EPA = "US EPA Greenhouse Gas Equivalencies Calculator, Calculations and References"
EPA_URL = "https://www.epa.gov/energy/greenhouse-gas-equivalencies-calculator-calculations-and-references"


def _ga_values(ref: Path) -> dict[str, tuple[float, str]]:
    path = ref / "green-algorithms" / "latest" / "referenceValues.csv"
    lines = path.read_text(encoding="utf-8").splitlines()[1:]  # first line is a title row
    out = {}
    for row in csv.DictReader(lines):
        out[row["variable"]] = (float(row["value"]), row["source"])
    return out


def _carbontracker(ref: Path) -> dict[str, tuple[float, str]]:
    path = ref / "carbontracker" / "co2eq.csv"
    return {r["name"]: (float(r["gCO2eq_per_unit"]), r["source"])
            for r in csv.DictReader(io.StringIO(path.read_text(encoding="utf-8")))}


def _url(text: str) -> str:
    return next((w for w in text.split() if w.startswith("http")), "")


def rows(ref: Path) -> list[dict[str, object]]:
    ga = _ga_values(ref)
    ct = _carbontracker(ref)
    ga_src = "Green Algorithms referenceValues.csv (green-algorithms-tool @30df2fee, CC BY 4.0)"
    out: list[dict[str, object]] = []

    def add(**kw: object) -> None:
        out.append({k: kw.get(k, "") for k in FIELDS})

    v, s = ga["passengerCar_EU_perkm"]
    add(id="car_km_eu", g_per_unit=v, unit="km", phrase="km driven by an average passenger car (EU)", pick=1,
        low=0.1, high=1e6, source=f"{ga_src}: Atmospheric Environment 2018 (S1352231018307295) and UK GHG "
        "conversion factors 2019", year=2019, licence="CC BY 4.0", url=_url(s),
        note="real-world fleet average, tailpipe CO2")
    v, s = ga["passengerCar_US_perkm"]
    add(id="car_km_us", g_per_unit=v, unit="km", phrase="km driven by an average passenger car (US)", pick=0,
        low=0.1, high=1e6, source=f"{ga_src}: US EPA typical passenger vehicle (404 g/mile)", year=2018,
        licence="CC BY 4.0", url=_url(s), note="EPA's older 404 g/mile; the 2023 page gives 393 g/mile")
    v, s = ct["eu_new_car_2020"]
    add(id="car_km_eu_new_2020", g_per_unit=v, unit="km", phrase="km driven by an average new car sold in the EU in 2020",
        pick=0, low=0.1, high=1e6, source="carbontracker co2eq.csv (MIT): EEA average CO2 of new passenger cars 2020",
        year=2020, licence="MIT", url=s, note="type-approval (WLTP/NEDC) value, below real-world driving")
    v, s = ga["flight_economy_perkm"]
    add(id="flight_pkm", g_per_unit=v, unit="passenger-km", phrase="passenger-km flown in economy class", pick=1,
        low=1, high=1e6, source=f"{ga_src}: UK GHG conversion factors 2020", year=2020, licence="CC BY 4.0",
        url=_url(s), note="range 139-244 g by haul; radiative forcing not stated")
    add(id="smartphone_charge", g_per_unit=8.22, unit="charges", phrase="smartphone charges", pick=1,
        low=1, high=1e5, source=f"{EPA} (8.22e-6 t CO2 per charge)", year=2021, licence="public domain (US)",
        url=EPA_URL, note="page vintages about 2017-2023; newer pages give 12.4 g per charge")
    v, s = ga["treeYear"]
    add(id="tree_year", g_per_unit=v, unit="tree-years", phrase="years of CO2 uptake by one tree", pick=1,
        low=0.1, high=1e5, source=f"{ga_src}: Nowak and Crane, Environmental Pollution 116(3), 2002 "
        "(S0269749101002640)", year=2002, licence="CC BY 4.0", url=_url(s),
        note="average urban tree in the USA, 11 kg CO2 per year")
    add(id="tree_seedling_10y", g_per_unit=60_500.0, unit="seedlings", phrase="urban tree seedlings grown for 10 years",
        pick=0, low=0.1, high=1e5, source=f"{EPA} (0.060 t CO2 per tree over 10 years)", year=2021,
        licence="public domain (US)", url=EPA_URL, note="survival-weighted, over 10 years, not per year")
    add(id="household_electricity_day", g_per_unit=round(5.139e6 / 365.0, 1), unit="household-days",
        phrase="days of an average US household's electricity use", pick=1, low=0.5, high=1e5,
        source=f"{EPA} (5.139 t CO2 per home per year / 365 days)", year=2021, licence="public domain (US)",
        url=EPA_URL, note="US home, eGRID average emission rate")
    add(id="gasoline_litre", g_per_unit=round(8887.0 / 3.785411784, 1), unit="litres",
        phrase="litres of petrol burned", pick=0, low=0.1, high=1e6,
        source=f"{EPA} (8.887 kg CO2 per US gallon / 3.785 L)", year=2021, licence="public domain (US)",
        url=EPA_URL, note="combustion CO2 only")
    add(id="person_year_world", g_per_unit=4.7e6, unit="person-years",
        phrase="of the average person's yearly CO2 emissions (world)", pick=1, low=0.0005, high=5,
        source="Our World in Data, CO2 emissions per capita, world 2022 (Global Carbon Budget 2023)",
        year=2022, licence="CC BY 4.0", url="https://ourworldindata.org/co2-emissions",
        note="fossil CO2 and cement only (4.7 t per person); shown as a share")
    return out


def main(argv: list[str]) -> int:
    ref = Path(argv[1]) if len(argv) > 1 else ROOT.parent / "shared" / "data" / "reference"
    if not ref.is_dir():
        print(f"reference folder not found: {ref}; give it as the first argument", file=sys.stderr)
        return 2
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=FIELDS, lineterminator="\n")
    w.writeheader()
    w.writerows(rows(ref))
    OUT.write_text(buf.getvalue(), encoding="utf-8")
    print(f"wrote {OUT.relative_to(ROOT)} ({len(rows(ref))} rows)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
