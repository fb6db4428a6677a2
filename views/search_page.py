"""The search page's form fields and result cards, worked out once per page in Python.

The search page is most of a busy server's traffic, and Jinja pays for every attribute it
reads from a dict of parameters (an ``AttributeError`` raised and caught each time), every
macro call and every ``url_for``. So the filter form's checkboxes, its distance choices and
each result card's links are made here as plain objects in one pass, and the templates only
write them out: the same markup as before, byte for byte (``bench/pages.py`` compares).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from urllib.parse import quote

from views.present import Filters, Option, Summary

# werkzeug's own quoting of a URL path segment (BaseConverter.to_url), so a card's link is
# the one url_for("site.service", listing_id=...) would build.
PATH_SAFE = "!$&'()*+,/:;=@"
LEGEND = "nhsuk-fieldset__legend--s"


def under(base: str, value: str) -> str:
    """``base`` (a route's URL without its last part, made by url_for once) and ``value``
    as that last part: what url_for would build for it, without a url_for per link."""
    return base + quote(value, safe=PATH_SAFE)


@dataclass
class Checkbox:
    id: str
    name: str
    value: str
    text: str
    checked: bool


@dataclass
class Fieldset:
    """A small NHS.UK checkboxes group in a fieldset, as ``partials/fast.html`` draws it."""

    prefix: str  # the first box's id; the error message's id is "<prefix>-error"
    legend: str
    error: str
    boxes: list[Checkbox]


@dataclass
class Choice:
    value: str
    text: str
    selected: bool


@dataclass
class Select:
    """An NHS.UK select with a small label, as ``partials/fast.html`` draws it."""

    id: str  # also its name
    label: str
    error: str
    choices: list[Choice]


@dataclass
class FilterForm:
    """The filter form's fields in page order: the distance (only when a place was found or
    a parameter was wrong), the checkbox groups before the age field, and the needs."""

    radius: Select | None
    before_age: list[Fieldset]
    needs: Fieldset | None


def option_text(option: Option) -> str:
    """The words for an option and how many results have it, like "Free (12)"."""
    return option.text if option.count is None else f"{option.text} ({option.count})"


def fieldset(
    name: str, legend: str, error: str, items: Iterable[tuple[str, str, bool]]
) -> Fieldset:
    """Checkboxes named ``name``: ids ``name``, ``name-2``, ``name-3``... as NHS.UK numbers
    them. ``items`` are (value, text, checked)."""
    boxes = [
        Checkbox(name if number == 1 else f"{name}-{number}", name, value, text, checked)
        for number, (value, text, checked) in enumerate(items, 1)
    ]
    return Fieldset(name, legend, error, boxes)


def _options(options: list[Option]) -> list[tuple[str, str, bool]]:
    return [(option.value, option_text(option), option.checked) for option in options]


def filter_form(
    filters: Filters,
    errors: Mapping[str, str],
    *,
    with_place: bool,
    radius_choices: Iterable[int],
) -> FilterForm:
    """The filter form's fields; ``errors`` maps a parameter to its friendly message and
    ``with_place`` says whether a place was searched for (distance and "only local")."""
    radius = None
    if with_place:
        choices = [
            Choice(
                str(miles),
                f"Within {miles} {'mile' if miles == 1 else 'miles'}",
                filters.radius == str(miles),
            )
            for miles in radius_choices
        ]
        if filters.radius not in {choice.value for choice in choices}:
            choices.append(Choice(filters.radius, f"Within {filters.radius} miles", True))
        radius = Select("radius", "Distance", errors.get("radius", ""), choices)
    groups = [
        fieldset("free", "Cost", errors.get("free", ""), _options([filters.free])),
        fieldset("step_free", "Access", errors.get("step_free", ""), _options([filters.step_free])),
        fieldset(
            "open_now",
            "When",
            errors.get("open_now", ""),
            [("true", "Open now", filters.open_now.checked)],
        ),
    ]
    if filters.days:
        groups.append(fieldset("day", "Days", errors.get("day", ""), _options(filters.days)))
    if filters.access:
        groups.append(
            fieldset("access", "How to start", errors.get("access", ""), _options(filters.access))
        )
    if filters.delivery:
        groups.append(
            fieldset(
                "delivery", "How it is run", errors.get("delivery", ""), _options(filters.delivery)
            )
        )
    if with_place:
        groups.append(
            fieldset(
                "local_only",
                "Online and phone",
                errors.get("local_only", ""),
                [("true", "Only groups that meet near here", filters.local_only.checked)],
            )
        )
    needs = None
    if filters.needs:
        needs = fieldset("need", "Helps with", errors.get("need", ""), _options(filters.needs))
    return FilterForm(radius, groups, needs)


@dataclass
class Card:
    """One result as the search page lists it, with its links made."""

    summary: Summary
    href: str  # the service page
    next_url: str  # back to this result after adding it to the shortlist
    added: bool  # already in the shortlist


def cards(
    summaries: Iterable[Summary], service_base: str, here: str, shortlisted: Iterable[str]
) -> list[Card]:
    """``service_base`` is the service page's URL without the id (``/services/``); ``here``
    the page's own path and query, for the shortlist buttons to come back to."""
    chosen = set(shortlisted)
    return [
        Card(
            summary,
            under(service_base, summary.listing.id),
            f"{here}#result-{summary.listing.id}",
            summary.listing.id in chosen,
        )
        for summary in summaries
    ]
