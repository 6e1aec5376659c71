"""A real browser opens report.html from disk: no console errors, nothing fetched or blocked.

Needs a Chromium binary (Debian: `apt-get install chromium`); skipped only when none exists.
"""

from __future__ import annotations

import base64
import io
import re
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest

from evalspec import api
from tests.committed import load, save
from tests.report.injection import poison
from tests.report.ner import NER_RUN, poison_ner

BROWSERS = ("chromium", "chromium-browser", "google-chrome", "chrome")
CONSOLE = re.compile(r"CONSOLE[:(]|Uncaught|Refused|Content Security Policy|net::ERR_")


def browser() -> str:
    found = next((path for name in BROWSERS if (path := shutil.which(name))), None)
    if found is None:
        pytest.skip("no Chromium binary (install the `chromium` package to run this test)")
    return found


def open_page(page: Path, shot: Path, profile: Path, height: int = 2000) -> list[str]:
    """Load `page` headless, screenshot it; the browser's console and CSP complaints."""
    done = subprocess.run(
        [browser(), "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
         "--no-first-run", "--disable-background-networking", "--disable-component-update",
         "--disable-sync", "--disable-extensions", f"--user-data-dir={profile}",
         "--enable-logging=stderr", "--v=0", f"--screenshot={shot}",
         f"--window-size=1280,{height}", page.resolve().as_uri()],
        capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    assert shot.exists() and shot.stat().st_size > 10_000
    return [line for line in done.stderr.splitlines() if CONSOLE.search(line)]


def test_the_detector_sees_console_errors_and_blocked_loads(tmp_path: Path) -> None:
    page = tmp_path / "bad.html"
    page.write_text('<!doctype html><meta http-equiv="Content-Security-Policy" '
                    "content=\"default-src 'none'\"><p>" + "x " * 2000 + "</p>"
                    "<script>undefinedFunction()</script>"
                    '<img src="https://evil.example/x.png">', encoding="utf-8")
    complaints = open_page(page, tmp_path / "bad.png", tmp_path / "profile")
    assert len(complaints) >= 2


def test_report_opens_cleanly_in_chromium(run_folder: Path, tmp_path: Path) -> None:
    [report] = api.report(run_folder / "results.json", ["html"])
    html = report.read_text(encoding="utf-8")
    assert "http://" not in html and "https://" not in html
    shot = tmp_path / "report.png"
    assert open_page(report, shot, tmp_path / "profile") == []
    print(f"screenshot: {shot}")


def test_hostile_report_opens_cleanly_in_chromium(run_folder: Path, tmp_path: Path) -> None:
    poison(run_folder, '"><img src="https://evil.example/x.png"><script>alert(1)</script>')
    [report] = api.report(run_folder / "results.json", ["html"])
    assert open_page(report, tmp_path / "hostile.png", tmp_path / "profile") == []


def test_ner_report_opens_cleanly_in_chromium(tmp_path: Path) -> None:
    folder = tmp_path / "ner"
    shutil.copytree(NER_RUN, folder)
    poison_ner(folder, '"><img src="https://evil.example/x.png"><script>alert(1)</script>')
    [report] = api.report(folder / "results.json", ["html"])
    assert open_page(report, tmp_path / "ner.png", tmp_path / "profile") == []


def content_rows(shot: Path) -> int:
    """How many pixel rows of a screenshot hold anything but the page background."""
    from PIL import Image

    with Image.open(shot) as image:
        grey = np.asarray(image.convert("L"), dtype=np.int16)
    return int(((grey < 235).sum(axis=1) > 4).sum())


def red_pixels(shot: Path) -> int:
    from PIL import Image

    with Image.open(shot) as image:
        rgb = np.asarray(image.convert("RGB"), dtype=np.int16)
    return int(((rgb[..., 0] > 200) & (rgb[..., 1] < 40) & (rgb[..., 2] < 40)).sum())


def test_the_sections_beyond_the_test_split_are_drawn(run_folder: Path, tmp_path: Path) -> None:
    """The extra set, perturbations, per-class table and disagreements take visible room on
    the rendered page (compared with the same report without them), and an image thumbnail
    among the disagreements is drawn under the report's content policy."""
    document = load(run_folder)
    with_all = run_folder / "report.html"
    [report] = api.report(run_folder / "results.json", ["html"])
    assert report == with_all
    red = "data:image/png;base64," + base64.b64encode(_png((255, 0, 0))).decode("ascii")
    document["tasks"]["tickets"]["disagreements"][0]["input"] = {"image": red}
    save(run_folder, document)
    [report] = api.report(run_folder / "results.json", ["html"])
    full = tmp_path / "full.png"
    assert open_page(report, full, tmp_path / "profile", height=16000) == []
    task = document["tasks"]["tickets"]
    task.update(evaluations={}, per_class={}, disagreements=[])
    for cell in document["cells"]:
        cell["evaluations"] = {}
    save(run_folder, document)
    [report] = api.report(run_folder / "results.json", ["html"])
    bare = tmp_path / "bare.png"
    assert open_page(report, bare, tmp_path / "profile", height=16000) == []
    assert content_rows(full) > content_rows(bare) + 600
    assert red_pixels(full) >= 90 * 90 > red_pixels(bare)


def _png(colour: tuple[int, int, int]) -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), colour).save(buffer, format="PNG")
    return buffer.getvalue()
