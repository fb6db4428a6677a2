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
from collections.abc import Callable, Iterable
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field, replace
from datetime import datetime
from functools import cached_property
from pathlib import Path
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

import numpy as np
from whoosh import index as whoosh_index

from directory.areas import default_areas
from directory.model import Listing
from directory.places import Place
from directory.serialise import listing_from_dict
from directory.urgent import UrgentHelp, UrgentPanel, load_urgent_help
from directory.vocabulary import Vocabulary
from search.build import BUILD_FILE, INDEX_NAME, current_build
from search.coverage import NEARBY_MILES, CoveredArea, load_coverage
from search.crisis import detect, vocabulary_words, with_crisis
from search.directory_coverage import Coverage, compute_coverage
from search.facets import FacetTable
from search.honest import MissingNeed, keep, missing_needs, relevant_to
from search.interpret import Interpretation, interpret
from search.query import build_query
from search.ranking import blend, order, served_distance
from search.request import MAX_RADIUS_MILES, SearchRequest
from search.scoring import PostingArrays, TermScorer, supported

log = logging.getLogger(__name__)
T = TypeVar("T")

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
    _derived: dict[str, Any] = field(default_factory=dict, repr=False)
    _derived_lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def derived(self, key: str, make: Callable[[Snapshot], T]) -> T:
        """What a view works out from the whole build (an export's lookups, counts), made
        once and kept with the build: never per request, never stale after a rebuild."""
        try:
            return self._derived[key]
        except KeyError:
            pass
        with self._derived_lock:
            if key not in self._derived:
                self._derived[key] = make(self)
            return self._derived[key]

    @classmethod
    def open(cls, folder: Path) -> Snapshot:
        info = json.loads((folder / BUILD_FILE).read_text(encoding="utf-8"))
        ix = whoosh_index.open_dir(str(folder), indexname=INDEX_NAME)
        facets = FacetTable.load(folder)
        if ix.doc_count() != facets.count:
            raise RuntimeError(f"Index {folder} is inconsistent: rebuild it.")
        snapshot = cls(folder, info["build_id"], info["created"], info["count"], ix, facets)
        snapshot.scorer.check(snapshot.searcher())  # prove the fast paths on this build
        return snapshot

    @cached_property
    def scorer(self) -> TermScorer:
        return TermScorer(self.count, arrays=PostingArrays.load(self.folder))

    @cached_property
    def reviewed(self) -> np.ndarray:
        return np.array(self.facets.reviewed, dtype=np.int64)

    @cached_property
    def paused(self) -> np.ndarray:
        return self.mask(self.facets.docs("status", "paused"))

    @cached_property
    def open_mask(self) -> np.ndarray:
        return self.mask(self.facets.open_docs)

    @cached_property
    def national(self) -> np.ndarray:
        return self.mask(self.facets.docs("reach", "national"))

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
        matrix = []
        for facet in FACET_NAMES:
            for value, members in sorted(self.facets.sets.get(facet, {}).items()):
                rows.append((facet, value))
                matrix.append(self.mask(members))
        shape = (len(rows), self.count)
        return rows, (np.array(matrix, dtype=np.uint8) if rows else np.zeros(shape, np.uint8))

    def mask(self, docs: Iterable[int]) -> np.ndarray:
        found = np.zeros(self.count, dtype=bool)
        docs = docs if isinstance(docs, (set, frozenset)) else set(docs)
        if docs:
            found[np.fromiter(docs, dtype=np.int64, count=len(docs))] = True
        return found

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
    # Stated needs the filters or distance left with nothing, and how to find them.
    missing: list[MissingNeed] = field(default_factory=list)
    # With a place: how many open listings have a venue within the radius; when none, the
    # areas the directory does cover (search.coverage).
    local_nearby: int | None = None
    covered_areas: list[CoveredArea] = field(default_factory=list)
    urgent: UrgentPanel | None = None  # crisis words found: urgent help to show first
    # Every match's document number, best first (for feeds that page something else, such
    # as Open Referral UK's services-at-locations).
    ranked_docs: np.ndarray | None = field(default=None, repr=False)

    @property
    def did_you_mean(self) -> str | None:
        return self.interpretation.corrected_text

    @property
    def search_instead(self) -> str | None:
        """The words as typed, offered back ("Search instead for") when a correction was a
        guess: searched again with ``exact``, they are taken as written."""
        if not self.interpretation.guessed or self.request.exact:
            return None
        return " ".join(self.request.text.split())[:200] or None

    @property
    def unclear(self) -> str | None:
        """Why nothing was searched for, when no word said what is wanted ("support groups")."""
        if not self.interpretation.unclear:
            return None
        typed = " ".join(self.request.text.split())[:60]
        return (
            f"We could not tell what you are looking for from '{typed}'. Try a word for what "
            "would help, like lonely, debt or walking, or browse services by need."
        )

    @property
    def pages(self) -> int:
        per_page = self.request.per_page
        return max(1, (self.total + per_page - 1) // per_page)


def _union(table: FacetTable, facet: str, values: Iterable[str]) -> set[int]:
    found: set[int] = set()
    for value in values:
        found |= table.docs(facet, value)
    return found


def _having_any(
    docs: AbstractSet[int], table: FacetTable, facet: str, values: Iterable[str]
) -> set[int]:
    """``docs & union of the values' sets``, intersecting first: the candidates are usually
    far fewer than a value's listings (a weekday is on ~40% of 100,000)."""
    found: set[int] = set()
    for value in values:
        found |= docs & table.docs(facet, value)
    return found


def filter_docs(
    table: FacetTable, request: SearchRequest, allowed: AbstractSet[int], now: datetime
) -> AbstractSet[int]:
    """Apply the request's filters (not location) to ``allowed`` document numbers (a new
    set, or ``allowed`` itself when no filter applies: never changed in place)."""
    docs = allowed
    if request.free:
        docs = docs & table.docs("cost", "free")
    if request.step_free:
        docs = docs & table.docs("access_needs", "step-free")
    if request.days:
        docs = _having_any(docs, table, "day", request.days)
    if request.access:
        docs = _having_any(docs, table, "access", request.access)
    if request.delivery:
        docs = _having_any(docs, table, "delivery", request.delivery)
    if request.needs:
        docs = _having_any(docs, table, "need", request.needs)
    if request.age is not None:
        docs = table.for_age(request.age, docs)
    if request.age_to is not None:
        docs = table.for_age(request.age_to, docs)
    if request.reviewed_since is not None:
        since = request.reviewed_since.toordinal()
        docs = {docnum for docnum in docs if table.reviewed[docnum] >= since}
    if request.between is not None:
        docs = table.meeting_between(*request.between, request.days, docs)
    if request.open_now:
        docs = table.open_at(now, docs)
    return docs


def _open(table: FacetTable, docs: AbstractSet[int]) -> AbstractSet[int]:
    """The open ones of ``docs`` (all open listings as they are, with no place: not a copy)."""
    return docs if docs is table.open_docs else docs & table.open_docs


def _located(
    table: FacetTable,
    place: Place | None,
    radius: float,
    include_remote: bool,
    *,
    distances_wanted: bool = True,
) -> tuple[AbstractSet[int], dict[int, float]]:
    """Documents in reach of ``place`` (all open documents when there is no place), and
    (unless ``distances_wanted`` is false: counts need none) their venues' distances."""
    if place is None:
        return table.open_docs, {}  # closed listings are never in reach
    if distances_wanted:
        distances = table.within(place.lat, place.lon, radius)
        venue_docs: AbstractSet[int] = distances.keys()
    else:
        distances = {}
        venue_docs = table.docs_within(place.lat, place.lon, radius)
    docs = set(venue_docs)
    if include_remote:
        docs |= table.docs("reach", "national")
        # A phone or online service that is not national serves its own area: offer it
        # where that area's venues are, not to someone at the other end of the country.
        docs |= table.remote_serving(venue_docs)
        # Services for the residents of an area (areas_served) that the place lies in.
        docs |= served_docs(table, place)
    else:
        # "Only local" still offers what comes to the person: home visits for their area.
        docs |= served_docs(table, place) & table.docs("delivery", "in-person")
    return docs, distances


def served_docs(table: FacetTable, place: Place) -> set[int]:
    """Listings whose ``areas_served`` include the place's district, postcode area, council
    area or nation (any one is enough)."""
    found: set[int] = set()
    for key in default_areas().keys_for_district(place.district, place.country):
        found |= table.docs("serves", key)
    return found


def facet_counts(snapshot: Snapshot, docnums: np.ndarray) -> dict[str, dict[str, int]]:
    """How many of the matched documents have each filter value (only values present)."""
    rows, matrix = snapshot.facet_matrix
    counts: dict[str, dict[str, int]] = {facet: {} for facet in FACET_NAMES}
    if not len(docnums) or not rows:
        return counts
    totals = matrix[:, docnums].sum(axis=1, dtype=np.int64)
    for (facet, value), total in zip(rows, totals.tolist(), strict=True):
        if total:
            counts[facet][value] = total
    return counts


# Facets where several values can be ticked at once ("Tuesday or Wednesday"), and the
# request field each one filters.
MULTI_VALUE_FACETS = (
    ("day", "days"),
    ("access", "access"),
    ("delivery", "delivery"),
    ("need", "needs"),
)


def _facets(
    snapshot: Snapshot,
    request: SearchRequest,
    matches: TextMatches,
    docnums: np.ndarray,
    near_docs: AbstractSet[int],
    now: datetime,
) -> dict[str, dict[str, int]]:
    """Counts per filter value: how many results there would be with that value ticked.

    For a facet whose values widen the search when ticked together (days, ways to start,
    online or phone, needs), its own choice is left out of its counts: with Tuesday
    ticked, the number beside Wednesday is what ticking Wednesday too would add, not the
    groups that meet on both days.
    """
    counts = facet_counts(snapshot, docnums)
    table = snapshot.facets
    for facet, field_name in MULTI_VALUE_FACETS:
        if getattr(request, field_name):
            others = replace(request, **{field_name: ()})
            allowed = filter_docs(table, others, _open(table, near_docs), now)
            widened, _scores = matches.among(snapshot, allowed)
            counts[facet] = facet_counts(snapshot, widened)[facet]
    return counts


@dataclass(frozen=True)
class TextMatches:
    """Every document the words match, with its text score: worked out once per request.

    The search, the facet counts that leave a filter out and the wider-search suggestions
    each look at a different set of allowed documents; they all take theirs from here
    (``among``) instead of scoring the query again. ``docnums`` is None when there are no
    words to match (everything allowed matches, unranked by text).
    """

    docnums: np.ndarray | None
    scores: np.ndarray | None
    timed_out: bool = False

    def among(
        self, snapshot: Snapshot, allowed: AbstractSet[int]
    ) -> tuple[np.ndarray, np.ndarray | None]:
        """The matches that are in ``allowed`` (docnums ascending) and their scores."""
        if self.docnums is None:
            return np.array(sorted(allowed), dtype=np.int64), None
        if len(allowed) >= snapshot.count:
            return self.docnums, self.scores
        if allowed is snapshot.facets.open_docs:  # no place, no filter: a mask made once
            keep = snapshot.open_mask[self.docnums]
        else:
            keep = snapshot.mask(allowed)[self.docnums]
        return self.docnums[keep], self.scores[keep]


def text_matches(snapshot: Snapshot, interpretation: Interpretation) -> TextMatches:
    """Score the words against the whole index, a term at a time over cached arrays
    (``search.scoring``). ``build_query`` only makes queries that scorer handles (terms,
    ORs, ANDs, AND NOTs; tested), so every search's work is a few array additions."""
    if interpretation.unclear:  # "support groups": say so rather than list everything
        return TextMatches(np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float64))
    query = build_query(interpretation)
    if query is None:
        return TextMatches(None, None)
    if not supported(query):  # a programming error in search.query, never user input
        raise TypeError(f"search.query built a query the scorer cannot score: {type(query)}")
    docnums, scores = snapshot.scorer.scores(snapshot.searcher(), query)
    return TextMatches(docnums.astype(np.int64), scores)


