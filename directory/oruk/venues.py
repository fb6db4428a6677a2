"""Where an imported service is run: its venues, whether it is online, the areas it serves
and how it is delivered.

Council feeds list phone lines and home visits with a service area rather than a venue, and
often give a venue the coordinates of its postcode: both are sorted out here, so that an
imported listing is found where the service really is.
"""

from __future__ import annotations

import re
from typing import Any

from directory.model import DELIVERY
from directory.oruk.fields import accessibility_from, session_from
from directory.oruk.read import plain, records, sentence_cut
from directory.places import distance_km, normalise_postcode
from directory.validation import PostcodeLookup

_NATIONAL_AREAS = {"united kingdom", "uk", "national", "nationwide", "great britain", "gb"}


def locations_from(
    service: dict[str, Any],
    by_id: dict[str, Any],
    notes: list[str],
    gazetteer: PostcodeLookup | None = None,
) -> tuple[list[dict[str, Any]], bool, list[dict[str, Any]]]:
    """(venues, has an online location, sessions found on service_at_locations)."""
    venues: list[dict[str, Any]] = []
    sessions: list[dict[str, Any]] = []
    online = False
    for link in records(service.get("service_at_locations")):
        location = link.get("location")
        if not isinstance(location, dict):
            location = by_id.get(plain(link.get("location_id")), {})
        for schedule in records(link.get("schedules")) + records(location.get("schedules")):
            session, why = session_from(schedule)
            if session is None:
                notes.append(why)
            else:
                sessions.append(session)
        kind = plain(location.get("location_type")).lower()
        if kind == "virtual":
            online = True
            continue
        venue = _venue(location, notes, gazetteer)
        if venue is not None:
            venues.append(venue)
    return venues, online, sessions


def _venue(
    location: dict[str, Any], notes: list[str], gazetteer: PostcodeLookup | None = None
) -> dict[str, Any] | None:
    addresses = records(location.get("addresses"))
    address = next(
        (a for a in addresses if plain(a.get("address_type")).lower() != "postal"),
        addresses[0] if addresses else {},
    )
    name = plain(location.get("name")) or plain(address.get("address_1"))
    shown = name or "a location"
    lines = [plain(address.get(key)) for key in ("address_1", "address_2", "city")]
    street = ", ".join(dict.fromkeys(line for line in lines if line))
    if not street and not plain(address.get("postal_code")):
        notes.append(f"location '{shown}' has no address; left out")
        return None
    venue: dict[str, Any] = {"name": name or street.split(",")[0]}
    venue["address"] = street or name
    raw_postcode = plain(address.get("postal_code"))
    postcode = normalise_postcode(raw_postcode) if raw_postcode else None
    if postcode:
        venue["postcode"] = postcode
    elif raw_postcode:
        notes.append(f"location '{shown}': '{raw_postcode}' is not a full UK postcode; fix it")
    else:
        notes.append(f"location '{shown}': no postcode; add one")
    lat, lon = location.get("latitude"), location.get("longitude")
    if isinstance(lat, (int, float)) and isinstance(lon, (int, float)):
        if 49.8 <= lat <= 60.9 and -8.7 <= lon <= 1.8:
            if not _at_postcode(float(lat), float(lon), postcode, gazetteer):
                venue["lat"], venue["lon"] = round(float(lat), 6), round(float(lon), 6)
        else:
            notes.append(f"location '{shown}': coordinates are outside the UK; left out")
    found, unmapped = accessibility_from(records(location.get("accessibility")))
    if found:
        venue["accessibility"] = found
    for text in unmapped:
        notes.append(f"location '{shown}': accessibility '{text}' not mapped; left out")
    transport = plain(location.get("transportation"))
    if transport:
        venue["transport"] = sentence_cut(transport, 1000)
    return venue


def _at_postcode(
    lat: float, lon: float, postcode: str | None, gazetteer: PostcodeLookup | None
) -> bool:
    """True when the coordinates are just the postcode's own (within 50 m): a listing then
    leaves them out, and the postcode places it (Signpost's export fills them in)."""
    if not postcode or gazetteer is None:
        return False
    place = gazetteer.lookup_postcode(postcode)
    if place is None:
        return False
    return distance_km(lat, lon, place.lat, place.lon) <= 0.05


def service_areas(service: dict[str, Any], notes: list[str]) -> tuple[bool, list[str]]:
    """Whether the service is national, and the areas it serves (``areas_served``).

    From ``service_areas`` (HSDS 3.0 ``name``, or ORUK 1.0's ``service_area``) and a
    ``coverage`` text, each name checked against the gazetteer: council feeds list phone
    lines and home visits as "Bristol" or "North Lincolnshire", and without this they would
    be online services found nowhere. Signpost's own export says exactly
    (``signpost_areas_served``), so its folder names are never mistaken for areas.
    """
    from directory.areas import default_areas

    names = [
        plain(area.get("name") or area.get("service_area"))
        for area in records(service.get("service_areas"))
        if isinstance(area, dict)
    ]
    if any(name.lower() in _NATIONAL_AREAS for name in names):
        return True, []
    own = service.get("signpost_areas_served")
    if isinstance(own, list):
        names = [plain(name) for name in own]
    else:
        coverage = service.get("coverage")
        for text in coverage if isinstance(coverage, list) else [coverage]:
            if isinstance(text, str):
                names += [part.strip() for part in re.split(r"[,;]", text) if part.strip()]
    table = default_areas()
    served: list[str] = []
    for name in names:
        area = table.resolve(name) if name else None
        if area is not None:
            served.append(area.name)
        elif name and not isinstance(own, list):
            notes.append(f"service area '{name[:60]}' is not an area we know, so it was left out")
    return False, list(dict.fromkeys(served))


def signpost_delivery(
    service: dict[str, Any], venues: list[dict[str, Any]], *, home_visits: bool = False
) -> list[str]:
    """``signpost_delivery`` from Signpost's own export, when it is a valid list."""
    raw = service.get("signpost_delivery")
    if not isinstance(raw, list) or not raw:
        return []
    values = [plain(value) for value in raw]
    if any(value not in DELIVERY for value in values):
        return []
    # A venue means in person; no venue means not in person, unless it serves areas
    # (areas_served), where in person with no venue is a home visit service.
    if venues and "in-person" not in values:
        return []
    if not venues and not home_visits and "in-person" in values:
        return []
    return list(dict.fromkeys(values))
