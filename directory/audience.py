"""Who a service is for, in a few plain words: "For men over 18".

A result card that hides who a service is for wastes a patient's trip: a bereaved man
finds a dementia café under "Free, Tuesday" and learns it is for people with dementia only
when he opens it. Cards, service pages, handouts and the API all take this one line.

The listing's own ``eligibility`` text is written by someone who knows the group, so its
first sentence is used when it restricts who can come ("People with dementia or memory
worries, and their family or carers."). When it says anyone can come ("Everyone is
welcome."), only the ages limit who can; when there is no eligibility text, the line is made
from the ``groups`` and ages. A service open to everyone gets no
line at all: saying "For everyone" on most cards would teach people to skip the line.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from directory.model import WhoFor

# First words that are ordinary English and so lowercased after "For"; any other first word
# ("LGBTQ+", "Somali-speaking", "Ukrainian", "NHS") keeps its capital.
_COMMON_STARTS = frozenset(
    """
    people person men women young older old adults adult children child families family
    parents parent unpaid carers carer veterans students anyone everyone those residents
    patients girls boys disabled refugees new over under mums dads grandparents pregnant any
    """.split()
)
# An eligibility sentence that opens the service to all: "Anyone.", "Anyone, including
# families", "Everyone is welcome", "Open to all adults", "All welcome".
_OPEN_TO_ALL = re.compile(
    r"^(anyone\s*(?:[.,;:]|$|can\b|is welcome\b|at all\b|of any age\b)|everyone\b|everybody\b"
    r"|open to (?:all|anyone|everyone)\b|all (?:are )?welcome\b|all ages\b)",
    re.IGNORECASE,
)
_SENTENCE_END = re.compile(r"(?<=[a-z0-9)])[.!?](?:\s|$)")
MAX_CHARS = 90  # a card line; the service page shows the whole eligibility text
ADULT_AGE = 18


def first_sentence(text: str) -> str:
    """The first sentence of ``text``, without its full stop."""
    text = " ".join(text.split())
    found = _SENTENCE_END.search(text)
    return (text[: found.start()] if found else text).rstrip(" .")


def is_open_to_all(eligibility: str) -> bool:
    """True when the eligibility text says anyone can come (its first sentence does)."""
    return bool(_OPEN_TO_ALL.match(first_sentence(eligibility)))


def _lower_first(words: str) -> str:
    first, _, rest = words.partition(" ")
    if first.lower() in _COMMON_STARTS and first[:1].isupper() and first[1:].islower():
        first = first.lower()
    return f"{first} {rest}".strip()


def _shorten(text: str, limit: int = MAX_CHARS) -> str:
    """Cut a long clause at a natural break (", " or " who ") within ``limit``, else a word."""
    if len(text) <= limit:
        return text
    for mark in (", ", " who ", " whose ", " living ", " in "):
        cut = text.rfind(mark, 0, limit)
        if cut > limit // 3:
            return text[:cut].rstrip(" ,") + "…"
    return text[:limit].rsplit(" ", 1)[0].rstrip(" ,;:") + "…"


def _join(words: list[str]) -> str:
    if len(words) <= 1:
        return "".join(words)
    return ", ".join(words[:-1]) + " and " + words[-1]


def describe_ages_for(age_min: int | None, age_max: int | None) -> str:
    """'aged 18 and over', 'aged 11 to 25', 'up to age 16', or '' for any age."""
    if age_min is not None and age_max is not None:
        return f"aged {age_min} to {age_max}"
    if age_min is not None and age_min > 0:
        return f"aged {age_min} and over"
    if age_max is not None:
        return f"up to age {age_max}"
    return ""


def who_for_text(who_for: WhoFor, group_label: Callable[[str], str]) -> str:
    """ "For men over 18", "For people with dementia and their carers", or '' when the
    service is open to everyone. ``group_label`` turns a group id into its label."""
    eligibility = who_for.eligibility.strip()
    if eligibility and not is_open_to_all(eligibility):
        sentence = first_sentence(eligibility)
        if sentence:
            return "For " + _shorten(_lower_first(sentence))
    # Groups say whom a service is aimed at, for search ("older people" at a walk anyone
    # can join): they speak for the service only when it has no eligibility text.
    groups = [] if eligibility else [_lower_first(group_label(g)) for g in who_for.groups]
    ages = describe_ages_for(who_for.age_min, who_for.age_max)
    if not groups and not ages:
        return ""
    if not groups:
        if who_for.age_min == ADULT_AGE and who_for.age_max is None:
            return "For adults (18 and over)"
        return f"For people {ages}"
    return "For " + _join(groups) + (f" {ages}" if ages else "")
