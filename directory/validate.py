"""Listing rules, each a small function that explains a problem in a volunteer's words.

Every problem is reported (not just the first), each as ``path:line:column: message`` with
what to write instead. Validation is offline and side-effect free: it never saves anything,
never calls the network, and only builds :class:`Listing` objects for files that pass.
"""

from __future__ import annotations

import difflib
import os
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, Protocol

import phonenumbers

from directory import model
from directory.geocode import is_northern_ireland, likely_postcode, normalise_postcode
from directory.languages import language_code
from directory.listing_files import ID_PATTERN, MAX_ID_LENGTH, discover
from directory.load import KeyPath, LoadedFile, display_path, load_file
from directory.model import Listing
from directory.problems import Problem, escape_text, quote
from directory.vocabulary import Vocabulary

TIME_PATTERN = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")
EMAIL_PATTERN = re.compile(r"^[^@\s]+@[^@\s]+\.[A-Za-z]{2,}$")
URL_PATTERN = re.compile(r"^https?://[^\s/]+\.[^\s/]+(/\S*)?$")
ISO_DATE_PATTERN = re.compile(r"^\d{4}-\d{2}-\d{2}$")

MAX_NEEDS = 8

TOP_FIELDS = {
    "name": True,
    "organisation": True,
    "description": True,
    "status": True,
    "needs": True,
    "who_for": False,
    "access": True,
    "cost": True,
    "contact": True,
    "delivery": False,
    "national": False,
    "locations": False,
    "schedule": False,
    "languages": False,
    "bank_holidays": False,
    "areas_served": False,
    "last_reviewed": True,
    "reviewed_by": True,
}
WHO_FOR_FIELDS = {"age_min": False, "age_max": False, "groups": False, "eligibility": False}
ACCESS_FIELDS = {"routes": True, "how_to_access": True, "booking_required": False}
COST_FIELDS = {"free": True, "amount": False, "details": False}
CONTACT_FIELDS = {"phone": False, "email": False, "website": False}
LOCATION_FIELDS = {
    "name": True,
    "address": True,
    "postcode": True,
    "lat": False,
    "lon": False,
    "accessibility": False,
    "transport": False,
}
SESSION_FIELDS = {
    "days": True,
    "opens": True,
    "closes": True,
    "frequency": False,
    "weeks_of_month": False,
    "notes": False,
}

# What to write, shown when a field is missing or wrong.
EXAMPLES = {
    "name": "name: Margate Men's Shed",
    "organisation": "organisation: Thanet Community Sheds CIC",
    "description": "description: A friendly workshop where people make and mend things together.",
    "status": "status: active",
    "needs": "needs: [loneliness, arts-and-crafts]",
    "who_for": "who_for:\n    age_min: 18",
    "access": "access:\n    routes: [self-referral]\n    how_to_access: Ring us for a chat.",
    "routes": "routes: [self-referral, drop-in]",
    "how_to_access": "how_to_access: Just turn up, or ring Dave first for a chat.",
    "cost": "cost:\n    free: true",
    "free": "free: true",
    "amount": 'amount: "£2 a session"',
    "contact": 'contact:\n    phone: "01632 960001"',
    "last_reviewed": "last_reviewed: 2026-09-14",
    "reviewed_by": "reviewed_by: Thanet Link Worker Team",
    "locations": (
        "locations:\n  - name: The Old Forge\n    address: 12 Example Street, Margate\n"
        "    postcode: CT9 1EP"
    ),
    "days": "days: [tue, thu]",
    "opens": 'opens: "10:00"',
    "closes": 'closes: "12:00"',
    "postcode": "postcode: CT9 1EP",
    "address": "address: 12 Example Street, Margate",
}

TEXT_LIMITS = {
    "name": (3, 120),
    "organisation": (2, 160),
    "description": (20, 2000),
    "reviewed_by": (2, 160),
    "how_to_access": (5, 1000),
    "eligibility": (0, 1000),
    "amount": (1, 200),
    "details": (0, 1000),
    "address": (5, 300),
    "transport": (0, 1000),
    "notes": (0, 500),
}

