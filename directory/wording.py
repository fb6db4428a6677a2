"""Listings in plain words: "Every Tuesday, 10am to 12pm", "Free", "You can refer yourself".

The site, the printable handout and the plain-text shortlist all describe services the same
way, so the wording lives here, once, as pure functions.
"""

from __future__ import annotations

from directory.model import DAY_NAMES, ROUTE_LABELS, Cost, Listing, Session

_ORDINALS = {1: "first", 2: "second", 3: "third", 4: "fourth", 5: "fifth"}


def clock(hhmm: str) -> str:
    """'09:30' -> '9:30am', '12:00' -> '12pm', '14:00' -> '2pm'."""
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
    return [ROUTE_LABELS[route] for route in listing.access.routes]
