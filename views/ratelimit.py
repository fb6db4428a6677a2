"""A rate-limit store that every worker process on one server shares: SQLite in WAL mode.

Flask-Limiter's default ``memory://`` store lives inside one process, so with two gunicorn
workers a client got twice its allowance (1,200 of 1,300 paced requests in 50 s against
600 a minute). Redis shares counts between servers, but a single PCN server should not need
one. This store keeps each client's count for this minute and the last in one small SQLite
file beside the index, which every worker opens; a short ``BEGIN IMMEDIATE`` transaction
per check makes reading the counts and adding the request one step, whichever worker
takes it. The app uses Flask-Limiter's sliding window counter: the last minute's count,
weighted by how much of it still falls in the past 60 seconds, plus this minute's. It is
the moving window's close cousin (Redis deployments use the same) at a constant cost per
check; a moving window keeps one row per request, so a busy client's every check grew
slower (1 ms per request after 20,000 in a minute, against 0.09 ms: ``bench/rate_limit_store.py``).

Nothing durable is at stake (a lost entry only forgives one request), so writes are not
synced to disk: a check costs about 0.1 ms, not a disk flush.

Use it with ``SIGNPOST_RATE_LIMIT_STORAGE=sqlite:///path/to/ratelimit.sqlite3``; without
that setting the app uses ``ratelimit.sqlite3`` beside the index folder.
"""

from __future__ import annotations

import os
import sqlite3
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from limits.storage import MovingWindowSupport, SlidingWindowCounterSupport, Storage
from limits.storage.base import TimestampedSlidingWindow

T = TypeVar("T")

SCHEME = "sqlite"
CLEAN_EVERY = 1000  # acquisitions between sweeps of every client's expired entries

SCHEMA = """
CREATE TABLE IF NOT EXISTS entries (key TEXT NOT NULL, at REAL NOT NULL, expires REAL NOT NULL);
CREATE INDEX IF NOT EXISTS entries_key_at ON entries (key, at);
CREATE INDEX IF NOT EXISTS entries_expires ON entries (expires);
CREATE TABLE IF NOT EXISTS counters (key TEXT PRIMARY KEY, value INTEGER NOT NULL,
                                     expires REAL NOT NULL);
"""


def storage_uri(path: Path) -> str:
    """The ``SIGNPOST_RATE_LIMIT_STORAGE`` value for a SQLite store at ``path``."""
    return f"{SCHEME}:///{Path(path).resolve().as_posix().lstrip('/')}"


def _live_counts(db: sqlite3.Connection, keys: tuple[str, str], now: float) -> dict[str, int]:
    """The unexpired counters among ``keys`` (a sliding window's last and this window)."""
    rows = db.execute(
        "SELECT key, value FROM counters WHERE key IN (?, ?) AND expires > ?", (*keys, now)
    ).fetchall()
    return {key: value for key, value in rows}


