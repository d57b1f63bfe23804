"""Settings, declared once, typed and validated at load.

Precedence (highest first): explicit argument or flag > ``CARBONTRAIL_*``
environment variable > ``./carbontrail.toml`` > user config file
(``$CARBONTRAIL_HOME/config.toml``) > default.

Library functions take explicit arguments and never call :func:`load_settings`
behind the caller's back; the CLI and the top-level convenience API
(``carbontrail.track``) do.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

from .errors import ConfigError


def _positive_float(name: str) -> Callable[[Any], float]:
    def conv(v: Any) -> float:
        try:
            x = float(v)
        except (TypeError, ValueError):
            raise ConfigError(f"{name} must be a number, got {v!r}") from None
        if not x > 0:
            raise ConfigError(f"{name} must be greater than 0, got {v!r}")
        return x
    return conv


def _pue(v: Any) -> float:
    try:
        x = float(v)
    except (TypeError, ValueError):
        raise ConfigError(f"PUE must be a number >= 1.0, got {v!r}") from None
    if x < 1.0:
        raise ConfigError(f"PUE must be >= 1.0 (1.0 means no facility overhead), got {v!r}")
    return x


def _bool(v: Any) -> bool:
    if isinstance(v, bool):
        return v
    s = str(v).strip().lower()
    if s in {"1", "true", "yes", "on"}:
        return True
    if s in {"0", "false", "no", "off", ""}:
        return False
    raise ConfigError(f"expected true or false, got {v!r}")


def _scope(v: Any) -> str:
    s = str(v).strip().lower()
    if s not in {"machine", "process"}:
        raise ConfigError(f"scope must be 'machine' or 'process', got {v!r}")
    return s


def _str(v: Any) -> str:
    return str(v)


def default_home() -> Path:
    """The platform's user data directory for carbontrail."""
    if sys.platform == "darwin":
        return Path.home() / "Library" / "Application Support" / "carbontrail"
    if os.name == "nt":
        base = os.environ.get("LOCALAPPDATA") or str(Path.home() / "AppData" / "Local")
        return Path(base) / "carbontrail"
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "carbontrail"


@dataclass(frozen=True)
class Setting:
    name: str            # attribute name, also the toml key
    env: str             # environment variable
    convert: Callable[[Any], Any]
    default: Any
    help: str
    secret: bool = False


