"""Real Chromium (Debian's /usr/bin/chromium) driven by Playwright against the site, served
on a free localhost port from a background thread over a few bundled listings.

Nothing leaves the machine: every request to another host is aborted, so the tests pass
offline (the small OpenStreetMap map simply does not load). Chromium missing is a failure,
not a skip, unless SIGNPOST_SKIP_BROWSER=1 says so explicitly.
"""

from __future__ import annotations

import os
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import make_site_app

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = os.environ.get("SIGNPOST_CHROMIUM", "/usr/bin/chromium")
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
VENDOR_CSS = ROOT / "static" / "vendor" / "nhsuk" / "nhsuk-frontend.min.css"
SCREENSHOTS = ROOT / "test-artifacts" / "screenshots"
LAUNCH_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
DESKTOP = {"width": 1200, "height": 900}


def _skip_requested() -> bool:
    return os.environ.get("SIGNPOST_SKIP_BROWSER", "").strip() not in ("", "0")


@pytest.fixture(scope="session")
def browser():
    if _skip_requested():
        pytest.skip("SIGNPOST_SKIP_BROWSER is set: browser tests skipped on purpose")
    missing = []
    if not (os.path.exists(CHROMIUM) or shutil.which(CHROMIUM)):
        missing.append(f"Chromium at {CHROMIUM} (apt-get install chromium chromium-driver)")
    if not VENDOR_CSS.exists():
        missing.append("NHS.UK frontend in static/vendor/nhsuk (run 'make vendor')")
    if not AXE.exists():
        missing.append("axe-core in node_modules (run 'make vendor')")
    if missing:
        pytest.fail(
            "Browser tests need: "
            + "; ".join(missing)
            + ". 'make test' installs them; set SIGNPOST_SKIP_BROWSER=1 to skip on purpose.",
            pytrace=False,
        )
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS)
        yield launched
        launched.close()


@pytest.fixture(scope="session")
def base_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The site on a free port, served by werkzeug from a background thread."""
    from werkzeug.serving import make_server

    app = make_site_app(
        tmp_path_factory.mktemp("browser-site"),
        SIGNPOST_REPOSITORY_URL="https://github.com/example/signpost",
        SIGNPOST_REPORT_EMAIL="listings@example.org",
        # The small map's code runs; its tile requests are aborted, as offline.
        SIGNPOST_MAP_TILES="https://tile.openstreetmap.org",
    )
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=10)


def _offline(context, base: str, *, block_scripts: bool = False) -> None:
    """Abort every request to another host (and, for the no-JS view, the site's scripts)."""

    def handle(route) -> None:
        url = route.request.url
        if not url.startswith(base) or block_scripts and route.request.resource_type == "script":
            route.abort()
        else:
            route.continue_()

    context.route("**/*", handle)


def new_context(browser, base: str, *, javascript: bool, block_scripts: bool = False, **kw):
    context = browser.new_context(
        java_script_enabled=javascript, viewport=kw.pop("viewport", DESKTOP), **kw
    )
    context.set_default_timeout(15_000)
    _offline(context, base, block_scripts=block_scripts)
    return context


@pytest.fixture(params=[False, True], ids=["no-js", "js"])
def javascript(request) -> bool:
    return request.param


@pytest.fixture
def page(browser, base_url, javascript):
    """A page in a fresh context; fails the test on a script error or a CSP refusal."""
    context = new_context(browser, base_url, javascript=javascript)
    opened = context.new_page()
    problems: list[str] = []
    opened.on("pageerror", lambda error: problems.append(f"script error: {error}"))
    opened.on(
        "console",
        lambda message: (
            problems.append(f"console: {message.text}")
            if "Content Security Policy" in message.text or "Uncaught" in message.text
            else None
        ),
    )
    yield opened
    context.close()
    assert not problems, problems


def screenshot(page, name: str, *, full_page: bool = True) -> Path:
    """Save a screenshot for review (test-artifacts/screenshots/, not committed)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=full_page)
    return path
