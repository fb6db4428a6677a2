"""Honest results: who a service is for, when it was checked, what a filter hid, what is near.

Issue 10 parts 3: cards, service pages and the API say who a restricted service is for and
when its listing was checked, warn when a listing is past the stale limit, name the filter
that left a stated need with nothing, say which areas the directory covers when a place has
no local listings, never offer an unrelated service for a need, and rank a local group above
a national line of similar relevance.
"""

from __future__ import annotations

import html
import re
import shutil
from datetime import date, datetime

import numpy as np
import pytest
import yaml

from app import create_app
from directory.audience import who_for_text
from directory.model import WhoFor
from directory.places import default_gazetteer
from directory.settings import Settings
from search.coverage import area_name, covered_areas, describe_coverage
from search.engine import LONDON
from search.honest import group_words, missing_needs, relevant_to
from search.interpret import Interpretation
from search.publish import publish
from search.ranking import blend, order
from search.request import SearchRequest
from tests.conftest import ROOT, TEMPLATE

TODAY = 740_000
NAN = float("nan")


def ranked(texts, distances, national, *, remote_wanted=False):
    n = len(texts)
    score = blend(
        np.array(texts, dtype=float),
        np.array(distances, dtype=float),
        np.full(n, TODAY),
        np.zeros(n, dtype=bool),
        located=True,
        radius_miles=5,
        today=TODAY,
        national=np.array(national, dtype=bool),
        remote_wanted=remote_wanted,
    )
    return order(score, np.array(distances, dtype=float), np.arange(n)).tolist()


def test_local_group_beats_a_national_line_of_similar_relevance():
    # A national course a little more relevant than a café a mile away, or at the radius's
    # edge (0.2 proximity against the national line's 0.1).
    assert ranked([1.0, 0.75], [NAN, 1.0], [True, False]) == [1, 0]
    assert ranked([1.0, 0.95], [NAN, 4.9], [True, False]) == [1, 0]


def test_a_national_line_still_wins_when_far_more_relevant():
    assert ranked([1.0, 0.2], [NAN, 4.9], [True, False]) == [0, 1]


def test_an_areas_own_phone_line_is_not_treated_as_national():
    # Local phone befriending (no venue, not national) keeps its old standing.
    assert ranked([1.0, 0.85], [NAN, 4.9], [False, False]) == [0, 1]


def test_asking_for_online_or_phone_ranks_by_relevance_alone():
    assert ranked([1.0, 0.85], [NAN, 0.1], [True, False], remote_wanted=True) == [0, 1]
    assert ranked([1.0, 0.85], [NAN, 0.1], [True, False]) == [1, 0]


# ---- Who a service is for (pure) ---------------------------------------------------------


def group_label(group: str) -> str:
    return {
        "men": "Men",
        "older-people": "Older people",
        "carers": "Carers",
        "lgbtq": "LGBTQ+ people",
    }[group]


@pytest.mark.parametrize(
    ("who_for", "text"),
    [
        # The listing's own words, when they restrict who can come.
        (WhoFor(age_min=18, groups=("men",), eligibility="Men over 18."), "For men over 18"),
        (
            WhoFor(
                groups=("older-people", "carers"),
                eligibility="People with dementia and their carers. Ring first.",
            ),
            "For people with dementia and their carers",
        ),
        (
            WhoFor(eligibility="LGBTQ+ adults and friends. Dogs welcome."),
            "For LGBTQ+ adults and friends",
        ),
        (
            WhoFor(eligibility="Anyone with sight loss, registered or not."),
            "For anyone with sight loss, registered or not",
        ),
        # Open to all: only an age limit says who can come; groups are who it is aimed at.
        (
            WhoFor(age_min=18, groups=("men",), eligibility="Open to anyone over 18."),
            "For adults (18 and over)",
        ),
        (WhoFor(groups=("older-people",), eligibility="Everyone is welcome."), ""),
        (
            WhoFor(age_min=16, eligibility="Anyone. Under 16s with an adult."),
            "For people aged 16 and over",
        ),
        # No eligibility text: the groups and ages.
        (WhoFor(groups=("older-people", "carers")), "For older people and carers"),
        (WhoFor(age_min=60, groups=("men",)), "For men aged 60 and over"),
        (WhoFor(age_min=11, age_max=25), "For people aged 11 to 25"),
        (WhoFor(age_max=12), "For people up to age 12"),
        (WhoFor(), ""),
    ],
)
def test_who_for_text(who_for, text):
    assert who_for_text(who_for, group_label) == text


