"""Counting from the site and API, and what a broken store must never do to a search."""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path

import pytest

from app import create_app
from insights.store import Store, database_url
from tests.conftest import free_port, make_site_app
from tests.pg import postgres_cluster  # noqa: F401 - the session fixture

WEEK = "2026-11-23"  # the Monday of SITE_NOW's week


@pytest.fixture(scope="module")
def site_paths(tmp_path_factory) -> dict[str, str]:
    """A data folder and built index of the site listings, shared by this module's apps."""
    app = make_site_app(tmp_path_factory.mktemp("insights-site"), SIGNPOST_INSIGHTS="off")
    settings = app.config["SIGNPOST_SETTINGS"]
    return {
        "SIGNPOST_DATA": str(settings.data_dir),
        "SIGNPOST_INDEX": str(settings.index_dir),
        "SIGNPOST_CLOCK": app.config["SIGNPOST_CLOCK"],
    }


@pytest.fixture
def make_app(site_paths, tmp_path):
    """An app over the site listings with its own insights store (SQLite by default)."""
    made = []

    def build(**config):
        config.setdefault("SIGNPOST_DATABASE_URL", database_url(str(tmp_path / "i.sqlite3")))
        app = create_app({"TESTING": True, **site_paths, **config})
        made.append(app)
        return app

    yield build
    for app in made:
        app.extensions["signpost.insights"].recorder.close()


def flush(app) -> None:
    assert app.extensions["signpost.insights"].recorder.flush()


def store_of(app) -> Store:
    return Store.open(app.extensions["signpost.insights"].url)


def test_a_search_is_counted_by_week_district_and_need(make_app):
    app = make_app()
    client = app.test_client()
    assert client.get("/?q=feeling+lonely&near=CT9+1EP").status_code == 200
    assert client.get("/?q=feeling+lonely&near=CT9+1EP&page=2").status_code == 200  # same search
    assert client.get("/?q=lonely").status_code == 200
    assert client.get("/?q=lonely&near=Nowhereville+Xyz").status_code == 200
    flush(app)
    store = store_of(app)
    rows = store.searches_by_area_need()
    assert ("CT9", "loneliness", 1, 0) in rows
    assert ("none", "loneliness", 1, 0) in rows
    assert ("unknown", "loneliness", 1, 0) in rows  # found, though not near a known place
    assert {week for week, _need, _count in store.searches_by_week_need()} == {WEEK}
    shown = store.listing_events()
    assert shown
    assert all(set(events) == {"shown"} for events in shown.values())
    store.close()


def test_a_worker_warming_up_is_not_counted(make_app):
    from serving import warm_up

    app = make_app()
    warm_up(app)
    assert app.extensions["signpost.insights"].recorder.pending() == 0


def test_no_local_service_and_api_searches_are_counted(make_app):
    app = make_app()
    client = app.test_client()
    client.get("/?q=diabetes&near=CT9")  # no diabetes group meets in the site listings
    assert client.get("/api/v1/services?q=diabetes&near=CT9").status_code == 200
    flush(app)
    with store_of(app).engine.connect() as conn:
        rows = conn.exec_driver_sql(
            "SELECT district, need, channel, searches, no_local FROM search_counts"
        ).fetchall()
    assert sorted(rows) == [("CT9", "diabetes", "api", 1, 1), ("CT9", "diabetes", "site", 1, 1)]


def test_nothing_typed_and_no_address_is_ever_stored(make_app, tmp_path):
    app = make_app()
    client = app.test_client()
    client.get(
        "/?q=lost+my+wife+zebrafinch&near=CT9+1EP",
        environ_base={"REMOTE_ADDR": "203.0.113.77"},
        headers={"User-Agent": "UniqueAgent/9.9"},
    )
    client.get("/services/margate-bereavement-cafe", headers={"Cookie": "shortlist=secretid"})
    flush(app)
    raw = (tmp_path / "i.sqlite3").read_bytes()
    wal = tmp_path / "i.sqlite3-wal"
    raw += wal.read_bytes() if wal.exists() else b""
    for secret in (b"zebrafinch", b"lost my wife", b"203.0.113.77", b"UniqueAgent", b"1EP",
                   b"secretid"):  # fmt: skip
        assert secret not in raw


