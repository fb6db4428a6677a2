"""A search response as plain data: what ``signpost search --json`` prints.

The command line's debugging shape: every hit's score, the whole stored listing, the
interpretation with its weights and corrections. No links: it says what the engine found,
not where the site shows it (the JSON API's own shapes, with links, are
``views.present_json``).
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from directory.places import MILES_PER_KM
from directory.serialise import listing_to_dict
from directory.urgent import panel_dict
from directory.vocabulary import Vocabulary
from search.coverage import CoveredArea
from search.engine import Hit, SearchResponse


def hit_to_dict(hit: Hit, vocab: Vocabulary) -> dict[str, Any]:
    """One hit with its score, distance and the whole stored listing (plus need labels)."""
    listing = listing_to_dict(hit.listing)
    listing["need_labels"] = [vocab.need_label(need) for need in hit.listing.needs]
    return {
        "id": hit.id,
        "name": hit.name,
        "organisation": hit.organisation,
        "score": hit.score,
        "distance_miles": None if hit.distance_miles is None else round(hit.distance_miles, 2),
        "distance_km": None
        if hit.distance_miles is None
        else round(hit.distance_miles / MILES_PER_KM, 2),
        "nearest_location": hit.nearest_location,
        "listing": listing,
    }


def response_to_dict(response: SearchResponse, vocab: Vocabulary) -> dict[str, Any]:
    """The whole response, internals included, as JSON-ready data."""
    request = response.request
    return {
        "urgent": panel_dict(response.urgent) if response.urgent else None,
        "query": {
            "q": request.text,
            "near": request.near,
            "radius_miles": request.radius_miles,
            "page": request.page,
            "per_page": request.per_page,
        },
        "interpreted": {
            "text": response.interpretation.text,
            "needs": [
                {"id": need, "label": vocab.need_label(need), "weight": weight}
                for need, weight in response.interpretation.needs.items()
            ],
            "corrections": response.interpretation.corrections,
        },
        "did_you_mean": response.did_you_mean,
        "search_instead": response.search_instead,
        "unclear": response.unclear,
        "location": asdict(response.place) if response.place else None,
        "location_problem": response.place_problem,
        "location_suggestions": response.place_suggestions,
        "total": response.total,
        "pages": response.pages,
        "results": [hit_to_dict(hit, vocab) for hit in response.hits],
        "facets": response.facets,
        "wider": [asdict(option) for option in response.wider],
        "missing": [item.as_dict() for item in response.missing],
        "local_nearby": response.local_nearby,
        "covered_areas": [covered_dict(area) for area in response.covered_areas],
        "build_id": response.build_id,
        "timed_out": response.timed_out,
    }


def covered_dict(area: CoveredArea) -> dict[str, Any]:
    """An area the directory has local listings in (the API shows the same)."""
    return {"name": area.name, "districts": list(area.districts), "text": area.describe()}
