"""The documents the words match, scored once per request.

The search, the facet counts that leave a filter out and the wider-search suggestions each
look at a different set of allowed documents; they all take theirs from one
``TextMatches`` (``among``) instead of scoring the query again.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from search.honest import keep, relevant_to
from search.interpret import Interpretation
from search.query import build_query
from search.scoring import supported
from search.snapshot import Snapshot


@dataclass(frozen=True)
class TextMatches:
    """Every document the words match, with its text score: worked out once per request.

    ``docnums`` is None when there are no words to match (everything allowed matches,
    unranked by text).
    """

    docnums: np.ndarray | None
    scores: np.ndarray | None
    timed_out: bool = False

    def among(
        self, snapshot: Snapshot, allowed: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray | None]:
        """The matches that ``allowed`` (a boolean array over every document) lets through,
        docnums ascending, and their scores."""
        if self.docnums is None:
            return np.flatnonzero(allowed).astype(np.int64), None
        kept = allowed[self.docnums]
        return self.docnums[kept], None if self.scores is None else self.scores[kept]


def text_matches(snapshot: Snapshot, interpretation: Interpretation) -> TextMatches:
    """Score the words against the whole index, a term at a time over cached arrays
    (``search.scoring``). ``build_query`` only makes queries that scorer handles (terms,
    ORs, ANDs, AND NOTs; tested), so every search's work is a few array additions."""
    if interpretation.unclear:  # "support groups": say so rather than list everything
        return TextMatches(np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float64))
    query = build_query(interpretation)
    if query is None:
        return TextMatches(None, None)
    if not supported(query):  # a programming error in search.query, never user input
        raise TypeError(f"search.query built a query the scorer cannot score: {type(query)}")
    docnums, scores = snapshot.scorer.scores(snapshot.searcher(), query)
    return TextMatches(docnums.astype(np.int64), scores)


def relevant_matches(
    snapshot: Snapshot, interpretation: Interpretation, matches: TextMatches
) -> TextMatches:
    """Leave out matches unrelated to every need stated (search.honest.relevant_to): "food
    bank" must not offer a diabetes course because it mentions "food swaps"."""
    if matches.docnums is None:
        return matches
    searcher = snapshot.searcher()
    allowed = relevant_to(
        interpretation,
        lambda field_name, token: snapshot.scorer.postings(searcher, field_name, token)[0],
        snapshot.count,
    )
    if allowed is None:
        return matches
    docnums, scores = keep(matches.docnums, matches.scores, allowed)
    return replace(matches, docnums=docnums, scores=scores)
