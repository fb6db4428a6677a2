"""What a deployment feels as the directory grows: build time, worker memory, cold starts,
index swaps and cold terms, at 10k / 100k listings, for this tree and (``--before``) another.

Each figure comes from its own fresh child process, one at a time, so nothing is shared or
already warm by accident. For each size and each source tree:

1. **build**: ``search.build.build_index`` over the synthetic corpus (``bench/corpus.py``),
   wall and CPU seconds;
2. **cold start**: a new process (modules imported, nothing opened) makes a
   ``LiveDirectory`` and runs its first search (text only, so no place file is read): what
   the first visitor after ``signpost serve`` would wait for if the worker had not warmed
   up first;
3. **cold terms**: in that process, a search for each of 60 vocabulary words no search has
   used yet, then the same search again: the difference is what the word's first use
   costs (median and the worst); and, on a build just opened with nothing warmed, the time
   to read each vocabulary term's postings (about 2,900 terms) for the first time;
4. **engine memory**: that process's RSS after searches on 2 threads: the search engine's
   share of a worker, without the web app;
5. **index swap**: a copy of the build becomes ``current`` (as a publish does) while
   requests keep coming every 5 ms: the first request after the swap, the first answered
   from the new build, and how long the switch took;
6. **worker memory**: ``signpost serve`` (gunicorn, 2 workers x 2 threads with
   ``--worker-class gthread``, the default here, or gevent workers) over the index, driven
   by 4 clients with searches at places and API calls for ``--requests``; then each
   worker's RSS and PSS (``/proc/<pid>/smaps_rollup``: PSS shares mapped files and
   copy-on-write pages fairly between the processes using them).

    .venv/bin/python bench/scale_bench.py --sizes 10000                       # ~2 minutes
    .venv/bin/python bench/scale_bench.py --sizes 10000,100000 --before /tmp/old-tree

``--before`` is a checkout of an older commit (``git archive <commit> | tar -x -C DIR``);
both trees use this tree's ``bench/corpus.py`` and ``data/``. Writes
``bench/results/scale-<date>.json`` and prints the before/after table.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from datetime import date
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
RESULTS = BENCH / "results"
TERM_WORDS = 60


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


# ---------------------------------------------------------------------------------------
# Children (run as `scale_bench.py --child STEP ...` with the measured tree first on the path)
# ---------------------------------------------------------------------------------------


def child_build(size: int, index: Path) -> dict:
    from corpus import generate, load_sources

    from search.build import build_index

    corpus = generate(size, 1)
    vocab = load_sources().vocab
    wall, cpu = time.perf_counter(), time.process_time()
    build_index(corpus.listings, index, vocab)
    return {
        "engine": sys.modules[build_index.__module__].__file__,
        "build_s": round(time.perf_counter() - wall, 2),
        "build_cpu_s": round(time.process_time() - cpu, 2),
    }


def child_live(index: Path) -> dict:
    """Cold start, cold terms and an index swap, in one fresh process."""
    from directory.settings import Settings
    from directory.vocabulary import load_vocabulary
    from search.build import BUILD_FILE, _point_current_at, current_build
    from search.live import LiveDirectory
    from search.request import SearchRequest

    out: dict[str, Any] = {}
    settings = Settings(data_dir=ROOT / "data", index_dir=index)
    vocab = load_vocabulary(ROOT / "data" / "needs.yaml")
    wall, cpu = time.perf_counter(), time.process_time()
    live = LiveDirectory(settings)
    live.search(SearchRequest(text="lonely"))
    out["cold_start_s"] = round(time.perf_counter() - wall, 3)
    out["cold_start_cpu_s"] = round(time.process_time() - cpu, 3)

    # Cold terms: words of needs, first words excepted (the warm-up's and "lonely"'s).
    words = sorted({word for need in vocab.needs.values() for word in need.words[1:]})
    words = [word for word in words if " " not in word and word.isalpha()]
    random.Random(16).shuffle(words)
    first, again = [], []
    for word in words[:TERM_WORDS]:
        request = SearchRequest(text=word)
        started = time.perf_counter()
        live.search(request)
        first.append((time.perf_counter() - started) * 1000)
        started = time.perf_counter()
        live.search(request)
        again.append((time.perf_counter() - started) * 1000)
    extra = sorted(a - b for a, b in zip(first, again, strict=True))
    out["cold_term_ms_median"] = round(statistics.median(extra), 2)
    out["cold_term_ms_max"] = round(max(extra), 2)
    out["cold_term_first_search_ms_median"] = round(statistics.median(first), 2)
    out["cold_term_words"] = len(extra)

    # The search engine's own share of a worker: this process after searches on 2 threads.
    def searches() -> None:
        for word in words[: TERM_WORDS * 2]:
            live.search(SearchRequest(text=word, free=True, days=("tue",)))

    threads = [threading.Thread(target=searches) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    out["engine_memory"] = smaps_mb(os.getpid())

    # Every vocabulary term's postings read for the first time, on a build just opened
    # (nothing warmed): what a term's first use costs the scorer itself.
    from search.snapshot import Snapshot

    snapshot = Snapshot.open(current_build(index))
    searcher = snapshot.searcher()
    reads = []
    for field, text in _vocabulary_terms(vocab):
        started = time.perf_counter()
        snapshot.scorer.postings(searcher, field, text)
        reads.append((time.perf_counter() - started) * 1000)
    out["term_read_ms_median"] = round(statistics.median(reads), 3)
    out["term_read_ms_p99"] = round(sorted(reads)[int(len(reads) * 0.99)], 2)
    out["term_read_ms_max"] = round(max(reads), 2)
    out["term_reads"] = len(reads)
    del snapshot, searcher

    # An index swap while requests keep coming.
    old = current_build(index)
    new = old.parent / f"{old.name}-copy"
    shutil.copytree(old, new)
    info = json.loads((new / BUILD_FILE).read_text(encoding="utf-8"))
    info["build_id"] += "-copy"
    (new / BUILD_FILE).write_text(json.dumps(info), encoding="utf-8")
    request = SearchRequest(text="debt advice")
    times = []
    for _ in range(20):
        started = time.perf_counter()
        live.search(request)
        times.append((time.perf_counter() - started) * 1000)
    out["steady_search_ms_median"] = round(statistics.median(times), 2)
    _point_current_at(index, new)
    swapped = time.perf_counter()
    after: list[tuple[float, bool]] = []
    while time.perf_counter() - swapped < 120:
        started = time.perf_counter()
        response = live.search(request)
        after.append(
            ((time.perf_counter() - started) * 1000, response.build_id == info["build_id"])
        )
        if after[-1][1]:
            break
        time.sleep(0.005)
    out["swap_first_request_ms"] = round(after[0][0], 2)
    out["swap_first_on_new_build_ms"] = round(next((t for t, new in after if new), -1), 2)
    out["swap_worst_request_ms"] = round(max(t for t, _new in after), 2)
    out["swap_switched_after_s"] = round(time.perf_counter() - swapped, 3)
    out["swap_requests_meanwhile"] = len(after)
    return out


def _vocabulary_terms(vocab) -> list[tuple[str, str]]:
    """The (field, term)s a search made from the vocabulary can ask for (as
    ``search.build.vocabulary_terms``, which an older tree may not have)."""
    from search.schema import analyse

    terms: dict[tuple[str, str], None] = {}
    texts: list[str] = []
    for need in vocab.needs.values():
        terms.update(dict.fromkeys([("needs", need.id), ("primary", need.id)]))
        texts += [need.id.replace("-", " "), need.label, *need.words, *need.phrases]
    for group in vocab.groups.values():
        terms[("groups", group.id)] = None
        texts += [group.id.replace("-", " "), group.label, *group.words]
    for token in dict.fromkeys(token for text in texts for token in analyse(text)):
        terms.update(dict.fromkeys([("name", token), ("body", token)]))
    return list(terms)


# ---------------------------------------------------------------------------------------
# Worker memory under gunicorn
# ---------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def children_of(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid:
                found.append(int(entry.name))
    return found


def smaps_mb(pid: int) -> dict[str, float]:
    figures = {}
    for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
        parts = line.split()
        if parts[0] in ("Rss:", "Pss:"):
            figures[parts[0][:-1].lower() + "_mb"] = round(int(parts[1]) / 1024, 1)
    return figures


def worker_memory(
    tree: Path, index: Path, requests: int, log_path: Path, worker_class: str = "gthread"
) -> dict:
    from corpus import generate  # noqa: F401 - only to fail early if bench is not on the path

    port = free_port()
    env = dict(os.environ)
    env.update(
        SIGNPOST_INDEX=str(index),
        SIGNPOST_DATA=str(ROOT / "data"),
        SIGNPOST_RATE_LIMIT="100000000 per minute",
        SIGNPOST_WORKER_CLASS=worker_class,
        PYTHONPATH=str(tree),
    )
    command = [sys.executable, "-m", "cli", "serve", "--port", str(port)]
    command += ["--workers", "2", "--threads", "2"]
    with open(log_path, "w", encoding="utf-8") as log_file:
        server = subprocess.Popen(
            command, cwd=tree, env=env, stdout=log_file, stderr=subprocess.STDOUT,
            start_new_session=True,
        )  # fmt: skip
    try:
        deadline = time.time() + 300
        while time.time() < deadline:
            if server.poll() is not None:
                raise SystemExit("The server did not start:\n" + log_path.read_text())
            try:
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
                connection.request("GET", "/healthz")
                if connection.getresponse().status == 200:
                    break
            except OSError:
                time.sleep(0.5)
        paths = _paths(requests)
        errors = _drive(port, paths, clients=4)
        workers = children_of(server.pid)
        memory = [smaps_mb(pid) for pid in workers]
        return {
            "worker_class": worker_class,
            "workers": memory,
            "rss_mb_max": max(m["rss_mb"] for m in memory),
            "pss_mb_max": max(m["pss_mb"] for m in memory),
            "requests": len(paths),
            "errors": errors,
        }
    finally:
        try:
            os.killpg(server.pid, signal.SIGTERM)
            server.wait(timeout=30)
        except (ProcessLookupError, subprocess.TimeoutExpired):
            os.killpg(server.pid, signal.SIGKILL)


def _paths(count: int) -> list[str]:
    from directory.vocabulary import load_vocabulary

    vocab = load_vocabulary(ROOT / "data" / "needs.yaml")
    words = sorted({w for need in vocab.needs.values() for w in need.words if " " not in w})
    places = ["Margate", "CT9 1EP", "Leeds", "Brighton", "Manchester", "NW5", "Bristol", "York"]
    rng = random.Random(16)
    paths = []
    for number in range(count):
        query = {"q": rng.choice(words), "near": rng.choice(places)}
        if number % 3 == 0:
            query |= {"free": "1", "day": "tue"}
        base = "/api/v1/services" if number % 5 == 0 else "/"
        paths.append(f"{base}?{urllib.parse.urlencode(query)}")
    return paths


def _drive(port: int, paths: list[str], clients: int) -> int:
    errors = [0]
    lock = threading.Lock()
    queue = list(paths)

    def client() -> None:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        while True:
            with lock:
                if not queue:
                    return
                path = queue.pop()
            try:
                connection.request("GET", path)
                response = connection.getresponse()
                response.read()
                if response.status >= 500:
                    with lock:
                        errors[0] += 1
            except OSError:
                with lock:
                    errors[0] += 1
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)

    threads = [threading.Thread(target=client) for _ in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return errors[0]


# ---------------------------------------------------------------------------------------
# The parent
# ---------------------------------------------------------------------------------------


def run_child(tree: Path, step: str, size: int, index: Path) -> dict:
    out = index.parent / f"{step}.json"
    env = dict(os.environ, PYTHONPATH=f"{tree}{os.pathsep}{BENCH}")
    command = [sys.executable, str(Path(__file__).resolve()), "--child", step]
    command += ["--size", str(size), "--index", str(index), "--child-out", str(out)]
    subprocess.run(command, check=True, cwd=tree, env=env)
    return json.loads(out.read_text(encoding="utf-8"))


def measure(tree: Path, size: int, work: Path, requests: int, worker_class: str) -> dict:
    folder = work / f"{tree.name}-{size}"
    folder.mkdir(parents=True)
    index = folder / "index"
    result: dict[str, Any] = {"tree": str(tree), "size": size}
    log(f"{size} {tree}: build")
    result |= run_child(tree, "build", size, index)
    log(f"{size} {tree}: build {result['build_s']} s (CPU {result['build_cpu_s']} s); memory")
    result["memory"] = worker_memory(tree, index, requests, folder / "server.log", worker_class)
    log(f"{size} {tree}: workers {result['memory']['workers']}; cold start, terms, swap")
    result |= run_child(tree, "live", size, index)
    log(f"{size} {tree}: {json.dumps({k: v for k, v in result.items() if k != 'memory'})}")
    shutil.rmtree(folder, ignore_errors=True)
    return result


ROWS = (
    ("worker RSS MB after warm-up", lambda r: r["memory"]["rss_mb_max"]),
    ("worker PSS MB", lambda r: r["memory"]["pss_mb_max"]),
    ("search engine alone RSS MB (no web app)", lambda r: r["engine_memory"]["rss_mb"]),
    ("build s (CPU)", lambda r: r["build_cpu_s"]),
    ("build s (wall)", lambda r: r["build_s"]),
    ("first search after start s (wall)", lambda r: r["cold_start_s"]),
    ("first request after an index swap ms", lambda r: r["swap_first_request_ms"]),
    ("first request on the new build ms", lambda r: r["swap_first_on_new_build_ms"]),
    ("worst request during the swap ms", lambda r: r["swap_worst_request_ms"]),
    ("switch took s", lambda r: r["swap_switched_after_s"]),
    ("first use of a term in a search ms (median of 60)", lambda r: r["cold_term_ms_median"]),
    ("first use of a term in a search ms (worst of 60)", lambda r: r["cold_term_ms_max"]),
    ("first read of a vocabulary term's postings ms (median)", lambda r: r["term_read_ms_median"]),
    ("first read of a vocabulary term's postings ms (p99)", lambda r: r["term_read_ms_p99"]),
    ("first read of a vocabulary term's postings ms (worst)", lambda r: r["term_read_ms_max"]),
)  # fmt: skip


def table(results: list[dict], labels: dict[str, str]) -> str:
    columns = [(r["size"], labels[r["tree"]], r) for r in results]
    head = ["", *[f"{size:,} {label}" for size, label, _r in columns]]
    lines = ["| " + " | ".join(head) + " |", "|---" + "|--:" * len(columns) + "|"]
    for name, figure in ROWS:
        cells = []
        for _size, _label, result in columns:
            try:
                cells.append(f"{figure(result):,}")
            except (KeyError, TypeError, ValueError):
                cells.append("-")
        lines.append("| " + " | ".join([name, *cells]) + " |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="10000")
    parser.add_argument("--before", type=Path, help="An older source tree to measure too.")
    parser.add_argument("--requests", type=int, default=600, help="Requests to warm workers.")
    parser.add_argument("--out", type=Path)
    parser.add_argument(
        "--worker-class", default="gthread", choices=("gthread", "gevent"),
        help="gunicorn workers for the memory figure (gthread: 2 threads each).",
    )  # fmt: skip
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--size", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--index", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--child-out", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        result = (
            child_build(args.size, args.index) if args.child == "build" else child_live(args.index)
        )
        args.child_out.write_text(json.dumps(result), encoding="utf-8")
        return

    trees = ([args.before.resolve()] if args.before else []) + [ROOT]
    labels = {str(ROOT): "after"} | ({str(args.before.resolve()): "before"} if args.before else {})
    sizes = [int(s) for s in args.sizes.split(",") if s.strip()]
    work = Path(tempfile.mkdtemp(prefix="signpost-scale-"))
    results = []
    try:
        for size in sizes:
            for tree in trees:
                results.append(measure(tree, size, work, args.requests, args.worker_class))
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print()
    print(f"Signpost at scale, {date.today().isoformat()}, {os.cpu_count()} cores, one run.")
    print()
    print(table(results, labels))
    report = {
        "date": date.today().isoformat(),
        "commit": subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True
        ).stdout.strip(),
        "trees": labels,
        "results": results,
    }
    path = args.out or RESULTS / f"scale-{date.today().isoformat()}.json"
    path.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    print(f"\nWrote {path}")


if __name__ == "__main__":
    main()
