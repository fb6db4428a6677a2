"""Search quality beside plain BM25 (Whoosh) and SQLite FTS5, on the judged queries.

Runs every query in ``tests/relevance/queries.yaml`` over the bundled examples plus
``tests/relevance/listings/`` three ways, each through the engine's own place ranking,
filters and radius so that only the text scoring differs:

* ``engine``: Signpost as it is (needs, groups, correction, literal words);
* ``bm25``: the words alone, scored by Whoosh's BM25F on the same index;
* ``fts5``: the words alone, scored by SQLite FTS5's bm25() (porter stemmer, diacritics
  removed, the name weighted 2.5 like the index's name field).

Prints recall@5, MRR@10 and nDCG@10 (binary judgements) per kind of query (``everyday``
phrasing, or a service type's ``name`` typed as written) and the engine's ratio to each, and
writes ``bench/results/relevance-<date>.json``. Offline, about 20 seconds:

    .venv/bin/python bench/relevance.py
"""

from __future__ import annotations

import argparse
import json
import math
import sqlite3
import sys
import tempfile
from datetime import date
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import search.engine as engine_module  # noqa: E402
from directory.places import default_gazetteer  # noqa: E402
from directory.validation import validate_paths  # noqa: E402
from directory.vocabulary import load_vocabulary  # noqa: E402
from search.build import build_index, document_text, locate  # noqa: E402
from search.matches import TextMatches  # noqa: E402
from search.schema import ALL_STOP_WORDS  # noqa: E402
from search.snapshot import SearchIndex  # noqa: E402
from tests import test_relevance as judged  # noqa: E402

MODES = ("engine", "bm25", "fts5")


def ndcg(ranked: list[str], relevant: tuple[str, ...], depth: int = 10) -> float:
    gain = sum(1 / math.log2(rank + 1) for rank, i in enumerate(ranked[:depth], 1) if i in relevant)
    ideal = sum(1 / math.log2(rank + 1) for rank in range(1, min(depth, len(relevant)) + 1))
    return gain / ideal if ideal else 0.0


class Fts5:
    """The same listings in an FTS5 table; scores as TextMatches over the index's doc numbers."""

    def __init__(self, listings, vocab, ids: list[str]) -> None:
        self.db = sqlite3.connect(":memory:")
        self.db.execute(
            "CREATE VIRTUAL TABLE docs USING fts5(id UNINDEXED, name, body, "
            "tokenize = 'porter unicode61 remove_diacritics 2')"
        )
        self.db.executemany(
            "INSERT INTO docs VALUES (?, ?, ?)",
            [(item.id, item.name, document_text(item, vocab)) for item in listings],
        )
        self.docnum = {listing_id: number for number, listing_id in enumerate(ids)}

    def matches(self, _snapshot, interpretation) -> TextMatches:
        words = [w for w in interpretation.text.split() if w not in ALL_STOP_WORDS]
        if not words:
            return TextMatches(None, None)
        query = " OR ".join(f'"{word}"' for word in words)
        rows = self.db.execute(
            "SELECT id, -bm25(docs, 0, 2.5, 1.0) FROM docs WHERE docs MATCH ?", (query,)
        ).fetchall()
        found = sorted((self.docnum[i], score) for i, score in rows)
        return TextMatches(
            np.array([d for d, _ in found], dtype=np.int64),
            np.array([s for _, s in found], dtype=np.float64),
        )


def run(mode: str, engine, fts: Fts5) -> list:
    original_interpret, original_matches = engine_module.interpret, engine_module.text_matches
    try:
        if mode in ("bm25", "fts5"):
            engine_module.interpret = lambda *a, **k: judged.words_only(original_interpret(*a, **k))
        if mode == "fts5":
            engine_module.text_matches = fts.matches
        return judged.run_all(engine)
    finally:
        engine_module.interpret, engine_module.text_matches = original_interpret, original_matches


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args()
    vocab = load_vocabulary(judged.DATA / "needs.yaml")
    gazetteer = default_gazetteer()
    files = [*judged.example_files(judged.SERVICES), *judged.extra_files()]
    report = validate_paths(files, vocab, gazetteer=gazetteer, today=judged.NOW.date())
    listings, _problems = locate(report.listings, gazetteer)
    with tempfile.TemporaryDirectory() as folder:
        build_index(listings, Path(folder), vocab)
        index = SearchIndex(folder)
        engine = (index, vocab, gazetteer)
        fts = Fts5(listings, vocab, index.snapshot().facets.ids)
        outcomes = {mode: run(mode, engine, fts) for mode in MODES}
    figures: dict[str, dict[str, dict[str, float]]] = {}
    for kind in sorted(judged.KINDS):
        figures[kind] = {}
        for mode in MODES:
            chosen = [o for o in outcomes[mode] if o.judged.kind == kind]
            figures[kind][mode] = {
                "queries": len(chosen),
                "recall@5": sum(o.recall for o in chosen) / len(chosen),
                "mrr@10": sum(o.rr for o in chosen) / len(chosen),
                "ndcg@10": sum(ndcg(o.ranked, o.judged.relevant) for o in chosen) / len(chosen),
            }
    print(f"{'kind':>9} {'mode':>7} {'n':>4} {'recall@5':>9} {'MRR@10':>7} {'nDCG@10':>8}")
    for kind, modes in figures.items():
        for mode, row in modes.items():
            print(
                f"{kind:>9} {mode:>7} {row['queries']:>4} {row['recall@5']:9.3f}"
                f" {row['mrr@10']:7.3f} {row['ndcg@10']:8.3f}"
            )
        for other in ("bm25", "fts5"):
            ratio = modes["engine"]["ndcg@10"] / max(modes[other]["ndcg@10"], 1e-9)
            print(f"{kind:>9} engine / {other} nDCG@10: {ratio:.2f}x")
    out = args.out or ROOT / "bench" / "results" / f"relevance-{date.today().isoformat()}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(figures, indent=2) + "\n", encoding="utf-8")
    print(f"written {out.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
