"""A listing's schedule: the sessions, their days and 24-hour times, weekly or monthly.

Functions over a :class:`FieldChecker`, so problems land at the line of the day or time they
are about.
"""

from __future__ import annotations

from typing import Any

from directory import model
from directory.load import KeyPath
from directory.problems import quote
from directory.validation.fields import SESSION_FIELDS
from directory.validation.shapes import FieldChecker
from directory.validation.values import DAY_ALIASES, TIME_PATTERN, options, suggest_time


def check_schedule(checker: FieldChecker, value: Any) -> tuple[model.Session, ...]:
    """The sessions under ``schedule:``, each checked; none when the field is left out."""
    if value is None:
        return ()
    sessions = []
    for index, item in enumerate(checker.string_list(("schedule",), value)):
        session = check_session(checker, ("schedule", index), item)
        if session is not None:
            sessions.append(session)
    return tuple(sessions)


def check_session(checker: FieldChecker, keypath: KeyPath, value: Any) -> model.Session | None:
    """One session: its days, times, how often it runs and which weeks of the month."""
    if not checker.fields(keypath, value, SESSION_FIELDS, f"session {keypath[-1] + 1}"):
        return None
    days = []
    for index, item in enumerate(
        checker.string_list(keypath + ("days",), value.get("days"), required="days" in value)
    ):
        day_path = keypath + ("days", index)
        raw = str(checker.loaded.raw.get(day_path, item)).strip()
        if raw in model.DAYS:
            days.append(raw)
            continue
        short = DAY_ALIASES.get(raw.lower()) or (
            raw.lower()[:3] if raw.lower()[:3] in model.DAYS else None
        )
        hint = f" Write {short}." if short else f" Write one of: {options(model.DAYS)}."
        checker.problem(day_path, f"{quote(raw)} is not a day we understand.{hint}")
    opens = (
        check_time(checker, keypath + ("opens",), value.get("opens")) if "opens" in value else ""
    )
    closes = (
        check_time(checker, keypath + ("closes",), value.get("closes")) if "closes" in value else ""
    )
    if opens and closes and closes <= opens:
        checker.problem(
            keypath + ("closes",),
            f"The session closes ({closes}) before or when it opens ({opens}). Use the "
            '24-hour clock: 2pm is "14:00".',
        )
    frequency = "weekly"
    if value.get("frequency") is not None:
        frequency = (
            checker.choice(keypath + ("frequency",), value.get("frequency"), model.FREQUENCIES)
            or "weekly"
        )
    weeks = []
    for index, item in enumerate(
        checker.string_list(keypath + ("weeks_of_month",), value.get("weeks_of_month"))
    ):
        week = checker.integer(keypath + ("weeks_of_month", index), item, 1, 5)
        if week is not None:
            weeks.append(week)
    if frequency == "monthly" and not weeks:
        checker.problem(
            keypath,
            "A monthly session needs to say which week of the month, for example "
            "weeks_of_month: [1] for the first, or [1, 3] for the first and third.",
        )
    if weeks and frequency != "monthly":
        checker.problem(
            keypath + ("weeks_of_month",),
            "weeks_of_month only makes sense with frequency: monthly.",
        )
    notes = checker.text(keypath + ("notes",), value.get("notes"), required=False)
    return model.Session(
        tuple(dict.fromkeys(days)), opens, closes, frequency, tuple(sorted(set(weeks))), notes
    )


def check_time(checker: FieldChecker, keypath: KeyPath, value: Any) -> str:
    """A 24-hour "HH:MM" time, or "" and a message suggesting one ('9am' -> "09:00")."""
    name = str(keypath[-1])
    raw = str(checker.loaded.raw.get(keypath, value) if value is not None else "").strip()
    if TIME_PATTERN.match(raw):
        return raw
    fixed = suggest_time(raw)
    if fixed and fixed != raw:
        hint = f'Write "{fixed}" (24-hour clock, in quotes).'
    else:
        hint = 'Write 24-hour times in quotes, like "09:30" or "14:00".'
    shown = raw or "(empty)"
    checker.problem(keypath, f"{quote(shown)} is not a time we understand for {name}. {hint}")
    return ""
