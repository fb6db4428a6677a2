"""Server CPU per request, by kind, in process: what each page costs the app (issue 16).

``load.py`` measures a real server over sockets, which on a shared 2-core machine mostly
measures the neighbours. This measures only CPU time (``time.process_time``, every thread
of the process, so the insights writer counts too) of Flask's test client calling the app
over a 10,000-listing synthetic corpus (``corpus.py``), for each kind of ``load.py``'s mix:
search pages, API searches, service pages, API service records and browse by need, with
``load.py``'s own paths (``make_paths``). Every round uses requests it has not used before
(other listings, other searches), as a busy server would see them, after one untimed
warm-up round, the kinds taking turns; a kind's figure is the median over rounds of CPU ms
per request.

Each source tree is timed in its own child processes (``PYTHONPATH`` set to the tree), the
trees taking turns (``--repeats`` times), over the same corpus (each tree its own build of
it) and paths, with fresh insights
and rate-limit stores; ``--root`` adds another tree, printed side by side with this one:

    .venv/bin/python bench/render_bench.py --index /tmp/bench-10k/index      # builds once
    .venv/bin/python bench/render_bench.py --index /tmp/bench-10k/index --root /tmp/old-tree

The rate limit is set as high as ``load.py`` sets it, but the limiter still runs, as it
does in production.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
KINDS = ("search page", "api search", "service page", "api service", "browse needs")


def make_index(index: Path, size: int, seed: int) -> None:
    """Build the synthetic corpus's index at ``index`` unless a build is already there."""
    if (index / "current").exists():
        return
    from corpus import generate, load_sources

    from search.build import build_index

    corpus = generate(size, seed)
    info = build_index(corpus.listings, index, load_sources().vocab)
    print(f"{size} listings indexed in {info.seconds:.1f}s", file=sys.stderr)


def make_requests(size: int, seed: int, per_kind: int) -> dict[str, list[str]]:
    """``per_kind`` paths of each kind, from ``load.py``'s mix and query generator."""
    from corpus import generate, load_sources
    from load import make_paths

    corpus = generate(size, seed)
    vocab = load_sources().vocab
    found: dict[str, list[str]] = {kind: [] for kind in KINDS}
    count = per_kind * 8
    while min(len(paths) for paths in found.values()) < per_kind:
        found = {kind: [] for kind in KINDS}
        for kind, path in make_paths(corpus, vocab, count, seed):
            found[kind].append(path)
        count *= 2
    return {kind: paths[:per_kind] for kind, paths in found.items()}


def time_tree(tree: Path, index: Path, requests: Path, rounds: int) -> dict[str, list[float]]:
    """Run this script's ``--child`` in ``tree``; CPU ms per request for each round."""
    work = Path(tempfile.mkdtemp(prefix="signpost-render-"))
    try:
        env = dict(os.environ)
        env.update(
            PYTHONPATH=str(tree),
            SIGNPOST_INDEX=str(index),
            SIGNPOST_DATA=str(ROOT / "data"),
            SIGNPOST_RATE_LIMIT="100000000 per minute",
            SIGNPOST_RATE_LIMIT_STORAGE=f"sqlite:///{work}/ratelimit.sqlite3",
            SIGNPOST_DATABASE_URL=f"sqlite:///{work}/insights.sqlite3",
        )
        command = [sys.executable, __file__, "--child", str(requests), "--rounds", str(rounds)]
        done = subprocess.run(
            command, cwd=tree, env=env, capture_output=True, text=True, check=False
        )
        if done.returncode:
            raise SystemExit(f"{tree}: the timing run failed:\n{done.stderr}")
        timings: dict[str, list[float]] = json.loads(done.stdout)
        return timings
    finally:
        shutil.rmtree(work, ignore_errors=True)


def child(requests: Path, rounds: int) -> None:
    """In the tree being timed: the app over SIGNPOST_INDEX, each kind's rounds timed."""
    from app import create_app

    app = create_app({"TESTING": False})
    client = app.test_client()
    paths = json.loads(requests.read_text("utf-8"))
    timings: dict[str, list[float]] = {kind: [] for kind in KINDS}
    for number in range(rounds + 1):
        for kind in KINDS:  # kinds take turns, so a busy moment on the machine hits all
            chunk = paths[kind][number :: rounds + 1]
            started = time.process_time()
            for path in chunk:
                response = client.get(path)
                if response.status_code != 200:
                    raise SystemExit(f"{path}: {response.status_code}")
            spent = time.process_time() - started
            if number:  # the first round warms caches and is not counted
                timings[kind].append(1000 * spent / len(chunk))
    print(json.dumps(timings))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--index", type=Path, help="Index folder (built here if missing).")
    parser.add_argument("--root", type=Path, action="append", default=[], help="Another tree.")
    parser.add_argument("--size", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--repeats", type=int, default=3, help="Child processes per tree.")
    parser.add_argument("--per-round", type=int, default=60, help="Requests per kind a round.")
    parser.add_argument("--child", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.root and args.seed != 1:
        parser.error("--root builds the other tree's index from seed 1 (scale_bench.py's)")
    if args.child:
        child(args.child, args.rounds)
        return 0

    sys.path[:0] = [str(BENCH), str(ROOT)]
    work = Path(tempfile.mkdtemp(prefix="signpost-render-bench-"))
    try:
        index = (args.index or work / "index").resolve()
        make_index(index, args.size, args.seed)
        requests = work / "requests.json"
        paths = make_requests(args.size, args.seed, args.per_round * (args.rounds + 1))
        requests.write_text(json.dumps(paths), encoding="utf-8")
        trees = [*(root.resolve() for root in args.root), ROOT]
        # Each other tree serves an index its own code built (scale_bench.py's build child,
        # the same corpus): an older Signpost cannot read every newer build.
        from scale_bench import run_child

        indexes = {ROOT: index}
        for number, tree in enumerate(trees[:-1]):
            (work / f"tree-{number}").mkdir()
            indexes[tree] = work / f"tree-{number}" / "index"
            run_child(tree, "build", args.size, indexes[tree])
        results: dict[Path, dict[str, list[float]]] = {tree: {} for tree in trees}
        for _ in range(args.repeats):  # trees take turns too
            for tree in trees:
                timed = time_tree(tree, indexes[tree], requests, args.rounds)
                for kind, figures in timed.items():
                    results[tree].setdefault(kind, []).extend(figures)
    finally:
        shutil.rmtree(work, ignore_errors=True)

    print(
        f"CPU ms per request (median of {args.repeats} x {args.rounds} rounds of "
        f"{args.per_round}), {args.size} listings"
    )
    print(f"{'kind':<14}" + "".join(f"{tree.name[-18:]:>20}" for tree in trees))
    for kind in KINDS:
        cells = [statistics.median(results[tree][kind]) for tree in trees]
        line = f"{kind:<14}" + "".join(f"{cell:>20.2f}" for cell in cells)
        if len(cells) > 1 and cells[0]:
            line += f"   {100 * (cells[-1] - cells[0]) / cells[0]:+.0f}%"
        print(line)
    mix = {kind: weight / 100 for kind, weight in zip(KINDS, (45, 20, 20, 10, 5), strict=True)}
    cells = [sum(statistics.median(results[tree][k]) * w for k, w in mix.items()) for tree in trees]
    print(f"{'mix':<14}" + "".join(f"{cell:>20.2f}" for cell in cells))
    return 0


if __name__ == "__main__":
    sys.exit(main())
