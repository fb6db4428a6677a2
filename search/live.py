"""The live directory a running site or API reads: one object per app, shared by requests.

It ties together what every request needs (the current index build, the needs vocabulary
and the gazetteer) so that the site's pages, the JSON API and the command line all ask the
same questions in the same way. Reading from the index, never from the YAML files, means a
half-edited or broken listing can never reach a page: only validated builds are served.
"""

from __future__ import annotations

import contextlib
import gc
import json
import logging
import os
import sys
import threading
import time
from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path
from types import ModuleType
from typing import Any, TypeVar, cast

import numpy as np

from directory.model import Listing
from directory.places import Gazetteer, default_gazetteer, make_online_geocoder
from directory.settings import Settings
from directory.urgent import UrgentHelp, current_urgent_help
from directory.vocabulary import Vocabulary, load_vocabulary, vocabulary_path
from search.build import BUILD_FILE, CURRENT, current_build, vocabulary_terms
from search.engine import SearchResponse, search
from search.interpret import warm_known_words
from search.request import SearchRequest
from search.snapshot import NoIndex, SearchIndex, Snapshot

log = logging.getLogger(__name__)
# A build that failed to open is tried again after this long (a later build sooner).
RETRY_SECONDS = 30.0
# A build of at most this many listings opens and warms in about 50 ms: the request that
# notices it opens it itself, so a small directory shows a publish at once. Bigger builds
# (100,000 listings: ~2.5 s) are opened and warmed aside.
OPEN_ASIDE_ABOVE = 500
# Searches run on a new build before it takes requests: words, a typo, a phrase, filters
# and nothing matching (the "wider search" path), so no visitor's search is the first of
# its kind on the build.
WARM_SEARCHES = (
    SearchRequest(text="lonley older men"),
    SearchRequest(text="lost my wife", free=True, days=("tue",), step_free=True),
    SearchRequest(text="debt advice", age=30, access=("self-referral",)),
    SearchRequest(text="zzqx", free=True, days=("sun",)),
)


def warm(snapshot: Snapshot, vocab: Vocabulary, urgent_help: UrgentHelp | None = None) -> None:
    """Do, once, what a build's first searches would otherwise do on a visitor's time: the
    place and filter tables, the ranking arrays, the field lengths, every vocabulary term's
    postings (already arrays for a build that wrote them), and a few real searches."""
    table = snapshot.facets
    places = ("open_docs", "_venues", "_venue_cos", "_area_of", "_remote_by_area", "served")
    arrays = ("_masks", "_arrays", "_nothing", "open_mask", "age_bounds", "reviewed_array")
    for name in (*places, *arrays):
        getattr(table, name)
    built = ("name_rank", "facet_matrix", "facet_rows")
    for name in (*built, "covered_areas"):
        getattr(snapshot, name)
    warm_known_words(table.words)
    snapshot.scorer.warm(snapshot.searcher(), vocabulary_terms(vocab))
    for request in WARM_SEARCHES:
        search(snapshot, request, vocab, None, urgent_help=urgent_help)


def start_native_thread(target: Callable[..., None], *args: object) -> None:
    """Run ``target`` in a real OS thread, also under gevent's monkey-patching (gunicorn's
    gevent workers), where ``threading.Thread`` would be a greenlet that keeps the worker's
    one thread busy, and every request waiting, until the work is done."""
    monkey: ModuleType | None
    try:
        from gevent import monkey
    except ImportError:
        monkey = None
    if monkey is not None and monkey.is_module_patched("threading"):
        monkey.get_original("_thread", "start_new_thread")(target, args)
        return
    threading.Thread(target=target, args=args, name="signpost-open-build", daemon=True).start()


@contextlib.contextmanager
def reading_aside() -> Iterator[None]:
    """While a build is read in beside running requests: Python's cyclic garbage collector
    off, and the interpreter handed between threads every 1 ms instead of 5. Reading
    100,000 listings makes millions of objects, and each full collection meanwhile walked
    all of them with the interpreter held; with both, the worst request during a switch
    (gevent worker, 100k) went from 830 to 200-260 ms. Nothing read in is cyclic garbage;
    both settings are put back afterwards."""
    was_enabled = gc.isenabled()
    interval = sys.getswitchinterval()
    gc.disable()
    sys.setswitchinterval(min(interval, 0.001))
    try:
        yield
    finally:
        sys.setswitchinterval(interval)
        settle_into_oldest_generation()
        if was_enabled:
            gc.enable()


