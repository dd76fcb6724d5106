"""The HTML report in a real headless browser (Debian ``chromium``).

The report of a strategic-form game (heatmap with marked equilibria), a
protocol (game tree with the SPE path) and parameter regions (number lines)
is opened with ``chromium --headless``: the screenshot must be a real
picture (not blank), the page must log nothing on the console, and every
embedded image must decode (a probe script, added to a copy of the page,
reports how many ``<img>`` elements loaded).

Skipped only when no chromium binary exists; ``.ci/run`` installs it
(``apt-get install chromium``).
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from verigroup.cli.main import main

ROOT = Path(__file__).resolve().parent.parent
SPECS = ["specs/prisoners_dilemma.vg", "specs/protocols/entry_deterrence.vg",
         "tests/data/evidence_corpus/strategic_shapes.vg"]
PROBE = """<script>
window.addEventListener("load", () => {
  const imgs = Array.from(document.images);
  const ok = imgs.filter(i => i.complete && i.naturalWidth > 0).length;
  if (ok < imgs.length) console.error("verigroup-probe: broken images " + (imgs.length - ok));
  console.log("verigroup-probe: images " + ok + "/" + imgs.length);
});
</script>"""
CONSOLE = re.compile(r"CONSOLE[^\]]*\]\s*\"(.*)\", source: (.*)")


def _chromium() -> str:
    for name in ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable"):
        path = shutil.which(name)
        if path:
            return path
    pytest.skip("CHROMIUM IS NOT INSTALLED: the real-browser check of the HTML report DID NOT RUN "
                "(install it with `apt-get install -y chromium`; .ci/run does)")


def _open(browser: str, page: Path, shot: Path) -> list[str]:
    """Console messages of ``page`` in headless chromium, screenshot to ``shot``."""
    proc = subprocess.run(
        [browser, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", "--no-first-run",
         "--disable-extensions", "--enable-logging=stderr", "--v=0", "--virtual-time-budget=5000",
         "--window-size=1280,2400", f"--user-data-dir={shot.parent / ('profile-' + shot.stem)}",
         f"--screenshot={shot}", page.as_uri()],
        capture_output=True, text=True, timeout=120)
    assert shot.exists(), proc.stderr[-2000:]
    return [f"{m.group(1)} ({m.group(2)})" for m in map(CONSOLE.search, proc.stderr.splitlines()) if m]


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("browser") / "report.html"
    code = main(["check", *(str(ROOT / s) for s in SPECS), "--format", "html", "-o", str(out)])
    assert code == 1  # the corpus has violated properties
    return out


def _non_blank(png: Path) -> int:
    from PIL import Image

    with Image.open(png) as im:
        rgb = im.convert("RGB")
        assert rgb.size[0] >= 800 and rgb.size[1] >= 1000
        colours = rgb.getcolors(maxcolors=1 << 20) or []
    return len(colours)


def test_report_renders_in_chromium_with_every_picture_and_no_console_message(report: Path,
                                                                               tmp_path: Path) -> None:
    """One browser run: the page (plus the probe) logs exactly the probe's
    line — every picture decoded, no error or warning of its own — and the
    screenshot is a real page."""
    browser = _chromium()
    html = report.read_text(encoding="utf-8")
    pictures = html.count('<img src="data:image/svg+xml;base64,')
    assert pictures >= 3  # a game tree and two number lines at least
    assert "https://" not in html and not re.search(r"http://(?!www\.w3\.org)", html)
    probed = tmp_path / "probed.html"
    probed.write_text(html.replace("</body>", PROBE + "</body>"), encoding="utf-8")
    shot = tmp_path / "report.png"
    messages = _open(browser, probed, shot)
    assert len(messages) == 1 and f"verigroup-probe: images {pictures}/{pictures}" in messages[0], messages
    assert shot.stat().st_size > 20_000
    assert _non_blank(shot) > 50  # text, badges, heatmap colours and pictures: not a blank page


def test_probe_detects_a_broken_picture(tmp_path: Path) -> None:
    """The probe can fail: a corrupt data URI is reported."""
    browser = _chromium()
    page = tmp_path / "broken.html"
    page.write_text('<!DOCTYPE html><html><body><img src="data:image/svg+xml;base64,bm90IHN2Zw==" alt="x">'
                    + PROBE + "</body></html>", encoding="utf-8")
    messages = _open(browser, page, tmp_path / "broken.png")
    assert any("broken images 1" in m for m in messages), messages
