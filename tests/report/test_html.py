from __future__ import annotations

import re
from html.parser import HTMLParser

from report_helpers import TOOL_VERSION, fixed_candidates
from report_records import gpu_run

from carbontrail.report.facts import run_facts
from carbontrail.report.html import render_html, run_plots
from carbontrail.report.whatif import whatif_for


class _Resources(HTMLParser):
    def __init__(self):
        super().__init__()
        self.resources, self.images, self.tags = [], [], []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        self.tags.append(tag)
        if tag in {"img", "script", "iframe", "source", "video", "audio"} and "src" in a:
            self.resources.append(a["src"])
        if tag == "img":
            self.images.append(a["src"])
        if tag == "link":
            self.resources.append(a.get("href"))


def test_html_is_self_contained_with_embedded_plots():
    rec = gpu_run()
    page = render_html(run_facts(rec, tool_version=TOOL_VERSION,
                                 whatif=whatif_for(rec, candidates=fixed_candidates())), run_plots(rec))
    p = _Resources()
    p.feed(page)
    assert len(p.images) == 4  # power, cumulative emissions, intensity, phases
    assert all(src.startswith("data:image/png;base64,") for src in p.resources)
    assert "script" not in p.tags and "link" not in p.tags
    assert not re.search(r"url\((?!#)", page)  # no CSS url() resources
    assert "174.72 g CO2e" in page and "Compute and emissions statement" in page
    assert "OWID 2023" in page and "test:north" in page
