"""The JSON API (/api/v1): response shapes, parameters, one error shape, HTTP manners, and
the OpenAPI document checked against the running app with Schemathesis.

Most tests share one app over a dozen real listings (``api_app`` in conftest.py, clock fixed
on a Tuesday morning); tests that need to break something build their own.
"""

from __future__ import annotations

import gzip
import json
import re

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode
from schemathesis.specs.openapi.checks import negative_data_rejection, positive_data_acceptance
from werkzeug.exceptions import TooManyRequests

from tests.conftest import API_LISTINGS, inside_one_minute

SEARCH_KEYS = {
    "query",
    "total",
    "page",
    "per_page",
    "pages",
    "results",
    "facets",
    "location",
    "urgent",
    "did_you_mean",
    "search_instead",
    "unclear",
    "interpreted",
    "wider",
    "missing",
    "local_services_nearby",
    "covered_areas",
    "build_id",
    "timed_out",
    "links",
}
RESULT_KEYS = {
    "id",
    "name",
    "organisation",
    "summary",
    "status",
    "needs",
    "distance",
    "nearest_location",
    "next_session",
    "cost",
    "access",
    "delivery",
    "national",
    "areas_served",
    "locations",
    "last_reviewed",
    "who_for_text",
    "checked",
    "stale_warning",
    "links",
}
SERVICE_KEYS = (RESULT_KEYS - {"distance", "nearest_location"}) | {
    "description",
    "area",
    "who_for",
    "contact",
    "schedule",
    "languages",
    "reviewed_by",
}
LOCATION_KEYS = {"name", "address", "postcode", "lat", "lon", "accessibility", "transport"}
ERROR_KEYS = {"status", "code", "message"}


def error_of(response) -> dict:
    assert response.mimetype == "application/json"
    body = response.get_json()
    assert set(body) == {"error"}
    assert set(body["error"]) >= ERROR_KEYS
    assert body["error"]["status"] == response.status_code
    return body["error"]


# --------------------------------------------------------------------------- shapes


def test_search_response_shape(api):
    response = api.get("/api/v1/services?near=CT9 1LA&per_page=3")
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    body = response.get_json()
    assert set(body) == SEARCH_KEYS
    assert body["total"] >= 3
    assert body["pages"] >= 1
    assert len(body["results"]) == 3
    for result in body["results"]:
        assert set(result) == RESULT_KEYS
        for location in result["locations"]:
            assert set(location) == LOCATION_KEYS
    assert set(body["facets"]) == {"cost", "access_needs", "day", "access", "delivery", "need"}
    assert body["location"]["label"] == "CT9 1LA"
    assert set(body["links"]) == {"self", "first", "prev", "next", "last"}


def test_search_by_need_and_place_puts_the_nearest_match_first(api):
    body = api.get("/api/v1/services?need=bereavement&near=CT9 1LA").get_json()
    first = body["results"][0]
    assert first["id"] == "margate-bereavement-cafe"
    assert first["distance"]["miles"] < 0.5
    assert first["distance"]["km"] == pytest.approx(first["distance"]["miles"] * 1.609, abs=0.1)
    assert first["nearest_location"] == 0
    assert {"id": "bereavement", "label": "Bereavement and grief"} in first["needs"]
    assert first["locations"][0]["lat"] is not None
    assert first["locations"][0]["lon"] is not None
    ids = [result["id"] for result in body["results"]]
    assert "gospel-oak-bereavement-cafe" not in ids  # Camden is 70 miles away
    assert "deal-walk-and-talk-bereavement" not in ids  # Deal is outside 5 miles


