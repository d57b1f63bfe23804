#!/usr/bin/env python3
"""Build carbontrail's hardware catalog (package data) from sourced raw files.

Reads the raw reference files (default ``../shared/data/reference`` relative to
the repository root, override with ``--reference DIR``) and writes, under
``src/carbontrail/data/hardware/``:

- ``accelerators.csv``: GPUs, TPUs and other accelerators: TDP [W], typical
  power [W] where published, memory [GB], each figure with its source and year.
  Current hardware (H100/H200/B200/GB200, L4/L40S, MI250X/MI300X, Gaudi 2/3,
  TPU v2..v6e) is curated below from vendor datasheets and papers; older rows
  come from mlco2/impact ``gpus.csv`` (MIT) and Green Algorithms ``TDP_gpu.csv``
  (CC BY 4.0) with the source those files state.
- ``instances.csv``: cloud instance types to devices (GPU model x count,
  vCPUs, CPU model, CPU microarchitecture, memory [GB]) and the embodied
  footprint of the host platform [kgCO2e] for AWS, GCP and Azure, from Cloud
  Carbon Footprint's ccf-coefficients (Apache-2.0; embodied figures follow the
  Teads method), mlco2/impact ``instances.csv`` (MIT) and, for current GPU
  instances, the providers' documentation pages cited on each row.
- ``factors.json``: RAM power per GB, per-vCPU power (CCF), default
  utilisation, embodied footprints per GPU and server, hardware lifetime; each
  with its source.

Run: ``python scripts/build_hardware_catalog.py [--reference DIR] [--out DIR]``.
The output is committed; tests never need the raw files.
"""

from __future__ import annotations

import argparse
import csv
import json
import re
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
DEFAULT_REFERENCE = REPO.parent / "shared" / "data" / "reference"
DEFAULT_OUT = REPO / "src" / "carbontrail" / "data" / "hardware"

CCF = "Cloud Carbon Footprint ccf-coefficients @b0032d92 (Apache-2.0)"
MLCO2 = "mlco2/impact @d0d3ee5a (MIT)"
GA = "Green Algorithms green-algorithms-tool @30df2fee (CC BY 4.0)"

# --- curated accelerators -------------------------------------------------
# (id, aliases, kind, vendor, tdp_w, typical_w, typical_source, memory_gb, source, year, note)
NV_V100 = ("NVIDIA V100 Tensor Core GPU datasheet (2020), "
           "images.nvidia.com/content/technologies/volta/pdf/volta-v100-datasheet-update-us-1165301-r5.pdf")
NV_A100 = ("NVIDIA A100 Tensor Core GPU datasheet (2021), "
           "nvidia.com/content/dam/en-zz/Solutions/Data-Center/a100/pdf/nvidia-a100-datasheet-us-nvidia-1758950-r4-web.pdf")
