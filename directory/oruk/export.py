"""The directory as open data: Open Referral UK (HSDS 3.0) JSON.

Councils, NHS systems and other directories reuse Signpost's listings in this shape (and as
a spreadsheet: :mod:`directory.oruk.spreadsheet`), so it is made by pure functions of
validated :class:`Listing` objects: the command line export, the ``/api/oruk`` endpoints and
the tests all produce byte-for-byte the same thing.

HSDS wants a UUID for every object. Signpost ids are readable slugs, so each HSDS id is a
UUID5 derived from the slug (and, for organisations, the normalised name): the same listing
always gets the same ids, across exports and builds, without storing anything. The Signpost
id is kept alongside as ``signpost_id`` (an extension field: HSDS allows extra properties) so
that data can be matched back.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from directory.languages import language_name
from directory.model import ACCESSIBILITY, ROUTE_LABELS, Listing, Location, Session
from directory.vocabulary import Vocabulary
from directory.wording import describe_cost, describe_session

HSDS_VERSION = "3.0"
ORUK_PROFILE = "https://openreferraluk.org/"
# Fixed forever: changing it would change every exported id and break consumers' links.
NAMESPACE = uuid.UUID("5d2c9a3e-8f4b-4c61-9d0e-2b7a6f1c4e83")
NEEDS_TAXONOMY = "signpost-needs"
GROUPS_TAXONOMY = "signpost-groups"
# HSDS byday codes, Monday first (RFC 5545).
BYDAY = {"mon": "MO", "tue": "TU", "wed": "WE", "thu": "TH", "fri": "FR", "sat": "SA", "sun": "SU"}
STATUS_TO_HSDS = {"active": "active", "paused": "temporarily closed", "closed": "inactive"}
_POUNDS = re.compile(r"£\s*(\d+(?:\.\d{1,2})?)")

# Region (HSDS address.state_province) for a postcode, e.g. "England"; "" when unknown.
RegionLookup = Callable[[str], str]


def hsds_id(kind: str, key: str) -> str:
    """A stable UUID for one HSDS object: the same ``kind`` and ``key`` give the same id."""
    return str(uuid.uuid5(NAMESPACE, f"{kind}:{key}"))


def service_uuid(listing_id: str) -> str:
    return hsds_id("service", listing_id)


def organization_uuid(name: str) -> str:
    """Organisations have no Signpost id: two listings naming one organisation share one."""
    return hsds_id("organization", " ".join(name.lower().split()))


def taxonomy_uuid(taxonomy: str) -> str:
    return hsds_id("taxonomy", taxonomy)


def term_uuid(taxonomy: str, code: str) -> str:
    return hsds_id("taxonomy_term", f"{taxonomy}:{code}")


def area_label(area: str) -> str:
    """'brighton-and-hove' -> 'Brighton and Hove': the folder name as a place name."""
    words = area.replace("-", " ").split()
    small = {"and", "upon", "on", "in", "by", "the", "of"}
    return " ".join(
        word if (index and word in small) else word.capitalize() for index, word in enumerate(words)
    )


def split_address(address: str) -> tuple[str, str]:
    """'12 Example Street, Margate' -> ('12 Example Street', 'Margate'): street and town.

    Listings keep an address as one line; HSDS wants the town apart. The town is the last
    comma-separated part, which is how every listing's address is written.
    """
    parts = [part.strip() for part in address.split(",") if part.strip()]
    if len(parts) < 2:
        return address.strip(), ""
    return ", ".join(parts[:-1]), parts[-1]


def pounds(text: str) -> float | None:
    """The first amount in pounds in a cost such as '£2.50 a session', if there is one."""
    match = _POUNDS.search(text)
    return float(match.group(1)) if match else None


# --------------------------------------------------------------------------- HSDS objects


def taxonomy_detail(taxonomy: str) -> dict[str, Any]:
    if taxonomy == NEEDS_TAXONOMY:
        name, description = "Signpost needs", "What a service helps with, from data/needs.yaml."
    else:
        name, description = "Signpost groups", "Who a service is especially for."
    return {
        "id": taxonomy_uuid(taxonomy),
        "name": name,
        "description": description,
        "version": "1",
    }


def need_term(vocab: Vocabulary, need_id: str) -> dict[str, Any]:
    need = vocab.needs.get(need_id)
    return {
        "id": term_uuid(NEEDS_TAXONOMY, need_id),
        "code": need_id,
        "name": vocab.need_label(need_id),
        "description": need.description if need else vocab.need_label(need_id),
        "taxonomy": NEEDS_TAXONOMY,
        "taxonomy_id": taxonomy_uuid(NEEDS_TAXONOMY),
        "language": "en",
        "taxonomy_detail": taxonomy_detail(NEEDS_TAXONOMY),
    }


def group_term(vocab: Vocabulary, group_id: str) -> dict[str, Any]:
    label = vocab.group_label(group_id)
    return {
        "id": term_uuid(GROUPS_TAXONOMY, group_id),
        "code": group_id,
        "name": label,
        "description": f"Services especially for: {label}.",
        "taxonomy": GROUPS_TAXONOMY,
        "taxonomy_id": taxonomy_uuid(GROUPS_TAXONOMY),
        "language": "en",
        "taxonomy_detail": taxonomy_detail(GROUPS_TAXONOMY),
    }


def taxonomy_terms(vocab: Vocabulary) -> list[dict[str, Any]]:
    """Every need and group as an HSDS taxonomy_term, needs first, in vocabulary order."""
    return [need_term(vocab, need) for need in vocab.needs] + [
        group_term(vocab, group) for group in vocab.groups
    ]


def _attribute(service_id: str, term: dict[str, Any], link_type: str) -> dict[str, Any]:
    return {
        "id": hsds_id("attribute", f"{service_id}:{term['id']}"),
        "link_id": service_id,
        "link_type": link_type,
        "link_entity": "service",
        "taxonomy_term_id": term["id"],
        "taxonomy_term": term,
    }


def organization_to_hsds(name: str) -> dict[str, Any]:
    return {
        "id": organization_uuid(name),
        "name": name,
        "description": f"{name} runs community services listed in this directory.",
    }


def schedule_to_hsds(session: Session, service_id: str, index: int) -> dict[str, Any]:
    """One session as an RFC 5545-style HSDS schedule.

    Weekly is FREQ=WEEKLY; fortnightly is WEEKLY with INTERVAL=2 (the listing does not say
    which week, so no dtstart); "first and third Wednesday" is MONTHLY with BYDAY=1WE,3WE.
    Times are UK local time, as written in the listing.
    """
    if session.frequency == "monthly" and session.weeks_of_month:
        byday = ",".join(
            f"{week}{BYDAY[day]}" for week in session.weeks_of_month for day in session.days
        )
        freq, interval = "MONTHLY", 1
    else:
        byday = ",".join(BYDAY[day] for day in session.days)
        freq, interval = "WEEKLY", 2 if session.frequency == "fortnightly" else 1
    schedule: dict[str, Any] = {
        "id": hsds_id("schedule", f"{service_id}:{index}"),
        "service_id": service_id,
        "freq": freq,
        "interval": interval,
        "byday": byday,
        "wkst": "MO",
        "opens_at": session.opens,
        "closes_at": session.closes,
        "description": describe_session(session),
    }
    if session.notes:
        schedule["notes"] = session.notes
    return schedule


def cost_options_to_hsds(listing: Listing, service_id: str) -> list[dict[str, Any]]:
    option: dict[str, Any] = {"id": hsds_id("cost_option", service_id), "service_id": service_id}
    if listing.cost.free:
        option.update(amount=0, currency="GBP", amount_description="Free")
    else:
        amount = pounds(listing.cost.amount)
        if amount is not None:
            option.update(amount=amount, currency="GBP")
        option["amount_description"] = listing.cost.amount
    return [option]


def location_to_hsds(
    listing: Listing, location: Location, index: int, region_for: RegionLookup | None
) -> dict[str, Any]:
    location_id = hsds_id("location", f"{listing.id}:{index}")
    street, town = split_address(location.address)
    found: dict[str, Any] = {
        "id": location_id,
        "location_type": "physical",
        "name": location.name,
    }
    if location.lat is not None and location.lon is not None:
        found["latitude"] = location.lat
        found["longitude"] = location.lon
    if location.transport:
        found["transportation"] = location.transport
    found["addresses"] = [
        {
            "id": hsds_id("address", f"{listing.id}:{index}"),
            "location_id": location_id,
            "address_1": street,
            "city": town,
            "state_province": region_for(location.postcode) if region_for else "",
            "postal_code": location.postcode,
            "country": "GB",
            "address_type": "physical",
        }
    ]
    found["accessibility"] = [
        {
            "id": hsds_id("accessibility", f"{listing.id}:{index}:{item}"),
            "location_id": location_id,
            "description": ACCESSIBILITY[item],
            "details": item,
        }
        for item in location.accessibility
    ]
    return found


def _service_at_location(service_id: str, key: str, location: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": hsds_id("service_at_location", key),
        "service_id": service_id,
        "location_id": location["id"],
        "location": location,
    }


def service_to_hsds(
    listing: Listing,
    vocab: Vocabulary,
    *,
    base_url: str = "",
    region_for: RegionLookup | None = None,
) -> dict[str, Any]:
    """One listing as a fully nested HSDS 3.0 service (the ``/services/{id}`` shape).

    ``base_url`` is the site's root (e.g. ``https://signpost.example.org``): when given, a
    service without its own website links to its Signpost page, as the UK profile asks
    every service to have a url.
    """
    service_id = service_uuid(listing.id)
    service: dict[str, Any] = {
        "id": service_id,
        "signpost_id": listing.id,
        "organization_id": organization_uuid(listing.organisation),
        "name": listing.name,
        "description": listing.description,
        "status": STATUS_TO_HSDS[listing.status],
        # What HSDS has no field for, as extension fields beside signpost_id, so that
        # export then import gives back the same listing (a phone service is no location).
        "signpost_delivery": list(listing.delivery),
        "signpost_areas_served": list(listing.areas_served),
        "signpost_reviewed_by": listing.reviewed_by,
    }
    if listing.bank_holidays != "open":
        service["signpost_bank_holidays"] = listing.bank_holidays
    page = f"{base_url.rstrip('/')}/services/{listing.id}" if base_url else ""
    if listing.contact.website or page:
        service["url"] = listing.contact.website or page
    if listing.contact.email:
        service["email"] = listing.contact.email
    how = [ROUTE_LABELS[route] + "." for route in listing.access.routes]
    how.append(listing.access.how_to_access)
    if listing.access.booking_required:
        how.append("Booking is required.")
    service["application_process"] = " ".join(how)
    service["fees_description"] = describe_cost(listing.cost) + (
        f". {listing.cost.details}" if listing.cost.details else ""
    )
    eligibility = listing.who_for.eligibility
    if listing.who_for.groups:
        groups = ", ".join(vocab.group_label(group) for group in listing.who_for.groups)
        eligibility = f"Especially for: {groups}. {eligibility}".strip()
    if eligibility:
        service["eligibility_description"] = eligibility
    if listing.who_for.age_min is not None:
        service["minimum_age"] = listing.who_for.age_min
    if listing.who_for.age_max is not None:
        service["maximum_age"] = listing.who_for.age_max
    service["assured_date"] = listing.last_reviewed.isoformat()
    service["organization"] = organization_to_hsds(listing.organisation)

    phones = []
    if listing.contact.phone:
        phones.append(
            {
                "id": hsds_id("phone", service_id),
                "service_id": service_id,
                "number": listing.contact.phone,
                "type": "voice",
            }
        )
    service["phones"] = phones
    contact: dict[str, Any] = {"id": hsds_id("contact", service_id), "service_id": service_id}
    if listing.contact.email:
        contact["email"] = listing.contact.email
    contact["phones"] = phones
    service["contacts"] = [contact]

    service["schedules"] = [
        schedule_to_hsds(session, service_id, index)
        for index, session in enumerate(listing.schedule)
    ]
    if listing.national or not listing.areas_served:
        names = ["United Kingdom" if listing.national else area_label(listing.area)]
    else:
        names = list(listing.areas_served)  # who it serves, for phone lines and home visits
    service["service_areas"] = [
        {
            "id": hsds_id("service_area", service_id if not index else f"{service_id}:{index}"),
            "service_id": service_id,
            "name": name,
        }
        for index, name in enumerate(names)
    ]
    located = [
        _service_at_location(
            service_id,
            f"{listing.id}:{index}",
            location_to_hsds(listing, location, index, region_for),
        )
        for index, location in enumerate(listing.locations)
    ]
    if "online" in listing.delivery and listing.contact.website:
        online = {
            "id": hsds_id("location", f"{listing.id}:online"),
            "location_type": "virtual",
            "name": f"{listing.name} (online)",
            "url": listing.contact.website,
        }
        located.append(_service_at_location(service_id, f"{listing.id}:online", online))
    service["service_at_locations"] = located
    service["languages"] = [
        {
            "id": hsds_id("language", f"{service_id}:{code}"),
            "service_id": service_id,
            "name": language_name(code),
            "code": code,
        }
        for code in listing.languages
    ]
    service["cost_options"] = cost_options_to_hsds(listing, service_id)
    service["attributes"] = [
        _attribute(service_id, need_term(vocab, need), "need") for need in listing.needs
    ] + [
        _attribute(service_id, group_term(vocab, group), "eligibility")
        for group in listing.who_for.groups
    ]
    return service


def page(
    contents: Sequence[Any], *, total_items: int, page_number: int, size: int
) -> dict[str, Any]:
    """The HSDS API's page shape around one page of ``contents``."""
    total_pages = max(1, -(-total_items // size)) if size else 1
    return {
        "total_items": total_items,
        "total_pages": total_pages,
        "page_number": page_number,
        "size": len(contents),
        "first_page": page_number == 1,
        "last_page": page_number >= total_pages,
        "empty": not contents,
        "contents": list(contents),
    }


def directory_to_hsds(
    listings: Iterable[Listing],
    vocab: Vocabulary,
    *,
    base_url: str = "",
    region_for: RegionLookup | None = None,
) -> dict[str, Any]:
    """The whole directory as one HSDS page of fully nested services.

    It is exactly what ``GET /services`` would return with every service on one page, so
    anything that reads an Open Referral UK feed can read the export too.
    """
    services = [
        service_to_hsds(listing, vocab, base_url=base_url, region_for=region_for)
        for listing in listings
    ]
    return page(services, total_items=len(services), page_number=1, size=len(services) or 1)
