"""Where a search spends its time, and what candidate engine changes would save.

Evidence for changes to ``search/engine.py`` and ``search/query.py``, measured without editing
them: the same corpus and query mix as ``search_bench.py``, one size per run.

1. **Stage breakdown** of ``search.engine.search`` for each mode, by calling the engine's own
   steps in the same order (interpret, place, filters, Whoosh scoring, ranking, facet counts,
   loading the page of hits, "wider" searches when nothing matched).
2. **Prototype A, leapfrog over the allowed documents**: instead of letting Whoosh step
   through every matching document in the index and throwing away those outside
   ``allowed`` (``_AllowedWithinTime.collect_matches``), walk ``sorted(allowed)`` and
   ``skip_to`` the query's matcher to each one. Scores and matched sets are compared with
   the engine's own to show they are the same.
3. **Prototype B, no related-need clauses** in the Whoosh query (``build_query`` adds every
   related need at weight 0.15, which makes about half the corpus match most queries): how
   many documents match, and how fast scoring is, without them.

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
from collections import defaultdict
from dataclasses import replace
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

from directory.geocode import Gazetteer  # noqa: E402
from directory.serialise import listing_from_dict  # noqa: E402
from search import engine  # noqa: E402
from search.build import build_index  # noqa: E402
from search.interpret import Interpretation, interpret  # noqa: E402
from search.query import build_query  # noqa: E402


def stages(snapshot, request, vocab, gazetteer) -> dict[str, float]:
    """``engine.search`` step by step (same calls, same order), timing each step in ms."""
    t: dict[str, float] = {}
    clock = time.perf_counter
    table = snapshot.facets

    start = clock()
    interpretation = interpret(request.text, vocab, table.words)
    t["interpret"] = clock() - start

    start = clock()
    place = gazetteer.resolve(request.near) if request.near.strip() else None
    t["place"] = clock() - start

    start = clock()
    open_docs = table.all_docs() - table.docs("status", "closed")
    near_docs, distances = engine._located(
        table, place, request.radius_miles, request.include_remote
    )
    t["located"] = clock() - start

    start = clock()
    allowed = engine.filter_docs(table, request, open_docs & near_docs, NOW)
    t["filters"] = clock() - start

    start = clock()
    scores, _timed_out = engine._text_scores(snapshot, interpretation, allowed)
    t["whoosh"] = clock() - start

    start = clock()
    matched = allowed if scores is None else set(scores)
    ranked = engine.rank_matches(
        table,
        matched,
        scores,
        distances,
        located=place is not None,
        radius_miles=request.radius_miles,
        today=NOW.date().toordinal(),
    )
    t["rank"] = clock() - start

    start = clock()
    engine.facet_counts(table, matched)
    t["facets"] = clock() - start

    start = clock()
    for candidate in ranked[: request.per_page]:
        listing = listing_from_dict(snapshot.payload(candidate.docnum))
        engine._nearest_location(listing, place)
    t["hits"] = clock() - start

    start = clock()
    if not ranked:
        engine.wider_searches(snapshot, request, interpretation, place, NOW)
    t["wider"] = clock() - start
    t["matched"] = len(matched)
    t["allowed"] = len(allowed)
    return {k: (v * 1000 if k not in ("matched", "allowed") else v) for k, v in t.items()}


def leapfrog_scores(snapshot, interpretation: Interpretation, allowed: set[int]):
    """Prototype A, now the engine's own path: score only allowed documents."""
    query = build_query(interpretation)
    if query is None:
        return None
    if not allowed:
        return {}
    scores, _timed_out = engine._leapfrog_scores(snapshot.searcher(), query, allowed)
    return scores


