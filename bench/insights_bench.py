"""What counting costs a search: site search latency with insights recording on and off.

The bundled listings are copied to a temporary folder and indexed once; four apps serve the
same index through Flask's test client (the whole request: routing, search, template):

- ``off``: SIGNPOST_INSIGHTS=off, and ``off, again``, a second such app: how far apart two
  identical apps come out is the noise of the shared machine, the yardstick for the rest;
- ``on``: recording into a fresh SQLite store (or --database URL, e.g. PostgreSQL), flushed
  by the background thread every --flush seconds, as in production;
- ``on, store locked``: as ``on``, but another connection holds an exclusive lock on the
  SQLite file all the time, so every background write fails and is retried.

Requests are interleaved (each round runs every app once, in a shuffled order), so a
neighbour's load on the shared machine falls on all modes alike. Prints p50/p95/mean per
mode, the p95 difference against ``off``, and the cost of the counting call on its own.

    .venv/bin/python bench/insights_bench.py                    # 400 rounds
    .venv/bin/python bench/insights_bench.py --rounds 1000 --flush 1
    .venv/bin/python bench/insights_bench.py --database postgresql://user@host/db
"""

from __future__ import annotations

import argparse
import random
import shutil
import sqlite3
import statistics
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

NOW = datetime(2026, 11, 24, 10, 30, tzinfo=ZoneInfo("Europe/London"))
QUERIES = [
    "/?q=lonely&near=CT9+1EP",
    "/?q=feeling+lonely&near=Margate",
    "/?q=bereavement&near=CT11",
    "/?q=walking+group&near=CT9",
    "/?q=diabetes&near=Hove",
    "/?q=memory+singing&near=BN3",
    "/?q=carer+support&near=Ramsgate",
    "/?q=food+bank&near=CT9+1EP",
    "/?q=money+worries",
    "/?q=mens+shed&near=CT11+9AA",
    "/?q=art&near=NW5",
    "/?q=anxiety&near=Deal",
    "/?need=loneliness&near=CT9",
    "/?q=gardening&near=CT9&free=true",
]


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    index = max(0, min(len(ordered) - 1, round(share * (len(ordered) - 1))))
    return ordered[index]


def build(folder: Path):
    from directory.places import default_gazetteer
    from directory.settings import Settings
    from search.publish import publish

    data = folder / "data"
    shutil.copytree(ROOT / "data", data)
    settings = Settings(data_dir=data, index_dir=folder / "index")
    published = publish(settings, default_gazetteer())
    if not published.ok:
        raise SystemExit("The bundled listings do not validate: run signpost validate.")
    return settings


def make_app(settings, **config):
    from app import create_app

    return create_app(
        {
            "TESTING": True,
            "SIGNPOST_DATA": str(settings.data_dir),
            "SIGNPOST_INDEX": str(settings.index_dir),
            "SIGNPOST_CLOCK": lambda: NOW,
            **config,
        }
    )


def counting_cost(calls: int = 20_000) -> float:
    """Microseconds per Recorder.search call (what a request pays), store never written."""
    from insights.record import Recorder, SearchKey

    recorder = Recorder(lambda: None, background=False)  # type: ignore[arg-type, return-value]
    key = SearchKey("CT9", ("loneliness",), False, tuple(f"listing-{n}" for n in range(10)))
    started = time.perf_counter()
    for _ in range(calls):
        recorder.search("2026-11-23", key, "site")
    cost = (time.perf_counter() - started) / calls * 1e6
    recorder.enabled = False  # nothing to write: this recorder has no store
    return cost


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=400)
    parser.add_argument("--warmup", type=int, default=30)
    parser.add_argument("--flush", type=float, default=5.0, help="seconds between writes")
    parser.add_argument("--database", default="", help="store URL for 'on' (default SQLite)")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()

    from insights.store import Store, database_url

    folder = Path(tempfile.mkdtemp(prefix="signpost-insights-bench-"))
    locker = None
    try:
        print("Indexing the bundled listings...", file=sys.stderr)
        settings = build(folder)
        on_url = args.database or database_url(str(folder / "on.sqlite3"))
        locked_path = folder / "locked.sqlite3"
        Store.open(database_url(str(locked_path))).close()
        locker = sqlite3.connect(locked_path, timeout=0)
        locker.execute("PRAGMA locking_mode = EXCLUSIVE")
        locker.execute("BEGIN EXCLUSIVE")
        locker.execute("INSERT INTO listing_counts VALUES ('w', 'x', 'opened', 1)")
        flush = {"SIGNPOST_INSIGHTS_FLUSH_SECONDS": args.flush}
        apps = {
            "off": make_app(settings, SIGNPOST_INSIGHTS="off"),
            # The same as "off": the difference between the two is the machine's noise.
            "off, again": make_app(settings, SIGNPOST_INSIGHTS="off"),
            "on": make_app(settings, SIGNPOST_DATABASE_URL=on_url, **flush),
            "on, store locked": make_app(
                settings, SIGNPOST_DATABASE_URL=database_url(str(locked_path)), **flush
            ),
        }
        clients = {name: app.test_client() for name, app in apps.items()}
        timings: dict[str, list[float]] = {name: [] for name in apps}
        rng = random.Random(args.seed)
        for round_number in range(args.warmup + args.rounds):
            path = QUERIES[round_number % len(QUERIES)]
            order = list(clients)
            rng.shuffle(order)
            for name in order:
                started = time.perf_counter()
                response = clients[name].get(path)
                elapsed = time.perf_counter() - started
                if response.status_code != 200:
                    raise SystemExit(f"{name}: {path} answered {response.status_code}")
                if round_number >= args.warmup:
                    timings[name].append(elapsed * 1000)
        recorded = apps["on"].extensions["signpost.insights"].recorder
        written = recorded.flush()
        locked = apps["on, store locked"].extensions["signpost.insights"].recorder

        print(
            f"Site search, {args.rounds} requests per mode, interleaved ({len(QUERIES)} "
            f"queries, bundled listings, flush every {args.flush:g} s)"
        )
        print(f"{'mode':<18} {'p50 ms':>8} {'p95 ms':>8} {'mean ms':>8} {'p95 vs off':>11}")
        base = percentile(timings["off"], 0.95)
        for name, values in timings.items():
            p95 = percentile(values, 0.95)
            change = "" if name == "off" else f"{(p95 - base) / base * 100:+.1f}%"
            print(f"{name:<18} {percentile(values, 0.5):>8.2f} {p95:>8.2f} "
                  f"{statistics.fmean(values):>8.2f} {change:>11}")  # fmt: skip
        print(f"Counting call on its own: {counting_cost():.2f} us per search (in memory).")
        print(
            f"'on' store written at the end: {written}; 'locked' store: {locked.failures} "
            f"failed writes, {locked.pending()} counts kept in memory."
        )
        for app in apps.values():
            app.extensions["signpost.insights"].recorder.close()
    finally:
        if locker is not None:
            locker.rollback()
            locker.close()
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
