"""A search request, parsed once from a web form, an API call or the command line.

Every interface turns its input into a :class:`SearchRequest` here, so a bad parameter gets
the same clear message everywhere (the API answers 400 with it, the site shows it in the
page, the command line prints it).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from directory.model import DAYS, DELIVERY, ROUTES

DEFAULT_RADIUS_MILES = 5.0
MAX_RADIUS_MILES = 100.0
DEFAULT_PER_PAGE = 10
MAX_PER_PAGE = 50
MAX_PAGE = 100
MAX_PLACE_CHARS = 100

# The query parameters of a search, in the order a URL lists them: the site's GET forms, the
# API and `signpost search` all use these names, so a site URL and an API URL ask the same.
FLAGS = ("free", "step_free", "open_now", "local_only", "exact")
FILTERS = (
    "free",
    "step_free",
    "day",
    "open_now",
    "age",
    "access",
    "delivery",
    "need",
    "local_only",
)
# `exact`: take the words as typed, with no typo correction (the "Search instead for" link).
PARAMETERS = ("q", "exact", "near", "radius", *FILTERS, "page", "per_page")

_TRUE = {"1", "true", "yes", "on", "y"}
_FALSE = {"0", "false", "no", "off", "n", ""}


@dataclass(frozen=True)
class SearchRequest:
    text: str = ""
    near: str = ""
    radius_miles: float = DEFAULT_RADIUS_MILES
    free: bool = False
    step_free: bool = False
    days: tuple[str, ...] = ()
    open_now: bool = False
    age: int | None = None
    access: tuple[str, ...] = ()
    delivery: tuple[str, ...] = ()
    needs: tuple[str, ...] = ()
    include_remote: bool = True
    page: int = 1
    per_page: int = DEFAULT_PER_PAGE
    exact: bool = False  # words as typed: no typo correction
    # Open Referral UK's extra filters (/api/oruk), not parameters of the site or /api/v1.
    age_to: int | None = None  # open to this age too: a range of ages, both ends
    reviewed_since: date | None = None  # modified_after: checked on or after this day
    between: tuple[str, str] | None = None  # start_time, end_time: a session overlapping

    @property
    def has_filters(self) -> bool:
        return bool(
            self.free
            or self.step_free
            or self.days
            or self.open_now
            or self.age is not None
            or self.access
            or self.delivery
            or self.needs
            or self.age_to is not None
            or self.reviewed_since is not None
            or self.between is not None
        )


def whole_number(raw: str) -> int:
    """A whole number as text: "3", or "3.0" (a whole number written as JSON may be), but not
    "3.5". Raises ValueError otherwise."""
    text = raw.strip()
    if text.isdigit() or (text[:1] in "+-" and text[1:].isdigit()):
        return int(text)
    value = float(text)
    if value != value or value in (float("inf"), float("-inf")) or not value.is_integer():
        raise ValueError(text)
    return int(value)


@dataclass
class ParamError:
    param: str
    message: str


@dataclass
class Parsed:
    request: SearchRequest
    errors: list[ParamError] = field(default_factory=list)


def _values(args: Mapping[str, Any], name: str) -> list[str]:
    """All values of a parameter, whether repeated (?day=mon&day=tue) or comma-separated."""
    if hasattr(args, "getlist"):
        raw = args.getlist(name)
    else:
        value = args.get(name)
        raw = value if isinstance(value, list | tuple) else ([] if value is None else [value])
    found: list[str] = []
    for item in raw:
        for part in str(item).split(","):
            part = part.strip().lower()
            if part:
                found.append(part)
    return found


def _first(args: Mapping[str, Any], name: str) -> str | None:
    values = args.getlist(name) if hasattr(args, "getlist") else None
    if values is not None:
        return str(values[0]) if values else None
    value = args.get(name)
    if isinstance(value, list | tuple):
        return str(value[0]) if value else None
    return None if value is None else str(value)


def parse_request(args: Mapping[str, Any], need_ids: tuple[str, ...] = ()) -> Parsed:
    """Parse query parameters; unknown values become errors naming what is allowed.

    ``need_ids`` is the vocabulary's list of needs, for checking the ``need`` filter.
    """
    errors: list[ParamError] = []

    def flag(name: str) -> bool:
        raw = _first(args, name)
        if raw is None:
            return False
        value = raw.strip().lower()
        if value in _TRUE:
            return True
        if value in _FALSE:
            return False
        errors.append(ParamError(name, f"'{name}' must be true or false."))
        return False

    def number(
        name: str, low: float, high: float, default: Any, kind: type[float] | type[int] = float
    ) -> Any:
        raw = _first(args, name)
        if raw is None or raw.strip() == "":
            return default
        try:
            value = kind(raw.strip()) if kind is not int else whole_number(raw)
        except ValueError:
            errors.append(ParamError(name, f"'{name}' must be a number from {low:g} to {high:g}."))
            return default
        if value != value or not low <= value <= high:  # NaN or out of range
            errors.append(ParamError(name, f"'{name}' must be a number from {low:g} to {high:g}."))
            return default
        return value

    def choices(
        name: str, allowed: tuple[str, ...], aliases: dict[str, str] | None = None
    ) -> tuple[str, ...]:
        picked: list[str] = []
        for value in _values(args, name):
            value = (aliases or {}).get(value, value)
            if value in allowed:
                picked.append(value)
            else:
                errors.append(ParamError(name, f"'{name}' must be one of: {', '.join(allowed)}."))
                break
        return tuple(dict.fromkeys(picked))

    text = (_first(args, "q") or "")[:1000]
    near = (_first(args, "near") or "")[:MAX_PLACE_CHARS].strip()
    day_aliases = {
        name: name[:3]
        for name in ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
    }
    request = SearchRequest(
        text=text,
        near=near,
        radius_miles=number("radius", 0.1, MAX_RADIUS_MILES, DEFAULT_RADIUS_MILES),
        free=flag("free"),
        step_free=flag("step_free"),
        days=choices("day", DAYS, day_aliases),
        open_now=flag("open_now"),
        age=number("age", 0, 120, None, int),
        access=choices("access", ROUTES),
        delivery=choices("delivery", DELIVERY),
        needs=choices("need", need_ids) if need_ids else (),
        include_remote=not flag("local_only"),
        page=number("page", 1, MAX_PAGE, 1, int),
        per_page=number("per_page", 1, MAX_PER_PAGE, DEFAULT_PER_PAGE, int),
        exact=flag("exact"),
    )
    return Parsed(request, errors)
