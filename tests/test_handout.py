"""The handout and shortlist for one consultation: the link worker's note (never kept or
logged), print sizes, real dates, "Finish and clear the list", and a list that cannot outlive
its consultation (SIGNPOST_SHORTLIST_MAX_MINUTES)."""

from __future__ import annotations

import io
import logging
import re
from datetime import date, datetime

import pytest

from directory.model import Session
from search.engine import LONDON
from tests.conftest import SITE_NOW

SHED = "margate-mens-shed"
CAFE = "margate-bereavement-cafe"
LINE = "national-grief-listening-line"
STARTED = int(datetime(*SITE_NOW, tzinfo=LONDON).timestamp())  # 9:30am, Monday 23 November
NOTE = {
    "worker_name": "Priya Okonkwo-Larsen",
    "worker_contact": "07700 900461 on Tuesdays",
    "follow_up": "I will ring you on Monday 14 December about the cafe",
}


def ids_in_cookie(client) -> str | None:
    found = client.get_cookie("shortlist")
    return None if found is None else found.value.partition(":")[2]


def add(client, listing_id: str):
    return client.post("/shortlist/add", data={"id": listing_id, "next": "/shortlist/"})


# ---- The link worker's note ------------------------------------------------------------------


def test_note_prints_on_the_handout(site):
    add(site, SHED)
    response = site.post("/shortlist/handout", data=NOTE)
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    note = page.split('class="sp-handout__note"')[1].split("</dl>")[0]
    assert "A note from your link worker" in note
    assert "Priya Okonkwo-Larsen" in note
    assert "07700 900461 on Tuesdays" in note
    assert "I will ring you on Monday 14 December about the cafe" in note
    assert "Margate Men&#39;s Shed" in page


def test_note_is_never_logged_stored_or_put_in_a_link(site, caplog):
    from serving import configure_access_log, log

    stream = io.StringIO()
    was = (list(log.handlers), log.level, log.propagate, log.disabled)
    configure_access_log(stream)
    try:
        with caplog.at_level(logging.DEBUG):
            add(site, SHED)
            response = site.post("/shortlist/handout", data=NOTE)
            changed = site.post("/shortlist/handout", data={**NOTE, "print": "standard"})
    finally:
        log.handlers[:], log.level, log.propagate, log.disabled = was
    access = stream.getvalue()
    assert '"path":"/shortlist/handout"' in access  # the request was logged, as a path
    for value in NOTE.values():
        for word in value.split():
            if len(word) > 3 and word not in ("ring", "Monday", "December", "about"):
                assert word not in access, word
                assert word not in caplog.text, word
        assert value not in access
        assert value not in caplog.text
        # No cookie holds it, and no link on the page carries it.
        for reply in (response, changed):
            assert all(value not in header for header in reply.headers.getlist("Set-Cookie"))
            hrefs = re.findall(r'(?:href|action)="([^"]*)"', reply.get_data(as_text=True))
            assert all("Priya" not in href and "07700" not in href for href in hrefs)
    assert "Priya" not in (site.get_cookie("shortlist").value)


def test_note_keeps_through_a_change_of_print_size(site):
    add(site, SHED)
    page = site.post("/shortlist/handout", data=NOTE).get_data(as_text=True)
    # Changing the size sends the note again in a form (POST), never in a link.
    form = page.split('class="sp-inline-form"')[1].split("</form>")[0]
    assert form.startswith(' method="post"')
    assert 'name="worker_name" value="Priya Okonkwo-Larsen"' in form
    assert 'name="print" value="standard"' in form
    standard = site.post("/shortlist/handout", data={**NOTE, "print": "standard"})
    assert 'class="sp-handout-page sp-print-standard"' in standard.get_data(as_text=True)
    assert "Priya Okonkwo-Larsen" in standard.get_data(as_text=True)


@pytest.mark.parametrize(
    ("field", "limit", "message"),
    [
        ("worker_name", 80, "Your name must be 80 characters or fewer (it has 81)"),
        ("worker_contact", 120, "How to reach you must be 120 characters or fewer (it has 121)"),
        ("follow_up", 200, "What happens next must be 200 characters or fewer (it has 201)"),
    ],
)
def test_a_note_too_long_gets_a_clear_message(site, field, limit, message):
    add(site, SHED)
    response = site.post("/shortlist/handout", data={**NOTE, field: "x" * (limit + 1)})
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "There is a problem" in page
    assert message in page
    assert f'href="#{field}"' in page
    kept = NOTE["follow_up"] if field != "follow_up" else NOTE["worker_name"]
    assert f'value="{kept}"' in page  # what was typed is kept in the form


def test_a_note_from_another_site_is_refused(site):
    response = site.post(
        "/shortlist/handout", data=NOTE, headers={"Origin": "https://evil.example"}
    )
    assert response.status_code == 403


def test_note_control_characters_become_spaces():
    from views.handout_note import parse_note

    note, errors = parse_note({"worker_name": " Sam\x00\n\tJones  ", "follow_up": ""})
    assert note.worker_name == "Sam Jones"
    assert not errors
    assert bool(note)
    assert not parse_note({})[0]


