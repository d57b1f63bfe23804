"""A small JSON-over-HTTP client for the live providers (urllib only).

Timeouts on every call; retries with exponential backoff on 429 and 5xx
(honouring ``Retry-After`` up to the backoff cap); 401/403 become
:class:`~carbontrail.errors.ProviderAuthError` naming the setting to fix;
timeouts, refused connections and unreadable bodies become
:class:`~carbontrail.errors.ProviderUnavailable`. Credentials travel only in
headers and are never put into error messages or logs.
"""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Mapping
from typing import Any

from ...errors import ProviderAuthError, ProviderUnavailable

USER_AGENT = "carbontrail (+https://github.com/carbontrail)"


class HttpClient:
    """GET/PUT JSON with timeout and retries. ``sleep`` is injectable for tests."""

    def __init__(self, provider: str, base_url: str, *, timeout_s: float = 5.0, retries: int = 3,
                 backoff_s: float = 0.5, max_backoff_s: float = 8.0, auth_setting: str = "",
                 sleep: Callable[[float], None] = time.sleep) -> None:
        self.provider = provider
        self.base_url = base_url.rstrip("/")
        self.timeout_s = timeout_s
        self.retries = retries
        self.backoff_s = backoff_s
        self.max_backoff_s = max_backoff_s
        self.auth_setting = auth_setting
        self.sleep = sleep
        self.requests_made = 0

    def url(self, path: str, params: Mapping[str, Any] | None = None) -> str:
        u = f"{self.base_url}/{path.lstrip('/')}"
        if params:
            u += "?" + urllib.parse.urlencode({k: v for k, v in params.items() if v is not None})
        return u

    def get_json(self, path: str, params: Mapping[str, Any] | None = None,
                 headers: Mapping[str, str] | None = None) -> Any:
        """The decoded JSON body of ``GET base/path?params``."""
        return self.request("GET", self.url(path, params), headers)

    def request(self, method: str, url: str, headers: Mapping[str, str] | None = None) -> Any:
        hdrs = {"Accept": "application/json", "User-Agent": USER_AGENT, **(headers or {})}
        where = url.split("?", 1)[0]
        last = ""
        for attempt in range(self.retries + 1):
            self.requests_made += 1
            req = urllib.request.Request(url, headers=hdrs, method=method)
            try:
                with urllib.request.urlopen(req, timeout=self.timeout_s) as resp:  # noqa: S310
                    body = resp.read()
            except urllib.error.HTTPError as exc:
                status = exc.code
                if status in (401, 403):
                    raise ProviderAuthError(self.provider, self.auth_setting or "its credentials",
                                            status) from None
                if status == 429 or status >= 500:
                    last = f"HTTP {status}"
                    if attempt < self.retries:
                        self.sleep(self._delay(attempt, exc.headers.get("Retry-After") if exc.headers else None))
                        continue
                    raise ProviderUnavailable(f"{self.provider}: {where} answered {last} "
                                              f"after {self.retries + 1} tries") from None
                raise ProviderUnavailable(f"{self.provider}: {where} answered HTTP {status}") from None
            except (urllib.error.URLError, TimeoutError, OSError) as exc:
                reason = getattr(exc, "reason", exc)
                last = f"{type(reason).__name__}: {reason}" if not isinstance(reason, str) else reason
                if attempt < self.retries:
                    self.sleep(self._delay(attempt, None))
                    continue
                raise ProviderUnavailable(f"{self.provider}: {where} unreachable ({last})") from None
            try:
                return json.loads(body.decode("utf-8"))
            except (UnicodeDecodeError, json.JSONDecodeError):
                raise ProviderUnavailable(f"{self.provider}: {where} answered something that is not JSON") from None
        raise ProviderUnavailable(f"{self.provider}: {where} failed ({last})")  # pragma: no cover

    def _delay(self, attempt: int, retry_after: str | None) -> float:
        delay = min(self.max_backoff_s, self.backoff_s * (2 ** attempt))
        if retry_after:
            try:
                delay = min(self.max_backoff_s, max(delay, float(retry_after)))
            except ValueError:
                pass
        return delay
