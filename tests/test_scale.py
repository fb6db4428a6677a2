"""Scale without surprises: what a build writes and how a running process switches builds.

A build writes separate segment files (no compound file, which Whoosh copies into memory
for every thread) and the vocabulary's postings as memory-mapped arrays, proven against
Whoosh when a build opens. A live directory opens and warms a new build aside and switches
only when it is ready, so no visitor waits for it. Speed and memory figures are printed by
``bench/scale_bench.py``, never asserted here.
"""

from __future__ import annotations

import gc
import json
import logging
import threading
from pathlib import Path

import numpy as np
import pytest
from whoosh.writing import CLEAR

from directory.places import default_gazetteer
from directory.validation import validate_paths
from search import scoring
from search.build import build_index, locate, vocabulary_terms
from search.engine import search
from search.live import LiveDirectory, WarmingIndex, settle_into_oldest_generation, warm
from search.payloads import STARTS_FILE, TEXTS_FILE
from search.request import SearchRequest
from search.scoring import IDS_FILE, SCORES_FILE, PostingArrays, TermScorer
from search.snapshot import SearchIndex, Snapshot

NAMES = ("Shed", "Walking Group", "Memory Cafe", "Debt Advice Drop-in", "Chat Line")


def write_listings(folder: Path, template: str, count: int, tag: str = "") -> None:
    for number in range(count):
        name = f"{NAMES[number % len(NAMES)]} {number}{tag}"
        text = template.replace("Margate Men's Shed", name)
        (folder / f"listing-{number}.yaml").write_text(text, encoding="utf-8")


def listings(data_dir: Path, vocab) -> list:
    report = validate_paths([data_dir / "services"], vocab)
    assert report.ok, report.problems
    located, problems = locate(report.listings, default_gazetteer())
    assert not problems
    return located


@pytest.fixture
def built(data_dir, vocab, template_text, tmp_path):
    write_listings(data_dir / "services" / "thanet", template_text, 12)
    info = build_index(listings(data_dir, vocab), tmp_path / "ix", vocab)
    return info, tmp_path / "ix"


def test_a_build_has_no_compound_file_and_writes_posting_arrays(built, vocab):
    info, _root = built
    names = {path.name for path in info.folder.iterdir()}
    assert not any(name.endswith(".seg") for name in names), names  # no compound segment
    assert {"postings.json", IDS_FILE, SCORES_FILE} <= names
    arrays = PostingArrays.load(info.folder)
    assert ("needs", "loneliness") in arrays.terms()
    assert ("body", "loneli") in arrays.terms()  # "lonely", "loneliness" as indexed


def test_posting_arrays_give_whooshs_own_postings_and_scores(built, vocab):
    info, _root = built
    snapshot = Snapshot.open(info.folder)
    assert snapshot.scorer.arrays is not None
    public = TermScorer(snapshot.count)  # Whoosh's public API, a posting at a time
    searcher = snapshot.searcher()
    terms = snapshot.scorer.arrays.terms()
    assert len(terms) > 10
    for field, text in terms:
        ids, scores = snapshot.scorer.postings(searcher, field, text)
        want_ids, want_scores = public._read(searcher, field, text)
        assert np.array_equal(ids, want_ids), (field, text)
        assert np.allclose(scores, want_scores), (field, text)
    # Every vocabulary term that occurs in the listings is there, ready for its first use.
    reader = searcher.reader()
    present = [term for term in vocabulary_terms(vocab) if term in reader]
    assert present
    assert set(present) <= set(terms)


def test_posting_arrays_that_disagree_with_the_index_are_not_used(built, vocab, caplog):
    info, root = built
    request = SearchRequest(text="lonely")
    before = [hit.id for hit in search(SearchIndex(root), request, vocab, None).hits]
    scores = np.load(info.folder / SCORES_FILE)
    np.save(info.folder / SCORES_FILE, scores * 3)  # a damaged or foreign file
    with caplog.at_level(logging.ERROR, logger=scoring.__name__):
        snapshot = Snapshot.open(info.folder)
    assert snapshot.scorer.arrays is None
    assert "posting arrays differ from the index" in caplog.text
    assert [hit.id for hit in search(snapshot, request, vocab, None).hits] == before


