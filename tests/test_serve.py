"""`signpost serve`: gunicorn really serves the app, and its access log keeps no query text."""

from __future__ import annotations

import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from serving import access_record, default_workers

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def get(port: int, path: str) -> tuple[int, bytes]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    connection.request("GET", path)
    response = connection.getresponse()
    return response.status, response.read()


@pytest.fixture
def server(settings, publish_data, tmp_path):
    assert publish_data().ok
    port = free_port()
    log_path = tmp_path / "server.log"
    log_file = log_path.open("w")
    env = dict(os.environ, SIGNPOST_ACCESS_LOG="on")
    process = subprocess.Popen(
        [sys.executable, "-m", "cli", "serve", "--port", str(port), "--workers", "2",
         "--threads", "2", "--data", str(settings.data_dir), "--index", str(settings.index_dir)],
        cwd=ROOT, env=env, stdout=log_file, stderr=subprocess.STDOUT, start_new_session=True,
    )  # fmt: skip
    deadline = time.time() + 30
    while True:
        try:
            if get(port, "/healthz")[0] == 200:
                break
        except OSError:
            pass
        if process.poll() is not None or time.time() > deadline:
            log_file.close()
            pytest.fail("server did not start:\n" + log_path.read_text())
        time.sleep(0.2)
    yield port, log_path
    os.killpg(process.pid, signal.SIGTERM)
    process.wait(timeout=30)
    log_file.close()


def test_gunicorn_serves_pages_health_and_api(server):
    port, log_path = server
    status, body = get(port, "/healthz")
    health = json.loads(body)
    assert status == 200 and health["status"] == "ok" and health["listings"] == 1
    status, body = get(port, "/?q=lonely+on+my+own&near=CT9+1EP")
    assert status == 200 and b"Margate Men" in body
    assert get(port, "/services/margate-mens-shed")[0] == 200
    assert get(port, "/api/v1/services?q=shed")[0] == 200
    time.sleep(0.3)
    log = log_path.read_text()
    assert "Booting worker" in log
    lines = [json.loads(line) for line in log.splitlines() if line.startswith("{")]
    searched = [line for line in lines if line["path"] == "/"]
    assert searched and searched[0]["status"] == 200 and searched[0]["ms"] > 0
    assert {line["path"] for line in lines} >= {"/healthz", "/services/margate-mens-shed"}
    assert "lonely" not in log and "CT9" not in log and "q=" not in log


def test_access_record_has_no_query():
    line = json.loads(access_record("GET", "/", 200, 12.345, "b1"))
    assert line == {"method": "GET", "path": "/", "status": 200, "ms": 12.3, "build": "b1"}


def test_default_workers_follow_the_cores():
    assert default_workers(1) == 1
    assert default_workers(2) == 2
    assert default_workers(64) == 8
