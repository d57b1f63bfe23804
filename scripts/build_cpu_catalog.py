#!/usr/bin/env python3
"""Build carbontrail's CPU catalog (package data) from sourced raw files.

Inputs (default ``../shared/data/reference`` relative to the repository root,
override with ``--reference DIR``):

- ``codecarbon/hardware/cpu_power.csv`` (mlco2/codecarbon @b05965e4, MIT):
  CPU name -> TDP [W], scraped from Intel ARK and AMD specification pages.
- ``green-algorithms/latest/TDP_cpu.csv`` (GreenAlgorithms/green-algorithms-tool
  @30df2fee, CC BY 4.0; Lannelongue, Grealey & Inouye 2021): model, TDP, cores;
  its "Any" row is the per-core TDP default used for unknown CPUs.
- ``green-algorithms/latest/referenceValues.csv``: memoryPower [W/GB].
- ``ccf-coefficients/output/coefficients-aws-use.csv`` (Cloud Carbon Footprint
  @b0032d92, Apache-2.0): per-vCPU min/max watts per microarchitecture from
  SPECpower_ssj2008; the median min/max ratio is our idle floor fraction.

Outputs, under ``src/carbontrail/data/hardware/``: ``cpus.csv`` (name, vendor,
tdp_w, cores, source, key = the normalised name, precomputed so loading stays fast) and ``cpus_meta.json`` (sources and cited defaults).
Vendor is taken from the name; CodeCarbon rows without an Intel/Apple prefix
come from its AMD scrapes and are marked ``amd``. Rows whose normalised name
repeats keep the first TDP; conflicts are printed.

Run: ``python scripts/build_cpu_catalog.py [--reference DIR] [--out DIR]``.
The output is committed; tests never need the raw files.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import statistics
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "src"))

from carbontrail.hardware.cpus import normalise, vendor_of  # noqa: E402

DEFAULT_REFERENCE = REPO.parent / "shared" / "data" / "reference"
DEFAULT_OUT = REPO / "src" / "carbontrail" / "data" / "hardware"

SOURCES = {
    "codecarbon": {
        "title": "CodeCarbon cpu_power.csv (Intel ARK / AMD spec scrapes), mlco2/codecarbon @b05965e4",
        "url": "https://github.com/mlco2/codecarbon/blob/b05965e43b690cdc53787c7577adbe6e2caf4ed9/codecarbon/data/hardware/cpu_power.csv",
        "licence": "MIT", "year": 2026,
    },
    "green-algorithms": {
        "title": "Green Algorithms TDP_cpu.csv v3.0, Lannelongue, Grealey & Inouye (2021), "
                 "Adv. Sci. 8, 2100707, GreenAlgorithms/green-algorithms-tool @30df2fee",
        "url": "https://github.com/GreenAlgorithms/green-algorithms-tool/blob/30df2feead1c7f5db87a3d86ca1239470a0cd415/data/latest/TDP_cpu.csv",
        "licence": "CC BY 4.0", "year": 2025,
    },
}


def read_codecarbon(ref: Path) -> list[dict]:
    rows = []
    with open(ref / "codecarbon" / "hardware" / "cpu_power.csv", newline="", encoding="utf-8-sig") as fh:
        for r in csv.DictReader(fh):
            name = " ".join(r["Name"].split())
            try:
                tdp = float(r["TDP"])
            except ValueError:
                print(f"  skipped {name!r}: unreadable TDP {r['TDP']!r}", file=sys.stderr)
                continue
            if not name or tdp <= 0:
                continue
            vendor = vendor_of(name)
            if name.lower().startswith("intel"):
                vendor = "intel"
            elif name.lower().startswith("apple"):
                vendor = "apple"
            elif vendor is None or vendor == "amd":
                vendor = "amd"      # the rows without a vendor prefix come from CodeCarbon's AMD scrapes
            rows.append({"name": name, "vendor": vendor, "tdp_w": tdp, "cores": None,
                         "source": "codecarbon"})
    return rows


def _ga_lines(path: Path) -> list[dict]:
    text = path.read_text(encoding="utf-8-sig")
    lines = text.splitlines()[1:]        # row 1 holds units, row 2 the column names
    return list(csv.DictReader(io.StringIO("\n".join(lines))))


def read_green_algorithms(ref: Path) -> tuple[list[dict], float]:
    rows, per_core = [], None
    for r in _ga_lines(ref / "green-algorithms" / "latest" / "TDP_cpu.csv"):
        model = " ".join((r.get("model") or "").split())
        if model == "Any":
            per_core = float(r["TDP_per_core"])
            continue
        if not model or not (r.get("TDP") or "").strip():
            continue
        rows.append({"name": model, "vendor": vendor_of(model) or ("amd" if model.startswith("AMD") else None),
                     "tdp_w": float(r["TDP"]), "cores": int(r["n_cores"]) if r.get("n_cores") else None,
                     "source": "green-algorithms"})
    if per_core is None:
        raise SystemExit("TDP_cpu.csv has no 'Any' row: cannot cite a per-core default")
    return rows, per_core


def read_memory_power(ref: Path) -> tuple[float, str]:
    for r in _ga_lines(ref / "green-algorithms" / "latest" / "referenceValues.csv"):
        if r["variable"] == "memoryPower":
            return float(r["value"]), r["source"]
    raise SystemExit("referenceValues.csv has no memoryPower row")


def read_idle_fraction(ref: Path) -> tuple[float, int]:
    with open(ref / "ccf-coefficients" / "output" / "coefficients-aws-use.csv", newline="") as fh:
        ratios = [float(r["Min Watts"]) / float(r["Max Watts"]) for r in csv.DictReader(fh)]
    return round(statistics.median(ratios), 3), len(ratios)


def merge(cc: list[dict], ga: list[dict]) -> list[dict]:
    by_key: dict[str, dict] = {}
    out: list[dict] = []
    for r in cc:
        key = normalise(r["name"])
        if key in by_key:
            if by_key[key]["tdp_w"] != r["tdp_w"]:
                print(f"  duplicate name {r['name']!r}: kept {by_key[key]['tdp_w']} W, "
                      f"dropped {r['tdp_w']} W", file=sys.stderr)
            continue
        by_key[key] = r
        out.append(r)
    added = enriched = 0
    for g in ga:
        key = normalise(g["name"])
        twin = by_key.get(key)
        if twin is None:   # "AMD 7552" vs "AMD EPYC 7552": same vendor, same model tokens, unique
            toks = sorted(t for t in key.split() if any(c.isdigit() for c in t))
            same = [r for r in out if r["vendor"] == g["vendor"]
                    and sorted(t for t in normalise(r["name"]).split() if any(c.isdigit() for c in t)) == toks]
            twin = same[0] if len(same) == 1 else None
        if twin is not None:
            if twin["cores"] is None and g["cores"]:
                twin["cores"] = g["cores"]
                enriched += 1
            if abs(twin["tdp_w"] - g["tdp_w"]) > 0.1 * g["tdp_w"]:
                # checked by hand for the four such rows (Intel ARK, AMD product pages):
                # the CodeCarbon figure is the vendor's, so it is kept
                print(f"  TDP differs: {twin['name']} {twin['tdp_w']} W (codecarbon, kept) vs "
                      f"{g['name']} {g['tdp_w']} W (green-algorithms)", file=sys.stderr)
            continue
        by_key.setdefault(key, g)
        out.append(g)
        added += 1
    print(f"  green-algorithms: {enriched} rows enriched with cores, {added} rows added", file=sys.stderr)
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--reference", type=Path, default=DEFAULT_REFERENCE)
    ap.add_argument("--out", type=Path, default=DEFAULT_OUT)
    args = ap.parse_args(argv)
    ref = args.reference
    if not ref.is_dir():
        print(f"no reference data at {ref}; pass --reference DIR", file=sys.stderr)
        return 2
    cc = read_codecarbon(ref)
    ga, per_core_w = read_green_algorithms(ref)
    rows = merge(cc, ga)
    rows.sort(key=lambda r: (r["vendor"] or "", r["name"].lower()))
    mem_w_per_gb, mem_src = read_memory_power(ref)
    idle, n_arch = read_idle_fraction(ref)
    args.out.mkdir(parents=True, exist_ok=True)
    with open(args.out / "cpus.csv", "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(["name", "vendor", "tdp_w", "cores", "source", "key"])
        for r in rows:
            tdp = r["tdp_w"]
            w.writerow([r["name"], r["vendor"] or "", f"{tdp:g}", r["cores"] or "", r["source"],
                        normalise(r["name"])])
    meta = {
        "sources": SOURCES,
        "defaults": {
            "tdp_per_core_w": {
                "value": per_core_w,
                "source": "Green Algorithms TDP_cpu.csv v3.0, row 'Any' (default TDP per core for an "
                          "unknown CPU), Lannelongue et al. 2021, CC BY 4.0",
                "year": 2025,
            },
            "idle_fraction": {
                "value": idle,
                "source": f"median of Min/Max Watts per vCPU over {n_arch} CPU microarchitectures, Cloud "
                          "Carbon Footprint coefficients-aws-use.csv @b0032d92 (from SPECpower_ssj2008 "
                          "results; Apache-2.0)",
                "year": 2026,
            },
            "ram_w_per_gb": {
                "value": mem_w_per_gb,
                "source": f"Green Algorithms referenceValues.csv memoryPower, Lannelongue et al. 2021, "
                          f"CC BY 4.0 (their source: {mem_src.replace('in W/GB from ', '')})",
                "year": 2021,
            },
        },
    }
    (args.out / "cpus_meta.json").write_text(json.dumps(meta, indent=1) + "\n", encoding="utf-8")
    print(f"wrote {len(rows)} CPUs to {args.out / 'cpus.csv'}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
