"""Text messages: GSM-7 and UCS-2 part counting, and a three-service text that fits in three
parts with each service's name, date and time, phone and a short link."""

from __future__ import annotations

import re

import pytest

from directory.sms import plain_gsm, segments

SHED = "margate-mens-shed"
CAFE = "margate-bereavement-cafe"
LINE = "national-grief-listening-line"


@pytest.mark.parametrize(
    ("text", "encoding", "units", "parts"),
    [
        ("", "GSM-7", 0, 0),
        ("a" * 160, "GSM-7", 160, 1),
        ("a" * 161, "GSM-7", 161, 2),
        ("a" * 306, "GSM-7", 306, 2),
        ("a" * 307, "GSM-7", 307, 3),
        ("£@é\n" * 40, "GSM-7", 160, 1),  # in the basic table: one each
        ("€" * 80, "GSM-7", 160, 1),  # extension table: two each
        ("€" * 81, "GSM-7", 162, 2),
        ("{[~]}^|\\", "GSM-7", 16, 1),
        # An escape pair is never split: 152 + 2 does not fit a 153 part.
        ("a" * 152 + "€" + "a" * 152, "GSM-7", 306, 3),
        ("a" * 151 + "€" + "a" * 153, "GSM-7", 306, 2),
        ("’" + "a" * 69, "UCS-2", 70, 1),  # one curly apostrophe: UCS-2 for all of it
        ("ç" + "a" * 70, "UCS-2", 71, 2),
        ("ą" * 134, "UCS-2", 134, 2),
        ("ą" * 135, "UCS-2", 135, 3),
        ("😀" * 35, "UCS-2", 70, 1),  # a surrogate pair counts two
        # A surrogate pair is never split either: 66 + 2 does not fit a 67 part.
        ("ą" * 66 + "😀" + "ą" * 66, "UCS-2", 134, 3),
    ],
)
def test_segments(text, encoding, units, parts):
    found = segments(text)
    assert (found.encoding, found.units, found.parts) == (encoding, units, parts)


def test_typographic_punctuation_becomes_gsm():
    text = plain_gsm("Men’s “Shed” – 10am…2pm\u00a0today")
    assert text == 'Men\'s "Shed" - 10am...2pm today'
    assert segments(text).encoding == "GSM-7"
    assert plain_gsm("Łódź") == "Łódź"  # names are never mangled: the message just costs more


@pytest.fixture
def public_site(site_app):
    from tests.conftest import configured

    with configured(site_app, SIGNPOST_PUBLIC_URL="https://signpost.example.org"):
        yield site_app.test_client()


def sms_of(page: str) -> str:
    import html

    return html.unescape(re.search(r'id="text-short"[^>]*>(.*?)</textarea>', page, re.S).group(1))


def test_three_services_fit_in_three_parts(public_site):
    from views.shortlist_text import short_code

    page = public_site.get(f"/shortlist/text?ids={SHED},{CAFE},{LINE}").get_data(as_text=True)
    text = sms_of(page)
    found = segments(text)
    print(f"three-service text: {found.units} characters, {found.parts} parts, {found.encoding}")
    assert found.encoding == "GSM-7"
    assert found.parts <= 3
    assert f"{found.parts} text message parts ({found.units} characters)" in page
    lines = text.splitlines()
    assert lines[0] == "Groups that may help you:"
    shed, cafe, line = lines[1:]
    assert shed.startswith("1. Margate Men's Shed. Tue 24 Nov 10am-1pm. 01632 960001.")
    assert cafe.startswith("2. Tea and Talk Bereavement Café. Wed 2 Dec 2pm-4pm. 01632 960412.")
    assert line.startswith("3. Grief Listening Line")
    assert "020 7946 0512" in line
    for listing_id, entry in zip((SHED, CAFE, LINE), (shed, cafe, line), strict=True):
        assert entry.endswith(f"https://signpost.example.org/s/{short_code(listing_id)}")
        assert re.search(r"Checked (Sep|Oct) 2026", entry)
    assert "Tomorrow" not in text
    assert "Today" not in text


def test_short_links_lead_to_the_service(site):
    from views.shortlist_text import short_code

    code = short_code(SHED)
    assert len(code) == 8
    assert not set(code) & set("ilou")
    response = site.get(f"/s/{code}")
    assert response.status_code == 301
    assert response.headers["Location"] == f"/services/{SHED}"
    # Typed from paper: capitals, a hyphen, O for 0 and I or L for 1 all still work.
    typed = code.upper().replace("0", "O").replace("1", "I")
    assert site.get(f"/s/{typed[:4]}-{typed[4:]}").headers["Location"] == f"/services/{SHED}"
    assert site.get("/s/zzzzzzzz").status_code == 404


def test_email_link_carries_the_whole_list(site):
    import html
    from urllib.parse import parse_qs, urlsplit

    page = site.get(f"/shortlist/text?ids={SHED},{CAFE}").get_data(as_text=True)
    href = re.search(r'<a href="(mailto:[^"]*)" data-mailto>', page).group(1)

    parts = urlsplit(html.unescape(href))
    assert parts.scheme == "mailto"
    assert parts.path == ""
    query = parse_qs(parts.query)
    assert query["subject"] == ["Groups and services that may help you"]
    body = query["body"][0]
    assert body.startswith("Groups and services that may help you\nMade on 23 November 2026")
    assert "1. Margate Men's Shed" in body
    assert "2. Tea and Talk Bereavement Café" in body
    assert "Next time: Tuesday 24 November, 10am to 1pm" in body
    assert "Write an email with this list" in page


def test_long_names_drop_the_least_needed_words_first():
    from dataclasses import replace
    from datetime import datetime

    from tests.test_schedule import MON, listing
    from views.shortlist_text import _sms, make_entry, sms_text

    moment = datetime(2026, 11, 23, 9, 30)
    entries = [
        make_entry(
            replace(
                listing(MON),
                id=f"group-{n}",
                name=f"Cliftonville and Westbrook Friendship Lunch Club {n}",
                contact=replace(listing().contact, phone="01632 960000"),
                last_reviewed=datetime(2026, 10, 1).date(),
            ),
            moment,
            12,
            f"https://signpost.example.org/services/group-{n}",
            f"https://signpost.example.org/s/abcdefg{n}",
        )
        for n in range(3)
    ]
    stale = replace(entries[2], warning="Not checked since August 2024: phone before you go")
    untrimmed = _sms([*entries[:2], stale], title=True, fresh_checked=True)
    assert segments(untrimmed).parts == 4
    text = sms_text([*entries[:2], stale])
    found = segments(text)
    assert found.parts <= 3, (found, text)
    assert not text.startswith("Groups that may help you")
    assert "Checked Oct 2026" not in text
    assert "Not checked since Oct 2026, phone first" in text  # the warning always stays
    assert text.count("Mon 23 Nov 10am-12pm") == 3
    assert text.count("01632 960000") == 3
