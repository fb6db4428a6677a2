"""Search quality on the bundled example data, measured against hand-judged queries.

``tests/relevance/queries.yaml`` holds queries as link workers and patients type them, each
with the listings a link worker would be satisfied to see (judged by reading the listings, not
by running the search). This builds an index of the bundled data once, runs every query and
measures:

* recall@5: the share of the relevant listings found in the top five results, divided by
  ``min(5, len(relevant))`` so a query with many relevant listings can still score 1.0;
* MRR: the mean of 1 / rank of the first relevant result (0 when none is in the top ten).

Both averages must stay at or above the floors below. The corpus is the bundled examples plus
``tests/relevance/listings/`` (fictional listings the examples lack: breastfeeding groups, a
night shelter, advocacy, legal advice, a clothes bank...), so vocabulary gaps can be judged.

The same queries are also run as plain BM25 (the words alone, no needs, groups or
correction, the same place ranking): queries marked ``kind: name`` (a service type typed as
written, "Men's Shed") must do at least as well as plain BM25, and everyday phrasing must
keep its lead over it. Run ``pytest tests/test_relevance.py -s``
to see the per-query table; it is also written to ``test-artifacts/relevance.txt``.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import yaml

import search.engine as engine_module
from directory.places import default_gazetteer
from directory.validation import validate_paths
from directory.vocabulary import load_vocabulary
from search.build import build_index, locate
from search.engine import search
from search.interpret import Interpretation
from search.request import DEFAULT_RADIUS_MILES, SearchRequest
from search.snapshot import SearchIndex
from tests.conftest import BUNDLED_SERVICES, example_files

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "data"
SERVICES = BUNDLED_SERVICES
QUERIES_FILE = Path(__file__).resolve().parent / "relevance" / "queries.yaml"
# Listings the judged queries need that the bundled examples lack (fictional, test-only).
EXTRA_LISTINGS = Path(__file__).resolve().parent / "relevance" / "listings"
ARTIFACT = ROOT / "test-artifacts" / "relevance.txt"

# A Monday morning in late November: fixed so freshness and "open now" never drift.
NOW = datetime(2026, 11, 23, 11, 0, tzinfo=ZoneInfo("Europe/London"))

RECALL_AT = 5
MRR_DEPTH = 10

# Floors for the averages: the measured figures rounded down to 0.05, and never below 0.9.
# Measured on 206 queries (issue 10's cases and service-type names added, with the extra
# listings; real words no longer corrected, literal words counted): recall@5 0.964, MRR 0.979.
# Measured on 166 queries: recall@5 0.953, MRR 0.962 (144 queries before the group and device
# queries were added: 0.902 and 0.930 before group words, the members-only bonus and the
# vocabulary review; 0.953 and 0.956 after). Do not lower them to make the test pass: see the
# failing queries in test-artifacts/relevance.txt.
RECALL_FLOOR = 0.95
MRR_FLOOR = 0.95

KEYS = {"query", "near", "radius", "free", "step_free", "days", "age", "local_only"}
KEYS |= {"relevant", "note", "kind"}
KINDS = {"everyday", "name"}  # everyday phrasing, or a service type's name typed as written


@dataclass(frozen=True)
class Judged:
    number: int
    query: str
    near: str
    request: SearchRequest
    relevant: tuple[str, ...]
    note: str = ""
    kind: str = "everyday"

    def label(self) -> str:
        parts = [repr(self.query)]
        if self.near:
            parts.append(f"near {self.near}")
        if self.request.radius_miles != DEFAULT_RADIUS_MILES:
            parts.append(f"{self.request.radius_miles:g} mi")
        filters = []
        if self.request.free:
            filters.append("free")
        if self.request.step_free:
            filters.append("step-free")
        if self.request.days:
            filters.append("days=" + ",".join(self.request.days))
        if self.request.age is not None:
            filters.append(f"age={self.request.age}")
        if not self.request.include_remote:
            filters.append("local only")
        if filters:
            parts.append("[" + " ".join(filters) + "]")
        return " ".join(parts)


def _judged(number: int, entry: dict[str, Any]) -> Judged:
    unknown = set(entry) - KEYS
    if unknown:
        raise ValueError(f"Query {number}: unknown keys {sorted(unknown)}")
    relevant = tuple(entry.get("relevant") or ())
    if not entry.get("query") or not relevant:
        raise ValueError(f"Query {number}: needs 'query' and at least one 'relevant' id")
    kind = str(entry.get("kind", "everyday"))
    if kind not in KINDS:
        raise ValueError(f"Query {number}: kind must be one of {sorted(KINDS)}")
    near = str(entry.get("near") or "")
    request = SearchRequest(
        text=str(entry["query"]),
        near=near,
        radius_miles=float(entry.get("radius", DEFAULT_RADIUS_MILES)),
        free=bool(entry.get("free", False)),
        step_free=bool(entry.get("step_free", False)),
        days=tuple(entry.get("days") or ()),
        age=entry.get("age"),
        include_remote=not entry.get("local_only", False),
    )
    note = entry.get("note", "")
    return Judged(number, str(entry["query"]), near, request, relevant, note, kind)


def load_queries() -> list[Judged]:
    entries = yaml.safe_load(QUERIES_FILE.read_text(encoding="utf-8"))
    return [_judged(number, entry) for number, entry in enumerate(entries, start=1)]


QUERIES = load_queries()


def recall_at(ranked: list[str], relevant: tuple[str, ...], k: int = RECALL_AT) -> float:
    found = len(set(ranked[:k]) & set(relevant))
    return found / min(k, len(relevant))


def reciprocal_rank(ranked: list[str], relevant: tuple[str, ...], depth: int = MRR_DEPTH) -> float:
    for rank, listing_id in enumerate(ranked[:depth], start=1):
        if listing_id in relevant:
            return 1.0 / rank
    return 0.0


@dataclass
class Outcome:
    judged: Judged
    ranked: list[str]
    recall: float
    rr: float
    place: str


@pytest.fixture(scope="module")
def engine(tmp_path_factory: pytest.TempPathFactory):
    """An index of the bundled data, built once for the module, with what searching needs."""
    vocab = load_vocabulary(DATA / "needs.yaml")
    gazetteer = default_gazetteer()
    # Only the examples: the judgements are about them, and a volunteer's new listing (dated
    # after NOW, or simply a better match) must not move them.
    files = [*example_files(SERVICES), *extra_files()]
    report = validate_paths(files, vocab, gazetteer=gazetteer, today=NOW.date())
    assert report.ok, "\n".join(str(problem) for problem in report.problems)
    listings, problems = locate(report.listings, gazetteer)
    assert not problems, "\n".join(str(problem) for problem in problems)
    root = tmp_path_factory.mktemp("relevance-index")
    build_index(listings, root, vocab)
    return SearchIndex(root), vocab, gazetteer


def extra_files() -> list[Path]:
    return sorted(EXTRA_LISTINGS.rglob("*.yaml"))


def words_only(interpretation: Interpretation) -> Interpretation:
    """Plain BM25: the words as typed, with no needs, groups, members' bonus or correction."""
    return replace(
        interpretation,
        needs={},
        matched={},
        groups={},
        members_only=(),
        group_labels={},
        corrections={},
        guessed=(),
        terms=tuple(dict.fromkeys(interpretation.text.split())),
    )


