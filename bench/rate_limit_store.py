"""What a rate-limit check costs per request: memory:// against the shared SQLite store.

Each request checks two moving-window limits (the default "600 per minute;60 per second").
This times ``hit`` on both for many clients, as Flask-Limiter does once per request.

    .venv/bin/python bench/rate_limit_store.py
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from limits import parse_many  # noqa: E402
from limits.storage import storage_from_string  # noqa: E402
from limits.strategies import MovingWindowRateLimiter  # noqa: E402

from views.ratelimit import storage_uri  # noqa: E402

REQUESTS = 20_000
CLIENTS = 200


def per_request_us(uri: str) -> float:
    limiter = MovingWindowRateLimiter(storage_from_string(uri))
    limits = parse_many("600 per minute;60 per second")
    started = time.perf_counter()
    for number in range(REQUESTS):
        client = f"198.51.100.{number % CLIENTS}"
        for limit in limits:
            limiter.hit(limit, client)
    return (time.perf_counter() - started) / REQUESTS * 1e6


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        sqlite_uri = storage_uri(Path(folder) / "ratelimit.sqlite3")
        print(f"{REQUESTS} requests from {CLIENTS} clients, two limits checked per request")
        for name, uri in (("memory://", "memory://"), ("sqlite (shared)", sqlite_uri)):
            print(f"{name:>16}: {per_request_us(uri):6.1f} us per request")


if __name__ == "__main__":
    main()
