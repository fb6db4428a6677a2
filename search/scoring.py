"""Score an OR of terms a term at a time, with each term's postings cached as arrays.

Whoosh scores an ``Or`` query document at a time, stepping a binary tree of matchers in pure
Python: at 100,000 listings a typical search visits ~40,000 documents and spends most of a
second there. Signpost's queries are always a flat OR of boosted ``Term``s (see
``search.query.build_query``), and an index build never changes once made live, so each
term's postings can be read once per build into NumPy arrays of document numbers and BM25F
scores, and a query becomes a few vectorised additions.

The scores are Whoosh's own: the same ``BM25F`` formula, statistics (idf, average field
length) and stored field lengths, read through the index's weighting model, so answers do
not change, only the time it takes (``tests/test_search.py`` checks the two agree). One
exception, on purpose: ``AndNot`` here excludes every document its negative part matches,
where Whoosh's ``AndNotMatcher`` (whoosh-reloaded 2.7.5) lets some through when the
negative part is an OR, even a plain OR of terms such as the members-only groups clause
(``tests/test_search.py::test_and_not_with_a_plain_or_of_group_terms_is_exact``).
"""

from __future__ import annotations

import json
import logging
import os
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
from whoosh.query import And, AndNot, Or, Query, Term
from whoosh.scoring import BM25FScorer, WeightScorer

if TYPE_CHECKING:
    from whoosh.matching import Matcher
    from whoosh.searching import Searcher

# Cache at most this many postings (document numbers + scores, 12 bytes each) per build.
MAX_CACHED_POSTINGS = 4_000_000

_EMPTY = (np.zeros(0, dtype=np.int32), np.zeros(0, dtype=np.float64))
log = logging.getLogger(__name__)
PROBE_DOCS = 64  # documents whose lengths are compared both ways when an index opens
# Posting arrays written at build time (``write_posting_arrays``), memory-mapped when a build
# opens: every vocabulary term's postings, and those of every name or body term in at least
# ARRAY_MIN_DOCS listings, ready for a term's first use. Reading a term from Whoosh's files
# costs about 0.1 ms however rare it is (three hash look-ups and a block), so a search for
# two rare words ("fulham parliament") spent more on reading them than on everything else;
# writing them all costs a build about 3% (1.4 s at 100,000 listings). Words in one listing
# only (in real text, half the distinct words) are still read from Whoosh when asked for.
ARRAYS_FILE = "postings.json"
IDS_FILE = "postings-ids.npy"
SCORES_FILE = "postings-scores.npy"
ARRAY_MIN_DOCS = 2


def supported(query: Query | None) -> bool:
    """Whether ``query`` is made only of terms, ORs, ANDs and AND NOTs (what Signpost builds)."""
    if query is None:
        return False
    if type(query) is Term:
        return True
    if type(query) is AndNot:
        return supported(query.a) and supported(query.b)
    if type(query) in (Or, And):
        return all(supported(sub) for sub in query.subqueries)
    return False


class PostingArrays:
    """Postings written at build time: (docnums, unboosted scores) per (field, term), in two
    memory-mapped arrays that every thread and every worker process of a host share."""

    def __init__(
        self, spans: dict[str, dict[str, tuple[int, int]]], ids: np.ndarray, scores: np.ndarray
    ) -> None:
        self.spans = spans
        self.ids = ids
        self.scores = scores

    @classmethod
    def load(cls, folder: Path) -> PostingArrays | None:
        """The build's arrays, or None for a build made before they existed."""
        try:
            spans = json.loads((folder / ARRAYS_FILE).read_text(encoding="utf-8"))
        except FileNotFoundError:
            return None
        # Plain arrays over the mapped files: slicing a np.memmap makes a memmap object
        # each time, which cost more than the read itself.
        ids = np.asarray(np.load(folder / IDS_FILE, mmap_mode="r"))
        scores = np.asarray(np.load(folder / SCORES_FILE, mmap_mode="r"))
        return cls({f: {t: (a, b) for t, (a, b) in terms.items()} for f, terms in spans.items()},
                   ids, scores)  # fmt: skip

    def get(self, field: str, text: str) -> tuple[np.ndarray, np.ndarray] | None:
        span = self.spans.get(field, {}).get(text)
        if span is None:
            return None
        start, end = span
        return self.ids[start:end], self.scores[start:end]

    def terms(self) -> list[tuple[str, str]]:
        return [(field, text) for field, terms in self.spans.items() for text in terms]