def run_all(engine, plain: bool = False) -> list[Outcome]:
    """Every judged query through the engine (or, ``plain``, as words-only BM25)."""
    if plain:
        original = engine_module.interpret
        engine_module.interpret = lambda *args, **kwargs: words_only(original(*args, **kwargs))
        try:
            return run_all(engine)
        finally:
            engine_module.interpret = original
    index, vocab, gazetteer = engine
    outcomes = []
    for judged in QUERIES:
        request = judged.request
        if request.per_page < MRR_DEPTH:
            raise AssertionError("per_page must cover the MRR depth")
        response = search(index, request, vocab, gazetteer, now=NOW)
        ranked = [hit.id for hit in response.hits][:MRR_DEPTH]
        place = response.place.label if response.place else ("-" if not judged.near else "??")
        outcomes.append(
            Outcome(
                judged,
                ranked,
                recall_at(ranked, judged.relevant),
                reciprocal_rank(ranked, judged.relevant),
                place,
            )
        )
    return outcomes


def report_text(outcomes: list[Outcome], mean_recall: float, mrr: float) -> str:
    lines = [
        f"Relevance: {len(outcomes)} judged queries on the bundled example data "
        f"(now = {NOW.isoformat()})",
        f"recall@{RECALL_AT} = {mean_recall:.3f} (floor {RECALL_FLOOR})   "
        f"MRR@{MRR_DEPTH} = {mrr:.3f} (floor {MRR_FLOOR})",
        "",
    ]
    weak = [o for o in outcomes if o.recall < 1.0 or o.rr < 1.0]
    lines.append(f"Queries below 1.0 on either measure: {len(weak)}")
    lines.append("")
    for o in weak:
        j = o.judged
        lines.append(f"#{j.number:<3} {j.label()}   (place: {o.place})")
        lines.append(f"     recall@{RECALL_AT} {o.recall:.2f}   RR {o.rr:.2f}")
        missing = [i for i in j.relevant if i not in o.ranked[:RECALL_AT]]
        lines.append(f"     missing from top {RECALL_AT}: {', '.join(missing) or '-'}")
        for rank, listing_id in enumerate(o.ranked, start=1):
            mark = "*" if listing_id in j.relevant else " "
            lines.append(f"       {rank:>2}{mark} {listing_id}")
        if not o.ranked:
            lines.append("        (no results)")
    lines.append("")
    lines.append("All queries:")
    lines.append(f"  {'#':>3}  {'R@5':>4}  {'RR':>4}  query")
    for o in outcomes:
        lines.append(f"  {o.judged.number:>3}  {o.recall:4.2f}  {o.rr:4.2f}  {o.judged.label()}")
    return "\n".join(lines) + "\n"


