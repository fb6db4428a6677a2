"""The build's shortcuts write exactly what Whoosh's own code writes.

Whoosh's postings writer asks for a document's field length once per posting; the build
reads the length columns once per document instead (``search.segment_writer``), and it
analyses each distinct word once, giving Whoosh the terms (``search.schema.index_terms``)
instead of the text (issue 16: build time). Neither may change a single byte.
"""

from __future__ import annotations

import hashlib
import logging
from pathlib import Path

import pytest
from whoosh.writing import SegmentWriter

import search.build
from search.schema import analyse, index_terms


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


def test_words_analysed_once_index_the_same_as_whooshs_analyzer(
    tmp_path, monkeypatch, bundled_listings
):
    listings, vocab = bundled_listings
    fast = _build(listings, tmp_path / "fast", vocab)
    monkeypatch.setattr(search.build, "index_terms", lambda text, _seen: text)
    whoosh = _build(listings, tmp_path / "whoosh", vocab)
    assert fast
    assert fast == whoosh


@pytest.mark.parametrize(
    "text",
    [
        "Memory Café for people living with dementia, and their carers",
        "CAFÉ café Cafe cafés",
        "e.g. 1.5 miles, 10:30am-12pm, £2.50 (tea & cake)",
        "I'm lonely; we're here to help. Don't wait!",
        "walking-football, self-referral, drop-in/drop-out",
        "a b c de xyz " + "x" * 40 + " " + "y" * 41,
        "naïve résumé Zoë façade coöperate",
        "* star*ry **",
        "١٢٣ numbers ٤ and ① ② and ½",
        "",
        "   \n\t  ",
        "Ελληνικά русский 中文 عربى",
    ],
)
def test_index_terms_are_the_analyzers_terms(text):
    seen: dict[str, tuple[str, ...]] = {}
    assert index_terms(text, seen) == analyse(text)
    assert index_terms(text, seen) == analyse(text)  # and again from what it kept


@pytest.fixture
def bundled_listings(bundled):
    return bundled.listings, bundled.vocab


@pytest.mark.parametrize(
    ("gigabytes", "megabytes"),
    [(0, 1024), (2, 1024), (4, 1024), (8, 1365), (16, 2730), (24, 4096), (256, 4096)],
)
def test_the_posting_pool_grows_with_the_machine_within_bounds(gigabytes, megabytes):
    assert search.build.pool_megabytes(gigabytes * 2**30) == megabytes
