"""axe-core in real Chromium on every page type: no WCAG 2.2 A/AA violations, as the page is
with JavaScript and as it is without.

axe is itself JavaScript, so the "without" view is a JavaScript-enabled browser in which
the site's own scripts are blocked: exactly the DOM a browser without JavaScript gets.
"""

from __future__ import annotations

import pytest

from tests.browser.conftest import AXE, new_context, screenshot

WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
SHORTLIST = "margate-mens-shed,national-grief-listening-line"
PAGES = {
    "home": "/",
    "results": "/?q=lonely&near=CT9+1EP",
    "results-filtered": "/?q=lonely&near=CT9+1EP&free=true&day=fri",
    "no-results": "/?q=walking&near=CT9+1EP&radius=0.2",
    # A stated need a filter left empty, and a place with no local listings.
    "results-missing-need": "/?q=walking&near=CT9+1EP&day=sun",
    "results-no-local": "/?q=lonely&near=Edinburgh",
    "place-not-found": "/?q=lonely&near=Margat",
    # A guessed correction with "Search instead for", and words that say nothing wanted.
    "results-corrected": "/?q=singng&near=CT9+1EP",
    "results-unclear": "/?q=support+groups&near=CT9+1EP",
    "bad-parameters": "/?q=lonely&near=CT9+1EP&age=old&radius=far",
    "needs": "/needs",
    "need": "/needs/loneliness",
    "service": "/services/margate-mens-shed",
    "service-remote": "/services/thanet-chat-line-telephone-befriending",
    "shortlist-empty": "/shortlist/",
    "shortlist": f"/shortlist/?ids={SHORTLIST}",
    "handout": f"/shortlist/handout?ids={SHORTLIST}",
    "text": f"/shortlist/text?ids={SHORTLIST}",
    "about": "/about",
    "accessibility": "/accessibility",
    "privacy": "/privacy",
    "feedback": "/feedback/margate-mens-shed",
    "insights": "/insights",
    "data-sources": "/data-sources",
    "urgent-help": "/urgent-help",
    "results-crisis": "/?q=kill+myself&near=CT9+1EP",
    "not-found": "/no-such-page",
}


@pytest.fixture(scope="module")
def axe_source() -> str:
    return AXE.read_text(encoding="utf-8")


def axe_violations(page, source: str) -> list[dict]:
    page.add_script_tag(content=source)
    return page.evaluate(
        """async (tags) => {
            const result = await axe.run(document, {
                runOnly: {type: "tag", values: tags},
                iframes: false,
                resultTypes: ["violations"],
            });
            return result.violations.map((v) => ({
                id: v.id,
                impact: v.impact,
                help: v.help,
                nodes: v.nodes.slice(0, 5).map((n) => n.target.join(" ")),
            }));
        }""",
        WCAG_TAGS,
    )


@pytest.mark.parametrize("scripts", [False, True], ids=["no-js", "js"])
def test_no_axe_violations_on_any_page_type(browser, base_url, axe_source, scripts):
    # bypass_csp: the site's Content-Security-Policy would (rightly) refuse the injected axe.
    context = new_context(
        browser, base_url, javascript=True, block_scripts=not scripts, bypass_csp=True
    )
    page = context.new_page()
    found: dict[str, list[dict]] = {}
    try:
        for name, path in PAGES.items():
            page.goto(base_url + path)
            page.wait_for_load_state("load")
            violations = axe_violations(page, axe_source)
            if violations:
                found[name] = violations
            if scripts:
                screenshot(page, f"page-{name}")
        # Mobile width too: the header menu and filters behave differently there.
        page.set_viewport_size({"width": 360, "height": 740})
        for name in ("home", "results", "results-crisis", "urgent-help", "service", "handout"):
            page.goto(base_url + PAGES[name])
            violations = axe_violations(page, axe_source)
            if violations:
                found[f"{name}-phone"] = violations
    finally:
        context.close()
    assert not found, found
