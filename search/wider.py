"""Wider searches: when nothing matched, the changes that would find something, and how many.

A bigger radius, no filters, online and phone services too, related needs, or everything
near the place: each offered only when it finds something, with the count it would find,
so a person with no results always has somewhere to go next (search.engine.search calls
``wider_searches`` when a search found nothing).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

import numpy as np

from directory.places import Place
from directory.vocabulary import Vocabulary
from search.facets import FacetTable
from search.filters import filter_docs, in_reach
from search.interpret import Interpretation
from search.matches import TextMatches
from search.request import MAX_RADIUS_MILES, SearchRequest
from search.snapshot import Snapshot

MAX_RELATED_SUGGESTED = 3


@dataclass
class WiderSearch:
    """A search that would find something when this one found nothing."""

    description: str
    count: int
    changes: dict[str, Any]


def _union(table: FacetTable, facet: str, values: Iterable[str]) -> np.ndarray:
    found = np.zeros(table.count, dtype=bool)
    for value in values:
        found |= table.mask(facet, value)
    return found


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


def wider_searches(  # noqa: C901 - one if per kind of wider search, in the order offered
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
    open_docs = table.open_mask
    text_docnums, _scores = matches.among(snapshot, open_docs)
    text_docs = np.zeros(table.count, dtype=bool)
    text_docs[text_docnums] = True
    options: list[WiderSearch] = []

    def count(radius: float, filtered: bool, remote: bool) -> int:
        near, _ = in_reach(table, place, radius, remote, distances_wanted=False)
        docs = text_docs & near
        if filtered:
            docs = filter_docs(table, request, docs, now)
        return int(np.count_nonzero(docs))

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
    if related and vocab is not None:
        near, _ = in_reach(
            table, place, request.radius_miles, request.include_remote, distances_wanted=False
        )
        helped = _union(table, "need", related) & open_docs & near
        found = int(np.count_nonzero(filter_docs(table, replace(request, needs=()), helped, now)))
        if found:
            labels = ", ".join(vocab.need_label(need).lower() for need in related)
            options.append(
                WiderSearch(f"Look for related help: {labels}", found, {"q": "", "need": related})
            )
    if interpretation.text and len(interpretation.stated_needs) == 0 and place is not None:
        found = count(request.radius_miles, request.has_filters, request.include_remote)
        if not found:
            near, _ = in_reach(
                table, place, request.radius_miles, request.include_remote, distances_wanted=False
            )
            everything = int(np.count_nonzero(filter_docs(table, request, open_docs & near, now)))
            if everything:
                options.append(WiderSearch("See everything near this place", everything, {"q": ""}))
    return options
