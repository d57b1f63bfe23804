"""Tracker overhead: import time, start time, steady CPU use, wall-time ratio.

Prints one table; when CodeCarbon is importable in the same interpreter, the
same figures for it side by side (``OfflineEmissionsTracker``, the closest
equivalent: no network, a fixed country).

Each figure comes from fresh subprocesses so imports and caches do not leak
between measurements:

- import: ``import carbontrail`` (and the tracker module), median of N runs.
- start: wall time of ``Tracker.start()`` (location, intensity, sensor
  detection and the first reading) until the first sample exists.
- steady CPU: process CPU time while the tracker samples and the main thread
  sleeps (after a 2.5 s warm-up), minus the same process without a tracker,
  as a percentage of one core, at 1 Hz and 10 Hz. Store flushes included.
- wall ratio: a fixed CPU-bound job tracked at 1 Hz vs untracked (median of
  alternating repetitions).

Targets (issue 2): import <= 50 ms, start <= 50 ms, steady <= 0.05 % of a
core at 1 Hz, wall ratio <= 1.01.

Usage: python bench/overhead.py [--quick]
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import statistics
import subprocess
import sys
import tempfile
import textwrap

PY = sys.executable


def run_py(code: str, env: dict[str, str] | None = None) -> dict:
    out = subprocess.run([PY, "-c", textwrap.dedent(code)], capture_output=True, text=True,
                         env=env, timeout=600)
    if out.returncode != 0:
        raise RuntimeError(out.stderr[-2000:])
    return json.loads(out.stdout.strip().splitlines()[-1])


IMPORT = """
import time, json
t = time.perf_counter()
import {module}
t1 = time.perf_counter()
{extra}
t2 = time.perf_counter()
print(json.dumps({{"import_s": t1 - t, "with_tracker_s": t2 - t}}))
"""

START_CT = """
import time, json, warnings
warnings.simplefilter("ignore")
import carbontrail
from carbontrail.tracker import Tracker
tr = Tracker("bench", store={store})
t = time.perf_counter()
tr.start()
t1 = time.perf_counter()
assert tr.sampler.ticks == 0 and tr.sampler.started
tr.stop()
print(json.dumps({{"start_s": t1 - t}}))
"""

START_CC = """
import time, json, logging, warnings
warnings.simplefilter("ignore")
from codecarbon import OfflineEmissionsTracker
tr = OfflineEmissionsTracker(country_iso_code="FRA", measure_power_secs=1, save_to_file=False,
                             log_level="error")
t = time.perf_counter()
tr.start()
t1 = time.perf_counter()
tr.stop()
print(json.dumps({"start_s": t1 - t}))
"""

STEADY = """
import time, json, warnings
warnings.simplefilter("ignore")
{setup}
time.sleep(2.5)  # warm-up: the first ticks pay one-off lazy imports and table loads
t_wall = time.monotonic(); c0 = time.process_time()
time.sleep({seconds})
cpu = time.process_time() - c0; wall = time.monotonic() - t_wall
{teardown}
print(json.dumps({{"cpu_s": cpu, "wall_s": wall}}))
"""

SETUP = {
    "none": ("", ""),
    "carbontrail": ("from carbontrail.tracker import Tracker\n"
                    "tr = Tracker('bench', interval_s={interval}, store=True)\ntr.start()",
                    "tr.stop()"),
    "codecarbon": ("from codecarbon import OfflineEmissionsTracker\n"
                   "tr = OfflineEmissionsTracker(country_iso_code='FRA', measure_power_secs={interval},"
                   " save_to_file=False, log_level='error')\ntr.start()",
                   "tr.stop()"),
}

IMPORT_ONLY = {
    "carbontrail": "from carbontrail.tracker import Tracker",
    "codecarbon": "from codecarbon import OfflineEmissionsTracker",
}

JOB = """
import time, json, warnings
warnings.simplefilter("ignore")
{setup}
time.sleep(0.3)  # both variants settle the same way before the timed loop
t = time.perf_counter()
x = 0
for i in range({n}):
    x += i * i % 7
