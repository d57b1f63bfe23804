"""Batch estimates: jobs CSV and Slurm sacct output, totals per group."""

from __future__ import annotations

import pytest

from carbontrail.errors import DataError
from carbontrail.estimate import estimate
from carbontrail.estimate.batch import detect_format, estimate_jobs, parse_elapsed, read_jobs_csv, read_sacct

JOBS = """hardware,hours,location,user,project
4xV100,10,FR,alice,nlp
8xA100,5,DE,bob,vision
T4,100,FR,alice,vision
"""

SACCT = """JobID|User|Account|Elapsed|ElapsedRaw|AllocTRES|NodeList|State
101|alice|nlp|02:00:00|7200|billing=16,cpu=16,gres/gpu=2,gres/gpu:a100=2,mem=128G,node=1|gpu01|COMPLETED
101.batch|||02:00:00|7200|cpu=16,gres/gpu=2,mem=128G,node=1|gpu01|COMPLETED
102|bob|vision|1-00:00:00|86400|billing=4,cpu=4,mem=16G,node=1|cpu03|COMPLETED
103|bob|vision|00:00:00|0|cpu=4,mem=16G,node=1|None assigned|CANCELLED
"""


def test_csv_totals_per_group_by_hand():
    jobs = read_jobs_csv(JOBS)
    res = estimate_jobs(jobs, intensity_g_per_kwh=100, pue=1.0)
    t = res.totals("user")
    assert t["alice"]["jobs"] == 2 and t["bob"]["jobs"] == 1 and t["TOTAL"]["jobs"] == 3
    # alice: 4 x 300 W x 10 h + 70 W x 100 h = 12 + 7 = 19 kWh at 100 g/kWh = 1,900 g operational
    assert t["alice"]["energy_kwh"] == pytest.approx(19.0)
    assert t["alice"]["operational_g"] == pytest.approx(1900.0)
    single = estimate("8xA100", 5, intensity_g_per_kwh=100, pue=1.0, alternatives=False)
    assert t["bob"]["total_g"] == pytest.approx(single.total_g)
    assert t["TOTAL"]["total_g"] == pytest.approx(t["alice"]["total_g"] + t["bob"]["total_g"])
    by_project = res.totals("project")
    assert by_project["vision"]["jobs"] == 2


def test_csv_row_location_used():
    res = estimate_jobs(read_jobs_csv(JOBS))
    assert res.items[0][1].location["code"] == "FR" and res.items[1][1].location["code"] == "DE"


def test_csv_errors_name_the_line():
    with pytest.raises(DataError, match="line 3"):
        read_jobs_csv("hardware,hours\n4xV100,2\nT4,abc\n", "jobs.csv")
    with pytest.raises(DataError, match="hardware and hours"):
        read_jobs_csv("gpu,time\nV100,3\n")
    with pytest.raises(DataError, match="line 2.*H10"):
        estimate_jobs(read_jobs_csv("hardware,hours\n4xH10,2\n"), path="jobs.csv")


def test_sacct_parsing_skips_steps_and_unstarted_jobs():
    assert detect_format(SACCT) == "sacct" and detect_format(JOBS) == "csv"
    jobs = read_sacct(SACCT, cpu_model="AMD EPYC 7763")
    assert [j.job_id for j in jobs] == ["101", "102"]
    assert jobs[0].hardware == "2xa100+0.25xcpu:AMD EPYC 7763+ram:128GB"   # 16 of 64 cores
    assert jobs[0].hours == pytest.approx(2.0) and jobs[1].hours == pytest.approx(24.0)
    assert (jobs[0].user, jobs[0].project) == ("alice", "nlp")


def test_sacct_without_cpu_model_says_what_is_missing():
    jobs = read_sacct(SACCT)
    assert "cpu:" not in jobs[0].hardware and "--cpu-model" in jobs[0].notes[0]
    res = estimate_jobs(jobs, intensity_g_per_kwh=50, location="FR")
    assert res.totals("user")["TOTAL"]["not_estimated"]


def test_sacct_untyped_gpus_need_a_model():
    text = "JobID|Elapsed|AllocTRES\n7|01:00:00|cpu=8,gres/gpu=4\n"
    with pytest.raises(DataError, match="--gpu-model"):
        read_sacct(text)
    assert read_sacct(text, gpu_model="H100")[0].hardware.startswith("4xH100")


@pytest.mark.parametrize("text,secs", [("02:00:00", 7200), ("1-00:00:01", 86401), ("05:30", 330),
                                       ("00:00:01.500", 1.5)])
def test_parse_elapsed(text, secs):
    assert parse_elapsed(text) == pytest.approx(secs)


def test_part_of_a_cpu_gets_that_share_of_the_server():
    # 16 of 64 cores: a quarter of a one-CPU server (CCF 1,000 kg), 4-year life
    from carbontrail.estimate import estimate

    e = estimate("0.25xcpu:AMD EPYC 7763", 24, intensity_g_per_kwh=0, pue=1.0, alternatives=False)
    assert e.embodied_g == pytest.approx(1000 * 1000 * 0.25 * 24 / (4 * 8760))


def test_totals_energy_is_it_energy_like_each_job_and_facility_energy_is_separate():
    """The group total's energy_kwh once held IT x PUE while each job's energy_kwh is IT energy."""
    res = estimate_jobs(read_jobs_csv(JOBS), intensity_g_per_kwh=100, pue=1.5)
    t = res.totals("user")["alice"]
    assert t["energy_kwh"] == pytest.approx(19.0)                  # 4 x 300 W x 10 h + 70 W x 100 h
    assert t["facility_energy_kwh"] == pytest.approx(19.0 * 1.5)
    assert t["operational_g"] == pytest.approx(19.0 * 1.5 * 100)
    jobs_it = sum(e.to_dict()["energy_kwh"] for j, e in res.items if j.user == "alice")
    assert t["energy_kwh"] == pytest.approx(jobs_it)


def test_sacct_says_which_catalog_row_a_gres_type_became():
    jobs = read_sacct(SACCT)
    assert any("gres/gpu:a100 taken as A100-SXM4-40GB" in a for a in jobs[0].assumptions)
    res = estimate_jobs(jobs, intensity_g_per_kwh=50, location="FR")
    assert "gres/gpu:a100 taken as A100-SXM4-40GB (400 W)" in res.totals("user")["TOTAL"]["assumptions"]
