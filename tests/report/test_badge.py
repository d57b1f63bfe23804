from __future__ import annotations

import json
import xml.etree.ElementTree as ET

import pytest

from carbontrail.report.badge import badge_endpoint, badge_endpoint_json, badge_svg, colour, mass_text

SVG = "{http://www.w3.org/2000/svg}"


@pytest.mark.parametrize("g,text", [(0.000412, "0.412 mg"), (0.5, "500 mg"), (3.4, "3.4 g"), (999.4, "999 g"),
                                    (999.6, "1 kg"), (12_345.0, "12.3 kg"), (1.2e6, "1.2 t"),
                                    (3.5e9, "3,500 t"), (0.0, "0 g")])
def test_unit_by_magnitude(g, text):
    assert mass_text(g) == text


def test_svg_parses_and_shows_the_figure():
    svg = badge_svg(174.72, label="training CO2e")
    root = ET.fromstring(svg)
    assert root.tag == f"{SVG}svg" and root.get("height") == "20"
    value = root.find(f".//{SVG}text[@id='value']")
    assert value is not None and value.text == "175 g CO2e"
    texts = [t.text for t in root.iter(f"{SVG}text")]
    assert "training CO2e" in texts
    rects = list(root.iter(f"{SVG}rect"))
    assert rects[2].get("fill") == "#4c1"
    assert int(root.get("width")) == int(rects[1].get("width")) + int(rects[2].get("width"))


def test_label_is_escaped():
    root = ET.fromstring(badge_svg(5.0, label="a<b & c"))
    assert root.find(f"{SVG}title").text == "a<b & c: 5 g CO2e"


def test_endpoint_json_matches_shields_schema():
    d = json.loads(badge_endpoint_json(2.5e6))
    assert d == {"schemaVersion": 1, "label": "carbon footprint", "message": "2.5 t CO2e", "color": "e05d44"}
    assert badge_endpoint(50.0)["color"] == colour(50.0).lstrip("#") == "4c1"