def fast_search(snapshot, request, vocab, gazetteer, open_docs: set[int], slim: bool = False):
    """Prototype C: ``engine.search`` with four result-preserving changes.

    1. ``open_docs`` (all minus closed) is computed once per snapshot, not per request;
    2. the age filter tests only the documents still allowed, not all N;
    3. Whoosh scores only allowed documents (leapfrog, prototype A) when they are under a
       quarter of the index, else it scans as now;
    4. facet counts intersect each value's set once, not twice.
    Returns (hit ids, hit scores, total, facets) to compare with the engine's answer.
    ``slim`` also drops related-need clauses from the Whoosh query (prototype D, which
    changes answers: fewer matches).
    """
    table = snapshot.facets
    interpretation = interpret(request.text, vocab, table.words)
    if slim:
        interpretation = without_related(interpretation)
    place = gazetteer.resolve(request.near) if request.near.strip() else None
    near_docs, distances = engine._located(
        table, place, request.radius_miles, request.include_remote
    )
    docs = open_docs & near_docs
    if request.age is not None:
        age = request.age
        request_wo_age = replace(request, age=None)
        docs = engine.filter_docs(table, request_wo_age, docs, NOW)
        ages = table.ages
        docs = {
            d
            for d in docs
            if (ages[d][0] is None or ages[d][0] <= age)
            and (ages[d][1] is None or age <= ages[d][1])
        }
    else:
        docs = engine.filter_docs(table, request, docs, NOW)
    allowed = docs
    if len(allowed) * 4 < table.count:
        scores = leapfrog_scores(snapshot, interpretation, allowed)
    else:
        scores, _ = engine._text_scores(snapshot, interpretation, allowed)
    matched = allowed if scores is None else set(scores)
    ranked = engine.rank_matches(
        table,
        matched,
        scores,
        distances,
        located=place is not None,
        radius_miles=request.radius_miles,
        today=NOW.date().toordinal(),
    )
    page = ranked[: request.per_page]
    hits = []
    for candidate in page:
        listing = listing_from_dict(snapshot.payload(candidate.docnum))
        engine._nearest_location(listing, place)
        hits.append(listing.id)
    facets = {}
    for facet in engine.FACET_NAMES:
        counts = {}
        for value, members in sorted(table.sets.get(facet, {}).items()):
            n = len(matched & members)
            if n:
                counts[value] = n
        facets[facet] = counts
    if not ranked:
        engine.wider_searches(snapshot, request, interpretation, place, NOW)
    return hits, [round(c.score, 4) for c in page], len(ranked), facets


