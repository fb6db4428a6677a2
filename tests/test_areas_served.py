"""areas_served: who a service without a venue is for, checked, indexed, found and ranked."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from directory.areas import default_areas, describe_served
from directory.load import load_text
from directory.places import default_gazetteer
from directory.validation import check_loaded, validate_paths
from search.build import build_index, locate
from search.engine import search
from search.ranking import served_distance
from search.request import SearchRequest
from search.snapshot import SearchIndex
from tests.conftest import TEMPLATE
from tests.test_validate import replace_line

NOW = datetime(2026, 11, 24, 10, 30, tzinfo=ZoneInfo("Europe/London"))
TODAY = date(2026, 11, 23)
VENUE_BLOCK = TEMPLATE[TEMPLATE.index("locations:") : TEMPLATE.index("languages:")]


def without_venue(text: str, delivery: str, areas: str) -> str:
    """A listing with no locations or sessions, delivered as given, serving ``areas``."""
    text = replace_line(text, "delivery:", f"delivery: {delivery}")
    return text.replace(VENUE_BLOCK, f"areas_served: {areas}\n")


def check(text: str, vocab, name: str = "a-listing"):
    loaded = load_text(text, f"{name}.yaml")
    return check_loaded(loaded, vocab, listing_id=name, today=TODAY)


# ---- the listing format --------------------------------------------------------------


@pytest.mark.parametrize(
    ("written", "canonical"),
    [
        ("[Bristol]", ("Bristol",)),
        ("[bristol city council]", ("Bristol",)),
        ("[City of Bristol, north lincolnshire]", ("Bristol", "North Lincolnshire")),
        ("[bs1, DN15]", ("BS1", "DN15")),
        ("[BS]", ("BS",)),
        ("[Scotland, northern ireland]", ("Scotland", "Northern Ireland")),
        ("[Brighton & Hove]", ("Brighton and Hove",)),
        ("[Edinburgh]", ("City of Edinburgh",)),
    ],
)
def test_areas_are_checked_and_spelt_one_way(vocab, written, canonical):
    listing, problems = check(without_venue(TEMPLATE, "[phone]", written), vocab)
    assert problems == []
    assert listing.areas_served == canonical


@pytest.mark.parametrize(
    ("written", "message"),
    [
        ("[Bristl]", "'Bristl' is not an area we know. Did you mean 'Bristol'?"),
        ("[ZZ9]", "'ZZ9' is not a postcode district we know."),
        ("[BS1X]", "'BS1X' is not a postcode district we know. Did you mean"),
        ("[UK]", "'UK' is the whole country: leave it out of areas_served and write national"),
        ("[bs1 4dj]", "'bs1 4dj' is a full postcode. For an area, write its district, BS1"),
        ("[Bristol, bristol]", "'bristol' is listed twice in areas_served. Delete one."),
        ("Bristol", "'areas_served' should be a list in square brackets"),
    ],
)
def test_unknown_areas_get_a_located_message(vocab, written, message):
    listing, problems = check(without_venue(TEMPLATE, "[phone]", written), vocab)
    assert listing is None
    assert any(message in problem.message for problem in problems), problems
    line = next(i for i, text in enumerate(TEMPLATE.splitlines(), 1) if "locations:" in text)
    # The problem points at the areas_served line (where locations: used to be).
    assert {problem.line for problem in problems} == {line}


def test_home_visits_need_no_venue_when_areas_are_given(vocab):
    listing, problems = check(without_venue(TEMPLATE, "[in-person]", "[Thanet]"), vocab)
    assert problems == []
    assert listing.locations == ()
    assert listing.areas_served == ("Thanet",)
    # Without areas_served an in-person service still needs a venue.
    _, problems = check(TEMPLATE.replace(VENUE_BLOCK, ""), vocab)
    assert any("needs at least one location" in p.message for p in problems)


def test_the_label_says_where_and_how():
    assert (
        describe_served(["Bristol"], ["phone", "online", "in-person"], has_venue=False)
        == "Serves Bristol: by phone, online or home visits"
    )
    assert describe_served(["BS1", "BS2"], ["phone"], has_venue=False) == (
        "Serves BS1 and BS2: by phone"
    )
    assert describe_served([], ["phone"], has_venue=False) == ""


def test_a_place_lies_in_its_district_area_council_and_nation():
    keys = default_areas().keys_for_district("BS1")
    assert keys == {"district:BS1", "postcode-area:BS", "council:E06000023", "nation:england"}
    # A district on a council boundary counts for each council it touches.
    assert {"council:E09000007", "council:E09000033"} <= default_areas().keys_for_district("NW1")
    assert default_areas().keys_for_district("") == set()


# ---- search ------------------------------------------------------------------------------


def venue(name: str, postcode: str) -> str:
    text = replace_line(TEMPLATE, "name:", f"name: {name}")
    return replace_line(text, "postcode:", f"postcode: {postcode}")


LISTINGS = {
    # Margate, on the doorstep of CT9 1EP.
    "margate-mens-shed": venue("Margate Mens Shed", "CT9 1EP"),
    # Ramsgate, about 4 miles from CT9 1EP.
    "ramsgate-mens-shed": venue("Ramsgate Mens Shed", "CT11 9AA"),
    # Phone line for Thanet residents, filed in another area's folder on purpose.
    "thanet-phone-friends": without_venue(
        replace_line(TEMPLATE, "name:", "name: Thanet Phone Friends"), "[phone]", "[Thanet]"
    ),
    # Home visits in CT9 only.
    "ct9-home-visits": without_venue(
        replace_line(TEMPLATE, "name:", "name: Cliftonville Home Visits"), "[in-person]", "[CT9]"
    ),
    # Bristol's residents only: never offered in Thanet.
    "bristol-phone-friends": without_venue(
        replace_line(TEMPLATE, "name:", "name: Bristol Phone Friends"), "[phone, online]", "[BS]"
    ),
}


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    from directory.vocabulary import parse_vocabulary
    from tests.conftest import TEST_VOCABULARY

    vocab = parse_vocabulary(TEST_VOCABULARY, "needs.yaml")
    root: Path = tmp_path_factory.mktemp("areas")
    for listing_id, text in LISTINGS.items():
        folder = root / "services" / ("thanet" if "mens-shed" in listing_id else "elsewhere")
        folder.mkdir(parents=True, exist_ok=True)
        (folder / f"{listing_id}.yaml").write_text(text, encoding="utf-8")
    gazetteer = default_gazetteer()
    report = validate_paths([root / "services"], vocab, gazetteer=gazetteer, today=TODAY)
    assert report.problems == []
    listings, problems = locate(report.listings, gazetteer)
    assert problems == []
    build_index(listings, root / "index", vocab)
    return SearchIndex(root / "index"), vocab


def run(built, **kwargs):
    index, vocab = built
    return search(index, SearchRequest(**kwargs), vocab, default_gazetteer(), now=NOW)


def test_a_search_near_a_place_finds_the_services_for_its_area(built):
    found = [hit.id for hit in run(built, near="CT9 1EP", needs=("loneliness",)).hits]
    assert "thanet-phone-friends" in found
    assert "ct9-home-visits" in found
    assert "bristol-phone-friends" not in found
    bristol = [hit.id for hit in run(built, near="BS1 4DJ", needs=("loneliness",)).hits]
    assert bristol == ["bristol-phone-friends"]
    # A council area typed as the place works too.
    assert "thanet-phone-friends" in [hit.id for hit in run(built, near="Ramsgate").hits]


def test_area_services_rank_between_near_and_far_venues(built):
    response = run(built, near="CT9 1EP", radius_miles=10, needs=("loneliness",))
    order = [hit.id for hit in response.hits]
    assert order[0] == "margate-mens-shed"  # the venue on the doorstep comes first
    assert order.index("thanet-phone-friends") < order.index("ramsgate-mens-shed")
    assert order.index("ct9-home-visits") < order.index("ramsgate-mens-shed")
    # No distance is claimed for a service without a venue.
    served = next(hit for hit in response.hits if hit.id == "thanet-phone-friends")
    assert served.distance_miles is None


def test_local_only_drops_phone_services_but_keeps_home_visits(built):
    found = [hit.id for hit in run(built, near="CT9 1EP", include_remote=False).hits]
    assert "thanet-phone-friends" not in found
    assert "ct9-home-visits" in found


def test_served_distance_rule():
    assert served_distance(10) == 2.0
    assert served_distance(1) == 0.5


def test_result_card_says_who_it_serves(built, tmp_path):
    from views.present import summarise

    index, vocab = built
    listing = index.snapshot().listing("bristol-phone-friends")
    assert summarise(listing, vocab, NOW).place == "Serves BS: by phone or online"


# ---- Open Referral UK import and export ----------------------------------------------------


def council_service(**extra) -> dict:
    """A council feed's phone service with no venue, as Bristol's and North Lincolnshire's."""
    return {
        "id": "7f1c1b0e-3c55-4a8a-9a9e-2b9f3f7b9c11",
        "name": "Carers Support Line",
        "description": "Advice and a listening ear on the phone for unpaid carers.",
        "status": "active",
        "organization": {"id": "o", "name": "Bristol City Council"},
        "phones": [{"number": "0117 496 0123"}],
        "attributes": [{"taxonomy_term": {"name": "Carers", "taxonomy": "Council list"}}],
        **extra,
    }


