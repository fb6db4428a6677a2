"""Urgent help: crisis topics and the help lines for each UK nation (``data/urgent-help.yaml``).

When a search says someone may be in crisis ("kill myself", "he hits me", "sleeping rough
tonight"), every answer shows these numbers before any result. The numbers live in a data file
that volunteers keep and check, not in code, and the file is validated like a listing: every
problem is reported as ``path:line:column: message`` with what to write instead, so a typo in
a helpline number is caught before it can reach someone who needs it.

Nothing here knows about searching or HTTP: ``search.crisis`` reads queries, ``views`` shows
panels.
"""

from __future__ import annotations

import calendar
import logging
import os
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Any

import phonenumbers

from directory.load import KeyPath, LoadedFile, load_file
from directory.problems import Problem
from directory.settings import data_file

log = logging.getLogger(__name__)

BUNDLED_URGENT_HELP = Path(__file__).resolve().parent.parent / "data" / "urgent-help.yaml"
FILE_NAME = "urgent-help.yaml"

# The four UK nations, in the order the urgent-help page lists them; labels match
# ``directory.places.Place.country``.
NATIONS: dict[str, str] = {
    "england": "England",
    "scotland": "Scotland",
    "wales": "Wales",
    "northern-ireland": "Northern Ireland",
}
UK_WIDE = "Anywhere in the UK"

# Short numbers are not ordinary phone numbers, so they are allowed by name: emergency (999,
# 112), NHS 111, the European helpline numbers (116 xxx) and the text services' short codes.
SHORT_NUMBERS = frozenset({"999", "112", "111", "116123", "116111", "116000", "85258", "81066"})

_ID = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
_PHONE_CHARACTERS = re.compile(r"^[0-9 ]+$")
TOP_FIELDS = ("last_reviewed", "reviewed_by", "topics", "lines")
TOPIC_FIELDS = ("id", "label", "advice", "needs", "words", "phrases", "misspellings")
LINE_FIELDS = (
    "id",
    "name",
    "call",
    "text",
    "text_word",
    "about",
    "hours",
    "nations",
    "topics",
    "source",
)


class UrgentHelpError(ValueError):
    """The urgent-help file cannot be used; the message lists every problem found."""


@dataclass(frozen=True)
class Topic:
    """A crisis a search can reveal, and the everyday words that reveal it."""

    id: str
    label: str
    advice: str
    needs: tuple[str, ...] = ()  # need ids whose services are searched too
    words: tuple[str, ...] = ()  # single words: matched as written or with one typo
    phrases: tuple[str, ...] = ()  # matched in any order, close together
    misspellings: tuple[str, ...] = ()  # matched as written


@dataclass(frozen=True)
class Line:
    """One help line: a number to call and/or to text, where it serves and what for."""

    id: str
    name: str
    about: str
    nations: tuple[str, ...]
    topics: tuple[str, ...]
    source: str
    call: str = ""
    text: str = ""
    text_word: str = ""
    hours: str = ""

    @property
    def call_link(self) -> str:
        return "tel:" + self.call.replace(" ", "") if self.call else ""

    @property
    def text_link(self) -> str:
        if not self.text:
            return ""
        body = f"?body={self.text_word}" if self.text_word else ""
        return "sms:" + self.text.replace(" ", "") + body

    @property
    def uk_wide(self) -> bool:
        return set(NATIONS) <= set(self.nations)


@dataclass(frozen=True)
class LineGroup:
    """Lines for one nation (or for all of the UK), as a page or an API lists them."""

    nation: str | None  # None: anywhere in the UK
    label: str
    lines: tuple[Line, ...]


@dataclass(frozen=True)
class UrgentPanel:
    """What to show first for a search that revealed a crisis."""

    topics: tuple[Topic, ...]
    nation: str | None  # the nation of the place searched; None shows every nation
    groups: tuple[LineGroup, ...]
    last_reviewed: date

    @property
    def nation_label(self) -> str | None:
        return NATIONS.get(self.nation or "")