SETTINGS: tuple[Setting, ...] = (
    Setting("location", "CARBONTRAIL_LOCATION", _str, None,
            "where the job runs: country (FR), zone (US-CAL-CISO) or cloud region (gcp:europe-west6)"),
    Setting("home", "CARBONTRAIL_HOME", lambda v: Path(v).expanduser(), None,
            "data directory holding the run store, cache and user config"),
    Setting("powercap_root", "CARBONTRAIL_POWERCAP_ROOT", lambda v: Path(v), Path("/sys/class/powercap"),
            "root of the Linux powercap tree (RAPL)"),
    Setting("dmi_root", "CARBONTRAIL_DMI_ROOT", lambda v: Path(v), Path("/sys/class/dmi/id"),
            "DMI folder used to detect a cloud provider"),
    Setting("interval_s", "CARBONTRAIL_INTERVAL", _positive_float("interval"), 1.0,
            "sampling interval in seconds"),
    Setting("flush_interval_s", "CARBONTRAIL_FLUSH_INTERVAL", _positive_float("flush interval"), 30.0,
            "how often a running record is saved to the store [s]; a killed tracker loses at most this much"),
    Setting("pue", "CARBONTRAIL_PUE", _pue, None,
            "power usage effectiveness of the facility (default: provider figure or 1.56 on premises)"),
    Setting("project", "CARBONTRAIL_PROJECT", _str, "default", "project name"),
    Setting("experiment", "CARBONTRAIL_EXPERIMENT", _str, None, "experiment name or id"),
    Setting("scope", "CARBONTRAIL_SCOPE", _scope, "machine",
            "machine: whole-machine energy; process: also the job's attributed share"),
    Setting("ip_geolocation", "CARBONTRAIL_IP_GEOLOCATION", _bool, False,
            "opt in to an IP geolocation lookup (before the time-zone guess) when no location is set"),
    Setting("ip_geolocation_url", "CARBONTRAIL_IP_GEOLOCATION_URL", _str, "https://ipinfo.io/json",
            "IP geolocation service answering JSON with a two-letter 'country' field"),
    Setting("metadata_timeout_s", "CARBONTRAIL_METADATA_TIMEOUT", _positive_float("metadata timeout"), 0.3,
            "timeout of the cloud instance metadata request [s]"),
    Setting("metadata_url", "CARBONTRAIL_METADATA_URL", _str, "http://169.254.169.254",
            "base URL of the cloud instance metadata service (link-local; asked only on a detected cloud)"),
    Setting("intensity_series", "CARBONTRAIL_INTENSITY_SERIES", lambda v: Path(v).expanduser(), None,
            "an intensity series file used for time-resolved emissions"),
    Setting("provider", "CARBONTRAIL_PROVIDER", _str, None,
            "live intensity provider: electricitymaps, watttime, ukgrid, energidataservice"),
    Setting("electricitymaps_url", "CARBONTRAIL_ELECTRICITYMAPS_URL", _str,
            "https://api.electricitymap.org", "Electricity Maps API base URL"),
    Setting("electricitymaps_token", "CARBONTRAIL_ELECTRICITYMAPS_TOKEN", _str, None,
            "Electricity Maps API token", secret=True),
    Setting("watttime_url", "CARBONTRAIL_WATTTIME_URL", _str, "https://api.watttime.org",
            "WattTime API base URL"),
    Setting("watttime_username", "CARBONTRAIL_WATTTIME_USERNAME", _str, None, "WattTime user name"),
    Setting("watttime_password", "CARBONTRAIL_WATTTIME_PASSWORD", _str, None, "WattTime password",
            secret=True),
    Setting("ukgrid_url", "CARBONTRAIL_UKGRID_URL", _str, "https://api.carbonintensity.org.uk",
            "UK Carbon Intensity API base URL"),
    Setting("energidataservice_url", "CARBONTRAIL_ENERGIDATASERVICE_URL", _str,
            "https://api.energidataservice.dk", "Energi Data Service base URL"),
    Setting("http_timeout_s", "CARBONTRAIL_HTTP_TIMEOUT", _positive_float("HTTP timeout"), 5.0,
            "timeout of each live provider request [s]"),
    Setting("csv", "CARBONTRAIL_CSV", lambda v: Path(v).expanduser(), None,
            "append each run to this CodeCarbon-compatible CSV file"),
    Setting("cpu_tdp_w", "CARBONTRAIL_CPU_TDP", _positive_float("CPU TDP"), None,
            "TDP of one CPU socket [W] for the CPU model (when no RAPL counter is readable); "
            "overrides the catalog"),
)

_BY_NAME = {s.name: s for s in SETTINGS}


@dataclass(frozen=True)
class Settings:
    """Resolved settings. ``sources`` says where each value came from."""

    location: str | None = None
    home: Path | None = None
    powercap_root: Path = Path("/sys/class/powercap")
    dmi_root: Path = Path("/sys/class/dmi/id")
    interval_s: float = 1.0
    flush_interval_s: float = 30.0
    pue: float | None = None
    project: str = "default"
    experiment: str | None = None
    scope: str = "machine"
    ip_geolocation: bool = False
    ip_geolocation_url: str = "https://ipinfo.io/json"
    metadata_timeout_s: float = 0.3
    metadata_url: str = "http://169.254.169.254"
    intensity_series: Path | None = None
    provider: str | None = None
    electricitymaps_url: str = "https://api.electricitymap.org"
    electricitymaps_token: str | None = field(default=None, repr=False)
    watttime_url: str = "https://api.watttime.org"
    watttime_username: str | None = None
    watttime_password: str | None = field(default=None, repr=False)
    ukgrid_url: str = "https://api.carbonintensity.org.uk"
    energidataservice_url: str = "https://api.energidataservice.dk"
    http_timeout_s: float = 5.0
    csv: Path | None = None
    cpu_tdp_w: float | None = None
    sources: Mapping[str, str] = field(default_factory=dict, compare=False)

    @property
    def data_home(self) -> Path:
        """The data directory: ``home`` if set, else the platform's user data dir."""
        return self.home if self.home is not None else default_home()

    def public_dict(self) -> dict[str, Any]:
        """Settings without secrets, for records and ``doctor``."""
        out: dict[str, Any] = {}
        for f in fields(self):
            if f.name == "sources":
                continue
            s = _BY_NAME.get(f.name)
            v = getattr(self, f.name)
            if s is not None and s.secret:
                v = "(set)" if v else None
            out[f.name] = str(v) if isinstance(v, Path) else v
        return out


