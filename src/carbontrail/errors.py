"""The exception tree of carbontrail.

Every error the library raises on purpose derives from ``CarbontrailError``;
messages say what to do next. The CLI shows ``str(error)`` on one line and
exits non-zero; the library never prints or exits.

::

    CarbontrailError
    ├── ConfigError                 bad setting, flag or config file value
    │   └── UnknownLocationError    a location that is not in the tables (.suggestions)
    ├── UnknownHardwareError        hardware or instance type not in the catalog (.suggestions)
    ├── SensorError                 a sensor could not be read
    │   ├── SensorUnavailable       the device or library is absent
    │   ├── SensorPermissionError   the counter exists but may not be read
    │   └── SensorNotSupported      the device lacks the reading asked for
    ├── StoreError                  the run store cannot be opened or written
    │   └── RunNotFoundError        no run with that id (.latest_ids)
    ├── DataError                   a malformed input file (.path, .line, .column)
    ├── ProviderError               a live intensity provider failed
    │   ├── ProviderAuthError       401/403: key missing or wrong (.setting)
    │   └── ProviderUnavailable     timeout, 5xx, garbage: fall back
    └── ScheduleError               a plan that cannot be made (window too short, gaps ...)
"""

from __future__ import annotations

from collections.abc import Sequence


class CarbontrailError(Exception):
    """Base of every error carbontrail raises on purpose."""


class ConfigError(CarbontrailError):
    """A setting, flag or configuration file holds a value that cannot be used."""


class UnknownLocationError(ConfigError):
    """A location code or name that is not in the tables."""

    def __init__(self, query: str, suggestions: Sequence[str] = ()) -> None:
        self.query = query
        self.suggestions = list(suggestions)
        hint = f"; did you mean {', '.join(self.suggestions)}?" if self.suggestions else ""
        super().__init__(
            f"unknown location {query!r}{hint} (run `carbontrail locations` to list them)"
        )


class UnknownHardwareError(CarbontrailError):
    """Hardware or a cloud instance type that the catalog does not know."""

    def __init__(self, query: str, suggestions: Sequence[str] = (), hint: str = "") -> None:
        self.query = query
        self.suggestions = list(suggestions)
        near = f"; close matches: {', '.join(self.suggestions)}" if self.suggestions else ""
        tail = hint or "give the average power per device with --power W"
        super().__init__(f"unknown hardware {query!r}{near}; {tail}")


class SensorError(CarbontrailError):
    """A sensor could not be read."""


class SensorUnavailable(SensorError):
    """The device, driver or library behind a sensor is absent."""


class SensorPermissionError(SensorError):
    """The counter exists but this user may not read it."""


class SensorNotSupported(SensorError):
    """The device does not offer the reading asked for."""


class StoreError(CarbontrailError):
    """The run store cannot be opened, read or written."""


class RunNotFoundError(StoreError):
    """No run with the id asked for."""

    def __init__(self, run_id: str, latest_ids: Sequence[str] = ()) -> None:
        self.run_id = run_id
        self.latest_ids = list(latest_ids)
        latest = (
            f"; latest runs: {', '.join(self.latest_ids)}" if self.latest_ids else "; the store has no runs yet"
        )
        super().__init__(f"no run {run_id!r}{latest} (see `carbontrail runs list`)")


class DataError(CarbontrailError):
    """A malformed input file; says where."""

    def __init__(self, message: str, path: str | None = None, line: int | None = None,
                 column: int | str | None = None) -> None:
        self.path = path
        self.line = line
        self.column = column
        where = ""
        if path is not None:
            where = str(path)
            if line is not None:
                where += f", line {line}"
            if column is not None:
                where += f", column {column}"
            where += ": "
        super().__init__(where + message)


class ProviderError(CarbontrailError):
    """A live intensity provider failed."""


class ProviderAuthError(ProviderError):
    """The provider refused the credentials (HTTP 401/403)."""

    def __init__(self, provider: str, setting: str, status: int | None = None) -> None:
        self.provider = provider
        self.setting = setting
        self.status = status
        code = f" (HTTP {status})" if status else ""
        super().__init__(
            f"{provider} refused the request{code}: the key is missing or wrong; set {setting}"
        )


class ProviderUnavailable(ProviderError):
    """The provider timed out, failed (5xx) or answered something unreadable."""


class ScheduleError(CarbontrailError):
    """A plan cannot be made from the inputs given."""
