"""One build of the index, opened, and the live index that follows the ``current`` link.

``SearchIndex`` follows the ``current`` build link, opening a new build the first time a
request sees it; each request holds a ``Snapshot`` of one build for its whole life, so a
rebuild mid-request can never mix two builds in one answer. What a search or a view works
out from a whole build (masks, the ranking tie-break, an export's lookups) is kept on its
``Snapshot``: made once per build, never stale after a rebuild.
"""

from __future__ import annotations

import bisect
import json
import os
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from pathlib import Path
from typing import Any, TypeVar, cast

import numpy as np
from whoosh import index as whoosh_index
from whoosh.searching import Searcher

from directory.areas import default_areas
from directory.model import Listing
from directory.serialise import listing_from_dict
from search.build import BUILD_FILE, INDEX_NAME, current_build
from search.coverage import CoveredArea, load_coverage
from search.directory_coverage import Coverage, compute_coverage
from search.facets import FacetTable
from search.payloads import Payloads
from search.scoring import PostingArrays, TermScorer

T = TypeVar("T")

# The facets a search counts and offers as filters (search.engine, the API's description).
FACET_NAMES = ("cost", "access_needs", "day", "access", "delivery", "need")
# Decoded listings a build keeps (Snapshot.listing_at): a few MB at most.
LISTINGS_KEPT = 512


class NoIndex(RuntimeError):
    """No index has been built yet at this location."""


