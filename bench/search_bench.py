"""Index build and search speed for Signpost at 1k, 10k and 100k listings, beside SQLite FTS5.

For each corpus size (``bench/corpus.py``, same seed every run) a fresh child process:

1. builds the Whoosh index with ``search.build.build_index`` (time, size on disk, peak RSS);
2. runs the same query mix through ``search.engine.search`` in three modes: text only,
   text near a place (5 miles), and text near a place with filters (free + a day + step-free
   or an age); latency is measured per call with ``time.perf_counter``;
3. builds a plain SQLite FTS5 baseline over the same listings (stdlib ``sqlite3``) and runs
   the same queries against it: words ORed, ``bm25`` order, ``LIMIT 10``, a bounding box on
   a companion table of venue coordinates, filters as ``WHERE`` clauses.

One child per size keeps the memory figures honest and the machine's 2 cores free: sizes
run one after another, never together.

    .venv/bin/python bench/search_bench.py                          # 1k, 10k, 100k
    .venv/bin/python bench/search_bench.py --sizes 1000,10000 --queries 300
    .venv/bin/python bench/search_bench.py --sizes 10000 --profile  # + cProfile of search

Figures are printed as a table and written to ``bench/results/search-<date>.json``.
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import io
import json
import math
import os
import platform
import pstats
import random
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, replace
from datetime import date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
BENCH = Path(__file__).resolve().parent
for folder in (str(ROOT), str(BENCH)):
    if folder not in sys.path:
        sys.path.insert(0, folder)

RESULTS = BENCH / "results"
DEFAULT_SIZES = (1_000, 10_000, 100_000)
DEFAULT_QUERIES = 300
WARMUP = 25
RADIUS_MILES = 5.0
NOW = datetime(2026, 11, 24, 10, 30, tzinfo=ZoneInfo("Europe/London"))  # a Tuesday morning
MODES = ("text", "text+location", "text+location+filters")
SHORT = {"text": "text", "text+location": "+loc", "text+location+filters": "+loc+filters"}

# (description, size, figure, mode or None, limit, compared with: None (Signpost's own figure)
# or the engine whose figure from the same run it is divided by)
TARGETS = (
    ("build 10k listings < 15 s", 10_000, "build_s", None, 15.0, None),
    ("10k text+location+filters p95 < 25 ms", 10_000, "p95_ms", "text+location+filters", 25.0,
     None),
    ("100k text+location+filters p95 < 150 ms", 100_000, "p95_ms", "text+location+filters", 150.0,
     None),
    ("10k text+location+filters CPU p95 <= 1.0x SQLite FTS5", 10_000, "cpu_p95_ms",
     "text+location+filters", 1.0, "sqlite"),
    ("100k text+location+filters CPU p95 <= 0.8x SQLite FTS5", 100_000, "cpu_p95_ms",
     "text+location+filters", 0.8, "sqlite"),
)  # fmt: skip


# ---------------------------------------------------------------------------------------
# Memory
# ---------------------------------------------------------------------------------------


def _status_kb(field: str) -> int | None:
    try:
        with open("/proc/self/status", encoding="ascii") as handle:
            for line in handle:
                if line.startswith(field + ":"):
                    return int(line.split()[1])
    except OSError:
        return None
    return None


def reset_peak_rss() -> bool:
    """Reset the kernel's high-water mark of this process's RSS (Linux 4.0+)."""
    try:
        with open("/proc/self/clear_refs", "w", encoding="ascii") as handle:
            handle.write("5")
        return True
    except OSError:
        return False


def rss_mb() -> float:
    kb = _status_kb("VmRSS")
    return round(kb / 1024, 1) if kb else float("nan")


def peak_rss_mb() -> float:
    kb = _status_kb("VmHWM")
    if kb is None:
        import resource

        kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return round(kb / 1024, 1)


def folder_mb(folder: Path) -> float:
    total = sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())
    return round(total / 1_000_000, 2)


# ---------------------------------------------------------------------------------------
# Queries
# ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class BenchQuery:
    text: str
    kind: str  # word | phrase | misspelling | typo | group | name | sentence
    near: str
    near_kind: str  # postcode | district | town
    day: str
    step_free: bool
    age: int | None


def _typo(word: str, rng: random.Random) -> str:
    if len(word) < 5:
        return word
    i = rng.randrange(1, len(word) - 2)
    if rng.random() < 0.5:
        return word[:i] + word[i + 1 :]  # dropped letter
    return word[:i] + word[i + 1] + word[i] + word[i + 2 :]  # swapped letters


def make_queries(corpus, vocab, count: int, seed: int) -> list[BenchQuery]:
    """Everyday need phrases (with misspellings), at places taken from the corpus itself."""
    rng = random.Random(f"signpost-queries-{seed}")
    needs = list(vocab.needs.values())
    groups = list(vocab.groups.values())
    words = [w for n in needs for w in n.words if " " not in w]
    phrases = [p for n in needs for p in n.phrases]
    misspellings = [m for n in needs for m in n.misspellings]
    long_words = [w for w in words if len(w) >= 6 and w.isalpha()]
    names = [item.name for item in corpus.listings[:5000]]
    sentences = (
        "i need help with {w}",
        "somewhere to go for {w}",
        "my mum is {w}",
        "{p} and {w}",
        "{w} group for {g}",
        "free {w} near me",
        "{g} {w} support",
    )

    def text_for(kind: str) -> str:
        if kind == "word":
            return rng.choice(words)
        if kind == "phrase":
            return rng.choice(phrases)
        if kind == "misspelling":
            return rng.choice(misspellings)
        if kind == "typo":
            return _typo(rng.choice(long_words), rng)
        if kind == "group":
            group_word = rng.choice(rng.choice(groups).words)
            return (
                f"{rng.choice(words)} {group_word}"
                if rng.random() < 0.5
                else (f"{group_word} {rng.choice(words)}")
            )
        if kind == "name":
            parts = [w for w in rng.choice(names).split() if len(w) > 2]
            start = rng.randrange(max(1, len(parts) - 1))
            return " ".join(parts[start : start + 2]).lower()
        template = rng.choice(sentences)
        return template.format(
            w=rng.choice(words), p=rng.choice(phrases), g=rng.choice(rng.choice(groups).words)
        )

    kinds = (
        ["word"] * 25
        + ["phrase"] * 20
        + ["misspelling"] * 12
        + ["typo"] * 8
        + ["group"] * 15
        + ["name"] * 10
        + ["sentence"] * 10
    )
    queries = []
    for _ in range(count):
        kind = rng.choice(kinds)
        roll = rng.random()
        if roll < 0.4:
            postcode = rng.choice(corpus.postcodes)
            if rng.random() < 0.3:
                postcode = postcode.replace(" ", "").lower()
            near, near_kind = postcode, "postcode"
        elif roll < 0.7:
            near, near_kind = rng.choice(corpus.districts), "district"
        else:
            near, near_kind = rng.choice(corpus.towns), "town"
        step_free = rng.random() < 0.5
        queries.append(
            BenchQuery(
                text=text_for(kind),
                kind=kind,
                near=near,
                near_kind=near_kind,
                day=rng.choice(("mon", "tue", "wed", "thu", "fri", "sat")),
                step_free=step_free,
                age=None if step_free else rng.choice((17, 25, 40, 70, 82)),
            )
        )
    return queries


def signpost_request(query: BenchQuery, mode: str):
    from search.request import SearchRequest

    request = SearchRequest(text=query.text)
    if mode != "text":
        request = replace(request, near=query.near, radius_miles=RADIUS_MILES)
    if mode == "text+location+filters":
        request = replace(
            request, free=True, days=(query.day,), step_free=query.step_free, age=query.age
        )
    return request


# ---------------------------------------------------------------------------------------
# SQLite FTS5 baseline
# ---------------------------------------------------------------------------------------

_DAY_BIT = {day: 1 << i for i, day in enumerate(("mon", "tue", "wed", "thu", "fri", "sat", "sun"))}


def sqlite_build(listings, vocab, path: Path) -> None:
    db = sqlite3.connect(path)
    db.executescript(
        """
        PRAGMA journal_mode = OFF;
        PRAGMA synchronous = OFF;
        CREATE VIRTUAL TABLE fts USING fts5(name, body, tokenize = 'porter unicode61');
        CREATE TABLE doc(
            id INTEGER PRIMARY KEY, slug TEXT, status TEXT, free INT, step_free INT,
            days INT, age_min INT, age_max INT, remote INT
        );
        CREATE TABLE loc(doc INT, lat REAL, lon REAL);
        """
    )
    with db:
        db.executemany(
            "INSERT INTO fts(rowid, name, body) VALUES (?, ?, ?)",
            (
                (
                    number,
                    item.name,
                    item.description + "\n" + " ".join(vocab.need_label(n) for n in item.needs),
                )
                for number, item in enumerate(listings, start=1)
            ),
        )
        db.executemany(
            "INSERT INTO doc VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                (
                    number,
                    item.id,
                    item.status,
                    int(item.cost.free),
                    int(item.step_free),
                    sum({_DAY_BIT[d] for s in item.schedule for d in s.days}),
                    item.who_for.age_min,
                    item.who_for.age_max,
                    int(item.national or not item.locations),
                )
                for number, item in enumerate(listings, start=1)
            ),
        )
        db.executemany(
            "INSERT INTO loc VALUES (?, ?, ?)",
            (
                (number, loc.lat, loc.lon)
                for number, item in enumerate(listings, start=1)
                for loc in item.locations
            ),
        )
        db.execute("CREATE INDEX loc_lat_lon ON loc(lat, lon)")
        db.execute("INSERT INTO fts(fts) VALUES ('optimize')")
    db.execute("ANALYZE")
    db.close()


def sqlite_words(text: str) -> list[str]:
    from search.interpret import clean_text
    from search.schema import ALL_STOP_WORDS

    words = dict.fromkeys(clean_text(text).split())
    return [w for w in words if w not in ALL_STOP_WORDS and len(w) >= 2][:12]


def sqlite_search(db: sqlite3.Connection, query: BenchQuery, mode: str, place) -> list[tuple]:
    words = sqlite_words(query.text)
    where = ["d.status != 'closed'"]
    params: list[Any] = []
    if words:
        where.insert(0, "fts MATCH ?")
        params.append(" OR ".join(f'"{w}"' for w in words))
    if mode != "text" and place is not None:
        dlat = RADIUS_MILES / 69.05
        dlon = RADIUS_MILES / (69.05 * max(math.cos(math.radians(place.lat)), 0.2))
        where.append(
            "(d.remote = 1 OR f.rowid IN (SELECT doc FROM loc WHERE lat BETWEEN ? AND ? "
            "AND lon BETWEEN ? AND ?))"
        )
        params += [place.lat - dlat, place.lat + dlat, place.lon - dlon, place.lon + dlon]
    if mode == "text+location+filters":
        where += ["d.free = 1", "(d.days & ?) != 0"]
        params.append(_DAY_BIT[query.day])
        if query.step_free:
            where.append("d.step_free = 1")
        if query.age is not None:
            where.append("(d.age_min IS NULL OR d.age_min <= ?)")
            where.append("(d.age_max IS NULL OR d.age_max >= ?)")
            params += [query.age, query.age]
    order = "bm25(fts, 2.5, 1.0)" if words else "f.rowid"
    sql = (
        "SELECT f.rowid, d.slug, f.name FROM fts f JOIN doc d ON d.id = f.rowid "
        f"WHERE {' AND '.join(where)} ORDER BY {order} LIMIT 10"
    )
    return db.execute(sql, params).fetchall()


# ---------------------------------------------------------------------------------------
# tantivy (the reference ceiling, if the optional `tantivy` package is installed)
# ---------------------------------------------------------------------------------------


class Tantivy:
    """The same listings and query shape as the SQLite baseline, in tantivy (Rust, BM25):
    words ORed over name (boost 2.5) and body with the English stemmer, location as a box
    on venue coordinates or remote, filters as term and range queries; top 10 ids."""

    def __init__(self, listings, vocab, path: Path) -> None:
        import tantivy

        self.t = tantivy
        builder = tantivy.SchemaBuilder()
        builder.add_text_field("name", tokenizer_name="en_stem")
        builder.add_text_field("body", tokenizer_name="en_stem")
        builder.add_integer_field("doc", stored=True, indexed=True, fast=True)
        for name in ("open", "free", "step_free", "remote", "day", "age_min", "age_max"):
            builder.add_integer_field(name, indexed=True, fast=True)
        for name in ("lat", "lon"):
            builder.add_float_field(name, indexed=True, fast=True)
        self.schema = builder.build()
        path.mkdir(parents=True, exist_ok=True)
        self.index = tantivy.Index(self.schema, path=str(path))
        writer = self.index.writer(heap_size=200_000_000, num_threads=1)
        for number, item in enumerate(listings, start=1):
            writer.add_document(
                tantivy.Document(
                    name=item.name,
                    body=item.description
                    + "\n"
                    + " ".join(vocab.need_label(n) for n in item.needs),
                    doc=number,
                    open=int(item.status != "closed"),
                    free=int(item.cost.free),
                    step_free=int(item.step_free),
                    remote=int(item.national or not item.locations),
                    day=sorted({_DAY_NUMBER[d] for s in item.schedule for d in s.days}) or [-1],
                    age_min=item.who_for.age_min or 0,
                    age_max=item.who_for.age_max if item.who_for.age_max is not None else 999,
                    lat=[loc.lat for loc in item.locations] or [999.0],
                    lon=[loc.lon for loc in item.locations] or [999.0],
                )
            )
        writer.commit()
        writer.wait_merging_threads()
        self.index.reload()
        self.searcher = self.index.searcher()

    def _term(self, field: str, value: int):
        return self.t.Query.term_query(self.schema, field, value)

    def _range(self, field: str, low, high, kind):
        return self.t.Query.range_query(self.schema, field, kind, low, high)

    def search(self, query: BenchQuery, mode: str, place) -> list:
        t = self.t
        must, should = t.Occur.Must, t.Occur.Should
        words = sqlite_words(query.text)
        clauses = [(must, self._term("open", 1))]
        if words:
            text = self.index.parse_query(
                " ".join(words), ["name", "body"], field_boosts={"name": 2.5}
            )
            clauses.append((must, text))
        if mode != "text" and place is not None:
            dlat = RADIUS_MILES / 69.05
            dlon = RADIUS_MILES / (69.05 * max(math.cos(math.radians(place.lat)), 0.2))
            kind = t.FieldType.Float
            box = t.Query.boolean_query(
                [
                    (must, self._range("lat", place.lat - dlat, place.lat + dlat, kind)),
                    (must, self._range("lon", place.lon - dlon, place.lon + dlon, kind)),
                ]
            )
            near = t.Query.boolean_query([(should, box), (should, self._term("remote", 1))])
            clauses.append((must, near))
        if mode == "text+location+filters":
            clauses += [
                (must, self._term("free", 1)),
                (must, self._term("day", _DAY_NUMBER[query.day])),
            ]
            if query.step_free:
                clauses.append((must, self._term("step_free", 1)))
            if query.age is not None:
                clauses.append((must, self._range("age_min", None, query.age, t.FieldType.Integer)))
                clauses.append((must, self._range("age_max", query.age, None, t.FieldType.Integer)))
        result = self.searcher.search(t.Query.boolean_query(clauses), 10)
        return result.hits


_DAY_NUMBER = {day: i for i, day in enumerate(("mon", "tue", "wed", "thu", "fri", "sat", "sun"))}


def tantivy_available() -> bool:
    try:
        import tantivy  # noqa: F401
    except ImportError:
        return False
    return True


# ---------------------------------------------------------------------------------------
# One size, in its own process
# ---------------------------------------------------------------------------------------


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    k = (len(ordered) - 1) * q
    low, high = math.floor(k), math.ceil(k)
    return ordered[low] + (ordered[high] - ordered[low]) * (k - low)


def summarise(times_ms: list[float], zero: int) -> dict[str, float]:
    return {
        "p50_ms": round(percentile(times_ms, 0.50), 2),
        "p95_ms": round(percentile(times_ms, 0.95), 2),
        "p99_ms": round(percentile(times_ms, 0.99), 2),
        "mean_ms": round(statistics.fmean(times_ms), 2),
        "max_ms": round(max(times_ms), 2),
        "queries": len(times_ms),
        "zero_results_pct": round(100 * zero / max(1, len(times_ms)), 1),
    }


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def run_size(
    size: int,
    n_queries: int,
    seed: int,
    work: Path,
    profile_dir: Path | None,
    skip_tantivy: bool = False,
) -> dict:
    from corpus import generate, load_sources

    from directory.places import Gazetteer
    from search.build import build_index
    from search.engine import search
    from search.snapshot import SearchIndex

    out: dict[str, Any] = {"size": size, "engine": sys.modules[search.__module__].__file__}
    corpus = generate(size, seed)
    vocab = load_sources().vocab
    listings = corpus.listings
    out["corpus"] = {
        "seconds": round(corpus.seconds, 2),
        "listings": len(listings),
        "with_venues": sum(1 for item in listings if item.locations),
        "remote_only_or_national": sum(
            1 for item in listings if item.national or not item.locations
        ),
        "postcode_areas": len(corpus.areas),
        "districts": len(corpus.districts),
    }
    log(f"{size}: corpus in {corpus.seconds:.1f}s ({len(corpus.areas)} postcode areas)")

    # -- Signpost build
    root = work / f"signpost-{size}"
    gc.collect()
    rss_before = rss_mb()
    can_reset = reset_peak_rss()
    started, cpu = time.perf_counter(), time.process_time()
    info = build_index(listings, root, vocab)
    build_s = time.perf_counter() - started
    build_cpu_s = time.process_time() - cpu
    peak = peak_rss_mb()
    facets_mb = (info.folder / "facets.json.gz").stat().st_size / 1_000_000
    out["signpost"] = {
        "build_s": round(build_s, 2),
        "build_cpu_s": round(build_cpu_s, 2),
        "index_mb": folder_mb(info.folder),
        "facets_mb": round(facets_mb, 2),
        "rss_before_build_mb": rss_before,
        "peak_rss_build_mb": peak if can_reset else None,
        "peak_rss_build_delta_mb": round(peak - rss_before, 1) if can_reset else None,
    }
    log(f"{size}: Signpost build {build_s:.1f}s, {out['signpost']['index_mb']} MB, peak {peak} MB")

    # -- queries and places (resolved once up front so Code-Point areas are cached)
    queries = make_queries(corpus, vocab, n_queries + WARMUP, seed)
    gazetteer = Gazetteer(max_areas=200)
    resolve_ms = []
    places = {}
    for query in queries:
        started = time.perf_counter()
        places[query.near] = gazetteer.resolve(query.near)
        resolve_ms.append((time.perf_counter() - started) * 1000)
    warm_ms = []
    for query in queries:
        started = time.perf_counter()
        gazetteer.resolve(query.near)
        warm_ms.append((time.perf_counter() - started) * 1000)
    out["places"] = {
        "unresolved": sum(1 for place in places.values() if place is None),
        "distinct": len(places),
        "resolve_first_p95_ms": round(percentile(resolve_ms, 0.95), 2),
        "resolve_warm_p50_ms": round(percentile(warm_ms, 0.5), 3),
        "resolve_warm_p95_ms": round(percentile(warm_ms, 0.95), 3),
    }

    try:  # as the site reads it: a new build opened and warmed before it is used
        from search.live import WarmingIndex, warm

        index = WarmingIndex(root, lambda snapshot: warm(snapshot, vocab))
    except ImportError:  # a tree from before it existed (--root)
        index = SearchIndex(root)
    started = time.perf_counter()
    index.snapshot()
    out["signpost"]["open_s"] = round(time.perf_counter() - started, 2)

    # -- SQLite FTS5 baseline (and tantivy) on the same listings
    db_path = work / f"sqlite-{size}.db"
    gc.collect()
    rss_before = rss_mb()
    reset_peak_rss()
    started, cpu = time.perf_counter(), time.process_time()
    sqlite_build(listings, vocab, db_path)
    sqlite_build_s = time.perf_counter() - started
    peak = peak_rss_mb()
    out["sqlite"] = {
        "build_s": round(sqlite_build_s, 2),
        "build_cpu_s": round(time.process_time() - cpu, 2),
        "index_mb": round(db_path.stat().st_size / 1_000_000, 2),
        "peak_rss_build_mb": peak if can_reset else None,
        "peak_rss_build_delta_mb": round(peak - rss_before, 1) if can_reset else None,
        "version": sqlite3.sqlite_version,
    }
    log(f"{size}: SQLite build {sqlite_build_s:.2f}s")
    db = sqlite3.connect(db_path)
    engines: dict[str, Any] = {
        "signpost": lambda q, mode, request: search(index, request, vocab, gazetteer, now=NOW),
        "sqlite": lambda q, mode, request: sqlite_search(db, q, mode, places[q.near]),
    }
    if tantivy_available() and not skip_tantivy:
        started, cpu = time.perf_counter(), time.process_time()
        engine = Tantivy(listings, vocab, work / f"tantivy-{size}")
        out["tantivy"] = {
            "build_s": round(time.perf_counter() - started, 2),
            "build_cpu_s": round(time.process_time() - cpu, 2),
            "index_mb": folder_mb(work / f"tantivy-{size}"),
            "version": _tantivy_version(),
        }
        engines["tantivy"] = lambda q, mode, request: engine.search(q, mode, places[q.near])
        log(f"{size}: tantivy build {out['tantivy']['build_s']}s")

    # -- Queries, every engine on each query in turn (shuffled order), wall and CPU time
    rng = random.Random(f"signpost-order-{seed}")
    names = list(engines)
    timed: dict[str, dict[str, dict[str, list]]] = {
        name: {mode: {"wall": [], "cpu": [], "zero": [], "wider": [], "timed_out": []}
               for mode in MODES}
        for name in names
    }  # fmt: skip
    for mode in MODES:
        requests = [signpost_request(q, mode) for q in queries]
        for number, (query, request) in enumerate(zip(queries, requests, strict=True)):
            rng.shuffle(names)
            for name in names:
                wall, cpu = time.perf_counter(), time.process_time()
                answer = engines[name](query, mode, request)
                cpu = (time.process_time() - cpu) * 1000
                wall = (time.perf_counter() - wall) * 1000
                if number < WARMUP:
                    continue
                record = timed[name][mode]
                record["wall"].append(wall)
                record["cpu"].append(cpu)
                if name == "signpost":
                    record["zero"].append(answer.total == 0)
                    record["wider"].append(bool(answer.wider))
                    record["timed_out"].append(answer.timed_out)
                else:
                    record["zero"].append(not answer)
        if profile_dir is not None:
            profile_mode(size, mode, requests[WARMUP:], index, vocab, gazetteer, profile_dir)
        for name in engines:
            record = timed[name][mode]
            summary = summarise(record["wall"], sum(record["zero"])) | {
                "cpu_p50_ms": round(percentile(record["cpu"], 0.50), 2),
                "cpu_p95_ms": round(percentile(record["cpu"], 0.95), 2),
                "cpu_mean_ms": round(statistics.fmean(record["cpu"]), 2),
            }
            if name == "signpost":
                summary["wider_searches_pct"] = round(
                    100 * sum(record["wider"]) / len(record["wider"]), 1
                )
                summary["timed_out_pct"] = round(
                    100 * sum(record["timed_out"]) / len(record["wider"]), 1
                )
            out.setdefault(name, {}).setdefault("modes", {})[mode] = summary
            log(
                f"{size}: {name} {mode}: wall p50 {summary['p50_ms']} p95 {summary['p95_ms']}"
                f" ms, CPU p50 {summary['cpu_p50_ms']} p95 {summary['cpu_p95_ms']} ms"
            )
    db.close()
    out["query_kinds"] = {
        kind: sum(1 for q in queries[WARMUP:] if q.kind == kind)
        for kind in sorted({q.kind for q in queries})
    }
    out["place_kinds"] = {
        kind: sum(1 for q in queries[WARMUP:] if q.near_kind == kind)
        for kind in ("postcode", "district", "town")
    }
    return out


def profile_mode(size, mode, requests, index, vocab, gazetteer, folder: Path) -> None:
    from search.engine import search

    profiler = cProfile.Profile()
    profiler.enable()
    for request in requests:
        search(index, request, vocab, gazetteer, now=NOW)
    profiler.disable()
    folder.mkdir(parents=True, exist_ok=True)
    stem = f"profile-{size}-{mode.replace('+', '-')}"
    profiler.dump_stats(folder / f"{stem}.prof")
    text = io.StringIO()
    stats = pstats.Stats(profiler, stream=text).strip_dirs()
    stats.sort_stats("cumulative").print_stats(35)
    stats.sort_stats("tottime").print_stats(25)
    (folder / f"{stem}.txt").write_text(text.getvalue(), encoding="utf-8")
    log(f"{size}: profile of {mode} written to {folder / stem}.txt")


# ---------------------------------------------------------------------------------------
# The parent: run sizes one after another, print, save
# ---------------------------------------------------------------------------------------


def ratio(a: float | None, b: float | None) -> float | None:
    if a is None or b is None or not b:
        return None
    return round(a / b, 2)


STATS = ("p50_ms", "p95_ms", "cpu_p50_ms", "cpu_p95_ms")


def with_ratios(result: dict) -> dict:
    """Signpost's figures over each other engine's, from the same run (same queries, in turn)."""
    sp = result["signpost"]
    for other in ("sqlite", "tantivy"):
        if other not in result:
            continue
        them = result[other]
        result[f"ratio_signpost_over_{other}"] = {
            "build_s": ratio(sp["build_s"], them["build_s"]),
            "index_mb": ratio(sp["index_mb"], them["index_mb"]),
            **{
                f"{mode} {stat}": ratio(sp["modes"][mode][stat], them["modes"][mode][stat])
                for mode in MODES
                for stat in STATS
            },
        }
    return result


def check_targets(results: list[dict]) -> list[dict]:
    by_size = {r["size"]: r for r in results}
    checked = []
    for label, size, stat, mode, limit, versus in TARGETS:
        result = by_size.get(size)
        if result is None:
            checked.append({"target": label, "value": None, "status": "NOT RUN"})
            continue
        sp = result["signpost"]
        value = sp[stat] if mode is None else sp["modes"][mode][stat]
        if versus is not None:
            value = result[f"ratio_signpost_over_{versus}"][f"{mode} {stat}"]
            passed = value is not None and value <= limit
        else:
            passed = value < limit
        checked.append(
            {"target": label, "value": value, "limit": limit,
             "status": "PASS" if passed else "MISS"}
        )  # fmt: skip
    return checked


def fmt(value: Any, unit: str = "") -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:,.1f}{unit}" if value >= 100 else f"{value:.2f}{unit}"
    return f"{value:,}{unit}"


def _peak(data: dict) -> str:
    if data.get("peak_rss_build_mb") is None:
        return "-"
    return f"{data['peak_rss_build_mb']:.0f} (+{data['peak_rss_build_delta_mb']:.0f})"


def table(results: list[dict]) -> str:
    """One row per engine and size, then Signpost's ratio to each other engine (same run)."""
    head = ["listings", "engine", "build s", "build CPU s", "index MB", "build peak RSS MB"]
    for mode in MODES:
        head += [f"{SHORT[mode]} CPU p50", f"{SHORT[mode]} CPU p95", f"{SHORT[mode]} wall p95"]
    rows = [head]
    for r in results:
        engines = [(n, label) for n, label in ENGINES if n in r]
        for number, (name, label) in enumerate(engines):
            data = r[name]
            row = [
                f"{r['size']:,}" if number == 0 else "",
                label,
                fmt(data["build_s"]),
                fmt(data.get("build_cpu_s")),
                fmt(data["index_mb"]),
                _peak(data),
            ]
            for mode in MODES:
                figures = data["modes"][mode]
                row += [
                    fmt(figures["cpu_p50_ms"]),
                    fmt(figures["cpu_p95_ms"]),
                    fmt(figures["p95_ms"]),
                ]
            rows.append(row)
        for name, label in engines[1:]:
            ra = r[f"ratio_signpost_over_{name}"]
            row = [
                "",
                f"ratio SP/{label}",
                fmt(ra["build_s"], "x"),
                "",
                fmt(ra["index_mb"], "x"),
                "",
            ]
            for mode in MODES:
                row += [
                    fmt(ra[f"{mode} {stat}"], "x")
                    for stat in ("cpu_p50_ms", "cpu_p95_ms", "p95_ms")
                ]
            rows.append(row)
    widths = [max(len(row[i]) for row in rows) for i in range(len(head))]
    lines = []
    for number, row in enumerate(rows):
        cells = [
            cell.ljust(widths[i]) if i < 2 else cell.rjust(widths[i]) for i, cell in enumerate(row)
        ]
        lines.append("| " + " | ".join(cells) + " |")
        if number == 0:
            lines.append(
                "|" + "|".join(
                    "-" * (w + 2) if i < 2 else "-" * (w + 1) + ":" for i, w in enumerate(widths)
                ) + "|"
            )  # fmt: skip
    return "\n".join(lines)