@dataclass(frozen=True, eq=False)  # compared and hashed by identity, so it can key caches
class UrgentHelp:
    topics: dict[str, Topic]
    lines: tuple[Line, ...]
    last_reviewed: date
    reviewed_by: str = ""
    source: str = ""

    def groups(
        self, topic_ids: Iterable[str] | None = None, nation: str | None = None
    ) -> tuple[LineGroup, ...]:
        """Lines for the topics (all when None), UK-wide ones first, then by nation.

        With ``nation`` set, only that nation's own lines follow the UK-wide ones.
        """
        wanted = None if topic_ids is None else set(topic_ids)
        lines = [
            line for line in self.lines if wanted is None or not wanted.isdisjoint(line.topics)
        ]
        groups = [LineGroup(None, UK_WIDE, tuple(line for line in lines if line.uk_wide))]
        for nation_id, label in NATIONS.items():
            if nation is not None and nation_id != nation:
                continue
            own = tuple(line for line in lines if not line.uk_wide and nation_id in line.nations)
            groups.append(LineGroup(nation_id, label, own))
        return tuple(group for group in groups if group.lines)

    def panel(self, topic_ids: Iterable[str], country: str = "") -> UrgentPanel:
        """The panel for these topics near a place in ``country`` ("" shows every nation)."""
        ordered = [topic for topic_id, topic in self.topics.items() if topic_id in set(topic_ids)]
        nation = nation_for(country)
        return UrgentPanel(
            tuple(ordered), nation, self.groups([t.id for t in ordered], nation), self.last_reviewed
        )


def nation_for(country: str) -> str | None:
    """The nation id for a place's country, or None (not in the UK, or not known)."""
    wanted = (country or "").strip().lower()
    for nation_id, label in NATIONS.items():
        if label.lower() == wanted:
            return nation_id
    return None


def panel_dict(panel: UrgentPanel, page_url: str | None = None) -> dict[str, Any]:
    """The panel as JSON: the API's and ``signpost search --json``'s ``urgent`` object.

    ``page_url`` is the site's urgent-help page (every number), for ``links.html``.
    """
    found: dict[str, Any] = {
        "topics": [
            {"id": topic.id, "label": topic.label, "advice": topic.advice} for topic in panel.topics
        ],
        "nation": panel.nation,
        "nation_label": panel.nation_label,
        "groups": [
            {
                "nation": group.nation,
                "label": group.label,
                "lines": [line_dict(line) for line in group.lines],
            }
            for group in panel.groups
        ],
        "last_reviewed": panel.last_reviewed.isoformat(),
    }
    if page_url:
        found["links"] = {"html": page_url}
    return found


def line_dict(line: Line) -> dict[str, Any]:
    return {
        "id": line.id,
        "name": line.name,
        "call": line.call or None,
        "call_link": line.call_link or None,
        "text": line.text or None,
        "text_word": line.text_word or None,
        "text_link": line.text_link or None,
        "about": line.about,
        "hours": line.hours or None,
        "nations": list(line.nations),
        "source": line.source,
    }


# --------------------------------------------------------------------------- validation


def number_problem(raw: str, *, text: bool = False) -> str | None:
    """Why ``raw`` is not a number someone in the UK can dial or text, or None if it is."""
    example = '"0808 800 4444", "116 123" or "999"'
    if not _PHONE_CHARACTERS.match(raw) or not raw.strip():
        return f"'{raw}' is not a phone number. Write digits and spaces only, like {example}."
    digits = raw.replace(" ", "")
    if digits in SHORT_NUMBERS:
        return None
    if len(digits) <= 6:
        return (
            f"'{raw}' is not a short number Signpost knows ({', '.join(sorted(SHORT_NUMBERS))}). "
            "Check it against the source page; a new short number must be added to "
            "SHORT_NUMBERS in directory/urgent.py by a developer."
        )
    try:
        parsed = phonenumbers.parse(digits, "GB")
    except phonenumbers.NumberParseException:
        parsed = None
    if parsed is None or not phonenumbers.is_valid_number(parsed):
        return (
            f"'{raw}' is not a valid UK phone number. Check every digit against the source "
            f"page and write it like {example}."
        )
    if text and phonenumbers.number_type(parsed) != phonenumbers.PhoneNumberType.MOBILE:
        return f"'{raw}' cannot receive text messages. Text numbers are short codes or 07 numbers."
    return None


