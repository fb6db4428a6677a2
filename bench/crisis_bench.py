"""How long reading a query for crisis words takes (search.crisis.detect), per query.

Every search, API call and `signpost search` runs it before anything else, so it must stay a
small part of a search's 13 ms median. Prints microseconds per call for everyday, crisis,
long and adversarial queries, and how many of the judged queries in tests/relevance/ show
the urgent-help panel (each should be one that names a crisis).

    .venv/bin/python bench/crisis_bench.py
"""

from __future__ import annotations

import random
import sys
import time
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from directory.urgent import load_urgent_help  # noqa: E402
from directory.vocabulary import load_vocabulary  # noqa: E402
from search.crisis import detect, vocabulary_words  # noqa: E402


def judged_queries() -> list[str]:
    found: list[str] = []

    def walk(node: object) -> None:
        if isinstance(node, dict):
            for key, value in node.items():
                if key in ("q", "query", "text") and isinstance(value, str):
                    found.append(value)
                else:
                    walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(yaml.safe_load((ROOT / "tests" / "relevance" / "queries.yaml").read_text()))
    return found


def main() -> None:
    urgent = load_urgent_help()
    known = (vocabulary_words(load_vocabulary()),)
    rng = random.Random(1)
    file_words = (ROOT / "data" / "urgent-help.yaml").read_text().split()
    queries = {
        "everyday (12 words)": "lonely older man near margate who likes walking and gardening",
        "crisis": "kill myself",
        "crisis, misspelt, reordered": "myslef kill sucidal",
        "200 words of the file's own words": " ".join(rng.choice(file_words) for _ in range(200)),
        "200 repeats of one word": "x " * 200,
        "100 repeats of a phrase's words": "me hits " * 100,
    }
    rounds = 500
    for label, query in queries.items():
        detect(query, urgent, known)
        start = time.perf_counter()
        for _ in range(rounds):
            detect(query, urgent, known)
        micro = (time.perf_counter() - start) / rounds * 1e6
        print(f"{label:36} {micro:8.0f} us")
    judged = judged_queries()
    shown = [(q, detect(q, urgent, known).topics) for q in judged]
    shown = [(q, topics) for q, topics in shown if topics]
    print(f"judged queries showing the panel: {len(shown)} of {len(judged)}")
    for query, topics in shown:
        print(f"  {query!r}: {', '.join(topics)}")


if __name__ == "__main__":
    main()