def test_a_long_eligibility_is_cut_at_a_natural_break():
    long = WhoFor(
        eligibility="People living in Gospel Oak, Kentish Town or Belsize who are finding it "
        "hard to afford food."
    )
    text = who_for_text(long, group_label)
    assert text == "For people living in Gospel Oak, Kentish Town or Belsize…"


# ---- A small directory: Thanet groups, one stale, and a national online course ------------

NOW = (2026, 11, 23, 9, 30)  # a Monday morning


def listing(**changes) -> dict:
    """The template listing (Margate, Tuesdays and Thursdays) with some fields changed."""
    data = yaml.safe_load(TEMPLATE)
    data.update(changes)
    return data


HONEST_LISTINGS = {
    "thanet/margate-mens-shed": listing(),
    "thanet/margate-memory-cafe": listing(
        name="Margate Memory Café",
        description="A relaxed café afternoon with music and games for people living with "
        "dementia and the people who care for them.",
        needs=["dementia", "loneliness"],
        who_for={
            "groups": ["older-people", "carers"],
            "eligibility": "People with dementia and their carers.",
        },
        cost={"free": True},
        schedule=[{"days": ["tue"], "opens": "14:00", "closes": "16:00"}],
        last_reviewed=date(2024, 8, 14),
    ),
    "thanet/margate-diabetes-group": listing(
        name="Margate Diabetes Support Group",
        description="A monthly evening group for people living with type 2 diabetes: a short "
        "talk, then tea and a chat about what helps.",
        needs=["diabetes"],
        who_for={"age_min": 18},
        delivery=["in-person", "online"],
        cost={"free": True},
        schedule=[{"days": ["thu"], "opens": "18:30", "closes": "20:00"}],
    ),
    "national/national-diabetes-course": {
        **{
            key: value
            for key, value in listing().items()
            if key not in ("locations", "schedule", "bank_holidays")
        },
        "name": "Living Well with Diabetes Online",
        "organisation": "Healthy Futures Trust",
        "description": "A free online course about type 2 diabetes: blood sugar, food swaps, "
        "getting active and looking after your feet.",
        "needs": ["diabetes", "learning"],
        "who_for": {"age_min": 18},
        "cost": {"free": True},
        "delivery": ["online"],
        "national": True,
    },
}


@pytest.fixture(scope="module")
def honest_data(tmp_path_factory):
    folder = tmp_path_factory.mktemp("honest")
    data = folder / "data"
    data.mkdir()
    shutil.copy(ROOT / "data" / "needs.yaml", data / "needs.yaml")
    for name, content in HONEST_LISTINGS.items():
        path = data / "services" / f"{name}.yaml"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(yaml.safe_dump(content, sort_keys=False), encoding="utf-8")
    settings = Settings(data_dir=data, index_dir=folder / "index")
    published = publish(settings, default_gazetteer())
    assert published.ok, [str(problem) for problem in published.problems]
    return settings


def make_app(settings, monkeypatch, months: int | None = None):
    if months is None:
        monkeypatch.delenv("SIGNPOST_STALE_MONTHS", raising=False)
    else:
        monkeypatch.setenv("SIGNPOST_STALE_MONTHS", str(months))
    return create_app(
        {
            "TESTING": True,
            "SIGNPOST_DATA": str(settings.data_dir),
            "SIGNPOST_INDEX": str(settings.index_dir),
            "SIGNPOST_CLOCK": lambda: datetime(*NOW, tzinfo=LONDON),
        }
    )


@pytest.fixture
def honest(honest_data, monkeypatch):
    return make_app(honest_data, monkeypatch).test_client()