def test_a_build_without_posting_arrays_still_opens(built, vocab):
    info, _root = built
    (info.folder / "postings.json").unlink()
    snapshot = Snapshot.open(info.folder)
    assert snapshot.scorer.arrays is None
    assert search(snapshot, SearchRequest(text="lonely"), vocab, None).total == 13


def test_a_build_keeps_each_listings_json_beside_the_index_not_in_whoosh(built, vocab):
    info, _root = built
    snapshot = Snapshot.open(info.folder)
    assert snapshot.payloads is not None
    assert len(snapshot.payloads) == snapshot.count == 13
    stored = snapshot.searcher().stored_fields(0)
    assert "payload" not in stored  # not compressed into Whoosh's stored fields too
    listing = snapshot.listing_at(0)
    assert listing.id == stored["id"]
    assert snapshot.payload(0) == json.loads(snapshot.payloads.get(0))


def test_a_build_from_before_payload_files_reads_whooshs_stored_json(built, vocab):
    """Older builds kept the JSON in Whoosh's ``payload`` field: still read after an upgrade."""
    info, _root = built
    new = Snapshot.open(info.folder)
    expected = [new.listing_at(docnum) for docnum in range(new.count)]
    payloads = [json.dumps(new.payload(docnum)) for docnum in range(new.count)]
    ix = new.ix
    new.searcher().close()
    for name in (TEXTS_FILE, STARTS_FILE):
        (info.folder / name).unlink()
    with ix.writer() as writer:  # the documents again, as older builds wrote them
        writer.mergetype = CLEAR
        for listing, payload in zip(expected, payloads, strict=True):
            writer.add_document(id=listing.id, name=listing.name, payload=payload)
    old = Snapshot.open(info.folder)
    assert old.payloads is None
    assert [old.listing_at(docnum) for docnum in range(old.count)] == expected


def test_payload_files_that_do_not_match_the_index_stop_the_build_opening(built):
    info, _root = built
    (info.folder / TEXTS_FILE).write_bytes(b"{}")
    with pytest.raises(RuntimeError, match="rebuild"):
        Snapshot.open(info.folder)


def test_a_new_build_is_opened_and_warmed_before_requests_switch(
    data_dir, vocab, template_text, tmp_path
):
    folder = data_dir / "services" / "thanet"
    write_listings(folder, template_text, 3)
    root = tmp_path / "ix"
    first = build_index(listings(data_dir, vocab), root, vocab)
    release = threading.Event()
    warmed: list[str] = []

    def slow_warm(snapshot: Snapshot) -> None:
        if warmed:  # the new build: hold it until the test lets go
            assert release.wait(10)
        warm(snapshot, vocab)
        warmed.append(snapshot.build_id)

    index = WarmingIndex(root, slow_warm, open_aside_above=0)
    assert index.snapshot().build_id == first.build_id  # a fresh process opens its first
    write_listings(folder, template_text, 5, tag=" new")
    second = build_index(listings(data_dir, vocab), root, vocab)
    # While the new build warms, every request keeps the one it had, and answers whole.
    for _ in range(3):
        snapshot = index.snapshot()
        assert snapshot.build_id == first.build_id
        assert search(index, SearchRequest(text="shed"), vocab, None).build_id == first.build_id
    release.set()
    assert index.wait().build_id == second.build_id
    assert warmed == [first.build_id, second.build_id]  # warmed before it was handed out
    assert index.snapshot().build_id == second.build_id


def test_a_build_that_cannot_be_opened_keeps_the_last_one(
    data_dir, vocab, template_text, tmp_path, caplog
):
    folder = data_dir / "services" / "thanet"
    root = tmp_path / "ix"
    first = build_index(listings(data_dir, vocab), root, vocab)
    index = WarmingIndex(root, lambda snapshot: warm(snapshot, vocab), open_aside_above=0)
    assert index.snapshot().build_id == first.build_id
    write_listings(folder, template_text, 2)
    second = build_index(listings(data_dir, vocab), root, vocab)
    (second.folder / "facets.json.gz").write_bytes(b"not a facet table")
    with caplog.at_level(logging.ERROR, logger="search.live"):
        assert index.wait(timeout=5).build_id == first.build_id
    assert "Could not open the new build" in caplog.text
    assert search(index, SearchRequest(text="shed"), vocab, None).total == 1