NV_H100 = "NVIDIA H100 Tensor Core GPU datasheet (2023), resources.nvidia.com/en-us-tensor-core/nvidia-tensor-core-gpu-datasheet"
NV_H200 = "NVIDIA H200 Tensor Core GPU datasheet (2024), nvidia.com/en-us/data-center/h200/"
NV_BW = "NVIDIA HGX B200 / GB200 NVL72 specifications (2024), nvidia.com/en-us/data-center/hgx/"
PATTERSON = "Patterson et al. 2021, Carbon Emissions and Large Neural Network Training, arXiv:2104.10350, Table 4"
CURATED = [
    ("V100-SXM2", "V100|Tesla V100|V100-SXM2-16GB|V100-SXM2-32GB|Tesla V100-SXM2-16GB|Tesla V100-SXM2-32GB|V100-32GB|V100-16GB",
     "gpu", "NVIDIA", 300, None, "", 32, NV_V100, 2020,
     "mlco2/impact lists V100-SXM2-16GB at 250 W; the NVIDIA datasheet gives 300 W for the NVLink (SXM2) part"),
    ("V100-PCIe", "Tesla V100-PCIE-16GB|Tesla V100-PCIE-32GB|V100-PCIE-16GB|V100-PCIE-32GB", "gpu", "NVIDIA",
     250, None, "", 32, NV_V100, 2020, "mlco2/impact lists 300 W; the NVIDIA datasheet gives 250 W for PCIe"),
    ("V100S-PCIe", "V100S|Tesla V100S|NVIDIA Tesla V100S", "gpu", "NVIDIA", 250, None, "", 32, NV_V100, 2020, ""),
    ("A100-SXM4-40GB", "A100|A100-40GB|A100-SXM4|A100-SXM|Tesla A100|A100 SXM4 40GB", "gpu", "NVIDIA", 400, None, "", 40,
     NV_A100, 2021, ""),
    ("A100-SXM4-80GB", "A100-80GB|A100 SXM4 80 GB|A100-SXM-80GB", "gpu", "NVIDIA", 400, None, "", 80, NV_A100, 2021, ""),
    ("A100-PCIe-40GB", "A100-PCIe|A100 PCIe 40/80GB|NVIDIA A100 40GB PCIe", "gpu", "NVIDIA", 250, None, "", 40, NV_A100, 2021, ""),
    ("A100-PCIe-80GB", "NVIDIA A100 80GB PCIe", "gpu", "NVIDIA", 300, None, "", 80, NV_A100, 2021, ""),
    ("H100-SXM", "H100|H100-SXM5|H100 SXM|H100-80GB|H100-SXM5-80GB|H100 80GB HBM3", "gpu", "NVIDIA", 700, None, "", 80, NV_H100, 2023,
     "datasheet: up to 700 W (configurable)"),
    ("H100-PCIe", "H100 PCIe", "gpu", "NVIDIA", 350, None, "", 80, NV_H100, 2023, "datasheet: 300-350 W (configurable)"),
    ("H100-NVL", "H100 NVL", "gpu", "NVIDIA", 400, None, "", 94, NV_H100, 2023, "datasheet: 350-400 W (configurable)"),
    ("H200-SXM", "H200|H200 SXM|H200-141GB", "gpu", "NVIDIA", 700, None, "", 141, NV_H200, 2024, "datasheet: up to 700 W (configurable)"),
    ("H200-NVL", "H200 NVL", "gpu", "NVIDIA", 600, None, "", 141, NV_H200, 2024, "datasheet: up to 600 W (configurable)"),
    ("B200", "HGX B200|B200-SXM|DGX B200", "gpu", "NVIDIA", 1000, None, "", 180, NV_BW, 2024,
     "HGX B200: configurable up to 1,000 W per GPU"),
    ("GB200", "GB200 NVL72|B200-GB200", "gpu", "NVIDIA", 1200, None, "", 186, NV_BW, 2024,
     "per Blackwell GPU in GB200 NVL72 (configurable up to 1,200 W); the Grace CPU is not included: add it as cpu:"),
    ("L4", "NVIDIA L4", "gpu", "NVIDIA", 72, None, "", 24,
     "NVIDIA L4 Tensor Core GPU product brief PB-11316-001 (2023), nvidia.com/content/dam/en-zz/Solutions/Data-Center/l4/PB-11316-001_v01.pdf", 2023, ""),
    ("L40S", "NVIDIA L40S", "gpu", "NVIDIA", 350, None, "", 48,
     "NVIDIA L40S datasheet (2023), resources.nvidia.com/en-us-l40s/l40s-datasheet-28413", 2023, ""),
    ("L40", "NVIDIA L40", "gpu", "NVIDIA", 300, None, "", 48, "NVIDIA L40 datasheet (2022), nvidia.com/en-us/data-center/l40/", 2022, ""),
    ("T4", "Tesla T4|NVIDIA Tesla T4|NVIDIA T4", "gpu", "NVIDIA", 70, None, "", 16,
     "NVIDIA T4 Tensor Core GPU datasheet (2019), nvidia.com/content/dam/en-zz/Solutions/Data-Center/tesla-t4/t4-tensor-core-datasheet-951643.pdf", 2019, ""),
    ("A10", "NVIDIA A10", "gpu", "NVIDIA", 150, None, "", 24, "NVIDIA A10 Tensor Core GPU datasheet (2021), nvidia.com/en-us/data-center/products/a10-gpu/", 2021, ""),
    ("A10G", "NVIDIA A10G", "gpu", "NVIDIA", 150, None, "", 24,
     "TechPowerUp GPU database (AWS-specific part without an NVIDIA datasheet), techpowerup.com/gpu-specs/a10g.c3798, via mlco2/impact gpus.csv", 2021, ""),
    ("MI250X", "AMD MI250X|Instinct MI250X", "gpu", "AMD", 500, None, "", 128,
     "AMD Instinct MI200 series datasheet (2021), amd.com/system/files/documents/amd-instinct-mi200-datasheet.pdf", 2021,
     "datasheet: 500 W, 560 W peak"),
    ("MI250", "AMD MI250|Instinct MI250", "gpu", "AMD", 500, None, "", 128,
     "AMD Instinct MI200 series datasheet (2021), amd.com/system/files/documents/amd-instinct-mi200-datasheet.pdf", 2021,
     "datasheet: 500 W, 560 W peak"),
    ("MI300X", "AMD MI300X|Instinct MI300X", "gpu", "AMD", 750, None, "", 192,
     "AMD Instinct MI300X data sheet (2023), amd.com/en/products/accelerators/instinct/mi300/mi300x.html", 2023, ""),
    ("Gaudi2", "Gaudi 2|Intel Gaudi2|HL-225H|Habana Gaudi2", "accelerator", "Intel", 600, None, "", 96,
     "Intel Gaudi 2 AI accelerator (HL-225H OAM) product page (2022), habana.ai/products/gaudi2/", 2022, ""),
    ("Gaudi3", "Gaudi 3|Intel Gaudi3|HL-325L", "accelerator", "Intel", 900, None, "", 128,
     "Intel Gaudi 3 AI accelerator white paper (2024), HL-325L OAM air-cooled 900 W", 2024, "the PCIe card HL-338 is 600 W"),
    ("Tesla M60", "M60|NVIDIA Tesla M60", "gpu", "NVIDIA", 300, None, "", 16,
     "NVIDIA Tesla M60 datasheet (2015), images.nvidia.com/content/tesla/pdf/188417-Tesla-M60-DS-A4-fnl-Web.pdf", 2015,
     "datasheet: 225-300 W configurable"),
    ("K520", "GRID K520|NVIDIA GRID K520", "gpu", "NVIDIA", 229, None, "", 8,
     "Cloud Carbon Footprint methodology Appendix III (Teads): max 229 W, idle 26 W", 2021, "power at 100 % load, not TDP"),
    ("Radeon Pro V520", "V520|AMD Radeon Pro V520", "gpu", "AMD", 229, None, "", 8,
     "Cloud Carbon Footprint methodology Appendix III (Teads): max 229 W, idle 26 W", 2021, "power at 100 % load, not TDP"),
    ("TPUv2", "TPU v2|TPUv2 Chip|TPU-v2", "tpu", "Google", 280, 221,
     "mlco2/impact gpus.csv: average consumption from Patterson et al. 2021", 8, PATTERSON + " (chip TDP)", 2021,
     "Green Algorithms TDP_gpu.csv also gives 280 W"),
    ("TPUv3", "TPU v3|TPUv3 Chip|TPU-v3", "tpu", "Google", 450, 283,
     "mlco2/impact gpus.csv: average consumption from Patterson et al. 2021", 16, PATTERSON + " (chip TDP)", 2021,
     "Green Algorithms lists 220 W citing cloud.google.com/tpu/docs/v3; Patterson et al. measured 245-310 W system average per chip"),
    ("TPUv4", "TPU v4|TPU-v4", "tpu", "Google", 170, None, "", 32,
     "Green Algorithms TDP_gpu.csv, citing cloud.google.com/tpu/docs/system-architecture-tpu-vm", 2022, ""),
    ("TPUv5e", "TPU v5e|TPU v5 lite|TPU-v5e|v5litepod", "tpu", "Google", None, None, "", 16, "no published per-chip power", 2023,
     "Google publishes no per-chip power for TPU v5e; give --power W"),
    ("TPUv5p", "TPU v5p|TPU-v5p", "tpu", "Google", None, None, "", 95, "no published per-chip power", 2023,
     "Google publishes no per-chip power for TPU v5p; give --power W"),
    ("TPUv6e", "TPU v6e|Trillium|TPU-v6e", "tpu", "Google", None, None, "", 32, "no published per-chip power", 2024,
     "Google publishes no per-chip power for TPU v6e (Trillium); give --power W"),
]

