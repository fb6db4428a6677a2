"""The shortlist in words that will be read later: a letter or email, a text message.

A handout, a text or an email is read days after the consultation, so nothing here says
"Today", "Tomorrow" or "On now": every session has its real date ("Tuesday 8 December, 2pm
to 4pm"), and every service says when it was last checked, with a warning to phone first
when that was too long ago. Pure functions over :class:`Entry` values the view builds.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from urllib.parse import quote

from directory import wording
from directory.model import Listing
from directory.schedule import DAY_LONG, NextSession, describe_next_dated, next_session
from directory.sms import Segments, plain_gsm, segments
from directory.stale import checked_text, stale_warning
from directory.wording import clock

TITLE = "Groups and services that may help you"
SMS_TITLE = "Groups that may help you:"
SMS_MAX_PARTS = 3


@dataclass(frozen=True)
class Entry:
    """One service on the list, with everything a message about it says."""

    listing: Listing
    url: str  # its page on this site
    short_url: str  # a short link to the same page, for text messages
    upcoming: NextSession | None
    next_when: str  # "Tuesday 8 December, 2pm to 4pm" (empty when it does not meet)
    checked: str  # "Checked October 2026"
    warning: str | None  # "Not checked since August 2024: phone before you go"


# Crockford's base 32: no i, l, o or u, so a code copied from paper cannot be misread.
CODE_ALPHABET = "0123456789abcdefghjkmnpqrstvwxyz"
CODE_READS = str.maketrans({"i": "1", "l": "1", "o": "0"})


def short_code(listing_id: str) -> str:
    """A stable 8-character code for a listing's short link (``/s/<code>``)."""
    number = int.from_bytes(hashlib.blake2b(listing_id.encode(), digest_size=5).digest(), "big")
    return "".join(CODE_ALPHABET[(number >> shift) & 31] for shift in range(35, -1, -5))


def normal_code(code: str) -> str:
    """A code as typed ('3K9X-2ABQ', with an O for a 0) as :func:`short_code` writes it."""
    return code.strip().lower().replace("-", "").translate(CODE_READS)


def make_entry(
    listing: Listing, moment: datetime, stale_months: int, url: str, short_url: str
) -> Entry:
    upcoming = next_session(listing, moment) if listing.status == "active" else None
    return Entry(
        listing=listing,
        url=url,
        short_url=short_url,
        upcoming=upcoming,
        next_when=describe_next_dated(upcoming, moment.date()),
        checked=checked_text(listing.last_reviewed),
        warning=stale_warning(listing.last_reviewed, moment.date(), stale_months),
    )


def brief(text: str, limit: int = 240) -> str:
    """The first sentences of ``text`` that fit in ``limit`` characters, for the handout: the
    whole description is one scan away (QR code), and a page is only so long."""
    words = " ".join(text.split())
    if len(words) <= limit:
        return words
    cut = words[:limit]
    end = max(cut.rfind(". "), cut.rfind("! "), cut.rfind("? "))
    if end >= limit // 3:
        return cut[: end + 1]
    return cut[: cut.rfind(" ")].rstrip(",;:") + "..."


def bank_holiday_words(listing: Listing) -> str:
    """'No sessions on bank holidays.' unless the session notes already say so."""
    if listing.bank_holidays != "closed":
        return ""
    if any("bank holiday" in session.notes.lower() for session in listing.schedule):
        return ""
    return "No sessions on bank holidays."


def when_lines(listing: Listing) -> list[str]:
    """Every session in words; 'No sessions on bank holidays.' ends the last one if needed."""
    lines = wording.describe_schedule(listing)
    extra = bank_holiday_words(listing)
    if extra and lines:
        lines[-1] = f"{lines[-1].rstrip('.')}. {extra}"
    return lines


def where_lines(listing: Listing) -> list[str]:
    lines = [f"{loc.name}, {loc.address}, {loc.postcode}" for loc in listing.locations]
    if not lines and wording.describe_remote(listing):
        lines.append(wording.describe_remote(listing))
    return lines


def how_to_start(listing: Listing) -> str:
    start = ". ".join(wording.describe_routes(listing))
    return f"{start}. {listing.access.how_to_access}".strip()


def how_to_start_short(listing: Listing) -> str:
    """'Refer yourself or drop in. A GP or link worker can also refer you. Just come along.':
    the handout's shorter version of the ways to start, then the listing's own words."""
    routes = listing.access.routes
    direct = [SELF_START[route] for route in routes if route in SELF_START]
    words = " or ".join(direct)
    words = words[:1].upper() + words[1:] + "." if words else ""
    if "professional-referral" in routes:
        words += (
            " A GP or link worker can also refer you."
            if direct
            else "Needs a referral from a GP, link worker or other professional."
        )
    return f"{words.strip()} {listing.access.how_to_access}".strip()