dt = time.perf_counter() - t
{teardown}
print(json.dumps({{"job_s": dt}}))
"""


def median_of(n: int, fn) -> float:
    return statistics.median(fn() for _ in range(n))


def measure(tool: str, quick: bool, env: dict[str, str]) -> dict[str, float]:
    reps = 3 if quick else 7
    res: dict[str, float] = {}
    if tool == "carbontrail":
        imp = [run_py(IMPORT.format(module="carbontrail", extra="import carbontrail.tracker"), env)
               for _ in range(reps)]
        res["import_ms"] = statistics.median(r["import_s"] for r in imp) * 1e3
        res["import_tracker_ms"] = statistics.median(r["with_tracker_s"] for r in imp) * 1e3
        res["start_ms"] = median_of(reps, lambda: run_py(START_CT.format(store="True"), env)["start_s"]) * 1e3
    else:
        imp = [run_py(IMPORT.format(module="codecarbon", extra="from codecarbon import OfflineEmissionsTracker"),
                      env) for _ in range(reps)]
        res["import_ms"] = statistics.median(r["import_s"] for r in imp) * 1e3
        res["import_tracker_ms"] = statistics.median(r["with_tracker_s"] for r in imp) * 1e3
        res["start_ms"] = median_of(reps, lambda: run_py(START_CC, env)["start_s"]) * 1e3
    seconds = 10 if quick else 30
    base = run_py(STEADY.format(setup="", teardown="", seconds=seconds), env)
    for hz in (1, 10):
        setup, teardown = SETUP[tool]
        r = run_py(STEADY.format(setup=setup.format(interval=1.0 / hz), teardown=teardown,
                                 seconds=seconds), env)
        res[f"steady_{hz}hz_pct"] = max(0.0, r["cpu_s"] - base["cpu_s"]) / r["wall_s"] * 100
    n = 4_000_000 if quick else 12_000_000
    tracked, untracked = [], []
    setup, teardown = SETUP[tool]
    # the untracked variant imports the same tool (without starting it), so the two differ by the
    # tracker alone; the order alternates so drift in CPU frequency or load hits both
    bare = IMPORT_ONLY[tool]
    for k in range(3 if quick else 6):
        pair = [("u", JOB.format(setup=bare, teardown="", n=n)),
                ("t", JOB.format(setup=setup.format(interval=1.0), teardown=teardown, n=n))]
        for kind, code in (pair if k % 2 == 0 else pair[::-1]):
            (untracked if kind == "u" else tracked).append(run_py(code, env)["job_s"])
    res["wall_ratio"] = statistics.median(tracked) / statistics.median(untracked)
    res["job_s"] = statistics.median(untracked)
    return res


ROWS = [
    ("import_ms", "import (ms)", "<= 50"),
    ("import_tracker_ms", "import incl. tracker (ms)", ""),
    ("start_ms", "start to first sample (ms)", "<= 50"),
    ("steady_1hz_pct", "steady CPU at 1 Hz (% core)", "<= 0.05"),
    ("steady_10hz_pct", "steady CPU at 10 Hz (% core)", ""),
    ("wall_ratio", "wall ratio tracked/untracked", "<= 1.01"),
    ("job_s", "untracked job (s)", ""),
]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="fewer repetitions, shorter steady window")
    args = ap.parse_args()
    home = tempfile.mkdtemp(prefix="ct-bench-")
    env = dict(os.environ, CARBONTRAIL_HOME=home, CARBONTRAIL_LOCATION=os.environ.get("CARBONTRAIL_LOCATION", "FR"))
    tools = ["carbontrail"]
    if importlib.util.find_spec("codecarbon") is not None:
        tools.append("codecarbon")
    results = {t: measure(t, args.quick, env) for t in tools}
    print(f"python {sys.version.split()[0]}, {os.cpu_count()} CPUs, {'quick' if args.quick else 'full'} run")
    header = f"{'figure':<32} {'target':>9}" + "".join(f" {t:>13}" for t in tools)
    print(header)
    print("-" * len(header))
    for key, label, target in ROWS:
        cells = "".join(f" {results[t][key]:>13.3f}" for t in tools)
        print(f"{label:<32} {target:>9}{cells}")
    if "codecarbon" not in tools:
        print("(codecarbon not installed in this interpreter: no side-by-side figures)")


if __name__ == "__main__":
    main()
