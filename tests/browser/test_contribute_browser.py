"""Add your group, end to end in Chromium with JavaScript off and on: fill in the form, see
the errors, fix them, get YAML that the validator accepts."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import yaml

from directory.load import load_text
from directory.places import default_gazetteer
from directory.validation import check_loaded
from directory.vocabulary import load_vocabulary
from tests.browser.conftest import ROOT, SCREENSHOTS, screenshot
from tests.conftest import SITE_NOW


def test_add_your_group_from_errors_to_valid_yaml(page, base_url, javascript):
    suffix = "js" if javascript else "no-js"
    page.goto(f"{base_url}/")
    page.get_by_role("link", name="Add your group").click()
    assert page.locator("h1").inner_text() == "Add your group"

    # A first try with the usual slips: no description, no way to start, "9am".
    page.select_option("#area", "east-kent")
    page.fill("#name", "Margate Knit and Natter")
    page.fill("#organisation", "Margate Knitters")
    page.check("input[name='needs'][value='loneliness']")
    page.fill("#how_to_access", "Just turn up.")
    page.check("#free")
    page.fill("#phone", "01632 960555")
    page.fill("#location-0-name", "The Library")
    page.fill("#location-0-address", "Cecil Square, Margate")
    page.fill("#location-0-postcode", "CT9 1EP")
    page.check("#session-0-days-2")  # Tuesday
    page.fill("#session-0-opens", "9am")
    page.fill("#session-0-closes", "11:00")
    page.fill("#reviewed_by", "Margate Knitters")
    page.get_by_role("button", name="Check the listing").click()

    summary = page.locator(".nhsuk-error-summary")
    assert summary.is_visible()
    assert page.title().startswith("Error: Add your group")
    texts = summary.locator("li").all_inner_texts()
    assert any("'description' is empty" in text for text in texts), texts
    assert any("'routes' is an empty list" in text for text in texts), texts
    assert any("'9am' is not a time we understand for opens" in text for text in texts), texts
    beside = page.locator("#session-0-opens-error").inner_text()
    assert 'Write "09:00"' in beside
    if not javascript:
        screenshot(page, "contribute-errors-no-js", full_page=False)
        # The picture in docs/contribute-form.png: the summary and a message beside its field.
        page.set_viewport_size({"width": 640, "height": 900})
        top = summary.bounding_box()["y"] - 16
        field = page.locator("#description").bounding_box()
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(
            path=str(SCREENSHOTS / "contribute-form.png"),
            full_page=True,
            clip={"x": 0, "y": top, "width": 640, "height": field["y"] + 60 - top},
        )
        page.set_viewport_size({"width": 1200, "height": 900})
    # The summary's link takes you to the field.
    summary.get_by_role("link", name="'9am' is not a time").click()
    if javascript:  # NHS.UK's error summary script moves focus to the field itself
        assert page.evaluate("document.activeElement.id") == "session-0-opens"
    else:
        assert page.url.endswith("#session-0-opens")

    # Fix them: every answer typed before is still there.
    assert page.input_value("#name") == "Margate Knit and Natter"
    page.fill("#description", "A friendly knitting group for anyone who wants company.")
    page.check("#routes")
    page.fill("#session-0-opens", "09:00")
    page.get_by_role("button", name="Check the listing").click()

    assert page.locator(".nhsuk-error-summary").count() == 0
    assert page.get_by_role("heading", name="Your listing is ready to send").is_visible()
    text = page.locator("#listing-yaml").inner_text()
    data = yaml.safe_load(text)
    assert data["schedule"][0]["opens"] == "09:00"
    listing, problems = check_loaded(
        load_text(text, "margate-knit-and-natter.yaml"),
        load_vocabulary(ROOT / "data" / "needs.yaml"),
        listing_id="margate-knit-and-natter",
        gazetteer=default_gazetteer(),
        today=date(*SITE_NOW[:3]),
    )
    assert problems == []
    assert listing is not None
    github = page.locator("#propose-github").get_attribute("href")
    assert github.startswith("https://github.com/example/signpost/new/main?filename=")
    assert page.locator("#send-email").get_attribute("href").startswith("mailto:")

    # Download gives the same file.
    with page.expect_download() as download:
        page.get_by_role("button", name="Download the file").click()
    saved = download.value
    assert saved.suggested_filename == "margate-knit-and-natter.yaml"
    assert Path(saved.path()).read_text(encoding="utf-8").strip() == text.strip()
    screenshot(page, f"contribute-ready-{suffix}")


def test_suggest_a_change_from_a_service_page(page, base_url):
    page.goto(f"{base_url}/services/margate-bereavement-cafe")
    page.get_by_role("link", name="Suggest a change to this listing").click()
    assert page.locator("h1").inner_text() == "Tea and Talk Bereavement Café"
    page.fill("#reviewed_by", "Thanet Link Workers")
    page.fill("#phone", "01632 960999")
    page.get_by_role("button", name="Check the listing").click()
    text = page.locator("#listing-yaml").inner_text()
    assert '"01632 960999"' in text
    assert "reviewed_by: Thanet Link Workers" in text
    edit = page.locator("#propose-github").get_attribute("href")
    assert edit.endswith("/edit/main/data/services/east-kent/margate-bereavement-cafe.yaml")


def test_no_axe_violations_on_the_form_and_coverage(browser, base_url):
    """axe-core (WCAG 2.2 A/AA) on the blank form, the form with errors, a prefilled change,
    the ready listing and the coverage page, at desktop and phone widths."""
    from tests.browser.conftest import AXE, new_context
    from tests.browser.test_accessibility import axe_violations

    source = AXE.read_text(encoding="utf-8")
    context = new_context(browser, base_url, javascript=True, bypass_csp=True)
    page = context.new_page()
    found: dict[str, list[dict]] = {}
    try:
        for width in (1200, 360):
            page.set_viewport_size({"width": width, "height": 800})
            for name, path in {
                "form": "/contribute",
                "change": "/contribute/margate-bereavement-cafe",
                "coverage": "/coverage",
            }.items():
                page.goto(base_url + path)
                if violations := axe_violations(page, source):
                    found[f"{name}-{width}"] = violations
            page.goto(base_url + "/contribute")
            page.get_by_role("button", name="Check the listing").click()
            if violations := axe_violations(page, source):
                found[f"errors-{width}"] = violations
            page.goto(base_url + "/contribute/margate-bereavement-cafe")
            page.fill("#reviewed_by", "Thanet Link Workers")
            page.get_by_role("button", name="Check the listing").click()
            assert page.locator("#listing-yaml").count() == 1
            if violations := axe_violations(page, source):
                found[f"ready-{width}"] = violations
            wide = page.evaluate("document.documentElement.scrollWidth > window.innerWidth")
            assert not wide, f"the ready page scrolls sideways at {width}px"
    finally:
        context.close()
    assert not found, found
