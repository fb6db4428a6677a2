"""The filter and distance table built beside each index: one row per document.

Whoosh is good at ranking words; "free, step-free, on Tuesdays, within 3 miles" is cheaper as
set intersections over document numbers. The table is written into the same build folder as
the Whoosh files, so a search always sees one consistent build.

A radius search is one vectorised pass over every venue's coordinates (a bounding box, then
the exact great-circle distance): about a millisecond at 100,000 listings, where a Python
loop over nearby grid cells took several.
"""

from __future__ import annotations

import gzip
import json
import math
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from functools import cached_property
from pathlib import Path
from typing import Any

import numpy as np

from directory.areas import default_areas
from directory.model import DAYS, Listing
from directory.places import EARTH_RADIUS_MILES
from directory.schedule import bank_holiday, nation_of

FILE_NAME = "facets.json.gz"
MILES_PER_DEGREE_LAT = 69.05
BOX_SLACK = 1.1  # the bounding box only prunes; the distance check decides
# The saved table's lists, written in pieces of CHUNK entries (see FacetTable.save).
LIST_KEYS = ("ids", "names", "reviewed", "ages", "points", "sessions", "words")
CHUNK = 2000
# The facets searches filter on, kept as boolean arrays (FacetTable.mask).
MASKED_FACETS = (
    "status", "cost", "access_needs", "day", "access", "delivery", "need", "reach",
)  # fmt: skip


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
    words: frozenset[str] = frozenset()

    # ---- building ----------------------------------------------------------------------

    @classmethod
    def from_listings(cls, listings: Sequence[Listing], words: Iterable[str]) -> FacetTable:
        """Docnum ``i`` is ``listings[i]``: the index adds documents in the same order."""
        table = cls(count=len(listings), words=frozenset(words))
        areas = default_areas()
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
            for key in areas.keys_for(listing.areas_served):
                sets["serves"][key].add(docnum)
            if listing.bank_holidays == "closed":  # by calendar: 'ENG', 'SCT' or 'NIR'
                sets["closed_on_bank_holidays"][nation_of(listing)].add(docnum)
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
        """One JSON document per line, each list cut into pieces of ``CHUNK`` entries, so a
        running site opening the next build in a background thread never holds the
        interpreter for long in one ``json.loads`` (a whole 100,000-listing table in one
        document stalled every request for most of a second). One write: json.dump streams
        thousands of tiny writes through gzip (0.5 s against 0.16 s at 10,000 listings)."""
        data = self.to_json()
        lines = [json.dumps({"format": 2, "count": self.count})]
        for key in LIST_KEYS:
            values = data[key]
            for start in range(0, len(values), CHUNK):
                piece = [key, values[start : start + CHUNK]]
                lines.append(json.dumps(piece, separators=(",", ":")))
        for name, values in data["sets"].items():
            for value, docs in values.items():
                for start in range(0, len(docs), CHUNK):
                    piece = ["sets", name, value, docs[start : start + CHUNK]]
                    lines.append(json.dumps(piece, separators=(",", ":")))
        with gzip.open(folder / FILE_NAME, "wb", compresslevel=5) as handle:
            handle.write("\n".join(lines).encode("utf-8"))

    @classmethod
    def load(cls, folder: Path) -> FacetTable:
        with gzip.open(folder / FILE_NAME, "rt", encoding="utf-8") as handle:
            data = json.loads(handle.readline())
            if data.get("format") == 2:
                data |= {key: [] for key in LIST_KEYS} | {"sets": {}}
                for line in handle:
                    piece = json.loads(line)
                    if piece[0] == "sets":
                        sets = data["sets"].setdefault(piece[1], {})
                        sets.setdefault(piece[2], []).extend(piece[3])
                    else:
                        data[piece[0]].extend(piece[1])
            # else: a build from before format 2, the whole table on its one line
        # Equal age ranges and sessions ("tue", "10:00", "12:00", weekly) are one shared
        # object each, not one per listing: 80 -> a few MB of sessions at 100,000 listings.
        shared: dict[Any, Any] = {}
        numbers = list(range(data["count"]))
        table = cls(
            count=data["count"],
            ids=data["ids"],
            names=data["names"],
            reviewed=data["reviewed"],
            ages=[shared.setdefault((a, b), (a, b)) for a, b in data["ages"]],
            points=[[(lat, lon) for lat, lon in pts] for pts in data["points"]],
            sessions=[
                [
                    shared.setdefault(key, key)
                    for key in ((tuple(d), o, c, f, tuple(w)) for d, o, c, f, w in sessions)
                ]
                for sessions in data["sessions"]
            ],
            # One int object per document number, shared by every set it is in (a listing
            # is in a dozen: its status, area, needs, days...), not one per membership.
            sets={
                name: {value: set(map(numbers.__getitem__, docs)) for value, docs in values.items()}
                for name, values in data["sets"].items()
            },
            words=frozenset(data["words"]),
        )
        return table

    # ---- querying ----------------------------------------------------------------------

    def docs(self, facet: str, value: str) -> set[int]:
        return self.sets.get(facet, {}).get(value, set())

    # A search combines "open, in reach, free, on Tuesdays, for a 70-year-old" a dozen
    # times over (its own results, each facet's counts, missing needs, wider searches).
    # As boolean arrays over every document each step is one vectorised pass; as Python
    # sets it walked thousands of members, most of a filtered search's time.

    def mask(self, facet: str, value: str) -> np.ndarray:
        """``docs(facet, value)`` as a read-only boolean array over every document. The
        facets a search filters on are made once per build (``_masks``); others (the few
        listings serving one area) are made when asked."""
        masks = self._masks.get(facet)
        if masks is not None:
            return masks.get(value, self._nothing)
        return self.mask_of(self.docs(facet, value))

    def mask_of(self, docs: Iterable[int]) -> np.ndarray:
        """Any document numbers as a (new, writable) boolean array."""
        found = np.zeros(self.count, dtype=bool)
        numbers = np.fromiter(docs, dtype=np.int64)
        found[numbers] = True
        return found

    def doc_array(self, facet: str, value: str) -> np.ndarray:
        """``docs(facet, value)`` as a sorted, read-only array, kept once made: for facets
        with many small values (the listings serving one area) that are not ``_masks``."""
        key = (facet, value)
        found = self._arrays.get(key)
        if found is None:
            found = np.array(sorted(self.docs(facet, value)), dtype=np.int64)
            found.flags.writeable = False
            self._arrays[key] = found  # two threads may both make it: either will do
        return found

    @cached_property
    def _arrays(self) -> dict[tuple[str, str], np.ndarray]:
        return {}

    @cached_property
    def served(self) -> dict[tuple[str, str], np.ndarray]:
        """search.filters.served_docs's answers by (district, nation), kept with the build."""
        return {}

    @cached_property
    def _nothing(self) -> np.ndarray:
        nothing = np.zeros(self.count, dtype=bool)
        nothing.flags.writeable = False
        return nothing

    @cached_property
    def _masks(self) -> dict[str, dict[str, np.ndarray]]:
        masks: dict[str, dict[str, np.ndarray]] = {}
        for facet in MASKED_FACETS:
            masks[facet] = {}
            for value, members in self.sets.get(facet, {}).items():
                array = self.mask_of(members)
                array.flags.writeable = False
                masks[facet][value] = array
        return masks

    @cached_property
    def open_mask(self) -> np.ndarray:
        """``open_docs`` as a boolean array (read-only)."""
        found = ~self.mask("status", "closed")
        found.flags.writeable = False
        return found

    @cached_property
    def age_bounds(self) -> tuple[np.ndarray, np.ndarray]:
        """Each document's youngest and oldest age, with no limit as -1 and a huge age."""
        low = np.array([-1 if a is None else a for a, _b in self.ages], dtype=np.int64)
        high = np.array([10**6 if b is None else b for _a, b in self.ages], dtype=np.int64)
        return low, high

    @cached_property
    def reviewed_array(self) -> np.ndarray:
        return np.array(self.reviewed, dtype=np.int64)

    @cached_property
    def open_docs(self) -> frozenset[int]:
        """Everything but closed listings: the starting point of every search."""
        return frozenset(range(self.count)) - self.docs("status", "closed")

    @cached_property
    def _venues(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Every venue as parallel arrays: latitude, longitude (radians) and docnum, sorted
        by latitude so a radius search looks only at the band of latitudes in reach."""
        lat, lon, doc = [], [], []
        for docnum, points in enumerate(self.points):
            for p_lat, p_lon in points:
                lat.append(p_lat)
                lon.append(p_lon)
                doc.append(docnum)
        lats = np.radians(np.array(lat, dtype=np.float64))
        by_lat = np.argsort(lats, kind="stable")
        return (
            lats[by_lat],
            np.radians(np.array(lon, dtype=np.float64))[by_lat],
            np.array(doc, dtype=np.int64)[by_lat],
        )

    @cached_property
    def _venue_cos(self) -> np.ndarray:
        """The cosine of each venue's latitude (``_venues``' order), for the distance."""
        cosines: np.ndarray = np.cos(self._venues[0])
        return cosines

    def within(self, lat: float, lon: float, radius_miles: float) -> dict[int, float]:
        """Documents with a venue within the radius, mapped to the nearest venue's distance."""
        docs, miles = self.nearest_within(lat, lon, radius_miles)
        return dict(zip(docs.tolist(), miles.tolist(), strict=True))

    def nearest_within(
        self, lat: float, lon: float, radius_miles: float
    ) -> tuple[np.ndarray, np.ndarray]:
        """``within`` as two arrays: the documents (ascending, each once) and the distance
        of each one's nearest venue; no dictionary of Python objects is made."""
        docs, miles = self._venues_within(lat, lon, radius_miles)
        if not len(docs):
            return docs, miles
        by_doc = np.argsort(docs, kind="stable")
        docs, miles = docs[by_doc], miles[by_doc]
        first = np.ones(len(docs), dtype=bool)
        first[1:] = docs[1:] != docs[:-1]
        starts = np.flatnonzero(first)
        return docs[starts], np.minimum.reduceat(miles, starts)  # each one's nearest venue

    def docs_within(self, lat: float, lon: float, radius_miles: float) -> np.ndarray:
        """The documents of ``within``, without their distances, a document once for each
        venue in reach (cheaper: counts for wider searches and missing needs need neither
        distances nor one entry per document)."""
        docs, _miles = self._venues_within(lat, lon, radius_miles)
        return docs

    def _venues_within(
        self, lat: float, lon: float, radius_miles: float
    ) -> tuple[np.ndarray, np.ndarray]:
        """Every venue within the radius: its document and distance (a document may repeat)."""
        v_lat, v_lon, v_doc = self._venues
        empty = (np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float64))
        if not len(v_doc):
            return empty
        dlat = math.radians(BOX_SLACK * radius_miles / MILES_PER_DEGREE_LAT)
        dlon = dlat / max(math.cos(math.radians(lat) + dlat * (1 if lat >= 0 else -1)), 0.05)
        p_lat, p_lon = math.radians(lat), math.radians(lon)
        low = int(np.searchsorted(v_lat, p_lat - dlat, side="left"))
        high = int(np.searchsorted(v_lat, p_lat + dlat, side="right"))
        box = low + np.flatnonzero(np.abs(v_lon[low:high] - p_lon) <= dlon)
        if not len(box):
            return empty
        c_lat = v_lat[box]
        h = (
            np.sin((c_lat - p_lat) / 2) ** 2
            + math.cos(p_lat) * self._venue_cos[box] * np.sin((v_lon[box] - p_lon) / 2) ** 2
        )
        miles = 2 * EARTH_RADIUS_MILES * np.arcsin(np.minimum(1.0, np.sqrt(h)))
        inside = miles <= radius_miles
        return v_doc[box][inside], miles[inside]

    @cached_property
    def _area_of(self) -> tuple[np.ndarray, int]:
        """Each document's area (as an index), and how many areas there are."""
        area_of = np.zeros(self.count, dtype=np.int64)
        areas = sorted(self.sets.get("area", {}).items())
        for index, (_area, members) in enumerate(areas):
            area_of[list(members)] = index
        return area_of, len(areas)

    @cached_property
    def _remote_by_area(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Each document's area (``_area_of``), every no-venue document, and its area."""
        area_of = self._area_of[0]
        remote = np.array(sorted(self.docs("reach", "no-location")), dtype=np.int64)
        return area_of, remote, area_of[remote]

    def remote_serving_mask(self, docs: np.ndarray, into: np.ndarray) -> None:
        """Mark in ``into`` the phone and online services (no venue) of the areas that
        the document numbers ``docs`` are in."""
        if not len(docs):
            return
        area_of, remote_docs, remote_areas = self._remote_by_area
        present = np.zeros(self._area_of[1], dtype=bool)
        present[area_of[docs]] = True
        into[remote_docs[present[remote_areas]]] = True

    def meeting_between(
        self, start: str, end: str, days: Iterable[str], candidates: Iterable[int]
    ) -> set[int]:
        """Documents with a session overlapping ``start``-``end`` ("HH:MM"), on one of
        ``days`` when any are given (Open Referral UK's start_time and end_time). An end
        before the start is a window past midnight: from ``start`` on, or before ``end``."""
        wanted = set(days)

        def overlaps(opens: str, closes: str) -> bool:
            if start < end:
                return opens < end and start < closes
            return start < closes or opens < end

        return {
            docnum
            for docnum in candidates
            if any(
                overlaps(opens, closes) and (not wanted or wanted.intersection(on))
                for on, opens, closes, _frequency, _weeks in self.sessions[docnum]
            )
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
        for nation, closed in self.sets.get("closed_on_bank_holidays", {}).items():
            if found and bank_holiday(moment.date(), nation):
                found -= closed
        return found
