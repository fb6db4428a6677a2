"""Rate limits shared between several app servers through Redis.

docs/deploy.md scales Signpost out to identical servers; with SIGNPOST_RATE_LIMIT_STORAGE
pointing at one Redis, a client's allowance is counted once across all of them. This starts a
throwaway Redis (Debian's redis-server, installed by `make test`) on a free port.
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import time

import pytest

from app import create_app
from tests.conftest import free_port, inside_one_minute

REDIS = shutil.which("redis-server")


@pytest.fixture
def redis_url(tmp_path):
    if REDIS is None:
        pytest.fail("redis-server is missing: `make test` installs it (Debian package).")
    port = free_port()
    process = subprocess.Popen(
        [REDIS, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
         "--dir", str(tmp_path)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    deadline = time.time() + 10
    while True:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                break
        except OSError:
            if time.time() > deadline:
                process.kill()
                pytest.fail("redis-server did not start")
            time.sleep(0.05)
    yield f"redis://127.0.0.1:{port}/0"
    process.terminate()
    process.wait(timeout=10)


def test_two_servers_share_one_allowance(settings, publish_data, redis_url):
    assert publish_data().ok
    config = {
        "TESTING": True,
        "RATELIMIT_ENABLED": True,
        "SIGNPOST_RATE_LIMIT": "5 per minute",
        "SIGNPOST_RATE_LIMIT_STORAGE": redis_url,
        "SIGNPOST_DATA": str(settings.data_dir),
        "SIGNPOST_INDEX": str(settings.index_dir),
    }
    first, second = create_app(config).test_client(), create_app(config).test_client()
    inside_one_minute()
    statuses = [client.get("/?q=shed").status_code for client in (first, second) * 3]
    assert statuses == [200] * 5 + [429]
    # Another client address still has its own allowance.
    other = second.get("/?q=shed", environ_base={"REMOTE_ADDR": "198.51.100.7"})
    assert other.status_code == 200