def _read_toml(path: Path) -> dict[str, Any]:
    import tomllib

    try:
        with open(path, "rb") as fh:
            data = tomllib.load(fh)
    except (FileNotFoundError, NotADirectoryError):
        return {}
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML ({exc}); fix or remove the file") from None
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read ({exc.strerror})") from None
    # accept both a flat file and a [carbontrail] table
    table = data.get("carbontrail", data)
    if not isinstance(table, dict):
        raise ConfigError(f"{path}: [carbontrail] must be a table")
    return table


def find_project_config(start: Path | None = None) -> Path | None:
    """The nearest ``carbontrail.toml`` in ``start`` or its parents."""
    here = (start or Path.cwd()).resolve()
    for d in (here, *here.parents):
        p = d / "carbontrail.toml"
        if p.is_file():
            return p
    return None


def load_settings(
    overrides: Mapping[str, Any] | None = None,
    env: Mapping[str, str] | None = None,
    cwd: Path | None = None,
    use_files: bool = True,
) -> Settings:
    """Resolve settings from overrides > env > ./carbontrail.toml > user config > defaults.

    ``overrides`` holds explicit arguments (None values are ignored).
    Unknown keys in files are reported, not ignored silently.
    """
    env = os.environ if env is None else env
    values: dict[str, Any] = {}
    sources: dict[str, str] = {}
    layers: list[tuple[str, Mapping[str, Any]]] = []
    if use_files:
        home_raw = (overrides or {}).get("home") or env.get("CARBONTRAIL_HOME")
        home = Path(home_raw).expanduser() if home_raw else default_home()
        user_cfg = home / "config.toml"
        layers.append((str(user_cfg), _read_toml(user_cfg)))
        proj = find_project_config(cwd)
        if proj is not None:
            layers.append((str(proj), _read_toml(proj)))
    for origin, table in layers:
        for key, raw in table.items():
            s = _BY_NAME.get(key)
            if s is None:
                if key in {"outputs", "experiment_id", "project_name"}:
                    # carbontrail init writes these; map the aliases
                    alias = {"experiment_id": "experiment", "project_name": "project"}.get(key)
                    if alias:
                        s = _BY_NAME[alias]
                    else:
                        continue
                else:
                    raise ConfigError(
                        f"{origin}: unknown setting {key!r}; known: {', '.join(sorted(_BY_NAME))}"
                    )
            if s.name == "home" and origin.endswith("config.toml") and "carbontrail.toml" not in origin:
                continue
            try:
                values[s.name] = s.convert(raw)
            except ConfigError as exc:
                raise ConfigError(f"{origin}: {key}: {exc}") from None
            sources[s.name] = origin
    for s in SETTINGS:
        raw = env.get(s.env)
        if raw is not None and raw != "":
            try:
                values[s.name] = s.convert(raw)
            except ConfigError as exc:
                raise ConfigError(f"{s.env}: {exc}") from None
            sources[s.name] = f"env {s.env}"
    for key, raw in (overrides or {}).items():
        if raw is None:
            continue
        s = _BY_NAME.get(key)
        if s is None:
            raise ConfigError(f"unknown setting {key!r}")
        values[key] = s.convert(raw)
        sources[key] = "argument"
    for s in SETTINGS:
        sources.setdefault(s.name, "default")
    return Settings(**values, sources=sources)
