"""Which documents a request can show: open, in reach of its place, passing its filters.

Set arithmetic over the build's facet table (search.facets), shared by the search itself
(search.engine), its facet counts, the missing-need counts and the wider searches offered
when nothing was found (search.wider). Nothing here scores words.
"""

from __future__ import annotations

from collections.abc import Iterable
from collections.abc import Set as AbstractSet
from datetime import datetime

from directory.areas import default_areas
from directory.places import Place
from search.facets import FacetTable
from search.request import SearchRequest


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


def open_among(table: FacetTable, docs: AbstractSet[int]) -> AbstractSet[int]:
    """The open ones of ``docs`` (all open listings as they are, with no place: not a copy)."""
    return docs if docs is table.open_docs else docs & table.open_docs


def in_reach(
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
