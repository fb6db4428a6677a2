"""Schemathesis against a running ``signpost serve``, from outside the process.

The in-process run in tests/test_api.py sees only what Flask does. This one goes through
gunicorn over loopback, as a client would, so it also sees what the web server itself
answers (over-long addresses, methods nobody routed, OPTIONS and TRACE) and checks it against
the OpenAPI document. It is bounded: a few examples per operation, a fixed seed, a time limit.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.test_serve import start_server, stop_server

ROOT = Path(__file__).resolve().parent.parent
SCHEMATHESIS = Path(sys.executable).with_name("schemathesis")
CHECKS = ",".join(
    (
        "not_a_server_error",
        "status_code_conformance",
        "content_type_conformance",
        "response_schema_conformance",
        "response_headers_conformance",
        "negative_data_rejection",
        "unsupported_method",
        "valid_requests_accepted",  # tests/schemathesis_hooks.py
    )
)

# A 414 from gunicorn (an address over 4 KB, as fuzzed values can make) is a refusal too.
CONFIG = """
[checks.negative_data_rejection]
expected-statuses = ["400", "401", "403", "404", "405", "406", "409", "414", "415", "422",
                     "428", "429", "5xx"]
"""


@pytest.fixture(scope="module")
def live_api(api_settings, tmp_path_factory):
    log_path = tmp_path_factory.mktemp("schemathesis") / "server.log"
    process, port = start_server(api_settings, log_path, SIGNPOST_RATE_LIMIT_STORAGE="memory://")
    yield port, log_path
    stop_server(process)


def test_the_running_server_keeps_to_its_openapi_document(live_api, tmp_path):
    port, log_path = live_api
    config = tmp_path / "schemathesis.toml"
    config.write_text(CONFIG, encoding="utf-8")
    command = [
        str(SCHEMATHESIS), "--config-file", str(config),
        "run", f"http://127.0.0.1:{port}/api/v1/openapi.json",
        "--checks", CHECKS,
        # Stateful runs add little for a read-only API and are the slowest phase.
        "--phases", "examples,coverage,fuzzing",
        "--max-examples", "5",
        # The coverage phase is a fixed set of cases; fuzzing runs until this time is up.
        "--max-time", "30",
        "--seed", "20261130",
        "--generation-deterministic",
        "--workers", "1",
        "--request-timeout", "10",
        "--continue-on-failure",
        "--no-color",
        "--output-truncate", "true",
    ]  # fmt: skip
    env = dict(os.environ, SCHEMATHESIS_HOOKS="tests.schemathesis_hooks", PYTHONPATH=str(ROOT))
    result = subprocess.run(
        command, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=240
    )
    report = result.stdout + result.stderr
    assert result.returncode == 0, report[-20_000:]
    tested = re.search(r"Tested: (\d+)", report)
    assert tested, report[-5_000:]
    assert int(tested.group(1)) >= 9, report[-5_000:]
    assert "Traceback" not in log_path.read_text()