def write_posting_arrays(
    folder: Path, searcher: Searcher, terms: Iterable[tuple[str, str]], doc_count: int
) -> int:
    """Write the postings of ``terms`` (and of every name or body term in ``ARRAY_MIN_DOCS``
    listings or more) as arrays beside the Whoosh files, scored exactly as ``TermScorer``
    scores them; returns how many terms. A term's first use after a build or a start is
    then a slice of a mapped file, where reading it from Whoosh's posting blocks took up to
    ~0.4 s at 100,000 listings."""
    scorer = TermScorer(doc_count)
    scorer.check(searcher)
    reader = searcher.reader()
    wanted = dict.fromkeys(terms)
    for field in ("name", "body"):
        if field not in searcher.schema:
            continue
        for text, info in reader.iter_field(field):
            if info.doc_frequency() >= ARRAY_MIN_DOCS:
                wanted[(field, text if isinstance(text, str) else text.decode("utf-8"))] = None
    spans: dict[str, dict[str, tuple[int, int]]] = {}
    id_parts: list[np.ndarray] = []
    score_parts: list[np.ndarray] = []
    at = 0
    for field, text in sorted(wanted):
        ids, scores = scorer._read(searcher, field, text)
        if not ids.size:
            continue
        spans.setdefault(field, {})[text] = (at, at + ids.size)
        id_parts.append(ids.astype(np.int32))
        score_parts.append(scores.astype(np.float64))
        at += ids.size
    empty = _EMPTY
    _save(folder / IDS_FILE, np.concatenate(id_parts) if id_parts else empty[0])
    _save(folder / SCORES_FILE, np.concatenate(score_parts) if score_parts else empty[1])
    (folder / ARRAYS_FILE).write_text(json.dumps(spans, separators=(",", ":")), "utf-8")
    return sum(len(terms) for terms in spans.values())


def _save(path: Path, array: np.ndarray) -> None:
    with open(path, "wb") as handle:
        np.save(handle, array)
        handle.flush()
        os.fsync(handle.fileno())