_DAY_ALIASES = {
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


class PostcodeLookup(Protocol):
    """Anything that can say whether a postcode exists (the offline gazetteer)."""

    def lookup_postcode(self, postcode: str) -> Any: ...


@dataclass
class Report:
    """The outcome of validating files: good listings and every problem, in file order."""

    listings: list[Listing] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    files: int = 0

    @property
    def ok(self) -> bool:
        return not self.problems

    def invalid_files(self) -> list[str]:
        return sorted({problem.path for problem in self.problems})


# --------------------------------------------------------------------------- files


def find_listing_files(paths: Iterable[str | os.PathLike[str]]) -> tuple[list[Path], list[str]]:
    """Listing files under ``paths`` (folders are searched recursively), and missing paths.

    Links that leave the folder and ``*.YAML`` files are left out; ``validate_paths`` says
    why (see directory/listing_files.py).
    """
    found = discover(paths)
    return found.files, found.missing


def validate_paths(
    paths: Iterable[str | os.PathLike[str]],
    vocab: Vocabulary,
    *,
    gazetteer: PostcodeLookup | None = None,
    today: date | None = None,
) -> Report:
    """Validate every listing file under ``paths``, including ids that clash across files."""
    found = discover(paths)
    files, missing = found.files, found.missing
    report = Report(files=len(files))
    report.problems.extend(found.problems)
    for raw in missing:
        report.problems.append(
            Problem(raw, 1, 1, "No such file or folder. Check the path and try again.")
        )
    first_by_id: dict[str, str] = {}
    for path in files:
        listing, problems = validate_file(path, vocab, gazetteer=gazetteer, today=today)
        listing_id = path.stem
        shown = display_path(path)
        if listing_id in first_by_id:
            problems.append(
                Problem(
                    shown,
                    1,
                    1,
                    f"The id '{listing_id}' (the file name) is already used by "
                    f"{first_by_id[listing_id]}. Ids must be unique: rename this file, for "
                    f"example to {_suggest_unique_id(listing_id, path)}.yaml.",
                )
            )
            listing = None
        else:
            first_by_id[listing_id] = shown
        report.problems.extend(problems)
        if listing is not None:
            report.listings.append(listing)
    report.problems.sort(key=lambda p: (p.path, p.line, p.column))
    return report


def _suggest_unique_id(listing_id: str, path: Path) -> str:
    area = path.parent.name
    return f"{listing_id}-{area}" if area and ID_PATTERN.match(area) else f"{listing_id}-2"


def validate_file(
    path: str | os.PathLike[str],
    vocab: Vocabulary,
    *,
    gazetteer: PostcodeLookup | None = None,
    today: date | None = None,
) -> tuple[Listing | None, list[Problem]]:
    """Load and check one file; the listing is returned only when there are no problems."""
    path = Path(path)
    loaded = load_file(path)
    return check_loaded(
        loaded,
        vocab,
        listing_id=path.stem,
        area=path.parent.name,
        source=display_path(path),
        gazetteer=gazetteer,
        today=today,
    )


def check_loaded(
    loaded: LoadedFile,
    vocab: Vocabulary,
    *,
    listing_id: str,
    area: str = "",
    source: str = "",
    gazetteer: PostcodeLookup | None = None,
    today: date | None = None,
) -> tuple[Listing | None, list[Problem]]:
    if loaded.problems:
        return None, list(loaded.problems)
    checker = _Checker(loaded, vocab, gazetteer, today or date.today())
    if not ID_PATTERN.match(listing_id):
        loaded.problem(
            (),
            f"The file name {quote(listing_id)} cannot be used as an id. Use lowercase letters, "
            f"numbers and hyphens only, for example {_slug(listing_id)[:MAX_ID_LENGTH]}.yaml.",
        )
    elif len(listing_id) > MAX_ID_LENGTH:
        loaded.problem(
            (),
            f"The file name is {len(listing_id)} characters long; an id can have at most "
            f"{MAX_ID_LENGTH} (longer ones cannot be kept on a shortlist). Shorten it, for "
            f"example to {listing_id[:MAX_ID_LENGTH].rstrip('-')}.yaml.",
        )
    listing = checker.check(listing_id, area, source)
    problems = sorted(loaded.problems, key=lambda p: (p.line, p.column))
    return (listing if not problems else None), problems


def _slug(text: str) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
    return slug or "my-service"


# --------------------------------------------------------------------------- rules


def _nearest_word(text: str, options: Sequence[str]) -> str | None:
    matches = difflib.get_close_matches(str(text).lower(), list(options), n=1, cutoff=0.6)
    return matches[0] if matches else None


def _options(values: Iterable[str]) -> str:
    values = list(values)
    if len(values) <= 1:
        return "".join(values)
    return ", ".join(values[:-1]) + " or " + values[-1]


def _type_name(value: Any) -> str:
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


class _Checker:
    """Runs every rule over one loaded file, collecting problems on the loaded file."""

    def __init__(
        self,
        loaded: LoadedFile,
        vocab: Vocabulary,
        gazetteer: PostcodeLookup | None,
        today: date,
    ) -> None:
        self.loaded = loaded
        self.vocab = vocab
        self.gazetteer = gazetteer
        self.today = today

    def problem(self, keypath: KeyPath, message: str, *, key: bool = False) -> None:
        self.loaded.problem(keypath, message, key=key)

    # -- generic shapes ----------------------------------------------------------------

    def fields(self, keypath: KeyPath, value: Any, spec: dict[str, bool], what: str) -> bool:
        """Check a mapping's field names: unknown ones and missing required ones."""
        if not isinstance(value, dict):
            example = EXAMPLES.get(str(keypath[-1])) if keypath else None
            hint = f" Write it like this:\n    {example}" if example else ""
            self.problem(
                keypath,
                f"{what} should be a group of fields, but it is {_type_name(value)}.{hint}",
            )
            return False
        for name in value:
            if name not in spec:
                guess = _nearest_word(name, list(spec))
                hint = (
                    f" Did you mean '{guess}'?"
                    if guess
                    else f" The fields allowed here are: {', '.join(spec)}."
                )
                self.problem(keypath + (name,), f"Unknown field {quote(name)}.{hint}", key=True)
        for name, required in spec.items():
            if required and name not in value:
                example = EXAMPLES.get(name, f"{name}: ...")
                where = "" if not keypath else f" in {what}"
                self.problem(
                    keypath,
                    f"'{name}' is missing{where}. Add a line like:\n    {example}",
                    key=True,
                )
        return True

    def text(self, keypath: KeyPath, value: Any, *, required: bool = True) -> str:
        name = str(keypath[-1])
        if value is None:
            if required:
                example = EXAMPLES.get(name, f"{name}: ...")
                self.problem(
                    keypath, f"'{name}' is empty. Write something, for example:\n    {example}"
                )
            return ""
        if isinstance(value, (dict, list)):
            self.problem(keypath, f"'{name}' should be text, but it is {_type_name(value)}.")
            return ""
        text = " ".join(str(self.loaded.raw.get(keypath, value)).split())
        low, high = TEXT_LIMITS.get(name, (1, 500))
        if required and len(text) < max(low, 1):
            self.problem(
                keypath,
                f"'{name}' is too short ({len(text)} characters); write at least {low}.",
            )
        elif len(text) > high:
            self.problem(
                keypath,
                f"'{name}' is too long ({len(text)} characters); keep it under {high}. "
                "Say the most important things first.",
            )
        if re.search(r"<\s*/?\s*[a-zA-Z][^>]*>", text):
            self.problem(
                keypath,
                f"'{name}' contains HTML tags. Write plain text only; Signpost does the layout.",
            )
        return text

    def boolean(self, keypath: KeyPath, value: Any, default: bool = False) -> bool:
        if isinstance(value, bool):
            return value
        name = str(keypath[-1])
        if value is None:
            return default
        self.problem(
            keypath,
            f"'{name}' must be true or false, not {quote(self.loaded.raw.get(keypath, value))}.",
        )
        return default

    def choice(self, keypath: KeyPath, value: Any, allowed: Sequence[str]) -> str:
        # For a list item such as ('access', 'routes', 0) the field is 'routes'.
        name = str(keypath[-2] if isinstance(keypath[-1], int) else keypath[-1])
        raw = self.loaded.raw.get(keypath, value)
        if isinstance(value, str) and value in allowed:
            return value
        if isinstance(value, (dict, list)) or value is None:
            self.problem(keypath, f"'{name}' should be one of: {_options(allowed)}.")
            return ""
        guess = _nearest_word(str(raw), allowed)
        hint = f" Did you mean '{guess}'?" if guess else ""
        self.problem(
            keypath,
            f"{quote(raw)} is not allowed for {name}. Write one of: {_options(allowed)}.{hint}",
        )
        return ""

    def string_list(self, keypath: KeyPath, value: Any, *, required: bool = False) -> list[Any]:
        name = str(keypath[-1])
        if value is None:
            if required:
                example = EXAMPLES.get(name, f"{name}: [...]")
                self.problem(
                    keypath, f"'{name}' is empty. Write a list, for example:\n    {example}"
                )
            return []
        if isinstance(value, (str, int, float, bool)):
            # A single value is a natural thing to write; say how to make it a list.
            raw = self.loaded.raw.get(keypath, value)
            self.problem(
                keypath,
                f"'{name}' should be a list in square brackets, for example "
                f"{name}: [{escape_text(str(raw))}].",
            )
            return []
        if isinstance(value, dict):
            self.problem(keypath, f"'{name}' should be a list, like {name}: [a, b].")
            return []
        if required and not value:
            self.problem(keypath, f"'{name}' is an empty list. Add at least one value.")
        return value

    def integer(self, keypath: KeyPath, value: Any, low: int, high: int) -> int | None:
        name = str(keypath[-1])
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int):
            self.problem(
                keypath,
                f"'{name}' must be a whole number from {low} to {high}, not "
                f"{quote(self.loaded.raw.get(keypath, value))}.",
            )
            return None
        if not low <= value <= high:
            self.problem(keypath, f"'{name}' must be from {low} to {high}, not {value}.")
            return None
        return value

    # -- the listing -------------------------------------------------------------------

    def check(self, listing_id: str, area: str, source: str) -> Listing | None:
        data = self.loaded.data
        if not self.fields((), data, TOP_FIELDS, "The listing"):
            return None
        name = self.text(("name",), data.get("name"), required="name" in data)
        organisation = self.text(
            ("organisation",), data.get("organisation"), required="organisation" in data
        )
        description = self.text(
            ("description",), data.get("description"), required="description" in data
        )
        status = (
            self.choice(("status",), data.get("status"), model.STATUSES) if "status" in data else ""
        )
        needs = self.needs(data.get("needs")) if "needs" in data else ()
        who_for = self.who_for(data.get("who_for"))
        access = self.access(data.get("access")) if "access" in data else None
        cost = self.cost(data.get("cost")) if "cost" in data else None
        contact = self.contact(data.get("contact")) if "contact" in data else None
        delivery = self.delivery(data.get("delivery"))
        national = self.boolean(("national",), data.get("national"), False)
        areas_served = self.areas_served(data.get("areas_served"))
        # Served areas without a venue: the service comes to people (home visits).
        venue_needed = () if areas_served else delivery
        locations = self.locations(data.get("locations"), venue_needed, "locations" in data)
        schedule = self.schedule(data.get("schedule"))
        languages = self.languages(data.get("languages"))
        bank_holidays = (
            self.choice(("bank_holidays",), data.get("bank_holidays"), model.BANK_HOLIDAYS)
            if "bank_holidays" in data
            else "open"
        )
        last_reviewed = (
            self.last_reviewed(data.get("last_reviewed")) if "last_reviewed" in data else None
        )
        reviewed_by = self.text(
            ("reviewed_by",), data.get("reviewed_by"), required="reviewed_by" in data
        )
        if self.loaded.problems or access is None or cost is None or contact is None:
            return None
        assert last_reviewed is not None
        return Listing(
            id=listing_id,
            area=area,
            path=source,
            name=name,
            organisation=organisation,
            description=description,
            status=status,
            needs=needs,
            who_for=who_for,
            access=access,
            cost=cost,
            contact=contact,
            delivery=delivery,
            national=national,
            locations=locations,
            schedule=schedule,
            languages=languages,
            bank_holidays=bank_holidays,
            areas_served=areas_served,
            last_reviewed=last_reviewed,
            reviewed_by=reviewed_by,
        )

    def areas_served(self, value: Any) -> tuple[str, ...]:
        """Council areas, postcode districts or areas, or nations, in canonical spelling."""
        from directory.areas import default_areas

        table = default_areas()
        found: list[str] = []
        for index, item in enumerate(self.string_list(("areas_served",), value)):
            keypath = ("areas_served", index)
            raw = str(self.loaded.raw.get(keypath, item)).strip()
            area = table.resolve(raw) if isinstance(item, (str, int)) else None
            if area is None:
                self.problem(keypath, table.problem(raw))
            elif area.name in found:
                self.problem(keypath, f"'{raw}' is listed twice in areas_served. Delete one.")
            else:
                found.append(area.name)
        return tuple(found)

    def needs(self, value: Any) -> tuple[str, ...]:
        items = self.string_list(("needs",), value, required=True)
        found: list[str] = []
        for index, item in enumerate(items):
            keypath = ("needs", index)
            raw = str(self.loaded.raw.get(keypath, item))
            if isinstance(item, str) and item in self.vocab.needs:
                if item in found:
                    self.problem(keypath, f"'{item}' is listed twice in needs. Delete one.")
                found.append(item)
                continue
            nearest = self.vocab.nearest_needs(raw)
            if nearest:
                quoted = [f"'{n}'" for n in nearest]
                hint = f" Did you mean {_options(quoted)}?"
            else:
                hint = " See data/needs.yaml for the list of needs."
            self.problem(keypath, f"{quote(raw)} is not a need in data/needs.yaml.{hint}")
        if len(items) > MAX_NEEDS:
            self.problem(
                ("needs",),
                f"A listing can have at most {MAX_NEEDS} needs (this one has {len(items)}). "
                "Keep the ones the service is really for, so searches stay accurate.",
            )
        return tuple(dict.fromkeys(found))

    def who_for(self, value: Any) -> model.WhoFor:
        keypath: KeyPath = ("who_for",)
        if value is None:
            return model.WhoFor()
        if not self.fields(keypath, value, WHO_FOR_FIELDS, "who_for"):
            return model.WhoFor()
        age_min = self.integer(keypath + ("age_min",), value.get("age_min"), 0, 120)
        age_max = self.integer(keypath + ("age_max",), value.get("age_max"), 0, 120)
        if age_min is not None and age_max is not None and age_max < age_min:
            self.problem(
                keypath + ("age_max",),
                f"age_max ({age_max}) is lower than age_min ({age_min}). Swap them round.",
            )
        groups: list[str] = []
        for index, item in enumerate(self.string_list(keypath + ("groups",), value.get("groups"))):
            raw = str(self.loaded.raw.get(keypath + ("groups", index), item))
            if isinstance(item, str) and item in self.vocab.groups:
                groups.append(item)
                continue
            nearest = self.vocab.nearest_groups(raw)
            hint = (
                f" Did you mean {_options(nearest)}?"
                if nearest
                else f" Use one of: {_options(list(self.vocab.groups))}."
            )
            self.problem(
                keypath + ("groups", index),
                f"{quote(raw)} is not a group in data/needs.yaml.{hint}",
            )
        eligibility = self.text(
            keypath + ("eligibility",), value.get("eligibility"), required=False
        )
        return model.WhoFor(age_min, age_max, tuple(dict.fromkeys(groups)), eligibility)

    def access(self, value: Any) -> model.Access | None:
        keypath: KeyPath = ("access",)
        if not self.fields(keypath, value, ACCESS_FIELDS, "access"):
            return None
        routes = []
        for index, item in enumerate(
            self.string_list(keypath + ("routes",), value.get("routes"), required="routes" in value)
        ):
            route = self.choice(keypath + ("routes", index), item, model.ROUTES)
            if route:
                routes.append(route)
        how = self.text(
            keypath + ("how_to_access",),
            value.get("how_to_access"),
            required="how_to_access" in value,
        )
        booking = self.boolean(keypath + ("booking_required",), value.get("booking_required"))
        return model.Access(tuple(dict.fromkeys(routes)), how, booking)

    def cost(self, value: Any) -> model.Cost | None:
        keypath: KeyPath = ("cost",)
        if not self.fields(keypath, value, COST_FIELDS, "cost"):
            return None
        free = self.boolean(keypath + ("free",), value.get("free"))
        amount = self.text(keypath + ("amount",), value.get("amount"), required=False)
        if "free" in value and isinstance(value.get("free"), bool) and not free and not amount:
            self.problem(
                keypath,
                key=True,
                message="This service is not free, so say what it costs. Add a line under "
                'cost like:\n    amount: "£3 a session"',
            )
        details = self.text(keypath + ("details",), value.get("details"), required=False)
        return model.Cost(free, amount, details)

    def contact(self, value: Any) -> model.Contact | None:
        keypath: KeyPath = ("contact",)
        if not self.fields(keypath, value, CONTACT_FIELDS, "contact"):
            return None
        if not any(value.get(name) for name in CONTACT_FIELDS):
            self.problem(
                keypath,
                "Give at least one way to get in touch: a phone, an email or a website. "
                'For example:\n    phone: "01632 960001"',
            )
        phone = email = website = ""
        if value.get("phone") is not None:
            phone = str(self.loaded.raw.get(keypath + ("phone",), value["phone"])).strip()
            message = phone_problem(phone)
            if message:
                self.problem(keypath + ("phone",), message)
        if value.get("email") is not None:
            email = str(value["email"]).strip()
            if not EMAIL_PATTERN.match(email):
                self.problem(
                    keypath + ("email",),
                    f"{quote(email)} is not an email address. Write it like hello@example.org.",
                )
        if value.get("website") is not None:
            website = str(value["website"]).strip()
            if not URL_PATTERN.match(website):
                if URL_PATTERN.match("https://" + website):
                    hint = f" Add https:// at the start: https://{website}"
                else:
                    hint = " Write the full address, like https://example.org/our-group"
                self.problem(
                    keypath + ("website",), f"{quote(website)} is not a website address.{hint}"
                )
        return model.Contact(phone, email, website)

    def delivery(self, value: Any) -> tuple[str, ...]:
        if value is None:
            return ("in-person",)
        found = []
        for index, item in enumerate(self.string_list(("delivery",), value, required=True)):
            choice = self.choice(("delivery", index), item, model.DELIVERY)
            if choice:
                found.append(choice)
        return tuple(dict.fromkeys(found)) or ("in-person",)

    def locations(
        self, value: Any, delivery: tuple[str, ...], present: bool
    ) -> tuple[model.Location, ...]:
        if value is None:
            if "in-person" in delivery:
                self.problem(
                    ("locations",) if present else (),
                    "This service meets in person, so it needs at least one location. Add:\n    "
                    + EXAMPLES["locations"]
                    + "\nIf it is only online or by phone, add delivery: [online] or "
                    "delivery: [phone] instead.",
                )
            return ()
        items = self.string_list(("locations",), value, required="in-person" in delivery)
        found = []
        for index, item in enumerate(items):
            location = self.location(("locations", index), item)
            if location is not None:
                found.append(location)
        return tuple(found)

    def location(self, keypath: KeyPath, value: Any) -> model.Location | None:
        if not self.fields(keypath, value, LOCATION_FIELDS, f"location {keypath[-1] + 1}"):
            return None
        name = self.text(keypath + ("name",), value.get("name"), required="name" in value)
        address = self.text(
            keypath + ("address",), value.get("address"), required="address" in value
        )
        lat = self.coordinate(keypath + ("lat",), value.get("lat"), 49.8, 60.9, "lat")
        lon = self.coordinate(keypath + ("lon",), value.get("lon"), -8.7, 1.8, "lon")
        postcode = ""
        if "postcode" in value:
            postcode = self.postcode(
                keypath + ("postcode",),
                value.get("postcode"),
                located=lat is not None and lon is not None,
            )
        if (lat is None) != (lon is None) and ("lat" in value or "lon" in value):
            self.problem(
                keypath,
                "Give both lat and lon, or neither (then the postcode is used to find the place).",
            )
        accessibility = []
        for index, item in enumerate(
            self.string_list(keypath + ("accessibility",), value.get("accessibility"))
        ):
            choice = self.choice(
                keypath + ("accessibility", index), item, list(model.ACCESSIBILITY)
            )
            if choice:
                accessibility.append(choice)
        transport = self.text(keypath + ("transport",), value.get("transport"), required=False)
        return model.Location(
            name, address, postcode, lat, lon, tuple(dict.fromkeys(accessibility)), transport
        )

    def postcode(self, keypath: KeyPath, value: Any, *, located: bool = False) -> str:
        """A postcode the index can place, or a message; ``located``: lat and lon are given.

        With lat and lon a postcode only needs the right shape: Northern Ireland (BT)
        postcodes are not in the offline postcode list, and a new venue's may not be yet.
        """
        raw = str(self.loaded.raw.get(keypath, value) if value is not None else "").strip()
        canonical = normalise_postcode(raw)
        if canonical is None:
            # The real gazetteer also knows Northern Ireland districts; a bare lookup will do.
            finder = getattr(self.gazetteer, "likely_postcode", None)
            exists = self.gazetteer.lookup_postcode if self.gazetteer is not None else None
            likely = finder(raw) if callable(finder) else likely_postcode(raw, exists)
            guess = f" Did you mean {likely}?" if likely else ""
            self.problem(
                keypath,
                f"{quote(raw)} is not a full UK postcode.{guess} Write the whole postcode, like "
                "CT9 1EP (check the letters O and I are not the numbers 0 and 1).",
            )
            return ""
        if located or self.gazetteer is None:
            return canonical
        if is_northern_ireland(canonical.split(" ")[0]):
            self.problem(
                keypath,
                f"Northern Ireland postcodes such as {canonical} are not in Signpost's offline "
                "postcode list, so add the venue's lat and lon as well (for example from "
                "OpenStreetMap), like:\n    lat: 54.5973\n    lon: -5.9301",
            )
            return canonical
        if self.gazetteer.lookup_postcode(canonical) is None:
            self.problem(
                keypath,
                f"We cannot find the postcode {canonical}. Check it on a letter or on Royal "
                "Mail's postcode finder; if the venue is new, give lat and lon as well.",
            )
            return canonical
        return canonical

    def coordinate(
        self, keypath: KeyPath, value: Any, low: float, high: float, name: str
    ) -> float | None:
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            self.problem(keypath, f"'{name}' must be a number in decimal degrees, like 51.3890.")
            return None
        if not low <= float(value) <= high:
            self.problem(
                keypath,
                f"{name} {value} is outside the UK ({low} to {high}). Check the numbers are "
                "not swapped (lat is about 50 to 60, lon about -8 to 2).",
            )
            return None
        return float(value)

    def schedule(self, value: Any) -> tuple[model.Session, ...]:
        if value is None:
            return ()
        sessions = []
        for index, item in enumerate(self.string_list(("schedule",), value)):
            session = self.session(("schedule", index), item)
            if session is not None:
                sessions.append(session)
        return tuple(sessions)

    def session(self, keypath: KeyPath, value: Any) -> model.Session | None:
        if not self.fields(keypath, value, SESSION_FIELDS, f"session {keypath[-1] + 1}"):
            return None
        days = []
        for index, item in enumerate(
            self.string_list(keypath + ("days",), value.get("days"), required="days" in value)
        ):
            day_path = keypath + ("days", index)
            raw = str(self.loaded.raw.get(day_path, item)).strip()
            if raw in model.DAYS:
                days.append(raw)
                continue
            short = _DAY_ALIASES.get(raw.lower()) or (
                raw.lower()[:3] if raw.lower()[:3] in model.DAYS else None
            )
            hint = f" Write {short}." if short else f" Write one of: {_options(model.DAYS)}."
            self.problem(day_path, f"{quote(raw)} is not a day we understand.{hint}")
        opens = self.time(keypath + ("opens",), value.get("opens")) if "opens" in value else ""
        closes = self.time(keypath + ("closes",), value.get("closes")) if "closes" in value else ""
        if opens and closes and closes <= opens:
            self.problem(
                keypath + ("closes",),
                f"The session closes ({closes}) before or when it opens ({opens}). Use the "
                '24-hour clock: 2pm is "14:00".',
            )
        frequency = "weekly"
        if value.get("frequency") is not None:
            frequency = (
                self.choice(keypath + ("frequency",), value.get("frequency"), model.FREQUENCIES)
                or "weekly"
            )
        weeks = []
        for index, item in enumerate(
            self.string_list(keypath + ("weeks_of_month",), value.get("weeks_of_month"))
        ):
            week = self.integer(keypath + ("weeks_of_month", index), item, 1, 5)
            if week is not None:
                weeks.append(week)
        if frequency == "monthly" and not weeks:
            self.problem(
                keypath,
                "A monthly session needs to say which week of the month, for example "
                "weeks_of_month: [1] for the first, or [1, 3] for the first and third.",
            )
        if weeks and frequency != "monthly":
            self.problem(
                keypath + ("weeks_of_month",),
                "weeks_of_month only makes sense with frequency: monthly.",
            )
        notes = self.text(keypath + ("notes",), value.get("notes"), required=False)
        return model.Session(
            tuple(dict.fromkeys(days)), opens, closes, frequency, tuple(sorted(set(weeks))), notes
        )

    def time(self, keypath: KeyPath, value: Any) -> str:
        name = str(keypath[-1])
        raw = str(self.loaded.raw.get(keypath, value) if value is not None else "").strip()
        if TIME_PATTERN.match(raw):
            return raw
        fixed = suggest_time(raw)
        if fixed and fixed != raw:
            hint = f'Write "{fixed}" (24-hour clock, in quotes).'
        else:
            hint = 'Write 24-hour times in quotes, like "09:30" or "14:00".'
        shown = raw or "(empty)"
        self.problem(keypath, f"{quote(shown)} is not a time we understand for {name}. {hint}")
        return ""

    def languages(self, value: Any) -> tuple[str, ...]:
        if value is None:
            return ("en",)
        codes = []
        for index, item in enumerate(self.string_list(("languages",), value)):
            keypath = ("languages", index)
            raw = str(self.loaded.raw.get(keypath, item)).strip()
            code = language_code(raw)
            if code is None:
                from directory.languages import LANGUAGES

                guess = _nearest_word(raw, [name.lower() for name in LANGUAGES.values()])
                hint = f" Did you mean {guess.title()}?" if guess else ""
                self.problem(
                    keypath,
                    f"{quote(raw)} is not a language we know. Write its English name, like "
                    f"Polish or British Sign Language.{hint}",
                )
                continue
            codes.append(code)
        return tuple(dict.fromkeys(codes)) or ("en",)

    def last_reviewed(self, value: Any) -> date | None:
        keypath: KeyPath = ("last_reviewed",)
        raw = self.loaded.raw.get(keypath, value)
        if value is None:
            self.problem(keypath, "'last_reviewed' is empty. Write the date, like 2026-09-14.")
            return None
        parsed, message = parse_date(raw)
        if message:
            self.problem(keypath, message)
            return None
        assert parsed is not None
        if parsed > self.today:
            self.problem(
                keypath,
                f"last_reviewed ({parsed.isoformat()}) is in the future. Write the date the "
                "listing was actually checked.",
            )
            return None
        return parsed
