"""When does a service next meet? Pure date arithmetic over a listing's sessions.

A link worker's first question after "what is it" is "when can they go": results, the
handout and the API all show the next session, worked out here once. Fortnightly sessions
do not say which week they run, so their next date is marked as one to check.

A listing with ``bank_holidays: closed`` does not meet on a bank holiday. Bank holidays differ
by nation (St Andrew's Day in Scotland, St Patrick's Day in Northern Ireland), so the venue's
postcode chooses the calendar; a service with no venue uses England and Wales'. Dates come
from the ``holidays`` package, offline.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import lru_cache

import holidays

from directory.model import DAYS, Listing, Session
from directory.wording import clock

LOOKAHEAD_DAYS = 62  # far enough to reach the next "first Tuesday of the month"

# Bank holiday calendars, as the ``holidays`` package names the UK's subdivisions. Wales has
# the same bank holidays as England.
ENGLAND_AND_WALES = "ENG"
SCOTLAND = "SCT"
NORTHERN_IRELAND = "NIR"
NATIONS = {
    ENGLAND_AND_WALES: "England and Wales",
    SCOTLAND: "Scotland",
    NORTHERN_IRELAND: "Northern Ireland",
}
# Postcode areas in Scotland. TD is the Scottish Borders except TD15 (Berwick-upon-Tweed).
SCOTTISH_AREAS = frozenset("AB DD DG EH FK G HS IV KA KW KY ML PA PH TD ZE".split())


def nation_of_postcode(postcode: str) -> str:
    """The bank holiday calendar for a postcode: 'SCT', 'NIR', else 'ENG' (England and Wales)."""
    outward = postcode.strip().upper().split(" ")[0]
    area = "".join(ch for ch in outward[:2] if ch.isalpha())
    if area == "BT":
        return NORTHERN_IRELAND
    if area in SCOTTISH_AREAS and outward != "TD15":
        return SCOTLAND
    return ENGLAND_AND_WALES


def nation_of(listing: Listing) -> str:
    """The calendar a listing's sessions follow: its first venue's nation; without a venue,
    the nation or postcode district it serves (``areas_served``); else England and Wales'."""
    for location in listing.locations:
        if location.postcode:
            return nation_of_postcode(location.postcode)
    for area in listing.areas_served:
        if area in NATION_NAMES:
            return NATION_NAMES[area]
        if POSTCODE_PART.match(area):
            return nation_of_postcode(area)
    return ENGLAND_AND_WALES


NATION_NAMES = {
    "England": ENGLAND_AND_WALES,
    "Wales": ENGLAND_AND_WALES,
    "Scotland": SCOTLAND,
    "Northern Ireland": NORTHERN_IRELAND,
}
POSTCODE_PART = re.compile(r"^[A-Z]{1,2}([0-9][A-Z0-9]?)?$")  # "BT", "EH1", "G12" (not "Bath")


@lru_cache(maxsize=64)
def _holidays(nation: str, year: int) -> dict[date, str]:
    """One year's bank holidays in one nation (a plain dict: safe to share between threads)."""
    return dict(holidays.country_holidays("GB", subdiv=nation, years=year).items())


def bank_holiday(day: date, nation: str = ENGLAND_AND_WALES) -> str | None:
    """The bank holiday's name on ``day`` in ``nation`` ('Christmas Day'), or None."""
    return _holidays(nation, day.year).get(day)


def closed_for_holiday(listing: Listing, day: date) -> bool:
    """True when the listing does not meet on ``day`` because it is a bank holiday there."""
    return listing.bank_holidays == "closed" and bank_holiday(day, nation_of(listing)) is not None


@dataclass(frozen=True)
class NextSession:
    day: date
    opens: str  # "HH:MM"
    closes: str
    session: Session
    check: bool = False  # fortnightly: it may be the week after
    running_now: bool = False

    def to_dict(self) -> dict[str, object]:
        return {
            "date": self.day.isoformat(),
            "day": DAY_LONG[self.day.weekday()],
            "opens": self.opens,
            "closes": self.closes,
            "running_now": self.running_now,
            "check_week": self.check,
        }


DAY_LONG = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


def _meets_on(session: Session, day: date) -> bool:
    if DAYS[day.weekday()] not in session.days:
        return False
    if session.frequency == "monthly" and session.weeks_of_month:
        return (day.day - 1) // 7 + 1 in session.weeks_of_month
    return True


def next_session(listing: Listing, now: datetime) -> NextSession | None:
    """The soonest session that has not yet finished at ``now`` (local time), if any."""
    best: NextSession | None = None
    today = now.date()
    clock_now = now.strftime("%H:%M")
    for offset in range(LOOKAHEAD_DAYS):
        day = today + timedelta(days=offset)
        if closed_for_holiday(listing, day):
            continue
        for session in listing.schedule:
            if not _meets_on(session, day):
                continue
            if offset == 0 and session.closes <= clock_now:
                continue
            found = NextSession(
                day=day,
                opens=session.opens,
                closes=session.closes,
                session=session,
                check=session.frequency == "fortnightly",
                running_now=offset == 0 and session.opens <= clock_now,
            )
            if best is None or (found.day, found.opens) < (best.day, best.opens):
                best = found
        if best is not None:
            return best
    return None


def describe_next(found: NextSession | None, now: datetime) -> str:
    """'Today, 10am to 12pm', 'Tomorrow, 2pm to 4pm', 'Thursday 3 December, 7pm to 9pm'."""
    if found is None:
        return ""
    hours = f"{clock(found.opens)} to {clock(found.closes)}"
    if found.running_now:
        return f"On now, until {clock(found.closes)}"
    today = now.date()
    if found.day == today:
        when = "Today"
    elif found.day == today + timedelta(days=1):
        when = "Tomorrow"
    elif found.day - today < timedelta(days=7):
        when = DAY_LONG[found.day.weekday()]
    else:
        when = f"{DAY_LONG[found.day.weekday()]} {found.day.day} {found.day:%B}"
    text = f"{when}, {hours}"
    if found.check:
        text += " (every other week: check the date)"
    return text


def describe_next_dated(found: NextSession | None, today: date | None = None) -> str:
    """'Tuesday 8 December, 2pm to 4pm': the next session with its real date, for text that
    may be read days later (the handout, a text message, an email), so never 'Tomorrow'.

    The year is added when it is not ``today``'s year ('Friday 1 January 2027, 10am to 12pm').
    """
    if found is None:
        return ""
    day = found.day
    when = f"{DAY_LONG[day.weekday()]} {day.day} {day:%B}"
    if today is not None and day.year != today.year:
        when += f" {day.year}"
    text = f"{when}, {clock(found.opens)} to {clock(found.closes)}"
    if found.check:
        text += " (every other week: check the date)"
    return text
