"""Fixed run records for the report tests (no sensors, no clock)."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from carbontrail.record import PhaseRecord, RunRecord
from carbontrail.units import emissions_g

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc)


def _timeline(start: datetime, n: int, dt: float, power: dict[str, float], intensities: list[float],
              pue: float) -> list[dict]:
    rows = []
    for k in range(n):
        energy = {c: p * dt for c, p in power.items()}
        rows.append({"t_s": (k + 1) * dt, "at": (start + timedelta(seconds=(k + 1) * dt)).isoformat(), "dt_s": dt,
                     "energy_j": energy, "power_w": dict(power), "intensity_g_per_kwh": intensities[k],
                     "intensity_method": "table", "emissions_g": emissions_g(sum(energy.values()), intensities[k], pue)})
    return rows


def gpu_run(**kw) -> RunRecord:
    """One hour on 2 x A100 in France, annual OWID figure, two phases, 50 epochs."""
    power = {"cpu": 500.0, "gpu": 2000.0, "ram": 100.0}
    tl = _timeline(T0, 6, 600.0, power, [56.0] * 6, 1.2)
    energy = {c: p * 3600.0 for c, p in power.items()}
    total = sum(energy.values())
    em = sum(r["emissions_g"] for r in tl)
    base = dict(
        id="a1b2c3d4e5f60718293a4b5c6d7e8f90", project="bert", experiment="base", started_at=T0,
        status="completed", ended_at=T0 + timedelta(hours=1), duration_s=3600.0,
        command=["python", "train.py", "--model", "base"], exit_code=0, hostname="gpu-node-1", pid=4242,
        location={"code": "FR", "name": "France", "country": "FR", "grid_zone": "FR", "provider": None,
                  "region": None, "how": "argument"},
        intensity={"source": "OWID 2023", "kind": "average", "year": 2023, "method": "table",
                   "g_per_kwh": 56.0, "mean_g_per_kwh": 56.0, "min_g_per_kwh": 56.0, "max_g_per_kwh": 56.0},
        pue={"value": 1.2, "source": "given (argument)"},
        hardware={"cpu_model": "AMD EPYC 7763", "cpu_count": 64, "gpu_count": 2,
                  "gpu_model": "NVIDIA A100-SXM4-40GB", "ram_total_gb": 512.0, "os": "Linux", "python": "3.11.7"},
        devices=[{"id": "rapl:package-0", "component": "cpu", "name": "package-0", "method": "counter",
                  "details": {}, "energy_j": energy["cpu"]},
                 {"id": "nvml:0", "component": "gpu", "name": "NVIDIA A100-SXM4-40GB", "method": "integrated",
                  "details": {}, "energy_j": energy["gpu"] / 2},
                 {"id": "nvml:1", "component": "gpu", "name": "NVIDIA A100-SXM4-40GB", "method": "integrated",
                  "details": {}, "energy_j": energy["gpu"] / 2},
                 {"id": "ram", "component": "ram", "name": "RAM 512 GB", "method": "modelled",
                  "details": {"w_per_gb": 0.3725}, "energy_j": energy["ram"]}],
        components={"cpu": {"energy_j": energy["cpu"], "method": "counter", "devices": ["rapl:package-0"]},
                    "gpu": {"energy_j": energy["gpu"], "method": "integrated", "devices": ["nvml:0", "nvml:1"]},
                    "ram": {"energy_j": energy["ram"], "method": "modelled", "devices": ["ram"]}},
        energy_j=total, emissions_g=em,
        phases=[PhaseRecord("train", "train", None, T0, T0 + timedelta(seconds=3000), 3000.0,
                            {c: p * 3000 for c, p in power.items()}, em * 3000 / 3600),
                PhaseRecord("eval", "eval", None, T0 + timedelta(seconds=3000), T0 + timedelta(hours=1), 600.0,
                            {c: p * 600 for c, p in power.items()}, em * 600 / 3600)],
        timeline=tl, units={"count": 50, "name": "epoch"}, settings={"scope": "machine"}, version="0.1.0",
    )
    base.update(kw)
    return RunRecord(**base)


def series_run(**kw) -> RunRecord:
    """A larger model on the same node, intensity from a per-interval series, a GPU unreadable."""
    power = {"cpu": 600.0, "ram": 100.0}
    start = T0 + timedelta(days=1)
    ints = [40.0, 50.0, 60.0, 70.0, 80.0, 90.0]
    tl = _timeline(start, 6, 600.0, power, ints, 1.2)
    for r in tl:
        r["intensity_method"] = "series"
    energy = {c: p * 3600.0 for c, p in power.items()}
    total = sum(energy.values())
    em = sum(r["emissions_g"] for r in tl)
    base = dict(
        id="ffee0011223344556677889900aabbcc", project="bert", experiment="large", started_at=start,
        status="completed", ended_at=start + timedelta(hours=1), duration_s=3600.0,
        command=["python", "train.py", "--model", "large"], exit_code=0, hostname="gpu-node-1", pid=4343,
        location={"code": "FR", "name": "France", "country": "FR", "grid_zone": "FR", "how": "argument"},
        intensity={"mode": "series", "source": "Electricity Maps FR 2025 hourly", "kind": "average",
                   "method": "series", "mean_g_per_kwh": total and em / (total / 3.6e6 * 1.2),
                   "min_g_per_kwh": 40.0, "max_g_per_kwh": 90.0},
        pue={"value": 1.2, "source": "given (argument)"},
        hardware={"cpu_model": "AMD EPYC 7763", "cpu_count": 64, "gpu_count": 0, "ram_total_gb": 512.0},
        components={"cpu": {"energy_j": energy["cpu"], "method": "counter", "devices": ["rapl:package-0"]},
                    "ram": {"energy_j": energy["ram"], "method": "modelled", "devices": ["ram"]},
                    "gpu": {"energy_j": None, "method": "unavailable", "devices": ["nvml:0"]}},
        energy_j=total, energy_unavailable=["gpu"], emissions_g=em,
        phases=[PhaseRecord("train", "train", None, start, start + timedelta(seconds=3600), 3600.0,
                            dict(energy), em)],
        timeline=tl, settings={"scope": "machine"}, version="0.1.0",
        warnings=["nvml:0 (GPU): permission denied; run `carbontrail doctor` for the fix"],
    )
    base.update(kw)
    return RunRecord(**base)
