"""Load benchmark: gunicorn serving 10,000 listings, driven over loopback by 1, 8 and 32 clients.

It builds an index of a synthetic corpus (``corpus.py``), starts ``signpost serve`` on a free
port, and for each number of concurrent clients runs a realistic mix for a fixed time:

    45% search pages (need words at a place, a third with filters)   /?q=...&near=...
    20% API searches                                                 /api/v1/services?...
    20% service pages                                                /services/<id>
    10% API service records                                          /api/v1/services/<id>
     5% browse by need                                               /needs

then the same server's trivial ``/healthz`` at the same concurrency, as the ceiling of what
the server and this client can do at all. It prints requests per second and p50/p95/p99
latency per kind, and the ratio to ``/healthz``; and writes ``results/load-<date>.json``.

Clients are threads with keep-alive connections, in this same process: on a 2-core machine
they share the cores with the server, as a reverse proxy on the same box would. The target
(issue 6): at 8 clients, search pages p95 under 100 ms and at least 100 requests/s.

    .venv/bin/python bench/load.py                      # about 4 minutes
    .venv/bin/python bench/load.py --clients 8 --seconds 10
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import platform
import random
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections import defaultdict
from datetime import date
from pathlib import Path
from urllib.parse import urlencode

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
for folder in (str(ROOT), str(BENCH)):
    if folder not in sys.path:
        sys.path.insert(0, folder)

from corpus import generate, load_sources  # noqa: E402
from search_bench import make_queries, percentile  # noqa: E402

from search.build import build_index  # noqa: E402

MIX = (
    ("search page", 45),
    ("api search", 20),
    ("service page", 20),
    ("api service", 10),
    ("browse needs", 5),
)
TARGET_P95_MS = 100.0
TARGET_RPS = 100.0


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def make_paths(corpus, vocab, count: int, seed: int) -> list[tuple[str, str]]:
    """(kind, path) pairs in the mix above, from the benchmark's own query generator."""
    rng = random.Random(f"signpost-load-{seed}")
    queries = make_queries(corpus, vocab, count, seed)
    ids = [listing.id for listing in corpus.listings]
    kinds = [kind for kind, weight in MIX for _ in range(weight)]
    paths = []
    for query in queries:
        kind = rng.choice(kinds)
        params: dict[str, object] = {"q": query.text, "near": query.near}
        if rng.random() < 0.33:
            params.update(free="true", day=query.day)
            if query.step_free:
                params["step_free"] = "true"
        if kind == "search page":
            paths.append((kind, "/?" + urlencode(params)))
        elif kind == "api search":
            paths.append((kind, "/api/v1/services?" + urlencode(params)))
        elif kind == "service page":
            paths.append((kind, f"/services/{rng.choice(ids)}"))
        elif kind == "api service":
            paths.append((kind, f"/api/v1/services/{rng.choice(ids)}"))
        else:
            paths.append((kind, "/needs"))
    return paths


class Client(threading.Thread):
    """One user: requests back to back on a keep-alive connection, recording each."""

    def __init__(self, port: int, paths, stop: threading.Event, number: int) -> None:
        super().__init__(daemon=True)
        self.port = port
        self.paths = paths
        self.stop = stop
        self.position = number * 7919  # each client walks the list from its own place
        self.records: list[tuple[str, float, int, float]] = []  # kind, ms, status, finished

    def run(self) -> None:
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        while not self.stop.is_set():
            kind, path = self.paths[self.position % len(self.paths)]
            self.position += 1
            start = time.perf_counter()
            try:
                connection.request("GET", path, headers={"Accept-Encoding": "gzip"})
                response = connection.getresponse()
                response.read()
                status = response.status
                if response.getheader("Connection", "").lower() == "close":
                    connection.close()
                    connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
            except (OSError, http.client.HTTPException):
                status = 0
                connection.close()
                connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
            finished = time.perf_counter()
            self.records.append((kind, (finished - start) * 1000, status, finished))
        connection.close()


