"""Where the shortlist is kept: one browser-session cookie that lasts one consultation.

The list is made on a practice computer that the next patient will sit at, and it may name
sensitive services (debt advice, a domestic abuse line). So it never outlives its moment:

- the cookie has no expiry date, so the browser forgets it when it is closed;
- its value starts with the time the list began (``1764500000:margate-mens-shed.other``), and
  the server clears a list older than ``SIGNPOST_SHORTLIST_MAX_MINUTES`` (default 60), even if
  the browser is left open all day. Adding to an old list starts a new one: it is never
  silently extended;
- it holds only listing ids: no names, no notes, nothing that says who made it.

A list without a start time (made before this rule) counts as old. A start time in the
future (a changed clock) counts as old too, so a list cannot be made to last for ever.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask import Flask, Response, g, request
from werkzeug.wrappers import Response as BaseResponse

from directory.listing_files import ID_PATTERN, MAX_ID_LENGTH
from views.common import now, settings

COOKIE = "shortlist"
MAX_ITEMS = 20
CLOCK_SLACK_SECONDS = 120  # a start time this far ahead of the server's clock is still fine


def parse_ids(raw: str | None, separators: str = ".,") -> list[str]:
    """Listing ids from a cookie or ``?ids=``: well-formed, unique, at most MAX_ITEMS."""
    if not raw:
        return []
    text = raw
    for sep in separators[1:]:
        text = text.replace(sep, separators[0])
    found: list[str] = []
    for part in text.split(separators[0]):
        part = part.strip().lower()
        if ID_PATTERN.match(part) and len(part) <= MAX_ID_LENGTH and part not in found:
            found.append(part)
    return found[:MAX_ITEMS]


def max_minutes_setting(app: Flask | None = None) -> int:
    """``SIGNPOST_SHORTLIST_MAX_MINUTES``: how long a list may last, 1 to 1440 minutes."""
    return settings(app).site.shortlist_max_minutes


def max_minutes() -> int:
    return max_minutes_setting()


@dataclass(frozen=True)
class Stored:
    """The list in this browser's cookie: its ids and when it began (Unix seconds)."""

    ids: list[str]
    started: int | None
    expired: bool = False  # there was a list, but it is too old: it must be cleared


def parse_cookie(raw: str | None, now_seconds: int, limit_seconds: int) -> Stored:
    """Read ``<started>:<id>.<id>``; a list past ``limit_seconds`` comes back empty, expired."""
    if not raw:
        return Stored([], None)
    started_text, sep, ids_text = raw.partition(":")
    if not sep or not started_text.isdigit():
        return Stored([], None, expired=True)  # no start time: an old-style or forged list
    started = int(started_text)
    age = now_seconds - started
    if age > limit_seconds or age < -CLOCK_SLACK_SECONDS:
        return Stored([], None, expired=True)
    return Stored(parse_ids(ids_text), started)


def cookie_value(ids: list[str], started: int) -> str:
    return f"{started}:{'.'.join(ids[:MAX_ITEMS])}"


def _now_seconds() -> int:
    return int(now().timestamp())


def stored() -> Stored:
    """This request's list, read once; an expired one is deleted when the response goes."""
    found: Stored | None = g.get("signpost_shortlist")
    if found is None:
        found = parse_cookie(request.cookies.get(COOKIE), _now_seconds(), max_minutes() * 60)
        g.signpost_shortlist = found
    return found


def cookie_ids() -> list[str]:
    return stored().ids


def store(response: BaseResponse, ids: list[str], *, new: bool = False) -> BaseResponse:
    """Save ``ids`` as the list (keeping its start time unless ``new``), or delete it."""
    if ids:
        current = stored()
        started = current.started if current.started is not None and not new else None
        response.set_cookie(
            COOKIE,
            cookie_value(ids, started if started is not None else _now_seconds()),
            httponly=True,  # no max_age: a browser-session cookie
            samesite="Lax",
            secure=request.is_secure,
            path="/",
        )
    else:
        response.delete_cookie(COOKIE, path="/", samesite="Lax", httponly=True)
    g.signpost_shortlist_saved = True
    return response


def clear_expired(response: Response) -> Response:
    """After any request that found an old list: delete it, unless the view saved a new one."""
    found = g.get("signpost_shortlist")
    if found is not None and found.expired and not g.get("signpost_shortlist_saved"):
        response.delete_cookie(COOKIE, path="/", samesite="Lax", httponly=True)
    return response


def clears_at() -> datetime | None:
    """When (UK time) this browser's list will be cleared, or None without a list."""
    current = stored()
    if current.started is None or not current.ids:
        return None
    moment = now()
    return datetime.fromtimestamp(current.started + max_minutes() * 60, tz=moment.tzinfo)


def describe_minutes(minutes: int) -> str:
    """60 -> '1 hour', 90 -> '90 minutes', 120 -> '2 hours', 1 -> '1 minute'."""
    if minutes % 60 == 0:
        hours = minutes // 60
        return "1 hour" if hours == 1 else f"{hours} hours"
    return "1 minute" if minutes == 1 else f"{minutes} minutes"
