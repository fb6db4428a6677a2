"""The build's shortcuts write exactly what Whoosh's own code writes.

Two parts of a build are done faster than Whoosh does them (issue 16: build time): the text
analysis in one loop (``search.schema.FusedAnalyzer``) and the field lengths read once per
document (``search.segment_writer``). Neither may change a single term or byte.
"""

from __future__ import annotations

import hashlib
import logging
import pickle
import random
from pathlib import Path

import pytest
from whoosh.analysis import CharsetFilter, StemmingAnalyzer
from whoosh.support.charset import accent_map
from whoosh.writing import SegmentWriter

import search.build
from search.schema import ALL_STOP_WORDS, ANALYZER, FusedAnalyzer, analyse
from tests.conftest import BUNDLED_SERVICES

WHOOSH_CHAIN = StemmingAnalyzer(stoplist=ALL_STOP_WORDS, minsize=2, maxsize=40) | CharsetFilter(
    accent_map
)

CALLS = [
    {},
    {"mode": "index"},
    {"mode": "query"},
    {"positions": True, "chars": True},
    {"removestops": False},
    {"no_morph": True},
]


def tokens(analyzer, text: str, **kwargs) -> list[tuple]:
    found = []
    for token in analyzer(text, **kwargs):
        found.append(
            (
                token.text,
                token.boost,
                token.stopped,
                getattr(token, "pos", None),
                getattr(token, "startchar", None),
            )
        )
    return found


def sample_texts() -> list[str]:
    texts = [path.read_text(encoding="utf-8") for path in sorted(BUNDLED_SERVICES.rglob("*.yaml"))]
    rng = random.Random(20261130)
    alphabet = "abcdeéfghiíjklmnoöpqrstuüvwxyzABCÉZ0123456789 .,'-_\n\t\u00a0ßæœİı"
    texts += ["".join(rng.choice(alphabet) for _ in range(rng.randrange(80))) for _ in range(500)]
    texts += ["x" * 39, "y" * 40, "z" * 41, "a", "I", "the", "Café", "x-ray", "2.5.6", ""]
    return texts


@pytest.mark.parametrize("kwargs", CALLS, ids=lambda kwargs: ",".join(kwargs) or "plain")
def test_fused_analyzer_gives_whooshs_tokens(kwargs):
    for text in sample_texts():
        assert tokens(ANALYZER, text, **kwargs) == tokens(WHOOSH_CHAIN, text, **kwargs), text


def test_fused_analyzer_survives_the_index_schema_pickle():
    again = pickle.loads(pickle.dumps(ANALYZER))
    assert isinstance(again, FusedAnalyzer)
    assert again._fast is not None
    assert [t.text for t in again("Lonely older men")] == analyse("Lonely older men")


def test_a_chain_of_another_shape_uses_whooshs_own_steps():
    other = FusedAnalyzer(StemmingAnalyzer(stoplist=None))  # no stop filter, no charset
    assert other._fast is None
    assert [t.text for t in other("Walking groups")] == ["walk", "group"]


def test_the_word_cache_is_bounded(monkeypatch):
    analyzer = pickle.loads(pickle.dumps(ANALYZER))
    monkeypatch.setattr(FusedAnalyzer, "CACHE_LIMIT", 10)
    words = " ".join(f"word{number}" for number in range(50))
    list(analyzer(words))
    list(analyzer("another"))
    assert len(analyzer._cache) <= 11


def _segment_files(root: Path) -> dict[str, str]:
    """Each Whoosh file of the live build by its kind (segment names are random)."""
    build = (root / "current").resolve()
    return {
        path.name.split(".", 1)[1]: hashlib.sha256(path.read_bytes()).hexdigest()
        for path in build.iterdir()
        if path.name.startswith("listings_") and path.suffix in (".col", ".pst", ".trm")
    }


def _build(listings, root: Path, vocab) -> dict[str, str]:
    search.build.build_index(listings, root, vocab)
    return _segment_files(root)


def test_preloaded_lengths_write_the_same_segment_as_whoosh(
    tmp_path, monkeypatch, bundled_listings
):
    listings, vocab = bundled_listings
    fast = _build(listings, tmp_path / "fast", vocab)
    monkeypatch.setattr(search.build, "SegmentWriterWithLengths", SegmentWriter)
    whoosh = _build(listings, tmp_path / "whoosh", vocab)
    assert fast
    assert fast == whoosh


def test_lengths_that_disagree_fall_back_to_whoosh_and_say_so(
    tmp_path, monkeypatch, caplog, bundled_listings
):
    listings, vocab = bundled_listings
    expected = _build(listings, tmp_path / "whoosh", vocab)

    import whoosh.util.numeric

    monkeypatch.setattr(whoosh.util.numeric, "byte_to_length", lambda byte: byte + 1000)
    with caplog.at_level(logging.WARNING, logger="search.segment_writer"):
        fallback = _build(listings, tmp_path / "fallback", vocab)
    assert fallback == expected
    assert "read one at a time" in caplog.text


@pytest.fixture
def bundled_listings(bundled):
    return bundled.listings, bundled.vocab
