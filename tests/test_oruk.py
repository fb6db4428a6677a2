"""Open Referral UK endpoints (/api/oruk): HSDS 3.0 pages and services, and the ORUK search
parameters translated to Signpost's own search."""

from __future__ import annotations

import pytest

from directory.oruk.export import NEEDS_TAXONOMY, service_uuid, term_uuid
from tests.hsds import errors
from tests.test_api import error_of


def signpost_ids(body: dict) -> list[str]:
    return [service["signpost_id"] for service in body["contents"]]


def test_root_says_which_version(api):
    body = api.get("/api/oruk/").get_json()
    assert body["version"] == "3.0"
    assert body["openapi_url"] == "http://localhost/api/v1/openapi.json"
    assert api.get("/api/oruk").status_code == 308  # to the canonical "/api/oruk/"


def test_services_page_is_valid_hsds(api):
    response = api.get("/api/oruk/services?per_page=50")
    assert response.status_code == 200
    body = response.get_json()
    assert errors("page", body) == []
    assert body["total_items"] == 14
    assert body["size"] == 14
    assert body["total_pages"] == 1
    assert body["first_page"]
    assert body["last_page"]
    assert not body["empty"]
    for service in body["contents"]:
        assert service["url"].startswith("http")  # the UK profile requires a url
        assert service["organization"]["name"]


def test_paging(api):
    body = api.get("/api/oruk/services?per_page=5&page=3").get_json()
    assert (body["page_number"], body["size"], body["total_pages"]) == (3, 4, 3)
    assert not body["first_page"]
    assert body["last_page"]
    empty = api.get("/api/oruk/services?per_page=5&page=9").get_json()
    assert empty["empty"]
    assert empty["contents"] == []


def test_service_by_hsds_id_or_signpost_id(api):
    hsds_id = service_uuid("margate-bereavement-cafe")
    by_uuid = api.get(f"/api/oruk/services/{hsds_id}")
    assert by_uuid.status_code == 200
    service = by_uuid.get_json()
    assert errors("service", service) == []
    assert service["id"] == hsds_id
    assert service["name"] == "Tea and Talk Bereavement Café"
    assert service["service_at_locations"][0]["location"]["addresses"][0] == {
        "id": service["service_at_locations"][0]["location"]["addresses"][0]["id"],
        "location_id": service["service_at_locations"][0]["location"]["id"],
        "address_1": "21 Hawley Street",
        "city": "Margate",
        "state_province": "England",
        "postal_code": "CT9 1LA",
        "country": "GB",
        "address_type": "physical",
    }
    by_slug = api.get("/api/oruk/services/margate-bereavement-cafe").get_json()
    assert by_slug == service


def test_unknown_service_is_a_json_404(api):
    response = api.get("/api/oruk/services/2b1c5a54-0000-4000-8000-000000000000")
    assert response.status_code == 404
    assert error_of(response)["code"] == "not-found"


def test_text_search(api):
    ids = signpost_ids(api.get("/api/oruk/services?text=bereavement").get_json())
    assert "margate-bereavement-cafe" in ids
    assert "margate-community-larder" not in ids
    assert ids == signpost_ids(api.get("/api/oruk/services?search=bereavement").get_json())


def test_postcode_and_proximity_in_metres(api):
    near = api.get("/api/oruk/services?postcode=CT9 1LA&proximity=1000").get_json()
    ids = signpost_ids(near)
    assert "margate-bereavement-cafe" in ids
    assert "ramsgate-harbour-mens-shed" not in ids  # about 4 miles away
    wider = signpost_ids(api.get("/api/oruk/services?postcode=CT9 1LA&proximity=8000").get_json())
    assert "ramsgate-harbour-mens-shed" in wider


@pytest.mark.parametrize(
    "term", [term_uuid(NEEDS_TAXONOMY, "diabetes"), "diabetes", "DIABETES"], ids=str
)
def test_taxonomy_id_is_a_term_uuid_or_need_code(api, term):
    body = api.get(f"/api/oruk/services?taxonomy_id={term}").get_json()
    assert signpost_ids(body) == ["broadstairs-diabetes-circle"]
    for service in body["contents"]:
        codes = [attribute["taxonomy_term"]["code"] for attribute in service["attributes"]]
        assert "diabetes" in codes


def test_day_filter(api):
    body = api.get("/api/oruk/services?day=WE").get_json()
    assert body["total_items"] > 0
    for service in body["contents"]:
        assert any("WE" in schedule["byday"] for schedule in service["schedules"])


