"""What a rate-limit check costs per request: memory:// against the shared SQLite store.

Each request checks the two default limits ("600 per minute;60 per second"), as
Flask-Limiter does once per request, with the app's sliding window counter beside the
moving window it used before: many clients at a normal pace, and one busy client (a
bench's load generator, or a partner system behind one address with a raised limit) whose
moving window holds a row for every request of the past minute.

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
from limits.strategies import (  # noqa: E402
    MovingWindowRateLimiter,
    RateLimiter,
    SlidingWindowCounterRateLimiter,
)

from views.ratelimit import storage_uri  # noqa: E402

REQUESTS = 20_000
CLIENTS = 200


STRATEGIES: dict[str, type[RateLimiter]] = {
    "sliding window counter": SlidingWindowCounterRateLimiter,
    "moving window": MovingWindowRateLimiter,
}


def per_request_us(uri: str, strategy: type[RateLimiter], limits: str, clients: int) -> float:
    limiter = strategy(storage_from_string(uri))
    parsed = parse_many(limits)
    started = time.perf_counter()
    for number in range(REQUESTS):
        client = f"198.51.100.{number % clients}"
        for limit in parsed:
            limiter.hit(limit, client)
    return (time.perf_counter() - started) / REQUESTS * 1e6


def main() -> None:
    scenarios = (
        (f"{CLIENTS} clients", "600 per minute;60 per second", CLIENTS),
        ("1 busy client", "100000 per minute", 1),
    )
    print(f"{REQUESTS} requests, each checked against every limit")
    for scenario, limits, clients in scenarios:
        for strategy_name, strategy in STRATEGIES.items():
            with tempfile.TemporaryDirectory() as folder:
                sqlite_uri = storage_uri(Path(folder) / "ratelimit.sqlite3")
                for name, uri in (("memory://", "memory://"), ("sqlite (shared)", sqlite_uri)):
                    cost = per_request_us(uri, strategy, limits, clients)
                    print(f"{scenario:>12} {strategy_name:>22} {name:>16}: {cost:7.1f} us")


if __name__ == "__main__":
    main()