def test_opened_shortlisted_and_handout_are_counted(make_app):
    app = make_app()
    client = app.test_client()
    client.get("/services/margate-bereavement-cafe")
    client.post("/shortlist/add", data={"id": "margate-bereavement-cafe"})
    client.post("/shortlist/add", data={"id": "margate-bereavement-cafe"})  # already on it
    client.get("/shortlist/handout")
    client.get("/shortlist/text?ids=margate-bereavement-cafe,hove-memory-singers")
    flush(app)
    events = store_of(app).listing_events()
    assert events["margate-bereavement-cafe"] == {"opened": 1, "shortlisted": 1, "handout": 2}
    assert events["hove-memory-singers"] == {"handout": 1}


def test_recording_off_writes_nothing_and_says_so(make_app, tmp_path):
    app = make_app(SIGNPOST_INSIGHTS="off")
    client = app.test_client()
    client.get("/?q=lonely&near=CT9")
    client.get("/services/margate-bereavement-cafe")
    app.extensions["signpost.insights"].recorder.flush()
    assert not (tmp_path / "i.sqlite3").exists()
    response = client.get("/insights")
    assert response.status_code == 200
    assert "Counting is turned off" in response.get_data(as_text=True)
    assert "Nothing has been counted." in response.get_data(as_text=True)


@pytest.mark.parametrize("value", ["maybe", "0"])
def test_a_bad_switch_is_refused_at_start(make_app, value):
    from directory.settings import SettingError

    with pytest.raises(SettingError, match="SIGNPOST_INSIGHTS must be 'on' or 'off'"):
        make_app(SIGNPOST_INSIGHTS=value)


@pytest.mark.parametrize("value", ["mysql://u:secret@db/x", "redis://localhost"])
def test_a_database_url_signpost_cannot_use_is_refused_at_start(make_app, value):
    from directory.settings import SettingError

    with pytest.raises(SettingError, match="must be a postgresql:// URL or an SQLite file") as info:
        make_app(SIGNPOST_DATABASE_URL=value)
    assert "secret" not in str(info.value)


@pytest.mark.parametrize("value", ["five", "0", "-3"])
def test_a_bad_threshold_is_refused_at_start(make_app, value):
    from directory.settings import SettingError

    with pytest.raises(SettingError, match="SIGNPOST_SUPPRESS_BELOW must be a whole number"):
        make_app(SIGNPOST_SUPPRESS_BELOW=value)


@pytest.mark.parametrize("value", ["soon", "0", "-1", "7200"])
def test_a_bad_flush_interval_is_refused_at_start(make_app, monkeypatch, value):
    from directory.settings import SettingError

    monkeypatch.setenv("SIGNPOST_INSIGHTS_FLUSH_SECONDS", value)
    with pytest.raises(SettingError, match="SIGNPOST_INSIGHTS_FLUSH_SECONDS must be a number"):
        make_app()


def test_the_flush_interval_is_read_from_the_environment(make_app, monkeypatch):
    from views.insights import EXTENSION

    monkeypatch.setenv("SIGNPOST_INSIGHTS_FLUSH_SECONDS", "0.5")
    app = make_app()
    assert app.extensions[EXTENSION].recorder.flush_seconds == 0.5


def test_several_servers_share_one_postgresql_store(make_app, postgres_cluster):  # noqa: F811
    url = postgres_cluster.new_database()
    first, second = make_app(SIGNPOST_DATABASE_URL=url), make_app(SIGNPOST_DATABASE_URL=url)
    for app in (first, second, first):
        client = app.test_client()
        for _ in range(2):
            assert client.get("/?q=lonely&near=CT9+1EP").status_code == 200
        client.post("/feedback/margate-bereavement-cafe", data={"went": "yes"})
    flush(first)
    flush(second)
    page = second.test_client().get("/insights.json")
    body = page.get_json()
    lonely = next(row for row in body["demand_by_need"] if row["need"] == "loneliness")
    assert lonely["weeks"][WEEK] == 6
    cafe = first.test_client().get("/services/margate-bereavement-cafe").get_data(as_text=True)
    assert "Fewer than 5 people said they went" in cafe
    second.test_client().post("/feedback/margate-bereavement-cafe", data={"went": "yes"})
    second.test_client().post("/feedback/margate-bereavement-cafe", data={"went": "yes"})
    flush(second)
    assert "5 people said they went" in second.test_client().get(
        "/services/margate-bereavement-cafe"
    ).get_data(as_text=True)


