"""The gazetteer table: postcode districts, place names and council areas, loaded lazily.

``directory/data/gazetteer.tsv.gz`` is committed with the code, made by
``scripts/build_gazetteer.py`` from Code-Point Open, GeoNames (postal codes and
populations), the ONS postcode directory and a short list of neighbourhoods each placed at
a real postcode ("Hanover" -> BN2 9UD). Lines are tab-separated and start with a kind:

* ``D`` a postcode district: code, centre (lat, lon), country;
* ``P`` a place: its name key, name, lat, lon, districts, country, size, council, kind;
* ``L`` a council area (local authority district): code, name.

Northern Ireland is known to district level only, because Code-Point Open does not cover it.
"""

from __future__ import annotations

import gzip
import logging
import threading
from pathlib import Path
from typing import NamedTuple

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

# Words joining a town to its river or area: "Newcastle upon Tyne", "Barrow-in-Furness".
QUALIFIERS = frozenset({"upon", "on", "in", "under", "by", "super", "next", "juxta"})


class District(NamedTuple):
    """A postcode district's centre (the mean of its postcodes) and its country."""

    lat: float
    lon: float
    country: str


class PlaceRow(NamedTuple):
    """One named place as the table has it, before it becomes a ``Place``."""

    name: str
    lat: float
    lon: float
    districts: tuple[str, ...]
    country: str
    rank: int  # estimated people (see scripts/build_gazetteer.py)
    council: str = ""  # local authority district code, e.g. "E07000114"; "" outside GB
    kind: str = "p"  # p/c GeoNames, n neighbourhood, a council area, x alias


def parse_place(fields: str) -> PlaceRow:
    """One table row after its key: name, lat, lon, districts, country, rank, council, kind."""
    name, lat, lon, districts, country, rank, *rest = fields.split("\t")
    return PlaceRow(
        name, float(lat), float(lon), tuple(districts.split(",")), country, int(rank), *rest[:2]
    )


def row_order(row: PlaceRow) -> tuple[int, str, str, float, float]:
    """Biggest first; then name, district and position so the order never varies."""
    return (-row.rank, row.name, row.districts[0], row.lat, row.lon)


class PlaceTable:
    """The table, read on first use (tens of ms) and shared; safe between threads.

    Places stay unparsed under their name key until asked for: parsing 27,000 rows up
    front would triple load time, and a lookup only ever needs the few rows under one key.
    A damaged or missing file disables districts and place names (logged), never search.
    """

    def __init__(self, path: Path | None = None) -> None:
        self.path = path if path is not None else GAZETTEER_PATH
        self._lock = threading.RLock()
        self._districts: dict[str, District] | None = None
        self._places: dict[str, list[str]] = {}
        self._councils: dict[str, str] = {}
        self._qualified: dict[str, list[str]] | None = None
        self._squashed: dict[str, list[str]] | None = None
        self._names: dict[str, tuple[str, int]] | None = None
        self._name_keys: list[str] = []

    def _load(self) -> dict[str, District]:
        districts = self._districts
        if districts is not None:
            return districts
        with self._lock:
            if self._districts is not None:
                return self._districts
            districts = {}
            places: dict[str, list[str]] = {}
            councils: dict[str, str] = {}
            try:
                with gzip.open(self.path, "rt", encoding="utf-8") as f:
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
                        districts[code] = District(float(lat), float(lon), country)
                    elif line.startswith("L\t"):
                        _, code, council = line.split("\t")[:3]
                        councils[code] = council
            except (OSError, ValueError, EOFError) as exc:
                log.error(
                    "Gazetteer table %s unusable (%s); districts and places disabled.",
                    self.path,
                    exc,
                )
                districts, places, councils = {}, {}, {}
            self._places = places
            self._councils = councils
            self._districts = districts
            return districts

    def district(self, code: str) -> District | None:
        """A canonical postcode district ("CT9"), or None if the table does not know it."""
        return self._load().get(code)

    def district_codes(self) -> list[str]:
        """Every known postcode district, sorted."""
        return sorted(self._load())

    def council(self, code: str) -> str:
        """A council area's name from its code ("E07000114" -> "Thanet"); "" if unknown."""
        self._load()
        return self._councils.get(code, "")

    def rows(self, key: str) -> list[PlaceRow]:
        """Places filed under a name key, best first."""
        self._load()
        try:
            return sorted(
                (parse_place(fields) for fields in self._places.get(key, ())), key=row_order
            )
        except ValueError:  # a damaged row: skip the name rather than fail the search
            log.error("Bad gazetteer rows for %r", key)
            return []

    def qualified_keys(self, key: str) -> list[str]:
        """Keys like "newcastle upon tyne" filed under their head, "newcastle"."""
        self._load()
        with self._lock:
            if self._qualified is None:
                qualified: dict[str, list[str]] = {}
                for name in self._places:
                    words = name.split()
                    for i in range(1, len(words) - 1):
                        if words[i] in QUALIFIERS:
                            qualified.setdefault(" ".join(words[:i]), []).append(name)
                            break
                self._qualified = qualified
            return self._qualified.get(key, [])

    def squashed_keys(self, squashed: str) -> list[str]:
        """Keys like "kemp town" filed under "kemptown": people join or split names freely."""
        self._load()
        with self._lock:
            if self._squashed is None:
                index: dict[str, list[str]] = {}
                for name in self._places:
                    if " " in name:
                        index.setdefault(name.replace(" ", ""), []).append(name)
                self._squashed = index
            return self._squashed.get(squashed, [])

    def names(self) -> tuple[dict[str, tuple[str, int]], list[str]]:
        """{name key: (name, size)} of each key's best place, and the keys sorted.

        The pool "Did you mean" suggestions are drawn from, built on first use.
        """
        self._load()
        with self._lock:
            if self._names is None:
                # The build writes each key's rows best first, so the first row names it.
                names: dict[str, tuple[str, int]] = {}
                for key, rows in self._places.items():
                    fields = rows[0].split("\t")
                    rank = fields[5] if len(fields) > 5 else ""
                    names[key] = (fields[0], int(rank) if rank.isdigit() else 0)
                self._name_keys = sorted(names)
                self._names = names
            return self._names, self._name_keys
