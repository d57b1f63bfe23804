"""CPU catalog: TDP [W] (and core counts where known) by model name.

Built by ``scripts/build_cpu_catalog.py`` into ``carbontrail/data/hardware/``:

* ``cpus.csv``: name, vendor, tdp_w, cores, source (a key of the sources table),
  key (the name as :func:`normalise` writes it; a test checks it is current).
  TDPs from CodeCarbon's ``cpu_power.csv`` (MIT; Intel ARK and AMD spec
  scrapes), cores and extra rows from Green Algorithms ``TDP_cpu.csv``
  (Lannelongue et al. 2021, CC BY 4.0).
* ``cpus_meta.json``: the sources (licence, commit, year) and the model
  defaults with their citations: the per-core TDP for unknown CPUs, the idle
  floor fraction and the RAM power per GB.

Matching a ``/proc/cpuinfo`` brand string never silently picks a different CPU:

* ``exact``: the name equals a catalog name (case-insensitive);
* ``normalised``: equal after removing trademarks, "CPU", "Processor",
  clock speed, "N-Core", "Nth Gen", "with Radeon Graphics" and the vendor;
* ``fuzzy``: every token holding a digit (the model number, "v4", the
  "9" of "Ryzen 9") is identical, the vendor and family (Xeon, EPYC, ...) do
  not conflict, and the string similarity is at least :data:`FUZZY_MIN_SCORE`;
  the match says what matched. Anything else, or a tie between candidates of
  different TDP, is no match (None).
"""

from __future__ import annotations

import csv
import difflib
import io
import json
import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, NamedTuple

#: Lowest similarity [0-1] (difflib ratio of normalised names) for a fuzzy match.
FUZZY_MIN_SCORE = 0.5

_FAMILIES = {
    "xeon": "intel", "core": "intel", "pentium": "intel", "celeron": "intel", "atom": "intel",
    "itanium": "intel", "epyc": "amd", "ryzen": "amd", "opteron": "amd", "athlon": "amd",
    "phenom": "amd", "threadripper": "amd", "sempron": "amd", "turion": "amd", "fx": "amd",
}
_VENDORS = {"intel": "intel", "amd": "amd", "apple": "apple", "genuineintel": "intel",
            "authenticamd": "amd", "ampere": "ampere"}


@dataclass(frozen=True)
class CpuMatch:
    """A catalog entry matched to a query.

    ``match``: exact | normalised | fuzzy; ``score`` in [0, 1] (1 for exact
    and normalised). ``source`` is the citation of the TDP figure.
    """

    name: str
    tdp_w: float
    cores: int | None
    source: str
    match: str
    score: float
    query: str = ""
    vendor: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "tdp_w": self.tdp_w, "cores": self.cores, "source": self.source,
                "match": self.match, "score": round(self.score, 3), "query": self.query,
                "vendor": self.vendor}


def normalise(name: str) -> str:
    """Canonical form of a CPU name for comparison (lower case, no noise)."""
    s = name.lower()
    s = re.sub(r"\((?:r|tm|c)\)|®|™", " ", s)
    s = re.sub(r"\(.*?cache.*?\)", " ", s)                      # "(9M Cache, up to 4.00 GHz)"
    s = re.sub(r"@?\s*\d+(?:\.\d+)?\s*[gm]hz\b", " ", s)
    s = re.sub(r"\b\d+-core\b", " ", s)
    s = re.sub(r"\b\d+(?:st|nd|rd|th)\s+gen\b", " ", s)
    s = re.sub(r"\b(?:with|w/)\s+radeon.*$", " ", s)
    s = re.sub(r"\b(?:processor|cpu|intel|amd|genuineintel|authenticamd)\b", " ", s)
    s = s.replace(",", " ")
    return " ".join(s.split())


def vendor_of(name: str) -> str | None:
    """intel, amd, apple, ampere or None, from vendor or family words."""
    words = re.sub(r"\((?:r|tm)\)", " ", name.lower()).replace("-", " ").split()
    for w in words:
        if w in _VENDORS:
            return _VENDORS[w]
    for w in words:
        if w in _FAMILIES:
            return _FAMILIES[w]
    return None


def _digit_tokens(key: str) -> list[str]:
    return sorted(t for t in key.split() if any(c.isdigit() for c in t))


def _families(key: str) -> set[str]:
    return {w for w in key.replace("-", " ").split() if w in _FAMILIES}


class _Row(NamedTuple):
    name: str
    vendor: str | None
    tdp_w: float
    cores: int | None
    source: str
    key: str


@lru_cache(maxsize=1)
def _meta() -> dict[str, Any]:
    from importlib.resources import files

    return json.loads(files("carbontrail").joinpath("data", "hardware", "cpus_meta.json").read_text("utf-8"))


