"""Run a search against the live index: the one function the site, the API and the CLI call.

``SearchIndex`` follows the ``current`` build link, opening a new build the first time a
request sees it; each request holds a ``Snapshot`` of one build for its whole life, so a
rebuild mid-request can never mix two builds in one answer.
"""

from __future__ import annotations

import json
import logging
import os
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from whoosh import index as whoosh_index
from whoosh.collectors import TimeLimit, UnlimitedCollector, WrappingCollector

from directory.geocode import Place
from directory.model import Listing
from directory.serialise import listing_from_dict
from directory.vocabulary import Vocabulary
from search.build import BUILD_FILE, INDEX_NAME, current_build
from search.facets import FacetTable
from search.interpret import Interpretation, interpret
from search.query import Candidate, build_query, rank
from search.request import MAX_RADIUS_MILES, SearchRequest

log = logging.getLogger(__name__)

TIME_LIMIT_SECONDS = 2.0
# Score allowed documents one by one when they are under 1/LEAPFROG_SHARE of the index.
LEAPFROG_SHARE = 4
LONDON = ZoneInfo("Europe/London")
FACET_NAMES = ("cost", "access_needs", "day", "access", "delivery", "need")


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
    _local: threading.local = field(default_factory=threading.local, repr=False)

    @classmethod
    def open(cls, folder: Path) -> Snapshot:
        info = json.loads((folder / BUILD_FILE).read_text(encoding="utf-8"))
        ix = whoosh_index.open_dir(str(folder), indexname=INDEX_NAME)
        facets = FacetTable.load(folder)
        if ix.doc_count() != facets.count:
            raise RuntimeError(f"Index {folder} is inconsistent: rebuild it.")
        return cls(folder, info["build_id"], info["created"], info["count"], ix, facets)

    def searcher(self):
        """A searcher for this thread: Whoosh searchers are not shared between threads."""
        searcher = getattr(self._local, "searcher", None)
        if searcher is None:
            searcher = self.ix.searcher()
            self._local.searcher = searcher
        return searcher

    def payload(self, docnum: int) -> dict[str, Any]:
        return json.loads(self.searcher().stored_fields(docnum)["payload"])

    def listing(self, listing_id: str) -> Listing | None:
        fields = self.searcher().document(id=listing_id)
        if not fields:
            return None
        return listing_from_dict(json.loads(fields["payload"]))

    def listings(self) -> list[Listing]:
        return [listing_from_dict(self.payload(docnum)) for docnum in range(self.count)]


class SearchIndex:
    """The live index at ``root``; cheap to ask for, safe to share between threads."""

    def __init__(self, root: str | os.PathLike[str]) -> None:
        self.root = Path(root)
        self._lock = threading.Lock()
        self._snapshot: Snapshot | None = None

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


@dataclass
class Hit:
    id: str
    name: str
    organisation: str
    distance_miles: float | None
    score: float
    listing: Listing
    nearest_location: int | None = None  # index into listing.locations


@dataclass
class WiderSearch:
    """A search that would find something when this one found nothing."""

    description: str
    count: int
    changes: dict[str, Any]