def search(
    index: SearchIndex | Snapshot,
    request: SearchRequest,
    vocab: Vocabulary,
    gazetteer,
    *,
    now: datetime | None = None,
    urgent_help: UrgentHelp | None = None,
) -> SearchResponse:
    """Find listings for ``request``: relevant, near and recently checked ones first.

    Crisis words ("kill myself") are read from the text as typed, never corrected, and add
    urgent help for the place's nation (``urgent_help``, the bundled file by default).
    """
    snapshot = index.snapshot() if isinstance(index, SearchIndex) else index
    table = snapshot.facets
    now = now or datetime.now(LONDON)
    interpretation = interpret(
        request.text, vocab, table.words, age=request.age, exact=request.exact
    )
    urgent_help = urgent_help or load_urgent_help()
    crisis = detect(request.text, urgent_help, (table.words, vocabulary_words(vocab)))
    interpretation = with_crisis(interpretation, crisis, urgent_help, vocab)

    place = None
    place_problem = None
    suggestions: list[str] = []
    if request.near.strip():
        place = gazetteer.resolve(request.near)
        if place is not None and place.note.startswith("Several places are called"):
            # Offer the others as links: "Minster (CT12)" resolves to exactly that one.
            suggestions = [
                label for label in gazetteer.suggest(request.near) if label != place.label
            ][:5]
        if place is None:
            suggestions = list(gazetteer.suggest(request.near))[:5]
            place_problem = (
                f"We could not find '{request.near.strip()[:60]}'. Try a postcode (like "
                "CT9 1EP), the first half of one (like CT9) or a town name."
            )

    near_docs, distances = _located(table, place, request.radius_miles, request.include_remote)
    allowed = filter_docs(table, request, _open(table, near_docs), now)
    matches = relevant_matches(snapshot, interpretation, text_matches(snapshot, interpretation))
    docnums, scores = matches.among(snapshot, allowed)
    ranking_distances = distances
    if place is not None:
        # A service for the place's area, with no venue in reach, ranks as if a short way
        # off (search.ranking.served_distance), not as a remote service.
        at = served_distance(request.radius_miles)
        served = served_docs(table, place) - distances.keys()
        ranking_distances = {**distances, **dict.fromkeys(served, at)}
    ranked, final = rank_matches(
        snapshot,
        docnums,
        scores,
        ranking_distances,
        located=place is not None,
        radius_miles=request.radius_miles,
        today=now.date().toordinal(),
        remote_wanted=bool(request.delivery) and "in-person" not in request.delivery,
    )
    start = (request.page - 1) * request.per_page
    hits = []
    for position in ranked[start : start + request.per_page].tolist():
        docnum = int(docnums[position])
        listing = listing_from_dict(snapshot.payload(docnum))
        hits.append(
            Hit(
                id=listing.id,
                name=listing.name,
                organisation=listing.organisation,
                distance_miles=distances.get(docnum),
                score=round(float(final[position]), 4),
                listing=listing,
                nearest_location=_nearest_location(listing, place),
            )
        )
    response = SearchResponse(
        request=request,
        hits=hits,
        total=len(docnums),
        facets=_facets(snapshot, request, matches, docnums, near_docs, now),
        interpretation=interpretation,
        place=place,
        place_problem=place_problem,
        place_suggestions=suggestions,
        build_id=snapshot.build_id,
        timed_out=matches.timed_out,
        urgent=urgent_help.panel(crisis.topics, place.country if place else "") if crisis else None,
        ranked_docs=docnums[ranked],
    )
    if not len(docnums) and not interpretation.unclear:
        response.wider = wider_searches(
            snapshot, request, interpretation, matches, place, now, vocab
        )
    # The counter starts from this search's own reach, so it does not work it out again.
    reach = {(request.radius_miles, request.include_remote): near_docs}
    response.missing = missing_needs(
        request, interpretation, vocab, _need_counter(table, place, now, reach), located=bool(place)
    )
    if place is not None:
        # Not ``keys() & open_docs``: with a frozenset that walks every open listing.
        response.local_nearby = len(table.open_docs.intersection(distances))
        wider = max(request.radius_miles, NEARBY_MILES)
        if not response.local_nearby and not table.within(place.lat, place.lon, wider):
            response.covered_areas = snapshot.covered_areas  # far from every listed area
    return response


