"""Value parsers: phone numbers, times, dates, email and web addresses, day names.

Each turns what a volunteer typed into the one form Signpost stores, or says exactly what to
write instead. Pure functions, no files and no network, so the import from Open Referral UK
and the help lines file use them too.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Sequence
from datetime import date
from typing import Any

import phonenumbers

from directory.problems import quote

TIME_PATTERN = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")
EMAIL_PATTERN = re.compile(r"^[^@\s]+@[^@\s]+\.[A-Za-z]{2,}$")
URL_PATTERN = re.compile(r"^https?://[^\s/]+\.[^\s/]+(/\S*)?$")
ISO_DATE_PATTERN = re.compile(r"^\d{4}-\d{2}-\d{2}$")

DAY_ALIASES = {
    "monday": "mon",
    "tuesday": "tue",
    "tues": "tue",
    "wednesday": "wed",
    "weds": "wed",
    "thursday": "thu",
    "thur": "thu",
    "thurs": "thu",
    "friday": "fri",
    "saturday": "sat",
    "sunday": "sun",
}


def nearest_word(text: str, options: Sequence[str]) -> str | None:
    """The closest of ``options`` to a misspelt word, for a 'Did you mean' hint."""
    matches = difflib.get_close_matches(str(text).lower(), list(options), n=1, cutoff=0.6)
    return matches[0] if matches else None


def options(values: Iterable[str]) -> str:
    """'a, b or c': a list of choices as a sentence says it."""
    values = list(values)
    if len(values) <= 1:
        return "".join(values)
    return ", ".join(values[:-1]) + " or " + values[-1]


def type_name(value: Any) -> str:
    """What a YAML value is, in a volunteer's words ('a list', 'a group of fields')."""
    if isinstance(value, bool):
        return "yes/no (true/false)"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a group of fields"
    if value is None:
        return "empty"
    return "text"


def suggest_time(raw: str) -> str | None:
    """Turn '9am', '9.30', '2:30 pm' or '930' into 'HH:MM', if it clearly means one time."""
    text = str(raw).strip().lower().replace(" ", "").replace(".", ":")
    if text in ("noon", "midday", "12noon"):
        return "12:00"
    match = re.match(r"^(\d{1,2})(?::?(\d{2}))?(am|pm)?$", text)
    if not match:
        return None
    hour, minute, half = int(match.group(1)), int(match.group(2) or 0), match.group(3)
    if half == "pm" and hour < 12:
        hour += 12
    if half == "am" and hour == 12:
        hour = 0
    if hour > 23 or minute > 59:
        return None
    return f"{hour:02d}:{minute:02d}"


def parse_date(raw: Any) -> tuple[date | None, str | None]:
    """A date from YYYY-MM-DD text, or a message saying exactly what to write instead."""
    if isinstance(raw, date):
        return raw, None
    text = str(raw).strip()
    if ISO_DATE_PATTERN.match(text):
        try:
            return date.fromisoformat(text), None
        except ValueError:
            year, month, day = (int(x) for x in text.split("-"))
            return None, _impossible_date(day, month, year)
    match = re.match(r"^(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{4})$", text)
    if match:
        day, month, year = (int(x) for x in match.groups())
        try:
            fixed = date(year, month, day)
        except ValueError:
            return None, _impossible_date(day, month, year)
        return None, (
            f"Write dates as YYYY-MM-DD (year first). For {quote(text)} write {fixed.isoformat()}."
        )
    return None, (
        f"{quote(text)} is not a date we understand. Write it as YYYY-MM-DD, like 2026-09-14."
    )


def _impossible_date(day: int, month: int, year: int) -> str:
    import calendar

    if 1 <= month <= 12:
        last = calendar.monthrange(year, month)[1] if year >= 1 else 31
        return (
            f"{day} {calendar.month_name[month]} {year} is not a real date "
            f"({calendar.month_name[month]} has {last} days). Check the day and write it "
            f"as YYYY-MM-DD."
        )
    return f"There is no month {month}. Write the date as YYYY-MM-DD, like 2026-09-14."


# Ofcom's numbers for drama and examples (fictional, never connected), allowed so that
# example listings and tests can use them: phonenumbers rightly calls most of them invalid.
_DRAMA_RANGES = (
    ("01632960", 3),  # 01632 960000 to 960999
    ("07700900", 3),
    ("02079460", 3),
    ("01134960", 3),
    ("01144960", 3),
    ("01154960", 3),
    ("01164960", 3),
    ("01174960", 3),
    ("01184960", 3),
    ("01214960", 3),
    ("01314960", 3),
    ("01414980", 3),
    ("01514960", 3),
    ("01614960", 3),
    ("01914980", 3),
    ("02896496", 3),
    ("02920180", 3),
    ("08081570", 3),
    ("09098790", 3),
    ("03069990", 3),
)


def _drama_number(digits: str) -> bool:
    return any(
        digits.startswith(prefix) and len(digits) == len(prefix) + tail
        for prefix, tail in _DRAMA_RANGES
    )


def phone_problem(raw: str) -> str | None:
    """Why a phone number is not a dialable UK number, or None if it is fine.

    Google's phonenumbers knows the UK numbering plan (``020 1234 567`` is a digit short,
    ``0999 999 9999`` is no range at all); short numbers such as 116 123 and 111 are allowed
    when phonenumbers knows them as UK short numbers; Ofcom's drama ranges are allowed too.
    """
    text = str(raw).strip()
    if re.search(r"[^\d\s()+\-]", text):
        return (
            f"{quote(text)} is not a phone number we can show. Write digits and spaces only, "
            'for example "01632 960123"; put any extra words in access.how_to_access.'
        )
    digits = re.sub(r"\D", "", text)
    if digits.startswith("44"):
        digits = "0" + digits[2:]
    if _drama_number(digits):
        return None
    try:
        parsed = phonenumbers.parse(digits, "GB")
    except phonenumbers.NumberParseException:
        parsed = None
    if parsed is not None and (
        phonenumbers.is_valid_number(parsed)
        or (len(digits) <= 6 and phonenumbers.is_valid_short_number(parsed))
    ):
        return None
    return (
        f"{quote(text)} does not look like a UK phone number: check the digits. Include the "
        'area code, for example "01632 960123" or "020 7946 0123", in quotes.'
    )
