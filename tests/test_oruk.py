"""Open Referral UK endpoints (/api/oruk): HSDS 3.0 pages and services, and the ORUK search
parameters translated to Signpost's own search."""

from __future__ import annotations

import pytest

from directory.export import NEEDS_TAXONOMY, service_uuid, term_uuid
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
    assert body["size"] == 14 and body["total_pages"] == 1
    assert body["first_page"] and body["last_page"] and not body["empty"]
    for service in body["contents"]:
        assert service["url"].startswith("http")  # the UK profile requires a url
        assert service["organization"]["name"]


def test_paging(api):
    body = api.get("/api/oruk/services?per_page=5&page=3").get_json()
    assert (body["page_number"], body["size"], body["total_pages"]) == (3, 4, 3)
    assert not body["first_page"] and body["last_page"]
    empty = api.get("/api/oruk/services?per_page=5&page=9").get_json()
    assert empty["empty"] and empty["contents"] == []


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
    assert [item["name"] for item in taxonomies["contents"]] == [
        "Signpost needs",
        "Signpost groups",
    ]
    terms = api.get("/api/oruk/taxonomy_terms?per_page=50").get_json()
    assert errors("page", {**terms, "contents": []}) == []
    assert terms["total_items"] == len(vocab.needs) + len(vocab.groups)
    for term in terms["contents"]:
        assert errors("taxonomy_term", term) == []


def test_oruk_answers_are_cached_and_compressed(api):
    first = api.get("/api/oruk/services", headers={"Accept-Encoding": "gzip"})
    assert first.headers["Content-Encoding"] == "gzip"
    assert first.headers["Access-Control-Allow-Origin"] == "*"
    again = api.get("/api/oruk/services", headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304
