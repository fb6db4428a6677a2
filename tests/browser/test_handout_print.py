"""The printed handout, as Chromium prints it to A4: how many pages, and what is on each.

Three services used to take six pages: each box avoided page breaks, so a box taller than
the space left started a new page and spilled a few lines onto an otherwise blank one. These
tests print realistic long listings (long descriptions, several sessions and venues) in large
print (the default) and standard print, count the PDF's pages with pypdf and read each page's
text, with the browser's usual 1 cm margins and with none.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from datetime import datetime
from io import BytesIO

import pytest
import yaml
from pypdf import PdfReader

from tests.browser.conftest import SCREENSHOTS, new_context
from tests.conftest import SITE_NOW, make_site_data

LONG_IDS = (
    "cliftonville-long-friendship-cafe",
    "margate-long-money-advice",
    "ramsgate-long-walking-group",
    "broadstairs-long-carers-circle",
    "westgate-long-creative-arts",
)
MARGINS = {"none": None, "1cm": {"top": "1cm", "bottom": "1cm", "left": "1cm", "right": "1cm"}}


NAMES = (
    "Friendship Café and Lunch Club",
    "Money, Debt and Benefits Advice Sessions",
    "Health Walks for Beginners and Slower Walkers",
    "Carers Support Circle and Relaxation Group",
    "Creative Arts for Wellbeing Workshops",
)
VENUES = (
    {
        "name": "St Peter's Church Hall",
        "address": "Church Street, St Peter's, Broadstairs",
        "postcode": "CT10 2JJ",
        "accessibility": ["step-free", "accessible-toilet", "hearing-loop"],
    },
    {
        "name": "The Lighthouse Rooms",
        "address": "21 Hawley Street, Margate",
        "postcode": "CT9 1LA",
        "accessibility": ["step-free"],
    },
)


def long_listing(number: int, listing_id: str) -> dict:
    """A listing longer than any bundled one (those have at most two sessions, one venue,
    310 characters of description and 160 of "how to start"): a 600-character description,
    two sessions with notes, two venues for two of the five, cost details, phone, email and
    website, a long name. The first was last checked in 2024, so it carries the warning."""
    town = listing_id.split("-")[0].capitalize()
    return {
        "name": f"{town} {NAMES[number]}",
        "organisation": f"{town} Community Wellbeing CIC",
        "description": (
            "A warm and friendly weekly group for anyone who would like more company, more "
            "confidence or simply a reason to get out of the house. Each session starts with tea "
            "and a chat, then there is something to join in with if you want to, such as a quiz, "
            "a short talk from a local service, gentle chair exercise or a craft. You can also "
            "just sit and listen. Volunteers welcome everyone at the door and will introduce you "
            "to people, so you never have to walk into a room of strangers on your own. Many "
            "people come for the first time after a bereavement, a move or a change in health."
        ),
        "status": "active",
        "needs": ["loneliness", "mental-wellbeing"],
        "who_for": {"age_min": 18, "eligibility": "Adults of any age. Carers are welcome too."},
        "access": {
            "routes": ["self-referral", "professional-referral", "drop-in"],
            "how_to_access": (
                "Just come along, or ring the coordinator first if you would like someone to "
                "meet you at the door. Bring a friend or a carer with you if you like."
            ),
        },
        "cost": {
            "free": False,
            "amount": "£3 a session",
            "details": "Lunch is £4 more. Nobody is turned away if they cannot pay.",
        },
        "contact": {
            "phone": f"01632 96{number:02d}11",
            "email": f"hello{number}@example.org",
            "website": f"https://example.org/{listing_id}",
        },
        "locations": list(VENUES if number in (0, 3) else VENUES[:1]),
        "schedule": [
            {"days": ["tue"], "opens": "10:00", "closes": "12:30", "notes": "At St Peter's."},
            {
                "days": ["sat"],
                "opens": "10:00",
                "closes": "12:00",
                "frequency": "monthly",
                "weeks_of_month": [1],
                "notes": "Family session. Children welcome.",
            },
        ],
        "bank_holidays": "closed",
        "last_reviewed": "2026-10-02" if number else "2024-08-20",
        "reviewed_by": "Thanet Link Worker Team",
    }


@pytest.fixture(scope="module")
def print_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The site over the usual test listings plus five long ones, on a free port."""
    from werkzeug.serving import make_server

    from app import create_app
    from directory.places import default_gazetteer
    from directory.settings import Settings
    from search.engine import LONDON
    from search.publish import publish

    folder = tmp_path_factory.mktemp("print-site")
    data = make_site_data(folder)
    for number, listing_id in enumerate(LONG_IDS):
        path = data / "services" / "east-kent" / f"{listing_id}.yaml"
        path.write_text(
            yaml.safe_dump(long_listing(number, listing_id), allow_unicode=True), "utf-8"
        )
    settings = Settings(data_dir=data, index_dir=folder / "index")
    published = publish(settings, default_gazetteer())
    assert published.ok, [str(problem) for problem in published.problems]
    app = create_app(
        {
            "SIGNPOST_DATA": str(data),
            "SIGNPOST_INDEX": str(settings.index_dir),
            "SIGNPOST_CLOCK": lambda: datetime(*SITE_NOW, tzinfo=LONDON),
            "SIGNPOST_PUBLIC_URL": "https://signpost.example.org",
        }
    )
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=10)


