"""The hardware catalog: every row sourced, current hardware present, lookups and search."""

from __future__ import annotations

import pytest

from carbontrail.hardware import catalog


def test_every_accelerator_row_has_a_source():
    for a in catalog.accelerators():
        assert a.source.strip(), a.id
        assert a.kind in {"gpu", "tpu", "accelerator"}, a.id
        assert a.tdp_w is None or 0 < a.tdp_w <= 2000, a.id


def test_every_instance_row_has_a_source_and_known_gpu():
    srcs = catalog.factors()["sources"]
    for i in catalog.instances():
        assert i.source.strip(), i.type
        assert i.source in srcs or "." in i.source, i.type      # a code with a citation, or a URL
        if i.embodied_kg is not None:
            assert i.embodied_source in srcs, i.type
        if i.gpu:
            assert catalog.find_accelerator(i.gpu) is not None, (i.type, i.gpu)
            assert i.gpu_count >= 1
        assert 0 < i.share <= 1


def test_every_factor_has_a_source():
    for name, f in catalog.factors().items():
        if name == "sources":
            continue
        assert f["source"].strip() and "value" in f, name


@pytest.mark.parametrize("name,tdp", [
    ("V100", 300), ("A100", 400), ("A100-PCIe-80GB", 300), ("H100-SXM", 700), ("H100 PCIe", 350),
    ("H100-NVL", 400), ("H200", 700), ("B200", 1000), ("GB200", 1200), ("L4", 72), ("L40S", 350),
    ("T4", 70), ("A10G", 150), ("MI250X", 500), ("MI300X", 750), ("Gaudi2", 600), ("Gaudi 3", 900),
    ("TPUv2", 280), ("TPU v3", 450), ("TPUv4", 170),
])
def test_current_hardware_tdp(name, tdp):
    a = catalog.find_accelerator(name)
    assert a is not None and a.tdp_w == tdp


@pytest.mark.parametrize("name", ["TPUv5e", "TPU v5p", "TPUv6e"])
def test_tpus_without_published_power_have_none(name):
    a = catalog.find_accelerator(name)
    assert a is not None and a.tdp_w is None and "--power" in a.note


def test_ram_factor_is_green_algorithms():
    f = catalog.factors()["ram_w_per_gb"]
    assert f["value"] == 0.3725 and "Green Algorithms" in f["source"]


@pytest.mark.parametrize("name,gpu,count,vcpus", [
    ("p4d.24xlarge", "A100-SXM4-40GB", 8, 96), ("p4de.24xlarge", "A100-SXM4-80GB", 8, 96),
    ("p5.48xlarge", "H100-SXM", 8, 192), ("p5e.48xlarge", "H200-SXM", 8, 192), ("g5.48xlarge", "A10G", 8, 192),
    ("g6.xlarge", "L4", 1, 4), ("a2-highgpu-8g", "A100-SXM4-40GB", 8, 96), ("a3-highgpu-8g", "H100-SXM", 8, 208),
    ("Standard_ND96asr_v4", "A100-SXM4-40GB", 8, 96), ("Standard_ND96isr_H100_v5", "H100-SXM", 8, 96),
    ("p3.8xlarge", "V100-SXM2", 4, 32), ("gcp:a2-ultragpu-1g", "A100-SXM4-80GB", 1, 12),
])
def test_instances_expand_to_devices(name, gpu, count, vcpus):
    i = catalog.find_instance(name)
    assert i is not None and (i.gpu, i.gpu_count, i.vcpus) == (gpu, count, vcpus)


def test_ccf_embodied_figure_kept():
    # ccf-coefficients output/coefficients-aws-embodied.csv: p4d.24xlarge total 4676.79 kgCO2e
    assert catalog.find_instance("p4d.24xlarge").embodied_kg == pytest.approx(4676.79)
    assert catalog.find_instance("m5.large").share == pytest.approx(2 / 96)


def test_close_matches_and_search():
    assert "H100-SXM" in catalog.close_matches("H10")
    assert "p4d.24xlarge" in catalog.close_matches("p4d.24xlarg")
    rows = catalog.search("H100", kind="gpu")
    assert {r["id"] for r in rows} == {"H100-SXM", "H100-PCIe", "H100-NVL"}
    assert all(r["kind"] == "instance" for r in catalog.search("a3-highgpu", kind="instance"))


@pytest.mark.parametrize("name,expected", [
    ("NVIDIA H100 80GB HBM3", "H100-SXM"),       # nvidia-smi's name for the SXM5 part
    ("NVIDIA A100-SXM4-40GB", "A100-SXM4-40GB"),
    ("NVIDIA H100 PCIe", "H100-PCIe"),
    ("Tesla T4", "T4"),
    ("NVIDIA L4", "L4"),
])
def test_nvidia_smi_names_resolve(name, expected):
    """A user pasting the name nvidia-smi prints must get that device, not an 'unknown hardware' error."""
    acc = catalog.find_accelerator(name)
    assert acc is not None and acc.id == expected
