"""Areas a service serves: council areas, postcode districts and areas, and nations.

Much of what a council funds has no venue: a phone line for Bristol's carers, home visits
for North Lincolnshire's older people. ``areas_served: [Bristol]`` says who can use it, and
a search near BS1 should find it. This module turns what a volunteer writes into one
canonical area, and a search place into the areas it lies in, both from the same offline
gazetteer table as ``directory/places/`` (``directory/data/gazetteer.tsv.gz``), so a
listing that validates is always found where it says it serves.

Kinds of area, and the key the index files them under:

* council area ("Bristol", "North Lincolnshire", "Brighton and Hove"): ``council:E06000023``
* postcode district ("BS1", "DN15"): ``district:BS1``
* postcode area ("BS", "DN"): ``postcode-area:BS``
* nation ("England", "Scotland", "Wales", "Northern Ireland"): ``nation:england``

A postcode district belongs to every council area a place in it belongs to, so a district
on a boundary (NW1: Camden and Westminster) counts for both: better to offer one service
too many than to hide one a person could use.
"""

from __future__ import annotations

import difflib
import gzip
import re
import threading
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from directory.places import GAZETTEER_PATH, name_key, normalise_district, normalise_postcode

NATIONS = ("England", "Scotland", "Wales", "Northern Ireland")
_AREA_LETTERS = re.compile(r"^[A-Z]{1,2}$")
# Words people add to a council's name that the gazetteer's names leave out.
_COUNCIL_PREFIXES = ("city of ", "london borough of ", "royal borough of ", "county of ")
_COUNCIL_SUFFIXES = (
    " metropolitan borough council",
    " city council",
    " borough council",
    " district council",
    " county council",
    " council",
)
_WHOLE_UK = {"uk", "united kingdom", "great britain", "gb", "britain", "everywhere", "national"}


@dataclass(frozen=True)
class Area:
    """One area a service serves, as written canonically and as the index keys it."""

    kind: str  # "council" | "district" | "postcode-area" | "nation"
    name: str  # canonical spelling: "Bristol", "BS1", "BS", "England"
    key: str  # "council:E06000023", "district:BS1", "postcode-area:BS", "nation:england"
    lat: float | None = None  # a centre, for coverage pages; None when unknown
    lon: float | None = None


