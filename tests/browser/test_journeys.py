"""A link worker's journey in real Chromium, with JavaScript off and on: search by need and
postcode, filter, open a service, shortlist two, print the handout, copy the text."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.browser.conftest import SCREENSHOTS, new_context, screenshot


def result_ids(page) -> list[str]:
    return [
        (element.get_attribute("id") or "").removeprefix("result-")
        for element in page.locator("li.sp-result").all()
    ]


def open_filters(page) -> None:
    """Without JavaScript the filters start closed (on a phone they would fill the screen)."""
    if page.locator("#filters").get_attribute("open") is None:
        page.locator("#filters summary").click()
    expect(page.locator("#filters .nhsuk-details__text")).to_be_visible()


def test_search_filter_shortlist_and_print(page, base_url, javascript):
    mode = "js" if javascript else "no-js"
    page.goto(base_url + "/")
    expect(page.locator("h1")).to_have_text("Find groups and services near you")
    screenshot(page, f"home-{mode}")

    # Search by need, in everyday words, and postcode.
    page.get_by_label("What would help?").fill("feeling lonely")
    page.get_by_label("Where?").fill("CT9 1EP")
    page.locator("form.sp-search button").click()
    expect(page).to_have_url(re.compile(r"/\?q=feeling\+lonely&near=CT9\+1EP$"))
    expect(page.locator("#results")).to_have_text(re.compile(r"^\d+ results$"))
    everything = result_ids(page)
    assert "margate-mens-shed" in everything
    assert "hove-memory-singers" not in everything
    expect(page.locator(".sp-place")).to_contain_text("CT9 1EP")
    screenshot(page, f"results-{mode}")

    # Filter: free only. The count beside the box is the number of results it keeps.
    open_filters(page)
    label = page.locator("label[for=free]")
    kept = int(re.search(r"\((\d+)\)", label.inner_text()).group(1))
    label.click()
    page.get_by_role("button", name="Apply filters").click()
    expect(page).to_have_url(re.compile(r"free=true"))
    free = result_ids(page)
    assert len(free) == kept
    assert set(free) < set(everything)
    for card in page.locator("li.sp-result").all():
        expect(card.locator(".sp-facts")).to_contain_text("Free")
    expect(page.locator(".sp-active-filters")).to_contain_text("Free")

    # Add two services to the shortlist while searching.
    first, second = free[0], free[1]
    for listing_id in (first, second):
        button = page.locator(f"#result-{listing_id} .sp-shortlist-button")
        expect(button).to_contain_text("Add to shortlist")
        button.click()
        expect(page.locator(f"#result-{listing_id} .sp-shortlist-button")).to_contain_text(
            "Remove from shortlist"
        )
    expect(page.locator("[data-shortlist-link]")).to_contain_text("Shortlist (2)")
    expect(page).to_have_url(re.compile(r"free=true"))  # still on the same search

    # Open a service.
    name = page.locator(f"#result-{first} h3 a").inner_text()
    page.locator(f"#result-{first} h3 a").click()
    expect(page.locator("h1")).to_have_text(name)
    expect(page.locator("main")).to_contain_text("Report a problem with this listing")
    expect(page.locator("main")).to_contain_text("Remove from shortlist")
    screenshot(page, f"service-{mode}")
    page.locator(".nhsuk-back-link").click()
    expect(page).to_have_url(re.compile(r"free=true"))

    # The shortlist holds both.
    page.locator("[data-shortlist-link]").click()
    expect(page.locator("h1")).to_have_text("Your shortlist")
    expect(page.locator("ol.sp-shortlist > li")).to_have_count(2)
    screenshot(page, f"shortlist-{mode}")

    # The handout: large print, every service with what, when, where, cost, phone, QR.
    page.get_by_role("link", name="Print a handout").click()
    items = page.locator(".sp-handout__item")
    expect(items).to_have_count(2)
    for item in items.all():
        text = item.inner_text()
        for heading in ("What it is", "When", "Where", "Cost", "How to start", "More details"):
            assert heading in text
        expect(item.locator("svg.sp-qr__code")).to_be_visible()
    print_button = page.locator("[data-print]")
    if javascript:
        expect(print_button).to_be_visible()
    else:
        expect(print_button).to_be_hidden()
        expect(page.locator(".sp-no-js-only")).to_be_visible()
    screenshot(page, f"handout-{mode}")

    page.emulate_media(media="print")
    for chrome in ("header.nhsuk-header", "footer.nhsuk-footer", ".nhsuk-back-link"):
        expect(page.locator(chrome)).to_be_hidden()
    expect(print_button).to_be_hidden()
    expect(page.locator(".sp-handout__tools")).to_be_hidden()
    expect(page.locator("h1")).to_have_text("Groups and services that may help you")
    expect(items).to_have_count(2)
    for item in items.all():
        expect(item).to_be_visible()
        expect(item.locator("svg.sp-qr__code")).to_be_visible()
    printed = page.locator("main").inner_text()
    assert name in printed
    assert "Cost" in printed
    size = page.locator(".sp-handout").evaluate("e => parseFloat(getComputedStyle(e).fontSize)")
    assert size >= 24  # 18pt: large print
    screenshot(page, f"handout-print-{mode}")
    if not javascript:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.pdf(path=str(SCREENSHOTS / "handout.pdf"), format="A4")
    page.emulate_media(media="screen")

    # The plain-text version, for an email or a text message.
    page.get_by_role("link", name="Copy as text instead").click()
    text = page.locator("#text-full").input_value()
    assert text.startswith("Groups and services that may help you")
    assert name in text
    assert "More details: http://127.0.0.1:" in text
    screenshot(page, f"text-{mode}")

    # Remove one and clear the rest.
    page.locator("[data-shortlist-link]").click()
    page.locator(f"#item-{second} .sp-shortlist-button").click()
    expect(page.locator("[data-shortlist-link]")).to_contain_text("Shortlist (1)")
    page.get_by_role("button", name="Clear the shortlist").click()
    expect(page.locator("main")).to_contain_text("There is nothing on your shortlist yet.")


def test_browse_by_need_and_bad_parameters(page, base_url, javascript):
    mode = "js" if javascript else "no-js"
    page.goto(base_url + "/")
    page.locator("header").get_by_role("link", name="Browse by need").click()
    expect(page.locator("h1")).to_have_text("Browse by need")
    screenshot(page, f"needs-{mode}")
    page.get_by_role("link", name="Loneliness and isolation").click()
    expect(page.locator("h1")).to_have_text("Loneliness and isolation")
    assert len(result_ids(page)) == 6

    response = page.goto(base_url + "/?q=lonely&near=CT9+1EP&age=old")
    assert response.status == 400
    summary = page.locator(".nhsuk-error-summary")
    expect(summary).to_contain_text("Enter an age as a whole number from 0 to 120")
    if javascript:
        expect(summary).to_be_focused()  # NHS.UK frontend moves focus to the summary
    summary.get_by_role("link").click()
    expect(page.locator("#age")).to_be_focused()
    screenshot(page, f"error-{mode}")

    response = page.goto(base_url + "/services/no-such-service")
    assert response.status == 404
    expect(page.locator("h1")).to_have_text("Page not found")
    screenshot(page, f"not-found-{mode}")


def test_shared_shortlist_link(page, base_url):
    page.goto(base_url + "/shortlist/?ids=margate-mens-shed,hove-memory-singers")
    expect(page.locator("h1")).to_have_text("A shared shortlist")
    page.get_by_role("button", name="Keep this list on this device").click()
    expect(page.locator("h1")).to_have_text("Your shortlist")
    expect(page.locator("[data-shortlist-link]")).to_contain_text("Shortlist (2)")


def test_keyboard_only_search(browser, base_url, javascript):
    context = new_context(browser, base_url, javascript=javascript)
    page = context.new_page()
    try:
        page.goto(base_url + "/")
        page.keyboard.press("Tab")
        skip = page.locator(".nhsuk-skip-link")
        expect(skip).to_be_focused()
        expect(skip).to_be_visible()
        for _ in range(30):
            page.keyboard.press("Tab")
            if page.evaluate("() => document.activeElement.id") == "q":
                break
        expect(page.locator("#q")).to_be_focused()
        page.keyboard.type("walking")
        page.keyboard.press("Tab")
        expect(page.locator("#near")).to_be_focused()
        page.keyboard.type("Margate")
        page.keyboard.press("Enter")
        expect(page).to_have_url(re.compile(r"/\?q=walking&near=Margate$"))
        assert "margate-seafront-health-walk" in result_ids(page)
        # The focus outline is visible (NHS.UK yellow) on a result link.
        link = page.locator("li.sp-result h3 a").first
        link.focus()
        background = link.evaluate("e => getComputedStyle(e).backgroundColor")
        assert background == "rgb(255, 235, 59)"
    finally:
        context.close()


def test_small_screen(browser, base_url):
    context = new_context(
        browser, base_url, javascript=True, viewport={"width": 360, "height": 740}
    )
    page = context.new_page()
    try:
        page.goto(base_url + "/?q=lonely&near=CT9+1EP")
        width = page.evaluate("() => document.documentElement.scrollWidth")
        assert width <= 360  # nothing runs off the side of a small phone
        screenshot(page, "results-phone", full_page=False)
        page.goto(base_url + "/services/margate-mens-shed")
        assert page.evaluate("() => document.documentElement.scrollWidth") <= 360
        screenshot(page, "service-phone", full_page=False)
    finally:
        context.close()