def test_search_relevance(engine) -> None:
    outcomes = run_all(engine)
    mean_recall = sum(o.recall for o in outcomes) / len(outcomes)
    mrr = sum(o.rr for o in outcomes) / len(outcomes)
    text = report_text(outcomes, mean_recall, mrr)
    print("\n" + text)
    ARTIFACT.parent.mkdir(parents=True, exist_ok=True)
    ARTIFACT.write_text(text, encoding="utf-8")
    assert mean_recall >= RECALL_FLOOR, (
        f"recall@{RECALL_AT} {mean_recall:.3f} is below the floor {RECALL_FLOOR}; see {ARTIFACT}"
    )
    assert mrr >= MRR_FLOOR, f"MRR {mrr:.3f} is below the floor {MRR_FLOOR}; see {ARTIFACT}"


def means(outcomes: list[Outcome]) -> tuple[float, float]:
    if not outcomes:
        return 0.0, 0.0
    return (
        sum(o.recall for o in outcomes) / len(outcomes),
        sum(o.rr for o in outcomes) / len(outcomes),
    )


# Everyday phrasing must keep at least this lead over plain BM25. Measured on 179 everyday
# queries: recall@5 0.958 against 0.781 (1.23x), MRR 0.975 against 0.864 (1.13x).
EVERYDAY_RECALL_LEAD = 1.15
EVERYDAY_MRR_LEAD = 1.1


