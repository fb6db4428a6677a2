"""/coverage and /api/v1/coverage: services per area and per need, counted once per build."""

from __future__ import annotations

import re
from collections import Counter

from search.directory_coverage import folder_name
from tests.conftest import TEMPLATE
from tests.test_validate import replace_line


def test_api_counts_match_the_listings(api_app, api):
    body = api.get("/api/v1/coverage").get_json()
    with api_app.app_context():
        from views.common import live

        listings = [item for item in live().listings() if item.status != "closed"]
        labels = {need.id: need.label for need in live().vocabulary.needs.values()}
    assert body["services"] == len(listings)
    local = [item for item in listings if not item.national]
    by_area = Counter(item.area for item in local)
    assert {area["id"]: area["services"] for area in body["areas"]} == dict(by_area)
    kent = next(area for area in body["areas"] if area["id"] == "east-kent")
    kent_needs = Counter(need for item in local if item.area == "east-kent" for need in item.needs)
    assert {need["id"]: need["services"] for need in kent["needs"]} == dict(kent_needs)
    assert kent["name"] == "East Kent"
    assert set(kent["needs_missing"]) == set(labels) - set(kent_needs)
    assert kent["with_venue"] == sum(
        1 for item in local if item.area == "east-kent" and item.locations
    )
    national = [item for item in listings if item.national]
    assert body["national"]["services"] == len(national)
    everywhere = Counter(need for item in listings for need in item.needs)
    assert {need["id"]: need["services"] for need in body["needs"]} == {
        need: everywhere.get(need, 0) for need in labels
    }
    # Areas, then most services first.
    counts = [area["services"] for area in body["areas"]]
    assert counts == sorted(counts, reverse=True)


def test_the_api_describes_it(api):
    document = api.get("/api/v1/openapi.json").get_json()
    assert "/api/v1/coverage" in document["paths"]
    assert "Coverage" in document["components"]["schemas"]
    assert api.get("/api/v1").get_json()["links"]["coverage"].endswith("/api/v1/coverage")
    assert api.get("/api/v1/coverage?x=1").status_code == 400


def test_the_page_lists_areas_needs_and_gaps(site):
    page = site.get("/coverage").get_data(as_text=True)
    assert "<h1>What this directory covers</h1>" in page
    assert "East Kent" in page
    assert re.search(r'href="/\?need=loneliness">Loneliness and isolation</a>: \d+', page)
    assert "Nothing listed here for" in page
    assert "Needs with nothing listed anywhere" in page
    assert 'href="/contribute"' in page
    assert 'href="/coverage"' in page


def test_areas_served_are_counted(data_dir, settings, publish_data):
    phone_line = TEMPLATE[TEMPLATE.index("locations:") : TEMPLATE.index("languages:")]
    text = replace_line(TEMPLATE, "delivery:", "delivery: [phone]").replace(
        phone_line, "areas_served: [Thanet, CT9]\n"
    )
    (data_dir / "services" / "thanet" / "thanet-phone-friends.yaml").write_text(text, "utf-8")
    assert publish_data().ok
    from app import create_app

    app = create_app(
        {"TESTING": True, "SIGNPOST_DATA": str(data_dir), "SIGNPOST_INDEX": str(settings.index_dir)}
    )
    body = app.test_client().get("/api/v1/coverage").get_json()
    served = {area["name"]: area["services"] for area in body["areas_served"]}
    assert served == {"Thanet": 1, "CT9": 1}
    thanet = next(area for area in body["areas"] if area["id"] == "thanet")
    assert (thanet["services"], thanet["with_venue"]) == (2, 1)
    page = app.test_client().get("/coverage").get_data(as_text=True)
    assert "Areas served by phone, online or home visits" in page


def test_folder_names_read_as_places():
    assert folder_name("brighton-and-hove") == "Brighton and Hove"
    assert folder_name("east-kent") == "East Kent"
