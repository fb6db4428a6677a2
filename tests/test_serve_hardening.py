"""``signpost serve`` facing a hostile network: slow clients, spoofed hosts, private logs.

Each test starts a real gunicorn on loopback (as ``tests/test_serve.py`` does) and talks to
it over sockets, because these defects live between the network and the app.
"""

from __future__ import annotations

import pytest

from bench.slow_clients import SlowClients, probe, probe_while
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
        assert answered and all(seconds is not None for seconds in answered), answered
        # The header deadline closes connections that never finish their request.
        assert slow.dropped >= 100
        assert probe(port, "/healthz") is not None
    finally:
        stop_server(process)
