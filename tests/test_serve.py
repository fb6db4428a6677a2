"""`signpost serve`: gunicorn really serves the app, and its access log keeps no query text."""

from __future__ import annotations

import http.client
import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from serving import access_record, default_workers
from tests.conftest import free_port
from tests.test_live_reindex import write_generation

ROOT = Path(__file__).resolve().parent.parent


def get(port: int, path: str) -> tuple[int, bytes]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    connection.request("GET", path)
    response = connection.getresponse()
    return response.status, response.read()


def start_server(
    settings, log_path: Path, workers: int = 2, **extra_env: str
) -> tuple[subprocess.Popen, int]:
    port = free_port()
    log_file = log_path.open("w")
    env = dict(os.environ, SIGNPOST_ACCESS_LOG="on", SIGNPOST_RATE_LIMIT="100000 per second")
    env.update(extra_env)
    process = subprocess.Popen(
        [sys.executable, "-m", "cli", "serve", "--port", str(port), "--workers", str(workers),
         "--threads", "2", "--data", str(settings.data_dir), "--index", str(settings.index_dir)],
        cwd=ROOT, env=env, stdout=log_file, stderr=subprocess.STDOUT, start_new_session=True,
    )  # fmt: skip
    log_file.close()
    deadline = time.time() + 30
    while True:
        try:
            if get(port, "/healthz")[0] == 200:
                return process, port
        except OSError:
            pass
        if process.poll() is not None or time.time() > deadline:
            stop_server(process)
            pytest.fail("server did not start:\n" + log_path.read_text())
        time.sleep(0.2)


def wait_for(condition, timeout: float = 30.0, step: float = 0.05) -> None:
    """Poll ``condition`` until it holds (instead of sleeping a fixed time and hoping)."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"waited {timeout:g} s and it never happened")
        time.sleep(step)


def stop_server(process: subprocess.Popen) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=30)


@pytest.fixture
def server(settings, publish_data, tmp_path):
    assert publish_data().ok
    log_path = tmp_path / "server.log"
    process, port = start_server(settings, log_path)
    yield port, log_path
    stop_server(process)


def test_gunicorn_serves_pages_health_and_api(server):
    port, log_path = server
    status, body = get(port, "/healthz")
    health = json.loads(body)
    assert status == 200
    assert health["status"] == "ok"
    assert health["listings"] == 1
    status, body = get(port, "/?q=lonely+on+my+own&near=CT9+1EP")
    assert status == 200
    assert b"Margate Men" in body
    assert get(port, "/services/margate-mens-shed")[0] == 200
    assert get(port, "/api/v1/services?q=shed")[0] == 200
    wait_for(lambda: '"path":"/api/v1/services"' in log_path.read_text())
    log = log_path.read_text()
    assert "Booting worker" in log
    lines = [json.loads(line) for line in log.splitlines() if line.startswith("{")]
    searched = [line for line in lines if line["path"] == "/"]
    assert searched
    assert searched[0]["status"] == 200
    assert searched[0]["ms"] > 0
    assert {line["path"] for line in lines} >= {"/healthz", "/services/margate-mens-shed"}
    assert "lonely" not in log
    assert "CT9" not in log
    assert "q=" not in log


def test_access_record_has_no_query():
    line = json.loads(access_record("GET", "/", 200, 12.345, "b1"))
    assert line == {"method": "GET", "path": "/", "status": 200, "ms": 12.3, "build": "b1"}


def test_default_workers_follow_the_cores():
    assert default_workers(1) == 1
    assert default_workers(2) == 2
    assert default_workers(64) == 8


def test_rebuilding_under_load_loses_nothing_and_never_mixes_builds(
    settings, template_text, tmp_path
):
    """Searches keep flowing to gunicorn's workers while the index is rebuilt four times."""
    from directory.places import default_gazetteer
    from search.publish import publish

    folder = settings.services_dir / "thanet"
    (folder / "margate-mens-shed.yaml").unlink()

    def write(generation: int) -> None:
        write_generation(folder, template_text, generation, count=4)

    write(0)
    first = publish(settings, default_gazetteer())
    assert first.ok
    generation_of = {first.info.build_id: 0}
    process, port = start_server(settings, tmp_path / "server.log")
    answers: list[tuple[int, dict]] = []
    failures: list[str] = []
    stop = threading.Event()

    def client() -> None:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        while not stop.is_set():
            try:
                connection.request("GET", "/api/v1/services?q=shed&per_page=10")
                response = connection.getresponse()
                answers.append((response.status, json.loads(response.read())))
            except (OSError, http.client.HTTPException, ValueError) as error:
                failures.append(repr(error))
                connection.close()
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        connection.close()

    threads = [threading.Thread(target=client) for _ in range(4)]
    try:
        for thread in threads:
            thread.start()
        for generation in range(1, 5):
            seen = len(answers)
            wait_for(lambda seen=seen: len(answers) >= seen + 5)  # some answers on this build
            write(generation)
            published = publish(settings, default_gazetteer())
            assert published.ok
            generation_of[published.info.build_id] = generation
        last = published.info.build_id
        wait_for(lambda: any(body.get("build_id") == last for _status, body in answers[-50:]))
    finally:
        stop.set()
        for thread in threads:
            thread.join(timeout=30)
        stop_server(process)

    assert failures == []
    assert len(answers) > 40
    builds = set()
    for status, body in answers:
        assert status == 200, body
        assert body["total"] == 4, "never an empty or partial answer"
        generation = generation_of[body["build_id"]]
        names = [result["name"] for result in body["results"]]
        assert all(name.endswith(f"generation {generation}") for name in names), names
        builds.add(body["build_id"])
    assert len(builds) >= 3, "the workers picked up new builds without a restart"


def test_warm_up_loads_everything_and_logs_nothing(app, data_dir, tmp_path, caplog):
    from app import create_app
    from serving import warm_up

    with caplog.at_level("INFO", logger="signpost.access"):
        warm_up(app)
        # A server started before the first index build warms up without failing.
        warm_up(create_app({"SIGNPOST_DATA": str(data_dir), "SIGNPOST_INDEX": str(tmp_path)}))
    assert [r for r in caplog.records if r.name == "signpost.access"] == []
    assert app.extensions["signpost.live"].index.current_snapshot is not None