class SQLiteStorage(
    Storage, MovingWindowSupport, SlidingWindowCounterSupport, TimestampedSlidingWindow
):
    """Rate limits in one SQLite file shared by processes: the sliding window counter the
    app uses, and the moving and fixed windows Flask-Limiter also offers."""

    STORAGE_SCHEME = [SCHEME]

    def __init__(self, uri: str, wrap_exceptions: bool = False, **options: object) -> None:
        super().__init__(uri, wrap_exceptions=wrap_exceptions)
        path = uri.split("://", 1)[1]
        if not path or path == "/":
            raise ValueError("The rate-limit store needs a file: sqlite:///path/to/file")
        self.path = Path(path)
        self._lock = threading.Lock()
        self._connection: sqlite3.Connection | None = None
        self._pid = 0
        self._acquired = 0

    @property
    def base_exceptions(self) -> type[Exception]:
        return sqlite3.Error

    def _db(self) -> sqlite3.Connection:
        """This process's connection (a forked worker opens its own)."""
        if self._connection is None or self._pid != os.getpid():
            self.path.parent.mkdir(parents=True, exist_ok=True)
            connection = sqlite3.connect(
                self.path, timeout=5, isolation_level=None, check_same_thread=False
            )
            connection.execute("PRAGMA journal_mode=WAL")
            connection.execute("PRAGMA synchronous=OFF")
            connection.executescript(SCHEMA)
            self._connection, self._pid = connection, os.getpid()
        return self._connection

    def _transaction(self, work: Callable[[sqlite3.Connection, float], T]) -> T:
        with self._lock:
            db = self._db()
            db.execute("BEGIN IMMEDIATE")
            try:
                result = work(db, time.time())
            except BaseException:
                db.execute("ROLLBACK")
                raise
            db.execute("COMMIT")
            return result

    # Moving window: one row per request, counted over the last ``expiry`` seconds.

    def acquire_entry(self, key: str, limit: int, expiry: int, amount: int = 1) -> bool:
        if amount > limit:
            return False

        def acquire(db: sqlite3.Connection, now: float) -> bool:
            # The (limit - amount + 1)th newest entry: if it is inside the window, the
            # window has no room for ``amount`` more.
            row = db.execute(
                "SELECT at FROM entries WHERE key = ? ORDER BY at DESC LIMIT 1 OFFSET ?",
                (key, limit - amount),
            ).fetchone()
            if row is not None and row[0] >= now - expiry:
                return False
            db.executemany(
                "INSERT INTO entries (key, at, expires) VALUES (?, ?, ?)",
                [(key, now, now + expiry)] * amount,
            )
            self._sweep(db, now)
            return True

        return self._transaction(acquire)

    def get_moving_window(self, key: str, limit: int, expiry: int) -> tuple[float, int]:
        with self._lock:
            now = time.time()
            oldest, count = (
                self._db()
                .execute(
                    "SELECT MIN(at), COUNT(*) FROM entries WHERE key = ? AND at >= ?",
                    (key, now - expiry),
                )
                .fetchone()
            )
            return (oldest if count else now), count

    # Sliding window counter (the app's strategy): two counters per client, this window's
    # and the last one's, the last one weighted by how much of it still overlaps the moving
    # window. Constant cost per request, where the moving window's one row per request
    # makes a busy client's check slower the more it has asked.

    def acquire_sliding_window_entry(
        self, key: str, limit: int, expiry: int, amount: int = 1
    ) -> bool:
        if amount > limit:
            return False

        def acquire(db: sqlite3.Connection, now: float) -> bool:
            previous_key, current_key = self.sliding_window_keys(key, expiry, now)
            counts = _live_counts(db, (previous_key, current_key), now)
            previous_weight = 1 - (now % expiry) / expiry
            weighted = counts.get(previous_key, 0) * previous_weight + counts.get(current_key, 0)
            if int(weighted) + amount > limit:
                return False
            # The counter is still read as "last window" during the next one: keep it two.
            db.execute(
                "INSERT INTO counters (key, value, expires) VALUES (?, ?, ?) "
                "ON CONFLICT (key) DO UPDATE SET value = value + excluded.value",
                (current_key, amount, (now // expiry + 2) * expiry),
            )
            self._sweep(db, now)
            return True

        return self._transaction(acquire)

    def get_sliding_window(self, key: str, expiry: int) -> tuple[int, float, int, float]:
        with self._lock:
            now = time.time()
            previous_key, current_key = self.sliding_window_keys(key, expiry, now)
            counts = _live_counts(self._db(), (previous_key, current_key), now)
        previous = counts.get(previous_key, 0)
        previous_ttl = (expiry - now % expiry) if previous else 0.0
        return previous, previous_ttl, counts.get(current_key, 0), 2 * expiry - now % expiry

    def clear_sliding_window(self, key: str, expiry: int) -> None:
        previous_key, current_key = self.sliding_window_keys(key, expiry, time.time())

        def forget(db: sqlite3.Connection, _now: float) -> None:
            db.execute("DELETE FROM counters WHERE key IN (?, ?)", (previous_key, current_key))

        self._transaction(forget)

    def _sweep(self, db: sqlite3.Connection, now: float) -> None:
        """Every so often, drop every client's expired rows (a client may never come back)."""
        self._acquired += 1
        if self._acquired % CLEAN_EVERY == 0:
            db.execute("DELETE FROM entries WHERE expires < ?", (now,))
            db.execute("DELETE FROM counters WHERE expires < ?", (now,))

    # Fixed window counters (the "fixed-window" strategy).

    def incr(self, key: str, expiry: int, amount: int = 1) -> int:
        def increment(db: sqlite3.Connection, now: float) -> int:
            db.execute("DELETE FROM counters WHERE key = ? AND expires <= ?", (key, now))
            db.execute(
                "INSERT INTO counters (key, value, expires) VALUES (?, ?, ?) "
                "ON CONFLICT (key) DO UPDATE SET value = value + excluded.value",
                (key, amount, now + expiry),
            )
            row = db.execute("SELECT value FROM counters WHERE key = ?", (key,)).fetchone()
            value: int = row[0]
            return value

        return self._transaction(increment)

    def get(self, key: str) -> int:
        with self._lock:
            row = (
                self._db()
                .execute(
                    "SELECT value FROM counters WHERE key = ? AND expires > ?", (key, time.time())
                )
                .fetchone()
            )
            return row[0] if row else 0

    def get_expiry(self, key: str) -> float:
        with self._lock:
            now = time.time()
            row = (
                self._db()
                .execute(
                    "SELECT MAX(expires) FROM (SELECT expires FROM counters WHERE key = ? "
                    "UNION ALL SELECT expires FROM entries WHERE key = ?)",
                    (key, key),
                )
                .fetchone()
            )
            return row[0] if row and row[0] and row[0] > now else now

    def check(self) -> bool:
        try:
            with self._lock:
                self._db().execute("SELECT 1").fetchone()
        except sqlite3.Error:
            return False
        return True

    def reset(self) -> int | None:
        def wipe(db: sqlite3.Connection, _now: float) -> int:
            removed = db.execute("DELETE FROM entries").rowcount
            return removed + db.execute("DELETE FROM counters").rowcount

        return self._transaction(wipe)

    def clear(self, key: str) -> None:
        def forget(db: sqlite3.Connection, _now: float) -> None:
            db.execute("DELETE FROM entries WHERE key = ?", (key,))
            db.execute("DELETE FROM counters WHERE key = ?", (key,))

        self._transaction(forget)
