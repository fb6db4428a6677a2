"""Index builds: validate first, build aside, swap atomically, never empty the live index."""

from __future__ import annotations

import json
import os
import threading
from pathlib import Path

import pytest

from cli import main
from directory.model import Location
from directory.places import default_gazetteer
from directory.validation import validate_paths
from search import build as build_module
from search.build import CURRENT, KEEP_BUILDS, build_index, current_build, locate
from search.buildlock import IndexLocked, build_lock
from search.engine import search
from search.request import SearchRequest
from search.snapshot import SearchIndex
from tests.test_validate import replace_line


def test_cli_index_then_search(runner, data_dir, tmp_path):
    index = tmp_path / "ix"
    result = runner.invoke(main, ["index", "--index", str(index)])
    assert result.exit_code == 0, result.output
    assert "Indexed 1 listings" in result.stdout
    assert current_build(index) is not None
    result = runner.invoke(main, ["search", "lonely", "--near", "CT9 1EP", "--index", str(index)])
    assert result.exit_code == 0, result.output
    assert "margate-mens-shed" in result.stdout
    assert "Near CT9 1EP, within 5 miles" in result.stdout
    result = runner.invoke(
        main, ["search", "lonley", "--near", "Margate", "--json", "--index", str(index)]
    )
    data = json.loads(result.stdout)
    # The whole shape, so a field that goes missing or appears is noticed (scripts read it).
    assert sorted(data) == [
        "build_id", "covered_areas", "did_you_mean", "facets", "interpreted", "local_nearby",
        "location", "location_problem", "location_suggestions", "missing", "pages", "query",
        "results", "search_instead", "timed_out", "total", "unclear", "urgent", "wider",
    ]  # fmt: skip
    assert sorted(data["results"][0]) == [
        "distance_km", "distance_miles", "id", "listing", "name", "nearest_location",
        "organisation", "score",
    ]  # fmt: skip
    assert sorted(data["location"]) == [
        "country", "district", "kind", "label", "lat", "lon", "note"
    ]  # fmt: skip
    assert data["did_you_mean"] == "lonely"
    assert data["results"][0]["id"] == "margate-mens-shed"
    assert data["results"][0]["distance_km"] > data["results"][0]["distance_miles"]
    assert data["location"]["label"].startswith("Margate")


def test_cli_search_bad_parameter(runner, data_dir, tmp_path):
    result = runner.invoke(main, ["search", "x", "--day", "someday", "--index", str(tmp_path)])
    assert result.exit_code == 2
    assert "'day' must be one of: mon, tue, wed, thu, fri, sat, sun." in result.output


def test_cli_search_without_index(runner, tmp_path):
    result = runner.invoke(main, ["search", "lonely", "--index", str(tmp_path / "none")])
    assert result.exit_code == 1
    assert "No search index" in result.output
    assert "signpost index" in result.output


def test_broken_listing_never_replaces_the_live_index(runner, data_dir, tmp_path, template_text):
    index = tmp_path / "ix"
    assert runner.invoke(main, ["index", "--index", str(index)]).exit_code == 0
    live = current_build(index)
    broken = data_dir / "services" / "thanet" / "broken-listing.yaml"
    broken.write_text(replace_line(template_text, "status: active", "status: open"), "utf-8")
    result = runner.invoke(main, ["index", "--index", str(index)])
    assert result.exit_code == 1
    assert "broken-listing.yaml:" in result.stdout
    assert "'open' is not allowed for status" in result.stdout
    assert "The live index was not changed" in result.stderr
    assert current_build(index) == live
    response = search(
        SearchIndex(index), SearchRequest(text="lonely"), _vocab(data_dir), default_gazetteer()
    )
    assert [hit.id for hit in response.hits] == ["margate-mens-shed"]


def _vocab(data_dir: Path):
    from directory.vocabulary import load_vocabulary

    return load_vocabulary(data_dir / "needs.yaml")


def _listings(data_dir: Path, vocab):
    report = validate_paths([data_dir / "services"], vocab)
    assert report.ok
    located, problems = locate(report.listings, default_gazetteer())
    assert not problems
    return located


def test_unknown_postcode_is_a_problem_not_an_omission(data_dir, vocab):
    listing = _listings(data_dir, vocab)[0]
    import dataclasses

    lost = dataclasses.replace(listing, locations=(Location("Hall", "1 Road, Margate", "CT9 9QQ"),))
    located, problems = locate([lost], default_gazetteer())
    assert located == []
    assert "we cannot find the postcode CT9 9QQ" in problems[0].message


