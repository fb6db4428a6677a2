"""When does a service next meet? Pure date arithmetic over a listing's sessions.

A link worker's first question after "what is it" is "when can they go": results, the
handout and the API all show the next session, worked out here once. Fortnightly sessions
do not say which week they run, so their next date is marked as one to check.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from directory.model import DAYS, Listing, Session
from directory.wording import clock

LOOKAHEAD_DAYS = 62  # far enough to reach the next "first Tuesday of the month"


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


def at(day: date, hhmm: str) -> datetime:
    """A naive local datetime, for tests and examples."""
    hour, minute = (int(part) for part in hhmm.split(":"))
    return datetime.combine(day, time(hour, minute))
