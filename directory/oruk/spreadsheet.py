"""The directory as a plain spreadsheet: one CSV row per listing, in plain words.

Many councils' and NHS teams' tools take a spreadsheet and nothing else, so the CSV says
what a person reads on the site (need labels, "Every Tuesday, 10am to 12pm", "Free"), not
ids; several values share a cell joined with "; ". Cells that a spreadsheet would run as a
formula are made safe.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable

from directory.model import ROUTE_LABELS, Listing
from directory.vocabulary import Vocabulary
from directory.wording import describe_cost, describe_session

CSV_COLUMNS = (
    "id",
    "name",
    "organisation",
    "status",
    "area",
    "needs",
    "description",
    "who_for",
    "venue",
    "address",
    "postcode",
    "lat",
    "lon",
    "when",
    "cost",
    "how_to_access",
    "delivery",
    "phone",
    "email",
    "website",
    "last_reviewed",
    "reviewed_by",
)
_FORMULA = ("=", "+", "-", "@", "\t", "\r")


def _cell(text: str) -> str:
    """Text safe to open in a spreadsheet: a leading =, +, - or @ would run as a formula."""
    return "'" + text if text.startswith(_FORMULA) else text


def _who_for(listing: Listing, vocab: Vocabulary) -> str:
    parts = []
    low, high = listing.who_for.age_min, listing.who_for.age_max
    if low is not None and high is not None:
        parts.append(f"Ages {low} to {high}")
    elif low is not None:
        parts.append(f"Ages {low} and over")
    elif high is not None:
        parts.append(f"Up to age {high}")
    parts.extend(vocab.group_label(group) for group in listing.who_for.groups)
    if listing.who_for.eligibility:
        parts.append(listing.who_for.eligibility)
    return ". ".join(part.rstrip(".") for part in parts)


def listing_row(listing: Listing, vocab: Vocabulary) -> dict[str, str]:
    """One listing as a spreadsheet row: plain words, several values joined with '; '."""

    def joined(values: Iterable[str]) -> str:
        return "; ".join(value for value in values if value)

    def coordinate(value: float | None) -> str:
        return "" if value is None else f"{value:.6f}"

    sessions = [
        describe_session(session) + (f" ({session.notes})" if session.notes else "")
        for session in listing.schedule
    ]
    cost = describe_cost(listing.cost)
    if listing.cost.details:
        cost += f". {listing.cost.details}"
    routes = [ROUTE_LABELS[route] + "." for route in listing.access.routes]
    text = {
        "id": listing.id,
        "name": listing.name,
        "organisation": listing.organisation,
        "status": listing.status,
        "area": listing.area,
        "needs": joined(vocab.need_label(need) for need in listing.needs),
        "description": listing.description,
        "who_for": _who_for(listing, vocab),
        "venue": joined(loc.name for loc in listing.locations),
        "address": joined(loc.address for loc in listing.locations),
        "postcode": joined(loc.postcode for loc in listing.locations),
        "when": joined(sessions),
        "cost": cost,
        "how_to_access": " ".join([*routes, listing.access.how_to_access]),
        "delivery": joined(listing.delivery),
        "phone": listing.contact.phone,
        "email": listing.contact.email,
        "website": listing.contact.website,
        "last_reviewed": listing.last_reviewed.isoformat(),
        "reviewed_by": listing.reviewed_by,
    }
    row = {name: _cell(value) for name, value in text.items()}
    row["lat"] = joined(coordinate(loc.lat) for loc in listing.locations)
    row["lon"] = joined(coordinate(loc.lon) for loc in listing.locations)
    return {column: row[column] for column in CSV_COLUMNS}


def listings_to_csv(listings: Iterable[Listing], vocab: Vocabulary) -> str:
    """A header row, then one row per listing, for councils' and NHS teams' spreadsheets."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=CSV_COLUMNS, lineterminator="\r\n")
    writer.writeheader()
    for listing in listings:
        writer.writerow(listing_row(listing, vocab))
    return out.getvalue()
