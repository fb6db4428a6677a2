"""The insights store on SQLite and on PostgreSQL (a throwaway cluster started by tests/pg.py),
and the buffered recorder in front of it."""

from __future__ import annotations

import shutil
import sqlite3
import threading

import pytest
from sqlalchemy import inspect, select, text

from insights.record import Recorder, SearchKey, outward_code, week_of
from insights.store import (
    MIGRATIONS,
    SCHEMA_VERSION,
    Store,
    StoreError,
    database_url,
    listing_counts,
    schema_version,
    search_counts,
)
from tests.pg import postgres_cluster  # noqa: F401 - the session fixture

WEEK = "2026-11-23"


@pytest.fixture(params=["sqlite", "postgresql"])
def store_url(request, tmp_path):
    """A new, empty store's URL on each backend."""
    if request.param == "sqlite":
        return database_url(str(tmp_path / "insights.sqlite3"))
    return request.getfixturevalue("postgres_cluster").new_database()


@pytest.fixture
def store(store_url):
    opened = Store.open(store_url)
    yield opened
    opened.close()


def all_rows(store: Store, table) -> list[tuple]:
    with store.engine.connect() as conn:
        return [tuple(row) for row in conn.execute(select(table).order_by(*table.primary_key))]


def test_counts_are_aggregated_as_written_never_a_row_each(store):
    key = (WEEK, "CT9", "loneliness", "site")
    store.add({key: (1, 0)}, {(WEEK, "margate-mens-shed", "shown"): 1})
    store.add({key: (2, 1)}, {(WEEK, "margate-mens-shed", "shown"): 3})
    store.add({(WEEK, "CT9", "diabetes", "site"): (1, 1)}, {})
    assert all_rows(store, search_counts) == [
        (WEEK, "CT9", "diabetes", "site", 1, 1),
        (WEEK, "CT9", "loneliness", "site", 3, 1),
    ]
    assert all_rows(store, listing_counts) == [(WEEK, "margate-mens-shed", "shown", 4)]


def test_columns_could_not_hold_a_query_address_or_cookie(store):
    columns = {
        table: {column["name"] for column in inspect(store.engine).get_columns(table)}
        for table in ("search_counts", "listing_counts")
    }
    assert columns == {
        "search_counts": {"week", "district", "need", "channel", "searches", "no_local"},
        "listing_counts": {"week", "listing_id", "event", "count"},
    }


def test_schema_is_versioned_and_opening_again_changes_nothing(store, store_url):
    assert store.version() == SCHEMA_VERSION == MIGRATIONS[-1].version
    Store.open(store_url).close()
    versions = [row[0] for row in all_rows(store, schema_version)]
    assert versions == [step.version for step in MIGRATIONS]
    indexes = {index["name"] for index in inspect(store.engine).get_indexes("listing_counts")}
    assert "listing_counts_by_listing" in indexes


def test_an_older_store_is_migrated_in_order_keeping_its_counts(store_url):
    old = Store(store_url)
    with old.engine.begin() as conn:  # a store left at version 1 by an older Signpost
        conn.execute(
            text(
                "CREATE TABLE schema_version (version INTEGER PRIMARY KEY, "
                "description VARCHAR(200) NOT NULL, applied VARCHAR(32) NOT NULL)"
            )
        )
        MIGRATIONS[0].apply(conn)
        conn.execute(schema_version.insert().values(version=1, description="v1", applied="x"))
    old.add({}, {(WEEK, "a", "opened"): 7})
    old.close()
    store = Store.open(store_url)
    assert store.version() == SCHEMA_VERSION
    assert store.listing_events() == {"a": {"opened": 7}}
    store.close()