# ---- A broken store never breaks a search ------------------------------------------------


def _search_and_page_work(app) -> None:
    client = app.test_client()
    for _ in range(3):
        assert client.get("/?q=lonely&near=CT9+1EP").status_code == 200
        assert client.get("/api/v1/services?q=lonely").status_code == 200
        assert client.get("/services/margate-bereavement-cafe").status_code == 200
        assert client.post("/shortlist/add", data={"id": "hove-memory-singers"}).status_code == 303
    assert app.extensions["signpost.insights"].recorder.flush() is False
    assert client.get("/?q=lonely&near=CT9+1EP").status_code == 200


def test_a_locked_sqlite_store_leaves_searches_answering(make_app, tmp_path):
    path = tmp_path / "locked.sqlite3"
    Store.open(database_url(str(path))).close()
    holder = sqlite3.connect(path, timeout=0)
    holder.execute("PRAGMA locking_mode = EXCLUSIVE")
    holder.execute("BEGIN EXCLUSIVE")
    holder.execute("INSERT INTO listing_counts VALUES ('w', 'x', 'opened', 1)")
    try:
        app = make_app(SIGNPOST_DATABASE_URL=database_url(str(path)))
        _search_and_page_work(app)
        recorder = app.extensions["signpost.insights"].recorder
        assert recorder.failures > 0  # tried, refused, and the counts kept for later
    finally:
        holder.rollback()
        holder.close()
    assert recorder.flush()
    assert store_of(app).listing_events()["hove-memory-singers"]["shortlisted"] == 1


@pytest.mark.parametrize(
    "path",
    [
        "/proc/signpost-insights.sqlite3",  # a read-only file system, even for root
        "{tmp}/a-file/insights.sqlite3",  # a folder that cannot be made
    ],
)
def test_an_unwritable_store_leaves_searches_answering(make_app, tmp_path, path):
    (tmp_path / "a-file").write_text("not a folder")
    app = make_app(SIGNPOST_DATABASE_URL=database_url(path.format(tmp=tmp_path)))
    _search_and_page_work(app)


def test_a_full_store_leaves_searches_answering(make_app, monkeypatch):
    from sqlalchemy.exc import OperationalError

    def full(*_args, **_kwargs):
        raise OperationalError("INSERT", {}, Exception("database or disk is full"))

    monkeypatch.setattr(Store, "add", full)
    _search_and_page_work(make_app())


def test_an_unreachable_postgresql_leaves_searches_answering(make_app):
    url = f"postgresql://signpost@127.0.0.1:{free_port()}/signpost"
    app = make_app(SIGNPOST_DATABASE_URL=url)
    started = time.monotonic()
    _search_and_page_work(app)
    assert time.monotonic() - started < 30  # connection refused at once, never a hang
    assert app.test_client().get("/insights").status_code == 503


def test_the_store_is_created_beside_the_index_by_default(site_paths, tmp_path):
    app = create_app({"TESTING": True, **site_paths})
    url = app.extensions["signpost.insights"].url
    assert url == "sqlite:///" + str(Path(site_paths["SIGNPOST_INDEX"]).parent / "insights.sqlite3")
    app.extensions["signpost.insights"].recorder.close()


def test_the_privacy_page_says_what_is_counted_and_what_is_not(make_app):
    page = make_app().test_client().get("/privacy").get_data(as_text=True)
    assert 'id="counting"' in page
    for words in ("the first half of the postcode, like CT9", "the words you typed",
                  "your internet (IP) address, cookies", 'we say "fewer than 5"'):  # fmt: skip
        assert words in page
    off = make_app(SIGNPOST_INSIGHTS="off").test_client().get("/privacy").get_data(as_text=True)
    assert "This site does not count searches, visits or answers." in off
