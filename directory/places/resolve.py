"""Turning what a person typed into one search centre, offline.

The order of attempts is the search box's contract (``Gazetteer.resolve``): a full
postcode; an unknown full postcode as its district, with a note; a district; a half-typed
postcode ("CT9 1") as its district; a place name typed with its district ("Ryton NE40"); a
place name; a postcode at the end of a pasted address; and the part before a comma
("Minster, Thanet"), the rest choosing between same-named places. Whatever is chosen in
place of what was typed comes with a ``note`` saying so.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from directory.places.distance import distance_miles
from directory.places.names import name_key
from directory.places.place import Place, place_from_row, with_note
from directory.places.postcodes import (
    OUTWARD,
    is_northern_ireland,
    normalise_district,
    normalise_postcode,
)
from directory.places.same_name import place_with_note
from directory.places.table import PlaceRow

if TYPE_CHECKING:
    from directory.places.gazetteer import Gazetteer

# "CT9 1" or "CT9 1P": a postcode sector or a half-typed postcode; the district still helps.
_SECTOR_RE = re.compile(rf"^({OUTWARD}) ([0-9][A-Z]?)$")
# A postcode at the end of a pasted address: "12 High St, Margate CT9 1PE".
_TRAILING_POSTCODE_RE = re.compile(rf"(?:^|[\s,])({OUTWARD}) ?([0-9][A-Z]{{2}})$")
# A place name with its district, a sector or half-typed inward code: "Whitehall BS5 6",
# "Ryton, NE40 3", "Normanton (WF6)".
_NAME_NEAR_DISTRICT_RE = re.compile(
    rf"^(.*?[A-Z].*?)[\s,]*(?:\(\s*({OUTWARD})\s*\)|\s({OUTWARD})(?:\s+[0-9][A-Z]?)?)$",
    re.IGNORECASE,
)


def resolve_offline(gaz: Gazetteer, cleaned: str) -> Place | None:
    """The place ``cleaned`` (already cleaned text) names, from ``gaz``'s tables, or None."""
    pc = normalise_postcode(cleaned)
    if pc is not None:
        return _resolve_postcode(gaz, pc)
    if normalise_district(cleaned) is not None:
        place = gaz.lookup_district(cleaned)
        if place is not None:
            return place
    m = _SECTOR_RE.match(cleaned.upper())
    if m:
        place = gaz.lookup_district(m.group(1))
        if place is not None:
            return with_note(
                place,
                f"{cleaned.upper()} is not a full postcode, so we used the {m.group(1)} area.",
            )
    near = _name_near_district(gaz, cleaned)
    if near is not None:
        return near
    rows = gaz.lookup_rows(cleaned)
    if rows:
        return place_with_note(rows, cleaned, gaz.table)
    m = _TRAILING_POSTCODE_RE.search(cleaned.upper())
    if m:
        place = _resolve_postcode(gaz, f"{m.group(1)} {m.group(2)}")
        if place is not None:
            return place
    if "," in cleaned:
        head, tail = (part.strip() for part in cleaned.split(",", 1))
        rows = gaz.lookup_rows(head) if head else []
        if rows:
            chosen = _narrow(gaz, rows, tail)
            if chosen is not None:
                return place_from_row(chosen)
            return place_with_note(rows, head, gaz.table)
    return None


def _resolve_postcode(gaz: Gazetteer, pc: str) -> Place | None:
    """A canonical postcode's place, else its district's with a note saying why."""
    place = gaz.lookup_postcode(pc)
    if place is not None:
        return place
    outward = pc.split(" ")[0]
    district = gaz.lookup_district(outward)
    if district is None:
        return None
    if is_northern_ireland(outward):
        note = (
            "We only know Northern Ireland postcodes to the area, "
            f"so we used the {outward} area for {pc}."
        )
    else:
        note = f"We could not find {pc}, so we used the {outward} area instead."
    return with_note(district, note)


def _name_near_district(gaz: Gazetteer, cleaned: str) -> Place | None:
    """A place name typed with its postcode district: the one of that name nearest it.

    "Whitehall BS5", "Ryton, NE40", "Normanton (WF6)": the district says which of the
    same-named places is meant, the one filed under it or else the nearest within
    ``prefer_within_miles``. When none is that near ("Whitehall BS5": the only
    Whitehall we know is in Orkney), the district itself is used, with a note. None
    when the text is not a name and a district, or the whole text is a place's name.
    """
    m = _NAME_NEAR_DISTRICT_RE.match(cleaned)
    if not m or gaz.place_rows(cleaned):
        return None
    name, code = m.group(1).strip(" ,"), (m.group(2) or m.group(3)).upper()
    area = gaz.lookup_district(code)
    rows = gaz.place_rows(name) if area is not None else []
    if area is None or not rows:
        return None
    listed = [r for r in rows if code in r.districts]
    if listed:
        return place_from_row(listed[0])
    miles, nearest = min(
        (distance_miles(area.lat, area.lon, r.lat, r.lon), i) for i, r in enumerate(rows)
    )
    if miles <= gaz.prefer_within_miles:
        return place_from_row(rows[nearest])
    return with_note(
        area,
        f"We do not know a place called {rows[0].name} near {code}, so we used the {code} area.",
    )


def _narrow(gaz: Gazetteer, rows: list[PlaceRow], where: str) -> PlaceRow | None:
    """The one of several same-named places that ``where`` points at, if it does.

    ``where`` may name the council area ("Thanet"), or a district, postcode or place
    near it ("CT12", "Southampton"); anything else ("Kent") leaves the choice open.
    """
    if len(rows) < 2:
        return rows[0] if rows else None
    key = name_key(where)
    if not key:
        return None
    # "Thanet", "Durham" (County Durham), "Folkestone" (Folkestone and Hythe)
    in_council = [r for r in rows if f" {key} " in f" {name_key(gaz.table.council(r.council))} "]
    if in_council:
        return in_council[0]
    anchor = gaz.lookup_postcode(where) or gaz.lookup_district(where)
    if anchor is None:
        anchors = gaz.place_rows(where)
        anchor = place_from_row(anchors[0]) if anchors else None
    if anchor is None:
        return None
    miles, nearest = min(
        (distance_miles(anchor.lat, anchor.lon, r.lat, r.lon), i) for i, r in enumerate(rows)
    )
    return rows[nearest] if miles <= gaz.prefer_within_miles else None
