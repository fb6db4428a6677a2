"""Urgent help on a cheap phone without JavaScript: 999 and Samaritans in the first screen.

Someone who types "kill myself" on a 360 x 640 phone must see the numbers without scrolling,
and without any script running (the panel is plain HTML above the search form and results).
"""

from __future__ import annotations

import pytest

from tests.browser.conftest import new_context, screenshot

PHONE = {"width": 360, "height": 640}


@pytest.mark.parametrize(
    "query",
    ["/?q=kill+myself&near=BN2", "/?q=i+want+to+end+my+life", "/?q=sucidal&near=CT9+1EP"],
)
def test_panel_numbers_are_in_the_first_phone_screen_without_javascript(browser, base_url, query):
    context = new_context(browser, base_url, javascript=False, viewport=PHONE)
    try:
        page = context.new_page()
        page.goto(base_url + query)
        for line in ("emergency", "samaritans"):
            item = page.locator(f"#urgent [data-line='{line}']")
            box = item.bounding_box()
            assert box is not None, f"{line} is not shown"
            assert box["y"] >= 0, (line, box)
            assert box["y"] + box["height"] <= PHONE["height"], (line, box)
            link = item.locator("a.sp-urgent__number")
            assert link.get_attribute("href") in ("tel:999", "tel:116123")
        panel = page.locator("#urgent").bounding_box()
        form = page.locator("form.sp-search").bounding_box()
        assert panel["y"] < form["y"], "the panel comes before the search form"
        screenshot(page, "urgent-phone-" + query.split("q=")[1].split("&")[0], full_page=False)
    finally:
        context.close()


def test_need_help_now_link_is_in_the_first_phone_screen(browser, base_url):
    context = new_context(browser, base_url, javascript=False, viewport=PHONE)
    try:
        page = context.new_page()
        page.goto(base_url + "/about")
        link = page.locator("a.sp-header__urgent")
        box = link.bounding_box()
        assert box is not None
        assert box["y"] + box["height"] <= PHONE["height"]
        link.click()
        page.wait_for_load_state("load")
        assert page.url.endswith("/urgent-help")
        assert page.locator("a[href='tel:999']").first.is_visible()
    finally:
        context.close()
