"""``Place``: where a search is centred, how precise that is, and what the person is told."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from directory.places.table import PlaceRow


@dataclass(frozen=True)
class Place:
    """Where a search is centred, and how we know.

    ``kind`` tells the page how precise the location is ("postcode" is a street or two,
    "district" a town or part of one), and ``note`` explains any fallback in plain
    English so the person is never silently searched somewhere else.
    """

    lat: float
    lon: float
    kind: str  # "postcode" | "district" | "place" | "online"
    label: str  # e.g. "CT9 1PE" or "Margate (CT9)"
    note: str = ""  # e.g. "We could not find CT9 9ZZ, so we used the CT9 area instead."
    district: str = ""  # postcode district when known, e.g. "CT9"
    country: str = ""  # "England" | "Scotland" | "Wales" | "Northern Ireland" | ...


def with_note(place: Place, note: str) -> Place:
    """``place`` with ``note`` telling the person what we did and why."""
    return dataclasses.replace(place, note=note)


def place_from_row(row: PlaceRow) -> Place:
    """A named place from the gazetteer table, labelled with its district: "Margate (CT9)"."""
    return Place(
        lat=row.lat,
        lon=row.lon,
        kind="place",
        label=f"{row.name} ({row.districts[0]})",
        district=row.districts[0],
        country=row.country,
    )
