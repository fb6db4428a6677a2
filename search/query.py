"""Pure query building and ranking.

Queries are built from Whoosh ``Term`` objects, never by parsing user text, so nothing a
person types (quotes, ``*``, ``AND OR NOT``, ``word~99``) can become query syntax. Terms are
ORed: "lonely older man" finds groups matching any of the words, best matches first, instead
of the parser's default AND that finds nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from whoosh.query import Or, Query, Term

from search.interpret import Interpretation
from search.schema import analyse

NEED_BOOST = 4.0
NAME_BOOST = 1.5
MAX_CLAUSES = 60

# Blend weights (see README "How results are ranked").
W_RELEVANCE = 0.55
W_PROXIMITY = 0.35
W_FRESHNESS = 0.10
PAUSED_FACTOR = 0.7
FRESH_DAYS = 365
STALE_DAYS = 730


def build_query(interpretation: Interpretation) -> Query | None:
    """An OR of need ids (strongly boosted) and the words in listing names and text."""
    clauses: list[Query] = []
    for need, weight in interpretation.needs.items():
        clauses.append(Term("needs", need, boost=NEED_BOOST * weight))
    for word in interpretation.terms:
        for token in analyse(word):
            clauses.append(Term("name", token, boost=NAME_BOOST))
            clauses.append(Term("body", token))
    if not clauses:
        return None
    return Or(clauses[:MAX_CLAUSES])


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
