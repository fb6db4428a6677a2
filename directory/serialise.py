"""Listings to and from plain dicts: the one JSON shape stored in the index and served by the API.

Keeping one shape means the service page, the API and the export always agree about a
listing, and the index can hand back a whole listing without re-reading YAML.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from directory.model import Access, Contact, Cost, Listing, Location, Session, WhoFor


def listing_to_dict(listing: Listing) -> dict[str, Any]:
    return {
        "id": listing.id,
        "area": listing.area,
        "path": listing.path,
        "name": listing.name,
        "organisation": listing.organisation,
        "description": listing.description,
        "status": listing.status,
        "needs": list(listing.needs),
        "who_for": {
            "age_min": listing.who_for.age_min,
            "age_max": listing.who_for.age_max,
            "groups": list(listing.who_for.groups),
            "eligibility": listing.who_for.eligibility,
        },
        "access": {
            "routes": list(listing.access.routes),
            "how_to_access": listing.access.how_to_access,
            "booking_required": listing.access.booking_required,
        },
        "cost": {
            "free": listing.cost.free,
            "amount": listing.cost.amount,
            "details": listing.cost.details,
        },
        "contact": {
            "phone": listing.contact.phone,
            "email": listing.contact.email,
            "website": listing.contact.website,
        },
        "delivery": list(listing.delivery),
        "national": listing.national,
        "locations": [
            {
                "name": loc.name,
                "address": loc.address,
                "postcode": loc.postcode,
                "lat": loc.lat,
                "lon": loc.lon,
                "accessibility": list(loc.accessibility),
                "transport": loc.transport,
            }
            for loc in listing.locations
        ],
        "schedule": [
            {
                "days": list(s.days),
                "opens": s.opens,
                "closes": s.closes,
                "frequency": s.frequency,
                "weeks_of_month": list(s.weeks_of_month),
                "notes": s.notes,
            }
            for s in listing.schedule
        ],
        "languages": list(listing.languages),
        "bank_holidays": listing.bank_holidays,
        "areas_served": list(listing.areas_served),
        "last_reviewed": listing.last_reviewed.isoformat(),
        "reviewed_by": listing.reviewed_by,
    }


def listing_from_dict(data: dict[str, Any]) -> Listing:
    """Rebuild a listing from :func:`listing_to_dict` output (trusted: written by us)."""
    return Listing(
        id=data["id"],
        area=data["area"],
        path=data["path"],
        name=data["name"],
        organisation=data["organisation"],
        description=data["description"],
        status=data["status"],
        needs=tuple(data["needs"]),
        who_for=WhoFor(
            data["who_for"]["age_min"],
            data["who_for"]["age_max"],
            tuple(data["who_for"]["groups"]),
            data["who_for"]["eligibility"],
        ),
        access=Access(
            tuple(data["access"]["routes"]),
            data["access"]["how_to_access"],
            data["access"]["booking_required"],
        ),
        cost=Cost(data["cost"]["free"], data["cost"]["amount"], data["cost"]["details"]),
        contact=Contact(**data["contact"]),
        delivery=tuple(data["delivery"]),
        national=data["national"],
        locations=tuple(
            Location(
                loc["name"],
                loc["address"],
                loc["postcode"],
                loc["lat"],
                loc["lon"],
                tuple(loc["accessibility"]),
                loc["transport"],
            )
            for loc in data["locations"]
        ),
        schedule=tuple(
            Session(
                tuple(s["days"]),
                s["opens"],
                s["closes"],
                s["frequency"],
                tuple(s["weeks_of_month"]),
                s["notes"],
            )
            for s in data["schedule"]
        ),
        languages=tuple(data["languages"]),
        bank_holidays=data.get("bank_holidays", "open"),  # builds made before the field
        areas_served=tuple(data.get("areas_served", ())),  # builds made before the field
        last_reviewed=date.fromisoformat(data["last_reviewed"]),
        reviewed_by=data["reviewed_by"],
    )