def without_related(interpretation: Interpretation) -> Interpretation:
    return Interpretation(
        text=interpretation.text,
        needs={need: w for need, w in interpretation.needs.items() if w >= 1.0},
        matched=interpretation.matched,
        terms=interpretation.terms,
        corrections=interpretation.corrections,
    )


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
        default="stages,ab,c,on",
        help="Which experiments: stages, ab (prototypes A/B), c (prototype C end to end), "
        "on (O(N) steps), profile (cProfile of engine.search).",
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
    index = engine.SearchIndex(root)
    snapshot = index.snapshot()
    for query in queries[:WARMUP]:
        engine.search(index, signpost_request(query, "text"), vocab, gazetteer, now=NOW)
    queries = queries[WARMUP:]
    table = snapshot.facets

    if "stages" in parts:
        print("\nStage breakdown, mean ms per query (p95 of the Whoosh step in brackets):")
        names = ("interpret", "place", "located", "filters", "whoosh", "rank", "facets", "hits")
        print(f"{'mode':<24}" + "".join(f"{n:>10}" for n in names) + f"{'wider':>10}{'total':>10}"
              f"{'allowed':>10}{'matched':>10}")  # fmt: skip
        for mode in modes:
            rows = [stages(snapshot, signpost_request(q, mode), vocab, gazetteer) for q in queries]
            means = {k: statistics.fmean(r[k] for r in rows) for k in rows[0]}
            total = sum(means[n] for n in names) + means["wider"]
            whoosh_p95 = percentile([r["whoosh"] for r in rows], 0.95)
            print(
                f"{mode:<24}"
                + "".join(f"{means[n]:>10.2f}" for n in names)
                + f"{means['wider']:>10.2f}{total:>10.2f}{means['allowed']:>10.0f}"
                f"{means['matched']:>10.0f}   (whoosh p95 {whoosh_p95:.1f})"
            )

    if "ab" in parts:
        print("\nPrototype A (leapfrog over allowed) and B (no related-need clauses):")
        for mode in modes:
            base_ms, leap_ms, norel_ms, norel_leap_ms = [], [], [], []
            max_diff, same_sets, matched_all, matched_norel = 0.0, 0, [], []
            for query in queries:
                request = signpost_request(query, mode)
                interpretation = interpret(request.text, vocab, table.words)
                place = gazetteer.resolve(request.near) if request.near else None
                open_docs = table.all_docs() - table.docs("status", "closed")
                near, _ = engine._located(table, place, request.radius_miles, True)
                allowed = engine.filter_docs(table, request, open_docs & near, NOW)

                start = time.perf_counter()
                base, _ = engine._text_scores(snapshot, interpretation, allowed)
                base_ms.append((time.perf_counter() - start) * 1000)
                start = time.perf_counter()
                leap = leapfrog_scores(snapshot, interpretation, allowed)
                leap_ms.append((time.perf_counter() - start) * 1000)
                slim = without_related(interpretation)
                start = time.perf_counter()
                norel, _ = engine._text_scores(snapshot, slim, allowed)
                norel_ms.append((time.perf_counter() - start) * 1000)
                start = time.perf_counter()
                leapfrog_scores(snapshot, slim, allowed)
                norel_leap_ms.append((time.perf_counter() - start) * 1000)

                if base is not None and leap is not None:
                    same_sets += set(base) == set(leap)
                    for docnum, score in base.items():
                        max_diff = max(max_diff, abs(score - leap.get(docnum, 0.0)))
                else:
                    same_sets += base == leap
                matched_all.append(0 if base is None else len(base))
                matched_norel.append(0 if norel is None else len(norel))

            def stat(values):
                return f"p50 {percentile(values, 0.5):7.2f}  p95 {percentile(values, 0.95):7.2f}"

            print(f"  {mode}:")
            print(f"    engine _text_scores        {stat(base_ms)}  matched mean "
                  f"{statistics.fmean(matched_all):.0f}")  # fmt: skip
            print(f"    A leapfrog                 {stat(leap_ms)}  same matched set "
                  f"{same_sets}/{len(queries)}, max score diff {max_diff:.2e}")  # fmt: skip
            print(f"    B no related needs         {stat(norel_ms)}  matched mean "
                  f"{statistics.fmean(matched_norel):.0f}")  # fmt: skip
            print(f"    A+B                        {stat(norel_leap_ms)}")

    if "c" in parts:
        print("\nPrototype C (result-preserving changes, end to end) vs engine.search:")
        open_docs = table.all_docs() - table.docs("status", "closed")
        for mode in modes:
            base_ms, fast_ms, slim_ms, same, overlap, totals = [], [], [], 0, [], []
            for query in queries:
                request = signpost_request(query, mode)
                start = time.perf_counter()
                response = engine.search(index, request, vocab, gazetteer, now=NOW)
                base_ms.append((time.perf_counter() - start) * 1000)
                start = time.perf_counter()
                hits, scores, total, facets = fast_search(
                    snapshot, request, vocab, gazetteer, open_docs
                )
                fast_ms.append((time.perf_counter() - start) * 1000)
                same += (
                    hits == [hit.id for hit in response.hits]
                    and scores == [hit.score for hit in response.hits]
                    and total == response.total
                    and facets == response.facets
                    and not response.timed_out
                )
                start = time.perf_counter()
                slim_hits, _s, slim_total, _f = fast_search(
                    snapshot, request, vocab, gazetteer, open_docs, slim=True
                )
                slim_ms.append((time.perf_counter() - start) * 1000)
                if hits:
                    overlap.append(len(set(slim_hits) & set(hits)) / len(hits))
                if total:
                    totals.append(slim_total / total)
            print(
                f"  {mode:<24} engine p50 {percentile(base_ms, 0.5):8.2f} p95 "
                f"{percentile(base_ms, 0.95):8.2f} | C p50 {percentile(fast_ms, 0.5):8.2f} p95 "
                f"{percentile(fast_ms, 0.95):8.2f} | identical answers {same}/{len(queries)}"
            )
            print(
                f"  {'':<24} D = C + no related needs: p50 {percentile(slim_ms, 0.5):8.2f} p95 "
                f"{percentile(slim_ms, 0.95):8.2f} | top-10 overlap with engine "
                f"{100 * statistics.fmean(overlap or [0]):.0f}%, total "
                f"{100 * statistics.fmean(totals or [0]):.0f}% of engine's"
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

    if "on" in parts:
        print("\nO(N) steps in every request (ms, one call):")
        for label, fn in (
            (
                "table.all_docs() - closed",
                lambda: table.all_docs() - table.docs("status", "closed"),
            ),
            ("table.for_age(70)", lambda: table.for_age(70, range(table.count))),
            ("facet_counts(all docs)", lambda: engine.facet_counts(table, table.all_docs())),
        ):
            times = []
            for _ in range(20):
                start = time.perf_counter()
                fn()
                times.append((time.perf_counter() - start) * 1000)
            print(f"  {label:<30} {statistics.median(times):8.2f}")
        counts = defaultdict(int)
        for value, docs in table.sets.get("reach", {}).items():
            counts[value] = len(docs)
        print(f"  remote/national docs added to every located search: {dict(counts)}")


if __name__ == "__main__":
    main()
