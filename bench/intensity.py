#!/usr/bin/env python3
"""Benchmark the intensity layer; prints a table of figures (not a test).

- `import carbontrail` time (tables must load lazily, on first use)
- cold load of the packaged tables (fresh interpreter)
- location lookup time
- point lookup and resampling on a year of 5-minute data: the CAISO_NORTH
  WattTime 2019 series from ../shared/data when present (never shipped), else synthetic

Run: python bench/intensity.py [--data ../shared/data]
"""

from __future__ import annotations

import argparse
import io
import subprocess
import sys
import time
import zipfile
from datetime import datetime, timezone
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parent.parent


def fresh(code: str) -> float:
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return float(out.stdout.strip())


def year_series(data: Path):
    from carbontrail.intensity.series import IntensitySeries, read_series

    z = data / "intensity" / "watttime-carbon-awareAPI" / "CAISO_NORTH_historical.zip"
    if z.is_file():
        with zipfile.ZipFile(z) as zf:
            names = sorted(n for n in zf.namelist() if "_2019-" in n)
            header, rows = None, []
            for n in names:
                lines = zf.read(n).decode().splitlines()
                header = lines[0]
                rows += lines[1:]
        import tempfile

        with tempfile.NamedTemporaryFile("w", suffix=".csv", delete=False) as fh:
            fh.write(header + "\n" + "\n".join(rows) + "\n")
        t = time.perf_counter()
        s = read_series(fh.name)
        read_s = time.perf_counter() - t
        Path(fh.name).unlink()
        return s, f"WattTime CAISO_NORTH 2019 ({len(s)} points)", read_s
    start = datetime(2023, 1, 1, tzinfo=timezone.utc).timestamp()
    n = 365 * 288
    starts = start + 300.0 * np.arange(n)
    rng = np.random.default_rng(0)
    vals = 300 + 100 * np.sin(np.arange(n) / 288 * 2 * np.pi) + rng.normal(0, 10, n).clip(-200, 200)
    return IntensitySeries(starts, starts + 300, vals, source="synthetic"), f"synthetic ({n} points)", float("nan")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", type=Path, default=REPO.parent / "shared" / "data")
    args = ap.parse_args()
    rows = []
    imp = min(fresh("import time;t=time.perf_counter();import carbontrail;print(time.perf_counter()-t)")
              for _ in range(3))
    loaded = subprocess.run([sys.executable, "-c", "import sys,carbontrail;print('carbontrail.intensity._data' in "
                             "sys.modules)"], capture_output=True, text=True).stdout.strip()
    rows.append(("import carbontrail", f"{imp * 1e3:.1f} ms", f"tables loaded at import: {loaded}"))
    cold = min(fresh("import time;t=time.perf_counter();from carbontrail.intensity.locations import resolve_location;"
                     "from carbontrail.intensity.tables import annual_intensity;"
                     "annual_intensity(resolve_location('FR'));print(time.perf_counter()-t)") for _ in range(3))
    rows.append(("cold load + first lookup", f"{cold * 1e3:.1f} ms", "locations, annual tables, fresh process"))

    from carbontrail.intensity.locations import resolve_location
    from carbontrail.intensity.tables import annual_intensity

    queries = ["FR", "france", "aws:us-east-1", "azure:West Europe", "US-CAL-CISO", "gcp:europe-west6"] * 500
    t = time.perf_counter()
    for q in queries:
        annual_intensity(resolve_location(q))
    per = (time.perf_counter() - t) / len(queries)
    rows.append(("resolve + annual_intensity", f"{per * 1e6:.1f} us", "warm, per call"))

    s, label, read_s = year_series(args.data)
    if read_s == read_s:
        rows.append(("read_series (year, 5 min)", f"{read_s * 1e3:.0f} ms", label))
    rng = np.random.default_rng(1)
    ts = rng.uniform(s.starts()[0], s.ends()[-1], 100_000)
    t = time.perf_counter()
    for x in ts:
        s.index_at(float(x))
    rows.append(("point lookup (index_at)", f"{(time.perf_counter() - t) / len(ts) * 1e6:.2f} us", label))
    t = time.perf_counter()
    for x in ts[:20_000]:
        s.at(float(x))
    rows.append(("point lookup (at -> IntensityPoint)", f"{(time.perf_counter() - t) / 20_000 * 1e6:.2f} us", label))
    for slot in (900, 3600):
        t = time.perf_counter()
        r = s.resample(slot)
        rows.append((f"resample to {slot // 60} min", f"{(time.perf_counter() - t) * 1e3:.1f} ms",
                     f"{len(r)} slots; mean {r.mean():.1f} vs {s.mean():.1f}"))
    w = max(len(r[0]) for r in rows)
    print(f"{'what':<{w}}  {'time':>10}  notes")
    for name, val, note in rows:
        print(f"{name:<{w}}  {val:>10}  {note}")


if __name__ == "__main__":
    main()
