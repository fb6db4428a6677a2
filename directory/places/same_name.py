"""When several places share a name: which one we use, and how we name the others.

"Minster" is both Minster-in-Thanet and Minster on Sheppey. The biggest wins, unless a
deployment's home area (``prefer_near``) has one of them nearby; either way the person is
told which one we used and offered the other real towns of that name, so a wrong guess is
one click away (docs/clinical-safety.md).
"""

from __future__ import annotations

from directory.places.distance import distance_miles
from directory.places.names import name_key
from directory.places.place import Place, place_from_row, with_note
from directory.places.table import PlaceRow, PlaceTable

# When several places share a name, the note names the others that are real places (at
# least this many people, as GeoNames' cities500 counts them, and at least 1/20th the size
# of the biggest) so "Brighton" does not mention a Cornish hamlet but "Minster" mentions
# both Minsters.
_ALTERNATIVE_MIN_PEOPLE = 500
_ALTERNATIVE_MIN_SHARE = 20
_MAX_ALTERNATIVES = 3
# A home-area bias never picks a place under 1/100th the size of the biggest of the name:
# a Kent hamlet called Manchester would not beat Manchester.
_PREFER_MIN_SHARE = 100


def prefer_home(
    rows: list[PlaceRow], home: tuple[float, float] | None, within_miles: float
) -> list[PlaceRow]:
    """Put the same-named place nearest ``home`` first, if one is within ``within_miles``.

    Nearest, not biggest: from Thanet, Minster-in-Thanet (5 miles) and Minster on
    Sheppey (25 miles) are both "near", but only one is the local Minster.
    """
    if len(rows) < 2 or home is None:
        return rows
    floor = max(r.rank for r in rows) / _PREFER_MIN_SHARE
    miles, nearest = min(
        (distance_miles(home[0], home[1], r.lat, r.lon), i)
        for i, r in enumerate(rows)
        if r.rank >= floor
    )
    if nearest == 0 or miles > within_miles:
        return rows
    return [rows[nearest], *rows[:nearest], *rows[nearest + 1 :]]


def describe(row: PlaceRow, table: PlaceTable) -> str:
    """'Minster (CT12) in Thanet': our label plus the council area, for notes."""
    council = table.council(row.council)
    where = f" in {council}" if council and name_key(council) != name_key(row.name) else ""
    return f"{row.name} ({row.districts[0]}){where}"


def alternatives_note(rows: list[PlaceRow], text: str, table: PlaceTable) -> str:
    """Say which other real towns share the name, so a wrong guess is one click away."""
    if len(rows) < 2:
        return ""
    floor = max(_ALTERNATIVE_MIN_PEOPLE, max(r.rank for r in rows) / _ALTERNATIVE_MIN_SHARE)
    others = [r for r in rows[1:] if r.rank >= floor][:_MAX_ALTERNATIVES]
    if not others:
        return ""
    key = name_key(text)
    shared = next((r.name for r in rows if name_key(r.name) == key), rows[0].name)
    return (
        f"Several places are called {shared}: we used {describe(rows[0], table)}. "
        f"Also: {', '.join(describe(r, table) for r in others)}."
    )


def place_with_note(rows: list[PlaceRow], text: str, table: PlaceTable) -> Place:
    """The first of ``rows`` as a ``Place``, its note naming any real alternatives."""
    place = place_from_row(rows[0])
    note = alternatives_note(rows, text, table)
    return with_note(place, note) if note else place
