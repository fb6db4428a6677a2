"""Listings in plain words: "Every Tuesday, 10am to 12pm", "Free", "You can refer yourself".

The site, the printable handout and the plain-text shortlist all describe services the same
way, so the wording lives here, once, as pure functions.
"""

from __future__ import annotations

from datetime import date
from functools import lru_cache

from directory.model import DAY_NAMES, ROUTE_LABELS, Cost, Listing, Session, WhoFor

_ORDINALS = {1: "first", 2: "second", 3: "third", 4: "fourth", 5: "fifth"}


@lru_cache(maxsize=1024)
def clock(hhmm: str) -> str:
    """'09:30' -> '9:30am', '12:00' -> '12pm', '14:00' -> '2pm' (kept: a results page says
    the times of every session of every card, and a week has few distinct times)."""
    hour, minute = (int(part) for part in hhmm.split(":"))
    suffix = "am" if hour < 12 else "pm"
    hour12 = hour % 12 or 12
    return f"{hour12}{suffix}" if minute == 0 else f"{hour12}:{minute:02d}{suffix}"


def _join(words: list[str]) -> str:
    if len(words) <= 1:
        return "".join(words)
    return ", ".join(words[:-1]) + " and " + words[-1]


def describe_session(session: Session) -> str:
    """One session in words, e.g. 'First and third Wednesday of the month, 2pm to 4pm'."""
    plural = [DAY_NAMES[day] + "s" for day in session.days]
    single = [DAY_NAMES[day] for day in session.days]
    if session.frequency == "monthly" and session.weeks_of_month:
        weeks = _join([_ORDINALS[w] for w in session.weeks_of_month])
        when = f"{weeks.capitalize()} {_join(single)} of the month"
    elif session.frequency == "fortnightly":
        when = f"Every other {_join(single)}"
    else:
        when = f"Every {_join(single)}" if len(single) == 1 else _join(plural)
    return f"{when}, {clock(session.opens)} to {clock(session.closes)}"


def describe_cost(cost: Cost) -> str:
    if cost.free:
        return "Free"
    return cost.amount


def describe_routes(listing: Listing) -> list[str]:
    """Each way to start, in words. "Needs a referral" only when it is the only way: beside
    "You can refer yourself" it would contradict it, so it reads "... can also refer you"."""
    routes = listing.access.routes
    return [
        REFERRAL_ALSO
        if route == "professional-referral" and len(routes) > 1
        else ROUTE_LABELS[route]
        for route in routes
    ]


REFERRAL_ALSO = "A GP, link worker or other professional can also refer you"


# ---- Results, service pages and the handout ------------------------------------------------
# Short, plain words (reading age 9 to 11) for the parts of a listing that people scan.

ROUTE_SHORT = {
    "self-referral": "Refer yourself",
    "professional-referral": "GP or link worker referral",
    "drop-in": "Drop in",
}
DELIVERY_LABELS = {"in-person": "In person", "online": "Online", "phone": "By phone"}
_MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


def describe_distance(distance_miles: float | None, listing: Listing) -> str:
    """'0.4 miles away', '1 mile away', 'Online or phone', 'National': how far, in words.

    A listing with no distance is either remote (no venue to travel to) or was found
    without a place, in which case there is nothing to say about distance.
    """
    if distance_miles is not None:
        if distance_miles < 0.1:
            return "Less than 0.1 miles away"
        if distance_miles < 10:
            value = f"{distance_miles:.1f}".rstrip("0").rstrip(".")
        else:
            value = f"{distance_miles:.0f}"
        return f"{value} mile away" if value == "1" else f"{value} miles away"
    if listing.national:
        return "National"
    if listing.remote and not listing.locations:
        return describe_remote(listing)
    return ""


def describe_remote(listing: Listing) -> str:
    """'Online', 'By phone' or 'Online or phone': how to join without travelling."""
    online = "online" in listing.delivery
    phone = "phone" in listing.delivery
    if online and phone:
        return "Online or phone"
    if online:
        return "Online"
    if phone:
        return "By phone"
    return ""


def describe_delivery(listing: Listing) -> str:
    """'In person, online and by phone': every way the service is run."""
    return _join([DELIVERY_LABELS[way] for way in listing.delivery]).capitalize()


def month_year(day: date) -> str:
    """'October 2026': a month is as exact as a patient needs about a check."""
    return f"{_MONTHS[day.month - 1]} {day.year}"


def describe_reviewed(reviewed: date) -> str:
    """'Checked November 2026': how fresh a listing is, without a day nobody needs."""
    return f"Checked {month_year(reviewed)}"


def describe_date(day: date) -> str:
    """'14 September 2026'."""
    return f"{day.day} {_MONTHS[day.month - 1]} {day.year}"


def describe_routes_short(listing: Listing) -> list[str]:
    """'Refer yourself', 'Drop in': the access routes as short labels for results."""
    return [ROUTE_SHORT[route] for route in listing.access.routes]


def describe_ages(who_for: WhoFor) -> str:
    """'Ages 18 and over', 'Ages 11 to 25', 'Up to age 16', or '' when open to all ages."""
    low, high = who_for.age_min, who_for.age_max
    if low is not None and high is not None:
        return f"Ages {low} to {high}"
    if low is not None:
        return f"Ages {low} and over"
    if high is not None:
        return f"Up to age {high}"
    return ""


def describe_schedule(listing: Listing) -> list[str]:
    """Every session in words, with its notes: 'Every Tuesday, 10am to 12pm. Not in August.'"""
    lines = []
    for session in listing.schedule:
        line = describe_session(session)
        if session.notes:
            line += ". " + session.notes.rstrip(".") + "."
        lines.append(line)
    return lines


def describe_cost_in_full(cost: Cost) -> str:
    """'£2 a session. Tea and coffee included.': the cost with its details, as a sentence."""
    words = describe_cost(cost)
    if cost.details:
        words = f"{words.rstrip('.')}. {cost.details}"
    return words