class _Checker:
    def __init__(self, loaded: LoadedFile, need_ids: Iterable[str] | None, today: date) -> None:
        self.loaded = loaded
        self.need_ids = None if need_ids is None else set(need_ids)
        self.today = today

    def problem(self, keypath: KeyPath, message: str, *, key: bool = False) -> None:
        self.loaded.problem(keypath, message, key=key)

    def unknown_fields(
        self, keypath: KeyPath, value: dict[str, Any], allowed: tuple[str, ...]
    ) -> None:
        for name in value:
            if name not in allowed:
                self.problem(
                    keypath + (name,),
                    f"Unknown field '{name}'. The fields here are: {', '.join(allowed)}.",
                    key=True,
                )

    def text(self, keypath: KeyPath, value: Any, *, required: bool = True) -> str:
        if value is None or (isinstance(value, str) and not value.strip()):
            if required:
                self.problem(keypath, f"'{keypath[-1]}' is missing or empty. Write it in words.")
            return ""
        if not isinstance(value, (str, int)) or isinstance(value, bool):
            self.problem(keypath, f"'{keypath[-1]}' must be text, written on one line.")
            return ""
        return " ".join(str(value).split())

    def strings(self, keypath: KeyPath, value: Any) -> tuple[str, ...]:
        if value is None:
            return ()
        if not isinstance(value, list):
            self.problem(keypath, f"'{keypath[-1]}' must be a list, like [one, two].")
            return ()
        found = []
        for index, item in enumerate(value):
            if not isinstance(item, str) or not item.strip():
                self.problem(keypath + (index,), "Each item must be words, in quotes if unsure.")
                continue
            found.append(" ".join(item.lower().split()))
        return tuple(dict.fromkeys(found))

    def ident(self, keypath: KeyPath, value: Any, seen: set[str]) -> str:
        if not isinstance(value, str) or not _ID.match(value):
            self.problem(keypath, "Each entry needs an 'id' of lowercase words and hyphens.")
            return ""
        if value in seen:
            self.problem(keypath, f"The id '{value}' is used twice. Give each entry its own id.")
            return ""
        seen.add(value)
        return value

    def last_reviewed(self, document: dict[str, Any]) -> date | None:
        from directory.validation import parse_date

        keypath: KeyPath = ("last_reviewed",)
        if document.get("last_reviewed") is None:
            self.problem(
                (),
                "'last_reviewed' is missing. After checking every number against its source, "
                "add a line like: last_reviewed: 2026-09-14",
            )
            return None
        raw = self.loaded.raw.get(keypath, document["last_reviewed"])
        parsed, message = parse_date(raw)
        if message or parsed is None:  # parse_date gives a date or a message
            self.problem(keypath, message or "")
            return None
        if parsed > self.today:
            self.problem(keypath, f"last_reviewed ({parsed.isoformat()}) is in the future.")
            return None
        return parsed

    def topic(self, index: int, value: Any, seen: set[str]) -> Topic | None:
        keypath: KeyPath = ("topics", index)
        if not isinstance(value, dict):
            self.problem(keypath, "Each topic must be a group of fields: id, label, advice, ...")
            return None
        self.unknown_fields(keypath, value, TOPIC_FIELDS)
        topic_id = self.ident(keypath + ("id",), value.get("id"), seen)
        needs = self.strings(keypath + ("needs",), value.get("needs"))
        if self.need_ids is not None:
            for position, need in enumerate(needs):
                if need not in self.need_ids:
                    self.problem(
                        keypath + ("needs", position),
                        f"'{need}' is not a need id. Use ids from docs/needs-ids.txt.",
                    )
        topic = Topic(
            id=topic_id,
            label=self.text(keypath + ("label",), value.get("label")),
            advice=self.text(keypath + ("advice",), value.get("advice")),
            needs=needs,
            words=self.strings(keypath + ("words",), value.get("words")),
            phrases=self.strings(keypath + ("phrases",), value.get("phrases")),
            misspellings=self.strings(keypath + ("misspellings",), value.get("misspellings")),
        )
        if not (topic.words or topic.phrases or topic.misspellings):
            self.problem(keypath, "This topic has no words or phrases, so no search can find it.")
        return topic if topic_id else None

    def number(self, keypath: KeyPath, value: Any, *, text: bool = False) -> str:
        if value is None:
            return ""
        raw = str(self.loaded.raw.get(keypath, value)).strip()
        message = number_problem(raw, text=text)
        if message:
            self.problem(keypath, message)
            return ""
        return " ".join(raw.split())

    def line(self, index: int, value: Any, seen: set[str], topics: set[str]) -> Line | None:
        keypath: KeyPath = ("lines", index)
        if not isinstance(value, dict):
            self.problem(keypath, "Each line must be a group of fields: id, name, call, ...")
            return None
        self.unknown_fields(keypath, value, LINE_FIELDS)
        line_id = self.ident(keypath + ("id",), value.get("id"), seen)
        call = self.number(keypath + ("call",), value.get("call"))
        text = self.number(keypath + ("text",), value.get("text"), text=True)
        if value.get("call") is None and value.get("text") is None:
            self.problem(keypath, "Give a 'call' number, a 'text' number or both.")
        text_word = self.text(keypath + ("text_word",), value.get("text_word"), required=False)
        if value.get("text") is not None and not text_word:
            self.problem(keypath, "A 'text' number needs 'text_word': the word to send.")
        nations = self.strings(keypath + ("nations",), value.get("nations"))
        if not nations:
            self.problem(keypath, f"Say which nations it serves: {', '.join(NATIONS)}.")
        for position, nation in enumerate(nations):
            if nation not in NATIONS:
                self.problem(
                    keypath + ("nations", position),
                    f"'{nation}' is not a nation. Use: {', '.join(NATIONS)}.",
                )
        line_topics = self.strings(keypath + ("topics",), value.get("topics"))
        if not line_topics:
            self.problem(keypath, "Say which topics it helps with, like [suicide].")
        for position, topic in enumerate(line_topics):
            if topic not in topics:
                self.problem(
                    keypath + ("topics", position),
                    f"'{topic}' is not one of the topics above: {', '.join(sorted(topics))}.",
                )
        source = self.text(keypath + ("source",), value.get("source"), required=False)
        if not source:
            self.problem(
                keypath,
                "'source' is missing. Add the web page the number was checked on, like "
                "source: https://www.samaritans.org/",
            )
        elif not source.startswith("https://"):
            self.problem(keypath + ("source",), "'source' must be a web address (https://...).")
        line = Line(
            id=line_id,
            name=self.text(keypath + ("name",), value.get("name")),
            about=self.text(keypath + ("about",), value.get("about")),
            nations=tuple(n for n in nations if n in NATIONS),
            topics=tuple(t for t in line_topics if t in topics),
            source=source,
            call=call,
            text=text,
            text_word=text_word,
            hours=self.text(keypath + ("hours",), value.get("hours"), required=False),
        )
        return line if line_id else None

    def check(self) -> UrgentHelp | None:
        document = self.loaded.data
        if not isinstance(document, dict):
            self.problem((), "Expected 'last_reviewed:', 'topics:' and 'lines:' at the top.")
            return None
        self.unknown_fields((), document, TOP_FIELDS)
        reviewed = self.last_reviewed(document)
        topics: dict[str, Topic] = {}
        raw_topics = document.get("topics")
        if not isinstance(raw_topics, list) or not raw_topics:
            self.problem(("topics",), "'topics:' must be a list of crisis topics.")
            raw_topics = []
        seen: set[str] = set()
        for index, value in enumerate(raw_topics):
            topic = self.topic(index, value, seen)
            if topic is not None:
                topics[topic.id] = topic
        lines: list[Line] = []
        raw_lines = document.get("lines")
        if not isinstance(raw_lines, list) or not raw_lines:
            self.problem(("lines",), "'lines:' must be a list of help lines.")
            raw_lines = []
        seen = set()
        for index, value in enumerate(raw_lines):
            line = self.line(index, value, seen, set(topics))
            if line is not None:
                lines.append(line)
        positions = {
            value.get("id"): i for i, value in enumerate(raw_topics) if isinstance(value, dict)
        }
        for topic in topics.values():
            for nation, label in NATIONS.items():
                if not any(topic.id in item.topics and nation in item.nations for item in lines):
                    self.problem(
                        ("topics", positions.get(topic.id, 0), "id"),
                        f"No line helps with '{topic.id}' in {label}. Add one to its 'topics'.",
                    )
        if self.loaded.problems or reviewed is None:
            return None
        reviewed_by = self.text(("reviewed_by",), document.get("reviewed_by"), required=False)
        return UrgentHelp(topics, tuple(lines), reviewed, reviewed_by, self.loaded.path)


