"""``signpost serve`` facing a hostile network: slow clients, spoofed hosts, private logs.

Each test starts a real gunicorn on loopback (as ``tests/test_serve.py`` does) and talks to
it over sockets, because these defects live between the network and the app.
"""

from __future__ import annotations

import logging
import socket
import time

import pytest
from flask import request

from bench.slow_clients import SlowClients, probe, probe_while
from serving import private
from tests.test_serve import start_server, stop_server


@pytest.fixture
def published(settings, publish_data):
    assert publish_data().ok
    return settings


def test_a_hundred_slow_clients_do_not_stop_the_server(published, tmp_path):
    """100 connections trickling their headers; everyone else still answered within 1 s."""
    process, port = start_server(published, tmp_path / "server.log")
    try:
        with SlowClients(port, 100) as slow:
            answered = probe_while(port, stop_after=10, every=0.5)
        assert slow.opened >= 100
        assert answered
        assert all(seconds is not None for seconds in answered), answered
        # The header deadline closes connections that never finish their request.
        assert slow.dropped >= 100
        assert probe(port, "/healthz") is not None
    finally:
        stop_server(process)


# ---- Nothing a patient typed reaches a log -------------------------------------------------

MARKER = "zebrafinchwidow"  # a word no log line would contain by chance


def raw_exchange(port: int, data: bytes) -> bytes:
    """Send ``data`` as it is (malformed or not) and read the whole answer."""
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        sock.sendall(data)
        chunks = []
        while chunk := sock.recv(65536):
            chunks.append(chunk)
    return b"".join(chunks)


MALFORMED = [
    f"GET /?q={MARKER} lost my wife CT9 1EP HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n",
    f"GET /?q={MARKER} HTTP/1.1\r\nHost: 127.0.0.1\r\nX Bad {MARKER}: 1\r\n\r\n",
    f"GET /?q={MARKER} HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Ok: {MARKER}\x00\r\n\r\n",
    f"get /?q={MARKER} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n",
    f"GET /?q={MARKER}{'x' * 5000} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n",
    f"GET /?q={MARKER} HTTP/9.9\r\nHost: 127.0.0.1\r\n\r\n",
    f"GET /?q={MARKER}\r\n\r\n",
]
NORMAL = [
    f"/?q={MARKER}+lost+my+wife&near=CT9+1EP",
    f"/api/v1/services?q={MARKER}",
    f"/api/v1/services?{MARKER}=1",
    f"/api/v1/services?radius={MARKER}",
    f"/nowhere/{MARKER}",
    f"/shortlist/handout?ids={MARKER}",
]


def test_no_log_line_holds_what_a_visitor_typed(published, tmp_path):
    log_path = tmp_path / "server.log"
    process, port = start_server(published, log_path)
    try:
        answers = [raw_exchange(port, request.encode("latin-1")) for request in MALFORMED]
        for path in NORMAL:
            request = f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
            answers.append(raw_exchange(port, f"{request}Referer: /?q={MARKER}\r\n\r\n".encode()))
        form = f"ids={MARKER}"
        answers.append(
            raw_exchange(
                port,
                (
                    "POST /shortlist/handout HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
                    "Content-Type: application/x-www-form-urlencoded\r\n"
                    f"Content-Length: {len(form)}\r\n\r\n{form}"
                ).encode(),
            )
        )
        assert all(answer.startswith(b"HTTP/1.") for answer in answers), answers
        # Wait for the log to show the last request rather than sleeping a fixed time.
        deadline = time.monotonic() + 10
        while log_path.read_text().count('"path":"/shortlist/handout"') < 2:
            assert time.monotonic() < deadline, log_path.read_text()
            time.sleep(0.1)
    finally:
        stop_server(process)
    log = log_path.read_text()
    assert "Invalid request from ip=127.0.0.1" in log  # gunicorn did log the refusals
    assert MARKER not in log
    assert "lost my wife" not in log
    assert "CT9" not in log


def test_a_500s_log_has_the_traceback_but_not_the_request(app, caplog):
    @app.get("/explode")
    def explode():
        raise ValueError(f"could not understand {request.args['q']!r}")

    app.testing = False  # let Flask log and answer the 500 as in production
    with caplog.at_level(logging.ERROR):
        response = app.test_client().get(f"/explode?q={MARKER}")
    assert response.status_code == 500
    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert "Traceback" in logged
    assert "builtins.ValueError" in logged
    assert "explode" in logged
    assert MARKER not in logged
    assert MARKER not in caplog.text


