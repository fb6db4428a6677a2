"""The write side: counts added in memory during a request, written by a background thread.

A search must never wait for, or fail because of, the insights store. So a request only adds
to a dictionary under a lock (microseconds); a daemon thread writes the totals every few
seconds, or sooner once enough have gathered, and once more at exit. If the store is locked,
full or unreachable, the totals stay in memory and are tried again; the buffer is bounded, so
a long outage costs a bounded amount of memory and loses only new kinds of count, never the
search. Failures are logged once a minute at most, without details of any person.
"""

from __future__ import annotations

import atexit
import logging
import os
import threading
import time
import weakref
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING

from insights.store import LISTING_EVENTS, Store, StoreError, describe_error

if TYPE_CHECKING:
    from search.engine import SearchResponse

log = logging.getLogger(__name__)

FLUSH_SECONDS = 5.0
FLUSH_EVENTS = 500  # write sooner than the timer once this many increments are waiting
MAX_KEYS = 20_000  # distinct counts held in memory while the store is unavailable
MAX_NEEDS_PER_SEARCH = 3
WARN_EVERY_SECONDS = 60.0


def week_of(moment: date | datetime) -> str:
    """The ISO week a moment falls in, as its Monday's date ("2026-11-23")."""
    day = moment.date() if isinstance(moment, datetime) else moment
    return (day - timedelta(days=day.weekday())).isoformat()


def outward_code(district: str) -> str:
    """Only a postcode's first half is ever kept; anything else becomes 'other'."""
    value = (district or "").strip().upper()
    if not value:
        return "other"
    return value.split()[0][:4] if " " in value else value[:4]


@dataclass(frozen=True)
class SearchKey:
    """What one search adds to the counts: its area, the needs understood, whether it found
    a local service. Holds nothing that was typed."""

    district: str
    needs: tuple[str, ...]
    no_local: bool
    shown: tuple[str, ...] = field(default=())


def search_key(response: SearchResponse, *, top: int = 10) -> SearchKey:
    """Read a ``search.engine.SearchResponse``: district of the resolved place ('none' when
    no place was given, 'unknown' when it was not found), needs understood or chosen
    ('none' when neither), and the first ``top`` listings shown.

    "No local service": a place was given and no result is in reach of it (phone and
    online services do not count as local); without a place, nothing was found at all.
    """
    request = response.request
    if response.place is not None:
        district = outward_code(response.place.district)
    elif request.near.strip():
        district = "unknown"
    else:
        district = "none"
    needs: list[str] = []
    for need in (*request.needs, *response.interpretation.stated_needs):
        if need not in needs:
            needs.append(need)
    hits = response.hits
    if response.place is not None:
        no_local = not any(hit.distance_miles is not None for hit in hits)
    else:
        no_local = response.total == 0
    return SearchKey(
        district=district,
        needs=tuple(needs[:MAX_NEEDS_PER_SEARCH]) or ("none",),
        no_local=no_local,
        shown=tuple(hit.id for hit in hits[:top]),
    )


