"""Search behaviour on a small, hand-made directory: matching, filters, distance, facets."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from directory.places import default_gazetteer
from directory.validation import validate_paths
from search.build import build_index, locate
from search.engine import search
from search.request import SearchRequest, parse_request
from search.snapshot import NoIndex, SearchIndex
from tests.conftest import TEMPLATE
from tests.test_validate import replace_line

LONDON = ZoneInfo("Europe/London")
# A Tuesday morning.
NOW = datetime(2026, 11, 24, 10, 30, tzinfo=LONDON)


def listing_text(**changes: str | None) -> str:
    """The template listing with whole lines swapped: key = start of the line to replace."""
    text = TEMPLATE
    for old, new in changes.items():
        text = replace_line(text, old.replace("__", " "), new)
    return text


LISTINGS = {
    # Margate, Tuesdays and Thursdays, costs £2, loneliness + crafts, step-free.
    "margate-mens-shed": listing_text(),
    # Westgate, free, gardening, Wednesdays, not step-free.
    "westgate-garden-club": listing_text(
        name="name: Westgate Community Garden",
        needs="needs: [gardening]",
        A__friendly="A community garden where neighbours grow vegetables together on an "
        "allotment plot.",
        free="free: true",
        amount=None,
        postcode="postcode: CT8 8AA",
        accessibility="accessibility: [seating]",
        days="- days: [wed]",
    ),
    # Ramsgate, free, diabetes, Fridays, over 50s only.
    "ramsgate-diabetes-group": listing_text(
        name="name: Ramsgate Diabetes Support",
        needs="needs: [diabetes]",
        A__friendly="A friendly group for people living with type 2 diabetes: healthy eating, "
        "blood sugar and sharing tips.",
        age_min="age_min: 50",
        free="free: true",
        amount=None,
        postcode="postcode: CT11 9AA",
        days="- days: [fri]",
    ),
    # Kentish Town (London, 70 miles away), loneliness.
    "kentish-town-befriending": listing_text(
        name="name: Kentish Town Befriending",
        needs="needs: [loneliness]",
        postcode="postcode: NW5 1AA",
        A__friendly="Weekly tea and chat for anyone feeling lonely or isolated in Kentish Town.",
    ),
    # Phone only, national, loneliness.
    "national-chat-line": listing_text(
        name="name: National Chat Line",
        needs="needs: [loneliness]",
        delivery="delivery: [phone]",
        free="free: true",
        amount=None,
        A__friendly="A friendly voice on the phone every week for anyone who feels lonely.",
    ).replace(
        TEMPLATE[TEMPLATE.index("locations:") : TEMPLATE.index("schedule:")], "national: true\n"
    ),
    # Closed: must never appear.
    "closed-lonely-club": listing_text(
        name="name: Closed Lonely Club",
        status="status: closed",
        needs="needs: [loneliness]",
    ),
}


@pytest.fixture(scope="module")
def built(tmp_path_factory, vocab_module):
    root = tmp_path_factory.mktemp("search")
    folder = root / "services" / "thanet"
    folder.mkdir(parents=True)
    for listing_id, text in LISTINGS.items():
        (folder / f"{listing_id}.yaml").write_text(text, encoding="utf-8")
    gazetteer = default_gazetteer()
    report = validate_paths(
        [root / "services"], vocab_module, gazetteer=gazetteer, today=date(2026, 11, 23)
    )
    assert report.problems == []
    listings, problems = locate(report.listings, gazetteer)
    assert problems == []
    build_index(listings, root / "index", vocab_module)
    return SearchIndex(root / "index")


@pytest.fixture(scope="module")
def vocab_module():
    from directory.vocabulary import parse_vocabulary
    from tests.conftest import TEST_VOCABULARY

    return parse_vocabulary(TEST_VOCABULARY, "needs.yaml")


def run(built, vocab, **kwargs):
    return search(built, SearchRequest(**kwargs), vocab, default_gazetteer(), now=NOW)


def ids(response) -> list[str]:
    return [hit.id for hit in response.hits]


def test_everyday_word_reaches_the_need(built, vocab_module):
    response = run(built, vocab_module, text="lonely")
    assert set(ids(response)) == {
        "margate-mens-shed",
        "kentish-town-befriending",
        "national-chat-line",
    }


def test_closed_listings_never_show(built, vocab_module):
    for text in ("lonely", "closed lonely club", ""):
        assert "closed-lonely-club" not in ids(run(built, vocab_module, text=text))


def test_phrase_and_misspelling(built, vocab_module):
    assert ids(run(built, vocab_module, text="on my own"))[0] in {
        "margate-mens-shed",
        "kentish-town-befriending",
        "national-chat-line",
    }
    response = run(built, vocab_module, text="diabeties")
    assert ids(response) == ["ramsgate-diabetes-group"]
    assert response.did_you_mean == "diabetic"


def test_or_not_and(built, vocab_module):
    # Default Whoosh parsing would AND these words into nothing.
    response = run(built, vocab_module, text="lonely allotment diabetic")
    assert {"westgate-garden-club", "ramsgate-diabetes-group"} <= set(ids(response))


def test_nearest_first_with_distance(built, vocab_module):
    response = run(built, vocab_module, text="", near="CT9 1AE", radius_miles=10)
    distances = [hit.distance_miles for hit in response.hits if hit.distance_miles is not None]
    assert distances == sorted(distances)
    assert ids(response)[0] == "margate-mens-shed"
    assert "kentish-town-befriending" not in ids(response)
    assert response.place.label == "CT9 1AE"


def test_radius_excludes_far_listings(built, vocab_module):
    response = run(built, vocab_module, text="lonely", near="Margate", radius_miles=3)
    assert "kentish-town-befriending" not in ids(response)
    assert "margate-mens-shed" in ids(response)


def test_remote_services_included_or_excluded(built, vocab_module):
    near = run(built, vocab_module, text="lonely", near="Margate", radius_miles=3)
    assert "national-chat-line" in ids(near)
    chat = next(hit for hit in near.hits if hit.id == "national-chat-line")
    assert chat.distance_miles is None
    local = run(
        built, vocab_module, text="lonely", near="Margate", radius_miles=3, include_remote=False
    )
    assert "national-chat-line" not in ids(local)


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        ({"free": True}, {"westgate-garden-club", "ramsgate-diabetes-group", "national-chat-line"}),
        ({"days": ("wed",)}, {"westgate-garden-club"}),
        (
            {"days": ("tue", "fri")},
            {
                "margate-mens-shed",
                "ramsgate-diabetes-group",
                "kentish-town-befriending",
                "national-chat-line",
            },
        ),
        (
            {"step_free": True},
            {
                "margate-mens-shed",
                "ramsgate-diabetes-group",
                "kentish-town-befriending",
                "national-chat-line",
            },
        ),
        (
            {"age": 30},
            {
                "margate-mens-shed",
                "westgate-garden-club",
                "kentish-town-befriending",
                "national-chat-line",
            },
        ),
        ({"access": ("drop-in",)}, set(LISTINGS) - {"closed-lonely-club"}),
        ({"delivery": ("phone",)}, {"national-chat-line"}),
        ({"needs": ("gardening",)}, {"westgate-garden-club"}),
        (
            {"open_now": True},
            {"margate-mens-shed", "kentish-town-befriending", "national-chat-line"},
        ),
    ],
)
def test_filters(built, vocab_module, filters, expected):
    response = run(built, vocab_module, text="", per_page=50, **filters)
    assert set(ids(response)) == expected


def test_facet_counts_follow_the_query(built, vocab_module):
    response = run(built, vocab_module, text="lonely")
    assert response.facets["cost"] == {"free": 1}
    assert response.facets["day"]["tue"] == 3
    assert response.facets["need"]["loneliness"] == 3


def test_ticking_a_day_leaves_the_other_days_counts_as_what_they_would_add(built, vocab_module):
    everything = run(built, vocab_module, text="lonely")
    tuesday = run(built, vocab_module, text="lonely", days=("tue",))
    assert tuesday.total == everything.facets["day"]["tue"]
    # Day counts ignore the day filter itself; other facets count the Tuesday results.
    assert tuesday.facets["day"] == everything.facets["day"]
    assert sum(tuesday.facets["need"].values()) <= sum(everything.facets["need"].values())
    assert tuesday.facets["need"]["loneliness"] == tuesday.total
    free_tuesday = run(built, vocab_module, text="lonely", days=("tue",), free=True)
    free_only = run(built, vocab_module, text="lonely", free=True)
    assert free_tuesday.facets["day"] == free_only.facets["day"]


def test_nothing_found_offers_a_wider_search(built, vocab_module):
    response = run(built, vocab_module, text="diabetes", near="Margate", radius_miles=1)
    assert response.total == 0
    assert response.wider
    assert response.wider[0].description.startswith("Search within")
    assert response.wider[0].count == 1
    filtered = run(
        built, vocab_module, text="allotment", near="Margate", radius_miles=10, days=("sun",)
    )
    assert any(option.description == "Remove the filters" for option in filtered.wider)


def test_unknown_place_says_so(built, vocab_module):
    response = run(built, vocab_module, text="lonely", near="Margat")
    assert response.place is None
    assert "We could not find 'Margat'" in response.place_problem
    assert "Margate" in " ".join(response.place_suggestions)


def test_unknown_full_postcode_falls_back_to_district(built, vocab_module):
    response = run(built, vocab_module, text="", near="CT9 9QQ", radius_miles=5)
    assert response.place.kind == "district"
    assert "We could not find CT9 9QQ" in response.place.note
    assert "margate-mens-shed" in ids(response)


def test_ties_are_stable(built, vocab_module):
    first = ids(run(built, vocab_module, text="", per_page=50))
    for _ in range(3):
        assert ids(run(built, vocab_module, text="", per_page=50)) == first


def test_paging(built, vocab_module):
    everything = ids(run(built, vocab_module, text="", per_page=50))
    page1 = ids(run(built, vocab_module, text="", per_page=2, page=1))
    page2 = ids(run(built, vocab_module, text="", per_page=2, page=2))
    assert page1 + page2 == everything[:4]


ODD_QUERIES = [
    '"unbalanced quote',
    "*",
    "a* b* c* d*",
    "AND OR NOT",
    "word~99",
    "lonely" * 2000,
    "x" * 10_000,
    "🙂🙂 lonely 🧓",
    "\x00\x01\x1b[31mlonely",
    "(((((((",
    "name:lonely OR body:*",
    "' OR 1=1 --",
    "",
    "   ",
]


@pytest.mark.parametrize("text", ODD_QUERIES, ids=[repr(q[:20]) for q in ODD_QUERIES])
def test_odd_queries_are_safe(built, vocab_module, text):
    response = run(built, vocab_module, text=text, near=text[:100])
    assert response.total >= 0
    assert len(response.interpretation.text) <= 200


def test_parse_request_errors_name_the_parameter():
    parsed = parse_request(
        {"radius": "far", "day": "someday", "free": "maybe", "age": "-3", "need": "nope"},
        ("loneliness",),
    )
    messages = {error.param: error.message for error in parsed.errors}
    assert messages == {
        "radius": "'radius' must be a number from 0.1 to 100.",
        "day": "'day' must be one of: mon, tue, wed, thu, fri, sat, sun.",
        "free": "'free' must be true or false.",
        "age": "'age' must be a number from 0 to 120.",
        "need": "'need' must be one of: loneliness.",
    }


def test_parse_request_accepts_lists_and_names():
    parsed = parse_request({"day": ["Tuesday", "wed,thu"], "access": "drop-in", "radius": "3"})
    assert parsed.errors == []
    assert parsed.request.days == ("tue", "wed", "thu")
    assert parsed.request.access == ("drop-in",)
    assert parsed.request.radius_miles == 3.0


def test_index_path_is_a_setting(tmp_path: Path):
    with pytest.raises(NoIndex, match="No search index"):
        SearchIndex(tmp_path / "nothing").snapshot()


def assert_scores_match_whoosh(snapshot, query) -> None:
    """search.scoring finds the same documents as Whoosh's own search, with the same scores."""
    docnums, scores = snapshot.scorer.scores(snapshot.searcher(), query)
    whoosh = {hit.docnum: hit.score for hit in snapshot.searcher().search(query, limit=None)}
    assert whoosh
    assert docnums.tolist() == sorted(whoosh)
    assert scores.tolist() == pytest.approx([whoosh[d] for d in docnums.tolist()], rel=1e-12)