@dataclass
class Snapshot:
    """One build, opened: its Whoosh index and facet table."""

    folder: Path
    build_id: str
    created: str
    count: int
    ix: Any
    facets: FacetTable
    # The listings' JSON (None: a build that kept it in Whoosh's stored fields).
    payloads: Payloads | None = None
    _local: threading.local = field(default_factory=threading.local, repr=False)
    _derived: dict[str, Any] = field(default_factory=dict, repr=False)
    # Re-entrant: one derived value may be made from another (example searches use the
    # counts per need).
    _derived_lock: threading.RLock = field(default_factory=threading.RLock, repr=False)

    def derived(self, key: str, make: Callable[[Snapshot], T]) -> T:
        """What a view works out from the whole build (an export's lookups, counts), made
        once and kept with the build: never per request, never stale after a rebuild."""
        try:
            return cast(T, self._derived[key])
        except KeyError:
            pass
        with self._derived_lock:
            if key not in self._derived:
                self._derived[key] = make(self)
            return cast(T, self._derived[key])

    @classmethod
    def open(cls, folder: Path) -> Snapshot:
        info = json.loads((folder / BUILD_FILE).read_text(encoding="utf-8"))
        ix = whoosh_index.open_dir(str(folder), indexname=INDEX_NAME)
        facets = FacetTable.load(folder)
        if ix.doc_count() != facets.count:
            raise RuntimeError(f"Index {folder} is inconsistent: rebuild it.")
        payloads = Payloads.open(folder)
        if payloads is not None and len(payloads) != facets.count:
            raise RuntimeError(f"Index {folder} is inconsistent: rebuild it.")
        snapshot = cls(
            folder, info["build_id"], info["created"], info["count"], ix, facets, payloads
        )
        snapshot.scorer.check(snapshot.searcher())  # prove the fast paths on this build
        return snapshot

    @cached_property
    def scorer(self) -> TermScorer:
        return TermScorer(self.count, arrays=PostingArrays.load(self.folder))

    @property
    def reviewed(self) -> np.ndarray:
        return self.facets.reviewed_array

    @property
    def paused(self) -> np.ndarray:
        return self.facets.mask("status", "paused")

    @property
    def open_mask(self) -> np.ndarray:
        return self.facets.open_mask

    @property
    def national(self) -> np.ndarray:
        return self.facets.mask("reach", "national")

    @cached_property
    def covered_areas(self) -> list[CoveredArea]:
        """Areas with local listings (search.coverage), read once per build."""
        return load_coverage(self.folder)

    @cached_property
    def coverage(self) -> Coverage:
        """Services per area and per need (search.directory_coverage), once per build."""
        return compute_coverage(self.facets, default_areas())

    @cached_property
    def name_rank(self) -> np.ndarray:
        """Each document's place in the index sorted by (name, id): the ranking tie-break."""
        table = self.facets
        ordered = sorted(range(self.count), key=lambda d: (table.names[d], table.ids[d]))
        ranks = np.empty(self.count, dtype=np.int64)
        ranks[ordered] = np.arange(self.count)
        return ranks

    @cached_property
    def facet_matrix(self) -> tuple[list[tuple[str, str]], np.ndarray]:
        """One row of 0/1 per (facet, value) shown as a filter, for counting in one step."""
        rows: list[tuple[str, str]] = []
        matrix: list[np.ndarray] = []
        for facet in FACET_NAMES:
            for value in sorted(self.facets.sets.get(facet, {})):
                rows.append((facet, value))
                matrix.append(self.facets.mask(facet, value))  # made once per build
        shape = (len(rows), self.count)
        return rows, (np.array(matrix, dtype=np.uint8) if rows else np.zeros(shape, np.uint8))

    @cached_property
    def facet_rows(self) -> dict[str, tuple[int, int]]:
        """Each facet's rows of ``facet_matrix``: (first, end)."""
        rows = self.facet_matrix[0]
        found: dict[str, tuple[int, int]] = {}
        for number, (facet, _value) in enumerate(rows):
            first, _end = found.get(facet, (number, number))
            found[facet] = (first, number + 1)
        return {facet: found.get(facet, (0, 0)) for facet in FACET_NAMES}

    def searcher(self) -> Searcher:
        """A searcher for this thread: Whoosh searchers are not shared between threads."""
        searcher = getattr(self._local, "searcher", None)
        if searcher is None:
            searcher = self.ix.searcher()
            self._local.searcher = searcher
        return searcher

    def payload(self, docnum: int) -> dict[str, Any]:
        payloads = self.payloads
        if payloads is not None:
            found: dict[str, Any] = json.loads(payloads.get(docnum))
        else:
            found = json.loads(self.searcher().stored_fields(docnum)["payload"])
        return found

    def listing_at(self, docnum: int) -> Listing:
        """The listing of a document number. Listings are frozen, so the most recently
        shown are kept decoded (``LISTINGS_KEPT``): a page of results or a service page
        asked for again (the same area's groups come up search after search) costs no
        stored-field read, decompression or JSON."""
        return self._decoded(docnum)

    @cached_property
    def _decoded(self) -> Callable[[int], Listing]:
        return lru_cache(maxsize=LISTINGS_KEPT)(
            lambda docnum: listing_from_dict(self.payload(docnum))
        )

    def docnum(self, listing_id: str) -> int | None:
        """A listing's document number. Builds add listings in id order, so it is a binary
        search of the ids the facet table already holds (a dictionary of 100,000 ids would
        cost each worker 10 MB); Whoosh's own look-up answers when that finds nothing."""
        ids = self.facets.ids
        at = bisect.bisect_left(ids, listing_id)
        if at < len(ids) and ids[at] == listing_id:
            return at
        found = self.searcher().document_number(id=listing_id)
        return None if found is None else int(found)

    def listing(self, listing_id: str) -> Listing | None:
        docnum = self.docnum(listing_id)
        return None if docnum is None else self.listing_at(docnum)

    def listings(self) -> list[Listing]:
        return [listing_from_dict(self.payload(docnum)) for docnum in range(self.count)]


class SearchIndex:
    """The live index at ``root``; cheap to ask for, safe to share between threads."""

    def __init__(self, root: str | os.PathLike[str]) -> None:
        self.root = Path(root)
        self._lock = threading.Lock()
        self._snapshot: Snapshot | None = None

    @property
    def current_snapshot(self) -> Snapshot | None:
        """The build most recently opened, if any (no disk access; for logs)."""
        return self._snapshot

    def snapshot(self) -> Snapshot:
        folder = current_build(self.root)
        if folder is None:
            raise NoIndex(f"No search index at {self.root}. Build it with 'signpost index'.")
        current = self._snapshot
        if current is not None and current.folder == folder:
            return current
        with self._lock:
            if self._snapshot is None or self._snapshot.folder != folder:
                self._snapshot = Snapshot.open(folder)
            return self._snapshot
