"""The tests' browser: Debian's `chromium`, headless, through Playwright for Python (pointed at
the system browser; Playwright's own browser downloads are never used). The `browser` fixture
skips a module's tests when either is missing, or fails them under CI, saying what to install;
a module may set BROWSER_NEEDED_BY (e.g. "the console's browser tests need") to begin that
message. Screenshots go to `artifacts_dir()`."""

import os
from pathlib import Path

import pytest

from client_helpers import unavailable
from conftest import ROOT

try:
    from playwright.sync_api import expect, sync_playwright
except ImportError:  # reported by the `browser` fixture
    expect = sync_playwright = None

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-extensions",
]


def artifacts_dir() -> Path:
    """Where screenshots go: `$STRATA_ARTIFACTS` if set, else tests/e2e/artifacts/console/."""
    path = Path(os.environ.get("STRATA_ARTIFACTS") or ROOT / "tests" / "e2e" / "artifacts" / "console")
    path.mkdir(parents=True, exist_ok=True)
    return path


@pytest.fixture(scope="module")
def browser(request):
    """Chromium, launched once per module."""
    missing = []
    if sync_playwright is None:
        missing.append("Playwright for Python (pip install playwright==1.65.3)")
    if not os.access(CHROMIUM, os.X_OK):
        missing.append(f"Debian's chromium at {CHROMIUM} (apt-get install chromium)")
    if missing:
        needed_by = getattr(request.module, "BROWSER_NEEDED_BY", f"{request.module.__name__}'s browser tests need")
        unavailable(f"{needed_by} " + " and ".join(missing))
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield chromium
        chromium.close()