def test_rebuild_is_picked_up_without_restart(data_dir, vocab, tmp_path, template_text):
    index = tmp_path / "ix"
    listings = _listings(data_dir, vocab)
    first = build_index(listings, index, vocab)
    handle = SearchIndex(index)
    assert handle.snapshot().build_id == first.build_id
    (data_dir / "services" / "thanet" / "second-shed.yaml").write_text(template_text, "utf-8")
    second = build_index(_listings(data_dir, vocab), index, vocab)
    assert second.build_id != first.build_id
    snapshot = handle.snapshot()
    assert snapshot.build_id == second.build_id
    assert snapshot.count == 2
    # The previous build stays on disk for readers that still hold it.
    assert first.folder.exists()
    assert os.readlink(index / CURRENT) == os.path.join("builds", second.build_id)


def test_old_builds_are_pruned(data_dir, vocab, tmp_path):
    index = tmp_path / "ix"
    listings = _listings(data_dir, vocab)
    builds = [build_index(listings, index, vocab) for _ in range(KEEP_BUILDS + 2)]
    kept = sorted(p.name for p in (index / "builds").iterdir())
    assert kept == [b.build_id for b in builds[-KEEP_BUILDS:]]


def test_failed_build_leaves_the_live_index(data_dir, vocab, tmp_path, monkeypatch):
    index = tmp_path / "ix"
    listings = _listings(data_dir, vocab)
    good = build_index(listings, index, vocab)

    def explode(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(build_module, "_write_index", explode)
    with pytest.raises(OSError, match="disk full"):
        build_index(listings, index, vocab)
    assert current_build(index) == good.folder
    assert not [p for p in (index / "builds").iterdir() if p.name.startswith(".")]
    with build_lock(index):  # released: the next build can start at once
        pass


def test_concurrent_builds_are_refused(data_dir, vocab, tmp_path):
    index = tmp_path / "ix"
    busy = r"Another index build is running \(process \d+\)"
    with build_lock(index), pytest.raises(IndexLocked, match=busy):
        build_index(_listings(data_dir, vocab), index, vocab)
    assert build_index(_listings(data_dir, vocab), index, vocab).count == 1


def test_a_lock_file_left_by_a_dead_build_does_not_block(data_dir, vocab, tmp_path):
    """The lock file's existence means nothing: only a live process holding it does."""
    index = tmp_path / "ix"
    (index / "builds" / ".20260101T000000000000-deadbeef.tmp").mkdir(parents=True)
    (index / "builds" / ".20260101T000000000000-deadbeef.tmp" / "x.seg").write_bytes(b"0" * 4096)
    (index / ".build.lock").write_text("99999999\n")
    (index / ".current.4242.tmp").symlink_to("builds/nowhere")
    info = build_index(_listings(data_dir, vocab), index, vocab)
    assert current_build(index) == info.folder
    leftovers = [p.name for p in (index / "builds").iterdir() if p.name.startswith(".")]
    assert leftovers == []
    assert not (index / ".current.4242.tmp").is_symlink()


def test_searches_keep_answering_during_rebuilds(data_dir, vocab, tmp_path, template_text):
    """Readers never see an error or an empty result while builds are swapped in."""
    index = tmp_path / "ix"
    first = build_index(_listings(data_dir, vocab), index, vocab)
    (data_dir / "services" / "thanet" / "second-shed.yaml").write_text(template_text, "utf-8")
    listings = _listings(data_dir, vocab)
    handle = SearchIndex(index)
    errors: list[BaseException] = []
    seen: dict[str, set[int]] = {}
    stop = threading.Event()

    def reader() -> None:
        while not stop.is_set():
            try:
                response = search(handle, SearchRequest(text="lonely"), vocab, default_gazetteer())
                seen.setdefault(response.build_id, set()).add(response.total)
            except BaseException as error:  # noqa: BLE001 - any failure fails the test
                errors.append(error)
                return

    threads = [threading.Thread(target=reader) for _ in range(3)]
    for thread in threads:
        thread.start()
    built = [first.build_id]
    try:
        for _ in range(4):
            built.append(build_index(listings, index, vocab).build_id)
    finally:
        stop.set()
        for thread in threads:
            thread.join()
    assert errors == []
    assert set(seen) <= set(built)
    # Every answer came whole from one build: one listing in the first, two after.
    assert seen.get(first.build_id, {1}) == {1}
    for build_id in built[1:]:
        assert seen.get(build_id, {2}) == {2}