def relevant_matches(
    snapshot: Snapshot, interpretation: Interpretation, matches: TextMatches
) -> TextMatches:
    """Leave out matches unrelated to every need stated (search.honest.relevant_to): "food
    bank" must not offer a diabetes course because it mentions "food swaps"."""
    if matches.docnums is None:
        return matches
    searcher = snapshot.searcher()
    allowed = relevant_to(
        interpretation,
        lambda field_name, token: snapshot.scorer.postings(searcher, field_name, token)[0],
        snapshot.count,
    )
    if allowed is None:
        return matches
    docnums, scores = keep(matches.docnums, matches.scores, allowed)
    return replace(matches, docnums=docnums, scores=scores)


def _need_counter(
    table: FacetTable,
    place: Place | None,
    now: datetime,
    reach: dict[tuple[float, bool], AbstractSet[int]] | None = None,
):
    """``count(need, request)``: open listings for ``need`` that ``request`` would show
    (its place, radius and filters), for search.honest.missing_needs. ``reach``: documents
    in reach already worked out, by (radius, include_remote)."""
    reach = dict(reach or {})

    def count(need: str, request: SearchRequest) -> int:
        key = (request.radius_miles, request.include_remote)
        if key not in reach:
            reach[key] = _located(table, place, *key, distances_wanted=False)[0]
        reached = reach[key]
        docs = table.docs("need", need) & reached  # walks the smaller of the two
        if reached is not table.open_docs:  # with no place, everything reached is open
            docs &= table.open_docs
        return len(filter_docs(table, request, docs, now)) if docs else 0

    return count


