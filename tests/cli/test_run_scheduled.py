"""`carbontrail run --within / --pause-resume` on real children with short real series."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from datetime import datetime, timezone

CT = [sys.executable, "-m", "carbontrail"]


def series(tmp_path, slot_s, values):
    t0 = int(time.time() // slot_s * slot_s)
    lines = ["datetime,carbon_intensity"] + [
        f"{datetime.fromtimestamp(t0 + i * slot_s, tz=timezone.utc).isoformat()},{v}" for i, v in enumerate(values)]
    p = tmp_path / "series.csv"
    p.write_text("\n".join(lines) + "\n")
    return p


def last_record():
    out = subprocess.run([*CT, "runs", "show", "last", "--json"], capture_output=True, text=True)
    return json.loads(out.stdout)


def test_flexible_start_waits_for_the_clean_slot(tmp_path):
    s = series(tmp_path, 2, [500, 500, 500, 100, 100, 100] + [500] * 10)
    t = time.time()
    res = subprocess.run([*CT, "run", "--location", "FR", "--series", str(s), "--within", "8s",
                          "--duration", "2s", "--", sys.executable, "-c", "import time; print(time.time())"],
                         capture_output=True, text=True, timeout=60)
    assert res.returncode == 0, res.stderr
    started = float(res.stdout)
    assert started - t >= 3.0                     # it waited for the 100 g/kWh slots
    assert "plan (series file series.csv)" in res.stderr and "saving" in res.stderr
    rec = last_record()
    sch = rec["schedule"]
    assert sch["mode"] == "flexible_start" and sch["waited_s"] > 2.5
    assert sch["plan"]["mean_intensity_g_per_kwh"] < sch["plan"]["baseline_mean_intensity_g_per_kwh"]
    assert rec["intensity"]["mode"] == "series"
    assert sch["realised"]["saving"] is not None and sch["realised"]["saving"] > 0.5


def test_pause_resume_stops_and_continues_the_job_and_meets_the_deadline(tmp_path):
    s = series(tmp_path, 1, [100, 100, 900, 900, 900, 100, 100, 100, 100] + [900] * 12)
    job = ("import time\nt=time.monotonic(); n=0\n"
           "while n < 30:\n    time.sleep(0.1); n+=1\n")
    t = time.time()
    res = subprocess.run([*CT, "run", "--location", "FR", "--series", str(s), "--pause-resume", "100%",
                          "--duration", "3s", "--", sys.executable, "-c", job],
                         capture_output=True, text=True, timeout=60)
    elapsed = time.time() - t
    assert res.returncode == 0, res.stderr
    rec = last_record()
    sch = rec["schedule"]
    assert sch["mode"] == "pause_resume" and sch["mechanism"] == "sigstop"
    assert sch["pauses"] >= 1 and "carbontrail: pause" in res.stderr
    assert len(sch["actual_segments"]) >= 2
    assert elapsed < 3 * 2 + 5                   # deadline release + 2 x 3 s, plus start-up
    assert sch["realised"]["baseline_emissions_g"] > 0


def test_scheduling_flags_are_checked_before_anything_runs(tmp_path):
    marker = tmp_path / "ran"
    job = [sys.executable, "-c", f"open({str(marker)!r}, 'w')"]
    for flags, msg in [
        (["--within", "1h"], "--duration"),
        (["--within", "1h", "--pause-resume", "50%", "--duration", "1h"], "choose one"),
        (["--pause-resume", "50%", "--duration", "1h", "--checkpoint-signal", "USR1"], "go together"),
        (["--duration", "1h"], "only makes sense"),
    ]:
        res = subprocess.run([*CT, "run", "--location", "FR", *flags, "--", *job], capture_output=True, text=True)
        assert res.returncode == 2 and msg in res.stderr, (flags, res.stderr)
    assert not marker.exists()


def test_without_a_series_no_time_shifting_is_possible(tmp_path):
    res = subprocess.run([*CT, "run", "--location", "FR", "--within", "6h", "--duration", "1h", "--",
                          sys.executable, "-c", "pass"], capture_output=True, text=True, timeout=60)
    assert res.returncode == 0
    assert "no time shifting is possible" in res.stderr
    assert last_record()["schedule"]["waited_s"] == 0.0
