"""Cloud detection: which provider (DMI files, no network) and which region (instance metadata).

DMI markers (``/sys/class/dmi/id``):
- AWS (Nitro and Xen): ``sys_vendor`` or ``bios_vendor`` "Amazon EC2", or a
  ``bios_version`` / ``product_version`` containing "amazon".
- Google Cloud: ``product_name`` "Google Compute Engine" or ``bios_vendor`` "Google".
- Azure: ``chassis_asset_tag`` 7783-7084-3265-9085-8269-3286-77 (Azure's fixed
  tag), or ``sys_vendor`` "Microsoft Corporation" with ``product_name`` "Virtual Machine".

The metadata endpoint is asked only when DMI says cloud, with a short timeout:
AWS IMDSv2 (token, then ``/latest/meta-data/placement/region``; IMDSv1 if the
token call fails), GCP ``/computeMetadata/v1/instance/zone`` with
``Metadata-Flavor: Google``, Azure ``/metadata/instance/compute/location`` with
``Metadata: true``.
"""

from __future__ import annotations

import re
from pathlib import Path

AZURE_ASSET_TAG = "7783-7084-3265-9085-8269-3286-77"


def _read(root: Path, name: str) -> str:
    try:
        return (root / name).read_text(encoding="utf-8", errors="replace").strip()
    except OSError:
        return ""


def detect_cloud_provider(dmi_root: Path) -> str | None:
    """``aws``, ``gcp``, ``azure`` or None, from DMI files only (no network)."""
    f = {n: _read(dmi_root, n) for n in ("sys_vendor", "bios_vendor", "bios_version", "product_name",
                                          "product_version", "chassis_asset_tag", "board_vendor")}
    low = {k: v.lower() for k, v in f.items()}
    if "amazon ec2" in (low["sys_vendor"], low["bios_vendor"], low["board_vendor"]) or \
            "amazon" in low["bios_version"] or "amazon" in low["product_version"]:
        return "aws"
    if low["product_name"].startswith("google compute engine") or low["bios_vendor"] == "google" \
            or low["sys_vendor"] == "google":
        return "gcp"
    if f["chassis_asset_tag"] == AZURE_ASSET_TAG or (
            low["sys_vendor"] == "microsoft corporation" and low["product_name"] == "virtual machine"):
        return "azure"
    return None


def _get(url: str, headers: dict[str, str], timeout_s: float, method: str = "GET") -> str:
    import urllib.request  # imported here: only on a detected cloud

    req = urllib.request.Request(url, headers=headers, method=method)
    with urllib.request.urlopen(req, timeout=timeout_s) as resp:  # noqa: S310 - URL from settings
        return resp.read(4096).decode("utf-8", errors="replace").strip()


def metadata_region(provider: str, base_url: str, timeout_s: float) -> str:
    """The region id from the instance metadata service [raises OSError/ValueError on failure]."""
    base = base_url.rstrip("/")
    if provider == "aws":
        headers: dict[str, str] = {}
        try:
            token = _get(f"{base}/latest/api/token", {"X-aws-ec2-metadata-token-ttl-seconds": "60"},
                         timeout_s, method="PUT")
            headers = {"X-aws-ec2-metadata-token": token}
        except OSError:  # URLError is an OSError
            headers = {}  # IMDSv1
        region = _get(f"{base}/latest/meta-data/placement/region", headers, timeout_s)
    elif provider == "gcp":
        zone = _get(f"{base}/computeMetadata/v1/instance/zone", {"Metadata-Flavor": "Google"}, timeout_s)
        zone = zone.rsplit("/", 1)[-1]
        region = re.sub(r"-[a-z]$", "", zone)
    elif provider == "azure":
        region = _get(f"{base}/metadata/instance/compute/location?api-version=2021-02-01&format=text",
                      {"Metadata": "true"}, timeout_s)
    else:
        raise ValueError(f"unknown provider {provider!r}")
    if not re.fullmatch(r"[a-z0-9-]{2,40}", region.lower()):
        raise ValueError(f"unexpected region text {region[:40]!r}")
    return region.lower()


def detect_cloud_region(dmi_root: Path, metadata_url: str, timeout_s: float
                        ) -> tuple[str | None, str | None, str | None]:
    """(provider, region, note). Region is None when metadata did not answer; note says why."""
    provider = detect_cloud_provider(dmi_root)
    if provider is None:
        return None, None, None
    import http.client  # only on a detected cloud (urllib loads it anyway)

    try:
        return provider, metadata_region(provider, metadata_url, timeout_s), None
    except (OSError, ValueError, http.client.HTTPException) as exc:  # URLError is an OSError
        reason = getattr(exc, "reason", exc)
        return provider, None, (f"this machine looks like {provider} (DMI) but the instance metadata at "
                                f"{metadata_url} did not give the region ({reason}); "
                                f"set CARBONTRAIL_LOCATION={provider}:<region>")