def print_pdf(browser, base: str, count: int, *, size: str = "large", margin=None, note=None):
    """Print the handout of the first ``count`` long listings; return the PDF's pages' text."""
    context = new_context(browser, base, javascript=False)
    page = context.new_page()
    try:
        ids = ",".join(LONG_IDS[:count])
        query = f"?ids={ids}" + ("&print=standard" if size == "standard" else "")
        if note:
            page.goto(f"{base}/shortlist/?ids={ids}")
            page.get_by_label("Your name").fill(note)
            page.get_by_label("How to reach you").fill("01632 960000, Monday to Thursday")
            page.get_by_label("What happens next").fill("I will ring you on 14 December")
            if size == "standard":
                page.get_by_label("Standard print").check()
            page.get_by_role("button", name="Make the handout with this note").click()
        else:
            page.goto(f"{base}/shortlist/handout{query}")
        options = {"format": "A4", "print_background": True}
        if margin:
            options["margin"] = margin
        pdf = page.pdf(**options)
    finally:
        context.close()
    name = f"handout-{count}-{size}-{'note' if note else 'plain'}"
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    (SCREENSHOTS / f"{name}.pdf").write_bytes(pdf)
    return [page.extract_text() or "" for page in PdfReader(BytesIO(pdf)).pages]


def assert_no_stray_page(pages: list[str]) -> None:
    """Every page carries real content: at least six lines, never a few spilled ones."""
    for number, text in enumerate(pages, start=1):
        lines = [line for line in text.splitlines() if line.strip()]
        assert len(lines) >= 6, f"page {number} holds only {len(lines)} lines: {lines}"


@pytest.mark.parametrize("margin", list(MARGINS), ids=list(MARGINS))
@pytest.mark.parametrize(("count", "most"), [(1, 1), (3, 2), (5, 3)])
def test_large_print_page_counts(browser, print_site, margin, count, most):
    pages = print_pdf(browser, print_site, count, margin=MARGINS[margin])
    print(f"large print, {count} services, margins {margin}: {len(pages)} pages")
    assert len(pages) <= most
    assert "1. Cliftonville" in pages[0]  # the first service starts on page 1
    assert_no_stray_page(pages)
    everything = "\n".join(pages)
    for number in range(1, count + 1):
        assert f"{number}. " in everything


@pytest.mark.parametrize("margin", list(MARGINS), ids=list(MARGINS))
def test_standard_print_fits_three_on_a_page(browser, print_site, margin):
    pages = print_pdf(browser, print_site, 3, size="standard", margin=MARGINS[margin])
    print(f"standard print, 3 services, margins {margin}: {len(pages)} pages")
    assert len(pages) == 1
    assert "3. Ramsgate" in pages[0]
    five = print_pdf(browser, print_site, 5, size="standard", margin=MARGINS[margin])
    assert len(five) <= 2
    assert_no_stray_page(five)


