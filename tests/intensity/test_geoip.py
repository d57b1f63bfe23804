"""Opt-in IP geolocation against a real local HTTP server."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest

from carbontrail.config import load_settings
from carbontrail.intensity.locations import detect_location


@pytest.fixture()
def geo_server():
    answers: dict[str, bytes] = {}
    hits: list[str] = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802
            hits.append(self.path)
            body = answers.get(self.path, b"not json")
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *a):
            pass

    srv = HTTPServer(("127.0.0.1", 0), Handler)
    t = threading.Thread(target=srv.serve_forever, daemon=True)
    t.start()
    yield f"http://127.0.0.1:{srv.server_port}", answers, hits
    srv.shutdown()


def settings(url, on=True):
    return load_settings(overrides={"ip_geolocation": on, "ip_geolocation_url": url}, use_files=False)


def test_opted_in_lookup_gives_the_country(geo_server):
    base, answers, hits = geo_server
    answers["/json"] = json.dumps({"ip": "192.0.2.1", "country": "de", "city": "Berlin"}).encode()
    loc, warnings = detect_location(settings(base + "/json"), tz_name="Etc/UTC")
    assert loc.code == "DE" and loc.how == "IP geolocation (opted in)"
    assert hits == ["/json"]
    assert any("VPN" in w for w in warnings)


def test_no_lookup_without_opt_in(geo_server):
    base, answers, hits = geo_server
    loc, _ = detect_location(settings(base + "/json", on=False), tz_name="Etc/UTC")
    assert loc.code == "WORLD" and hits == []


def test_garbage_answer_falls_through_to_the_time_zone(geo_server):
    base, answers, hits = geo_server
    loc, warnings = detect_location(settings(base + "/bad"), tz_name="Europe/Paris")
    assert loc.code == "FR" and loc.how == "guessed from time zone"
    assert any("IP geolocation" in w and "failed" in w for w in warnings)


def test_unreachable_service_never_raises():
    loc, warnings = detect_location(settings("http://127.0.0.1:9/json"), tz_name="Etc/UTC")
    assert loc.code == "WORLD"
    assert any("IP geolocation" in w for w in warnings)
