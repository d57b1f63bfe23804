"""plan and simulate as a user runs them, on small generic CSV series written in tmp."""

from __future__ import annotations

import json
import math
from datetime import datetime, timedelta, timezone

import pytest
from click.testing import CliRunner

from carbontrail.cli import cli


def stamp(hour: int) -> str:
    return (datetime(2024, 1, 1, tzinfo=timezone.utc) + timedelta(hours=hour)).strftime("%Y-%m-%dT%H:%M:%S")


def write_series(path, hours, value=lambda i: 200 + 100 * math.sin(2 * math.pi * i / 24), gap_at=None):
    lines = ["time,value"]
    for i in range(hours):
        if gap_at is not None and i == gap_at:
            continue
        lines.append(f"{stamp(i)},{value(i):.3f}")
    path.write_text("\n".join(lines) + "\n")
    return path


def invoke(*args):
    res = CliRunner().invoke(cli, list(args), catch_exceptions=False)
    return res


def test_plan_flexible_start_picks_the_trough(tmp_path):
    s = write_series(tmp_path / "s.csv", 72)
    res = invoke("plan", "--duration", "3h", "--location", "FR", "--within", "24h", "--series", str(s),
                 "--start", "2024-01-01T00:00", "--power", "1000", "--json")
    assert res.exit_code == 0, res.output
    p = json.loads(res.output)["plan"]
    # the sine's trough is at 18:00; a 3 h job centred on it starts at 17:00
    assert p["start"] == "2024-01-01T17:00:00+00:00"
    assert p["saving"] > 0.4
    # 1 kW for 3 h = 3 kWh of IT energy, times FR's on-premises PUE (1.56, Uptime Institute), times intensity
    assert p["pue"]["value"] == pytest.approx(1.56)
    assert p["emissions_g"] == pytest.approx(3 * 1.56 * p["mean_intensity_g_per_kwh"], rel=1e-9)
    res = invoke("plan", "--duration", "3h", "--location", "FR", "--within", "24h", "--series", str(s),
                 "--start", "2024-01-01T00:00", "--power", "1000", "--pue", "1.1", "--json")
    q = json.loads(res.output)["plan"]
    assert q["pue"] == {"value": 1.1, "source": "given (--pue)"}
    assert q["emissions_g"] == pytest.approx(3 * 1.1 * q["mean_intensity_g_per_kwh"], rel=1e-9)


def test_plan_pause_resume_with_min_segment_and_text(tmp_path):
    s = write_series(tmp_path / "s.csv", 72)
    res = invoke("plan", "--duration", "6h", "--location", "FR", "--pause-resume", "100%",
                 "--min-segment", "2h", "--series", str(s), "--start", "2024-01-01T00:00")
    assert res.exit_code == 0, res.output
    assert "Pause & Resume plan" in res.output and "saving" in res.output
    js = json.loads(invoke("plan", "--duration", "6h", "--location", "FR", "--pause-resume", "100%",
                           "--min-segment", "2h", "--series", str(s), "--start", "2024-01-01T00:00",
                           "--json").output)["plan"]
    from datetime import datetime
    for seg in js["segments"]:
        span = datetime.fromisoformat(seg["end"]) - datetime.fromisoformat(seg["start"])
        assert span.total_seconds() >= 7200
    assert js["deadline"] == "2024-01-01T12:00:00+00:00"


def test_plan_from_the_annual_table_says_no_shifting():
    res = invoke("plan", "--duration", "6h", "--location", "FR", "--within", "12h", "--json")
    p = json.loads(res.output)["plan"]
    assert p["mode"] == "none" and p["saving"] == 0.0
    assert "no time shifting is possible" in p["note"]
    assert p["intensity"]["year"] is not None