def test_a_small_build_is_opened_by_the_request_that_notices_it(
    settings, publish_data, template_text
):
    """A few hundred listings open and warm in about 50 ms: a small directory shows a
    publish at once (bigger builds open aside, as above)."""
    assert publish_data().ok
    live = LiveDirectory(settings, default_gazetteer())
    assert isinstance(live.index, WarmingIndex)
    first = live.search(SearchRequest(text="shed")).build_id
    write_listings(settings.services_dir / "thanet", template_text, 4)
    second = publish_data()
    assert second.ok
    response = live.search(SearchRequest(text="shed"))
    assert response.build_id == second.info.build_id != first
    assert response.total == 5


def test_the_facet_table_is_saved_in_pieces_and_loads_whole(tmp_path, monkeypatch):
    """Each line of the saved table is a small JSON document (a site opening the next
    build aside never holds the interpreter long), and the table loads back the same; a
    table saved whole by an older build still loads."""
    import gzip
    import json

    from search import facets
    from search.facets import FILE_NAME, FacetTable

    monkeypatch.setattr(facets, "CHUNK", 3)
    table = FacetTable(
        count=7,
        ids=[f"id-{n}" for n in range(7)],
        names=[f"name {n}" for n in range(7)],
        reviewed=list(range(7)),
        ages=[(None, 12), (18, None), (None, None), (1, 2), (3, 4), (5, 6), (7, 8)],
        points=[[(51.5, 1.3)], [], [(50.1, -1.0), (50.2, -1.1)], [], [], [], [(52.0, 0.1)]],
        sessions=[[(("mon",), "10:00", "12:00", "weekly", ())]] * 7,
        sets={"cost": {"free": {0, 2, 3, 4, 6}}, "day": {"mon": set(range(7))}},
        words=frozenset({"shed", "walk"}),
    )
    table.save(tmp_path)
    with gzip.open(tmp_path / FILE_NAME, "rt", encoding="utf-8") as handle:
        lines = handle.read().splitlines()
    assert len(lines) > 10
    assert all(len(json.loads(line)) for line in lines)
    assert FacetTable.load(tmp_path).to_json() == table.to_json()
    with gzip.open(tmp_path / FILE_NAME, "wt", encoding="utf-8") as handle:
        handle.write(json.dumps(table.to_json()))  # the format before pieces
    assert FacetTable.load(tmp_path).to_json() == table.to_json()


def test_under_gevent_a_new_build_opens_in_a_real_thread(monkeypatch):
    """gunicorn's gevent workers patch ``threading``: a patched Thread would be a greenlet
    holding the worker's only thread while the build opens, so a real one is started."""
    import _thread

    from gevent import monkey

    from search import live

    started: list[tuple] = []

    def original(module: str, name: str):
        assert (module, name) == ("_thread", "start_new_thread")
        return lambda target, args: started.append(args) or _thread.start_new_thread(target, args)

    monkeypatch.setattr(monkey, "is_module_patched", lambda module: module == "threading")
    monkeypatch.setattr(monkey, "get_original", original)
    done = threading.Event()
    live.start_native_thread(lambda value: done.set(), "x")
    assert done.wait(5)
    assert started == [("x",)]


def test_what_a_build_made_is_moved_to_the_oldest_generation_not_frozen():
    """So no visitor's request pays for the garbage collector walking a new build."""
    made_by_a_build = [[number] for number in range(1000)]
    settle_into_oldest_generation()
    assert not any(item is made_by_a_build for item in gc.get_objects(generation=0))
    assert any(item is made_by_a_build for item in gc.get_objects(generation=2))
    assert gc.get_freeze_count() == 0  # a retired build's cycles can still be freed