def test_servers_starting_together_migrate_once_without_errors(store_url):
    barrier = threading.Barrier(6)
    errors: list[Exception] = []

    def start() -> None:
        barrier.wait()
        try:
            Store.open(store_url).close()
        except Exception as error:  # noqa: BLE001 - collected for the assertion
            errors.append(error)

    threads = [threading.Thread(target=start) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    store = Store.open(store_url)
    assert [row[0] for row in all_rows(store, schema_version)] == [1, 2]
    store.close()


def test_a_store_from_a_newer_signpost_is_refused_with_a_reason(store, store_url):
    with store.engine.begin() as conn:
        conn.execute(schema_version.insert().values(version=99, description="future", applied="x"))
    with pytest.raises(StoreError, match="newer than this Signpost"):
        Store.open(store_url)
    with pytest.raises(StoreError, match="upgrade Signpost"):
        Store.open(store_url, readonly=True)


def test_readers_sum_over_the_weeks_asked_for(store):
    store.add(
        {
            ("2026-11-09", "CT9", "loneliness", "site"): (4, 1),
            ("2026-11-16", "CT9", "loneliness", "api"): (3, 0),
            ("2026-11-23", "CT9", "loneliness", "site"): (5, 2),
        },
        {("2026-11-09", "a", "handout"): 2, ("2026-11-23", "a", "handout"): 6},
    )
    assert store.searches_by_area_need("2026-11-16", "2026-11-23") == [("CT9", "loneliness", 8, 2)]
    assert store.searches_by_week_need(None, "2026-11-16") == [
        ("2026-11-09", "loneliness", 4),
        ("2026-11-16", "loneliness", 3),
    ]
    assert store.listing_events("2026-11-16", None, ["a"]) == {"a": {"handout": 6}}


def test_one_listings_figures_are_what_the_general_reader_gives(store):
    """The service page's prebuilt query sums the same weeks and events, in both databases."""
    store.add(
        {},
        {
            ("2026-09-28", "a", "handout"): 9,  # before the quarter asked for
            ("2026-10-05", "a", "handout"): 2,
            ("2026-11-23", "a", "handout"): 6,
            ("2026-11-23", "a", "went-yes"): 3,
            ("2026-11-23", "b", "handout"): 1,
        },
    )
    for listing_id in ("a", "b", "nobody"):
        expected = store.listing_events("2026-10-05", None, [listing_id]).get(listing_id, {})
        assert store.one_listing_events(listing_id, "2026-10-05") == expected
    assert store.one_listing_events("a", "2026-10-05") == {"handout": 8, "went-yes": 3}
    assert store.one_listing_events("nobody", "2026-10-05") == {}


def test_writers_in_parallel_lose_no_count(store_url):
    """Several servers (or threads) raising the same counts at once."""
    stores = [Store.open(store_url) for _ in range(4)]

    def write(target: Store) -> None:
        for _ in range(25):
            target.add({(WEEK, "CT9", "loneliness", "site"): (1, 1)}, {(WEEK, "a", "shown"): 1})

    threads = [threading.Thread(target=write, args=(s,)) for s in stores]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert stores[0].searches_by_area_need() == [("CT9", "loneliness", 100, 100)]
    assert stores[1].listing_events() == {"a": {"shown": 100}}
    for opened in stores:
        opened.close()


def test_sqlite_store_is_in_wal_mode_under_the_given_folder(tmp_path):
    path = tmp_path / "instance" / "insights.sqlite3"
    store = Store.open(database_url(str(path)))
    store.add({}, {(WEEK, "a", "opened"): 1})
    store.close()
    assert path.exists()
    with sqlite3.connect(path) as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_a_read_only_copy_can_be_read_offline(tmp_path):
    live = Store.open(database_url(str(tmp_path / "live.sqlite3")))
    live.add({(WEEK, "CT9", "loneliness", "site"): (6, 0)}, {})
    live.close()
    copy = tmp_path / "copy" / "insights.sqlite3"
    copy.parent.mkdir()
    shutil.copy(tmp_path / "live.sqlite3", copy)
    copy.chmod(0o444)
    reader = Store.open(database_url(str(copy)), readonly=True)
    assert reader.searches_by_area_need() == [("CT9", "loneliness", 6, 0)]
    reader.close()


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("mysql://localhost/x", "SQLite or PostgreSQL, not mysql"),
        ("sqlite://", "needs a file path"),
        ("not a url ://", "Not a database URL"),
    ],
)
def test_unusable_urls_are_explained(url, message):
    with pytest.raises(StoreError, match=message):
        Store.open(url)


def test_a_missing_copy_says_it_holds_no_insights(tmp_path):
    with pytest.raises(StoreError, match="Cannot use the insights store"):
        Store.open(database_url(str(tmp_path / "nothing.sqlite3")), readonly=True)


def test_postgres_urls_use_the_pinned_driver():
    assert database_url("postgresql://u@h/db") == "postgresql+psycopg://u@h/db"
    assert database_url("postgres://u@h/db") == "postgresql+psycopg://u@h/db"


# ---- The recorder -------------------------------------------------------------------------


def test_week_is_the_iso_weeks_monday_and_districts_are_outward_codes_only():
    from datetime import date

    assert week_of(date(2026, 11, 29)) == "2026-11-23"  # a Sunday
    assert week_of(date(2026, 11, 30)) == "2026-11-30"
    assert outward_code("ct9 1ep") == "CT9"
    assert outward_code("") == "other"


def test_recorder_buffers_then_writes_once(store):
    recorder = Recorder(lambda: store, background=False)
    key = SearchKey("CT9", ("loneliness", "men"), no_local=True, shown=("a", "b"))
    for _ in range(3):
        recorder.search(WEEK, key, "site")
    recorder.listings(WEEK, ["a"], "handout")
    assert store.searches_by_area_need() == []  # nothing written during the requests
    assert recorder.flush()
    assert store.searches_by_area_need() == [("CT9", "loneliness", 3, 3), ("CT9", "men", 3, 3)]
    assert store.listing_events() == {"a": {"shown": 3, "handout": 1}, "b": {"shown": 3}}
    assert recorder.pending() == 0


def test_recorder_keeps_counts_while_the_store_fails_and_writes_them_later(store):
    attempts = []

    def flaky() -> Store:
        attempts.append(1)
        if len(attempts) == 1:
            raise StoreError("unreachable")
        return store

    recorder = Recorder(flaky, background=False)
    recorder.listings(WEEK, ["a"], "opened")
    assert not recorder.flush()
    recorder.listings(WEEK, ["a"], "opened")
    assert recorder.flush()
    assert store.listing_events() == {"a": {"opened": 2}}


def test_recorder_memory_is_bounded_while_the_store_is_down():
    def down() -> Store:
        raise StoreError("down")

    recorder = Recorder(down, background=False, max_keys=10)
    for number in range(50):
        recorder.listings(WEEK, [f"listing-{number}"], "opened")
    recorder.listings(WEEK, ["listing-0"], "opened")  # a known count still grows
    assert not recorder.flush()
    assert recorder.pending() == 10
    assert recorder.dropped == 40


def test_background_thread_writes_after_enough_events(store):
    recorder = Recorder(lambda: store, flush_seconds=30, flush_events=5)
    for _ in range(5):
        recorder.listings(WEEK, ["a"], "opened")
    for _ in range(100):
        if store.listing_events():
            break
        threading.Event().wait(0.05)
    assert store.listing_events() == {"a": {"opened": 5}}
    recorder.close()


def test_recording_off_records_nothing():
    recorder = Recorder(None)
    recorder.search(WEEK, SearchKey("CT9", ("loneliness",), False), "site")
    recorder.listings(WEEK, ["a"], "opened")
    assert recorder.pending() == 0
    assert recorder.flush()