class Recorder:
    """Buffered counters in front of a store opened lazily by ``open_store``.

    ``enabled=False`` (SIGNPOST_INSIGHTS=off) makes every call a no-op that records nothing.
    """

    def __init__(
        self,
        open_store: Callable[[], Store] | None,
        *,
        flush_seconds: float = FLUSH_SECONDS,
        flush_events: int = FLUSH_EVENTS,
        max_keys: int = MAX_KEYS,
        background: bool = True,
    ) -> None:
        self.enabled = open_store is not None
        self._open_store = open_store
        self.flush_seconds = flush_seconds
        self.flush_events = flush_events
        self.max_keys = max_keys
        self.background = background
        self._store: Store | None = None
        self._lock = threading.Lock()
        self._write_lock = threading.Lock()
        self._searches: dict[tuple[str, str, str, str], list[int]] = {}
        self._listings: dict[tuple[str, str, str], int] = {}
        self._pending = 0
        self.dropped = 0  # increments refused because the buffer was full
        self.failures = 0
        self._last_warning = 0.0
        self._pid = os.getpid()
        self._thread: threading.Thread | None = None
        self._wake = threading.Event()
        self._stopping = False
        if self.enabled:
            _live.add(self)

    # ---- Called from requests: never raises, never blocks on the store ---------------------

    def search(self, week: str, key: SearchKey, channel: str) -> None:
        if not self.enabled:
            return
        try:
            with self._lock:
                self._check_fork()
                for need in key.needs:
                    counts = self._searches.get((week, key.district, need, channel))
                    if counts is None:
                        if self._full():
                            self.dropped += 1
                            continue
                        counts = self._searches[(week, key.district, need, channel)] = [0, 0]
                    counts[0] += 1
                    counts[1] += int(key.no_local)
                for listing_id in key.shown:
                    self._add_listing(week, listing_id, "shown")
                self._pending += 1
            self._nudge()
        except Exception:  # noqa: BLE001 - counting must never break a search
            log.exception("Could not count a search")

    def listings(self, week: str, listing_ids: Iterable[str], event: str) -> None:
        if not self.enabled:
            return
        if event not in LISTING_EVENTS:
            raise ValueError(f"Unknown listing event {event!r}")
        try:
            with self._lock:
                self._check_fork()
                for listing_id in listing_ids:
                    self._add_listing(week, listing_id, event)
                self._pending += 1
            self._nudge()
        except Exception:  # noqa: BLE001
            log.exception("Could not count a listing event")

    def _add_listing(self, week: str, listing_id: str, event: str) -> None:
        key = (week, listing_id, event)
        if key not in self._listings and self._full():
            self.dropped += 1
            return
        self._listings[key] = self._listings.get(key, 0) + 1

    def _full(self) -> bool:
        return len(self._searches) + len(self._listings) >= self.max_keys

    def _check_fork(self) -> None:
        # A forked worker (gunicorn) inherits the parent's buffer but not its thread: start
        # afresh so no count is written twice.
        if os.getpid() != self._pid:
            self._pid = os.getpid()
            self._searches, self._listings, self._pending = {}, {}, 0
            self._thread, self._store = None, None
            self._wake = threading.Event()
            self._write_lock = threading.Lock()

    def _nudge(self) -> None:
        if not self.background:
            return
        if self._thread is None or not self._thread.is_alive():
            with self._lock:
                if self._thread is None or not self._thread.is_alive():
                    self._thread = threading.Thread(
                        target=self._run, name="signpost-insights", daemon=True
                    )
                    self._thread.start()
        if self._pending >= self.flush_events:
            self._wake.set()

    def _run(self) -> None:
        while not self._stopping:
            self._wake.wait(self.flush_seconds)
            self._wake.clear()
            self.flush()

    # ---- Writing --------------------------------------------------------------------------

    def pending(self) -> int:
        with self._lock:
            return len(self._searches) + len(self._listings)

    def flush(self) -> bool:
        """Write what is waiting. True when the store has it all (or there was nothing)."""
        if not self.enabled:
            return True
        with self._write_lock:
            with self._lock:
                searches = {k: (v[0], v[1]) for k, v in self._searches.items()}
                listings = dict(self._listings)
                self._searches, self._listings, self._pending = {}, {}, 0
            if not searches and not listings:
                return True
            try:
                if self._store is None:
                    self._store = self._open_store()  # type: ignore[misc]
                self._store.add(searches, listings)
                return True
            except Exception as error:  # noqa: BLE001 - a bad store must not stop the thread
                self.failures += 1
                self._restore(searches, listings)
                self._warn(error)
                if self._store is not None and not _is_transient(error):
                    self._store.close()
                    self._store = None
                return False

    def _restore(
        self,
        searches: dict[tuple[str, str, str, str], tuple[int, int]],
        listings: dict[tuple[str, str, str], int],
    ) -> None:
        """Put unwritten totals back, merged with any gathered meanwhile, within the bound."""
        with self._lock:
            for key, (n, z) in searches.items():
                counts = self._searches.get(key)
                if counts is None:
                    if self._full():
                        self.dropped += n
                        continue
                    counts = self._searches[key] = [0, 0]
                counts[0] += n
                counts[1] += z
            for listing_key, n in listings.items():
                if listing_key not in self._listings and self._full():
                    self.dropped += n
                    continue
                self._listings[listing_key] = self._listings.get(listing_key, 0) + n

    def _warn(self, error: BaseException) -> None:
        moment = time.monotonic()
        if moment - self._last_warning >= WARN_EVERY_SECONDS or not self._last_warning:
            self._last_warning = moment
            if isinstance(error, StoreError):
                message = str(error).rstrip(".")
            else:
                message = describe_error(error, getattr(self._store, "url", "") or "?")
            log.warning(
                "%s. Counts are kept in memory (%d waiting) and tried again.",
                message,
                self.pending(),
            )

    def close(self) -> None:
        """Stop the thread and write what is left (at exit, or when a test ends)."""
        self._stopping = True
        self._wake.set()
        thread = self._thread
        if thread is not None and thread.is_alive() and thread is not threading.current_thread():
            thread.join(timeout=self.flush_seconds + 5)
        self.flush()
        if self._store is not None:
            self._store.close()
            self._store = None
        _live.discard(self)


def _is_transient(error: BaseException) -> bool:
    """A lock or a busy database: keep the engine and simply try again later."""
    words = str(error).lower()
    return "locked" in words or "busy" in words


_live: weakref.WeakSet[Recorder] = weakref.WeakSet()


@atexit.register
def _flush_at_exit() -> None:
    for recorder in list(_live):
        try:
            recorder.close()
        except Exception:  # noqa: BLE001 - exiting anyway
            log.exception("Could not write the last insights counts")
