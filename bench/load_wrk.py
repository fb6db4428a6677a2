"""HTTP load with wrk: requests a second, latency, and the server's CPU per request.

``load.py`` drives the server from Python threads, which take a good part of a 2-core
machine themselves. This drives it with ``wrk`` (C, Debian package ``wrk``) instead, as the
issue's own measurement did, and also reads how much CPU the server's processes spent
(``/proc/<pid>/stat``), which says what a request costs even when the machine is shared.

For each tree (this one, and ``--before DIR`` for an older one unpacked with
``git archive <commit> | tar -x -C DIR``) it serves one index of a synthetic corpus with
``signpost serve`` (2 workers x 2 threads unless told) and runs, at ``--clients``
connections: the mix of ``load.py`` (45% search pages, 20% API searches, 20% service pages,
10% API records, 5% browse by need), search pages alone, and ``/healthz`` as the ceiling.
The trees take turns, run by run, so a busy moment on the machine falls on both alike.

    .venv/bin/python bench/load_wrk.py --size 10000 --before /tmp/old
    .venv/bin/python bench/load_wrk.py --size 100000 --seconds 20

Targets (issue 16), printed, never asserted: at 10k, 8 clients, >= 450 requests a second
with search pages p95 <= 35 ms; at 100k, >= 250 a second with p95 <= 60 ms.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
from datetime import date
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
for folder in (str(ROOT), str(BENCH)):
    if folder not in sys.path:
        sys.path.insert(0, folder)

from corpus import generate, load_sources  # noqa: E402
from load import free_port, make_paths, start_server, stop_server  # noqa: E402
from scale_bench import run_child  # noqa: E402

from search.build import build_index  # noqa: E402

TARGETS = {10_000: (450.0, 35.0), 100_000: (250.0, 60.0)}

LUA = """
local paths = {}
for line in io.lines(os.getenv("PATHS_FILE")) do paths[#paths + 1] = line end
local counter = 0
local errors = 0
request = function()
  counter = counter + 1
  return wrk.format("GET", paths[(counter * 7919) % #paths + 1], {["Accept-Encoding"] = "gzip"})
end
response = function(status, headers, body)
  if status ~= 200 then errors = errors + 1 end
end
done = function(summary, latency, requests)
  io.write(string.format(
    "RESULT {\\"requests\\": %d, \\"seconds\\": %.3f, \\"p50\\": %.3f, \\"p95\\": %.3f, " ..
    "\\"p99\\": %.3f, \\"socket_errors\\": %d}\\n",
    summary.requests, summary.duration / 1e6, latency:percentile(50) / 1000,
    latency:percentile(95) / 1000, latency:percentile(99) / 1000,
    summary.errors.connect + summary.errors.read + summary.errors.write
      + summary.errors.timeout + summary.errors.status))
end
"""


def cpu_seconds(pid: int) -> float:
    """User + system CPU of ``pid`` and its children, living and waited for."""
    total = 0.0
    pids = [pid] + [int(child) for child in _children(pid)]
    tick = os.sysconf("SC_CLK_TCK")
    for each in pids:
        try:
            fields = Path(f"/proc/{each}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += (int(fields[11]) + int(fields[12])) / tick  # utime, stime
    return total


def _children(pid: int) -> list[str]:
    try:
        return Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    except OSError:
        return []


def run_wrk(port: int, paths: list[str], clients: int, seconds: float, work: Path) -> dict:
    paths_file = work / "paths.txt"
    paths_file.write_text("\n".join(paths) + "\n", encoding="utf-8")
    script = work / "mix.lua"
    script.write_text(LUA, encoding="utf-8")
    command = [
        "wrk", f"-t{min(2, clients)}", f"-c{clients}", f"-d{seconds:g}s", "--timeout", "10s",
        "-s", str(script), f"http://127.0.0.1:{port}",
    ]  # fmt: skip
    output = subprocess.run(
        command, env={**os.environ, "PATHS_FILE": str(paths_file)},
        capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    line = next(line for line in output.splitlines() if line.startswith("RESULT "))
    result = json.loads(line.removeprefix("RESULT "))
    result["rps"] = round(result["requests"] / result["seconds"], 1)
    return result


def measure(tree, index, paths, args, work, label) -> dict:
    port = free_port()
    server = start_server(index, port, args.workers, args.threads, work / f"{label}.log", tree)
    try:
        run_wrk(port, paths["mix"], args.clients, 5, work)  # warm both workers
        runs = {}
        for kind in ("mix", "search page", "healthz"):
            before = cpu_seconds(server.pid)
            result = run_wrk(port, paths[kind], args.clients, args.seconds, work)
            spent = cpu_seconds(server.pid) - before
            result["server_cpu_ms_per_request"] = round(
                spent * 1000 / max(result["requests"], 1), 3
            )
            runs[kind] = result
        return runs
    finally:
        stop_server(server)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", type=int, default=10_000)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--rounds", type=int, default=1, help="Turns per tree.")
    parser.add_argument("--before", type=Path, default=None, help="An older source tree.")
    parser.add_argument("--index", type=Path, default=None, help="Reuse a built index root.")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args(argv)
    if args.before and args.seed != 1:
        parser.error("--before builds the older tree's index from seed 1 (scale_bench.py's)")
    if not shutil.which("wrk"):
        raise SystemExit("wrk is not installed (Debian: apt-get install wrk).")

    corpus = generate(args.size, args.seed)
    vocab = load_sources().vocab
    work = Path(tempfile.mkdtemp(prefix="signpost-wrk-"))
    try:
        # Each tree serves an index its own code built: a build of one version's format
        # is not always readable by an older one (listings' JSON moved out of Whoosh).
        indexes = {"after": args.index}
        if args.index is None:
            indexes["after"] = work / "after" / "index"
            build_index(corpus.listings, indexes["after"], vocab)
        if args.before:
            (work / "before").mkdir()
            run_child(args.before.resolve(), "build", args.size, work / "before" / "index")
            indexes["before"] = work / "before" / "index"
        made = make_paths(corpus, vocab, 4000, args.seed)
        paths = {
            "mix": [path for _kind, path in made],
            "search page": [path for kind, path in made if kind == "search page"],
            "healthz": ["/healthz"],
        }
        trees = [("after", ROOT)] + ([("before", args.before.resolve())] if args.before else [])
        results: dict[str, list[dict]] = {label: [] for label, _tree in trees}
        for _round in range(args.rounds):
            for label, tree in trees:
                results[label].append(measure(tree, indexes[label], paths, args, work, label))
                print(f"{label}: {json.dumps(results[label][-1])}", file=sys.stderr)
    finally:
        shutil.rmtree(work, ignore_errors=True)

    print(
        f"\nwrk, {args.size} listings, {args.clients} connections, {args.seconds:g} s a run, "
        f"{args.workers} workers x {args.threads} threads, {date.today().isoformat()}\n"
    )
    print("| tree | run | req/s | p50 ms | p95 ms | p99 ms | server CPU ms/request | errors |")
    print("|---|---|--:|--:|--:|--:|--:|--:|")
    for label, rounds in results.items():
        for runs in rounds:
            for kind, row in runs.items():
                print(
                    f"| {label} | {kind} | {row['rps']} | {row['p50']:.1f} | {row['p95']:.1f} | "
                    f"{row['p99']:.1f} | {row['server_cpu_ms_per_request']} | "
                    f"{row['socket_errors']} |"
                )
    rps_target, p95_target = TARGETS.get(args.size, (None, None))
    if rps_target:
        best = max(results["after"], key=lambda runs: runs["mix"]["rps"])
        mix_ok = best["mix"]["rps"] >= rps_target
        print(
            f"\n{'PASS' if mix_ok else 'MISS':>6}  mix >= {rps_target:g} req/s "
            f"({best['mix']['rps']})"
        )
        p95 = best["search page"]["p95"]
        print(
            f"{'PASS' if p95 <= p95_target else 'MISS':>6}  search page p95 <= {p95_target:g} ms "
            f"({p95:.1f})"
        )
    out = args.out or BENCH / "results" / f"load-wrk-{args.size}-{date.today().isoformat()}.json"
    out.write_text(json.dumps({"args": {k: str(v) for k, v in vars(args).items()},
                               "results": results}, indent=2) + "\n", encoding="utf-8")  # fmt: skip
    print(f"\nWritten to {out}")


if __name__ == "__main__":
    main()