def test_age_range_means_open_to_every_age_in_it(api):
    everyone = api.get("/api/oruk/services?per_page=50").get_json()["total_items"]
    teens = api.get("/api/oruk/services?minimum_age=13&maximum_age=17&per_page=50").get_json()
    assert 0 < teens["total_items"] < everyone
    for service in teens["contents"]:
        assert service.get("minimum_age", 0) <= 13
        assert service.get("maximum_age", 120) >= 17
    swapped = api.get("/api/oruk/services?minimum_age=17&maximum_age=13&per_page=50").get_json()
    assert swapped == teens


@pytest.mark.parametrize(
    ("query", "parameter", "words"),
    [
        ("proximity=-5", "proximity", "whole number"),
        ("proximity=far", "proximity", "whole number"),
        ("taxonomy_id=widgets", "taxonomy_id", "not a taxonomy term"),
        ("minimum_age=old", "minimum_age", "0 to 120"),
        ("maximum_age=130", "maximum_age", "0 to 120"),
        ("day=someday", "day", "must be one of"),
        ("page=0", "page", "from 1 to 100"),
        ("per_page=500", "per_page", "from 1 to 50"),
        ("postcode=Xyzzyqq", "postcode", "could not find"),
        ("coverage=Kent", "coverage", "Unknown parameter"),
    ],
)
def test_bad_oruk_parameters_are_400_naming_them(api, query, parameter, words):
    response = api.get(f"/api/oruk/services?{query}")
    assert response.status_code == 400
    error = error_of(response)
    assert error["parameter"] == parameter
    assert words in error["message"]
    assert error["allowed"]


def test_taxonomies_and_terms(api, api_settings):
    from directory.vocabulary import load_vocabulary, vocabulary_path

    vocab = load_vocabulary(vocabulary_path(api_settings.data_dir))
    taxonomies = api.get("/api/oruk/taxonomies").get_json()
    assert errors("taxonomies_page", taxonomies) == []
    assert [item["name"] for item in taxonomies["contents"]] == [
        "Signpost needs",
        "Signpost groups",
    ]
    terms = api.get("/api/oruk/taxonomy_terms?per_page=50").get_json()
    assert errors("taxonomy_term_page", terms) == []
    assert terms["total_items"] == len(vocab.needs) + len(vocab.groups)
    for term in terms["contents"]:
        assert errors("taxonomy_term", term) == []


