"""CPU and RAM models and process attribution over a fake /proc."""

from __future__ import annotations


import pytest

from carbontrail.hardware.cpus import catalog_meta
from carbontrail.measure.cpu_model import CpuModelSensor, cpu_topology
from carbontrail.measure.process import (
    CLK_TCK, PAGE_SIZE, ProcessAttribution, ProcessTree, machine_memory_used_bytes, parse_pid_stat,
    parse_proc_stat,
)
from carbontrail.measure.ram_model import GIB, RamModelSensor
from carbontrail.provenance import Method

from .conftest import write_pid, write_proc_stat

EPYC_2VCPU = ("processor\t: 0\nmodel name\t: AMD EPYC 7763 64-Core Processor\nphysical id\t: 0\n"
              "siblings\t: 2\ncpu cores\t: 1\nflags\t\t: fpu ht hypervisor\n\n"
              "processor\t: 1\nmodel name\t: AMD EPYC 7763 64-Core Processor\nphysical id\t: 0\n"
              "siblings\t: 2\ncpu cores\t: 1\n")
XEON_2S = "".join(
    f"processor\t: {i}\nmodel name\t: Intel(R) Xeon(R) Gold 6148 CPU @ 2.40GHz\nphysical id\t: {i // 40}\n"
    "siblings\t: 40\ncpu cores\t: 20\n\n" for i in range(80))
UNKNOWN = ("processor\t: 0\nmodel name\t: AMD EPYC\nphysical id\t: 0\nsiblings\t: 2\ncpu cores\t: 2\n\n"
           "processor\t: 1\nmodel name\t: AMD EPYC\nphysical id\t: 0\nsiblings\t: 2\ncpu cores\t: 2\n")


def test_topology():
    assert cpu_topology(XEON_2S) == {"logical_cpus": 80, "sockets": 2, "cores_per_socket": 20,
                                     "threads_per_core": 2}


def test_catalog_cpu_is_modelled_full_machine(tmp_path):
    proc = tmp_path / "proc"
    write_proc_stat(proc, user=0, nice=0, system=0, idle=0)
    s = CpuModelSensor(procfs=proc, cpuinfo_text=XEON_2S)
    [d] = s.devices()
    assert d.method is Method.MODELLED and d.component == "cpu"
    assert d.details["matched_name"] == "Intel Xeon Gold 6148" and d.details["match"] == "normalised"
    assert d.details["tdp_w"] == 150.0 and d.details["visible_fraction"] == 1.0
    idle = catalog_meta()["defaults"]["idle_fraction"]["value"]
    assert s.max_power_w == pytest.approx(300.0)
    assert s.idle_power_w == pytest.approx(300.0 * idle)
    assert "SPECpower" in d.details["idle_fraction_source"]
    s.start(0.0)
    write_proc_stat(proc, user=300, nice=0, system=100, idle=400)        # 50 % busy
    got = s.read(2.0)
    assert got["cpu-model"] == pytest.approx((s.idle_power_w + (300 - s.idle_power_w) * 0.5) * 2.0)
    write_proc_stat(proc, user=300, nice=0, system=100, idle=1200)       # idle for 4 s
    assert s.read(6.0)["cpu-model"] == pytest.approx(got["cpu-model"] + s.idle_power_w * 4.0)


def test_vm_gets_its_share_of_the_socket(tmp_path):
    s = CpuModelSensor(procfs=tmp_path, cpuinfo_text=EPYC_2VCPU)
    d = s.devices()[0]
    assert d.details["socket_cores"] == 64
    assert s.max_power_w == pytest.approx(280.0 * 2 / 128)


def test_unknown_cpu_is_defaulted_per_core_with_citation(tmp_path):
    s = CpuModelSensor(procfs=tmp_path, cpuinfo_text=UNKNOWN)
    [d] = s.devices()
    assert d.method is Method.DEFAULTED
    assert d.details["tdp_w_per_core"] == 12.0 and "Green Algorithms" in d.details["tdp_source"]
    assert s.max_power_w == pytest.approx(24.0)
    assert any("defaulted" in w for w in s.warnings)


def test_user_tdp_overrides_catalog(tmp_path):
    s = CpuModelSensor(procfs=tmp_path, cpuinfo_text=UNKNOWN, tdp_w=65)
    assert s.devices()[0].method is Method.MODELLED and s.max_power_w == 65


def test_cpu_model_unreadable_stat_leaves_tick_out(tmp_path):
    s = CpuModelSensor(procfs=tmp_path / "none", cpuinfo_text=UNKNOWN)
    s.start(0.0)
    assert s.read(1.0) == {}
    assert s.warnings[-1].startswith("CPU model: cannot read")


def test_parse_stat_lines():
    assert parse_proc_stat("cpu  10 1 5 100 4 1 2 7 0 0\n").busy == 19
    assert parse_proc_stat("cpu  10 1 5 100 4 1 2 7 0 0\n").idle == 104   # steal (7) left out
    st = parse_pid_stat("42 (my (odd) name) S 1 0 0 0 0 0 0 0 0 0 30 20 5 5 20 0 1 0 0 0 10\n")
    assert (st.pid, st.ppid, st.cpu_ticks, st.rss_bytes) == (42, 1, 60, 10 * PAGE_SIZE)
    with pytest.raises(ValueError):
        parse_proc_stat("intr 0\n")