@pytest.mark.parametrize(
    ("extra", "served"),
    [
        ({"service_areas": [{"name": "Bristol"}]}, ["Bristol"]),
        ({"service_areas": [{"service_area": "North Lincolnshire"}]}, ["North Lincolnshire"]),
        ({"coverage": "BS1, BS2; Bristl"}, ["BS1", "BS2"]),
        ({"service_areas": [{"name": "United Kingdom"}]}, None),
    ],
)
def test_import_maps_service_areas_and_coverage(extra, served):
    from directory.oruk import service_to_listing
    from directory.vocabulary import load_vocabulary
    from tests.conftest import ROOT

    vocab = load_vocabulary(ROOT / "data" / "needs.yaml")
    item = service_to_listing(council_service(**extra), vocab, today=TODAY)
    assert item.data.get("areas_served") == served
    if served is None:
        assert item.data["national"] is True
    if "coverage" in extra:
        assert "service area 'Bristl' is not an area we know, so it was left out" in item.notes


def test_imported_area_service_is_found_near_its_area(tmp_path):
    """The Bristol case end to end: imported, validated, indexed, found near BS1."""
    from directory.oruk import import_document, listing_yaml
    from directory.vocabulary import load_vocabulary
    from tests.conftest import ROOT

    vocab = load_vocabulary(ROOT / "data" / "needs.yaml")
    result = import_document(
        {"services": [council_service(service_areas=[{"name": "Bristol"}])]}, vocab, today=TODAY
    )
    folder = tmp_path / "services" / "bristol"
    folder.mkdir(parents=True)
    for item in result.listings:
        (folder / f"{item.id}.yaml").write_text(listing_yaml(item), encoding="utf-8")
    report = validate_paths([tmp_path / "services"], vocab, today=TODAY)
    assert report.problems == [], [str(p) for p in report.problems]
    build_index(report.listings, tmp_path / "index", vocab)
    index = SearchIndex(tmp_path / "index")
    response = search(index, SearchRequest(near="BS8 1TH"), vocab, default_gazetteer(), now=NOW)
    assert [hit.listing.areas_served for hit in response.hits] == [("Bristol",)]
    far = search(index, SearchRequest(near="DN15"), vocab, default_gazetteer(), now=NOW)
    assert far.hits == []


