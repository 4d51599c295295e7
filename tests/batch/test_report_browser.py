"""report.html opened in headless Chromium: it renders, offline, to a page that is not blank."""

from __future__ import annotations

import shutil
import subprocess

import matplotlib.image
import numpy as np
import pytest

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")
FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]


@pytest.mark.skipif(CHROMIUM is None, reason="no chromium on PATH (Debian: apt-get install chromium); the report's browser check needs it")
def test_the_report_renders_in_a_browser_as_a_page_with_content(graded_class, tmp_path):
    root, _, _ = graded_class
    screenshot = tmp_path / "report.png"
    command = [CHROMIUM, *FLAGS, f"--user-data-dir={tmp_path / 'profile'}", f"--screenshot={screenshot}", "--window-size=1280,2000",
               (root / "results" / "report.html").as_uri()]
    done = subprocess.run(command, capture_output=True, text=True, timeout=120)
    assert screenshot.is_file(), f"chromium wrote no screenshot (exit {done.returncode}):\n{done.stderr[-2000:]}"
    pixels = matplotlib.image.imread(screenshot)[..., :3]
    assert pixels.shape[:2] == (2000, 1280)
    ink = (pixels < 0.9).any(axis=-1)  # anything darker than near-white: text, table rules, the histogram's bars
    assert ink.mean() > 0.03, "the page rendered (nearly) blank"
    blue = (np.abs(pixels - np.array([0x4A, 0x7A, 0xB5]) / 255) < 0.05).all(axis=-1)
    assert blue.sum() > 1000, "the histogram's bars are not on the page"