def settle_into_oldest_generation() -> None:
    """Move every object the garbage collector tracks into its oldest generation, at once.

    A build read in is millions of long-lived objects (its facet table's lists and tuples).
    Left in the youngest generation, the next collections walk all of them with the
    interpreter held, on some visitor's request: each of the first searches on a fresh
    100,000-listing build paid milliseconds for it. ``gc.freeze`` then ``gc.unfreeze``
    moves them without walking them (CPython splices its lists) and starts the young
    count again; the next full collection, which waits until the oldest generation has
    grown by a quarter, still frees any cycle among them.
    """
    gc.freeze()
    gc.unfreeze()


def _listing_count(folder: Path) -> int:
    try:
        return int(json.loads((folder / BUILD_FILE).read_text(encoding="utf-8"))["count"])
    except (OSError, ValueError, KeyError, TypeError):
        return sys.maxsize  # unreadable: opened aside, where a failure is logged


class WarmingIndex(SearchIndex):
    """A ``SearchIndex`` that opens and warms a new build aside before switching to it.

    When ``current`` points at a new build, the request that notices starts a background
    thread that opens it and runs ``warm_with`` on it; requests keep getting the build they
    had until it is ready, then all switch at once. Only a process's very first request
    opens a build on its own time (gunicorn workers do that in ``serving.warm_up``), and so
    does the request that notices a small build (``OPEN_ASIDE_ABOVE`` listings at most,
    about 50 ms). A build that fails to open is logged and the last one keeps serving.
    """

    def __init__(
        self,
        root: str | os.PathLike[str],
        warm_with: Callable[[Snapshot], None],
        open_aside_above: int = OPEN_ASIDE_ABOVE,
    ) -> None:
        super().__init__(root)
        self._warm_with = warm_with
        self.open_aside_above = open_aside_above
        self._opening: Path | None = None
        self._failed: dict[Path, float] = {}
        # The ``current`` link's text last seen, and the build folder it names.
        self._seen: tuple[str, Path | None] = ("", None)

    def snapshot(self) -> Snapshot:
        current = self._snapshot
        if current is None:
            return self._first()
        try:  # one system call when nothing changed (resolving the link takes several)
            target = os.readlink(self.root / CURRENT)
        except OSError:
            return current  # a vanished link keeps the open build: never an error mid-flight
        if self._seen == (target, current.folder):
            return current
        folder = current_build(self.root)
        if folder is None:
            return current
        if folder == current.folder:
            self._seen = (target, folder)
            return current
        if self._failed_recently(folder):
            return current
        if _listing_count(folder) > self.open_aside_above:
            self._open_aside(folder)
            return current
        try:
            return self._open_now(folder)
        except Exception:  # noqa: BLE001 - keep serving the open build, and say why
            self._failed_to_open(folder)
            return current

    def _first(self) -> Snapshot:
        folder = current_build(self.root)
        if folder is None:
            raise NoIndex(f"No search index at {self.root}. Build it with 'signpost index'.")
        return self._open_now(folder)

    def _open_now(self, folder: Path) -> Snapshot:
        """Open and warm ``folder`` in this request (a process's first build, or a small one)."""
        with self._lock:
            if self._snapshot is None or self._snapshot.folder != folder:
                snapshot = Snapshot.open(folder)
                self._warm_with(snapshot)
                settle_into_oldest_generation()
                self._snapshot = snapshot
            return self._snapshot

    def _failed_recently(self, folder: Path) -> bool:
        failed = self._failed.get(folder)
        return failed is not None and time.monotonic() - failed < RETRY_SECONDS

    def _failed_to_open(self, folder: Path, aside: bool = False) -> None:
        log.exception("Could not open the new build %s; still serving the last one", folder)
        with self._lock:
            self._failed[folder] = time.monotonic()
            if aside:
                self._opening = None

    def _open_aside(self, folder: Path) -> None:
        with self._lock:
            if self._opening is not None:
                return
            if self._snapshot is not None and self._snapshot.folder == folder:
                return  # switched since this request looked: nothing to open
            self._opening = folder
        start_native_thread(self._open_and_swap, folder)

    def _open_and_swap(self, folder: Path) -> None:
        started = time.perf_counter()
        try:
            with reading_aside():
                snapshot = Snapshot.open(folder)
                self._warm_with(snapshot)
        except Exception:  # noqa: BLE001 - keep serving the open build, and say why
            self._failed_to_open(folder, aside=True)
            return
        with self._lock:
            self._snapshot = snapshot
            self._opening = None
            self._failed.pop(folder, None)
        log.info(
            "Switched to build %s (opened and warmed aside in %.2f s)",
            snapshot.build_id,
            time.perf_counter() - started,
        )

    def wait(self, timeout: float = 30.0) -> Snapshot:
        """The live build once any switch under way has finished (for tests and tools)."""
        deadline = time.monotonic() + timeout
        snapshot = self.snapshot()
        while time.monotonic() < deadline:
            with self._lock:
                busy = self._opening is not None
            folder = current_build(self.root)
            if not busy and (
                folder is None
                or (self._snapshot is not None and folder == self._snapshot.folder)
                or self._failed_recently(folder)
            ):
                break
            time.sleep(0.005)
            snapshot = self.snapshot()
        return self._snapshot or snapshot


