"""Provider parsers over recorded payloads; each client against a real server on 127.0.0.1."""

from __future__ import annotations

import base64
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from carbontrail.config import load_settings
from carbontrail.errors import ProviderAuthError, ProviderUnavailable
from carbontrail.intensity.locations import resolve_location
from carbontrail.intensity.providers import electricitymaps as em
from carbontrail.intensity.providers import energidataservice as eds
from carbontrail.intensity.providers import ukgrid, watttime
from carbontrail.intensity.providers._http import HttpClient
from carbontrail.intensity.sources import forecast_series, intensity_source

from .conftest import fixture_json

UTC = timezone.utc
NO_SLEEP = {"sleep": lambda s: None}


def test_parsers_over_recorded_payloads() -> None:
    h = em.parse_history(fixture_json("em_history.json"))
    assert [p.g_per_kwh for p in h] == [302, 310, 290] and h[1].details["estimated"] is True
    assert h[0].end - h[0].start == timedelta(hours=1)
    h2 = em.parse_history({"zone": "DE", "data": fixture_json("em_history.json")["history"]})
    assert h2 == h
    assert em.parse_latest(fixture_json("em_latest.json")).g_per_kwh == 302
    assert all(p.method == "forecast" for p in em.parse_forecast(fixture_json("em_forecast.json")))
    wt = watttime.parse_data(fixture_json("watttime_forecast.json"), method="forecast")
    assert wt[0].kind == "marginal" and wt[0].g_per_kwh == pytest.approx(870 * 0.45359237)
    assert wt[0].end - wt[0].start == timedelta(minutes=5)
    assert watttime.parse_signal_index(fixture_json("watttime_signal_index.json"))[1] == 53
    with pytest.raises(ProviderUnavailable, match="percentile"):
        watttime.parse_data(fixture_json("watttime_signal_index.json"))
    uk = ukgrid.parse_intensity(fixture_json("ukgrid_national.json"))
    assert [(p.g_per_kwh, p.method) for p in uk] == [(263, "live"), (270, "forecast")]
    london = ukgrid.parse_regional(fixture_json("ukgrid_regional_list.json"), 13)
    assert [p.g_per_kwh for p in london] == [210]
    assert [p.g_per_kwh for p in ukgrid.parse_regional(fixture_json("ukgrid_regional_object.json"))] == [215, 220]
    dk = eds.parse_records(fixture_json("eds_co2emis.json"))
    assert [p.g_per_kwh for p in dk] == [132, 130, 128] and dk[0].start == datetime(2022, 1, 1, tzinfo=UTC)
    assert eds.parse_records(fixture_json("eds_ckan.json"))[0].g_per_kwh == 150


@pytest.mark.parametrize("payload", [{"history": [{"carbonIntensity": "x", "datetime": "2020-01-01T00:00Z"}]},
                                     {"history": [{"carbonIntensity": 5, "datetime": "soon"}]}, {"nope": 1}, [1]])
def test_garbage_payload_is_provider_unavailable(payload: object) -> None:
    with pytest.raises(ProviderUnavailable):
        em.parse_history(payload)


def test_retries_on_429_and_5xx_then_succeeds(server) -> None:
    answers = iter([(429, {}), (503, {}), (200, {"ok": 1})])
    server.routes["/x"] = lambda r: next(answers)
    slept: list[float] = []
    client = HttpClient("test", server.url, retries=3, backoff_s=0.5, sleep=slept.append)
    assert client.get_json("x") == {"ok": 1}
    assert len(server.log) == 3 and slept == [0.5, 1.0]


def test_gives_up_after_retries_and_on_garbage(server) -> None:
    server.routes["/down"] = lambda r: (500, {})
    server.routes["/garbage"] = lambda r: (200, b"<html>oops")
    client = HttpClient("test", server.url, retries=2, **NO_SLEEP)
    with pytest.raises(ProviderUnavailable, match="HTTP 500 after 3 tries"):
        client.get_json("down")
    with pytest.raises(ProviderUnavailable, match="not JSON"):
        client.get_json("garbage")


def _em_server(server, token: str = "secret-token") -> None:
    def guard(payload):
        return lambda r: (200, payload) if r.headers.get("auth-token") == token else (401, {"error": "unauthorized"})
    now = datetime.now(UTC).replace(minute=0, second=0, microsecond=0)
    rows = [{"zone": "FR", "carbonIntensity": 40 + i, "datetime": (now - timedelta(hours=30 - i)).isoformat()}
            for i in range(31)]
    server.routes["/v3/carbon-intensity/past-range"] = guard({"zone": "FR", "data": rows})
    server.routes["/v3/carbon-intensity/latest"] = guard(rows[-1])
    server.routes["/v3/carbon-intensity/forecast"] = guard(
        {"zone": "FR", "forecast": [{"carbonIntensity": 50 + i, "datetime": (now + timedelta(hours=i)).isoformat()}
                                    for i in range(24)]})


def _settings(tmp_path: Path, **env: str):
    return load_settings(env={"CARBONTRAIL_HOME": str(tmp_path), **env}, use_files=False)


