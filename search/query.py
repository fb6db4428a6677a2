"""Pure query building: what a person meant, as a Whoosh query. Ranking is ``ranking.py``.

Queries are built from Whoosh ``Term`` objects, never by parsing user text, so nothing a
person types (quotes, ``*``, ``AND OR NOT``, ``word~99``) can become query syntax. Terms are
ORed: "lonely older man" finds groups matching any of the words, best matches first, instead
of the parser's default AND that finds nothing.
"""

from __future__ import annotations

from whoosh.query import And, AndNot, Or, Query, Term

from search.interpret import Interpretation
from search.schema import analyse_word

NEED_BOOST = 4.0
NAME_BOOST = 1.5
# The need asked for is the listing's main one (first in its needs), not one of several.
PRIMARY_BOOST = 0.5
# Below the urgent-help panel, support whose main need is the crisis topic's (a mental health
# service for "suicidal", a domestic abuse service for "he hits me") comes before a nearer
# group that only lists it among others (a gardening group with "mental wellbeing").
URGENT_PRIMARY_BOOST = NEED_BOOST
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
# Literal words count: a listing whose name or text holds every one of the person's own words
# scores those words again (an AND of the words, this boost). BM25's idf makes that large for
# a rare, specific word ("sectioning" in an advocacy service, "breastfeeding") and small for a
# common one ("lonely"), so the listing holding the words is not outranked by listings that
# only carry the need the words were read as. Measured on tests/relevance (boost 0, 1, 2, 3):
# 1 lifted "sectioning" from rank 9 to 1 and changed nothing else for the worse; 2 and 3
# began to push general "lonely" and "exercise" results out of the top five.
LITERAL_BOOST = 1.0
LITERAL_MAX_WORDS = 6  # longer queries rarely hold all their words in one listing


def build_query(interpretation: Interpretation) -> Query | None:
    """An OR of need ids (strongly boosted), groups named, and words in listing names and text,
    plus a bonus for listings holding all the words as typed (``LITERAL_BOOST``).

    A listing whose main (first) need is the one asked for gets a little more than one that
    lists it among others. Someone who says "lonely" without saying who they are is better
    served first by a friendship café than by a youth drop-in or a veterans' breakfast: see
    ``OPEN_BOOST``.
    """
    clauses: list[Query] = []
    for need, weight in interpretation.needs.items():
        clauses.append(Term("needs", need, boost=NEED_BOOST * weight))
    for need in interpretation.stated_needs:
        boost = URGENT_PRIMARY_BOOST if need in interpretation.urgent_needs else PRIMARY_BOOST
        clauses.append(Term("primary", need, boost=boost))
    for group in interpretation.groups:
        clauses.append(Term("groups", group, boost=GROUP_BOOST))
    stated = interpretation.stated_needs
    if stated and interpretation.members_only:
        open_to_all = Or([Term("needs", need, boost=OPEN_BOOST) for need in stated])
        members = Or([Term("groups", group) for group in interpretation.members_only])
        clauses.append(AndNot(open_to_all, members))
    tokens = list(
        dict.fromkeys(token for word in interpretation.terms for token in analyse_word(word))
    )
    if 0 < len(tokens) <= LITERAL_MAX_WORDS:
        clauses.append(
            And(
                [Or([Term("name", t, boost=NAME_BOOST), Term("body", t)]) for t in tokens],
                boost=LITERAL_BOOST,
            )
        )
    for token in tokens:
        clauses.append(Term("name", token, boost=NAME_BOOST))
        clauses.append(Term("body", token))
    if not clauses:
        return None
    return Or(clauses[:MAX_CLAUSES])
