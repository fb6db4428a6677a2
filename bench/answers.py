"""The answers a search gives, written out so two versions of the engine can be compared.

A speed change must not change an answer. This runs every judged query
(``tests/relevance/queries.yaml``, over the bundled examples and the test-only listings) and
a synthetic corpus's query mix (``bench/corpus.py`` and ``search_bench.make_queries``, in
all three modes) through ``search.engine.search`` and writes, per query: the result ids in
order, their scores, the total, the facet counts, any correction and the wider searches.

Run it from the tree to measure (``--root``, default this one), then compare two files:

    .venv/bin/python bench/answers.py --out /tmp/after.json
    .venv/bin/python bench/answers.py --root /tmp/old-tree --out /tmp/before.json
    .venv/bin/python bench/answers.py --compare /tmp/before.json /tmp/after.json
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent


def _answer(response) -> dict[str, Any]:
    return {
        "ids": [hit.id for hit in response.hits],
        "scores": [hit.score for hit in response.hits],
        "total": response.total,
        "facets": response.facets,
        "did_you_mean": response.did_you_mean,
        "wider": [(w.description, w.count) for w in response.wider],
        "local_nearby": response.local_nearby,
        "missing": [repr(item) for item in response.missing],
    }


def collect(root: Path, size: int, queries: int) -> dict[str, Any]:
    """Every answer, run with the engine found under ``root``."""
    for folder in (str(root / "bench"), str(root)):
        sys.path.insert(0, folder)
    from directory.places import Gazetteer
    from search.build import build_index
    from search.engine import search
    from search.snapshot import SearchIndex
    from tests import test_relevance as judged

    print(f"engine: {sys.modules[search.__module__].__file__}", file=sys.stderr)
    answers: dict[str, Any] = {}
    with tempfile.TemporaryDirectory(prefix="signpost-answers-") as work:
        index, vocab, gazetteer = _judged_engine(judged, Path(work) / "judged")
        for item in judged.QUERIES:
            response = search(index, item.request, vocab, gazetteer, now=judged.NOW)
            answers[f"judged {item.number}: {item.query}"] = _answer(response)
        if size:
            import search_bench
            from corpus import generate, load_sources

            corpus = generate(size, 1)
            vocab = load_sources().vocab
            build_index(corpus.listings, Path(work) / "corpus", vocab)
            index = SearchIndex(Path(work) / "corpus")
            gazetteer = Gazetteer(max_areas=200)
            for number, query in enumerate(search_bench.make_queries(corpus, vocab, queries, 1)):
                for mode in search_bench.MODES:
                    request = search_bench.signpost_request(query, mode)
                    response = search(index, request, vocab, gazetteer, now=search_bench.NOW)
                    answers[f"corpus {number} {mode}: {query.text} @ {query.near}"] = _answer(
                        response
                    )
    return answers


def _judged_engine(judged, root: Path):
    """The index tests/test_relevance.py searches: the bundled examples and its listings."""
    from directory.validation import validate_paths
    from directory.vocabulary import load_vocabulary
    from search.build import build_index, locate
    from search.snapshot import SearchIndex
    from tests.conftest import example_files

    vocab = load_vocabulary(judged.DATA / "needs.yaml")
    gazetteer = judged.default_gazetteer()
    files = [*example_files(judged.SERVICES), *judged.extra_files()]
    report = validate_paths(files, vocab, gazetteer=gazetteer, today=judged.NOW.date())
    listings, _problems = locate(report.listings, gazetteer)
    build_index(listings, root, vocab)
    return SearchIndex(root), vocab, gazetteer


def compare(before: dict[str, Any], after: dict[str, Any]) -> int:
    """Print every query whose answer differs; the number of differences."""
    differ = 0
    for key in sorted(before.keys() | after.keys()):
        a, b = before.get(key), after.get(key)
        if a is None or b is None:
            print(f"only in one file: {key}")
            differ += 1
            continue
        # Scores are rounded to 4 places by the engine; a last-digit change is not an answer.
        close = all(abs(x - y) <= 1e-3 for x, y in zip(a["scores"], b["scores"], strict=False))
        if replace_scores(a) != replace_scores(b) or not close:
            differ += 1
            print(f"DIFFERS {key}\n  before {a}\n  after  {b}")
    print(f"{len(before)} answers compared, {differ} differ")
    return differ


def replace_scores(answer: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in answer.items() if key != "scores"}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--root", type=Path, default=HERE.parent)
    parser.add_argument("--size", type=int, default=3000, help="Synthetic listings (0: none).")
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--out", type=Path)
    parser.add_argument("--compare", nargs=2, type=Path, metavar=("BEFORE", "AFTER"))
    args = parser.parse_args(argv)
    if args.compare:
        before, after = (json.loads(path.read_text(encoding="utf-8")) for path in args.compare)
        return 1 if compare(before, after) else 0
    answers = collect(args.root.resolve(), args.size, args.queries)
    text = json.dumps(answers, indent=1, sort_keys=True)
    if args.out:
        args.out.write_text(text, encoding="utf-8")
        print(f"{len(answers)} answers written to {args.out}")
    else:
        print(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