def check_urgent_help(
    path: str | os.PathLike[str],
    need_ids: Iterable[str] | None = None,
    today: date | None = None,
) -> tuple[UrgentHelp | None, list[Problem]]:
    """Read and check an urgent-help file: the data, or None and every problem found."""
    loaded = load_file(path)
    if loaded.problems:
        return None, sorted(loaded.problems)
    found = _Checker(loaded, need_ids, today or date.today()).check()
    return found, sorted(loaded.problems)


REVIEW_MONTHS = 6  # helpline numbers and hours change: check them at least this often


def review_due(found: UrgentHelp, today: date, months: int = REVIEW_MONTHS) -> str | None:
    """A reminder when the numbers were last checked more than ``months`` ago, else None.

    Not a validation error: an old check does not make a number wrong, and the panel must
    keep showing. ``signpost validate`` prints it so volunteers see it in every run.
    """
    checked = found.last_reviewed
    more_years, month = divmod(checked.month - 1 + months, 12)
    year = checked.year + more_years
    day = min(checked.day, calendar.monthrange(year, month + 1)[1])  # 31 August -> 28 February
    if today < date(year, month + 1, day):
        return None
    return (
        f"{found.source}: the urgent help numbers were last checked on "
        f"{found.last_reviewed.isoformat()}. Check each one against its source page, then "
        "update last_reviewed."
    )