def test_result_tells_when_what_and_how(api):
    body = api.get("/api/v1/services?need=bereavement&near=CT9 1LA").get_json()
    first = body["results"][0]
    session = first["next_session"]
    assert session["date"] >= "2026-11-24"  # the fixed clock: Tuesday 24 November 2026
    assert set(session) == {"date", "day", "opens", "closes", "running_now", "check_week", "text"}
    assert first["cost"]["free"] is True
    assert first["cost"]["text"] == "Free"
    assert "drop-in" in first["access"]["routes"]
    assert "Drop in, no need to book" in first["access"]["labels"]
    assert first["summary"].endswith(".")
    assert len(first["summary"]) <= 201
    assert first["links"]["self"] == "http://localhost/api/v1/services/margate-bereavement-cafe"
    assert first["links"]["html"] == "http://localhost/services/margate-bereavement-cafe"


def test_links_use_the_public_address_when_configured(api_settings):
    from app import create_app

    app = create_app(
        {
            "TESTING": True,
            "SIGNPOST_DATA": str(api_settings.data_dir),
            "SIGNPOST_INDEX": str(api_settings.index_dir),
            "SIGNPOST_PUBLIC_URL": "https://signpost.example.org/",
        }
    )
    body = app.test_client().get("/api/v1/services?per_page=1").get_json()
    links = body["results"][0]["links"]
    assert links["self"].startswith("https://signpost.example.org/api/v1/services/")
    assert links["html"].startswith("https://signpost.example.org/services/")
    assert body["links"]["next"] == "https://signpost.example.org/api/v1/services?per_page=1&page=2"


def test_did_you_mean_and_interpretation(api):
    body = api.get("/api/v1/services?q=lonley").get_json()
    assert body["did_you_mean"] == "lonely"
    assert {"id": "loneliness", "label": "Loneliness and isolation"} in body["interpreted"]["needs"]