def test_export_writes_areas_back_and_import_reads_them(built):
    from directory.oruk import service_to_hsds, service_to_listing

    index, vocab = built
    listing = index.snapshot().listing("thanet-phone-friends")
    service = service_to_hsds(listing, vocab)
    assert [area["name"] for area in service["service_areas"]] == ["Thanet"]
    assert service["signpost_areas_served"] == ["Thanet"]
    assert service_to_listing(service, vocab, today=TODAY).data["areas_served"] == ["Thanet"]
    venue = index.snapshot().listing("margate-mens-shed")  # no areas: its folder, as before
    assert [area["name"] for area in service_to_hsds(venue, vocab)["service_areas"]] == ["Thanet"]


def test_service_page_says_who_it_serves(data_dir, settings, publish_data):
    text = without_venue(
        replace_line(TEMPLATE, "name:", "name: Thanet Home Visits"), "[in-person]", "[Thanet, CT9]"
    )
    (data_dir / "services" / "thanet" / "thanet-home-visits.yaml").write_text(text, "utf-8")
    assert publish_data().ok
    from app import create_app

    app = create_app(
        {"TESTING": True, "SIGNPOST_DATA": str(data_dir), "SIGNPOST_INDEX": str(settings.index_dir)}
    )
    client = app.test_client()
    page = client.get("/services/thanet-home-visits").get_data(as_text=True)
    assert "For people who live in Thanet, CT9. It comes to you: home visits." in page
    results = client.get("/?near=CT9+1EP").get_data(as_text=True)
    assert "Serves Thanet and CT9: home visits" in results


def test_search_command_says_who_it_serves(runner, data_dir, tmp_path):
    from cli import main

    text = without_venue(
        replace_line(TEMPLATE, "name:", "name: Thanet Phone Friends"), "[phone]", "[Thanet]"
    )
    (data_dir / "services" / "thanet" / "thanet-phone-friends.yaml").write_text(text, "utf-8")
    index = str(tmp_path / "index")
    assert runner.invoke(main, ["index", "--index", index, "-q"]).exit_code == 0
    result = runner.invoke(main, ["search", "lonely", "--near", "CT9 1EP", "--index", index])
    assert result.exit_code == 0, result.output
    assert "thanet-phone-friends  Thanet Phone Friends  (serves Thanet)" in result.output


@pytest.mark.parametrize(
    "written",
    [
        "[{a: 1}]",
        "[1.5]",
        "[true]",
        '[""]',
        "[" + "x" * 500 + "]",
        "[[BS1]]",
        "{BS1: 1}",
        "[BS1 4DJ]",
    ],
)
def test_odd_values_get_a_message_not_a_crash(vocab, written):
    listing, problems = check(without_venue(TEMPLATE, "[phone]", written), vocab)
    assert listing is None
    assert problems
    assert all(problem.message for problem in problems)


def test_home_visits_survive_export_and_import(built):
    from directory.oruk import service_to_hsds, service_to_listing

    index, vocab = built
    listing = index.snapshot().listing("ct9-home-visits")
    data = service_to_listing(service_to_hsds(listing, vocab), vocab, today=TODAY).data
    assert (data["delivery"], data["areas_served"]) == (["in-person"], ["CT9"])
    assert "locations" not in data