def rank_matches(
    snapshot: Snapshot,
    docnums: np.ndarray,
    scores: np.ndarray | None,
    distances: dict[int, float],
    *,
    located: bool,
    radius_miles: float,
    today: int,
    remote_wanted: bool = False,
) -> tuple[np.ndarray, np.ndarray]:
    """Positions into ``docnums``, best first, and each match's final score.

    ``remote_wanted``: the person asked only for online or phone services, so a national
    one is not ranked below local ones for being national.
    """
    if distances:
        distance = np.array([distances.get(d, np.nan) for d in docnums.tolist()], dtype=float)
    else:
        distance = np.full(len(docnums), np.nan)
    final = blend(
        scores,
        distance,
        snapshot.reviewed[docnums],
        snapshot.paused[docnums],
        located=located,
        radius_miles=radius_miles,
        today=today,
        national=snapshot.national[docnums],
        remote_wanted=remote_wanted,
    )
    return order(final, distance, snapshot.name_rank[docnums]), final


def _nearest_location(listing: Listing, place: Place | None) -> int | None:
    from directory.places import distance_miles

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


MAX_RELATED_SUGGESTED = 3


def _related_needs(interpretation: Interpretation, vocab: Vocabulary | None) -> list[str]:
    """The vocabulary's related needs of what was asked for, first ones first (at most 3)."""
    if vocab is None:
        return []
    stated = interpretation.stated_needs
    related = [
        other
        for need in stated
        if need in vocab.needs
        for other in vocab.needs[need].related
        if other not in stated and other in vocab.needs
    ]
    return list(dict.fromkeys(related))[:MAX_RELATED_SUGGESTED]