# ---- Print sizes -----------------------------------------------------------------------------


def test_large_print_is_the_default_and_standard_is_offered(site):
    large = site.get(f"/shortlist/handout?ids={SHED},{CAFE}").get_data(as_text=True)
    assert 'class="sp-handout-page sp-print-large"' in large
    assert "Standard print (three services on a page)</a>" in large
    assert f"/shortlist/handout?ids={SHED},{CAFE}&amp;print=standard" in large
    standard = site.get(f"/shortlist/handout?ids={SHED}&print=standard").get_data(as_text=True)
    assert 'class="sp-handout-page sp-print-standard"' in standard
    odd = site.get(f"/shortlist/handout?ids={SHED}&print=huge").get_data(as_text=True)
    assert "sp-print-large" in odd


def test_print_stylesheet_sets_the_page_and_lets_boxes_run_on():
    from pathlib import Path

    css = (Path(__file__).resolve().parent.parent / "static" / "signpost.css").read_text()
    assert "@page {\n  margin: 10mm;\n  size: A4;\n}" in css
    print_rules = css.split("@media print")[1]
    item = print_rules.split(".sp-handout__item,")[1].split("}")[0]
    assert "break-inside: auto" in item  # a long box runs on, instead of leaving a blank page
    assert "break-inside: avoid" in print_rules.split(".sp-handout__row {")[1].split("}")[0]
    assert ".sp-print-standard .sp-handout {\n    font-size: 10.5pt;" in print_rules


# ---- Real dates, checked dates and bank holidays ---------------------------------------------


def test_handout_and_texts_use_real_dates(site):
    add(site, SHED)
    add(site, CAFE)
    handout = site.get("/shortlist/handout").get_data(as_text=True)
    text = site.get("/shortlist/text").get_data(as_text=True)
    download = site.get("/shortlist/shortlist.txt").get_data(as_text=True)
    for words in (handout, text, download):
        assert "Tuesday 24 November, 10am to 1pm" in words or "Tue 24 Nov" in words
        for relative in ("Tomorrow", "Today", "On now"):
            assert relative not in words.split("<main")[-1], relative
    assert "Next time: Wednesday 2 December, 2pm to 4pm" in download
    assert "Checked September 2026" in download
    assert "Checked October 2026" in download
    assert "Made on 23 November 2026" in download


def test_a_stale_listing_warns_to_phone_first(site_app):
    site_app.config["SIGNPOST_SETTINGS"] = _with_stale_months(site_app, 1)
    try:
        client = site_app.test_client()
        handout = client.get(f"/shortlist/handout?ids={SHED}").get_data(as_text=True)
        text = client.get(f"/shortlist/shortlist.txt?ids={SHED}").get_data(as_text=True)
    finally:
        site_app.config["SIGNPOST_SETTINGS"] = _with_stale_months(site_app, 12)
    warning = "Not checked since September 2026: phone before you go"
    assert warning in handout
    assert "sp-handout__checked--old" in handout
    assert warning in text


def _with_stale_months(app, months: int):
    from dataclasses import replace

    return replace(app.config["SIGNPOST_SETTINGS"], stale_months=months)


def test_bank_holiday_words_join_the_sessions():
    from dataclasses import replace

    from directory.model import Access, Contact, Cost, Listing
    from views.shortlist_text import when_lines

    listing = Listing(
        id="x",
        area="a",
        path="x.yaml",
        name="X",
        organisation="O",
        description="A group for people.",
        status="active",
        needs=("loneliness",),
        access=Access(("drop-in",), "Just turn up."),
        cost=Cost(True),
        contact=Contact(phone="01632 960000"),
        last_reviewed=date(2026, 10, 1),
        reviewed_by="T",
        schedule=(Session(("mon",), "10:00", "12:00"),),
        bank_holidays="closed",
    )
    assert when_lines(listing) == ["Every Monday, 10am to 12pm. No sessions on bank holidays."]
    assert when_lines(replace(listing, bank_holidays="open")) == ["Every Monday, 10am to 12pm"]
    noted = replace(
        listing, schedule=(Session(("mon",), "10:00", "12:00", notes="Not on bank holidays."),)
    )
    assert when_lines(noted) == ["Every Monday, 10am to 12pm. Not on bank holidays."]


# ---- One consultation: finish, clear, and a list that cannot outlive its time ----------------


def test_handout_and_text_offer_finish_and_clear(site):
    add(site, SHED)
    for url in ("/shortlist/handout", "/shortlist/text"):
        page = site.get(url).get_data(as_text=True)
        form = page.split('action="/shortlist/clear"')[1].split("</form>")[0]
        assert 'name="finish" value="1"' in form
        assert "Finish and clear the list" in form
    response = site.post("/shortlist/clear", data={"finish": "1"})
    assert response.status_code == 303
    assert response.headers["Location"] == "/shortlist/?finished=1"
    assert ids_in_cookie(site) is None
    page = site.get(response.headers["Location"]).get_data(as_text=True)
    assert "The list is cleared." in page
    assert "ready for the next person" in page