# --- curated current GPU instances ----------------------------------------
# (provider, type, gpu_id, gpu_count, vcpus, platform_vcpus, memory_gb, cpu_model, microarchitecture, source)
AWS_P = "AWS EC2 accelerated computing instance types, aws.amazon.com/ec2/instance-types/"
GCP_A = "Google Cloud GPU machine types, cloud.google.com/compute/docs/gpus"
AZ_ND = "Azure virtual machine sizes, learn.microsoft.com/azure/virtual-machines/sizes/"


def _ladder(provider, fam, gpu, cpu, arch, src, sizes):
    """Rows for one instance family: sizes = [(suffix, gpus, vcpus, memory_gb)]; platform = largest."""
    plat = max(s[2] for s in sizes)
    return [(provider, f"{fam}.{suf}" if provider == "aws" else f"{fam}-{suf}", gpu, n, v, plat, m, cpu, arch, src)
            for suf, n, v, m in sizes]


_G5_SHAPE = [("xlarge", 1, 4, 16), ("2xlarge", 1, 8, 32), ("4xlarge", 1, 16, 64), ("8xlarge", 1, 32, 128),
             ("16xlarge", 1, 64, 256), ("12xlarge", 4, 48, 192), ("24xlarge", 4, 96, 384), ("48xlarge", 8, 192, 768)]