def urgent_help_path(data_dir: str | os.PathLike[str] | None) -> Path:
    """A data folder may bring its own urgent-help.yaml; otherwise the bundled one is used."""
    return data_file(data_dir, FILE_NAME, BUNDLED_URGENT_HELP)


def load_urgent_help(path: str | os.PathLike[str] | None = None) -> UrgentHelp:
    """The checked file (cached until it changes); raises UrgentHelpError listing problems."""
    path = Path(path) if path is not None else BUNDLED_URGENT_HELP
    stat = path.stat()
    return _load_cached(str(path), stat.st_mtime_ns, stat.st_size)


@lru_cache(maxsize=8)
def _load_cached(path: str, _mtime: int, _size: int) -> UrgentHelp:
    found, problems = check_urgent_help(path)
    if found is None:
        raise UrgentHelpError("\n".join(str(problem) for problem in problems))
    return found


_last_good: dict[Path, UrgentHelp] = {}


def current_urgent_help(data_dir: str | os.PathLike[str] | None) -> UrgentHelp:
    """The data folder's urgent help, as last read without problems.

    Crisis numbers must never disappear, and searches must never fail, because an edit broke
    the file on a running server: the problem is logged (``signpost validate`` reports it
    too) and the numbers last read from that file are shown meanwhile; a data folder's file
    that was never readable gives way to the bundled one. Only a bundled file that was never
    readable raises (the tests and ``signpost validate`` stop that being deployed).
    """
    path = urgent_help_path(data_dir)
    try:
        found = load_urgent_help(path)
    except (OSError, UrgentHelpError) as error:
        if path in _last_good:
            log.error("Urgent help file %s is unusable; showing it as last read: %s", path, error)
            return _last_good[path]
        if path == BUNDLED_URGENT_HELP:
            raise
        log.error("Urgent help file %s is unusable; showing the bundled one: %s", path, error)
        return current_urgent_help(None)
    _last_good[path] = found
    return found