@dataclass
class AreaTable:
    """Council areas, postcode districts and nations from the gazetteer table, loaded once."""

    path: Path = GAZETTEER_PATH
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)
    _loaded: bool = False
    councils: dict[str, str] = field(default_factory=dict)  # code -> name
    council_keys: dict[str, str] = field(default_factory=dict)  # name key -> code
    council_centres: dict[str, tuple[float, float]] = field(default_factory=dict)
    districts: dict[str, tuple[float, float, str]] = field(default_factory=dict)  # lat lon nation
    district_councils: dict[str, set[str]] = field(default_factory=dict)
    postcode_areas: set[str] = field(default_factory=set)

    def load(self) -> AreaTable:
        with self._lock:
            if self._loaded:
                return self
            council_points: dict[str, list[tuple[float, float]]] = {}
            council_rows: dict[str, tuple[float, float]] = {}
            with gzip.open(self.path, "rt", encoding="utf-8") as handle:
                for line in handle.read().splitlines():
                    kind = line[:2]
                    if kind == "D\t":
                        _, code, lat_text, lon_text, nation = line.split("\t")[:5]
                        self.districts[code] = (float(lat_text), float(lon_text), nation)
                        self.postcode_areas.add(_area_letters(code))
                    elif kind == "L\t":
                        _, code, name = line.split("\t")[:3]
                        self.councils[code] = name
                    elif kind == "P\t":
                        fields = line.split("\t")
                        if len(fields) < 10 or not fields[8]:
                            continue
                        lat, lon, council = float(fields[3]), float(fields[4]), fields[8]
                        for district in fields[5].split(","):
                            self.district_councils.setdefault(district, set()).add(council)
                        council_points.setdefault(council, []).append((lat, lon))
                        if fields[9] == "a":
                            council_rows[council] = (lat, lon)
            for code, name in self.councils.items():
                self.council_keys.setdefault(name_key(name), code)
                points = council_points.get(code)
                if code in council_rows:
                    self.council_centres[code] = council_rows[code]
                elif points:
                    self.council_centres[code] = (
                        sum(p[0] for p in points) / len(points),
                        sum(p[1] for p in points) / len(points),
                    )
            self._loaded = True
        return self

    # ---- what volunteers write ----------------------------------------------------------

    def resolve(self, text: str) -> Area | None:
        """The one area ``text`` names ("bristol city council" -> Bristol), or None."""
        self.load()
        raw = " ".join(str(text).split())
        if not raw or len(raw) > 100:
            return None
        district = normalise_district(raw)
        if district is not None and district in self.districts:
            lat, lon, _nation = self.districts[district]
            return Area("district", district, f"district:{district}", lat, lon)
        letters = raw.upper()
        if _AREA_LETTERS.match(letters) and letters in self.postcode_areas:
            return Area("postcode-area", letters, f"postcode-area:{letters}")
        key = name_key(raw)
        for nation in NATIONS:
            if key == name_key(nation):
                return Area("nation", nation, f"nation:{key}")
        code = self._council_code(key)
        if code is not None:
            centre: tuple[float | None, float | None] = self.council_centres.get(code, (None, None))
            return Area("council", self.councils[code], f"council:{code}", *centre)
        return None

    def _council_code(self, key: str) -> str | None:
        candidates = [key, f"city of {key}"]
        for prefix in _COUNCIL_PREFIXES:
            if key.startswith(prefix):
                candidates.append(key[len(prefix) :])
        for name in list(candidates):
            for suffix in _COUNCIL_SUFFIXES:
                if name.endswith(suffix):
                    candidates.append(name[: -len(suffix)])
        for name in candidates:
            if name in self.council_keys:
                return self.council_keys[name]
        return None

    def problem(self, text: str) -> str:
        """Why ``text`` is not an area we know, with the nearest names we do know."""
        self.load()
        raw = " ".join(str(text).split())
        if name_key(raw) in _WHOLE_UK:
            return (
                f"'{raw}' is the whole country: leave it out of areas_served and write "
                "national: true instead."
            )
        postcode = normalise_postcode(raw)
        if postcode is not None:
            outward = postcode.split(" ")[0]
            return (
                f"'{raw}' is a full postcode. For an area, write its district, {outward}, or "
                "the council area."
            )
        district = normalise_district(raw)
        if district is not None:
            near = difflib.get_close_matches(district, sorted(self.districts), n=3, cutoff=0.6)
            hint = f" Did you mean {_either(near)}?" if near else ""
            return (
                f"'{raw}' is not a postcode district we know.{hint} Write the first half of a "
                "postcode, like BS1, or a council area, like Bristol."
            )
        names = {name_key(name): name for name in self.councils.values()}
        names.update({name_key(n): n for n in NATIONS})
        near_keys = difflib.get_close_matches(name_key(raw), sorted(names), n=3, cutoff=0.6)
        hint = f" Did you mean {_either([names[k] for k in near_keys])}?" if near_keys else ""
        return (
            f"'{raw}' is not an area we know.{hint} Write a council area (like Bristol or "
            "North Lincolnshire), a postcode district (like BS1), a postcode area (like BS) "
            "or a nation (England, Scotland, Wales or Northern Ireland)."
        )

    # ---- where a search is ----------------------------------------------------------------

    def keys_for_district(self, district: str, nation: str = "") -> set[str]:
        """Every area key a place in ``district`` lies in: district, postcode area, council
        areas and nation. Empty for a place we cannot put in a district."""
        self.load()
        code = normalise_district(district or "")
        if code is None:
            return {f"nation:{name_key(nation)}"} if nation in NATIONS else set()
        keys = {f"district:{code}", f"postcode-area:{_area_letters(code)}"}
        keys |= {f"council:{c}" for c in self.district_councils.get(code, ())}
        country = nation or (self.districts[code][2] if code in self.districts else "")
        if country in NATIONS:
            keys.add(f"nation:{name_key(country)}")
        return keys

    def name_for_key(self, key: str) -> str:
        """The canonical name behind an index key: 'council:E06000023' -> 'Bristol'."""
        self.load()
        kind, _, value = key.partition(":")
        if kind == "council":
            return self.councils.get(value, value)
        if kind == "nation":
            return next((n for n in NATIONS if name_key(n) == value), value.title())
        return value

    def keys_for(self, names: Iterable[str]) -> list[str]:
        """Index keys for the canonical names a listing holds (unknown names are skipped)."""
        found = []
        for name in names:
            area = self.resolve(name)
            if area is not None:
                found.append(area.key)
        return list(dict.fromkeys(found))


def _area_letters(district: str) -> str:
    """A district's postcode area, its leading letters: "BS" for "BS1"."""
    found = re.match(r"[A-Z]+", district)
    return found.group(0) if found else ""


def _either(options: list[str]) -> str:
    quoted = [f"'{option}'" for option in options]
    if len(quoted) <= 1:
        return "".join(quoted)
    return ", ".join(quoted[:-1]) + " or " + quoted[-1]


_DEFAULT: AreaTable | None = None
_DEFAULT_LOCK = threading.Lock()


def default_areas() -> AreaTable:
    """The process-wide table: one load (about 0.1 s) shared by validation and search."""
    global _DEFAULT
    with _DEFAULT_LOCK:
        if _DEFAULT is None:
            _DEFAULT = AreaTable()
    return _DEFAULT.load()


def describe_served(names: Iterable[str], delivery: Iterable[str], has_venue: bool) -> str:
    """'Serves Bristol: by phone, online or home visits': who and how, for a result card.

    In person without a venue means the service comes to people (home visits).
    """
    names = list(names)
    if not names:
        return ""
    where = names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]
    ways = []
    delivery = list(delivery)
    if "phone" in delivery:
        ways.append("by phone")
    if "online" in delivery:
        ways.append("online")
    if "in-person" in delivery and not has_venue:
        ways.append("home visits")
    if not ways:
        return f"Serves {where}"
    how = ways[0] if len(ways) == 1 else ", ".join(ways[:-1]) + " or " + ways[-1]
    return f"Serves {where}: {how}"