CURATED_INSTANCES = [
    ("aws", "p4d.24xlarge", "A100-SXM4-40GB", 8, 96, 96, 1152, "Intel Xeon Platinum 8275CL", "Cascade Lake", AWS_P + "p4/"),
    ("aws", "p4de.24xlarge", "A100-SXM4-80GB", 8, 96, 96, 1152, "Intel Xeon Platinum 8275CL", "Cascade Lake", AWS_P + "p4/"),
    ("aws", "p5.48xlarge", "H100-SXM", 8, 192, 192, 2048, "AMD EPYC 7R13", "EPYC 3rd Gen", AWS_P + "p5/"),
    ("aws", "p5e.48xlarge", "H200-SXM", 8, 192, 192, 2048, "AMD EPYC 7R13", "EPYC 3rd Gen", AWS_P + "p5/"),
    ("aws", "p5en.48xlarge", "H200-SXM", 8, 192, 192, 2048, "Intel Xeon Sapphire Rapids", "Sapphire Rapids", AWS_P + "p5/"),
    ("aws", "p3dn.24xlarge", "V100-SXM2", 8, 96, 96, 768, "Intel Xeon Platinum 8175M", "Skylake", AWS_P + "p3/"),
    *_ladder("aws", "g5", "A10G", "AMD EPYC 7R32", "EPYC 2nd Gen", AWS_P + "g5/", _G5_SHAPE),
    *_ladder("aws", "g6", "L4", "AMD EPYC 7R13", "EPYC 3rd Gen", AWS_P + "g6/", _G5_SHAPE),
    *_ladder("aws", "g6e", "L40S", "AMD EPYC 7R13", "EPYC 3rd Gen", AWS_P + "g6e/",
             [("xlarge", 1, 4, 32), ("2xlarge", 1, 8, 64), ("4xlarge", 1, 16, 128), ("8xlarge", 1, 32, 256),
              ("16xlarge", 1, 64, 512), ("12xlarge", 4, 48, 384), ("24xlarge", 4, 96, 768), ("48xlarge", 8, 192, 1536)]),
    *_ladder("gcp", "a2-highgpu", "A100-SXM4-40GB", "Intel Xeon Platinum 8273CL", "Cascade Lake", GCP_A,
             [("1g", 1, 12, 85), ("2g", 2, 24, 170), ("4g", 4, 48, 340), ("8g", 8, 96, 680)]),
    ("gcp", "a2-megagpu-16g", "A100-SXM4-40GB", 16, 96, 96, 1360, "Intel Xeon Platinum 8273CL", "Cascade Lake", GCP_A),
    *_ladder("gcp", "a2-ultragpu", "A100-SXM4-80GB", "Intel Xeon Platinum 8273CL", "Cascade Lake", GCP_A,
             [("1g", 1, 12, 170), ("2g", 2, 24, 340), ("4g", 4, 48, 680), ("8g", 8, 96, 1360)]),
    *_ladder("gcp", "a3-highgpu", "H100-SXM", "Intel Xeon Platinum 8481C", "Sapphire Rapids", GCP_A,
             [("1g", 1, 26, 234), ("2g", 2, 52, 468), ("4g", 4, 104, 936), ("8g", 8, 208, 1872)]),
    ("gcp", "a3-megagpu-8g", "H100-SXM", 8, 208, 208, 1872, "Intel Xeon Platinum 8481C", "Sapphire Rapids", GCP_A),
    ("gcp", "a3-ultragpu-8g", "H200-SXM", 8, 224, 224, 2952, "Intel Xeon Platinum 8581C", "Emerald Rapids", GCP_A),
    *_ladder("gcp", "g2-standard", "L4", "Intel Xeon Platinum 8273CL", "Cascade Lake", GCP_A,
             [("4", 1, 4, 16), ("8", 1, 8, 32), ("12", 1, 12, 48), ("16", 1, 16, 64), ("24", 2, 24, 96),
              ("32", 1, 32, 128), ("48", 4, 48, 192), ("96", 8, 96, 384)]),
    ("azure", "Standard_ND96asr_v4", "A100-SXM4-40GB", 8, 96, 96, 900, "AMD EPYC 7V12", "EPYC 2nd Gen", AZ_ND + "gpu-accelerated/ndasra100v4-series"),
    ("azure", "Standard_ND96amsr_A100_v4", "A100-SXM4-80GB", 8, 96, 96, 1900, "AMD EPYC 7V12", "EPYC 2nd Gen", AZ_ND + "gpu-accelerated/ndma100v4-series"),
    ("azure", "Standard_ND96isr_H100_v5", "H100-SXM", 8, 96, 96, 1900, "Intel Xeon Platinum 8480C", "Sapphire Rapids", AZ_ND + "gpu-accelerated/ndh100v5-series"),
    ("azure", "Standard_ND96isr_H200_v5", "H200-SXM", 8, 96, 96, 1850, "Intel Xeon Platinum 8480C", "Sapphire Rapids", AZ_ND + "gpu-accelerated/nd-h200-v5-series"),
    ("azure", "Standard_ND96isr_MI300X_v5", "MI300X", 8, 96, 96, 1850, "Intel Xeon Platinum 8480C", "Sapphire Rapids", AZ_ND + "gpu-accelerated/ndmi300xv5-series"),
    ("azure", "Standard_NC24ads_A100_v4", "A100-PCIe-80GB", 1, 24, 96, 220, "AMD EPYC 7V13", "EPYC 3rd Gen", AZ_ND + "gpu-accelerated/nc-a100-v4-series"),
    ("azure", "Standard_NC48ads_A100_v4", "A100-PCIe-80GB", 2, 48, 96, 440, "AMD EPYC 7V13", "EPYC 3rd Gen", AZ_ND + "gpu-accelerated/nc-a100-v4-series"),
    ("azure", "Standard_NC96ads_A100_v4", "A100-PCIe-80GB", 4, 96, 96, 880, "AMD EPYC 7V13", "EPYC 3rd Gen", AZ_ND + "gpu-accelerated/nc-a100-v4-series"),
    ("azure", "Standard_NC40ads_H100_v5", "H100-NVL", 1, 40, 80, 320, "AMD EPYC 9V84", "EPYC 4th Gen", AZ_ND + "gpu-accelerated/ncadsh100v5-series"),
    ("azure", "Standard_NC80adis_H100_v5", "H100-NVL", 2, 80, 80, 640, "AMD EPYC 9V84", "EPYC 4th Gen", AZ_ND + "gpu-accelerated/ncadsh100v5-series"),
]

