"""The array scorer's two private reads of Whoosh are proved when an index opens.

``search/scoring.py`` reads a codec's length column and a matcher's posting blocks, private
parts of the pinned whoosh-reloaded. When the index opens, ``TermScorer.check`` compares
them with Whoosh's public API; if they fail or disagree (a different Whoosh), it logs an
error and scores through the public API: slower, the same answers. Both ways are tested.
"""

from __future__ import annotations

import logging

import numpy as np
import pytest

from search import scoring
from search.interpret import interpret
from search.query import build_query
from search.scoring import TermScorer
from search.snapshot import Snapshot
from tests.test_search import assert_scores_match_whoosh, built, vocab_module  # noqa: F401

QUERIES = ["lonely allotment diabetic", "sugar", "on my own", "woodwork painting craft"]


def _fresh(built) -> Snapshot:  # noqa: F811 - the fixture
    return Snapshot.open(built.snapshot().folder)


def _scores(snapshot: Snapshot, scorer: TermScorer, vocab, text: str):
    query = build_query(interpret(text, vocab))
    return scorer.scores(snapshot.searcher(), query)


def test_the_fast_paths_are_proved_and_used_on_the_pinned_whoosh(built, caplog):  # noqa: F811
    with caplog.at_level(logging.ERROR, logger="search.scoring"):
        snapshot = _fresh(built)
    assert snapshot.scorer.checked
    assert snapshot.scorer.fast_lengths
    assert snapshot.scorer.blockwise
    assert caplog.records == []


def _broken_lengths(*args, **kwargs):
    raise AttributeError("'SegmentReader' object has no attribute '_perdoc'")


def _shifted_postings(matcher):
    ids, weights = scoring._public_postings(matcher)
    return ids + 1, weights  # a codec that reads blocks differently


@pytest.mark.parametrize(
    ("name", "replacement", "words", "fast_lengths", "blockwise"),
    [
        ("_fast_lengths", _broken_lengths, "field lengths cannot be read", False, True),
        ("_blockwise_postings", _shifted_postings, "posting blocks differ", True, False),
    ],
)
def test_a_changed_whoosh_falls_back_to_the_public_api_with_the_same_answers(
    built,  # noqa: F811
    vocab_module,  # noqa: F811
    monkeypatch,
    caplog,
    name,
    replacement,
    words,
    fast_lengths,
    blockwise,
):
    normal = _fresh(built)
    expected = {text: _scores(normal, normal.scorer, vocab_module, text) for text in QUERIES}
    monkeypatch.setattr(scoring, name, replacement)
    with caplog.at_level(logging.ERROR, logger="search.scoring"):
        changed = _fresh(built)
    assert (changed.scorer.fast_lengths, changed.scorer.blockwise) == (fast_lengths, blockwise)
    assert any(words in record.getMessage() for record in caplog.records)
    assert "scoring through the public API" in caplog.records[0].getMessage()
    for text in QUERIES:
        expected_ids, expected_scores = expected[text]
        ids, scores = _scores(changed, changed.scorer, vocab_module, text)
        assert ids.tolist() == expected_ids.tolist()
        assert np.allclose(scores, expected_scores, rtol=1e-12)
        assert_scores_match_whoosh(changed, build_query(interpret(text, vocab_module)))


def test_every_query_signpost_builds_is_one_the_scorer_handles(vocab_module):  # noqa: F811
    """So the engine never needs Whoosh's collector (the old fallback could not be reached
    and is gone); odd input included."""
    from search.scoring import supported

    for text in [*QUERIES, "*", "a* b* c*", "word~99", "AND OR NOT", "x" * 500, "🙂 lonely"]:
        query = build_query(interpret(text, vocab_module))
        assert query is None or supported(query), text
