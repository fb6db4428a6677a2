"""Pure query building and ranking.

Queries are built from Whoosh ``Term`` objects, never by parsing user text, so nothing a
person types (quotes, ``*``, ``AND OR NOT``, ``word~99``) can become query syntax. Terms are
ORed: "lonely older man" finds groups matching any of the words, best matches first, instead
of the parser's default AND that finds nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from whoosh.query import And, AndNot, Or, Query, Term

from search.interpret import Interpretation
from search.schema import analyse

NEED_BOOST = 4.0
NAME_BOOST = 1.5
# A group the person named ("pensioner", "refugee"): less than a need, since what someone needs
# matters more than who they are, but enough to put services for that group first.
GROUP_BOOST = 2.0
# When no group is named, listings meeting a stated need that are not for a members-only group
# (young people, veterans, ...) score this much more: about a third of a need, enough to order
# listings that meet the same needs but not to lift one over a listing that meets more of them.
OPEN_BOOST = 1.25
# Needs and groups come first, so a long query loses only its last words' text clauses. The
# 12-word cap keeps real queries well under this (18 at most on the judged queries).
MAX_CLAUSES = 24

# Blend weights (see README "How results are ranked").
W_RELEVANCE = 0.55
W_PROXIMITY = 0.35
W_FRESHNESS = 0.10
PAUSED_FACTOR = 0.7
FRESH_DAYS = 365
STALE_DAYS = 730


def build_query(interpretation: Interpretation) -> Query | None:
    """An OR of need ids (strongly boosted), groups named, and words in listing names and text.

    Someone who says "lonely" without saying who they are is better served first by a
    friendship café than by a youth drop-in or a veterans' breakfast: see ``OPEN_BOOST``.
    """
    clauses: list[Query] = []
    for need, weight in interpretation.needs.items():
        clauses.append(Term("needs", need, boost=NEED_BOOST * weight))
    for group in interpretation.groups:
        clause = _group_clause(interpretation.group_labels[group], GROUP_BOOST)
        if clause is not None:
            clauses.append(clause)
    stated = interpretation.stated_needs
    # One word per group, the label's first ("Veterans" of "Veterans and armed forces"): to
    # withhold a small bonus it is close enough, and it keeps the query small (nine terms).
    others = [analyse(interpretation.group_labels[g])[:1] for g in interpretation.members_only]
    others = [Term("body", words[0]) for words in others if words]
    if stated and others:
        open_to_all = Or([Term("needs", need, boost=OPEN_BOOST) for need in stated])
        clauses.append(AndNot(open_to_all, Or(others)))
    for word in interpretation.terms:
        for token in analyse(word):
            clauses.append(Term("name", token, boost=NAME_BOOST))
            clauses.append(Term("body", token))
    if not clauses:
        return None
    return Or(clauses[:MAX_CLAUSES])


def _group_clause(label: str, boost: float = 1.0) -> Query | None:
    """Listings for a group, found by its label, which ``search/build.py`` writes into their text.

    All the label's words must be there, so "Refugees and people new to the UK" does not match
    a domestic abuse listing that only mentions a refuge.
    """
    tokens = list(dict.fromkeys(analyse(label)))
    if not tokens:
        return None
    if len(tokens) == 1:
        return Term("body", tokens[0], boost=boost)
    return And([Term("body", token) for token in tokens], boost=boost)


@dataclass
class Candidate:
    docnum: int
    text_score: float
    distance: float | None
    reviewed: int  # date ordinal of last_reviewed
    paused: bool
    name: str
    id: str
    score: float = 0.0


def freshness(reviewed: int, today: int) -> float:
    """1.0 for listings checked in the last year, falling to 0 at two years."""
    age = today - reviewed
    if age <= FRESH_DAYS:
        return 1.0
    if age >= STALE_DAYS:
        return 0.0
    return 1.0 - (age - FRESH_DAYS) / (STALE_DAYS - FRESH_DAYS)


def proximity(distance: float | None, radius_miles: float) -> float:
    """1.0 on the doorstep, 0.5 at a quarter of the radius; remote services count as 0.4."""
    if distance is None:
        return 0.4
    scale = max(radius_miles / 4, 0.25)
    return 1.0 / (1.0 + distance / scale)


def rank(
    candidates: Sequence[Candidate], *, located: bool, radius_miles: float, today: int
) -> list[Candidate]:
    """Order candidates by a blend of relevance, distance and freshness; ties are stable.

    Relevance is normalised to the best text score in this result set so the blend means
    the same thing for every query.
    """
    if not candidates:
        return []
    best = max(c.text_score for c in candidates) or 1.0
    for c in candidates:
        relevance = c.text_score / best
        fresh = freshness(c.reviewed, today)
        if located:
            score = (
                W_RELEVANCE * relevance
                + W_PROXIMITY * proximity(c.distance, radius_miles)
                + W_FRESHNESS * fresh
            )
        else:
            score = (W_RELEVANCE + W_PROXIMITY) * relevance + W_FRESHNESS * fresh
        if c.paused:
            score *= PAUSED_FACTOR
        c.score = score
    return sorted(
        candidates,
        key=lambda c: (
            -round(c.score, 9),
            c.distance if c.distance is not None else float("inf"),
            c.name,
            c.id,
        ),
    )