# Azure CCF rows carry a GPU count but no model; the series names it (Azure VM size documentation).
AZURE_SERIES_GPU = {
    "NC-series": "Tesla K80", "NC-series Promo": "Tesla K80", "NCsv2-series": "Tesla P100", "NCsv3-series": "V100-PCIe",
    "NCas_T4_v3 Series": "T4", "NDs-series": "Tesla P40", "NDv2 Series": "V100-SXM2", "NV-series": "Tesla M60",
    "NVv3-series": "Tesla M60",
}
# GCP and AWS GPU names used by CCF/Teads rows -> catalog ids
GPU_NAME_MAP = {"Tesla V100": "V100-SXM2", "Tesla A100": "A100-SXM4-40GB", "T4": "T4", "Tesla K80": "Tesla K80",
                "Tesla M60": "Tesla M60", "A10G": "A10G"}
ARCH_FILES = {
    "amd-epyc-gen1": "EPYC 1st Gen", "amd-epyc-gen2": "EPYC 2nd Gen", "amd-epyc-gen3": "EPYC 3rd Gen",
    "amd-epyc-gen4": "EPYC 4th Gen", "amd-epyc-gen5": "EPYC 5th Gen", "intel-broadwell": "Broadwell",
    "intel-cascadelake": "Cascade Lake", "intel-coffeelake": "Coffee Lake", "intel-emeraldrapids": "Emerald Rapids",
    "intel-graniterapids": "Granite Rapids", "intel-haswell": "Haswell", "intel-icelake": "Ice Lake",
    "intel-ivybridge": "Ivy Bridge", "intel-sandybridge": "Sandy Bridge", "intel-sapphirerapids": "Sapphire Rapids",
    "intel-skylake": "Skylake", "intel-skylake-server": "Skylake",
}


def norm(name: str) -> str:
    """Lower-case alphanumerics only: 'Tesla V100-SXM2-16GB' -> 'teslav100sxm216gb'."""
    return re.sub(r"[^a-z0-9]", "", name.lower())


def _num(text: str) -> float | None:
    s = (text or "").strip().replace('"', "").replace(",", ".")
    try:
        x = float(s)
    except ValueError:
        return None
    return x if x == x else None  # NaN -> None


def read_csv(path: Path, skip: int = 0) -> list[dict[str, str]]:
    with open(path, newline="", encoding="utf-8-sig") as fh:
        for _ in range(skip):
            next(fh)
        return [{(k or "").strip(): (v or "").strip() for k, v in row.items()} for row in csv.DictReader(fh)]


