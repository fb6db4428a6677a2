"""Honest answers: never pass off an unrelated service as help for a need, and say when a
filter or the distance left a need the person stated with nothing.

Two things a plain ranked list gets wrong:

* "food bank" near Edinburgh matched a national type 2 diabetes course, because its
  description mentions "food swaps". A listing that meets none of the needs the person
  stated, is for none of the groups they named, and contains none of their words (a
  need's phrase counting only whole: "food bank", not "food") is not an answer
  (``relevant_to``).
* "diabetes" on a Tuesday found nothing for diabetes while the page still said "Looking
  for: Diabetes". Each stated need with no result under the chosen filters, but some
  without one of them, gets a sentence naming that filter and a link that lifts it
  ("No diabetes group meets on Tuesday. Show all days": ``missing_needs``).

Pure over the facet table and the index's cached postings; the engine calls both.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

from directory.model import DAY_NAMES
from directory.vocabulary import Vocabulary
from directory.wording import DELIVERY_LABELS
from search.interpret import Interpretation
from search.request import MAX_RADIUS_MILES, SearchRequest
from search.schema import analyse_word


@dataclass(frozen=True)
class MissingNeed:
    """A stated need the current filters or distance left with no result."""

    need: str
    text: str  # "No diabetes group meets on Tuesday."
    action: str  # "Show all days" ('' when nothing would help)
    changes: dict[str, Any] = field(default_factory=dict)  # as WiderSearch.changes
    count: int = 0  # results for the need once the change is made

    def as_dict(self) -> dict[str, Any]:
        return {
            "need": self.need,
            "text": self.text,
            "action": self.action,
            "changes": self.changes,
            "count": self.count,
        }


# ---- Only related listings ---------------------------------------------------------------


def leftover_words(interpretation: Interpretation) -> list[str]:
    """The words typed that no need was read from: "kintsugi" in "kintsugi lonely"."""
    used: set[str] = set()
    for phrases in interpretation.matched.values():
        for phrase in phrases:
            used.update(phrase.split())
    used.update([interpretation.corrections.get(word, word) for word in used])
    return [word for word in interpretation.terms if word not in used]


# A need's phrase of up to this many searchable words is a name ("food bank", "walking
# group") whose words mean something else alone; a longer one is a sentence ("can't pay my
# bills") whose every word carries its meaning.
NAME_WORDS = 2


def need_phrases(interpretation: Interpretation) -> list[list[str]]:
    """The words each need was read from, as typed (typos fixed): [["food", "bank"]]."""
    fix = interpretation.corrections
    return [
        [fix.get(word, word) for word in phrase.split()]
        for phrases in interpretation.matched.values()
        for phrase in phrases
    ]


def relevant_to(
    interpretation: Interpretation, postings: Callable[[str, str], np.ndarray], count: int
) -> np.ndarray | None:
    """Which of ``count`` documents may be shown for this query (a boolean mask), or None
    when anything matched may.

    When the person stated a need, a result must meet one of the needs read from their
    words, be for a group they named, contain the words a need was read from (all of a
    short phrase, as "food bank" is not "food"; any of a sentence's), or contain one of
    their other words. ``postings(field, token)`` gives the document numbers whose indexed
    ``field`` ("needs", "groups", "name", "body") holds ``token``. Arrays throughout: a need
    can hold thousands of listings at 100,000.
    """
    if not interpretation.stated_needs:
        return None

    def having(field_name: str, token: str) -> np.ndarray:
        found = np.zeros(count, dtype=bool)
        found[np.asarray(postings(field_name, token), dtype=np.int64)] = True
        return found

    def containing(word: str) -> np.ndarray:
        found = np.zeros(count, dtype=bool)
        for token in analyse_word(word):
            found |= having("name", token) | having("body", token)
        return found

    allowed = np.zeros(count, dtype=bool)
    for need in interpretation.needs:
        allowed |= having("needs", need)
    for group in interpretation.groups:
        allowed |= having("groups", group)
    for phrase in need_phrases(interpretation):
        parts = [containing(word) for word in phrase if analyse_word(word)]
        if len(parts) > NAME_WORDS:  # a sentence ("can't pay my bills"): any of its words
            allowed |= np.logical_or.reduce(parts)
        elif parts:  # a name ("food bank", "men's shed"): all of it
            allowed |= np.logical_and.reduce(parts)
    for word in leftover_words(interpretation):
        allowed |= containing(word)
    return allowed


def keep(
    docnums: np.ndarray, scores: np.ndarray | None, allowed: np.ndarray
) -> tuple[np.ndarray, np.ndarray | None]:
    """``docnums`` (and their ``scores``) that the boolean mask ``allowed`` lets through."""
    kept = allowed[docnums]
    return docnums[kept], None if scores is None else scores[kept]


# ---- Needs a filter left empty -----------------------------------------------------------


# How to start, as the end of "No diabetes group ...".
ROUTE_WORDS = {
    "self-referral": "lets you refer yourself",
    "professional-referral": "takes referrals from a GP or link worker",
    "drop-in": "lets you drop in",
}


def lower_label(label: str) -> str:
    """'Learning English' -> 'learning English': only an ordinary first word is lowered."""
    first, _, rest = label.partition(" ")
    if first[1:].islower() and first not in ("English",):
        first = first.lower()
    return f"{first} {rest}".strip()


def group_words(label: str) -> str:
    """'Diabetes' -> 'diabetes group'; 'Loneliness and isolation' -> 'group for loneliness
    and isolation' (a proper word such as 'English' keeps its capital)."""
    text = lower_label(label)
    return f"{text} group" if " " not in text else f"group for {text}"


def _or(words: list[str]) -> str:
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " or " + words[-1]


def filter_reasons(
    request: SearchRequest, vocab: Vocabulary
) -> list[tuple[str, str, str, dict[str, Any]]]:
    """Each filter the request uses: (field to clear, "... {group} ...", action, changes).

    ``{group}`` is filled with ``group_words`` of the need; ``changes`` says how the site
    and the API link to the same search without that filter.
    """
    reasons: list[tuple[str, str, str, dict[str, Any]]] = []
    if request.days:
        days = _or([DAY_NAMES[day] for day in request.days])
        reasons.append(
            ("days", f"No {{group}} meets on {days}.", "Show all days", {"drop": ["day"]})
        )
    if request.free:
        reasons.append(
            ("free", "No {group} is free.", "Include ones that charge", {"drop": ["free"]})
        )
    if request.step_free:
        reasons.append(
            (
                "step_free",
                "No {group} has step-free access.",
                "Show all places",
                {"drop": ["step_free"]},
            )
        )
    if request.open_now:
        reasons.append(
            ("open_now", "No {group} is open right now.", "Show any time", {"drop": ["open_now"]})
        )
    if request.age is not None:
        reasons.append(
            (
                "age",
                f"No {{group}} is open to someone aged {request.age}.",
                "Show all ages",
                {"drop": ["age"]},
            )
        )
    if request.access:
        ways = _or([ROUTE_WORDS[route] for route in request.access])
        reasons.append(
            (
                "access",
                f"No {{group}} {ways}.",
                "Show all ways to start",
                {"drop": ["access"]},
            )
        )
    if request.delivery:
        ways = _or([DELIVERY_LABELS[way].lower() for way in request.delivery])
        reasons.append(
            (
                "delivery",
                f"No {{group}} is run {ways}.",
                "Show all ways it is run",
                {"drop": ["delivery"]},
            )
        )
    if request.needs:
        labels = _or([lower_label(vocab.need_label(need)) for need in request.needs])
        reasons.append(
            (
                "needs",
                f"No {{group}} also helps with {labels}.",
                "Show all needs",
                {"drop": ["need"]},
            )
        )
    if not request.include_remote:
        reasons.append(
            (
                "include_remote",
                "No {group} meets near here.",
                "Include online, phone and national services",
                {"local_only": False},
            )
        )
    return reasons


_CLEARED: dict[str, Any] = {
    "days": (),
    "free": False,
    "step_free": False,
    "open_now": False,
    "age": None,
    "access": (),
    "delivery": (),
    "needs": (),
    "include_remote": True,
}


def missing_needs(
    request: SearchRequest,
    interpretation: Interpretation,
    vocab: Vocabulary,
    count_for: Callable[[str, SearchRequest], int],
    *,
    located: bool,
) -> list[MissingNeed]:
    """For each stated need with no result under ``request``: which filter or distance hid
    its services, and the change that shows them.

    The needs are those read from the words, or, with none (browsing a need's page), the
    needs ticked. ``count_for(need, request)`` counts the open listings for ``need`` that
    ``request`` (its place, radius and filters) would show. A need nothing in reach meets
    at all gets a sentence with no link, so the page never implies help is there when it
    is not.
    """
    missing: list[MissingNeed] = []
    for need in interpretation.stated_needs or list(request.needs):
        if need not in vocab.needs or count_for(need, request):
            continue
        group = group_words(vocab.need_label(need))
        found = []
        for name, text, action, changes in filter_reasons(request, vocab):
            if name == "needs" and need in request.needs:
                continue  # ticking it is not what hides it
            count = count_for(need, replace(request, **{name: _CLEARED[name]}))
            if count:
                found.append(MissingNeed(need, text.format(group=group), action, changes, count))
        if located and not found:
            for radius in (request.radius_miles * 2, request.radius_miles * 5, MAX_RADIUS_MILES):
                radius = min(radius, MAX_RADIUS_MILES)
                if radius <= request.radius_miles:
                    continue
                count = count_for(need, replace(request, radius_miles=radius))
                if count:
                    found.append(
                        MissingNeed(
                            need,
                            f"No {group} within {request.radius_miles:g} miles.",
                            f"Search within {radius:g} miles",
                            {"radius": radius},
                            count,
                        )
                    )
                    break
        if not found and request.has_filters:
            count = count_for(need, replace(request, **_CLEARED))
            if count:
                found.append(
                    MissingNeed(
                        need,
                        f"No {group} matches all the filters you chose.",
                        "Clear the filters",
                        {"filters": "clear"},
                        count,
                    )
                )
        if not found:
            where = " near here" if located else ""
            found.append(MissingNeed(need, f"We do not list any {group}{where}.", "", {}, 0))
        missing.extend(found)
    return missing
