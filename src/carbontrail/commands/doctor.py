"""``carbontrail doctor``: what this machine can measure, and how to fix the rest."""

from __future__ import annotations

from typing import Any

import click

from ._common import echo_json, settings_from


def _location(settings) -> dict[str, Any]:
    from ..errors import CarbontrailError

    try:
        from ..intensity.locations import detect_location
    except ImportError as exc:          # the intensity package is missing from this install
        return {"error": f"location detection unavailable ({exc})", "warnings": []}
    try:
        loc, warnings = detect_location(settings)
    except CarbontrailError as exc:
        return {"error": str(exc), "warnings": []}
    return {"location": loc.to_dict(), "warnings": list(warnings)}


def _fmt_w(x: float | None) -> str:
    return "-" if x is None else f"{x:.2f} W"


def _model_line(dev: dict[str, Any]) -> str:
    d = dev["details"]
    if dev["id"] == "cpu-model":
        if dev["method"] == "defaulted":
            what = (f"{d.get('tdp_w_per_core')} W per core x {d.get('cores')} {d.get('cores_basis')} "
                    f"(defaulted: {d.get('reason')}; {d.get('tdp_source')})")
        elif "match" in d:
            what = (f"{d.get('matched_name')} TDP {d.get('tdp_w')} W, {d['match']} match "
                    f"({d.get('tdp_source')})")
        else:
            what = f"TDP {d.get('tdp_w')} W per socket, {d.get('tdp_source')}"
        return (f"{what}; max {d.get('max_power_w')} W, idle floor {d.get('idle_fraction'):.1%} "
                f"({d.get('idle_fraction_source')})")
    return f"{d.get('w_per_gb')} W/GB on {d.get('memory')} ({d.get('w_per_gb_source')})"


def _print_text(info: dict[str, Any], loc: dict[str, Any]) -> None:
    echo = click.echo
    rapl, nv = info["rapl"], info["nvml"]
    echo("Sensors")
    echo(f"  RAPL ({rapl['root']}): {rapl['state']}: {rapl['message']}")
    for z in rapl["zones"]:
        echo(f"      {z['zone']:<18} {z['name']:<10} {z['note']}")
    if rapl.get("min_read_interval_s"):
        echo(f"      counters wrap after at least {rapl['min_read_interval_s']:.0f} s at full power: "
             "read more often than that")
    for line in rapl["fix"]:
        echo(f"      fix: {line}")
    echo(f"  NVIDIA GPUs (NVML): {nv['state']}" + (f": {nv['message']}" if nv["message"] else ""))
    for d in nv["devices"]:
        echo(f"      {d['id']:<20} {d['name']:<28} {d['method']}  ({d['details'].get('selected_by', '')})")
    if nv["fix"]:
        echo(f"      fix: {nv['fix']}")
    for key, label in (("cpu_model", "CPU model"), ("ram_model", "RAM model")):
        m = info[key]
        if m["used"]:
            for d in m["devices"]:
                echo(f"  {label}: used, {d['method']}: {_model_line(d)}")
        else:
            echo(f"  {label}: not needed ({m['reason']})")
    if info["test_read"]:
        over = info["test_read"][0]["over_s"]
        echo(f"\nTest read over {over:.2f} s")
        for r in info["test_read"]:
            e = "unavailable" if r["energy_j"] is None else f"{r['energy_j']:.2f} J"
            echo(f"  {r['device']:<28} {r['method']:<12} {e:>14}  {_fmt_w(r['power_w']):>10}")
    echo("\nLocation")
    if "error" in loc:
        echo(f"  error: {loc['error']}")
    else:
        L = loc["location"]
        echo(f"  {L['code']} ({L['name']}), from: {L['how']}")
    for w in loc.get("warnings", []):
        echo(f"  note: {w}")
    if info["warnings"]:
        echo("\nWarnings")
        for w in info["warnings"]:
            echo(f"  {w}")
    if not any(d["method"] in ("counter", "integrated") for d in info["used"]):
        echo("\nNo energy counter is readable here: figures will be modelled. The fixes above give real counters.")


@click.command("doctor")
@click.option("--json", "as_json", is_flag=True, help="Print the findings as JSON.")
@click.option("--seconds", type=click.FloatRange(0, 10), default=0.5, show_default=True,
              help="Length of the test read [s] (0 skips it).")
def doctor_cmd(as_json: bool, seconds: float) -> None:
    """Show which sensors work, what each reads, and how to fix the rest."""
    from ..measure.detect import describe_sensors

    settings = settings_from()
    info = describe_sensors(settings, test_read_s=seconds)
    loc = _location(settings)
    if as_json:
        echo_json({"sensors": info, "location": loc, "settings": settings.public_dict()})
    else:
        _print_text(info, loc)
