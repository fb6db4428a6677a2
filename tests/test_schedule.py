"""Next session: what results, the handout and the API show as "when can they go"."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, time

import pytest

from directory.model import Access, Contact, Cost, Listing, Location, Session
from directory.schedule import (
    bank_holiday,
    describe_next,
    describe_next_dated,
    nation_of,
    nation_of_postcode,
    next_session,
)


def at(day: date, hhmm: str) -> datetime:
    """A naive local datetime on ``day`` at ``hhmm``."""
    hour, minute = (int(part) for part in hhmm.split(":"))
    return datetime.combine(day, time(hour, minute))


def listing(*sessions: Session) -> Listing:
    return Listing(
        id="x",
        area="thanet",
        path="x.yaml",
        name="X",
        organisation="Org",
        description="A group.",
        status="active",
        needs=("loneliness",),
        access=Access(("drop-in",), "Just turn up."),
        cost=Cost(True),
        contact=Contact(),
        last_reviewed=date(2026, 11, 1),
        reviewed_by="Test",
        schedule=tuple(sessions),
    )


TUE = Session(("tue",), "10:00", "12:00")
THU = Session(("thu",), "19:00", "21:00")
# Monday 23 November 2026
MONDAY = date(2026, 11, 23)


@pytest.mark.parametrize(
    ("now", "sessions", "expected"),
    [
        (at(MONDAY, "09:00"), (TUE, THU), "Tomorrow, 10am to 12pm"),
        (at(MONDAY, "09:00"), (THU,), "Thursday, 7pm to 9pm"),
        (at(date(2026, 11, 24), "10:30"), (TUE,), "On now, until 12pm"),
        (at(date(2026, 11, 24), "08:00"), (TUE,), "Today, 10am to 12pm"),
        (at(date(2026, 11, 24), "12:00"), (TUE,), "Tuesday 1 December, 10am to 12pm"),
        (
            at(MONDAY, "09:00"),
            (Session(("wed",), "14:00", "16:00", "monthly", (1,)),),
            "Wednesday 2 December, 2pm to 4pm",
        ),
        (
            at(MONDAY, "09:00"),
            (Session(("fri",), "10:00", "11:00", "fortnightly"),),
            "Friday, 10am to 11am (every other week: check the date)",
        ),
    ],
)
def test_next_session_in_words(now, sessions, expected):
    assert describe_next(next_session(listing(*sessions), now), now) == expected


def test_no_schedule_has_no_next_session():
    found = next_session(replace(listing(TUE), schedule=()), at(MONDAY, "09:00"))
    assert found is None
    assert describe_next(found, at(MONDAY, "09:00")) == ""


def test_next_session_as_data():
    found = next_session(listing(THU), at(MONDAY, "09:00"))
    assert found.to_dict() == {
        "date": "2026-11-26",
        "day": "Thursday",
        "opens": "19:00",
        "closes": "21:00",
        "running_now": False,
        "check_week": False,
    }


# ---- Real dates, for anything read later (handout, text message, email) --------------------


@pytest.mark.parametrize(
    ("now", "sessions", "expected"),
    [
        (at(MONDAY, "09:00"), (TUE, THU), "Tuesday 24 November, 10am to 12pm"),
        (at(date(2026, 11, 24), "10:30"), (TUE,), "Tuesday 24 November, 10am to 12pm"),
        (at(date(2026, 12, 30), "09:00"), (THU,), "Thursday 31 December, 7pm to 9pm"),
        (at(date(2026, 12, 31), "22:00"), (TUE,), "Tuesday 5 January 2027, 10am to 12pm"),
        (
            at(MONDAY, "09:00"),
            (Session(("fri",), "10:00", "11:00", "fortnightly"),),
            "Friday 27 November, 10am to 11am (every other week: check the date)",
        ),
    ],
)
def test_next_session_with_its_real_date(now, sessions, expected):
    found = next_session(listing(*sessions), now)
    text = describe_next_dated(found, now.date())
    assert text == expected
    assert "Today" not in text
    assert "Tomorrow" not in text
    assert "On now" not in text


def test_no_session_has_no_dated_words():
    assert describe_next_dated(None, MONDAY) == ""


# ---- Bank holidays --------------------------------------------------------------------------

MON = Session(("mon",), "10:00", "12:00")


def venue(postcode: str) -> Location:
    return Location("Hall", "1 High Street, Town", postcode)


def closed(*locations: Location, sessions=(MON,)) -> Listing:
    return replace(listing(*sessions), bank_holidays="closed", locations=tuple(locations))


@pytest.mark.parametrize(
    ("postcode", "nation"),
    [
        ("CT9 1EP", "ENG"),
        ("CF10 1AA", "ENG"),  # Wales has England's bank holidays
        ("EH1 1YZ", "SCT"),
        ("G1 1XQ", "SCT"),
        ("gl1 1aa", "ENG"),  # Gloucester, not Glasgow
        ("TD1 1AA", "SCT"),
        ("TD15 1AA", "ENG"),  # Berwick-upon-Tweed
        ("BT1 1AA", "NIR"),
        ("", "ENG"),
    ],
)
def test_nation_of_a_postcode(postcode, nation):
    assert nation_of_postcode(postcode) == nation


def test_a_group_closed_on_bank_holidays_skips_them():
    friday = date(2026, 5, 1)  # Monday 4 May 2026 is the early May bank holiday
    group = closed(venue("CT9 1EP"))
    found = next_session(group, at(friday, "09:00"))
    assert found.day == date(2026, 5, 11)
    # A group that meets on bank holidays (the default) still meets on the 4th.
    assert next_session(replace(group, bank_holidays="open"), at(friday, "09:00")).day == (
        date(2026, 5, 4)
    )
    # On the day itself it is not "on now" either.
    assert next_session(group, at(date(2026, 5, 4), "10:30")).day == date(2026, 5, 11)


def test_bank_holidays_follow_the_venues_nation():
    sunday = date(2026, 11, 29)  # Monday 30 November 2026: St Andrew's Day, Scotland only
    assert bank_holiday(date(2026, 11, 30), "SCT") == "Saint Andrew's Day"
    assert bank_holiday(date(2026, 11, 30), "ENG") is None
    edinburgh = next_session(closed(venue("EH1 1YZ")), at(sunday, "09:00"))
    margate = next_session(closed(venue("CT9 1EP")), at(sunday, "09:00"))
    assert edinburgh.day == date(2026, 12, 7)
    assert margate.day == date(2026, 11, 30)
    # St Patrick's Day, Tuesday 17 March 2026, in Northern Ireland only.
    tuesday = closed(venue("BT1 1AA"), sessions=(TUE,))
    assert next_session(tuesday, at(date(2026, 3, 16), "09:00")).day == date(2026, 3, 24)
    # Online or phone only: England and Wales' calendar.
    assert nation_of(closed()) == "ENG"


def test_open_now_leaves_out_groups_closed_for_the_bank_holiday():
    from search.facets import FacetTable

    meets_anyway = replace(closed(venue("CT9 1EP")), id="anyway", bank_holidays="open")
    listings = [closed(venue("CT9 1EP")), meets_anyway, closed(venue("EH1 1YZ"))]
    table = FacetTable.from_listings(listings, [])
    everyone = set(range(3))
    assert table.open_at(at(date(2026, 4, 6), "10:30"), everyone) == {1, 2}  # Easter Monday
    assert table.open_at(at(date(2026, 11, 30), "10:30"), everyone) == {0, 1}  # Scotland's
    assert table.open_at(at(date(2026, 11, 23), "10:30"), everyone) == everyone


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("shut", "'shut' is not allowed for bank_holidays. Write one of: open or closed."),
        ("[closed]", "'bank_holidays' should be one of: open or closed."),
    ],
)
def test_bank_holidays_field_is_checked(data_dir, vocab, value, message):
    from directory.validation import validate_paths

    path = data_dir / "services" / "thanet" / "margate-mens-shed.yaml"
    text = path.read_text(encoding="utf-8").replace(
        "bank_holidays: closed", f"bank_holidays: {value}"
    )
    path.write_text(text, encoding="utf-8")
    report = validate_paths([data_dir / "services"], vocab)
    assert not report.ok
    assert any(message in str(problem) for problem in report.problems), report.problems


def test_template_listing_is_closed_on_bank_holidays(data_dir, vocab):
    from directory.validation import validate_paths

    report = validate_paths([data_dir / "services"], vocab)
    assert report.ok
    assert report.listings[0].bank_holidays == "closed"


@pytest.mark.parametrize(
    ("areas", "nation"),
    [
        (("Scotland",), "SCT"),
        (("Northern Ireland",), "NIR"),
        (("Wales",), "ENG"),
        (("EH1", "EH2"), "SCT"),
        (("BT",), "NIR"),
        (("Bristol",), "ENG"),  # a council area: England and Wales' calendar
        ((), "ENG"),
    ],
)
def test_a_service_without_a_venue_follows_the_area_it_serves(areas, nation):
    assert nation_of(replace(closed(), areas_served=areas)) == nation
    # A venue, where there is one, decides.
    assert nation_of(replace(closed(venue("BT1 1AA")), areas_served=areas)) == "NIR"