@pytest.mark.parametrize(
    "text", ["lonely allotment diabetic", "sugar", "on my own", "woodwork painting craft"]
)
def test_term_at_a_time_scores_equal_whoosh(built, vocab_module, text):
    """search.scoring gives exactly the documents and scores Whoosh's own search gives."""
    from search.interpret import interpret
    from search.query import build_query
    from search.scoring import supported

    snapshot = built.snapshot()
    query = build_query(interpret(text, vocab_module))
    assert supported(query)
    assert_scores_match_whoosh(snapshot, query)


def test_term_at_a_time_scores_nested_and_or_like_whoosh(built):
    """ANDs inside the OR (several-word group names) and boosts score as Whoosh does."""
    from whoosh.query import And, Or, Term

    from search.scoring import supported

    snapshot = built.snapshot()
    words = sorted(snapshot.facets.words)[:6]
    query = Or(
        [
            And([Term("body", words[0]), Term("body", words[1])], boost=2.0),
            Term("name", words[2], boost=1.5),
            Term("body", words[3]),
            Term("body", "no-such-word-anywhere"),
            Or([Term("body", words[4]), Term("body", words[5])], boost=0.5),
        ]
    )
    assert supported(query)
    assert_scores_match_whoosh(snapshot, query)


def test_and_not_excludes_every_document_the_negative_part_matches(built):
    """AND NOT is exact set difference (Whoosh's own matcher can let some through)."""
    from whoosh.query import And, AndNot, Or, Term

    snapshot = built.snapshot()
    searcher = snapshot.searcher()
    words = sorted(snapshot.facets.words)
    positive = Or([Term("body", word) for word in words[:40]])
    negative = Or(
        [Term("body", words[40]), And([Term("body", words[41]), Term("body", words[42])])]
    )
    docnums, scores = snapshot.scorer.scores(searcher, AndNot(positive, negative))
    matched = {hit.docnum for hit in searcher.search(positive, limit=None)}
    excluded = {hit.docnum for hit in searcher.search(negative, limit=None)}
    assert matched - excluded
    assert excluded & matched
    assert docnums.tolist() == sorted(matched - excluded)
    whole, whole_scores = snapshot.scorer.scores(searcher, positive)
    expected = dict(zip(whole.tolist(), whole_scores.tolist(), strict=True))
    assert scores.tolist() == pytest.approx([expected[d] for d in docnums.tolist()])


