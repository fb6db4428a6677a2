"""Search responses as plain JSON-ready dicts, shared by ``signpost search --json`` and the API."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from directory.geocode import MILES_PER_KM
from directory.serialise import listing_to_dict
from directory.vocabulary import Vocabulary
from search.engine import Hit, SearchResponse


def hit_to_dict(hit: Hit, vocab: Vocabulary) -> dict[str, Any]:
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
    request = response.request
    return {
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
        "location": asdict(response.place) if response.place else None,
        "location_problem": response.place_problem,
        "location_suggestions": response.place_suggestions,
        "total": response.total,
        "pages": response.pages,
        "results": [hit_to_dict(hit, vocab) for hit in response.hits],
        "facets": response.facets,
        "wider": [asdict(option) for option in response.wider],
        "build_id": response.build_id,
        "timed_out": response.timed_out,
    }