def test_plan_regions_with_prices_and_offsets(tmp_path):
    res = invoke("plan", "--duration", "10h", "--location", "FR", "--within", "1h", "--regions", "DE,SE",
                 "--price", "FR=3,DE=2,SE=4", "--power", "1000", "--offset-price", "100", "--json")
    r = json.loads(res.output)["regions"]
    by = {c["code"]: c for c in r["candidates"]}
    assert r["best"] == min(by, key=lambda k: by[k]["emissions_g"])
    assert "DE" in r["pareto_front"]  # the cheapest is always on the front
    off = r["offsets"]
    assert off["cheaper_region"] == "DE"
    assert off["money_saved"] == pytest.approx(by[off["cleaner_region"]]["cost"] - 20)
    # offsets stay beside the location-based figure
    assert off["cheaper_location_based_g"] == pytest.approx(by["DE"]["emissions_g"])
    assert off["offsets_bought_g"] == pytest.approx(off["money_saved"] / 100 * 1e6)


def test_plan_regions_exclude_filter_is_shown_and_never_chosen(tmp_path):
    """docs/scheduling.md promises 'the lowest emissions wins after filters'; the CLI had no filter."""
    args = ["plan", "--duration", "10h", "--location", "FR", "--within", "1h", "--regions", "DE,SE",
            "--price", "FR=3,DE=2,SE=4", "--power", "1000", "--json"]
    free = json.loads(invoke(*args).output)["regions"]
    cleanest = free["best"]
    r = json.loads(invoke(*args, "--exclude", f"{cleanest}=no H100 there").output)["regions"]
    by = {c["code"]: c for c in r["candidates"]}
    assert not by[cleanest]["allowed"] and by[cleanest]["reason"] == "no H100 there"
    assert r["best"] != cleanest
    assert r["best"] == min((k for k in by if k != cleanest), key=lambda k: by[k]["emissions_g"])
    assert cleanest not in r["pareto_front"]
    text = invoke(*args[:-1], "--exclude", cleanest).output
    assert "EXCLUDED: excluded by --exclude" in text
    bad = CliRunner().invoke(cli, args + ["--exclude", "JP"])
    assert bad.exit_code != 0 and "--exclude names JP" in str(bad.exception)


@pytest.mark.parametrize("args,msg", [
    (["--within", "2h", "--pause-resume", "50%"], "choose one"),
    (["--within", "2x"], "unknown duration unit"),
    (["--pause-resume", "abc"], "percentage"),
    (["--pause-resume", "50%", "--pause-cost", "3"], "--power"),
])
def test_plan_bad_flags(tmp_path, args, msg):
    s = write_series(tmp_path / "s.csv", 48)
    from carbontrail.cli import main
    with pytest.raises(SystemExit) as exc:
        main(["plan", "--duration", "3h", "--location", "FR", "--series", str(s),
              "--start", "2024-01-01T00:00", *args])
    assert exc.value.code == 2


def test_plan_series_gap_is_named_unless_filled(tmp_path, capsys):
    from carbontrail.cli import main
    s = write_series(tmp_path / "g.csv", 48, gap_at=10)
    with pytest.raises(SystemExit):
        main(["plan", "--duration", "3h", "--location", "FR", "--within", "6h", "--series", str(s),
              "--start", "2024-01-01T00:00"])
    err = capsys.readouterr().err
    assert "gap" in err and "2024-01-01T10:00" in err and "--fill" in err
    res = invoke("plan", "--duration", "3h", "--location", "FR", "--within", "6h", "--series", str(s),
                 "--start", "2024-01-01T00:00", "--fill", "--json")
    assert res.exit_code == 0


def test_plan_job_longer_than_series(tmp_path, capsys):
    from carbontrail.cli import main
    s = write_series(tmp_path / "s.csv", 24)
    with pytest.raises(SystemExit):
        main(["plan", "--duration", "2d", "--location", "FR", "--within", "1h", "--series", str(s),
              "--start", "2024-01-01T00:00"])
    assert "does not fit" in capsys.readouterr().err