#: mlco2/impact rows left out because they contradict the vendor: GTX 750 is listed at 250 W and
#: 1111 TFLOPS, the card's board power is 55 W (NVIDIA GeForce GTX 750 specifications).
KNOWN_BAD = {"GTX 750"}

ACC_FIELDS = ["id", "aliases", "kind", "vendor", "tdp_w", "typical_w", "typical_source", "memory_gb", "source",
              "year", "note"]


def build_accelerators(ref: Path) -> list[dict]:
    rows = []
    taken: set[str] = set()
    for (cid, aliases, kind, vendor, tdp, typ, typ_src, mem, src, year, note) in CURATED:
        rows.append(dict(id=cid, aliases=aliases, kind=kind, vendor=vendor, tdp_w=tdp, typical_w=typ,
                         typical_source=typ_src, memory_gb=mem, source=src, year=year, note=note))
        taken |= {norm(cid), *(norm(a) for a in aliases.split("|"))}
    for r in read_csv(ref / "mlco2-impact" / "gpus.csv"):
        if r["type"] not in {"gpu", "tpu"} or norm(r["name"]) in taken or r["name"] in KNOWN_BAD:
            continue
        taken.add(norm(r["name"]))
        rows.append(dict(id=r["name"], aliases="", kind=r["type"], vendor="", tdp_w=_num(r["tdp_watts"]),
                         typical_w=None, typical_source="", memory_gb=_num(r["memory"]),
                         source=f"{MLCO2} gpus.csv; {r['source'] or 'no source given'}", year="", note=""))
    for r in read_csv(ref / "green-algorithms" / "latest" / "TDP_gpu.csv", skip=1):
        name = r["model"]
        short = re.sub(r"^NVIDIA (Tesla )?", "", name)
        if not name or name == "Any" or _num(r["TDP"]) is None or norm(name) in taken or norm(short) in taken \
                or norm("Tesla " + short) in taken or norm(short.replace("Jetson ", "")) in taken:
            continue
        taken |= {norm(name), norm(short)}
        rows.append(dict(id=short, aliases=name if short != name else "", kind="tpu" if "TPU" in name else "gpu",
                         vendor="NVIDIA" if name.startswith("NVIDIA") else "", tdp_w=_num(r["TDP"]), typical_w=None,
                         typical_source="", memory_gb=None,
                         source=f"{GA} TDP_gpu.csv; {r['source'] or 'no source given'}", year="", note=""))
    return rows


def _arch_lookup(ref: Path) -> list[tuple[str, str]]:
    """(normalised CPU model, CCF microarchitecture) pairs from ccf-coefficients' CPU lists."""
    pairs = []
    for stem, arch in ARCH_FILES.items():
        path = ref / "ccf-coefficients" / "data" / f"{stem}.csv"
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                pairs.append((norm(line), arch))
    pairs.sort(key=lambda p: -len(p[0]))  # longest first: 'e52686v4' before '2686'
    return pairs


def _arch_of(cpu: str, pairs: list[tuple[str, str]]) -> str:
    n = norm(cpu)
    if "graviton" in n:
        return "Graviton2" if "2" in n else "Graviton2" if n == "graviton" else cpu.replace("AWS ", "")
    for key, arch in pairs:
        if len(key) >= 4 and n.endswith(key):
            return arch
    return ""


#: Short source codes used in instances.csv; the full citations go to factors.json["sources"].
INSTANCE_SOURCES = {
    "ccf-embodied": f"{CCF} output/coefficients-<provider>-embodied.csv: embodied kgCO2e of the host platform "
                    "(Teads method: 1,000 kg base rack server + memory, storage, CPUs, 150 kg per GPU)",
    "ccf-aws-2026": f"{CCF} data/aws-instances-latest-2026.csv: host platform embodied tCO2e (method not documented upstream)",
    "ccf-aws-2021": f"{CCF} data/aws-instances.csv (Teads AWS EC2 dataset, 2021); GPU models of p2/p3/g4dn also in {MLCO2} instances.csv",
    "ccf-gcp-2021": f"{CCF} data/gcp-instances.csv (2021)",
    "ccf-azure-2023": f"{CCF} data/azure-instances.csv (2023); GPU model named from the series in Azure VM size docs",
}

INS_FIELDS = ["provider", "type", "gpu", "gpu_count", "vcpus", "platform_vcpus", "memory_gb", "cpu", "arch",
              "embodied_kg", "embodied_source", "source"]


