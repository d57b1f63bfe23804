"""RAPL through fake powercap trees: real files, real parsing."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from carbontrail.measure.base import counter_delta
from carbontrail.measure.rapl import PLAUSIBLE_MAX_POWER_W, RaplSensor, permission_fix
from carbontrail.provenance import Method

from .conftest import PKG_RANGE_UJ  # noqa: F401  (fixture module helpers)


def two_socket_server(pc):
    for s in (0, 1):
        pc.zone(f"intel-rapl:{s}", f"package-{s}", energy_uj=1_000_000 + s * 7_777)
        pc.zone(f"intel-rapl:{s}:0", "core", energy_uj=500_000)
        pc.zone(f"intel-rapl:{s}:1", "uncore", energy_uj=100_000)
        pc.zone(f"intel-rapl:{s}:2", "dram", energy_uj=300_000 + s)


def test_two_sockets_packages_and_dram_counted_subdomains_only_details(powercap):
    two_socket_server(powercap)
    s = RaplSensor(powercap.root)
    devs = {d.id: d for d in s.devices()}
    assert set(devs) == {"rapl:package-0", "rapl:package-1", "rapl:dram-0", "rapl:dram-1"}
    assert devs["rapl:package-0"].component == "cpu"
    assert devs["rapl:dram-1"].component == "ram"
    assert all(d.method is Method.COUNTER for d in devs.values())
    assert devs["rapl:package-0"].details["subdomains"] == ["core", "uncore"]
    assert s.has_dram and s.covers_ram and s.covers_cpu and not s.uses_psys
    s.start(0.0)
    powercap.set("intel-rapl:0", 1_000_000 + 50_000_000)           # +50 J
    powercap.set("intel-rapl:1", 1_007_777 + 20_000_000)           # +20 J
    powercap.set("intel-rapl:0:0", 500_000 + 40_000_000)           # core: must not be added
    powercap.set("intel-rapl:0:2", 300_000 + 5_000_000)            # +5 J
    got = s.read(1.0)
    assert got["rapl:package-0"] == pytest.approx(50.0)
    assert got["rapl:package-1"] == pytest.approx(20.0)
    assert got["rapl:dram-0"] == pytest.approx(5.0)
    assert got["rapl:dram-1"] == pytest.approx(0.0)
    assert sum(got.values()) == pytest.approx(75.0)


def test_nested_only_tree_is_found(powercap):
    powercap.zone("intel-rapl:0", "package-0", 10)
    powercap.zone("intel-rapl:0:2", "dram", 10, link=False)
    s = RaplSensor(powercap.root)
    assert {d.id for d in s.devices()} == {"rapl:package-0", "rapl:dram-0"}


def test_psys_replaces_packages_and_dram_never_both(powercap):
    powercap.zone("intel-rapl:0", "package-0", 1000)
    powercap.zone("intel-rapl:0:2", "dram", 1000)
    powercap.zone("intel-rapl:1", "psys", 5000)
    s = RaplSensor(powercap.root)
    devs = s.devices()
    assert [d.id for d in devs] == ["rapl:psys"]
    assert devs[0].component == "soc"
    assert set(devs[0].details["replaces"]) == {"intel-rapl:0", "intel-rapl:0:2"}
    assert s.uses_psys and s.covers_ram and s.covers_cpu and not s.has_dram
    s.start(0.0)
    powercap.set("intel-rapl:1", 5000 + 3_000_000)
    powercap.set("intel-rapl:0", 1000 + 2_000_000)
    assert s.read(1.0) == {"rapl:psys": pytest.approx(3.0)}


def test_unpopulated_psys_falls_back_to_packages(powercap):
    powercap.zone("intel-rapl:0", "package-0", 1000)
    powercap.zone("intel-rapl:1", "psys", 0)
    s = RaplSensor(powercap.root)
    assert [d.id for d in s.devices()] == ["rapl:package-0"]
    notes = {z["zone"]: z["note"] for z in s.status().zones}
    assert "not populated" in notes["intel-rapl:1"]


def test_mmio_duplicate_counted_once_and_mmio_alone_used(powercap, tmp_path):
    powercap.zone("intel-rapl:0", "package-0", 100)
    powercap.zone("intel-rapl-mmio:0", "package-0", 999)
    s = RaplSensor(powercap.root)
    devs = s.devices()
    assert [d.id for d in devs] == ["rapl:package-0"]
    assert devs[0].details["interface"] == "msr"
    s.start(0.0)
    powercap.set("intel-rapl:0", 100 + 1_000_000)
    powercap.set("intel-rapl-mmio:0", 999 + 1_000_000)
    assert s.read(1.0) == {"rapl:package-0": pytest.approx(1.0)}

    from .conftest import PowercapTree
    only = PowercapTree(tmp_path / "mmio-only")
    only.zone("intel-rapl-mmio:0", "package-0", 5)
    devs = RaplSensor(only.root).devices()
    assert [(d.id, d.details["interface"]) for d in devs] == [("rapl:package-0", "mmio")]


def test_mirrored_amd_packages_kept_once(powercap):
    for s in (0, 1):
        powercap.zone(f"intel-rapl:{s}", f"package-{s}", 123_456_789)
    s = RaplSensor(powercap.root)
    devs = s.devices()
    assert [d.id for d in devs] == ["rapl:package-0"]
    assert devs[0].details["mirrored_zones"] == ["intel-rapl:1"]
    s.start(0.0)
    for k in ("intel-rapl:0", "intel-rapl:1"):
        powercap.set(k, 123_456_789 + 10_000_000)
    assert s.read(1.0) == {"rapl:package-0": pytest.approx(10.0)}
    assert s.warnings == []


def test_false_mirror_that_diverges_is_promoted_with_its_energy_since_start(powercap):
    for s in (0, 1):
        powercap.zone(f"intel-rapl:{s}", f"package-{s}", 42_000_000)
    s = RaplSensor(powercap.root)
    s.start(0.0)
    powercap.set("intel-rapl:0", 42_000_000 + 4_000_000)
    powercap.set("intel-rapl:1", 42_000_000 + 9_000_000)
    got = s.read(1.0)
    assert got == {"rapl:package-0": pytest.approx(4.0), "rapl:package-1": pytest.approx(9.0)}
    assert {d.id for d in s.devices()} == {"rapl:package-0", "rapl:package-1"}
    assert any("diverged" in w for w in s.warnings)


def test_wraparound_between_reads(powercap):
    rng = 262_143_328_850
    powercap.zone("intel-rapl:0", "package-0", rng - 1_000_000, max_range_uj=rng)
    s = RaplSensor(powercap.root)
    s.start(0.0)
    powercap.set("intel-rapl:0", 2_000_000)       # wrapped: 1 J before + 2 J after
    assert s.read(1.0)["rapl:package-0"] == pytest.approx(3.0)
    powercap.set("intel-rapl:0", 5_000_000)
    assert s.read(2.0)["rapl:package-0"] == pytest.approx(6.0)


@pytest.mark.parametrize(
    "previous, current, max_range, expected",
    [
        (10, 25, 100, 15),          # plain increase
        (90, 5, 100, 15),           # one wrap
        (100, 0, 100, 0),           # exactly at the range, then 0
        (0, 0, 100, 0),             # no change
        (90, 5, 0, 0),              # unknown range: a decrease gives 0, never negative
        (150, 5, 100, 5),           # range file lied: trust the new value only
        (262143328849, 1, 262143328850, 2),
    ],
)
def test_counter_delta_table(previous, current, max_range, expected):
    assert counter_delta(previous, current, max_range) == expected


def test_permission_denied_simulated_reader_reports_unavailable_with_fix(powercap):
    two_socket_server(powercap)

    def reader(path: Path) -> str:
        if path.name == "energy_uj":
            raise PermissionError(13, "Permission denied", str(path))
        return path.read_text()

    s = RaplSensor(powercap.root, reader=reader)
    devs = s.devices()
    assert devs and all(d.method is Method.UNAVAILABLE for d in devs)
    assert not s.available and not s.covers_cpu and not s.has_dram
    s.start(0.0)
    assert s.read(1.0) == {}              # never 0 for what could not be read
    assert len(s.warnings) == 1 and "chmod a+r" in s.warnings[0]
    st = s.status()
    assert st.state == "permission-denied"
    assert any("udev" in line or "rules.d" in line for line in st.fix)
    assert str(powercap.root) in st.fix[0]


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads a chmod 000 file anyway")
def test_permission_denied_real_chmod(powercap):
    where = powercap.zone("intel-rapl:0", "package-0", 77)
    (where / "energy_uj").chmod(0)
    try:
        s = RaplSensor(powercap.root)
        assert s.status().state == "permission-denied"
        assert [d.method for d in s.devices()] == [Method.UNAVAILABLE]
    finally:
        (where / "energy_uj").chmod(0o644)


def test_absent_root_is_a_null_sensor(tmp_path):
    s = RaplSensor(tmp_path / "nothing")
    assert s.devices() == [] and not s.available
    s.start(0.0)
    assert s.read(1.0) == {}
    assert s.status().state == "absent"


def test_transient_read_failure_leaves_device_out_then_recovers(powercap):
    where = powercap.zone("intel-rapl:0", "package-0", 0)
    s = RaplSensor(powercap.root)
    s.start(0.0)
    (where / "energy_uj").unlink()
    assert s.read(1.0) == {}
    assert len(s.warnings) == 1
    (where / "energy_uj").write_text("3000000\n")
    assert s.read(2.0) == {"rapl:package-0": pytest.approx(3.0)}


def test_min_read_interval(powercap, tmp_path):
    powercap.zone("intel-rapl:0", "package-0", 1, max_range_uj=262_143_328_850)
    s = RaplSensor(powercap.root)
    assert s.min_read_interval_s() == pytest.approx(262_143.32885 / PLAUSIBLE_MAX_POWER_W)
    from .conftest import PowercapTree
    limited = PowercapTree(tmp_path / "limited")
    limited.zone("intel-rapl:0", "package-0", 1, max_range_uj=262_143_328_850, max_power_uw=200_000_000)
    assert RaplSensor(limited.root).min_read_interval_s() == pytest.approx(262_143.32885 / 200)


def test_permission_fix_names_root():
    lines = permission_fix(Path("/host/sys/class/powercap"))
    assert lines[0].startswith("sudo chmod a+r /host/sys/class/powercap/intel-rapl:*/energy_uj")
    assert "SUBSYSTEM==\"powercap\"" in lines[1]