T = TypeVar("T")


def gazetteer_for(settings: Settings) -> Gazetteer:
    """The shared offline gazetteer, or one set up for this deployment's home area or
    online fallback ("Minster" means Minster-in-Thanet to a Thanet PCN)."""
    online = make_online_geocoder(settings.geocoder, settings.geocoder_user_agent)
    if online is None and not settings.home_area and settings.postcode_cache is None:
        return default_gazetteer()
    return Gazetteer(
        online=online, prefer_near=settings.home_area, postcode_cache=settings.postcode_cache
    )


class LiveDirectory:
    """The listings as last published to ``settings.index_dir``; safe to share between threads.

    Each call looks at the ``current`` build link, so a rebuild is picked up by the next
    request without a restart. Methods raise ``search.snapshot.NoIndex`` until a build exists.
    """

    def __init__(self, settings: Settings, gazetteer: Gazetteer | None = None) -> None:
        self.settings = settings
        self.index: SearchIndex = WarmingIndex(
            settings.index_dir, lambda snapshot: warm(snapshot, self.vocabulary, self.urgent_help)
        )
        self._gazetteer = gazetteer
        self._lock = threading.Lock()
        # A dictionary kept for the length of one request (the site's, set by create_app),
        # or None outside a request.
        self.request_memo: Callable[[], dict[str, Any] | None] | None = None

    @property
    def gazetteer(self) -> Gazetteer:
        if self._gazetteer is None:
            with self._lock:
                if self._gazetteer is None:
                    self._gazetteer = gazetteer_for(self.settings)
        return self._gazetteer

    @property
    def vocabulary(self) -> Vocabulary:
        """The needs vocabulary: the data folder's needs.yaml, re-read when it changes."""
        return self._per_request("vocabulary", self._read_vocabulary)

    @property
    def urgent_help(self) -> UrgentHelp:
        """Crisis topics and help lines: the data folder's file, else the bundled one."""
        return self._per_request("urgent_help", self._read_urgent_help)

    def _read_vocabulary(self) -> Vocabulary:
        return load_vocabulary(vocabulary_path(self.settings.data_dir))

    def _read_urgent_help(self) -> UrgentHelp:
        return current_urgent_help(self.settings.data_dir)

    def _per_request(self, key: str, read: Callable[[], T]) -> T:
        """``read()`` once per request when the site gives a ``request_memo`` (a page asks
        for the vocabulary several times, and each look checks the file), so one page never
        mixes two versions of a file edited meanwhile; every time otherwise."""
        memo = self.request_memo() if self.request_memo is not None else None
        if memo is None:
            return read()
        found = memo.get(key)
        if found is None:
            found = memo[key] = read()
        return cast(T, found)

    def snapshot(self) -> Snapshot:
        return self.index.snapshot()

    def search(
        self,
        request: SearchRequest,
        *,
        now: datetime | None = None,
        snapshot: Snapshot | None = None,
    ) -> SearchResponse:
        return search(
            snapshot or self.snapshot(),
            request,
            self.vocabulary,
            self.gazetteer,
            now=now,
            urgent_help=self.urgent_help,
        )

    def listing(self, listing_id: str, *, snapshot: Snapshot | None = None) -> Listing | None:
        """A listing by id, including paused ones; closed listings are still shown as closed."""
        return (snapshot or self.snapshot()).listing(listing_id)

    def listings(self, *, snapshot: Snapshot | None = None) -> list[Listing]:
        """Every indexed listing (for exports and browse pages), sorted by area then name."""
        found = (snapshot or self.snapshot()).listings()
        return sorted(found, key=lambda item: (item.area, item.name.lower(), item.id))

    def need_counts(self, *, snapshot: Snapshot | None = None) -> dict[str, int]:
        """How many open (not closed) listings meet each need, for "browse by need"."""
        return dict((snapshot or self.snapshot()).derived("need_counts", _need_counts))


def _need_counts(snapshot: Snapshot) -> dict[str, int]:
    """Open listings per need: the same for every request on a build, so made once."""
    table = snapshot.facets
    counts = {
        need: int(np.count_nonzero(table.mask("need", need) & table.open_mask))
        for need in table.sets.get("need", {})
    }
    return {need: count for need, count in counts.items() if count}