def test_electricitymaps_live_cache_and_auth(server, tmp_path: Path) -> None:
    _em_server(server)
    s = _settings(tmp_path, CARBONTRAIL_ELECTRICITYMAPS_URL=server.url,
                  CARBONTRAIL_ELECTRICITYMAPS_TOKEN="secret-token")
    fr = resolve_location("FR")
    src = intensity_source(fr, s, http=NO_SLEEP)
    now = datetime.now(UTC)
    a, b = now - timedelta(hours=24), now - timedelta(hours=20)
    pts = src.points(a, b)
    assert pts and all(p.method == "live" for p in pts) and src.describe()["mode"] == "live"
    assert src.warnings == []
    n = len(server.log)
    # a fresh source (new process) reads the settled range from the SQLite cache: no request
    again = intensity_source(fr, s, http=NO_SLEEP).points(a, b)
    assert len(server.log) == n and [p.g_per_kwh for p in again] == [p.g_per_kwh for p in pts]
    assert (tmp_path / "cache" / "intensity.sqlite").is_file()
    fc = forecast_series(fr, s, now, now + timedelta(hours=6), http=NO_SLEEP)
    assert fc is not None and fc.method == "forecast" and len(fc) >= 6
    # wrong token: auth error names the setting; the source falls back and says so once
    bad = _settings(tmp_path / "b", CARBONTRAIL_ELECTRICITYMAPS_URL=server.url,
                    CARBONTRAIL_ELECTRICITYMAPS_TOKEN="tok-XYZ-987")
    client = em.ElectricityMapsClient(server.url, "wrong", **NO_SLEEP)
    with pytest.raises(ProviderAuthError, match="CARBONTRAIL_ELECTRICITYMAPS_TOKEN"):
        client.latest("FR")
    src = intensity_source(fr, bad, http=NO_SLEEP)
    pts = src.points(a, b)
    assert [p.method for p in pts] == ["fallback"] and pts[0].g_per_kwh == pytest.approx(56.039)
    src.points(a, b)
    assert len(src.warnings) == 1 and "tok-XYZ-987" not in src.warnings[0] and "HTTP 401" in src.warnings[0]
    assert src.describe()["fallback_used"] is True


def test_timeout_falls_back_without_raising(tmp_path: Path) -> None:
    s = _settings(tmp_path, CARBONTRAIL_ELECTRICITYMAPS_URL="http://127.0.0.1:9",
                  CARBONTRAIL_ELECTRICITYMAPS_TOKEN="t", CARBONTRAIL_HTTP_TIMEOUT="0.2")
    src = intensity_source(resolve_location("DE"), s, http={"sleep": lambda x: None, "retries": 1})
    now = datetime.now(UTC)
    pts = src.points(now - timedelta(minutes=5), now)
    assert pts[0].method == "fallback" and "unreachable" in src.warnings[0]


def test_watttime_login_and_data(server, tmp_path: Path) -> None:
    good = "Basic " + base64.b64encode(b"ann:pw").decode()
    server.routes["/login"] = lambda r: (200, {"token": "tok"}) if r.headers.get("authorization") == good else (401, {})
    payload = fixture_json("watttime_forecast.json")

    def data(r):
        return (200, payload) if r.headers.get("authorization") == "Bearer tok" else (401, {})
    server.routes["/v3/forecast"] = data
    server.routes["/v3/historical"] = data
    server.routes["/v3/signal-index"] = lambda r: (200, fixture_json("watttime_signal_index.json"))
    c = watttime.WattTimeClient(server.url, "ann", "pw", **NO_SLEEP)
    assert c.zone_for(resolve_location("US-CAL-CISO")) == "CAISO_NORTH"
    assert c.forecast("CAISO_NORTH")[0].method == "forecast"
    t = datetime(2023, 8, 1, 16, 45, tzinfo=UTC)
    assert len(c.fetch_range("CAISO_NORTH", t, t + timedelta(minutes=15))) == 3
    assert c.signal_index("CAISO_NORTH")[1] == 53
    with pytest.raises(ProviderAuthError, match="CARBONTRAIL_WATTTIME_USERNAME"):
        watttime.WattTimeClient(server.url, "ann", "bad", **NO_SLEEP).forecast("CAISO_NORTH")


def test_ukgrid_and_energidataservice_clients(server) -> None:
    server.routes["/intensity/*"] = lambda r: (200, fixture_json("ukgrid_national.json"))
    server.routes["/regional/intensity/*"] = lambda r: (200, fixture_json("ukgrid_regional_object.json"))
    server.routes["/dataset/CO2Emis"] = lambda r: (200, fixture_json("eds_co2emis.json"))
    uk = ukgrid.UkGridClient(server.url, **NO_SLEEP)
    t = datetime(2018, 1, 20, 12, tzinfo=UTC)
    assert [p.g_per_kwh for p in uk.fetch_range("GB", t, t + timedelta(hours=1))] == [263, 270]
    assert server.log[-1].path == "/intensity/2018-01-20T12:00Z/2018-01-20T13:00Z"
    assert [p.g_per_kwh for p in uk.fetch_range("GB-REGION-13", t, t + timedelta(hours=1))] == [215, 220]
    assert uk.zone_for(resolve_location("London")) == "GB-REGION-13"
    dk = eds.EnergiDataServiceClient(server.url, **NO_SLEEP)
    pts = dk.fetch_range("DK-DK1", datetime(2022, 1, 1, tzinfo=UTC), datetime(2022, 1, 1, 0, 15, tzinfo=UTC))
    assert [p.g_per_kwh for p in pts] == [132, 130, 128]
    assert "PriceArea" in server.log[-1].query and "DK1" in server.log[-1].query