def drive(port: int, paths, clients: int, seconds: float, warmup: float) -> dict:
    stop = threading.Event()
    threads = [Client(port, paths, stop, number) for number in range(clients)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    time.sleep(warmup + seconds)
    stop.set()
    for thread in threads:
        thread.join(timeout=60)
    window_start = started + warmup
    records = [r for t in threads for r in t.records if r[3] >= window_start]
    elapsed = max(r[3] for r in records) - window_start if records else seconds
    by_kind: dict[str, list[float]] = defaultdict(list)
    errors: dict[str, int] = defaultdict(int)
    for kind, millis, status, _ in records:
        by_kind[kind].append(millis)
        if status != 200:
            errors[kind] += 1
    summary = {
        "clients": clients,
        "seconds": round(elapsed, 2),
        "requests": len(records),
        "rps": round(len(records) / elapsed, 1) if elapsed else 0.0,
        "errors": sum(errors.values()),
        "kinds": {},
    }
    for kind, times in sorted(by_kind.items()):
        summary["kinds"][kind] = {
            "requests": len(times),
            "rps": round(len(times) / elapsed, 1),
            "p50_ms": round(percentile(times, 0.50), 2),
            "p95_ms": round(percentile(times, 0.95), 2),
            "p99_ms": round(percentile(times, 0.99), 2),
            "errors": errors.get(kind, 0),
        }
    all_times = [r[1] for r in records]
    summary["p50_ms"] = round(percentile(all_times, 0.50), 2) if all_times else None
    summary["p95_ms"] = round(percentile(all_times, 0.95), 2) if all_times else None
    summary["p99_ms"] = round(percentile(all_times, 0.99), 2) if all_times else None
    return summary


def start_server(
    index: Path,
    port: int,
    workers: int | None,
    threads: int | None,
    log_path: Path,
    tree: Path = ROOT,
):
    """``signpost serve`` of the source ``tree`` (this one, or an older one to compare)."""
    env = dict(os.environ)
    env.update(
        SIGNPOST_INDEX=str(index),
        SIGNPOST_DATA=str(ROOT / "data"),
        # The benchmark is one client address; the per-client limit would refuse it.
        SIGNPOST_RATE_LIMIT="100000000 per minute",
        PYTHONPATH=str(tree),
    )
    command = [sys.executable, "-m", "cli", "serve", "--port", str(port)]
    if workers:
        command += ["--workers", str(workers)]
    if threads:
        command += ["--threads", str(threads)]
    # The server's log goes to a file: an unread pipe fills up and blocks the workers.
    log_file = open(log_path, "w", encoding="utf-8")  # noqa: SIM115 - closed with the server
    server = subprocess.Popen(
        command,
        cwd=tree,
        env=env,
        stdout=log_file,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    deadline = time.time() + 60
    while time.time() < deadline:
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            connection.request("GET", "/healthz")
            if connection.getresponse().status == 200:
                return server
        except OSError:
            time.sleep(0.2)
        if server.poll() is not None:
            raise SystemExit("The server did not start:\n" + log_path.read_text())
    raise SystemExit("The server did not answer /healthz within 60 s.")


def stop_server(server) -> None:
    try:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
    except (ProcessLookupError, subprocess.TimeoutExpired):
        os.killpg(server.pid, signal.SIGKILL)


def warm(port: int, paths) -> None:
    """Every worker reads the index and caches postings before timing starts."""
    stop = threading.Event()
    threads = [Client(port, paths, stop, n) for n in range(4)]
    for thread in threads:
        thread.start()
    time.sleep(5)
    stop.set()
    for thread in threads:
        thread.join()


def report(levels: list[dict]) -> str:
    lines = [
        "| clients | kind | req/s | p50 ms | p95 ms | p99 ms | errors | p95 vs /healthz |",
        "|--:|---|--:|--:|--:|--:|--:|--:|",
    ]
    for level in levels:
        ceiling = level["healthz"]
        for kind, row in level["mix"]["kinds"].items():
            ratio = row["p95_ms"] / ceiling["p95_ms"] if ceiling["p95_ms"] else None
            lines.append(
                f"| {level['clients']} | {kind} | {row['rps']} | {row['p50_ms']} | "
                f"{row['p95_ms']} | {row['p99_ms']} | {row['errors']} | "
                f"{'' if ratio is None else f'{ratio:.1f}x'} |"
            )
        mix = level["mix"]
        lines.append(
            f"| {level['clients']} | **all (mix)** | **{mix['rps']}** | {mix['p50_ms']} | "
            f"{mix['p95_ms']} | {mix['p99_ms']} | {mix['errors']} | |"
        )
        lines.append(
            f"| {level['clients']} | /healthz alone | {ceiling['rps']} | {ceiling['p50_ms']} | "
            f"{ceiling['p95_ms']} | {ceiling['p99_ms']} | {ceiling['errors']} | 1.0x |"
        )
    return "\n".join(lines)


def check_targets(levels: list[dict]) -> list[str]:
    lines = []
    for level in levels:
        if level["clients"] != 8:
            continue
        search = level["mix"]["kinds"].get("search page", {})
        p95 = search.get("p95_ms")
        rps = level["mix"]["rps"]
        ok = p95 is not None and p95 < TARGET_P95_MS
        lines.append(
            f"{'PASS' if ok else 'MISS':>6}  8 clients: search pages p95 < {TARGET_P95_MS:g} ms "
            f"(measured {p95})"
        )
        ok = rps >= TARGET_RPS
        lines.append(
            f"{'PASS' if ok else 'MISS':>6}  8 clients: >= {TARGET_RPS:g} requests/s "
            f"(measured {rps})"
        )
    return lines


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", type=int, default=10_000)
    parser.add_argument("--clients", default="1,8,32", help="Comma-separated client counts.")
    parser.add_argument("--seconds", type=float, default=30.0, help="Timed seconds per level.")
    parser.add_argument("--warmup", type=float, default=3.0, help="Untimed seconds per level.")
    parser.add_argument("--workers", type=int, default=None, help="Default: signpost serve's.")
    parser.add_argument("--threads", type=int, default=None, help="Default: signpost serve's.")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args(argv)
    clients = [int(c) for c in args.clients.split(",") if c.strip()]

    corpus = generate(args.size, args.seed)
    vocab = load_sources().vocab
    work = Path(tempfile.mkdtemp(prefix="signpost-load-"))
    server = None
    try:
        info = build_index(corpus.listings, work / "index", vocab)
        print(f"{args.size} listings indexed in {info.seconds:.1f}s", file=sys.stderr)
        paths = make_paths(corpus, vocab, 4000, args.seed)
        port = free_port()
        server = start_server(work / "index", port, args.workers, args.threads, work / "server.log")
        warm(port, paths)
        levels = []
        for count in clients:
            mix = drive(port, paths, count, args.seconds, args.warmup)
            healthz = drive(port, [("healthz", "/healthz")], count, args.seconds / 3, 1.0)
            healthz_row = healthz["kinds"].get("healthz", {})
            levels.append({"clients": count, "mix": mix, "healthz": healthz_row})
            print(
                f"{count} clients: {mix['rps']} req/s, p95 {mix['p95_ms']} ms, errors "
                f"{mix['errors']}; /healthz {healthz_row.get('rps')} req/s",
                file=sys.stderr,
            )
    finally:
        if server is not None:
            stop_server(server)
        shutil.rmtree(work, ignore_errors=True)

    print(
        f"\nSignpost load benchmark, {date.today().isoformat()}, {args.size} listings, "
        f"{args.seconds:g} s per level, {os.cpu_count()} cores, Python "
        f"{platform.python_version()}.\n"
    )
    print(report(levels))
    print()
    for line in check_targets(levels):
        print(line)
    out = args.out or BENCH / "results" / f"load-{date.today().isoformat()}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(
        json.dumps(
            {
                "date": date.today().isoformat(),
                "size": args.size,
                "seconds_per_level": args.seconds,
                "cpus": os.cpu_count(),
                "python": platform.python_version(),
                "levels": levels,
            },
            indent=1,
        )
        + "\n",
        encoding="utf-8",
    )
    print(f"\nWrote {out}")


if __name__ == "__main__":
    main()
