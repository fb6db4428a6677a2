"""Which documents a request can show: open, in reach of its place, passing its filters.

Boolean arrays over every document of the build's facet table (search.facets), shared by
the search itself (search.engine), its facet counts, the missing-need counts and the wider
searches offered when nothing was found (search.wider). Nothing here scores words.

A search asks these questions a dozen times over (its own results, each facet's counts
with its own choice left out, each missing need); as arrays each is a few vectorised
passes, where Python sets walked thousands of members each time. No function here changes
an array it was given: tables' arrays are shared by every request of a build.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

import numpy as np

from directory.areas import default_areas
from directory.places import Place
from search.facets import FacetTable
from search.request import SearchRequest


@dataclass(frozen=True)
class Distances:
    """The documents with a venue in reach (ascending, each once) and how far the nearest
    of each one's venues is, in miles."""

    docs: np.ndarray
    miles: np.ndarray

    @classmethod
    def none(cls) -> Distances:
        return cls(np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float64))

    def __len__(self) -> int:
        return len(self.docs)

    def _find(self, docnums: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Where each of ``docnums`` would be in ``docs``, and whether it is there."""
        if not len(self.docs):
            return np.zeros(len(docnums), dtype=np.int64), np.zeros(len(docnums), dtype=bool)
        at = np.minimum(np.searchsorted(self.docs, docnums), len(self.docs) - 1)
        return at, self.docs[at] == docnums

    def has(self, docnums: np.ndarray) -> np.ndarray:
        """Which of ``docnums`` have a venue in reach."""
        return self._find(docnums)[1]

    def of(self, docnums: np.ndarray) -> np.ndarray:
        """Each of ``docnums``' distance, NaN for a document with no venue in reach."""
        found = np.full(len(docnums), np.nan)
        at, here = self._find(docnums)
        found[here] = self.miles[at[here]]
        return found

    def with_others(self, others: np.ndarray, miles: float) -> Distances:
        """These distances, and ``others`` (documents not already here) at ``miles``."""
        extra = others[~self.has(others)]
        if not len(extra):
            return self
        docs = np.concatenate([self.docs, extra])
        by_doc = np.argsort(docs, kind="stable")
        every = np.concatenate([self.miles, np.full(len(extra), miles)])
        return Distances(docs[by_doc], every[by_doc])


def _having_any(table: FacetTable, facet: str, values: Iterable[str]) -> np.ndarray:
    """The documents with any of ``values`` (a table's own array for one value: read only)."""
    found: np.ndarray | None = None
    for value in values:
        mask = table.mask(facet, value)
        found = mask if found is None else found | mask
    return table.mask(facet, "") if found is None else found


def _keep(docs: np.ndarray, candidates: np.ndarray, kept: np.ndarray) -> np.ndarray:
    """A new array with only ``candidates[kept]`` of ``docs`` still in."""
    found = np.zeros(len(docs), dtype=bool)
    found[candidates[kept]] = True
    return found


def _by_age(table: FacetTable, age: int, docs: np.ndarray) -> np.ndarray:
    candidates = np.flatnonzero(docs)
    low, high = table.age_bounds
    return _keep(docs, candidates, (low[candidates] <= age) & (age <= high[candidates]))


def filter_docs(
    table: FacetTable, request: SearchRequest, allowed: np.ndarray, now: datetime
) -> np.ndarray:
    """Apply the request's filters (not location) to the ``allowed`` documents: a new
    array, or ``allowed`` itself when no filter applies."""
    docs = allowed
    if request.free:
        docs = docs & table.mask("cost", "free")
    if request.step_free:
        docs = docs & table.mask("access_needs", "step-free")
    if request.days:
        docs = docs & _having_any(table, "day", request.days)
    if request.access:
        docs = docs & _having_any(table, "access", request.access)
    if request.delivery:
        docs = docs & _having_any(table, "delivery", request.delivery)
    if request.needs:
        docs = docs & _having_any(table, "need", request.needs)
    if request.age is not None:
        docs = _by_age(table, request.age, docs)
    if request.age_to is not None:
        docs = _by_age(table, request.age_to, docs)
    if request.reviewed_since is not None:
        candidates = np.flatnonzero(docs)
        since = request.reviewed_since.toordinal()
        docs = _keep(docs, candidates, table.reviewed_array[candidates] >= since)
    # Sessions are Python tuples, checked one listing at a time: these come last, when
    # the other filters have left the fewest listings to look at.
    if request.between is not None:
        docs = table.mask_of(
            table.meeting_between(*request.between, request.days, np.flatnonzero(docs).tolist())
        )
    if request.open_now:
        docs = table.mask_of(table.open_at(now, np.flatnonzero(docs).tolist()))
    return docs


def open_among(table: FacetTable, docs: np.ndarray) -> np.ndarray:
    """The open ones of ``docs`` (the table's own array of open listings, with no place)."""
    return docs if docs is table.open_mask else docs & table.open_mask


def in_reach(
    table: FacetTable,
    place: Place | None,
    radius: float,
    include_remote: bool,
    *,
    distances_wanted: bool = True,
) -> tuple[np.ndarray, Distances]:
    """Documents in reach of ``place`` (all open documents when there is no place), and
    (unless ``distances_wanted`` is false: counts need none) their venues' distances."""
    if place is None:
        return table.open_mask, Distances.none()  # closed listings are never in reach
    if distances_wanted:
        distances = Distances(*table.nearest_within(place.lat, place.lon, radius))
        venue_docs = distances.docs
    else:
        distances = Distances.none()
        venue_docs = table.docs_within(place.lat, place.lon, radius)
    docs = np.zeros(table.count, dtype=bool)
    docs[venue_docs] = True
    if include_remote:
        docs |= table.mask("reach", "national")
        # A phone or online service that is not national serves its own area: offer it
        # where that area's venues are, not to someone at the other end of the country.
        table.remote_serving_mask(venue_docs, docs)
        # Services for the residents of an area (areas_served) that the place lies in.
        docs[served_docs(table, place)] = True
    else:
        # "Only local" still offers what comes to the person: home visits for their area.
        served = served_docs(table, place)
        docs[served[table.mask("delivery", "in-person")[served]]] = True
    return docs, distances


def served_docs(table: FacetTable, place: Place) -> np.ndarray:
    """Listings whose ``areas_served`` include the place's district, postcode area, council
    area or nation (any one is enough): document numbers, ascending, each once."""
    key = (place.district, place.country)
    found = table.served.get(key)
    if found is None:  # kept per build: a search asks two or three times, and so do others
        keys = default_areas().keys_for_district(place.district, place.country)
        parts = [table.doc_array("serves", key) for key in sorted(keys)]
        found = np.unique(np.concatenate(parts)) if parts else np.zeros(0, dtype=np.int64)
        found.flags.writeable = False
        table.served[key] = found
    return found