def test_table_and_series_selection(tmp_path: Path) -> None:
    fr = resolve_location("FR")
    src = intensity_source(fr, _settings(tmp_path))
    assert src.describe()["mode"] == "table" and src.points(datetime.now(UTC), datetime.now(UTC))[0].method == "table"
    p = tmp_path / "s.csv"
    p.write_text("2024-01-01T00:00,100\n2024-01-01T01:00,200\n")
    src = intensity_source(fr, _settings(tmp_path, CARBONTRAIL_INTENSITY_SERIES=str(p)))
    t = datetime(2024, 1, 1, 0, 30, tzinfo=UTC)
    pts = src.points(t, t + timedelta(hours=3))
    assert [p.method for p in pts] == ["series", "series", "fallback"] and src.describe()["mode"] == "series"
    assert len(src.warnings) == 1


def test_series_for_another_zone_is_refused(tmp_path: Path) -> None:
    from carbontrail.errors import ConfigError
    from .conftest import FIXTURES

    s = _settings(tmp_path, CARBONTRAIL_INTENSITY_SERIES=str(FIXTURES / "em_portal_2024.csv"))
    with pytest.raises(ConfigError, match="for zone DE, but the location is FR"):
        intensity_source(resolve_location("FR"), s)  # a German series must not price a French run
    de = intensity_source(resolve_location("DE"), s)
    assert de.describe()["zone"] == "DE" and de.points(datetime(2024, 1, 1, tzinfo=UTC),
                                                        datetime(2024, 1, 1, 1, tzinfo=UTC))[0].g_per_kwh == 350
    # a file without a zone is labelled with the location's grid zone
    p = tmp_path / "g.csv"
    p.write_text("2024-01-01T00:00,100\n2024-01-01T01:00,200\n")
    src = intensity_source(resolve_location("gcp:europe-west6"),
                           _settings(tmp_path, CARBONTRAIL_INTENSITY_SERIES=str(p)))
    assert src.describe()["zone"] == "CH"


def test_payload_of_the_wrong_shape_falls_back(server, tmp_path: Path) -> None:
    # well-formed JSON, wrong shape: must fall back like a timeout, never raise into the tracker
    row = {"datetime": "2024-05-01T11:00:00Z", "carbonIntensity": 50, "temporalGranularity": ["hourly"]}
    server.routes["/v3/carbon-intensity/past-range"] = lambda r: (200, {"zone": "FR", "data": [row]})
    server.routes["/v3/carbon-intensity/latest"] = lambda r: (200, [])
    server.routes["/v3/carbon-intensity/forecast"] = lambda r: (200, {"zone": "FR", "forecast": [row]})
    s = _settings(tmp_path, CARBONTRAIL_ELECTRICITYMAPS_URL=server.url, CARBONTRAIL_ELECTRICITYMAPS_TOKEN="t")
    src = intensity_source(resolve_location("FR"), s, http={"sleep": lambda x: None, "retries": 0})
    t = datetime(2024, 5, 1, 11, 30, tzinfo=UTC)
    pts = src.points(t, t + timedelta(seconds=1))
    assert [p.method for p in pts] == ["fallback"] and "unexpected payload" in src.warnings[0]
    assert forecast_series(resolve_location("FR"), s, t, t + timedelta(hours=1),
                           http={"sleep": lambda x: None, "retries": 0}) is None


def test_live_source_does_not_hammer_the_provider(server, tmp_path: Path) -> None:
    server.routes["/v3/carbon-intensity/past-range"] = lambda r: (200, {"zone": "FR", "data": []})
    server.routes["/v3/carbon-intensity/latest"] = lambda r: (500, {})
    s = _settings(tmp_path, CARBONTRAIL_ELECTRICITYMAPS_URL=server.url, CARBONTRAIL_ELECTRICITYMAPS_TOKEN="t")
    clock = [datetime(2024, 5, 1, 12, tzinfo=UTC).timestamp()]
    src = intensity_source(resolve_location("FR"), s, http={"sleep": lambda x: None, "retries": 0},
                           clock=lambda: clock[0])
    t = datetime(2024, 5, 1, 11, 59, tzinfo=UTC)
    for i in range(5):  # a tracker asking every second
        pts = src.points(t + timedelta(seconds=i), t + timedelta(seconds=i + 1))
        assert pts[0].method == "fallback"
    assert len(server.log) == 2  # one past-range, one latest
    clock[0] += 61
    src.points(t, t + timedelta(seconds=1))
    assert len(server.log) == 4