def build_instances(ref: Path) -> list[dict]:
    ccf = ref / "ccf-coefficients"
    pairs = _arch_lookup(ref)
    emb: dict[tuple[str, str], float] = {}
    for r in read_csv(ccf / "output" / "coefficients-aws-embodied.csv"):
        emb[("aws", r["type"])] = float(r["total"])
    for prov in ("gcp", "azure"):
        for r in read_csv(ccf / "output" / f"coefficients-{prov}-embodied.csv"):
            emb.setdefault((prov, r["type"]), float(r["total"]))
    emb_new = {("aws", r["Instance Type"]): _num(r["Platform Embedded Emissions (mtCo2eq)"])
               for r in read_csv(ccf / "data" / "aws-instances-latest-2026.csv")}
    emb_src = "ccf-embodied"
    out: dict[tuple[str, str], dict] = {}

    def add(provider, typ, gpu, n, vcpus, plat, mem, cpu, arch, source, ccf_key=None):
        if not vcpus or vcpus <= 0:
            return  # a few Azure constrained-vCPU rows carry 0 vCPUs upstream: nothing to allocate
        kg = emb.get((provider, ccf_key or typ))
        src = emb_src if kg is not None else ""
        if kg is None and emb_new.get((provider, typ)):
            kg = emb_new[(provider, typ)] * 1000.0
            src = "ccf-aws-2026"
        out[(provider, typ)] = dict(provider=provider, type=typ, gpu=gpu or "", gpu_count=n or 0, vcpus=vcpus,
                                    platform_vcpus=plat, memory_gb=mem, cpu=cpu, arch=arch,
                                    embodied_kg=round(kg, 2) if kg is not None else None, embodied_source=src,
                                    source=source)

    for r in read_csv(ccf / "data" / "aws-instances.csv"):
        gpu = GPU_NAME_MAP.get(r["Platform GPU Name"], r["Platform GPU Name"]) if r["Platform GPU Name"] not in {"", "N/A"} else ""
        n = int(_num(r["Instance Number of GPU"]) or 0) if gpu else 0
        add("aws", r["Instance type"], gpu, n, int(_num(r["Instance vCPU"])), int(_num(r["Platform Total Number of vCPU"])),
            _num(r["Instance Memory (in GB)"]), r["Platform CPU Name"], _arch_of(r["Platform CPU Name"], pairs),
            "ccf-aws-2021")
    for r in read_csv(ccf / "data" / "gcp-instances.csv"):
        if ("gcp", r["Machine type"]) in out:
            continue  # one row per machine type: the first microarchitecture listed
        n = int(_num(r["Instance GPUs"]) or 0)
        gpu = ("A100-SXM4-40GB" if r["Machine type"].startswith("a2-") else "") if n else ""
        add("gcp", r["Machine type"], gpu, n if gpu else 0, int(_num(r["Instance vCPUs"])),
            int(_num(r["Platform vCPUs (highest vCPU possible)"])), _num(r["Instance Memory"]), "",
            r["Microarchitecture"], "ccf-gcp-2021")
    for r in read_csv(ccf / "data" / "azure-instances.csv"):
        n = int(_num(r["Instance GPUs"]) or 0)
        gpu = AZURE_SERIES_GPU.get(r["Series"], "") if n else ""
        typ = "Standard_" + r["Virtual Machine"].replace(" ", "_")
        arch = "" if r["Microarchitecture"] == "Unknown" else r["Microarchitecture"]
        add("azure", typ, gpu, n if gpu else 0, int(_num(r["Instance vCPUs"])),
            int(_num(r["Platform vCPUs (highest vCPU possible)"])), _num(r["Instance Memory"]), "", arch,
            "ccf-azure-2023", ccf_key=r["Virtual Machine"])
    for r in read_csv(ref / "mlco2-impact" / "instances.csv"):
        key = (r["provider"], r["id"])
        if key in out and not out[key]["gpu"]:
            out[key]["gpu"] = GPU_NAME_MAP.get(r["gpu"], r["gpu"])
    for (prov, typ, gpu, n, vcpus, plat, mem, cpu, arch, src) in CURATED_INSTANCES:
        add(prov, typ, gpu, n, vcpus, plat, mem, cpu, arch, src)
    return sorted(out.values(), key=lambda r: (r["provider"], r["type"]))