@dataclass
class SearchResponse:
    request: SearchRequest
    hits: list[Hit]
    total: int
    facets: dict[str, dict[str, int]]
    interpretation: Interpretation
    place: Place | None = None
    place_problem: str | None = None
    place_suggestions: list[str] = field(default_factory=list)
    wider: list[WiderSearch] = field(default_factory=list)
    build_id: str = ""
    timed_out: bool = False

    @property
    def did_you_mean(self) -> str | None:
        return self.interpretation.corrected_text

    @property
    def pages(self) -> int:
        per_page = self.request.per_page
        return max(1, (self.total + per_page - 1) // per_page)


def _union(table: FacetTable, facet: str, values: Iterable[str]) -> set[int]:
    found: set[int] = set()
    for value in values:
        found |= table.docs(facet, value)
    return found


def filter_docs(
    table: FacetTable, request: SearchRequest, allowed: set[int], now: datetime
) -> set[int]:
    """Apply the request's filters (not location) to ``allowed`` document numbers."""
    docs = set(allowed)
    if request.free:
        docs &= table.docs("cost", "free")
    if request.step_free:
        docs &= table.docs("access_needs", "step-free")
    if request.days:
        docs &= _union(table, "day", request.days)
    if request.access:
        docs &= _union(table, "access", request.access)
    if request.delivery:
        docs &= _union(table, "delivery", request.delivery)
    if request.needs:
        docs &= _union(table, "need", request.needs)
    if request.age is not None:
        docs = table.for_age(request.age, docs)
    if request.open_now:
        docs = table.open_at(now, docs)
    return docs


def _located(
    table: FacetTable, place: Place | None, radius: float, include_remote: bool
) -> tuple[set[int], dict[int, float]]:
    """Documents in reach of ``place`` (all documents when there is no place)."""
    if place is None:
        return table.all_docs(), {}
    distances = table.within(place.lat, place.lon, radius)
    docs = set(distances)
    if include_remote:
        docs |= table.docs("reach", "national")
        # A phone or online service that is not national serves its own area: offer it
        # where that area's venues are, not to someone at the other end of the country.
        remote = table.docs("reach", "no-location")
        for members in table.sets.get("area", {}).values():
            if remote & members and not members.isdisjoint(distances):
                docs |= remote & members
    return docs, distances


def facet_counts(table: FacetTable, docs: set[int]) -> dict[str, dict[str, int]]:
    counts: dict[str, dict[str, int]] = {}
    for facet in FACET_NAMES:
        values = table.sets.get(facet, {})
        found = {value: len(docs & members) for value, members in sorted(values.items())}
        counts[facet] = {value: count for value, count in found.items() if count}
    return counts


def _text_scores(
    snapshot: Snapshot, interpretation: Interpretation, allowed: set[int]
) -> tuple[dict[int, float] | None, bool]:
    """Whoosh scores for the query among ``allowed`` (None: no words, so no text ranking)."""
    query = build_query(interpretation)
    if query is None:
        return None, False
    if not allowed:
        return {}, False
    searcher = snapshot.searcher()
    if len(allowed) * LEAPFROG_SHARE < snapshot.count and searcher.is_atomic():
        return _leapfrog_scores(searcher, query, allowed)
    collector = _AllowedWithinTime(UnlimitedCollector(), allowed, TIME_LIMIT_SECONDS)
    timed_out = False
    try:
        searcher.search_with_collector(query, collector)
    except TimeLimit:
        timed_out = True
        log.warning("Search timed out: %r", interpretation.text)
    results = collector.results()
    return {hit.docnum: hit.score for hit in results}, timed_out


def _leapfrog_scores(searcher, query, allowed: set[int]) -> tuple[dict[int, float], bool]:
    """Score only the allowed documents, jumping the query's matcher from one to the next.

    When location and filters leave a small share of the index, this visits far fewer
    postings than collecting every match and discarding most (4x faster at 10k listings in
    bench/engine_experiments.py, with identical scores). Needs a single-segment index, which
    every build is.
    """
    matcher = query.matcher(searcher, searcher.context())
    deadline = time.perf_counter() + TIME_LIMIT_SECONDS
    scores: dict[int, float] = {}
    for count, docnum in enumerate(sorted(allowed)):
        if not matcher.is_active():
            break
        if matcher.id() < docnum:
            matcher.skip_to(docnum)
            if not matcher.is_active():
                break
        if matcher.id() == docnum:
            scores[docnum] = matcher.score()
        if count % 256 == 255 and time.perf_counter() > deadline:
            log.warning("Search timed out")
            return scores, True
    return scores, False


class _AllowedWithinTime(WrappingCollector):
    """Collect only allowed documents, giving up (keeping what it has) after a time limit.

    Whoosh's own TimeLimitCollector bypasses a wrapped collector's filter, so both jobs are
    done here in one loop.
    """

    def __init__(self, child, allowed: set[int], seconds: float) -> None:
        super().__init__(child)
        self.allowed = allowed
        self.deadline = time.perf_counter() + seconds

    def collect_matches(self) -> None:
        child = self.child
        offset = child.offset
        allowed = self.allowed
        for count, sub_docnum in enumerate(child.matches()):
            if offset + sub_docnum in allowed:
                child.collect(sub_docnum)
            if count % 256 == 255 and time.perf_counter() > self.deadline:
                raise TimeLimit


def search(
    index: SearchIndex | Snapshot,
    request: SearchRequest,
    vocab: Vocabulary,
    gazetteer,
    *,
    now: datetime | None = None,
) -> SearchResponse:
    """Find listings for ``request``: relevant, near and recently checked ones first."""
    snapshot = index.snapshot() if isinstance(index, SearchIndex) else index
    table = snapshot.facets
    now = now or datetime.now(LONDON)
    interpretation = interpret(request.text, vocab, table.words)

    place = None
    place_problem = None
    suggestions: list[str] = []
    if request.near.strip():
        place = gazetteer.resolve(request.near)
        if place is None:
            suggestions = list(gazetteer.suggest(request.near))[:5]
            place_problem = (
                f"We could not find '{request.near.strip()[:60]}'. Try a postcode (like "
                "CT9 1EP), the first half of one (like CT9) or a town name."
            )

    open_docs = set(table.open_docs)
    near_docs, distances = _located(table, place, request.radius_miles, request.include_remote)
    allowed = filter_docs(table, request, open_docs & near_docs, now)
    scores, timed_out = _text_scores(snapshot, interpretation, allowed)
    matched = allowed if scores is None else set(scores)

    ranked = rank_matches(
        table,
        matched,
        scores,
        distances,
        located=place is not None,
        radius_miles=request.radius_miles,
        today=now.date().toordinal(),
    )
    start = (request.page - 1) * request.per_page
    hits = []
    for candidate in ranked[start : start + request.per_page]:
        listing = listing_from_dict(snapshot.payload(candidate.docnum))
        nearest = _nearest_location(listing, place)
        hits.append(
            Hit(
                id=listing.id,
                name=listing.name,
                organisation=listing.organisation,
                distance_miles=candidate.distance,
                score=round(candidate.score, 4),
                listing=listing,
                nearest_location=nearest,
            )
        )
    response = SearchResponse(
        request=request,
        hits=hits,
        total=len(ranked),
        facets=facet_counts(table, matched),
        interpretation=interpretation,
        place=place,
        place_problem=place_problem,
        place_suggestions=suggestions,
        build_id=snapshot.build_id,
        timed_out=timed_out,
    )
    if not ranked:
        response.wider = wider_searches(snapshot, request, interpretation, place, now)
    return response


def rank_matches(
    table: FacetTable,
    matched: Iterable[int],
    scores: dict[int, float] | None,
    distances: dict[int, float],
    *,
    located: bool,
    radius_miles: float,
    today: int,
) -> list[Candidate]:
    """Matched documents as ranking candidates, best first (``scores`` None: no text)."""
    paused = table.docs("status", "paused")
    candidates = [
        Candidate(
            docnum=docnum,
            text_score=1.0 if scores is None else scores[docnum],
            distance=distances.get(docnum),
            reviewed=table.reviewed[docnum],
            paused=docnum in paused,
            name=table.names[docnum],
            id=table.ids[docnum],
        )
        for docnum in matched
    ]
    return rank(candidates, located=located, radius_miles=radius_miles, today=today)


def _nearest_location(listing: Listing, place: Place | None) -> int | None:
    from directory.geocode import distance_miles

    if place is None or not listing.locations:
        return None
    best = min(
        range(len(listing.locations)),
        key=lambda i: (
            distance_miles(place.lat, place.lon, listing.locations[i].lat, listing.locations[i].lon)
            if listing.locations[i].lat is not None
            else float("inf")
        ),
    )
    return best


def wider_searches(
    snapshot: Snapshot,
    request: SearchRequest,
    interpretation: Interpretation,
    place: Place | None,
    now: datetime,
) -> list[WiderSearch]:
    """When nothing matched: how many a bigger radius, or fewer filters, would find."""
    table = snapshot.facets
    open_docs = set(table.open_docs)
    text_docs_all, _ = _text_scores(snapshot, interpretation, open_docs)
    text_docs = open_docs if text_docs_all is None else set(text_docs_all)
    options: list[WiderSearch] = []

    def count(radius: float, filtered: bool, remote: bool) -> int:
        near, _ = _located(table, place, radius, remote)
        docs = text_docs & near
        if filtered:
            docs = filter_docs(table, request, docs, now)
        return len(docs)

    if place is not None:
        for radius in (request.radius_miles * 2, request.radius_miles * 5, MAX_RADIUS_MILES):
            radius = min(radius, MAX_RADIUS_MILES)
            if radius <= request.radius_miles:
                continue
            found = count(radius, True, request.include_remote)
            if found:
                options.append(
                    WiderSearch(f"Search within {radius:g} miles", found, {"radius": radius})
                )
                break
    if request.has_filters:
        found = count(request.radius_miles, False, request.include_remote)
        if found:
            options.append(WiderSearch("Remove the filters", found, {"filters": "clear"}))
    if place is not None and not request.include_remote:
        found = count(request.radius_miles, True, True)
        if found:
            options.append(
                WiderSearch(
                    "Include online, phone and national services", found, {"local_only": False}
                )
            )
    if interpretation.text and len(interpretation.stated_needs) == 0 and place is not None:
        found = count(request.radius_miles, request.has_filters, request.include_remote)
        if not found:
            near, _ = _located(table, place, request.radius_miles, request.include_remote)
            everything = len(filter_docs(table, request, open_docs & near, now))
            if everything:
                options.append(WiderSearch("See everything near this place", everything, {"q": ""}))
    return options