class TermScorer:
    """Term-at-a-time BM25F scoring over one index build; safe to share between threads."""

    def __init__(
        self,
        doc_count: int,
        max_postings: int = MAX_CACHED_POSTINGS,
        arrays: PostingArrays | None = None,
    ) -> None:
        self.doc_count = doc_count
        self.max_postings = max_postings
        self.arrays = arrays
        self._lock = threading.Lock()
        self._postings: OrderedDict[tuple[str, str], tuple[np.ndarray, np.ndarray]] = OrderedDict()
        self._cached = 0
        self._lengths: dict[str, np.ndarray] = {}
        # Two fast paths read private parts of whoosh-reloaded 2.7.5 (a codec's length
        # column, a matcher's posting blocks). check() proves them against the public API
        # when the index opens; until then, or if they disagree, the public API is used.
        self.fast_lengths = False
        self.blockwise = False
        self.checked = False

    def check(self, searcher: Searcher) -> list[str]:
        """Prove the fast paths on this build, against Whoosh's public API, and use them only
        if they give the same answers. Returns what failed (logged as an error), or []."""
        problems: list[str] = []
        field = _scored_field(searcher)
        if field is not None:
            count = min(self.doc_count, PROBE_DOCS)
            try:
                fast = _fast_lengths(searcher, field, self.doc_count)[:count]
                if not np.array_equal(fast, _public_lengths(searcher, field, count)):
                    problems.append("field lengths read from the codec differ")
            except Exception as error:  # noqa: BLE001 - any failure means "do not use it"
                problems.append(f"field lengths cannot be read from the codec ({error!r})")
            term = _sample_term(searcher, field)
            if term is not None:
                try:
                    fast_ids, fast_weights = _blockwise_postings(
                        searcher.reader().postings(field, term)
                    )
                    ids, weights = _public_postings(searcher.reader().postings(field, term))
                    if not (np.array_equal(fast_ids, ids) and np.allclose(fast_weights, weights)):
                        problems.append("posting blocks differ from the matcher's own answers")
                except Exception as error:  # noqa: BLE001
                    problems.append(f"posting blocks cannot be read ({error!r})")
        with self._lock:
            self.fast_lengths = not any("length" in problem for problem in problems)
            self.blockwise = not any("posting" in problem for problem in problems)
        if self.arrays is not None:
            problems.extend(self._check_arrays(searcher))
        with self._lock:
            if any("arrays" in problem for problem in problems):
                self.arrays = None
            self.checked = True
            self._lengths.clear()
            self._postings.clear()
            self._cached = 0
        if problems:
            log.error(
                "Whoosh's internals are not as search/scoring.py expects (%s): scoring "
                "through the public API instead, with the same answers, more slowly. Check "
                "the pinned whoosh-reloaded version.",
                "; ".join(problems),
            )
        return problems

    def _check_arrays(self, searcher: Searcher) -> list[str]:
        """The build's posting arrays agree with what this scorer reads from Whoosh (its
        fast paths already proven against the public API) on the first, middle and last
        terms written."""
        arrays = self.arrays
        terms = arrays.terms() if arrays is not None else []
        if arrays is None or not terms:
            return []
        probe = TermScorer(self.doc_count)
        probe.fast_lengths, probe.blockwise = self.fast_lengths, self.blockwise
        for field, text in dict.fromkeys((terms[0], terms[len(terms) // 2], terms[-1])):
            try:
                found = arrays.get(field, text)
                if found is None:
                    return [f"posting arrays cannot be read (no {field}:{text})"]
                ids, scores = found
                want_ids, want_scores = probe._read(searcher, field, text)
            except Exception as error:  # noqa: BLE001
                return [f"posting arrays cannot be read ({error!r})"]
            if not (np.array_equal(ids, want_ids) and np.allclose(scores, want_scores)):
                return [f"posting arrays differ from the index for {field}:{text}"]
        return []

    def warm(self, searcher: Searcher, terms: Iterable[tuple[str, str]]) -> None:
        """Read, before any search needs them, the field lengths and the postings of
        ``terms``: from the build's posting arrays (read through once, so their pages are
        in memory), or from Whoosh for a build without them."""
        for field in ("name", "body"):
            if field in searcher.schema and searcher.schema[field].scorable:
                self._field_lengths(searcher, field)
        arrays = self.arrays
        if arrays is not None:
            self.touched = float(np.asarray(arrays.ids).sum() + np.asarray(arrays.scores).sum())
        for field, text in terms:
            self.postings(searcher, field, text)

    def scores(self, searcher: Searcher, query: Query) -> tuple[np.ndarray, np.ndarray]:
        """Scores of every document matching ``query``: (docnums, scores), as Whoosh sums them.

        ``query`` must pass ``supported()``. An OR adds the scores of the parts that match;
        an AND matches only where every part does and adds their scores; boosts multiply.
        """
        total, hit = self._evaluate(searcher, query)
        docnums = np.flatnonzero(hit)
        return docnums, total[docnums]

    def _evaluate(self, searcher: Searcher, query: Query) -> tuple[np.ndarray, np.ndarray]:
        """Dense (scores, matched) arrays for ``query``, combining parts as Whoosh does."""
        if type(query) is Term:
            total = np.zeros(self.doc_count, dtype=np.float64)
            hit = np.zeros(self.doc_count, dtype=bool)
            ids, base = self.postings(searcher, query.fieldname, query.text)
            total[ids] = base * query.boost
            hit[ids] = True
            return total, hit
        if type(query) is AndNot:  # the positive part's scores, where the negative is absent
            total, hit = self._evaluate(searcher, query.a)
            hit &= ~self._matched(searcher, query.b)
            total[~hit] = 0.0
        elif type(query) is Or:
            total = np.zeros(self.doc_count, dtype=np.float64)
            hit = np.zeros(self.doc_count, dtype=bool)
            for sub in query.subqueries:
                if type(sub) is Term:  # the common case, without dense temporaries
                    ids, base = self.postings(searcher, sub.fieldname, sub.text)
                    total[ids] += base * sub.boost
                    hit[ids] = True
                else:
                    sub_total, sub_hit = self._evaluate(searcher, sub)
                    total += sub_total
                    hit |= sub_hit
        else:  # And
            total = np.zeros(self.doc_count, dtype=np.float64)
            hit = np.ones(self.doc_count, dtype=bool)
            for sub in query.subqueries:
                sub_total, sub_hit = self._evaluate(searcher, sub)
                total += sub_total
                hit &= sub_hit
            total[~hit] = 0.0
        if query.boost != 1.0:
            total *= query.boost
        return total, hit

    def _matched(self, searcher: Searcher, query: Query) -> np.ndarray:
        """Which documents ``query`` matches, without scores (an AND NOT's negative part):
        an OR of terms, the usual case, is one boolean array and no scores at all."""
        if type(query) is Or and all(type(sub) is Term for sub in query.subqueries):
            hit = np.zeros(self.doc_count, dtype=bool)
            for sub in query.subqueries:
                hit[self.postings(searcher, sub.fieldname, sub.text)[0]] = True
            return hit
        return self._evaluate(searcher, query)[1]

    def postings(self, searcher: Searcher, field: str, text: str) -> tuple[np.ndarray, np.ndarray]:
        """Document numbers and unboosted BM25F scores of one term (cached per build)."""
        arrays = self.arrays
        if arrays is not None:
            found = arrays.get(field, text)
            if found is not None:
                return found
        key = (field, text)
        with self._lock:
            found = self._postings.get(key)
            if found is not None:
                self._postings.move_to_end(key)
                return found
        found = self._read(searcher, field, text)
        with self._lock:
            if key not in self._postings:
                self._postings[key] = found
                self._cached += found[0].size
                while self._cached > self.max_postings and len(self._postings) > 1:
                    _, (old_ids, _old) = self._postings.popitem(last=False)
                    self._cached -= old_ids.size
        return found

    def _read(self, searcher: Searcher, field: str, text: str) -> tuple[np.ndarray, np.ndarray]:
        reader = searcher.reader()
        if field not in searcher.schema or (field, text) not in reader:
            return _EMPTY
        scorer = searcher.weighting.scorer(searcher, field, text)
        matcher = reader.postings(field, text)
        read = _blockwise_postings if self.blockwise else _public_postings
        ids, weights = read(matcher)
        if not ids.size:
            return _EMPTY
        if isinstance(scorer, BM25FScorer):
            lengths = self._field_lengths(searcher, field)[ids]
            tf = weights
            norm = scorer.K1 * ((1 - scorer.B) + scorer.B * lengths / scorer.avgfl)
            base = scorer.idf * ((tf * (scorer.K1 + 1)) / (tf + norm))
        elif isinstance(scorer, WeightScorer):  # fields indexed as unscored keywords
            base = weights
        else:  # another weighting model: ask it document by document (still cached)
            matcher = reader.postings(field, text, scorer=scorer)
            base = np.fromiter(_each_score(matcher), dtype=np.float64, count=ids.size)
        return ids, base.astype(np.float64)

    def _field_lengths(self, searcher: Searcher, field: str) -> np.ndarray:
        with self._lock:
            lengths = self._lengths.get(field)
        if lengths is None:
            read: Callable[[object, str, int], np.ndarray] = (
                _fast_lengths if self.fast_lengths else _public_lengths
            )
            lengths = read(searcher, field, self.doc_count)
            with self._lock:
                self._lengths[field] = lengths
        return lengths


def _fast_lengths(searcher: Searcher, field: str, doc_count: int) -> np.ndarray:
    """Every document's stored length of ``field``, read from the codec's length column in
    one pass (a millisecond at 100,000 documents, against a second through the public API).
    Private to whoosh-reloaded 2.7.5: ``TermScorer.check`` proves it before it is used."""
    from whoosh.codec.whoosh3 import LENGTHS_COLUMN, _lenfield
    from whoosh.util.numeric import byte_to_length

    column = searcher.reader()._perdoc._cached_reader(_lenfield(field), LENGTHS_COLUMN)
    if column is None:
        return _public_lengths(searcher, field, doc_count)
    decode = np.array([byte_to_length(b) or 1 for b in range(256)], dtype=np.float64)
    raw = np.fromiter(column, dtype=np.int64, count=doc_count)
    return decode[raw]


def _public_lengths(searcher: Searcher, field: str, doc_count: int) -> np.ndarray:
    """The same lengths through Whoosh's public API, a document at a time (at least 1)."""
    length = searcher.doc_field_length
    return np.array(
        [length(docnum, field, 1) or 1 for docnum in range(doc_count)], dtype=np.float64
    )


def _blockwise_postings(matcher: Matcher) -> tuple[np.ndarray, np.ndarray]:
    """All postings of a term as (ids, weights), a block at a time (private to the codec;
    ``TermScorer.check`` proves it first)."""
    id_blocks: list[np.ndarray] = []
    weight_blocks: list[np.ndarray] = []
    while matcher.is_active():
        matcher._read_ids()
        matcher._read_weights()
        id_blocks.append(np.asarray(matcher._ids, dtype=np.int32))
        weight_blocks.append(np.asarray(matcher._weights, dtype=np.float64))
        matcher._next_block()
    if not id_blocks:
        return _EMPTY
    return np.concatenate(id_blocks), np.concatenate(weight_blocks)


def _public_postings(matcher: Matcher) -> tuple[np.ndarray, np.ndarray]:
    """The same postings through the matcher's public API, a posting at a time."""
    ids: list[int] = []
    weights: list[float] = []
    while matcher.is_active():
        ids.append(matcher.id())
        weights.append(matcher.weight())
        matcher.next()
    if not ids:
        return _EMPTY
    return np.array(ids, dtype=np.int32), np.array(weights, dtype=np.float64)


def _scored_field(searcher: Searcher) -> str | None:
    """A field scored with lengths (BM25F), to prove the fast paths on."""
    for name in ("body", "name"):
        if name in searcher.schema and searcher.schema[name].scorable:
            return name
    return None


def _sample_term(searcher: Searcher, field: str) -> str | None:
    """The field's most frequent term among its first few, so the probe spans blocks."""
    best: tuple[int, str] | None = None
    for number, (text, info) in enumerate(searcher.reader().iter_field(field)):
        frequency = info.doc_frequency()
        if best is None or frequency > best[0]:
            best = (frequency, text if isinstance(text, str) else text.decode("utf-8"))
        if number >= 200:
            break
    return best[1] if best else None


def _each_score(matcher: Matcher) -> Iterator[float]:
    while matcher.is_active():
        yield matcher.score()
        matcher.next()
