"""Next session: what results, the handout and the API show as "when can they go"."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from directory.model import Access, Contact, Cost, Listing, Session
from directory.schedule import at, describe_next, next_session


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