def test_simulate_json_rows_and_properties(tmp_path):
    s = write_series(tmp_path / "y.csv", 24 * 21)
    res = invoke("simulate", "--series", str(s), "--durations", "1h,6h,24h", "--within", "6h,12h,24h",
                 "--pause-resume", "50%,100%", "--json")
    assert res.exit_code == 0, res.output
    rows = json.loads(res.output)["rows"]
    assert len(rows) == 3 * (3 + 2)
    for r in rows:
        for key in ("mode", "duration_s", "window_s", "releases", "saving_ratio_of_sums",
                    "saving_mean_of_ratios", "saving_p10", "saving_p50", "saving_p90",
                    "pauses_per_hour", "added_completion_s_mean"):
            assert key in r
        assert r["saving_p10"] <= r["saving_p50"] <= r["saving_p90"]
        assert r["saving_ratio_of_sums"] >= 0  # never worse than starting now
    fs6 = [r for r in rows if r["mode"] == "flexible_start" and r["duration_s"] == 6 * 3600]
    assert [r["saving_ratio_of_sums"] for r in fs6] == sorted(r["saving_ratio_of_sums"] for r in fs6)
    pr = {r["window_s"]: r for r in rows if r["mode"] == "pause_resume" and r["duration_s"] == 86400}
    assert pr[86400]["window_s"] == 86400 and pr[43200]["extra_fraction"] == 0.5
    # a 1 h job delayed up to 12 h on a pure 24 h sine saves a lot
    fs = next(r for r in rows if r["mode"] == "flexible_start" and r["duration_s"] == 3600
              and r["window_s"] == 43200)
    assert fs["saving_ratio_of_sums"] > 0.3
    assert 0 < fs["added_completion_s_mean"] <= 43200


def test_simulate_forecast_reports_gap_and_text_table(tmp_path):
    s = write_series(tmp_path / "y.csv", 24 * 40)
    res = invoke("simulate", "--series", str(s), "--durations", "1h,6h", "--within", "12h",
                 "--pause-resume", "100%", "--forecast", "weekly", "--json")
    rows = json.loads(res.output)["rows"]
    for r in rows:
        # a pure daily cycle is perfectly forecast by last weeks: no gap
        assert r["forecast_gap"] == pytest.approx(0.0, abs=1e-12)
        assert r["releases"] > 0
    text = invoke("simulate", "--series", str(s), "--durations", "1h,6h", "--within", "12h",
                  "--pause-resume", "100%").output
    assert "Flexible Start +12h" in text and "Pause & Resume +100%" in text and "pauses per hour" in text


def test_simulate_csv_and_plot(tmp_path):
    s = write_series(tmp_path / "y.csv", 24 * 10)
    out = tmp_path / "fig.png"
    res = invoke("simulate", "--series", str(s), "--durations", "1h", "--within", "6h",
                 "--pause-resume", "100%", "--csv", "--plot", str(out))
    lines = res.output.strip().splitlines()
    assert lines[0].startswith("mode,duration_s,window_s")
    assert len(lines) == 3
    assert out.stat().st_size > 10_000 and out.read_bytes()[:4] == b"\x89PNG"


def test_simulate_duration_longer_than_series(tmp_path, capsys):
    from carbontrail.cli import main
    s = write_series(tmp_path / "y.csv", 48)
    with pytest.raises(SystemExit):
        main(["simulate", "--series", str(s), "--durations", "8d"])
    assert "needs" in capsys.readouterr().err


def test_simulate_provider_forecast_replay(tmp_path):
    s = write_series(tmp_path / "y.csv", 24 * 5)
    # an archive whose forecast is the truth: the replay must match the oracle
    lines = ["issued_at,time,value"]
    for day in range(5):
        issued = stamp(day * 24)
        for i in range(day * 24, min(day * 24 + 48, 24 * 5)):
            lines.append(f"{issued},{stamp(i)},"
                         f"{200 + 100 * math.sin(2 * math.pi * i / 24):.3f}")
    arch = tmp_path / "f.csv"
    arch.write_text("\n".join(lines) + "\n")
    res = invoke("simulate", "--series", str(s), "--durations", "3h", "--within", "6h",
                 "--pause-resume", "100%", "--every", "24h", "--forecast", "provider",
                 "--forecast-file", str(arch), "--json")
    rows = json.loads(res.output)["rows"]
    for r in rows:
        assert r["forecast_gap"] == pytest.approx(0.0, abs=1e-12)