SELF_START = {"self-referral": "refer yourself", "drop-in": "drop in"}


def contact_line(listing: Listing) -> str:
    """'01632 960001, shed@example.org': the ways to get in touch, for a record."""
    contact = listing.contact
    return ", ".join(part for part in (contact.phone, contact.email, contact.website) if part)


def plain_text(entries: Iterable[Entry], made: date) -> str:
    """The list for an email or a letter: every fact, dated, nothing relative."""
    lines = [TITLE, f"Made on {wording.describe_date(made)}", ""]
    for number, entry in enumerate(entries, start=1):
        listing = entry.listing
        lines.append(f"{number}. {listing.name}")
        lines.append(f"Run by: {listing.organisation}")
        lines.append(f"What it is: {' '.join(listing.description.split())}")
        if listing.status == "paused":
            lines.append("This service is paused for now. Phone to check when it starts again.")
        for when in when_lines(listing):
            lines.append(f"When: {when}")
        if entry.next_when:
            lines.append(f"Next time: {entry.next_when}")
        for where in where_lines(listing):
            lines.append(f"Where: {where}")
        lines.append(f"Cost: {wording.describe_cost_in_full(listing.cost)}")
        lines.append(f"How to start: {how_to_start(listing)}")
        if listing.contact.phone:
            lines.append(f"Phone: {listing.contact.phone}")
        if listing.contact.email:
            lines.append(f"Email: {listing.contact.email}")
        if listing.contact.website:
            lines.append(f"Website: {listing.contact.website}")
        lines.append(entry.warning or entry.checked)
        lines.append(f"More details: {entry.url}")
        lines.append("")
    return "\n".join(lines).strip() + "\n"


def sms_when(found: NextSession | None) -> str:
    """'Tue 8 Dec 2pm-4pm': the next session, dated and short enough for a text message."""
    if found is None:
        return ""
    day = found.day
    text = f"{DAY_LONG[day.weekday()][:3]} {day.day} {day:%b} {clock(found.opens)}-"
    text += clock(found.closes)
    return text + " (check week)" if found.check else text


def sms_checked(entry: Entry) -> str:
    """'Checked Oct 2026', or 'Not checked since Aug 2024, phone first'."""
    reviewed = entry.listing.last_reviewed
    month = f"{reviewed:%b} {reviewed.year}"
    return f"Not checked since {month}, phone first" if entry.warning else f"Checked {month}"


def sms_text(entries: Iterable[Entry]) -> str:
    """A short text message: for each service its name, next date and time, phone, when it
    was checked and a short link. Three services fit in three GSM-7 parts (459 characters).

    When long names push three services past three parts, the least needed words go first:
    the title, then "Checked ..." for listings that are not out of date (a warning to phone
    first always stays).
    """
    entries = list(entries)
    text = ""
    for title, fresh_checked in ((True, True), (False, True), (False, False)):
        text = _sms(entries, title=title, fresh_checked=fresh_checked)
        if segments(text).parts <= max(SMS_MAX_PARTS, len(entries)):
            break
    return text


def _sms(entries: list[Entry], *, title: bool, fresh_checked: bool) -> str:
    lines = [SMS_TITLE] if title else []
    for number, entry in enumerate(entries, start=1):
        listing = entry.listing
        parts = [f"{number}. {listing.name}"]
        when = sms_when(entry.upcoming)
        if when:
            parts.append(when)
        if listing.contact.phone:
            parts.append(listing.contact.phone)
        if fresh_checked or entry.warning:
            parts.append(sms_checked(entry))
        lines.append(". ".join(parts) + ". " + entry.short_url)
    return plain_gsm("\n".join(lines))


def sms_segments(text: str) -> Segments:
    return segments(text)


def describe_segments(found: Segments) -> str:
    """'2 text message parts (290 characters)': what sending it costs, for the link worker."""
    parts = "1 text message part" if found.parts == 1 else f"{found.parts} text message parts"
    words = f"{parts} ({found.units} characters)"
    if found.encoding == "UCS-2":
        words += ". It has a character that makes each part shorter"
    return words


def mailto(body: str, subject: str = TITLE) -> str:
    """A ``mailto:`` link with the list in the body: the person's own mail app sends it."""
    return f"mailto:?subject={quote(subject)}&body={quote(body)}"