@pytest.mark.parametrize("text", ["lonely pensioner", "lonely", "pensioner allotment"])
def test_group_clauses_score_as_whoosh_does(built, text):
    """Named groups (a label clause) and members-only groups (an AND NOT) keep the fast path."""
    from directory.vocabulary import parse_vocabulary
    from search.interpret import interpret
    from search.query import build_query
    from search.scoring import supported
    from tests.conftest import TEST_VOCABULARY

    groups = [dict(group, members_only=group["id"] == "men") for group in TEST_VOCABULARY["groups"]]
    vocab = parse_vocabulary({**TEST_VOCABULARY, "groups": groups})
    interpretation = interpret(text, vocab)
    assert interpretation.groups or interpretation.members_only
    snapshot = built.snapshot()
    query = build_query(interpretation)
    assert supported(query)
    assert_scores_match_whoosh(snapshot, query)


def test_an_ambiguous_place_offers_the_others(built, vocab_module):
    from directory.places import default_gazetteer

    response = search(
        built, SearchRequest(text="lonely", near="Minster"), vocab_module, default_gazetteer()
    )
    assert response.place.label == "Minster (ME12)"
    assert "Several places are called Minster" in response.place.note
    assert response.place_suggestions == ["Minster (CT12)"]
    assert response.place_problem is None