def test_paging_links(api):
    body = api.get("/api/v1/services?per_page=5").get_json()
    assert body["pages"] == -(-body["total"] // 5)
    assert body["links"]["prev"] is None
    assert body["links"]["next"].endswith("per_page=5&page=2")
    last = api.get(body["links"]["last"]).get_json()
    assert last["links"]["next"] is None
    assert last["page"] == body["pages"]


def test_service_detail_shape(api):
    response = api.get("/api/v1/services/margate-bereavement-cafe")
    assert response.status_code == 200
    body = response.get_json()
    assert set(body) == SERVICE_KEYS
    assert body["name"] == "Tea and Talk Bereavement Café"
    assert set(body["who_for"]) == {"age_min", "age_max", "groups", "eligibility"}
    assert set(body["contact"]) == {"phone", "email", "website"}
    assert body["schedule"]
    assert "text" in body["schedule"][0]
    assert {"code": "en", "name": "English"} in body["languages"]


def test_needs_counts_open_services(api):
    body = api.get("/api/v1/needs").get_json()
    needs = {need["id"]: need for need in body["needs"]}
    assert needs["bereavement"]["services"] == 5  # 4 cafés and walks, 1 phone line
    assert needs["bereavement"]["label"] == "Bereavement and grief"
    assert needs["bereavement"]["links"]["services"].endswith("/api/v1/services?need=bereavement")
    assert needs["stop-smoking"]["services"] == 0
    assert {"id": "carers", "label": "Carers"} in body["groups"]


def test_geocode(api):
    body = api.get("/api/v1/geocode?place=ct9 1la").get_json()
    assert body["label"] == "CT9 1LA"
    assert body["kind"] == "postcode"
    assert 51.3 < body["lat"] < 51.5
    assert 1.3 < body["lon"] < 1.5
    assert body["query"] == "ct9 1la"


def test_geocode_unknown_place_is_404_with_suggestions(api):
    response = api.get("/api/v1/geocode?place=Margat")
    assert response.status_code == 404
    error = error_of(response)
    assert error["code"] == "place-not-found"
    assert error["parameter"] == "place"
    assert any("Margate" in suggestion for suggestion in error["suggestions"])


def test_cli_search_json_is_unchanged(api_settings):
    """`signpost search --json` keeps its own shape (search.response_dict.response_to_dict)."""
    from click.testing import CliRunner

    from cli import main

    result = CliRunner().invoke(
        main,
        [
            "search",
            "lonely",
            "--json",
            "--data",
            str(api_settings.data_dir),
            "--index",
            str(api_settings.index_dir),
        ],
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert {"query", "interpreted", "results", "facets", "build_id"} <= set(data)
    assert {"id", "score", "listing"} <= set(data["results"][0])


# --------------------------------------------------------------------------- errors


BAD_PARAMETERS = [
    ("radius=500", "radius", "0.1 to 100"),
    ("radius=far", "radius", "0.1 to 100"),
    ("day=funday", "day", "mon, tue"),
    ("age=200", "age", "0 to 120"),
    ("access=walk-in", "access", "drop-in"),
    ("delivery=post", "delivery", "online"),
    ("need=lonely", "need", "loneliness"),
    ("page=0", "page", "1 to 100"),
    ("per_page=51", "per_page", "1 to 50"),
    ("free=maybe", "free", "true or false"),
    ("open_now=sometimes", "open_now", "true or false"),
    ("radious=3", "radious", "radius"),
    ("near=Xyzzyqq", "near", "postcode"),
]


@pytest.mark.parametrize(("query", "parameter", "allowed"), BAD_PARAMETERS)
def test_bad_parameter_is_400_naming_it_and_what_is_allowed(api, query, parameter, allowed):
    response = api.get(f"/api/v1/services?{query}")
    assert response.status_code == 400
    error = error_of(response)
    assert error["parameter"] == parameter
    assert allowed in error["allowed"]
    assert error["code"] in {"bad-parameter", "unknown-parameter", "place-not-found"}
    assert parameter in error["message"] or "find" in error["message"]
    assert response.headers["Cache-Control"] == "no-store"


def test_misspelt_parameter_gets_a_suggestion(api):
    error = error_of(api.get("/api/v1/services?radious=3"))
    assert error == {
        "status": 400,
        "code": "unknown-parameter",
        "message": "Unknown parameter 'radious'. Did you mean 'radius'?",
        "parameter": "radious",
        "allowed": "q, exact, near, radius, free, step_free, day, open_now, age, access, "
        "delivery, need, local_only, page, per_page",
    }


def test_cache_busting_parameters_are_ignored(api):
    assert api.get("/api/v1/services?_=1700000000").status_code == 200


def test_unknown_service_is_a_json_404(api):
    response = api.get("/api/v1/services/no-such-service")
    assert response.status_code == 404
    assert error_of(response) == {
        "status": 404,
        "code": "not-found",
        "message": "There is no service with the id 'no-such-service'. Search for services at "
        "/api/v1/services.",
    }


@pytest.mark.parametrize("path", ["/api/v2/services", "/api/", "/api/oruk/nothing"])
def test_unknown_address_is_a_json_404(api, path):
    response = api.get(path)
    assert response.status_code == 404
    assert error_of(response)["code"] == "not-found"


def test_the_site_keeps_its_html_404(api):
    response = api.get("/services/no-such-service")
    assert response.status_code == 404
    assert response.mimetype == "text/html"


def test_writing_is_a_json_405(api):
    response = api.post("/api/v1/services", json={})
    assert response.status_code == 405
    assert error_of(response)["code"] == "method-not-allowed"
    assert response.headers["Allow"] == "GET, HEAD, OPTIONS"


def test_rate_limited_is_a_json_429(api_app, monkeypatch):
    """flask-limiter raises werkzeug's TooManyRequests; it must come out in the API's shape."""

    def limited():
        raise TooManyRequests(retry_after=30)

    monkeypatch.setattr("views.api.live", limited)
    response = api_app.test_client().get("/api/v1/services")
    assert response.status_code == 429
    assert error_of(response) == {
        "status": 429,
        "code": "too-many-requests",
        "message": "Too many requests. Wait a minute, then try again more slowly.",
    }
    assert response.headers["Retry-After"] == "30"
    assert response.headers["Access-Control-Allow-Origin"] == "*"


def test_the_real_rate_limit_answers_in_the_api_shape(api_settings):
    from app import create_app

    app = create_app(
        {
            "SIGNPOST_DATA": str(api_settings.data_dir),
            "SIGNPOST_INDEX": str(api_settings.index_dir),
            "RATELIMIT_ENABLED": True,
            "SIGNPOST_RATE_LIMIT": "2 per minute",
        }
    )
    client = app.test_client()
    inside_one_minute()
    assert [client.get("/api/v1/needs").status_code for _ in range(2)] == [200, 200]
    response = client.get("/api/v1/needs")
    assert response.status_code == 429
    assert error_of(response)["code"] == "too-many-requests"
    assert int(response.headers["Retry-After"]) > 0
    assert "text/html" in client.get("/").content_type  # the site keeps its own 429 page


def test_server_error_is_a_json_500_without_details(api_app, monkeypatch):
    def broken():
        raise RuntimeError("secret internals")

    monkeypatch.setattr("views.api.live", broken)
    monkeypatch.setitem(api_app.config, "PROPAGATE_EXCEPTIONS", False)
    response = api_app.test_client().get("/api/v1/services")
    assert response.status_code == 500
    error = error_of(response)
    assert error["code"] == "server-error"
    assert "secret" not in response.get_data(as_text=True)


def test_no_index_yet_is_a_json_503(data_dir, tmp_path):
    from app import create_app

    app = create_app({"SIGNPOST_DATA": str(data_dir), "SIGNPOST_INDEX": str(tmp_path / "none")})
    client = app.test_client()
    response = client.get("/api/v1/services?q=lonely")
    assert response.status_code == 503
    error = error_of(response)
    assert error["code"] == "no-index"
    assert int(response.headers["Retry-After"]) > 0
    assert client.get("/api/oruk/services").status_code == 503
    assert client.get("/api/v1/openapi.json").status_code == 200  # needs no index
    assert "not ready yet" in client.get("/").get_data(as_text=True)  # the site's own page


# --------------------------------------------------------------------------- HTTP manners


def test_etag_and_not_modified(api):
    first = api.get("/api/v1/services?q=lonely")
    etag = first.headers["ETag"]
    assert etag.startswith('W/"')
    assert first.headers["Cache-Control"] == "public, max-age=300"
    again = api.get("/api/v1/services?q=lonely", headers={"If-None-Match": etag})
    assert again.status_code == 304
    assert again.data == b""
    assert again.headers["ETag"] == etag
    assert again.headers["Access-Control-Allow-Origin"] == "*"
    other = api.get("/api/v1/services?q=bereavement")
    assert other.headers["ETag"] != etag
    assert api.get("/api/v1/services?q=lonely", headers={"If-None-Match": '"x"'}).status_code == 200


def test_etag_changes_when_the_index_is_rebuilt(client, data_dir, publish_data):
    before = client.get("/api/v1/needs").headers["ETag"]
    assert client.get("/api/v1/needs").headers["ETag"] == before
    path = data_dir / "services" / "thanet" / "margate-mens-shed.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("Men's Shed", "Makers"), "utf-8")
    assert publish_data().ok
    assert client.get("/api/v1/needs").headers["ETag"] != before


def test_next_session_answers_change_with_the_clock(api, monkeypatch):
    etag = api.get("/api/v1/services/margate-bereavement-cafe").headers["ETag"]
    needs_etag = api.get("/api/v1/needs").headers["ETag"]
    monkeypatch.setattr("views.api.time.time", lambda: 4_102_444_800.0)  # the year 2100
    assert api.get("/api/v1/services/margate-bereavement-cafe").headers["ETag"] != etag
    assert api.get("/api/v1/needs").headers["ETag"] == needs_etag


def test_gzip_when_accepted(api):
    plain = api.get("/api/v1/services?per_page=10")
    assert "Content-Encoding" not in plain.headers
    assert "Accept-Encoding" in plain.headers["Vary"]
    packed = api.get("/api/v1/services?per_page=10", headers={"Accept-Encoding": "gzip, br"})
    assert packed.headers["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in packed.headers["Vary"]
    assert int(packed.headers["Content-Length"]) < len(plain.data) / 3
    assert json.loads(gzip.decompress(packed.data)) == plain.get_json()
    assert packed.headers["ETag"] == plain.headers["ETag"]


def test_small_or_refused_bodies_are_not_gzipped(api):
    small = api.get("/api/oruk/", headers={"Accept-Encoding": "gzip"})
    assert len(small.data) < 500
    assert "Content-Encoding" not in small.headers
    refused = api.get("/api/v1/needs", headers={"Accept-Encoding": "gzip;q=0, identity"})
    assert "Content-Encoding" not in refused.headers


def test_cors_on_answers_and_errors(api):
    assert api.get("/api/v1/needs").headers["Access-Control-Allow-Origin"] == "*"
    error = api.get("/api/v1/services?radius=500")
    assert error.headers["Access-Control-Allow-Origin"] == "*"
    assert "ETag" in api.get("/api/v1/needs").headers["Access-Control-Expose-Headers"]


def test_cors_preflight(api):
    response = api.open(
        "/api/v1/services",
        method="OPTIONS",
        headers={
            "Origin": "https://council.example.gov.uk",
            "Access-Control-Request-Method": "GET",
            "Access-Control-Request-Headers": "If-None-Match",
        },
    )
    assert response.status_code == 200
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert response.headers["Access-Control-Allow-Methods"] == "GET, HEAD, OPTIONS"
    assert response.headers["Access-Control-Allow-Headers"] == "If-None-Match"
    assert response.headers["Access-Control-Max-Age"] == "86400"


def test_head_has_headers_and_no_body(api):
    response = api.head("/api/v1/services")
    assert response.status_code == 200
    assert response.data == b""
    assert response.headers["ETag"]


# --------------------------------------------------------------------------- OpenAPI


def test_openapi_document_describes_every_endpoint(api, api_settings):
    from schemathesis.specs.openapi.definitions import OPENAPI_31_VALIDATOR

    from directory.vocabulary import load_vocabulary, vocabulary_path

    document = api.get("/api/v1/openapi.json").get_json()
    assert document["openapi"] == "3.1.0"
    assert [str(error) for error in OPENAPI_31_VALIDATOR.iter_errors(document)] == []
    assert set(document["paths"]) == {
        "/api/v1/services",
        "/api/v1/services/{id}",
        "/api/v1/needs",
        "/api/v1/coverage",
        "/api/v1/geocode",
        "/api/oruk/",
        "/api/oruk/services",
        "/api/oruk/services/{id}",
        "/api/oruk/taxonomies",
        "/api/oruk/taxonomies/{id}",
        "/api/oruk/taxonomy_terms",
        "/api/oruk/taxonomy_terms/{id}",
        "/api/oruk/service_at_locations",
        "/api/oruk/service_at_locations/{id}",
        "/api/oruk/organizations",
        "/api/oruk/organizations/{id}",
    }
    parameters = {
        param["name"]: param["schema"]
        for param in document["paths"]["/api/v1/services"]["get"]["parameters"]
    }
    assert parameters["radius"]["minimum"] == 0.1
    assert parameters["radius"]["maximum"] == 100
    assert parameters["per_page"]["maximum"] == 50
    assert parameters["day"]["items"]["enum"] == ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
    vocab = load_vocabulary(vocabulary_path(api_settings.data_dir))
    assert parameters["need"]["items"]["enum"] == list(vocab.needs)
    responses = document["paths"]["/api/v1/services"]["get"]["responses"]
    for status in ("400", "429", "500", "503"):
        schema = responses[status]["content"]["application/json"]["schema"]
        assert schema == {"$ref": "#/components/schemas/Error"}


# Every operation is fuzzed with schema-valid data; those with parameters also with invalid
# data. Schemathesis checks every response: no 5xx, status codes, content types, headers
# and bodies all as documented.
OPERATIONS = [
    "GET /api/v1/services",
    "GET /api/v1/services/{id}",
    "GET /api/v1/needs",
    "GET /api/v1/geocode",
    "GET /api/oruk/",
    "GET /api/oruk/services",
    "GET /api/oruk/services/{id}",
    "GET /api/oruk/taxonomies",
    "GET /api/oruk/taxonomy_terms",
]
WITH_PARAMETERS = [
    "GET /api/v1/services",
    "GET /api/v1/geocode",
    "GET /api/oruk/services",
    "GET /api/oruk/taxonomies",
]
FUZZ = [(label, GenerationMode.POSITIVE) for label in OPERATIONS] + [
    (label, GenerationMode.NEGATIVE) for label in WITH_PARAMETERS
]


@pytest.fixture(scope="module")
def api_schema(api_app):
    api_app.config["PROPAGATE_EXCEPTIONS"] = False  # a crash must show up as a 500 response
    return schemathesis.openapi.from_wsgi("/api/v1/openapi.json", api_app)


def valid_requests_accepted(ctx, response, case) -> None:
    """Schema-valid requests succeed, except a 'near' that names no real place.

    Stands in for Schemathesis's positive_data_acceptance, which cannot know that random
    text is not a UK town.
    """
    if case.meta is None or not case.meta.generation.mode.is_positive:
        return
    if response.status_code == 400:
        error = json.loads(response.content)["error"]
        assert error["code"] == "place-not-found", f"valid request refused: {error}"


@pytest.mark.parametrize(("label", "mode"), FUZZ, ids=[f"{m.value} {label}" for label, m in FUZZ])
def test_openapi_matches_behaviour(api_schema, label, mode):
    """Schemathesis, in process, bounded and deterministic (50 examples per operation).

    Two built-in checks are replaced or left out, on purpose: parameters are lenient as the
    site's are (an empty value is ignored; flags also accept yes/no/1/0), so "invalid data
    must be rejected" does not apply; and positive_data_acceptance is replaced by
    valid_requests_accepted above. Responses are requested without gzip because the WSGI
    test transport does not decompress (gzip has its own tests above).
    """
    operation = api_schema.find_operation_by_label(label)
    assert operation is not None, label

    @given(case=operation.as_strategy(generation_mode=mode))
    @settings(
        max_examples=50,
        derandomize=True,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    def check(case):
        case.call_and_validate(
            headers={"Accept-Encoding": "identity"},
            excluded_checks=[negative_data_rejection, positive_data_acceptance],
            additional_checks=[valid_requests_accepted],
        )

    check()


def test_fixture_has_the_listings_the_tests_name():
    names = {name.split("/")[-1].removesuffix(".yaml") for name in API_LISTINGS}
    assert {"margate-bereavement-cafe", "gospel-oak-bereavement-cafe"} <= names


@pytest.mark.parametrize(
    ("raw", "value"),
    [("3", 3), (" 30.0 ", 30), ("+2", 2), ("1e1", 10)],
)
def test_whole_numbers_may_be_written_as_json_writes_them(raw, value):
    from search.request import whole_number

    assert whole_number(raw) == value


@pytest.mark.parametrize("raw", ["3.5", "three", "nan", "inf", "", "1,000"])
def test_what_is_not_a_whole_number(raw):
    from search.request import whole_number

    with pytest.raises(ValueError, match=re.escape(raw or "''")):  # it names the text
        whole_number(raw)


def test_a_page_written_as_30_0_is_page_30(api):
    """Schemathesis (and JSON) count 30.0 as a whole number; so does the API."""
    assert api.get("/api/v1/services?page=2.0&per_page=5").get_json()["page"] == 2
    assert api.get("/api/oruk/services?page=2.0&per_page=5.0").get_json()["page_number"] == 2
    assert api.get("/api/v1/services?page=2.5").status_code == 400