ENGINES = (("signpost", "Signpost"), ("sqlite", "SQLite FTS5"), ("tantivy", "tantivy"))


def extra_lines(results: list[dict]) -> str:
    lines = []
    for r in results:
        sp, sq = r["signpost"], r["sqlite"]
        zero = ", ".join(
            f"{SHORT[m]} {sp['modes'][m]['zero_results_pct']}% vs "
            f"{sq['modes'][m]['zero_results_pct']}%"
            for m in MODES
        )
        timed_out = ", ".join(
            f"{SHORT[m]} {sp['modes'][m].get('timed_out_pct', '?')}%" for m in MODES
        )
        filtered = sp["modes"]["text+location+filters"]
        lines.append(
            f"- {r['size']:,}: corpus {r['corpus']['seconds']}s over "
            f"{r['corpus']['postcode_areas']} postcode areas; Signpost open {sp['open_s']}s, "
            f"facets file {sp['facets_mb']} MB, "
            f"build RSS +{sp['peak_rss_build_delta_mb']} MB over {sp['rss_before_build_mb']} MB; "
            f"zero-result queries Signpost vs SQLite: {zero}; "
            f"'wider search' ran on {filtered['wider_searches_pct']}% of filtered queries; "
            f"Signpost searches cut short by the 2 s time limit: {timed_out}; "
            f"place resolve (warm) p95 {r['places']['resolve_warm_p95_ms']} ms."
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--sizes",
        default=",".join(str(s) for s in DEFAULT_SIZES),
        help="Comma-separated corpus sizes (default 1000,10000,100000).",
    )
    parser.add_argument(
        "--queries", type=int, default=DEFAULT_QUERIES, help="Timed queries per mode."
    )
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--profile", action="store_true", help="cProfile each search mode.")
    parser.add_argument("--out", type=Path, default=None, help="JSON file to write.")
    parser.add_argument("--work-dir", type=Path, default=None, help="Where indexes are built.")
    parser.add_argument("--keep", action="store_true", help="Keep the built indexes.")
    parser.add_argument(
        "--root", type=Path, default=ROOT, help="Measure the engine in this source tree."
    )
    parser.add_argument("--no-tantivy", action="store_true", help="Leave tantivy out.")
    parser.add_argument("--worker", type=int, default=None, help=argparse.SUPPRESS)
    parser.add_argument("--worker-out", type=Path, default=None, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    profile_dir = RESULTS / "profiles" if args.profile else None

    if args.worker is not None:
        sys.path.insert(0, str(args.root))  # the engine measured: this tree or another
        result = run_size(
            args.worker, args.queries, args.seed, args.work_dir, profile_dir, args.no_tantivy
        )
        args.worker_out.write_text(json.dumps(result), encoding="utf-8")
        return

    sizes = [int(s.replace("_", "")) for s in args.sizes.split(",") if s.strip()]
    if args.queries < 200:
        log("Note: fewer than 200 queries per mode makes p95 noisy.")
    work = args.work_dir or Path(tempfile.mkdtemp(prefix="signpost-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    results = []
    try:
        for size in sizes:
            out = work / f"result-{size}.json"
            command = [
                sys.executable, __file__, "--worker", str(size), "--worker-out", str(out),
                "--queries", str(args.queries), "--seed", str(args.seed),
                "--work-dir", str(work), "--root", str(args.root.resolve()),
            ] + (["--profile"] if args.profile else []) + (
                ["--no-tantivy"] if args.no_tantivy else []
            )  # fmt: skip
            started = time.perf_counter()
            subprocess.run(command, check=True, cwd=args.root)
            result = with_ratios(json.loads(out.read_text(encoding="utf-8")))
            result["wall_s"] = round(time.perf_counter() - started, 1)
            results.append(result)
            for leftover in work.glob(f"*-{size}*"):  # free the disk before the next size
                if not args.keep and leftover.suffix != ".json":
                    shutil.rmtree(
                        leftover, ignore_errors=True
                    ) if leftover.is_dir() else leftover.unlink()
    finally:
        if not args.keep and args.work_dir is None:
            shutil.rmtree(work, ignore_errors=True)

    targets = check_targets(results)
    print()
    print(
        f"Signpost search benchmark, {date.today().isoformat()}, {args.queries} queries per mode,"
        f" radius {RADIUS_MILES:g} miles, seed {args.seed}. Times in ms unless marked."
    )
    print()
    print(table(results))
    print()
    print(extra_lines(results))
    print()
    for target in targets:
        print(f"{target['status']:>7}  {target['target']}  (measured {fmt(target['value'])})")

    report = {
        "date": date.today().isoformat(),
        "commit": _git_commit(),
        "machine": {
            "python": platform.python_version(),
            "platform": platform.platform(),
            "cpus": os.cpu_count(),
            "sqlite": sqlite3.sqlite_version,
            "whoosh": _whoosh_version(),
        },
        "settings": {
            "queries_per_mode": args.queries,
            "warmup_per_mode": WARMUP,
            "radius_miles": RADIUS_MILES,
            "seed": args.seed,
            "now": NOW.isoformat(),
        },
        "results": results,
        "targets": targets,
    }
    path = args.out or RESULTS / f"search-{date.today().isoformat()}.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    print(f"\nWrote {path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}")


def _git_commit() -> str:
    try:
        return subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True
        ).stdout.strip()
    except OSError:
        return ""


def _tantivy_version() -> str:
    from importlib.metadata import version

    return version("tantivy")


def _whoosh_version() -> str:
    try:
        import whoosh

        return whoosh.versionstring()
    except Exception:  # pragma: no cover
        return ""


if __name__ == "__main__":
    main()
