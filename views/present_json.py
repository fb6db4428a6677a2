"""The JSON API's shapes: listings and search responses as /api/v1 promises them.

What a council's widget or an NHS system needs to show a result (summary, distance in miles
and km, next session, cost, how to start, where) without a second request, plus absolute
links (``Links``) to the full record and to the public page. The command line's debugging
shape (``signpost search --json``: scores, the whole stored listing) is
``search.response_dict``, kept apart so that the API can promise its fields while the
command line stays free to show internals.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any

from directory.audience import who_for_text
from directory.languages import language_name
from directory.model import ACCESSIBILITY, Listing, Location
from directory.places import Place, miles_to_km
from directory.schedule import describe_next, next_session
from directory.settings import Settings
from directory.stale import checked_text, stale_warning
from directory.urgent import panel_dict
from directory.vocabulary import Vocabulary
from directory.wording import describe_cost, describe_routes, describe_session
from search.engine import SearchResponse
from search.request import SearchRequest
from search.response_dict import covered_dict


@dataclass(frozen=True)
class Links:
    """Where things live, for absolute links: ``api_root`` is e.g. https://host/api/v1."""

    api_root: str
    site_root: str

    def service(self, listing_id: str) -> dict[str, str]:
        return {
            "self": f"{self.api_root}/services/{listing_id}",
            "html": f"{self.site_root}/services/{listing_id}",
            "oruk": f"{self.site_root}/api/oruk/services/{listing_id}",
        }

    @property
    def needs(self) -> dict[str, str]:
        """Browse by need: the API's list of needs and the site's page of them."""
        return {"self": f"{self.api_root}/needs", "html": f"{self.site_root}/needs"}


SUMMARY_CHARS = 200
DEFAULT_STALE_MONTHS = Settings.stale_months  # SIGNPOST_STALE_MONTHS when unset


def summary(description: str, limit: int = SUMMARY_CHARS) -> str:
    """The first sentence (or the first ``limit`` characters, cut at a word) of a description."""
    text = " ".join(description.split())
    for end in (". ", "! ", "? "):
        cut = text.find(end)
        if 0 < cut < limit:
            return text[: cut + 1]
    if len(text) <= limit:
        return text
    return text[:limit].rsplit(" ", 1)[0].rstrip(",;:") + "…"


def distance_dict(miles: float | None) -> dict[str, float] | None:
    if miles is None:
        return None
    return {"miles": round(miles, 1), "km": round(miles_to_km(miles), 1)}


def _location(location: Location) -> dict[str, Any]:
    return {
        "name": location.name,
        "address": location.address,
        "postcode": location.postcode,
        "lat": location.lat,
        "lon": location.lon,
        "accessibility": [
            {"id": item, "label": ACCESSIBILITY[item]} for item in location.accessibility
        ],
        "transport": location.transport,
    }


def _next_session(listing: Listing, now: datetime) -> dict[str, Any] | None:
    found = next_session(listing, now)
    if found is None:
        return None
    return {**found.to_dict(), "text": describe_next(found, now)}


def _cost(listing: Listing) -> dict[str, Any]:
    cost = listing.cost
    return {
        "free": cost.free,
        "amount": cost.amount,
        "details": cost.details,
        "text": describe_cost(cost),
    }


def _access(listing: Listing) -> dict[str, Any]:
    return {
        "routes": list(listing.access.routes),
        "labels": describe_routes(listing),
        "how_to_access": listing.access.how_to_access,
        "booking_required": listing.access.booking_required,
    }


def api_result(
    listing: Listing,
    vocab: Vocabulary,
    now: datetime,
    links: Links,
    *,
    distance_miles: float | None = None,
    nearest_location: int | None = None,
    stale_months: int = DEFAULT_STALE_MONTHS,
) -> dict[str, Any]:
    """One search result: enough to show it in a list and decide whether to open it.

    ``who_for_text`` ("For men over 18", '' when anyone can come), ``checked`` ("Checked
    October 2026") and ``stale_warning`` (past the deployment's stale limit, else null) are
    the words the site's cards show, for widgets to show the same.
    """
    return {
        "id": listing.id,
        "name": listing.name,
        "organisation": listing.organisation,
        "summary": summary(listing.description),
        "status": listing.status,
        "needs": [{"id": need, "label": vocab.need_label(need)} for need in listing.needs],
        "distance": distance_dict(distance_miles),
        "nearest_location": nearest_location,
        "next_session": _next_session(listing, now),
        "cost": _cost(listing),
        "access": _access(listing),
        "delivery": list(listing.delivery),
        "national": listing.national,
        # Who a service without a venue serves ("Serves Bristol: by phone"), for its card.
        "areas_served": list(listing.areas_served),
        "locations": [_location(location) for location in listing.locations],
        "last_reviewed": listing.last_reviewed.isoformat(),
        "who_for_text": who_for_text(listing.who_for, vocab.group_label),
        "checked": checked_text(listing.last_reviewed),
        "stale_warning": stale_warning(listing.last_reviewed, now.date(), stale_months),
        "links": links.service(listing.id),
    }