def test_shortlist_page_says_when_the_list_clears(site):
    add(site, SHED)
    page = site.get("/shortlist/").get_data(as_text=True)
    assert "until you close the browser, and for 1 hour at most" in page
    assert "(this one clears itself at 10:30am)" in page


def test_an_old_list_is_cleared_not_extended(site):
    site.set_cookie("shortlist", f"{STARTED - 61 * 60}:{SHED}.{CAFE}")
    response = site.get("/shortlist/")
    page = response.get_data(as_text=True)
    assert "There is nothing on your shortlist yet." in page
    assert any(
        header.startswith("shortlist=;") for header in response.headers.getlist("Set-Cookie")
    )
    # Adding to an old list starts a new one, with only the new service and a new start.
    site.set_cookie("shortlist", f"{STARTED - 61 * 60}:{SHED}.{CAFE}")
    add(site, LINE)
    assert site.get_cookie("shortlist").value == f"{STARTED}:{LINE}"


def test_a_list_within_its_time_keeps_its_start(site):
    site.set_cookie("shortlist", f"{STARTED - 59 * 60}:{SHED}")
    add(site, CAFE)
    assert site.get_cookie("shortlist").value == f"{STARTED - 59 * 60}:{SHED}.{CAFE}"
    assert "(this one clears itself at 9:31am)" in site.get("/shortlist/").get_data(as_text=True)


@pytest.mark.parametrize(
    "value",
    [SHED, f"soon:{SHED}", f"{STARTED + 3600}:{SHED}", f":{SHED}"],
    ids=["no start time", "not a number", "in the future", "empty start"],
)
def test_a_list_without_a_believable_start_is_cleared(site, value):
    site.set_cookie("shortlist", value)
    page = site.get("/shortlist/").get_data(as_text=True)
    assert "There is nothing on your shortlist yet." in page
    assert site.get_cookie("shortlist") is None


def test_the_maximum_age_is_a_setting(site_app):
    from tests.conftest import configured

    with configured(site_app, SIGNPOST_SHORTLIST_MAX_MINUTES="10"):
        client = site_app.test_client()
        client.set_cookie("shortlist", f"{STARTED - 11 * 60}:{SHED}")
        assert "nothing on your shortlist" in client.get("/shortlist/").get_data(as_text=True)
        client.set_cookie("shortlist", f"{STARTED - 9 * 60}:{SHED}")
        page = client.get("/shortlist/").get_data(as_text=True)
        assert "for 10 minutes at most (this one clears itself at 9:31am)" in page


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("soon", "SIGNPOST_SHORTLIST_MAX_MINUTES must be a whole number of minutes, not 'soon'."),
        ("0", "SIGNPOST_SHORTLIST_MAX_MINUTES must be from 1 to 1440 (a day)."),
        ("2000", "SIGNPOST_SHORTLIST_MAX_MINUTES must be from 1 to 1440 (a day)."),
    ],
)
def test_a_bad_maximum_age_stops_the_app_with_a_clear_message(settings, value, message):
    from app import create_app
    from directory.settings import SettingError

    with pytest.raises(SettingError) as raised:
        create_app(
            {
                "SIGNPOST_DATA": str(settings.data_dir),
                "SIGNPOST_INDEX": str(settings.index_dir),
                "SIGNPOST_SHORTLIST_MAX_MINUTES": value,
            }
        )
    assert str(raised.value) == message


def test_describe_minutes():
    from views.shortlist_store import describe_minutes

    assert [describe_minutes(m) for m in (1, 10, 60, 90, 120)] == [
        "1 minute",
        "10 minutes",
        "1 hour",
        "90 minutes",
        "2 hours",
    ]


def test_privacy_notice_says_how_long_a_list_lasts(site_app):
    client = site_app.test_client()
    assert "We also clear a list 1 hour after it was started" in client.get("/privacy").text
    from tests.conftest import configured

    with configured(site_app, SIGNPOST_SHORTLIST_MAX_MINUTES="20"):
        page = client.get("/privacy").text
    assert "We also clear a list 20 minutes after it was started" in page
    assert "We do not keep the note a link worker writes on your handout" in page


@pytest.mark.parametrize(
    ("routes", "words"),
    [
        (("self-referral", "drop-in"), "Refer yourself or drop in. Ring us."),
        (("drop-in",), "Drop in. Ring us."),
        (
            ("self-referral", "professional-referral"),
            "Refer yourself. A GP or link worker can also refer you. Ring us.",
        ),
        (
            ("professional-referral",),
            "Needs a referral from a GP, link worker or other professional. Ring us.",
        ),
    ],
)
def test_handout_says_how_to_start_in_few_words(routes, words):
    from dataclasses import replace

    from directory.model import Access
    from tests.test_schedule import listing
    from views.shortlist_text import how_to_start_short

    assert how_to_start_short(replace(listing(), access=Access(routes, "Ring us."))) == words


def test_shortlist_pages_are_not_kept_by_the_browser(site):
    add(site, SHED)
    for response in (
        site.post("/shortlist/handout", data=NOTE),
        site.get("/shortlist/"),
        site.get("/shortlist/text"),
        site.get("/shortlist/summary"),
    ):
        assert response.headers["Cache-Control"] == "no-store"