def test_the_home_area_setting_picks_the_local_place(monkeypatch):
    from directory.settings import Settings
    from search.live import gazetteer_for

    monkeypatch.setenv("SIGNPOST_HOME_AREA", "CT9")
    settings = Settings.from_env()
    assert settings.home_area == "CT9"
    assert gazetteer_for(settings).resolve("Minster").label == "Minster (CT12)"
    monkeypatch.delenv("SIGNPOST_HOME_AREA")
    assert gazetteer_for(Settings.from_env()).resolve("Minster").label == "Minster (ME12)"


def test_nothing_found_offers_groups_for_related_needs(bundled, tmp_path):
    """Diabetes on a Wednesday in CT9 finds nothing; a healthy-weight or activity group might."""
    from datetime import datetime

    from search.engine import LONDON

    build_index(bundled.listings, tmp_path / "index", bundled.vocab)
    index = SearchIndex(tmp_path / "index")
    now = datetime(2026, 11, 23, 9, 0, tzinfo=LONDON)
    request = SearchRequest(text="diabetes", near="CT9", days=("wed",))
    response = search(index, request, bundled.vocab, bundled.gazetteer, now=now)
    assert response.total == 0
    related = [option for option in response.wider if "related help" in option.description]
    assert len(related) == 1
    option = related[0]
    assert option.changes == {
        "q": "",
        "need": ["healthy-weight", "physical-activity", "long-term-conditions"],
    }
    # The suggestion's count is what that search really finds.
    follow = SearchRequest(near="CT9", days=("wed",), needs=tuple(option.changes["need"]))
    assert search(index, follow, bundled.vocab, bundled.gazetteer, now=now).total == option.count