def build_factors(ref: Path) -> dict:
    ga = {r["variable"]: r for r in read_csv(ref / "green-algorithms" / "latest" / "referenceValues.csv", skip=1)}
    per_vcpu: dict[str, dict[str, list[float]]] = {}
    for prov in ("aws", "gcp", "azure"):
        per_vcpu[prov] = {r["Architecture"]: [round(float(r["Min Watts"]), 4), round(float(r["Max Watts"]), 4)]
                          for r in read_csv(ref / "ccf-coefficients" / "output" / f"coefficients-{prov}-use.csv")}
    ccf_method = ("Cloud Carbon Footprint methodology (cloudcarbonfootprint.org/docs/methodology), "
                  "Teads/SPECpower-based; coefficients from ccf-coefficients @b0032d92 (Apache-2.0)")
    luccioni = ("Luccioni, Viguier, Ligozat 2022, Estimating the Carbon Footprint of BLOOM, a 176B Parameter "
                "Language Model, arXiv:2211.02001 (JMLR 24(253), 2023)")
    return {
        "ram_w_per_gb": {"value": float(ga["memoryPower"]["value"]), "year": 2021,
                         "source": f"{GA} referenceValues.csv memoryPower: {ga['memoryPower']['source']}"},
        "vcpu_w": {"value": per_vcpu, "source": f"{ccf_method}: output/coefficients-<provider>-use.csv "
                   "[W per vCPU at idle, at 100 %] by microarchitecture", "year": 2026},
        "vcpu_w_unknown": {"value": {"aws": [0.74, 3.5], "gcp": [0.71, 4.26], "azure": [0.78, 3.76]},
                           "source": f"{ccf_method}, Appendix I: average per vCPU when the microarchitecture is unknown",
                           "year": 2023},
        "utilization_accelerator": {"value": 1.0, "low": 0.5, "high": 1.0, "year": 2021, "source": (
            "central 1.0 (power = TDP) as in the ML CO2 Impact calculator (Lacoste et al. 2019, arXiv:1910.09700), "
            "Green Algorithms' default usage factor (Lannelongue et al. 2021, Adv. Sci. 8:2100707) and "
            + luccioni + "; low 0.5 from measured averages of 0.54-0.69 x TDP for TPUv3 (" + PATTERSON + ")")},
        "utilization_cpu": {"value": 0.5, "low": 0.5, "high": 1.0, "year": 2023,
                            "source": f"{ccf_method}: assumed average CPU utilisation 50 %; high = TDP"},
        "embodied_gpu_kg": {"value": 150.0, "year": 2022, "source": luccioni + ": ~150 kgCO2e per A100 GPU"},
        "embodied_gpu_server_kg": {"value": 2500.0, "gpus_per_server": 8, "year": 2022,
                                   "source": luccioni + ": ~2,500 kgCO2e per HPE Apollo 6500 Gen10 Plus server "
                                   "without GPUs (8 GPU slots)"},
        "embodied_cpu_server_kg": {"value": 1000.0, "per_extra_cpu_kg": 100.0, "year": 2021,
                                   "source": f"{ccf_method}: base rack server 1,000 kgCO2e, +100 kgCO2e per extra CPU "
                                   "(Teads / Dell PowerEdge R740 LCA)"},
        "lifetime_years": {"value": 4.0, "low_impact": 6.0, "year": 2021,
                           "source": f"{ccf_method}: expected lifespan EL = 4 years; 6 years in " + luccioni},
        "usage_rate": {"value": 1.0, "high_impact": 0.85, "year": 2022,
                       "source": "share of its life the hardware is busy: 1.0 (CCF, all of life allocated to "
                       "reservations); 0.85 in " + luccioni},
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--reference", type=Path, default=DEFAULT_REFERENCE, help="raw reference data folder")
    ap.add_argument("--out", type=Path, default=DEFAULT_OUT, help="output folder")
    args = ap.parse_args(argv)
    ref: Path = args.reference
    if not (ref / "mlco2-impact" / "gpus.csv").is_file():
        print(f"reference data not found under {ref}; pass --reference DIR", file=sys.stderr)
        return 2
    args.out.mkdir(parents=True, exist_ok=True)
    acc = build_accelerators(ref)
    ins = build_instances(ref)
    known = {norm(r["id"]) for r in acc} | {norm(a) for r in acc for a in r["aliases"].split("|") if a}
    missing = sorted({r["gpu"] for r in ins if r["gpu"] and norm(r["gpu"]) not in known})
    if missing:
        print(f"instance GPUs missing from the accelerator table: {missing}", file=sys.stderr)
        return 1
    for name, fields, rows in (("accelerators.csv", ACC_FIELDS, acc), ("instances.csv", INS_FIELDS, ins)):
        with open(args.out / name, "w", newline="", encoding="utf-8") as fh:
            w = csv.DictWriter(fh, fieldnames=fields, lineterminator="\n")
            w.writeheader()
            for r in rows:
                w.writerow({k: ("" if r[k] is None else r[k]) for k in fields})
    factors = build_factors(ref)
    factors["sources"] = INSTANCE_SOURCES
    (args.out / "factors.json").write_text(json.dumps(factors, indent=1) + "\n", encoding="utf-8")
    print(f"wrote {len(acc)} accelerators, {len(ins)} instance types, factors.json to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