def page(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    return html.unescape(response.get_data(as_text=True))


def card(text: str, listing_id: str) -> str:
    """One result card's HTML (cards hold lists of their own, so end at the next card)."""
    start = f'<li class="nhsuk-card sp-result" id="result-{listing_id}">'
    found = re.search(
        re.escape(start) + r'(.*?)</li>\s*(?=<li class="nhsuk-card|</ol>)', text, re.S
    )
    assert found, f"no card for {listing_id}"
    return found.group(1)


def result_ids(text: str) -> list[str]:
    return re.findall(r'<li class="nhsuk-card sp-result" id="result-([a-z0-9-]+)"', text)


# ---- Who for, checked and stale: cards, service page, API --------------------------------


def test_cards_say_who_a_service_is_for_and_when_it_was_checked(honest):
    text = page(honest, "/?q=lonely&near=CT9+1EP")
    cafe = card(text, "margate-memory-cafe")
    assert "For people with dementia and their carers" in cafe
    assert "Checked August 2024" in cafe
    shed = card(text, "margate-mens-shed")
    assert "For anyone over 18" in shed
    assert "Checked September 2026" in shed


def test_a_stale_listing_warns_on_its_card_and_page_a_fresh_one_does_not(honest):
    warning = "Not checked since August 2024: phone before you go"
    text = page(honest, "/?q=lonely&near=CT9+1EP")
    assert warning in card(text, "margate-memory-cafe")
    assert "Not checked since" not in card(text, "margate-mens-shed")
    service = page(honest, "/services/margate-memory-cafe")
    assert warning in service
    assert "For people with dementia and their carers" in service
    assert "Checked August 2024" in service
    fresh = page(honest, "/services/margate-mens-shed")
    assert "Not checked since" not in fresh
    assert "Checked September 2026" in fresh


def test_the_api_says_who_for_checked_and_stale(honest):
    body = honest.get("/api/v1/services/margate-memory-cafe").get_json()
    assert body["who_for_text"] == "For people with dementia and their carers"
    assert body["checked"] == "Checked August 2024"
    assert body["stale_warning"] == "Not checked since August 2024: phone before you go"
    results = honest.get("/api/v1/services?q=lonely&near=CT9").get_json()["results"]
    shed = next(item for item in results if item["id"] == "margate-mens-shed")
    assert shed["stale_warning"] is None
    assert shed["checked"] == "Checked September 2026"
    assert shed["who_for_text"] == "For anyone over 18"


@pytest.mark.parametrize(
    ("months", "warned"),
    [(None, True), (27, True), (28, False), (600, False)],
)
def test_the_stale_warning_follows_the_stale_months_setting(
    honest_data, monkeypatch, months, warned
):
    # Reviewed 14 August 2024; the clock says 23 November 2026: 27 whole months.
    client = make_app(honest_data, monkeypatch, months).test_client()
    service = page(client, "/services/margate-memory-cafe")
    assert ("Not checked since August 2024" in service) is warned
    body = client.get("/api/v1/services/margate-memory-cafe").get_json()
    assert (body["stale_warning"] is not None) is warned


# ---- Honest about what a filter or the place left out -------------------------------------


def test_a_filter_that_leaves_a_stated_need_empty_is_named_with_a_link_to_lift_it(honest):
    text = page(honest, "/?q=diabetes&near=CT9&day=tue")
    assert "Looking for: Diabetes" in text
    found = re.search(
        r'No diabetes group meets on Tuesday\. <a href="([^"]+)">Show all days</a>', text
    )
    assert found, text[text.find("sp-understood") :][:800]
    lifted = found.group(1)
    assert "day=" not in lifted
    assert "q=diabetes" in lifted
    assert "near=CT9" in lifted
    assert "margate-diabetes-group" in result_ids(page(honest, lifted))


def test_the_api_names_the_filter_too(honest):
    body = honest.get("/api/v1/services?q=diabetes&near=CT9&day=tue").get_json()
    (missing,) = body["missing"]
    assert missing["text"] == "No diabetes group meets on Tuesday."
    assert missing["action"] == "Show all days"
    assert missing["count"] == 2
    assert "day=" not in missing["link"]
    assert missing["link"].startswith("http://localhost/api/v1/")


def test_a_need_met_under_the_filters_gets_no_message(honest):
    text = page(honest, "/?q=diabetes&near=CT9&day=thu")
    assert "margate-diabetes-group" in result_ids(text)
    assert "sp-missing" not in text


def test_a_place_with_no_local_listings_names_the_covered_areas_and_labels_national(honest):
    text = page(honest, "/?q=diabetes&near=Edinburgh")
    assert result_ids(text) == ["national-diabetes-course"]
    assert "We do not list any local groups within 5 miles of Edinburgh" in text
    assert "This directory lists local groups in:" in text
    assert "<li>Thanet (CT9)</li>" in text
    assert "National</strong>" in card(text, "national-diabetes-course")
    assert "like CT9" not in text  # no example postcode from somewhere else as advice
    body = honest.get("/api/v1/services?q=diabetes&near=Edinburgh").get_json()
    assert body["local_services_nearby"] == 0
    assert body["covered_areas"] == [
        {"name": "Thanet", "districts": ["CT9"], "text": "Thanet (CT9)"}
    ]
    near = honest.get("/api/v1/services?q=diabetes&near=CT9").get_json()
    assert near["local_services_nearby"] == 3
    assert near["covered_areas"] == []


def test_an_unrelated_listing_is_never_offered_for_a_stated_need(honest):
    # The course mentions "food swaps", but "food bank" is help with food, not diabetes.
    text = page(honest, "/?q=food+bank&near=Edinburgh")
    assert result_ids(text) == []
    assert "We do not list any group for food and cooking near here." in text
    body = honest.get("/api/v1/services?q=food+bank").get_json()
    assert body["total"] == 0
    # Words that no need was read from still count: the course is about "swaps".
    assert "national-diabetes-course" in result_ids(page(honest, "/?q=food+bank+swaps"))


def test_a_local_group_outranks_a_national_course_unless_online_was_asked_for(honest):
    near = result_ids(page(honest, "/?q=diabetes&near=CT9"))
    assert near.index("margate-diabetes-group") < near.index("national-diabetes-course")
    online = result_ids(page(honest, "/?q=diabetes&near=CT9&delivery=online"))
    anywhere = result_ids(page(honest, "/?q=diabetes&delivery=online"))
    assert set(online) == {"margate-diabetes-group", "national-diabetes-course"}
    assert online == anywhere  # by relevance alone, as without a place


# ---- The pure pieces: relevance gate, missing needs, covered areas ------------------------


def interpretation(**fields) -> Interpretation:
    return Interpretation(text="x", **fields)


POSTINGS = {
    ("needs", "food"): [0],
    ("body", "food"): [0, 2],  # 2: a diabetes course mentioning "food swaps"
    ("body", "bank"): [0, 3],
    ("body", "bill"): [4],
    ("body", "kintsugi"): [5],
    ("groups", "men"): [6],
}


def gate(meaning: Interpretation) -> list[int] | None:
    found = relevant_to(
        meaning, lambda field_name, token: np.array(POSTINGS.get((field_name, token), [])), 8
    )
    return None if found is None else np.flatnonzero(found).tolist()


def test_a_short_need_phrase_counts_only_whole():
    food_bank = interpretation(
        needs={"food": 1.0}, matched={"food": ("food bank",)}, terms=("food", "bank")
    )
    assert gate(food_bank) == [0]  # not 2 ("food" alone) nor 3 ("bank" alone)


def test_any_word_of_a_sentence_counts_and_so_do_other_words_and_groups():
    bills = interpretation(
        needs={"debt-and-money": 1.0},
        matched={"debt-and-money": ("cant pay my bills",)},
        terms=("cant", "pay", "bills", "kintsugi"),
        groups={"men": ("men",)},
    )
    assert gate(bills) == [4, 5, 6]


def test_no_stated_need_means_no_gate():
    assert gate(interpretation(terms=("kintsugi",))) is None


@pytest.mark.parametrize(
    ("label", "words"),
    [
        ("Diabetes", "diabetes group"),
        ("Loneliness and isolation", "group for loneliness and isolation"),
        ("Learning English", "group for learning English"),
    ],
)
def test_group_words(label, words):
    assert group_words(label) == words


@pytest.fixture(scope="module")
def real_vocab():
    from directory.vocabulary import load_vocabulary

    return load_vocabulary(ROOT / "data" / "needs.yaml")


def counter(found: dict):
    """count_for over a fixed table: request fields -> count for any need."""

    def count(need, request):
        for key, value in found.items():
            if all(getattr(request, name) == wanted for name, wanted in key):
                return value
        return 0

    return count


def test_every_filter_that_alone_hides_a_need_is_named(real_vocab):
    request = SearchRequest(text="diabetes", near="CT9", days=("tue",), free=True)
    meaning = interpretation(needs={"diabetes": 1.0})
    count = counter({(("days", ()),): 2, (("free", False),): 1})
    found = missing_needs(request, meaning, real_vocab, count, located=True)
    assert [(m.text, m.action, m.changes, m.count) for m in found] == [
        ("No diabetes group meets on Tuesday.", "Show all days", {"drop": ["day"]}, 2),
        ("No diabetes group is free.", "Include ones that charge", {"drop": ["free"]}, 1),
    ]


def test_a_bigger_radius_then_clearing_everything_then_honesty(real_vocab):
    meaning = interpretation(needs={"diabetes": 1.0})
    far = SearchRequest(text="diabetes", near="CT9", radius_miles=5)
    found = missing_needs(
        far, meaning, real_vocab, counter({(("radius_miles", 25),): 1}), located=True
    )
    assert [(m.text, m.action, m.changes) for m in found] == [
        ("No diabetes group within 5 miles.", "Search within 25 miles", {"radius": 25})
    ]
    both = SearchRequest(text="diabetes", days=("tue",), free=True)
    cleared = counter({(("days", ()), ("free", False)): 3})
    (only,) = missing_needs(both, meaning, real_vocab, cleared, located=False)
    assert (only.text, only.action, only.changes) == (
        "No diabetes group matches all the filters you chose.",
        "Clear the filters",
        {"filters": "clear"},
    )
    (none,) = missing_needs(far, meaning, real_vocab, counter({}), located=True)
    assert (none.text, none.action, none.changes) == (
        "We do not list any diabetes group near here.",
        "",
        {},
    )


def test_a_need_with_results_is_not_missing(real_vocab):
    meaning = interpretation(needs={"diabetes": 1.0})
    request = SearchRequest(text="diabetes", days=("tue",))
    assert missing_needs(request, meaning, real_vocab, lambda need, r: 1, located=False) == []


def test_covered_areas_name_folders_and_districts(bundled):
    areas = covered_areas(bundled.listings)
    names = [area.name for area in areas]
    assert set(names) == {"East Kent", "Camden", "Brighton and Hove"}  # never "National"
    kent = areas[names.index("East Kent")]
    assert "CT9" in kent.districts
    assert kent.describe().startswith("East Kent (CT9")
    assert area_name("brighton-and-hove") == "Brighton and Hove"
    assert describe_coverage(areas, limit=1)[-1] == "and 2 more areas"


def test_the_command_line_says_the_same(honest_data, monkeypatch):
    from click.testing import CliRunner

    from cli import main

    monkeypatch.setenv("SIGNPOST_DATA", str(honest_data.data_dir))
    monkeypatch.setenv("SIGNPOST_INDEX", str(honest_data.index_dir))
    result = CliRunner().invoke(main, ["search", "diabetes", "--near", "CT9", "--day", "tue"])
    assert "No diabetes group meets on Tuesday. (Show all days: 2 found)" in result.stdout
    result = CliRunner().invoke(main, ["search", "diabetes", "--near", "Edinburgh"])
    assert "No local listings within 5 miles.\nLocal listings cover: Thanet (CT9)" in result.stdout


def test_a_needs_page_says_which_filter_hides_its_groups_too(honest):
    text = page(honest, "/needs/diabetes?day=tue&near=CT9")
    found = re.search(r'No diabetes group meets on Tuesday\. <a href="([^"]+)">', text)
    assert found
    assert "day=" not in found.group(1)
    assert "also helps with" not in text


def test_the_place_hint_names_a_place_in_this_directory(honest):
    assert "A postcode or town, like Margate" in page(honest, "/")


@pytest.mark.parametrize(
    ("filters", "text", "action"),
    [
        (
            {"days": ("tue", "wed")},
            "No diabetes group meets on Tuesday or Wednesday.",
            "Show all days",
        ),
        ({"free": True}, "No diabetes group is free.", "Include ones that charge"),
        ({"step_free": True}, "No diabetes group has step-free access.", "Show all places"),
        ({"open_now": True}, "No diabetes group is open right now.", "Show any time"),
        ({"age": 15}, "No diabetes group is open to someone aged 15.", "Show all ages"),
        ({"access": ("drop-in",)}, "No diabetes group lets you drop in.", "Show all ways to start"),
        (
            {"access": ("professional-referral",)},
            "No diabetes group takes referrals from a GP or link worker.",
            "Show all ways to start",
        ),
        ({"delivery": ("phone",)}, "No diabetes group is run by phone.", "Show all ways it is run"),
        (
            {"needs": ("english-language",)},
            "No diabetes group also helps with learning English.",
            "Show all needs",
        ),
        (
            {"include_remote": False},
            "No diabetes group meets near here.",
            "Include online, phone and national services",
        ),
    ],
)
def test_each_filter_is_named_in_plain_words(real_vocab, filters, text, action):
    request = SearchRequest(text="diabetes", near="CT9", **filters)
    meaning = interpretation(needs={"diabetes": 1.0})
    chosen = next(iter(filters))
    unfiltered = getattr(SearchRequest(), chosen)

    def count(need, asked):  # only lifting the chosen filter finds something
        return int(getattr(asked, chosen) == unfiltered)

    (found,) = missing_needs(request, meaning, real_vocab, count, located=True)
    assert (found.text, found.action) == (text, action)


def test_a_place_near_the_listed_area_is_not_told_to_look_elsewhere(honest):
    text = page(honest, "/?q=diabetes&near=Ramsgate&radius=1")
    assert "We do not list any local groups within 1 mile of Ramsgate" in text
    assert "This directory lists local groups in:" not in text
    body = honest.get("/api/v1/services?q=diabetes&near=Ramsgate&radius=1").get_json()
    assert body["local_services_nearby"] == 0
    assert body["covered_areas"] == []
