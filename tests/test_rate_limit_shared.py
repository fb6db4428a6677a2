"""Rate limits shared by every gunicorn worker on a server, without Redis, and logged."""

from __future__ import annotations

import http.client
import json
import time

import pytest
from limits import parse
from limits.strategies import MovingWindowRateLimiter, SlidingWindowCounterRateLimiter

from app import create_app
from tests.conftest import inside_one_minute
from tests.test_serve import start_server, stop_server
from views.ratelimit import SQLiteStorage, storage_uri


@pytest.mark.parametrize(
    ("strategy", "per"),
    [
        # The app's strategy; an hour, so the test never straddles a window's turn.
        (SlidingWindowCounterRateLimiter, "hour"),
        (MovingWindowRateLimiter, "minute"),  # what Flask-Limiter also offers
    ],
)
def test_two_processes_share_one_sqlite_allowance(tmp_path, strategy, per):
    """Two stores on one file stand for two workers: the allowance is counted once."""
    uri = storage_uri(tmp_path / "ratelimit.sqlite3")
    first = strategy(SQLiteStorage(uri))
    second = strategy(SQLiteStorage(uri))
    limit = parse(f"5 per {per}")
    answers = [limiter.hit(limit, "203.0.113.9") for limiter in (first, second) * 4]
    assert answers == [True] * 5 + [False] * 3
    assert first.hit(limit, "198.51.100.1")  # another client has its own allowance
    stats = second.get_window_stats(limit, "203.0.113.9")
    assert stats.remaining == 0
    assert stats.reset_time > time.time()
    first.clear(limit, "203.0.113.9")
    assert second.hit(limit, "203.0.113.9")


def test_the_moving_window_forgets_old_requests(tmp_path):
    limiter = MovingWindowRateLimiter(SQLiteStorage(storage_uri(tmp_path / "r.sqlite3")))
    limit = parse("2 per second")
    assert limiter.hit(limit, "a")
    assert limiter.hit(limit, "a")
    assert not limiter.hit(limit, "a")
    deadline = time.monotonic() + 5
    while not limiter.test(limit, "a"):
        assert time.monotonic() < deadline
        time.sleep(0.05)
    assert limiter.hit(limit, "a")


def test_a_store_needs_a_file():
    with pytest.raises(ValueError, match="needs a file"):
        SQLiteStorage("sqlite://")


def fresh_request(port: int, method: str, path: str, body: bytes | None = None) -> int:
    """One request on its own connection, so gunicorn may hand it to either worker."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        connection.request(method, path, body=body)
        response = connection.getresponse()
        response.read()
        return response.status
    finally:
        connection.close()


def access_lines(log_path) -> list[dict]:
    lines = log_path.read_text().splitlines()
    return [json.loads(line) for line in lines if line.startswith("{")]


def test_two_workers_give_a_client_the_configured_allowance_and_log_refusals(
    settings, publish_data, tmp_path
):
    assert publish_data().ok
    log_path = tmp_path / "server.log"
    process, port = start_server(settings, log_path, SIGNPOST_RATE_LIMIT="20 per minute")
    try:
        # start_server's own health checks are not limited; 30 searches are.
        inside_one_minute(margin=20.0)
        statuses = [fresh_request(port, "GET", "/?q=shed") for _ in range(30)]
        too_large = fresh_request(port, "POST", "/shortlist/handout", body=b"x" * 100_000)
    finally:
        stop_server(process)
    assert statuses.count(200) == 20, statuses
    assert statuses.count(429) == 10, statuses
    assert too_large == 413
    logged = [line["status"] for line in access_lines(log_path) if line["path"] != "/healthz"]
    assert logged.count(429) >= 10
    assert too_large in logged


def test_oversized_requests_are_logged(client, caplog):
    caplog.set_level("INFO", logger="signpost.access")
    response = client.post("/shortlist/handout", data=b"x" * 100_000)
    assert response.status_code == 413
    records = [json.loads(record.getMessage()) for record in caplog.records]
    assert records
    assert records[-1]["path"] == "/shortlist/handout"
    assert records[-1]["status"] == 413


def test_an_unusable_store_lets_requests_through(settings, publish_data, tmp_path):
    """A read-only folder (or Redis down) must not turn every page into an error."""
    assert publish_data().ok
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the store's folder should be")
    app = create_app(
        {
            "TESTING": True,
            "RATELIMIT_ENABLED": True,
            "SIGNPOST_RATE_LIMIT_STORAGE": storage_uri(blocker / "ratelimit.sqlite3"),
            "SIGNPOST_DATA": str(settings.data_dir),
            "SIGNPOST_INDEX": str(settings.index_dir),
        }
    )
    assert app.test_client().get("/?q=shed").status_code == 200


def test_cli_refuses_an_unknown_worker_class(runner, monkeypatch):
    from cli import main

    monkeypatch.setenv("SIGNPOST_WORKER_CLASS", "eventlet")
    result = runner.invoke(main, ["serve"])
    assert result.exit_code == 1
    assert "SIGNPOST_WORKER_CLASS must be one of gevent, gthread" in result.output


def test_the_sliding_window_weighs_the_last_window(tmp_path, monkeypatch):
    import views.ratelimit

    clock = [600.0]  # the start of a one-minute window
    monkeypatch.setattr(views.ratelimit.time, "time", lambda: clock[0])
    limiter = SlidingWindowCounterRateLimiter(SQLiteStorage(storage_uri(tmp_path / "r.sqlite3")))
    limit = parse("4 per minute")
    assert all(limiter.hit(limit, "a") for _ in range(4))
    assert not limiter.hit(limit, "a")
    clock[0] = 660.0 + 15  # a quarter into the next minute: 4 x 0.75 = 3 still count
    assert limiter.hit(limit, "a")
    assert not limiter.hit(limit, "a")
    clock[0] = 660.0 + 45  # three quarters in: 4 x 0.25 + 1 = 2 count
    assert limiter.hit(limit, "a")
    assert limiter.hit(limit, "a")
    assert not limiter.hit(limit, "a")
    clock[0] = 780.0  # two windows on: nothing counts
    assert all(limiter.hit(limit, "a") for _ in range(4))