@lru_cache(maxsize=1)
def _rows() -> tuple[_Row, ...]:
    from importlib.resources import files

    text = files("carbontrail").joinpath("data", "hardware", "cpus.csv").read_text("utf-8")
    rows = csv.reader(io.StringIO(text))
    if next(rows) != ["name", "vendor", "tdp_w", "cores", "source", "key"]:
        raise RuntimeError("cpus.csv has an unexpected header: rebuild it with scripts/build_cpu_catalog.py")
    return tuple(_Row(name, vendor or None, float(tdp), int(cores) if cores else None, source, key)
                 for name, vendor, tdp, cores, source, key in rows)


def catalog_meta() -> dict[str, Any]:
    """Sources and cited model defaults of the catalog (see ``cpus_meta.json``)."""
    return _meta()


def source_citation(key: str) -> str:
    """Human citation of a source key of the catalog."""
    src = _meta()["sources"].get(key)
    if src is None:
        return key
    return f"{src['title']} ({src['licence']}, {src['year']})"


def _to_match(row: _Row, kind: str, score: float, query: str) -> CpuMatch:
    return CpuMatch(row.name, row.tdp_w, row.cores, source_citation(row.source), kind, score,
                    query, row.vendor)


def _compatible(q_vendor: str | None, q_key: str, row: _Row) -> bool:
    if q_vendor and row.vendor and q_vendor != row.vendor:
        return False
    qf, rf = _families(q_key), _families(row.key)
    return not (qf and rf and not qf & rf)


def find_cpu(name: str) -> CpuMatch | None:
    """The catalog entry for a CPU brand string, or None when none is safe.

    Accepts ``/proc/cpuinfo`` model names such as
    ``"Intel(R) Xeon(R) Platinum 8480+ CPU @ 2.00GHz"`` or
    ``"AMD EPYC 7763 64-Core Processor"``. A name without a model number
    (``"AMD EPYC"``, ``"Intel(R) Xeon(R) CPU @ 2.20GHz"``) never matches.
    """
    query = (name or "").strip()
    if not query:
        return None
    rows = _rows()
    folded = query.casefold()
    for row in rows:
        if row.name.casefold() == folded:
            return _to_match(row, "exact", 1.0, query)
    key = normalise(query)
    digits = _digit_tokens(key)
    if not digits:
        return None
    q_vendor = vendor_of(query)
    same_key = [r for r in rows if r.key == key and _compatible(q_vendor, key, r)]
    if same_key:
        return _to_match(same_key[0], "normalised", 1.0, query)
    candidates = []
    for r in rows:
        if _digit_tokens(r.key) != digits or not _compatible(q_vendor, key, r):
            continue
        score = difflib.SequenceMatcher(None, key, r.key).ratio()
        if score >= FUZZY_MIN_SCORE:
            candidates.append((score, r))
    if not candidates:
        return None
    candidates.sort(key=lambda c: -c[0])
    best_score, best = candidates[0]
    rivals = [r for s, r in candidates[1:] if s == best_score and r.tdp_w != best.tdp_w]
    if rivals:
        return None     # ambiguous: two CPUs of different power fit equally well
    return _to_match(best, "fuzzy", best_score, query)


def search_cpus(query: str, limit: int = 10) -> list[CpuMatch]:
    """Catalog entries closest to ``query``, best first (for `hardware` and `estimate`).

    Looser than :func:`find_cpu`: a list to choose from, each labelled with
    how it matched; never used to pick a CPU automatically.
    """
    q = (query or "").strip()
    if not q or limit <= 0:
        return []
    key = normalise(q)
    folded = q.casefold()
    q_digits = set(_digit_tokens(key))
    scored = []
    for r in _rows():
        if r.name.casefold() == folded:
            scored.append((2.0, "exact", 1.0, r))
            continue
        if r.key == key:
            scored.append((1.9, "normalised", 1.0, r))
            continue
        ratio = difflib.SequenceMatcher(None, key, r.key).ratio()
        r_digits = _digit_tokens(r.key)
        hits = sum(1 for t in q_digits if any(c == t or c.startswith(t) for c in r_digits))
        overlap = hits / len(q_digits) if q_digits else 0.0
        contains = 0.3 if key and key in r.key else 0.0
        rank = ratio + 0.5 * overlap + contains
        if rank >= 0.6:
            scored.append((rank, "fuzzy", ratio, r))
    scored.sort(key=lambda t: (-t[0], t[3].name))
    return [_to_match(r, kind, score, q) for _, kind, score, r in scored[:limit]]


def cpu_brand(cpuinfo_text: str) -> str | None:
    """The first ``model name`` (x86) or ``Hardware``/``Model`` line of /proc/cpuinfo text."""
    for field_name in ("model name", "hardware", "model"):
        for line in cpuinfo_text.splitlines():
            k, _, v = line.partition(":")
            if k.strip().lower() == field_name and v.strip() and not v.strip().isdigit():
                return v.strip()
    return None


def logical_cpus(cpuinfo_text: str) -> int:
    """Number of logical CPUs listed in /proc/cpuinfo text (0 if none)."""
    return sum(1 for line in cpuinfo_text.splitlines() if line.split(":")[0].strip() == "processor")
