"""The HTML report in a real headless Chromium: it loads offline, its images decode, it renders.

Skipped when no Chromium is installed (`.ci/run` installs Debian's package when it runs as root).
"""

from __future__ import annotations

import shutil
import subprocess

import pytest
from report_helpers import TOOL_VERSION, fixed_candidates
from report_records import gpu_run

from carbontrail.report.facts import run_facts
from carbontrail.report.html import render_html, run_plots
from carbontrail.report.whatif import whatif_for

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--disable-dev-shm-usage"]

pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="no Chromium on this machine")

# after load, the page writes a verdict into the DOM: every <img> decoded with a real size
PROBE = """<script>
window.addEventListener('load', function () {
  var imgs = Array.prototype.slice.call(document.images);
  var ok = imgs.filter(function (i) { return i.complete && i.naturalWidth > 100 && i.naturalHeight > 100; });
  var d = document.createElement('div'); d.id = 'probe';
  d.textContent = 'images ' + ok.length + '/' + imgs.length;
  document.body.appendChild(d);
});
</script>"""


@pytest.fixture()
def report_file(tmp_path):
    rec = gpu_run()
    page = render_html(run_facts(rec, tool_version=TOOL_VERSION,
                                 whatif=whatif_for(rec, candidates=fixed_candidates())), run_plots(rec))
    path = tmp_path / "report.html"
    path.write_text(page.replace("</body>", PROBE + "</body>"))
    return path


def _chromium(tmp_path, *args):
    return subprocess.run([CHROMIUM, *FLAGS, f"--user-data-dir={tmp_path / 'profile'}", *args],
                          capture_output=True, text=True, timeout=120)


def test_report_renders_with_all_plots_decoded(report_file, tmp_path):
    res = _chromium(tmp_path, "--virtual-time-budget=5000", "--dump-dom", report_file.as_uri())
    assert res.returncode == 0, res.stderr[-2000:]
    dom = res.stdout
    assert 'id="probe">images 4/4<' in dom           # four embedded PNG plots, all decoded
    assert "174.72 g CO2e" in dom and "Compute and emissions statement" in dom


def test_report_screenshot_is_not_blank(report_file, tmp_path):
    import matplotlib.image as mpimg

    shot = tmp_path / "shot.png"
    res = _chromium(tmp_path, "--window-size=1200,1600", f"--screenshot={shot}", report_file.as_uri())
    assert res.returncode == 0 and shot.exists(), res.stderr[-2000:]
    pixels = mpimg.imread(str(shot))
    assert pixels.shape[0] >= 1000 and pixels.shape[1] >= 1000
    assert pixels.std() > 0.05                         # text and plots, not an empty page
