"""The filter and distance table built beside each index: one row per document.

Whoosh is good at ranking words; "free, step-free, on Tuesdays, within 3 miles" is cheaper as
set intersections over document numbers. The table is written into the same build folder as
the Whoosh files, so a search always sees one consistent build.

A coarse grid (about 7 by 7 miles) narrows a radius search to nearby cells before the exact
distance check, so a location search does not scan every listing.
"""

from __future__ import annotations

import gzip
import json
import math
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import cached_property
from pathlib import Path
from typing import Any

from directory.geocode import distance_miles
from directory.model import DAYS, Listing

FILE_NAME = "facets.json.gz"
CELL_LAT = 0.1  # degrees; about 7 miles
CELL_LON = 0.16  # degrees; about 7 miles at UK latitudes
MILES_PER_DEGREE_LAT = 69.05


def cell_of(lat: float, lon: float) -> tuple[int, int]:
    return (math.floor(lat / CELL_LAT), math.floor(lon / CELL_LON))


@dataclass
class FacetTable:
    """Sets of document numbers per filter value, and each document's coordinates."""

    count: int = 0
    ids: list[str] = field(default_factory=list)
    names: list[str] = field(default_factory=list)
    reviewed: list[int] = field(default_factory=list)  # date ordinals
    ages: list[tuple[int | None, int | None]] = field(default_factory=list)
    points: list[list[tuple[float, float]]] = field(default_factory=list)
    sessions: list[list[tuple[tuple[str, ...], str, str, str, tuple[int, ...]]]] = field(
        default_factory=list
    )
    sets: dict[str, dict[str, set[int]]] = field(default_factory=dict)
    cells: dict[tuple[int, int], list[int]] = field(default_factory=dict)
    words: frozenset[str] = frozenset()

    # ---- building ----------------------------------------------------------------------

    @classmethod
    def from_listings(cls, listings: Sequence[Listing], words: Iterable[str]) -> FacetTable:
        """Docnum ``i`` is ``listings[i]``: the index adds documents in the same order."""
        table = cls(count=len(listings), words=frozenset(words))
        sets: dict[str, dict[str, set[int]]] = defaultdict(lambda: defaultdict(set))
        for docnum, listing in enumerate(listings):
            table.ids.append(listing.id)
            table.names.append(listing.name.lower())
            table.reviewed.append(listing.last_reviewed.toordinal())
            table.ages.append((listing.who_for.age_min, listing.who_for.age_max))
            points = [
                (loc.lat, loc.lon)
                for loc in listing.locations
                if loc.lat is not None and loc.lon is not None
            ]
            table.points.append(points)
            table.sessions.append(
                [
                    (s.days, s.opens, s.closes, s.frequency, s.weeks_of_month)
                    for s in listing.schedule
                ]
            )
            for point in points:
                cell = cell_of(*point)
                bucket = table.cells.setdefault(cell, [])
                if not bucket or bucket[-1] != docnum:
                    bucket.append(docnum)
            sets["status"][listing.status].add(docnum)
            sets["area"][listing.area].add(docnum)
            if listing.cost.free:
                sets["cost"]["free"].add(docnum)
            if listing.step_free:
                sets["access_needs"]["step-free"].add(docnum)
            for loc in listing.locations:
                for feature in loc.accessibility:
                    sets["accessibility"][feature].add(docnum)
            for session in listing.schedule:
                for day in session.days:
                    sets["day"][day].add(docnum)
            for route in listing.access.routes:
                sets["access"][route].add(docnum)
            for way in listing.delivery:
                sets["delivery"][way].add(docnum)
            for need in listing.needs:
                sets["need"][need].add(docnum)
            if listing.national:
                sets["reach"]["national"].add(docnum)
            if not points:
                sets["reach"]["no-location"].add(docnum)
        table.sets = {name: dict(values) for name, values in sets.items()}
        return table

    def to_json(self) -> dict[str, Any]:
        return {
            "count": self.count,
            "ids": self.ids,
            "names": self.names,
            "reviewed": self.reviewed,
            "ages": self.ages,
            "points": self.points,
            "sessions": self.sessions,
            "sets": {
                name: {value: sorted(docs) for value, docs in values.items()}
                for name, values in self.sets.items()
            },
            "words": sorted(self.words),
        }

    def save(self, folder: Path) -> None:
        with gzip.open(folder / FILE_NAME, "wt", encoding="utf-8", compresslevel=5) as handle:
            json.dump(self.to_json(), handle, separators=(",", ":"))

    @classmethod
    def load(cls, folder: Path) -> FacetTable:
        with gzip.open(folder / FILE_NAME, "rt", encoding="utf-8") as handle:
            data = json.load(handle)
        table = cls(
            count=data["count"],
            ids=data["ids"],
            names=data["names"],
            reviewed=data["reviewed"],
            ages=[(a, b) for a, b in data["ages"]],
            points=[[(lat, lon) for lat, lon in pts] for pts in data["points"]],
            sessions=[
                [(tuple(d), o, c, f, tuple(w)) for d, o, c, f, w in sessions]
                for sessions in data["sessions"]
            ],
            sets={
                name: {value: set(docs) for value, docs in values.items()}
                for name, values in data["sets"].items()
            },
            words=frozenset(data["words"]),
        )
        for docnum, points in enumerate(table.points):
            for point in points:
                bucket = table.cells.setdefault(cell_of(*point), [])
                if not bucket or bucket[-1] != docnum:
                    bucket.append(docnum)
        return table

    # ---- querying ----------------------------------------------------------------------

    def docs(self, facet: str, value: str) -> set[int]:
        return self.sets.get(facet, {}).get(value, set())

    def all_docs(self) -> set[int]:
        return set(range(self.count))

    @cached_property
    def open_docs(self) -> frozenset[int]:
        """Everything but closed listings: the starting point of every search."""
        return frozenset(range(self.count)) - self.docs("status", "closed")

    def within(self, lat: float, lon: float, radius_miles: float) -> dict[int, float]:
        """Documents with a location within the radius, mapped to the nearest distance."""
        dlat = radius_miles / MILES_PER_DEGREE_LAT
        dlon = radius_miles / (MILES_PER_DEGREE_LAT * max(math.cos(math.radians(lat)), 0.2))
        low = cell_of(lat - dlat, lon - dlon)
        high = cell_of(lat + dlat, lon + dlon)
        found: dict[int, float] = {}
        for row in range(low[0], high[0] + 1):
            for col in range(low[1], high[1] + 1):
                for docnum in self.cells.get((row, col), ()):
                    if docnum in found:
                        continue
                    nearest = self.distance(docnum, lat, lon)
                    if nearest is not None and nearest <= radius_miles:
                        found[docnum] = nearest
        return found

    def distance(self, docnum: int, lat: float, lon: float) -> float | None:
        points = self.points[docnum]
        if not points:
            return None
        return min(distance_miles(lat, lon, p_lat, p_lon) for p_lat, p_lon in points)

    def for_age(self, age: int, candidates: Iterable[int]) -> set[int]:
        """The candidates open to someone of ``age`` (checked last: it is a Python loop)."""
        ages = self.ages
        return {
            docnum
            for docnum in candidates
            if (ages[docnum][0] is None or ages[docnum][0] <= age)
            and (ages[docnum][1] is None or age <= ages[docnum][1])
        }

    def open_at(self, moment: datetime, candidates: Iterable[int]) -> set[int]:
        """Documents with a session running at ``moment`` (local time).

        Weekly and monthly sessions are exact; a fortnightly session counts as open on its
        day because the listing does not say which week it runs (the page says "check").
        """
        day = DAYS[moment.weekday()]
        now = moment.strftime("%H:%M")
        week_of_month = (moment.day - 1) // 7 + 1
        found = set()
        for docnum in candidates:
            for days, opens, closes, frequency, weeks in self.sessions[docnum]:
                if day not in days or not opens <= now < closes:
                    continue
                if frequency == "monthly" and week_of_month not in weeks:
                    continue
                found.add(docnum)
                break
        return found


def today_ordinal() -> int:
    return date.today().toordinal()
