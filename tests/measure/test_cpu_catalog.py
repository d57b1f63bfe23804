"""CPU catalog matching: exact, normalised, fuzzy (reported), refusals."""

from __future__ import annotations

import pytest

from carbontrail.hardware.cpus import (
    FUZZY_MIN_SCORE, catalog_meta, cpu_brand, find_cpu, logical_cpus, normalise, search_cpus,
)


@pytest.mark.parametrize(
    "brand, name, tdp_w, kind",
    [
        ("Apple M1", "Apple M1", 10.0, "exact"),
        ("intel xeon platinum 8480+", "Intel Xeon Platinum 8480+", 350.0, "exact"),
        ("Intel(R) Xeon(R) Platinum 8480+ CPU @ 2.00GHz", "Intel Xeon Platinum 8480+", 350.0, "normalised"),
        ("AMD EPYC 7763 64-Core Processor", "AMD EPYC 7763", 280.0, "normalised"),
        ("Intel(R) Xeon(R) CPU E5-2686 v4 @ 2.30GHz", "Intel Xeon E5-2686 v4", 145.0, "normalised"),
        ("AMD Ryzen 7 PRO 4750U with Radeon Graphics", "AMD Ryzen 7 PRO 4750U", 15.0, "normalised"),
        ("Intel(R) Core(TM) i7-10700K CPU @ 3.80GHz", "Intel Core i7-10700K", 125.0, "normalised"),
    ],
)
def test_exact_and_normalised(brand, name, tdp_w, kind):
    m = find_cpu(brand)
    assert m is not None
    assert (m.name, m.tdp_w, m.match, m.score) == (name, tdp_w, kind, 1.0)
    assert "MIT" in m.source or "CC BY" in m.source


def test_cores_enriched_from_green_algorithms():
    m = find_cpu("AMD EPYC 7763 64-Core Processor")
    assert m is not None and m.cores == 64


def test_fuzzy_match_is_reported_with_what_matched():
    m = find_cpu("Intel Xeon 8375C")          # family word "Platinum" missing
    assert m is not None
    assert m.match == "fuzzy" and m.name == "Intel Xeon Platinum 8375C"
    assert FUZZY_MIN_SCORE <= m.score < 1.0
    assert m.query == "Intel Xeon 8375C"


@pytest.mark.parametrize(
    "brand",
    [
        "AMD EPYC",                                   # no model number at all
        "Intel(R) Xeon(R) CPU @ 2.20GHz",             # cloud CPU without a model
        "Intel Xeon Platinum 8480",                   # 8480+ exists; 8480 is another SKU
        "Intel(R) Xeon(R) CPU E5-2686 @ 2.30GHz",     # v4 exists; v1 is another CPU
        "AMD EPYC 7V13 64-Core Processor",            # Azure part, not 7713 or 7763
        "Intel Core i9-14900K",                       # not in the catalog: no near guess
        "Intel Xeon Gold 7763",                       # AMD's number under Intel's family
        "",
    ],
)
def test_refuses_a_different_cpu(brand):
    assert find_cpu(brand) is None


def test_normalise_strips_noise_but_keeps_model_marks():
    assert normalise("Intel(R) Xeon(R) Platinum 8480+ CPU @ 2.00GHz") == "xeon platinum 8480+"
    assert normalise("12th Gen Intel(R) Core(TM) i7-1260P") == "core i7-1260p"


def test_search_lists_candidates_best_first():
    got = search_cpus("xeon 8480", limit=5)
    assert got and got[0].name == "Intel Xeon Platinum 8480+"
    assert len(got) <= 5
    assert search_cpus("AMD EPYC 7763", limit=1)[0].match in ("exact", "normalised")
    assert search_cpus("", limit=3) == []


def test_cpuinfo_parsing():
    text = ("processor\t: 0\nvendor_id\t: AuthenticAMD\nmodel\t\t: 1\n"
            "model name\t: AMD EPYC 7763 64-Core Processor\n\n"
            "processor\t: 1\nmodel name\t: AMD EPYC 7763 64-Core Processor\n")
    assert cpu_brand(text) == "AMD EPYC 7763 64-Core Processor"
    assert logical_cpus(text) == 2
    assert cpu_brand("processor : 0\nmodel : 85\n") is None


def test_meta_cites_every_default():
    d = catalog_meta()["defaults"]
    assert d["tdp_per_core_w"]["value"] == 12.0 and "Green Algorithms" in d["tdp_per_core_w"]["source"]
    assert d["ram_w_per_gb"]["value"] == 0.3725
    assert 0.1 < d["idle_fraction"]["value"] < 0.5 and "SPECpower" in d["idle_fraction"]["source"]


def test_precomputed_keys_match_normalise():
    """cpus.csv stores normalise(name) for speed: it must be rebuilt when normalise changes."""
    from carbontrail.hardware.cpus import _rows

    rows = _rows()
    assert len(rows) > 4000
    stale = [r.name for r in rows if normalise(r.name) != r.key]
    assert stale == [], f"rebuild with scripts/build_cpu_catalog.py; stale keys: {stale[:5]}"