def _store_profile_run(hours_power):
    """A past run in the test store whose timeline has one row per hour at the given IT power [W]."""
    from datetime import datetime, timedelta, timezone

    from carbontrail.config import load_settings
    from carbontrail.record import RunRecord
    from carbontrail.store.sqlite import Store

    t0 = datetime(2024, 1, 1, tzinfo=timezone.utc)
    rows = [{"t_s": 3600.0 * (i + 1), "at": (t0 + timedelta(hours=i + 1)).isoformat(), "dt_s": 3600.0,
             "energy_j": {"gpu": p * 3600.0}, "power_w": {"gpu": p}, "intensity_g_per_kwh": 100.0,
             "intensity_method": "table", "emissions_g": 0.0} for i, p in enumerate(hours_power)]
    rec = RunRecord(id="ab" * 16, project="p", experiment=None, started_at=t0, status="completed",
                    ended_at=t0 + timedelta(hours=len(hours_power)), duration_s=3600.0 * len(hours_power),
                    energy_j=sum(hours_power) * 3600.0, timeline=rows)
    Store.default(load_settings()).save(rec)
    return rec.id


def test_plan_with_a_measured_power_profile_matches_brute_force(tmp_path):
    # a step series: dirty for 6 h, clean for 3 h, dirty again
    values = [500.0] * 6 + [100.0] * 3 + [500.0] * 30
    s = write_series(tmp_path / "s.csv", len(values), value=lambda i: values[i])
    power = [1000.0, 1000.0, 100.0, 100.0]          # the job draws most in its first two hours
    run_id = _store_profile_run(power)
    res = invoke("plan", "--location", "FR", "--within", "12h", "--series", str(s), "--pue", "1.0",
                 "--start", "2024-01-01T00:00", "--profile-from", run_id[:8], "--json")
    assert res.exit_code == 0, res.output
    p = json.loads(res.output)["plan"]
    # brute force over every allowed start: the heavy hours should sit on the clean slots
    costs = [sum(values[st + i] * w for i, w in enumerate(power)) for st in range(0, 13)]
    best = min(range(13), key=lambda st: (costs[st], st))
    assert best == 6 and p["start"] == "2024-01-01T06:00:00+00:00"
    assert p["emissions_g"] == pytest.approx(costs[best] / 1000.0)           # W x h x g/kWh / 1000
    assert p["baseline_emissions_g"] == pytest.approx(costs[0] / 1000.0)
    assert p["profile"]["from_run"] == run_id and p["duration_s"] == 4 * 3600
    # a flat profile of the same energy would start elsewhere: the profile matters
    flat = json.loads(invoke("plan", "--location", "FR", "--within", "12h", "--series", str(s), "--pue", "1.0",
                             "--start", "2024-01-01T00:00", "--duration", "4h", "--power", "550",
                             "--json").output)["plan"]
    assert flat["emissions_g"] > p["emissions_g"]


def test_plan_restart_overhead_is_planned_and_reported(tmp_path):
    s = write_series(tmp_path / "s.csv", 72)
    base = ["plan", "--duration", "6h", "--location", "FR", "--pause-resume", "100%", "--series", str(s),
            "--start", "2024-01-01T00:00", "--power", "1000", "--json"]
    free = json.loads(invoke(*base).output)["plan"]
    costly = json.loads(invoke(*base, "--restart-overhead", "1h").output)["plan"]
    assert costly["restart_overhead_s"] == 3600
    # paying an hour per resume can never make the optimum cheaper, and discourages pausing
    assert costly["emissions_g"] >= free["emissions_g"] - 1e-9
    assert costly["pauses"] <= free["pauses"]


def test_plan_profile_errors():
    res = CliRunner().invoke(cli, ["plan", "--location", "FR", "--pause-resume", "50%", "--profile-from", "last"])
    assert res.exit_code != 0 and "Flexible Start" in str(res.exception or res.output)
    res = CliRunner().invoke(cli, ["plan", "--location", "FR", "--within", "1h", "--duration", "1h",
                                   "--restart-overhead", "5m"])
    assert res.exit_code != 0 and "pause-resume only" in str(res.exception or res.output)
