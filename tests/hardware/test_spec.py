"""Hardware strings -> device lines."""

from __future__ import annotations

import pytest

from carbontrail.errors import ConfigError, UnknownHardwareError
from carbontrail.hardware.spec import parse_hardware, split_terms


def test_split_keeps_trailing_plus_of_a_cpu_name():
    assert split_terms("8xA100-SXM4-80GB+2xcpu:Intel Xeon Platinum 8480+") == [
        "8xA100-SXM4-80GB", "2xcpu:Intel Xeon Platinum 8480+"]
    assert split_terms("cpu:Intel Xeon Platinum 8480++4xV100") == ["cpu:Intel Xeon Platinum 8480+", "4xV100"]


def test_counts_and_kinds():
    spec = parse_hardware("4xV100 + 2xcpu:AMD EPYC 7763 + ram:256GB")
    kinds = [(line.kind, line.count, line.name) for line in spec.lines]
    assert kinds[0] == ("gpu", 4, "V100-SXM2")
    assert kinds[1][:2] == ("cpu", 2) and "7763" in kinds[1][2]
    assert kinds[2] == ("ram", 256, "RAM [GB]")
    assert spec.lines[1].max_w == 280          # AMD EPYC 7763 TDP in the CPU table
    assert spec.accelerator_count == 4


def test_instance_expands_gpus_vcpus_and_memory():
    spec = parse_hardware("2xp4d.24xlarge")
    gpu, vcpu, ram = spec.lines
    assert (gpu.name, gpu.count) == ("A100-SXM4-40GB", 16)
    assert vcpu.kind == "vcpu" and vcpu.count == 192 and 0 < vcpu.idle_w < vcpu.max_w
    assert ram.count == 2304 and ram.max_w == 0.3725


def test_term_power_and_global_power():
    spec = parse_hardware("TPUv5e@200W")
    assert spec.lines[0].power_w(0.3) == 200
    assert parse_hardware("8xTPUv5e", power_w=180).lines[0].power_override_w == 180
    assert parse_hardware("cpu:AMD EPYC 7763", power_w=150).lines[0].power_override_w == 150


def test_unknown_hardware_suggests_and_says_power():
    with pytest.raises(UnknownHardwareError) as err:
        parse_hardware("4xH10")
    assert "H100-SXM" in err.value.suggestions and "--power" in str(err.value)
    assert parse_hardware("4xMyChip", power_w=250).lines[0].kind == "unknown"


def test_tpu_without_power_needs_power():
    with pytest.raises(UnknownHardwareError, match="--power"):
        parse_hardware("TPUv6e")


@pytest.mark.parametrize("bad", ["4x", "4xV100++", "+4xV100", "0xV100", "ram:lots"])
def test_bad_terms_point_at_the_token(bad):
    with pytest.raises((ConfigError, UnknownHardwareError)):
        parse_hardware(bad)


def test_empty_term_is_named():
    with pytest.raises(ConfigError, match="''"):
        parse_hardware("4xV100+ +T4")