def test_and_not_with_a_plain_or_of_group_terms_is_exact(built):
    """Whoosh 2.7.5's AndNotMatcher lets excluded documents through even when the negative
    part is a plain OR of terms (here, groups, as the members-only clause is built); the
    array scorer's AND NOT is exact set difference. Found by a seeded search for a case."""
    import random

    from whoosh.query import AndNot, Or, Term

    snapshot = built.snapshot()
    searcher = snapshot.searcher()
    reader = searcher.reader()
    groups = sorted({g.decode() if isinstance(g, bytes) else g for g in reader.lexicon("groups")})
    words = sorted(snapshot.facets.words)
    rng = random.Random(20261130)
    leaks = 0
    for _ in range(400):
        positive = Or([Term("body", word) for word in rng.sample(words, min(8, len(words)))])
        negative = Or([Term("groups", group) for group in groups])
        query = AndNot(positive, negative)
        excluded = {hit.docnum for hit in searcher.search(negative, limit=None)}
        whoosh = {hit.docnum for hit in searcher.search(query, limit=None)}
        docnums, _scores = snapshot.scorer.scores(searcher, query)
        assert not set(docnums.tolist()) & excluded
        leaks += bool(whoosh & excluded)
    assert groups, "no listing in a group to search for"
    assert leaks, "no case found where Whoosh's AND NOT lets an excluded one through"
