"""Where a search spends its time: a stage breakdown of ``search.engine.search``.

The same corpus and query mix as ``search_bench.py``, one size per run. It calls the
engine's own steps in the same order (interpret, place, location, filters, text scoring,
ranking, facet counts, loading the page of hits, "wider" searches when nothing matched) and
prints the mean time of each, so a change to the engine can be aimed at the step that
costs most. ``--parts profile`` adds a cProfile of whole searches.

Earlier prototypes measured here (leapfrog scoring over allowed documents, set-based
facet counts, no related-need clauses) led to the engine's current term-at-a-time scoring
over cached arrays; bench/README.md records their figures.

    .venv/bin/python bench/engine_experiments.py --size 10000 --queries 200
"""

from __future__ import annotations

import argparse
import cProfile
import io
import pstats
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
for folder in (str(ROOT), str(BENCH)):
    if folder not in sys.path:
        sys.path.insert(0, folder)

from corpus import generate, load_sources  # noqa: E402
from search_bench import (  # noqa: E402
    MODES,
    NOW,
    WARMUP,
    make_queries,
    percentile,
    signpost_request,
)

from directory.places import Gazetteer  # noqa: E402
from directory.serialise import listing_from_dict  # noqa: E402
from search import engine  # noqa: E402
from search.build import build_index  # noqa: E402
from search.filters import filter_docs, in_reach, open_among  # noqa: E402
from search.interpret import interpret  # noqa: E402
from search.matches import text_matches  # noqa: E402
from search.snapshot import SearchIndex  # noqa: E402
from search.wider import wider_searches  # noqa: E402


def stages(snapshot, request, vocab, gazetteer) -> dict[str, float]:
    """``engine.search`` step by step (same calls, same order), timing each step in ms."""
    t: dict[str, float] = {}
    clock = time.perf_counter
    table = snapshot.facets

    start = clock()
    interpretation = interpret(request.text, vocab, table.words, age=request.age)
    t["interpret"] = clock() - start

    start = clock()
    place = gazetteer.resolve(request.near) if request.near.strip() else None
    t["place"] = clock() - start

    start = clock()
    near_docs, distances = in_reach(table, place, request.radius_miles, request.include_remote)
    t["located"] = clock() - start

    start = clock()
    allowed = filter_docs(table, request, open_among(table, near_docs), NOW)
    t["filters"] = clock() - start

    start = clock()
    matches = text_matches(snapshot, interpretation)
    docnums, scores = matches.among(snapshot, allowed)
    t["scoring"] = clock() - start

    start = clock()
    ranked, _final = engine.rank_matches(
        snapshot,
        docnums,
        scores,
        distances,
        located=place is not None,
        radius_miles=request.radius_miles,
        today=NOW.date().toordinal(),
    )
    t["rank"] = clock() - start

    start = clock()
    engine.facet_counts(snapshot, docnums)
    t["facets"] = clock() - start

    start = clock()
    for position in ranked[: request.per_page].tolist():
        listing = listing_from_dict(snapshot.payload(int(docnums[position])))
        engine._nearest_location(listing, place)
    t["hits"] = clock() - start

    start = clock()
    if not len(docnums):
        wider_searches(snapshot, request, interpretation, matches, place, NOW, vocab)
    t["wider"] = clock() - start
    t["matched"] = len(docnums)
    t["allowed"] = int(allowed.sum())
    return {k: (v * 1000 if k not in ("matched", "allowed") else v) for k, v in t.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", type=int, default=10_000)
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--modes", default=",".join(MODES), help=f"Comma-separated, from: {', '.join(MODES)}."
    )
    parser.add_argument(
        "--parts",
        default="stages",
        help="Which parts: stages (breakdown), profile (cProfile of engine.search).",
    )
    parser.add_argument(
        "--profile", action="store_true", help="Same as adding 'profile' to --parts."
    )
    args = parser.parse_args()
    modes = [m.strip() for m in args.modes.split(",") if m.strip()]
    parts = {p.strip() for p in args.parts.split(",")} | ({"profile"} if args.profile else set())

    corpus = generate(args.size, args.seed)
    vocab = load_sources().vocab
    root = Path(tempfile.mkdtemp(prefix="signpost-exp-"))
    try:
        run_experiments(args, modes, parts, corpus, vocab, root)
    finally:
        shutil.rmtree(root, ignore_errors=True)


def run_experiments(args, modes, parts, corpus, vocab, root: Path) -> None:
    info = build_index(corpus.listings, root, vocab)
    print(f"{args.size} listings indexed in {info.seconds:.1f}s")
    queries = make_queries(corpus, vocab, args.queries + WARMUP, args.seed)
    gazetteer = Gazetteer(max_areas=200)
    for query in queries:
        gazetteer.resolve(query.near)
    index = SearchIndex(root)
    snapshot = index.snapshot()
    for query in queries[:WARMUP]:
        engine.search(index, signpost_request(query, "text"), vocab, gazetteer, now=NOW)
    queries = queries[WARMUP:]

    if "stages" in parts:
        print("\nStage breakdown, mean ms per query (p95 of the scoring step in brackets):")
        names = ("interpret", "place", "located", "filters", "scoring", "rank", "facets", "hits")
        print(f"{'mode':<24}" + "".join(f"{n:>10}" for n in names) + f"{'wider':>10}{'total':>10}"
              f"{'allowed':>10}{'matched':>10}")  # fmt: skip
        for mode in modes:
            rows = [stages(snapshot, signpost_request(q, mode), vocab, gazetteer) for q in queries]
            means = {k: statistics.fmean(r[k] for r in rows) for k in rows[0]}
            total = sum(means[n] for n in names) + means["wider"]
            scoring_p95 = percentile([r["scoring"] for r in rows], 0.95)
            print(
                f"{mode:<24}"
                + "".join(f"{means[n]:>10.2f}" for n in names)
                + f"{means['wider']:>10.2f}{total:>10.2f}{means['allowed']:>10.0f}"
                f"{means['matched']:>10.0f}   (scoring p95 {scoring_p95:.1f})"
            )

    if "profile" in parts:
        for mode in modes:
            profiler = cProfile.Profile()
            profiler.enable()
            for query in queries:
                engine.search(index, signpost_request(query, mode), vocab, gazetteer, now=NOW)
            profiler.disable()
            text = io.StringIO()
            stats = pstats.Stats(profiler, stream=text).strip_dirs()
            stats.sort_stats("tottime").print_stats(22)
            stats.sort_stats("cumulative").print_stats(28)
            print(f"\ncProfile of engine.search, {mode}, {len(queries)} queries:")
            print(text.getvalue())


if __name__ == "__main__":
    main()