def test_literal_words_count_against_plain_bm25(engine) -> None:
    """Service-type names typed as written do at least as well as plain BM25 on the words,
    and everyday phrasing ("lost my wife", "sugar") keeps its lead over it."""
    ours = run_all(engine)
    plain = run_all(engine, plain=True)
    lines = ["Engine against plain BM25 (the words alone, same place ranking)", ""]
    figures = {}
    for kind in sorted(KINDS):
        mine = [o for o in ours if o.judged.kind == kind]
        bm25 = [o for o in plain if o.judged.kind == kind]
        figures[kind] = (means(mine), means(bm25))
        (r1, m1), (r2, m2) = figures[kind]
        lines.append(
            f"{kind:>8} ({len(mine)} queries): engine recall@5 {r1:.3f} MRR {m1:.3f};"
            f" plain BM25 recall@5 {r2:.3f} MRR {m2:.3f}"
        )
    for o, b in zip(ours, plain, strict=True):
        if o.judged.kind == "name" and (o.rr < b.rr or o.recall < b.recall):
            lines.append(
                f"  name query below BM25: #{o.judged.number} {o.judged.label()} "
                f"RR {o.rr:.2f} vs {b.rr:.2f}, recall {o.recall:.2f} vs {b.recall:.2f}"
            )
    text = "\n".join(lines) + "\n"
    print("\n" + text)
    ARTIFACT.parent.mkdir(parents=True, exist_ok=True)
    (ARTIFACT.parent / "relevance-vs-bm25.txt").write_text(text, encoding="utf-8")
    (name_recall, name_mrr), (bm25_recall, bm25_mrr) = figures["name"]
    assert name_mrr >= bm25_mrr, text
    assert name_recall >= bm25_recall, text
    (everyday_recall, everyday_mrr), (bm25_everyday_recall, bm25_everyday_mrr) = figures["everyday"]
    assert everyday_recall >= EVERYDAY_RECALL_LEAD * bm25_everyday_recall, text
    assert everyday_mrr >= EVERYDAY_MRR_LEAD * bm25_everyday_mrr, text


# Issue 10's named cases: each must put a relevant listing first (not merely on average).
FIRST = [
    ("breastfeeding support", "Folkestone"),  # the breastfeeding café before parenting groups
    ("Breastfeeding Support Programs", ""),  # not after-school or family groups
    ("sectioning", "Margate"),  # the advocates who mention sectioned, not only "mental health"
    ("homeless", "CT9"),  # the night shelter, not the domestic abuse service
    ("legal aid", "Margate"),  # not the hearing aid drop-ins
    ("someone to speak up for me", "Margate"),
    ("cant stop crying", "Margate"),  # not "can stop caring"
]


@pytest.mark.parametrize(("query", "near"), FIRST)
def test_named_cases_find_a_relevant_listing_first(engine, query: str, near: str) -> None:
    judged = next(j for j in QUERIES if j.query == query and j.near == near)
    index, vocab, gazetteer = engine
    response = search(index, judged.request, vocab, gazetteer, now=NOW)
    assert response.hits
    assert response.hits[0].id in judged.relevant, [h.id for h in response.hits]


def test_queries_are_enough_and_varied() -> None:
    assert len(QUERIES) >= 70
    areas = {
        path.parent.name
        for judged in QUERIES
        for listing_id in judged.relevant
        for path in SERVICES.glob(f"*/{listing_id}.yaml")
    }
    assert {"east-kent", "camden", "brighton-and-hove", "national"} <= areas


def test_relevant_ids_exist() -> None:
    """Every judged id names a listing file in the bundled data, and no query repeats one."""
    known = {path.stem for path in [*example_files(SERVICES), *extra_files()]}
    unknown = {
        f"#{judged.number} {judged.query!r}: {listing_id}"
        for judged in QUERIES
        for listing_id in judged.relevant
        if listing_id not in known
    }
    assert not unknown, "Unknown listing ids:\n" + "\n".join(sorted(unknown))
    repeated = [j.number for j in QUERIES if len(set(j.relevant)) != len(j.relevant)]
    assert not repeated, f"Queries listing an id twice: {repeated}"


def test_query_places_resolve() -> None:
    """A place the gazetteer cannot find would silently search everywhere instead."""
    gazetteer = default_gazetteer()
    missing = [j.near for j in QUERIES if j.near and gazetteer.resolve(j.near) is None]
    assert not missing, f"Places that do not resolve: {missing}"