@pytest.mark.parametrize(
    ("message", "expected"),
    [
        (
            "Invalid request from ip=10.0.0.1: Invalid HTTP Version: 'my wife HTTP/1.1'",
            "Invalid request from ip=10.0.0.1: Invalid HTTP Version (details withheld",
        ),
        ("Error handling request GET /?q=lost+my+wife", "Error handling request GET /?[query"),
        ('"GET /api/v1/services?q=debt HTTP/1.1" 200 -', '"GET /api/v1/services?[query removed]'),
        ("Booting worker with pid: 12", "Booting worker with pid: 12"),
    ],
)
def test_private_log_messages(message, expected):
    assert private(message).startswith(expected)
    assert "wife" not in private(message)
    assert "debt" not in private(message)


# ---- The API keeps to its OpenAPI document (what Schemathesis found against the server) ----

API_ALLOW = "GET, HEAD, OPTIONS"


@pytest.mark.parametrize("path", ["/api/v1/services", "/api/v1/needs", "/api/oruk/services"])
def test_trace_on_the_api_is_a_json_405_with_allow(api, path):
    response = api.open(path, method="TRACE")
    assert response.status_code == 405
    assert response.headers["Allow"] == API_ALLOW
    assert response.get_json()["error"]["code"] == "method-not-allowed"


def test_options_lists_only_the_methods_the_api_answers(api):
    response = api.options("/api/v1/services")
    assert response.headers["Allow"] == API_ALLOW


def test_site_405s_say_which_methods_are_allowed(client):
    response = client.open("/needs", method="TRACE")
    assert response.status_code == 405
    assert "GET" in response.headers["Allow"]
    assert "Sorry, we could not do that" in response.get_data(as_text=True)


@pytest.mark.parametrize(
    "query",
    [
        "/api/v1/services?page=1&page=x",
        "/api/v1/services?q=a&q=b",
        "/api/oruk/taxonomies?page=1&page=2",
    ],
)
def test_a_single_value_parameter_given_twice_is_refused(api, query):
    response = api.get(query)
    assert response.status_code == 400
    error = response.get_json()["error"]
    assert error["code"] == "bad-parameter"
    assert "more than once" in error["message"]


@pytest.mark.parametrize(
    "query",
    [
        "/api/v1/services?need=loneliness&need=bereavement",
        "/api/v1/services?day=&q=",
        "/api/oruk/services?day=MO,TU",
        "/api/oruk/services?day=MO&day=TU",
    ],
)
def test_lists_and_empty_values_are_still_accepted(api, query):
    assert api.get(query).status_code == 200


def test_the_document_declares_empty_values_and_the_servers_414(api):
    document = api.get("/api/v1/openapi.json").get_json()
    search = document["paths"]["/api/v1/services"]["get"]
    empty = {
        parameter["name"] for parameter in search["parameters"] if "allowEmptyValue" in parameter
    }
    assert {"q", "near", "radius", "day", "need", "free"} <= empty
    assert "text/html" in search["responses"]["414"]["content"]


def test_a_gevent_worker_lets_other_connections_in_after_each_request():
    """A keep-alive client whose next request is already waiting must not keep the worker
    to itself: after a request, other connections' greenlets run first."""
    import gevent

    from serving import _let_other_connections_in

    order: list[str] = []

    def busy_connection() -> None:
        _let_other_connections_in(None, None, None, None)
        order.append("busy client's next request")

    def waiting_connection() -> None:
        order.append("waiting client")

    gevent.joinall([gevent.spawn(busy_connection), gevent.spawn(waiting_connection)])
    assert order == ["waiting client", "busy client's next request"]


@pytest.mark.parametrize(("worker_class", "hooked"), [("gevent", True), ("gthread", False)])
def test_only_gevent_workers_get_the_turn_taking_hook(monkeypatch, worker_class, hooked):
    from gunicorn.app.base import BaseApplication

    import serving

    seen = {}

    def run(application) -> None:
        seen["post_request"] = application.cfg.post_request

    monkeypatch.setattr(BaseApplication, "run", run)
    serving.run_gunicorn(lambda: None, worker_class=worker_class)
    assert (seen["post_request"] is serving._let_other_connections_in) is hooked