def test_oruk_answers_are_cached_and_compressed(api):
    first = api.get("/api/oruk/services", headers={"Accept-Encoding": "gzip"})
    assert first.headers["Content-Encoding"] == "gzip"
    assert first.headers["Access-Control-Allow-Origin"] == "*"
    again = api.get("/api/oruk/services", headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304


# ---- the rest of the profile's endpoints ---------------------------------------------------


def _all_services(api, query: str = "") -> list[dict]:
    return api.get(f"/api/oruk/services?per_page=50&{query}").get_json()["contents"]


def test_service_at_locations_page_follows_the_services(api):
    """One item per service per venue (and online), in the services' order, each valid by
    the profile's own OpenAPI answer schema and carrying its service in list form."""
    services = _all_services(api, "text=lonely")
    expected = [site["id"] for service in services for site in service["service_at_locations"]]
    body = api.get("/api/oruk/service_at_locations?text=lonely&per_page=50").get_json()
    assert errors("service_at_location_page", body) == []
    assert [item["id"] for item in body["contents"]] == expected
    assert body["total_items"] == len(expected) > 0
    first = body["contents"][0]
    assert first["service"]["id"] == next(s["id"] for s in services if s["service_at_locations"])
    assert "service_at_locations" not in first["service"]  # list form: one-to-one fields
    assert first["location"]["location_type"] in ("physical", "virtual")


def test_service_at_locations_pages_count_sites(api):
    every = api.get("/api/oruk/service_at_locations?per_page=50").get_json()
    second = api.get("/api/oruk/service_at_locations?per_page=3&page=2").get_json()
    assert second["total_items"] == every["total_items"]
    assert [item["id"] for item in second["contents"]] == [
        item["id"] for item in every["contents"][3:6]
    ]


def test_one_service_at_location(api):
    site = api.get("/api/oruk/service_at_locations?per_page=1").get_json()["contents"][0]
    response = api.get(f"/api/oruk/service_at_locations/{site['id']}")
    assert response.status_code == 200
    body = response.get_json()
    assert errors("service_at_location", body) == []
    assert body["id"] == site["id"]
    assert body["location"] == site["location"]
    assert body["service"]["schedules"] is not None  # fully nested
    missing = api.get("/api/oruk/service_at_locations/00000000-0000-0000-0000-000000000000")
    assert missing.status_code == 404
    assert "no service at location" in error_of(missing)["message"]


def test_organizations_and_their_services(api):
    body = api.get("/api/oruk/organizations?per_page=50").get_json()
    assert errors("taxonomies_page", {**body, "contents": []}) == []
    names = [item["name"] for item in body["contents"]]
    assert names == sorted(names, key=str.lower)
    for item in body["contents"]:
        assert errors("organization_list", item) == []
    services = _all_services(api)
    assert set(names) == {service["organization"]["name"] for service in services}
    one = body["contents"][0]
    full = api.get(f"/api/oruk/organizations/{one['id']}").get_json()
    assert errors("organization", full) == []
    runs = sorted(s["name"] for s in services if s["organization"]["name"] == one["name"])
    assert sorted(service["name"] for service in full["services"]) == runs
    assert api.get("/api/oruk/organizations/nobody").status_code == 404


def test_a_taxonomy_and_a_term_by_id(api):
    needs = api.get("/api/oruk/taxonomies").get_json()["contents"][0]
    by_id = api.get(f"/api/oruk/taxonomies/{needs['id']}")
    assert by_id.status_code == 200
    assert by_id.get_json() == needs
    assert errors("taxonomy", by_id.get_json()) == []
    term = api.get(f"/api/oruk/taxonomy_terms/{term_uuid(NEEDS_TAXONOMY, 'loneliness')}")
    assert errors("taxonomy_term", term.get_json()) == []
    assert term.get_json()["code"] == "loneliness"
    assert api.get("/api/oruk/taxonomy_terms/loneliness").get_json() == term.get_json()
    assert api.get("/api/oruk/taxonomies/nothing").status_code == 404
    assert api.get("/api/oruk/taxonomy_terms/nothing").status_code == 404


def test_modified_after_keeps_services_checked_since(api):
    every = _all_services(api)
    dates = sorted({service["assured_date"] for service in every})
    middle = dates[len(dates) // 2]
    since = _all_services(api, f"modified_after={middle}T00:00:00Z")
    assert 0 < len(since) < len(every)
    assert all(service["assured_date"] >= middle for service in since)
    assert {s["id"] for s in since} == {s["id"] for s in every if s["assured_date"] >= middle}
    assert _all_services(api, f"modified_after={middle}") == since


def test_start_and_end_time_keep_sessions_that_overlap(api):
    every = _all_services(api)
    evening = _all_services(api, "start_time=17:30&end_time=23:00")
    assert 0 < len(evening) < len(every)
    for service in evening:
        assert any(
            schedule.get("opens_at", "") < "23:00" and schedule.get("closes_at", "") > "17:30"
            for schedule in service["schedules"]
        )
    tuesday_morning = _all_services(api, "day=TU&start_time=09:00:00&end_time=12:00:00")
    for service in tuesday_morning:
        assert any(
            "TU" in schedule["byday"]
            and schedule["opens_at"] < "12:00"
            and schedule["closes_at"] > "09:00"
            for schedule in service["schedules"]
        )


@pytest.mark.parametrize(
    ("query", "parameter", "words"),
    [
        ("modified_after=yesterday", "modified_after", "must be a date"),
        ("start_time=9am", "start_time", "time of day"),
    ],
)
def test_bad_time_parameters_are_400_naming_them(api, query, parameter, words):
    for path in ("/api/oruk/services", "/api/oruk/service_at_locations"):
        response = api.get(f"{path}?{query}")
        assert response.status_code == 400
        error = error_of(response)
        assert error["parameter"] == parameter
        assert words in error["message"]


def test_an_end_time_before_the_start_time_runs_past_midnight(api):
    late = _all_services(api, "start_time=20:00&end_time=02:00")
    evening = _all_services(api, "start_time=20:00")
    early = _all_services(api, "end_time=02:00")
    assert {s["id"] for s in late} == {s["id"] for s in evening} | {s["id"] for s in early}


def test_a_northern_ireland_venue_gets_its_nation_as_region(api):
    from views import oruk

    with api.application.app_context():
        region = oruk.region_lookup()
        assert region("BT7 1NN") == "Northern Ireland"
        assert region("CT9 1LA") == "England"