def wider_searches(
    snapshot: Snapshot,
    request: SearchRequest,
    interpretation: Interpretation,
    matches: TextMatches,
    place: Place | None,
    now: datetime,
    vocab: Vocabulary | None = None,
) -> list[WiderSearch]:
    """When nothing matched: how many a bigger radius, fewer filters or related needs find.

    Related needs ("lonely" -> mental wellbeing, bereavement) are not searched for, as they
    crowd out what was asked for; when what was asked for finds nothing here, groups for
    the related needs, with the same place and filters, are the nearest help to offer.
    """
    table = snapshot.facets
    open_docs = set(table.open_docs)
    text_docnums, _scores = matches.among(snapshot, open_docs)
    text_docs = set(text_docnums.tolist())
    options: list[WiderSearch] = []

    def count(radius: float, filtered: bool, remote: bool) -> int:
        near, _ = _located(table, place, radius, remote, distances_wanted=False)
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
    related = _related_needs(interpretation, vocab)
    if related:
        near, _ = _located(
            table, place, request.radius_miles, request.include_remote, distances_wanted=False
        )
        helped = _union(table, "need", related) & open_docs & near
        found = len(filter_docs(table, replace(request, needs=()), helped, now))
        if found:
            labels = ", ".join(vocab.need_label(need).lower() for need in related)
            options.append(
                WiderSearch(f"Look for related help: {labels}", found, {"q": "", "need": related})
            )
    if interpretation.text and len(interpretation.stated_needs) == 0 and place is not None:
        found = count(request.radius_miles, request.has_filters, request.include_remote)
        if not found:
            near, _ = _located(
                table, place, request.radius_miles, request.include_remote, distances_wanted=False
            )
            everything = len(filter_docs(table, request, open_docs & near, now))
            if everything:
                options.append(WiderSearch("See everything near this place", everything, {"q": ""}))
    return options
