"""Slow clients against ``signpost serve``: can others still get answers while they hang on?

A "slowloris" client opens a connection and sends its request headers a few bytes at a time,
never finishing. A server that gives each connection a thread until its headers are complete
(gunicorn's gthread workers) runs out of threads after a handful of them. This script holds
``--slow`` such connections open for ``--seconds`` (reopening any the server closes, as an
attacker would) and meanwhile probes ``/healthz`` and a search, reporting how many probes were
answered and how long they took.

    .venv/bin/python bench/slow_clients.py                  # 100 slow connections, 60 s
    .venv/bin/python bench/slow_clients.py --slow 4 --seconds 30 --worker-class gthread

It serves the bundled data/services from a temporary index; the test suite uses the same
``SlowClients`` and ``probe`` against a small server for about ten seconds.
"""

from __future__ import annotations

import argparse
import http.client
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


class SlowClients:
    """``count`` connections that each send one more header line every ``interval`` seconds."""

    def __init__(self, port: int, count: int, interval: float = 1.0) -> None:
        self.port = port
        self.count = count
        self.interval = interval
        self.stop = threading.Event()
        self.opened = 0
        self.dropped = 0  # connections the server closed on us (a header timeout working)
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _open(self) -> socket.socket | None:
        try:
            sock = socket.create_connection(("127.0.0.1", self.port), timeout=2)
            sock.sendall(b"GET /?q=slow HTTP/1.1\r\nHost: 127.0.0.1\r\n")
        except OSError:
            return None
        self.opened += 1
        return sock

    def _run(self) -> None:
        socks: list[socket.socket | None] = [self._open() for _ in range(self.count)]
        line = 0
        while not self.stop.wait(self.interval):
            line += 1
            for number, sock in enumerate(socks):
                try:
                    if sock is None:
                        raise OSError("not connected")
                    sock.sendall(f"X-Slow-{line}: {line}\r\n".encode())
                except OSError:
                    if sock is not None:
                        self.dropped += 1
                        sock.close()
                    socks[number] = self._open()
        for sock in socks:
            if sock is not None:
                sock.close()

    def __enter__(self) -> SlowClients:
        self._thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self.stop.set()
        self._thread.join(timeout=30)


def probe(port: int, path: str, timeout: float = 1.0) -> float | None:
    """Seconds a fresh connection took to get a whole answer to ``path``, or None if none."""
    started = time.perf_counter()
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        connection.request("GET", path)
        response = connection.getresponse()
        response.read()
    except (OSError, http.client.HTTPException):
        return None
    finally:
        connection.close()
    elapsed = time.perf_counter() - started
    return elapsed if elapsed <= timeout else None


def probe_while(port: int, stop_after: float, every: float = 1.0) -> list[float | None]:
    """Probe ``/healthz`` and a search in turn every ``every`` seconds for ``stop_after``."""
    paths = ("/healthz", "/?q=lonely&near=Margate", "/api/v1/services?q=debt")
    results: list[float | None] = []
    deadline = time.monotonic() + stop_after
    number = 0
    while time.monotonic() < deadline:
        results.append(probe(port, paths[number % len(paths)]))
        number += 1
        time.sleep(every)
    return results


def _wait_until_serving(port: int, process: subprocess.Popen, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if probe(port, "/healthz", timeout=2) is not None:
            return
        if process.poll() is not None:
            raise SystemExit("the server stopped before it answered")
        time.sleep(0.2)
    raise SystemExit("the server did not answer within a minute")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--slow", type=int, default=100, help="slow connections to hold")
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--worker-class", default="", help="SIGNPOST_WORKER_CLASS to serve with")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as folder:
        index = Path(folder) / "index"
        subprocess.run(
            [sys.executable, "-m", "cli", "index", "--data", "data", "--index", str(index)],
            cwd=ROOT, check=True, stdout=subprocess.DEVNULL,
        )  # fmt: skip
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            port = sock.getsockname()[1]
        env = dict(os.environ, SIGNPOST_RATE_LIMIT="100000 per second")
        if args.worker_class:
            env["SIGNPOST_WORKER_CLASS"] = args.worker_class
        server = subprocess.Popen(
            [sys.executable, "-m", "cli", "serve", "--port", str(port), "--data", "data",
             "--index", str(index)],
            cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            start_new_session=True,
        )  # fmt: skip
        try:
            _wait_until_serving(port, server)
            with SlowClients(port, args.slow) as slow:
                time.sleep(2)  # let every slow connection reach the server first
                results = probe_while(port, args.seconds - 2)
        finally:
            os.killpg(server.pid, signal.SIGTERM)
            server.wait(timeout=60)
    answered = [seconds for seconds in results if seconds is not None]
    print(f"worker class: {args.worker_class or 'default'}")
    print(f"slow connections held: {args.slow} for {args.seconds:.0f} s")
    print(f"slow connections opened: {slow.opened}, closed by the server: {slow.dropped}")
    print(f"probes answered within 1 s: {len(answered)} of {len(results)}")
    if answered:
        print(
            f"probe time: median {statistics.median(answered) * 1000:.1f} ms, "
            f"max {max(answered) * 1000:.1f} ms"
        )


if __name__ == "__main__":
    main()