@pytest.mark.parametrize("children_files", [True, False])
def test_process_tree_and_attribution(tmp_path, children_files):
    proc = tmp_path / "proc"
    kids = (lambda ks: ks) if children_files else (lambda ks: None)
    write_proc_stat(proc, user=1000, nice=0, system=0, idle=1000)
    write_pid(proc, 100, 1, utime=10, stime=0, children=kids([101]))
    write_pid(proc, 101, 100, utime=5, stime=5, children=kids([102]))
    write_pid(proc, 102, 101, utime=0, stime=0, children=kids([]))
    write_pid(proc, 200, 1, utime=500, stime=0, children=kids([]))   # not ours
    tree = ProcessTree(100, proc)
    assert sorted(m.pid for m in tree.members()) == [100, 101, 102]
    a = ProcessAttribution(100, procfs=proc)
    a.start(0.0)
    # next interval: machine +100 busy, +100 idle; ours: 100 ran 30 ticks, 101 ran 10 more and was
    # reaped, so its 20 ticks moved into 100's cutime/cstime: the tree ran 40 ticks
    write_proc_stat(proc, user=1100, nice=0, system=0, idle=1100)
    write_pid(proc, 100, 1, utime=40, stime=0, cutime=15, cstime=5, children=kids([102]))
    (proc / "101" / "stat").unlink()
    write_pid(proc, 102, 100, utime=0, stime=0, children=kids([]))
    s = a.sample(1.0)
    assert s is not None
    assert s.job_share == pytest.approx(40 / 200)
    assert s.idle_share == pytest.approx(100 / 200)
    assert s.others_share == pytest.approx(60 / 200)
    assert s.job_share + s.idle_share + s.others_share == pytest.approx(1.0)
    assert s.job_share_of_busy == pytest.approx(0.4)
    assert s.job_cpu_s == pytest.approx(40 / CLK_TCK)


def test_attribution_none_when_process_gone(tmp_path):
    proc = tmp_path / "proc"
    write_proc_stat(proc, 1, 0, 0, 1)
    a = ProcessAttribution(12345, procfs=proc)
    a.start(0.0)
    assert a.share(1.0) is None


def test_ram_model_machine_scope_trapezoid(tmp_path):
    proc = tmp_path / "proc"
    proc.mkdir()
    meminfo = proc / "meminfo"
    meminfo.write_text("MemTotal:       16777216 kB\nMemFree: 1 kB\nMemAvailable:    8388608 kB\n")
    s = RamModelSensor(procfs=proc, refresh_s=0)
    [d] = s.devices()
    assert d.method is Method.MODELLED and d.component == "ram" and d.details["w_per_gb"] == 0.3725
    assert machine_memory_used_bytes(proc) == 8 * GIB
    s.start(0.0)
    meminfo.write_text("MemTotal:       16777216 kB\nMemAvailable:    4194304 kB\n")   # 12 GiB used
    assert s.read(2.0)["ram-model"] == pytest.approx(0.5 * (8 + 12) * 0.3725 * 2.0)


def test_ram_model_process_scope_uses_tree_rss(tmp_path):
    proc = tmp_path / "proc"
    pages = GIB // PAGE_SIZE
    write_pid(proc, 10, 1, 0, 0, rss_pages=pages)
    write_pid(proc, 11, 10, 0, 0, rss_pages=pages)
    s = RamModelSensor(pid=10, procfs=proc, refresh_s=0)
    assert s.devices()[0].details["scope"] == "process"
    s.start(0.0)
    assert s.read(1.0)["ram-model"] == pytest.approx(2 * 0.3725)
    for p in ("10", "11"):
        (proc / p / "stat").unlink()                  # job exited: its memory is freed
    assert s.read(2.0)["ram-model"] == pytest.approx(2 * 0.3725 + 0.5 * 2 * 0.3725)


def test_ram_model_reads_memory_at_most_every_refresh_period(tmp_path):
    proc = tmp_path / "proc"
    proc.mkdir()
    meminfo = proc / "meminfo"
    meminfo.write_text("MemTotal:       16777216 kB\nMemAvailable:    8388608 kB\n")   # 8 GiB used
    s = RamModelSensor(procfs=proc, refresh_s=5.0)
    s.start(0.0)
    meminfo.write_text("MemTotal:       16777216 kB\nMemAvailable:    4194304 kB\n")   # 12 GiB used
    # within the refresh period the last reading (8 GiB) is carried
    assert s.read(2.0)["ram-model"] == pytest.approx(8 * 0.3725 * 2.0)
    assert s.last_used_bytes == 8 * GIB
    # after it, memory is read again and the step is integrated by trapezoid
    e = s.read(6.0)["ram-model"]
    assert s.last_used_bytes == 12 * GIB
    assert e == pytest.approx(8 * 0.3725 * 2.0 + 0.5 * (8 + 12) * 0.3725 * 4.0)