@pytest.mark.parametrize("javascript", [False, True], ids=["no-js", "js"])
def test_note_handout_and_finish_without_javascript(browser, print_site, javascript):
    """The consultation's whole flow with forms alone: keep a list, write the note, print the
    handout with it (three services, two pages), copy the text, then finish and clear."""
    from playwright.sync_api import expect

    context = new_context(browser, print_site, javascript=javascript)
    page = context.new_page()
    problems: list[str] = []
    page.on("console", lambda m: problems.append(m.text) if "Content Security" in m.text else 0)
    try:
        ids = ",".join(LONG_IDS[:3])
        page.goto(f"{print_site}/shortlist/?ids={ids}")
        page.get_by_role("button", name="Keep this list on this device").click()
        expect(page.locator("[data-shortlist-link]")).to_contain_text("Shortlist (3)")
        expect(page.locator("main")).to_contain_text("this one clears itself at 10:30am")

        page.get_by_label("Your name").fill("Sam Patel, link worker")
        page.get_by_label("How to reach you").fill("01632 960000, Monday to Thursday")
        page.get_by_label("What happens next").fill("I will ring you on 14 December")
        page.get_by_role("button", name="Make the handout with this note").click()
        expect(page).to_have_url(re.compile(r"/shortlist/handout$"))  # nothing in the URL
        note = page.locator(".sp-handout__note")
        expect(note).to_contain_text("Sam Patel, link worker")
        expect(note).to_contain_text("I will ring you on 14 December")
        expect(page.locator(".sp-handout__item")).to_have_count(3)
        pdf = page.pdf(format="A4")
        pages = [p.extract_text() or "" for p in PdfReader(BytesIO(pdf)).pages]
        assert len(pages) <= 2
        assert "Sam Patel, link worker" in pages[0]
        assert "1. Cliftonville" in pages[0]
        assert_no_stray_page(pages)
        if not javascript:
            (SCREENSHOTS / "handout-3-large-note.pdf").write_bytes(pdf)

        # Standard print keeps the note (sent again in a form, never in a link).
        page.get_by_role("button", name="Standard print (three services on a page)").click()
        expect(page.locator("body")).to_have_class(re.compile("sp-print-standard"))
        expect(page.locator(".sp-handout__note")).to_contain_text("Sam Patel")
        pdf = page.pdf(format="A4")
        assert len(PdfReader(BytesIO(pdf)).pages) == 1

        page.get_by_role("link", name="Copy as text instead").click()
        text = page.locator("#text-short").input_value()
        assert text.count("https://signpost.example.org/s/") == 3
        assert "Sam Patel" not in page.content()  # the note stays on the handout

        page.get_by_role("button", name="Finish and clear the list").click()
        expect(page.locator("main")).to_contain_text("The list is cleared.")
        expect(page.locator("[data-shortlist-link]")).not_to_contain_text("(")
        cookies = [c for c in context.cookies() if c["name"] == "shortlist"]
        assert cookies == []
    finally:
        context.close()
    assert not problems, problems


@pytest.mark.parametrize("scripts", [False, True], ids=["site-scripts-blocked", "js"])
def test_new_pages_have_no_axe_violations(browser, print_site, scripts):
    """The note form with errors, the handout with a note, standard print and the record
    summary: no WCAG 2.2 A/AA violations, with the site's scripts and without them."""
    from tests.browser.conftest import AXE
    from tests.browser.test_accessibility import axe_violations

    source = AXE.read_text(encoding="utf-8")
    # bypass_csp: the site's Content-Security-Policy would (rightly) refuse the injected axe.
    context = new_context(
        browser, print_site, javascript=True, block_scripts=not scripts, bypass_csp=True
    )
    page = context.new_page()
    found = {}
    try:
        ids = ",".join(LONG_IDS[:2])
        for name, path in {
            "summary": f"/shortlist/summary?ids={ids}",
            "standard": f"/shortlist/handout?ids={ids}&print=standard",
        }.items():
            page.goto(print_site + path)
            found[name] = axe_violations(page, source)
        page.goto(f"{print_site}/shortlist/?ids={ids}")
        # The field's maxlength stops a person typing more; the server checks it anyway.
        page.locator("#worker_name").evaluate("e => e.removeAttribute('maxlength')")
        page.get_by_label("Your name").fill("x" * 81)
        page.get_by_role("button", name="Make the handout with this note").click()
        expect_problem = page.locator(".nhsuk-error-summary")
        assert "Your name must be 80 characters or fewer" in expect_problem.inner_text()
        found["note-errors"] = axe_violations(page, source)
        page.get_by_label("Your name").fill("Sam")
        page.get_by_role("button", name="Make the handout with this note").click()
        assert "A note from your link worker" in page.locator("main").inner_text()
        found["handout-note"] = axe_violations(page, source)
    finally:
        context.close()
    assert {name: v for name, v in found.items() if v} == {}