def api_listing(
    listing: Listing,
    vocab: Vocabulary,
    now: datetime,
    links: Links,
    stale_months: int = DEFAULT_STALE_MONTHS,
) -> dict[str, Any]:
    """A whole listing, as the service page shows it, with words ready to display."""
    found = api_result(listing, vocab, now, links, stale_months=stale_months)
    del found["distance"], found["nearest_location"]
    who_for = listing.who_for
    found.update(
        description=listing.description,
        area=listing.area,
        who_for={
            "age_min": who_for.age_min,
            "age_max": who_for.age_max,
            "groups": [
                {"id": group, "label": vocab.group_label(group)} for group in who_for.groups
            ],
            "eligibility": who_for.eligibility,
        },
        contact={
            "phone": listing.contact.phone,
            "email": listing.contact.email,
            "website": listing.contact.website,
        },
        schedule=[
            {
                "days": list(session.days),
                "opens": session.opens,
                "closes": session.closes,
                "frequency": session.frequency,
                "weeks_of_month": list(session.weeks_of_month),
                "notes": session.notes,
                "text": describe_session(session),
            }
            for session in listing.schedule
        ],
        languages=[{"code": code, "name": language_name(code)} for code in listing.languages],
        reviewed_by=listing.reviewed_by,
    )
    return found


def place_dict(place: Place, query: str) -> dict[str, Any]:
    return {
        "query": query,
        "label": place.label,
        "kind": place.kind,
        "lat": place.lat,
        "lon": place.lon,
        "district": place.district,
        "country": place.country,
        "note": place.note,
    }


def request_dict(request: SearchRequest) -> dict[str, Any]:
    """The search as understood, in the API's own parameter names (defaults filled in)."""
    return {
        "q": request.text,
        "exact": request.exact,
        "near": request.near,
        "radius": request.radius_miles,
        "free": request.free,
        "step_free": request.step_free,
        "day": list(request.days),
        "open_now": request.open_now,
        "age": request.age,
        "access": list(request.access),
        "delivery": list(request.delivery),
        "need": list(request.needs),
        "local_only": not request.include_remote,
        "page": request.page,
        "per_page": request.per_page,
    }


def api_search(
    response: SearchResponse,
    vocab: Vocabulary,
    now: datetime,
    links: Links,
    page_links: dict[str, str | None],
    stale_months: int = DEFAULT_STALE_MONTHS,
    lift_link: Callable[[dict[str, Any]], str] | None = None,
) -> dict[str, Any]:
    """A search response: results, total, facet counts, the place searched and "did you mean".

    ``missing``: each stated need the filters or distance left with nothing, with a link
    (``lift_link`` turns its changes into the same search without that filter).
    ``local_services_nearby``: with a place, how many listings have a venue within the
    radius; when none, ``covered_areas`` names the areas the directory has local listings in.
    """
    request = response.request
    return {
        # Crisis words in the query: help lines to show before anything else (else null).
        "urgent": (
            panel_dict(response.urgent, f"{links.site_root}/urgent-help")
            if response.urgent
            else None
        ),
        "query": request_dict(request),
        "total": response.total,
        "page": request.page,
        "per_page": request.per_page,
        "pages": response.pages,
        "results": [
            api_result(
                hit.listing,
                vocab,
                now,
                links,
                distance_miles=hit.distance_miles,
                nearest_location=hit.nearest_location,
                stale_months=stale_months,
            )
            for hit in response.hits
        ],
        "facets": response.facets,
        "location": place_dict(response.place, request.near) if response.place else None,
        "did_you_mean": response.did_you_mean,
        "search_instead": response.search_instead,
        "unclear": (
            {"message": response.unclear, "browse": links.needs} if response.unclear else None
        ),
        "interpreted": {
            "text": response.interpretation.text,
            "needs": [
                {"id": need, "label": vocab.need_label(need)}
                for need in response.interpretation.needs
            ],
        },
        "wider": [asdict(option) for option in response.wider],
        "missing": [
            {
                **item.as_dict(),
                "link": lift_link(item.changes) if lift_link and item.changes else None,
            }
            for item in response.missing
        ],
        "local_services_nearby": response.local_nearby,
        "covered_areas": [covered_dict(area) for area in response.covered_areas],
        "build_id": response.build_id,
        "timed_out": response.timed_out,
        "links": page_links,
    }
