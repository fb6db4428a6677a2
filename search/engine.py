"""Run a search against the live index: the one function the site, the API and the CLI call.

``search`` takes one build (search.snapshot) for the whole request, reads the words
(search.interpret, search.crisis), scores them once (search.matches), keeps what is open,
in reach and passes the filters (search.filters), ranks (search.ranking), counts the facets
and, when nothing was found, works out wider searches (search.wider).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np

from directory.model import Listing, Location
from directory.places import Gazetteer, Place, distance_miles
from directory.urgent import UrgentHelp, UrgentPanel, load_urgent_help
from directory.vocabulary import Vocabulary
from search.coverage import NEARBY_MILES, CoveredArea
from search.crisis import detect, vocabulary_words, with_crisis
from search.facets import FacetTable
from search.filters import Distances, filter_docs, in_reach, open_among, served_docs
from search.honest import MissingNeed, missing_needs
from search.interpret import Interpretation, interpret
from search.matches import TextMatches, relevant_matches, text_matches
from search.ranking import blend, order, served_distance
from search.request import SearchRequest
from search.snapshot import FACET_NAMES, SearchIndex, Snapshot
from search.wider import WiderSearch, wider_searches

LONDON = ZoneInfo("Europe/London")


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


def facet_counts(
    snapshot: Snapshot, docnums: np.ndarray, only: str | None = None
) -> dict[str, dict[str, int]]:
    """How many of the matched documents have each filter value (only values present);
    with ``only``, that one facet's values (the others are left empty)."""
    rows, matrix = snapshot.facet_matrix
    counts: dict[str, dict[str, int]] = {facet: {} for facet in FACET_NAMES}
    if only is not None:
        first, end = snapshot.facet_rows[only]
        rows, matrix = rows[first:end], matrix[first:end]
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
    near_docs: np.ndarray,
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
            cleared: dict[str, Any] = {field_name: ()}
            others = replace(request, **cleared)
            allowed = filter_docs(table, others, open_among(table, near_docs), now)
            widened, _scores = matches.among(snapshot, allowed)
            counts[facet] = facet_counts(snapshot, widened, only=facet)[facet]
    return counts


def search(
    index: SearchIndex | Snapshot,
    request: SearchRequest,
    vocab: Vocabulary,
    gazetteer: Gazetteer | None,
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
        if gazetteer is None:  # only searches that name no place may leave it out
            raise ValueError("a search near a place needs a gazetteer")
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

    near_docs, distances = in_reach(table, place, request.radius_miles, request.include_remote)
    allowed = filter_docs(table, request, open_among(table, near_docs), now)
    matches = relevant_matches(snapshot, interpretation, text_matches(snapshot, interpretation))
    docnums, scores = matches.among(snapshot, allowed)
    ranking_distances = distances
    if place is not None:
        # A service for the place's area, with no venue in reach, ranks as if a short way
        # off (search.ranking.served_distance), not as a remote service.
        at = served_distance(request.radius_miles)
        ranking_distances = distances.with_others(served_docs(table, place), at)
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
    page = ranked[start : start + request.per_page]
    page_miles = distances.of(docnums[page]).tolist()
    for position, miles in zip(page.tolist(), page_miles, strict=True):
        listing = snapshot.listing_at(int(docnums[position]))
        hits.append(
            Hit(
                id=listing.id,
                name=listing.name,
                organisation=listing.organisation,
                distance_miles=None if math.isnan(miles) else miles,
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
        response.local_nearby = int(np.count_nonzero(table.open_mask[distances.docs]))
        wider = max(request.radius_miles, NEARBY_MILES)
        if not response.local_nearby and not len(table.docs_within(place.lat, place.lon, wider)):
            response.covered_areas = snapshot.covered_areas  # far from every listed area
    return response


def _need_counter(
    table: FacetTable,
    place: Place | None,
    now: datetime,
    reach: dict[tuple[float, bool], np.ndarray] | None = None,
) -> Callable[[str, SearchRequest], int]:
    """``count(need, request)``: open listings for ``need`` that ``request`` would show
    (its place, radius and filters), for search.honest.missing_needs. ``reach``: documents
    in reach already worked out, by (radius, include_remote)."""
    reach = dict(reach or {})

    def count(need: str, request: SearchRequest) -> int:
        key = (request.radius_miles, request.include_remote)
        if key not in reach:
            reach[key] = in_reach(table, place, *key, distances_wanted=False)[0]
        reached = reach[key]
        docs = table.mask("need", need) & reached
        if reached is not table.open_mask:  # with no place, everything reached is open
            docs &= table.open_mask
        return int(np.count_nonzero(filter_docs(table, request, docs, now)))

    return count


def rank_matches(
    snapshot: Snapshot,
    docnums: np.ndarray,
    scores: np.ndarray | None,
    distances: Distances,
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
    distance = distances.of(docnums)
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
    """Which of the listing's venues is nearest the place (None with no place or venue)."""
    if place is None or not listing.locations:
        return None

    def miles(location: Location) -> float:
        if location.lat is None or location.lon is None:
            return float("inf")
        return distance_miles(place.lat, place.lon, location.lat, location.lon)

    return min(range(len(listing.locations)), key=lambda i: miles(listing.locations[i]))
