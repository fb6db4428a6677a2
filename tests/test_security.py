"""Security headers, escaping of listing text, request size and per-client rate limits."""

from __future__ import annotations

import pytest

from app import create_app
from tests.conftest import inside_one_minute
from views.security import host_name, trusted_hosts

HOSTILE_NAME = "<script>alert('x')</script> Shed"


@pytest.mark.parametrize("path", ["/", "/healthz", "/services/margate-mens-shed", "/nowhere"])
def test_every_response_carries_the_security_headers(client, path):
    response = client.get(path)
    headers = response.headers
    csp = headers["Content-Security-Policy"]
    assert "default-src 'self'" in csp
    assert "script-src 'self'" in csp
    assert "unsafe-inline" not in csp
    assert "frame-ancestors 'none'" in csp
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "same-origin"
    assert headers["X-Frame-Options"] == "DENY"
    assert "Strict-Transport-Security" not in headers  # plain HTTP: no HSTS


def test_hsts_only_over_https(client):
    response = client.get("/healthz", base_url="https://localhost")
    assert response.headers["Strict-Transport-Security"].startswith("max-age=31536000")


def test_behind_a_proxy_https_and_client_address_come_from_the_proxy(settings, publish_data):
    assert publish_data().ok
    app = create_app(
        {
            "TESTING": True,
            "SIGNPOST_DATA": str(settings.data_dir),
            "SIGNPOST_INDEX": str(settings.index_dir),
            "SIGNPOST_PROXY_COUNT": "1",
        }
    )
    response = app.test_client().get(
        "/healthz", headers={"X-Forwarded-Proto": "https", "X-Forwarded-For": "203.0.113.9"}
    )
    assert "Strict-Transport-Security" in response.headers


def test_map_tiles_setting_widens_only_images(settings, publish_data):
    assert publish_data().ok
    app = create_app(
        {
            "SIGNPOST_DATA": str(settings.data_dir),
            "SIGNPOST_INDEX": str(settings.index_dir),
            "SIGNPOST_MAP_TILES": "https://tile.openstreetmap.org",
        }
    )
    csp = app.test_client().get("/healthz").headers["Content-Security-Policy"]
    assert "img-src 'self' data: https://tile.openstreetmap.org" in csp
    assert "script-src 'self';" in csp


def test_the_validator_refuses_html_in_listings(data_dir, publish_data):
    path = data_dir / "services" / "thanet" / "margate-mens-shed.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("name: Margate Men's Shed", f'name: "{HOSTILE_NAME}"'), "utf-8")
    published = publish_data()
    assert not published.ok
    assert "contains HTML tags" in published.problems[0].message


def test_listing_text_with_html_is_shown_as_text(client, settings, vocab):
    """Even a listing that reached the index another way (an import, a bug) stays text."""
    from dataclasses import replace

    from directory.places import default_gazetteer
    from directory.validation import validate_paths
    from search.build import build_index, locate

    report = validate_paths([settings.services_dir], vocab)
    hostile = replace(report.listings[0], name=HOSTILE_NAME, description=f"Hi {HOSTILE_NAME}")
    listings, _ = locate([hostile], default_gazetteer())
    build_index(listings, settings.index_dir, vocab)
    for url in ("/services/margate-mens-shed", "/?q=shed"):
        page = client.get(url).get_data(as_text=True)
        assert "<script>alert" not in page
        assert "&lt;script&gt;alert(" in page


def test_oversized_requests_are_refused(client):
    for path in ("/shortlist/add", "/", "/api/v1/services"):
        response = client.post(path, data={"id": "x" * 200_000})
        assert response.status_code == 413, path


@pytest.fixture
def limited(settings, publish_data):
    assert publish_data().ok
    client = create_app(
        {
            "TESTING": True,
            "RATELIMIT_ENABLED": True,
            "SIGNPOST_RATE_LIMIT": "5 per minute",
            "SIGNPOST_DATA": str(settings.data_dir),
            "SIGNPOST_INDEX": str(settings.index_dir),
        }
    ).test_client()
    inside_one_minute()
    return client


def test_too_many_searches_get_a_friendly_429_page(limited):
    statuses = [limited.get("/?q=shed").status_code for _ in range(6)]
    assert statuses == [200] * 5 + [429]
    refused = limited.get("/?q=shed")
    assert refused.headers["Retry-After"] == "60"
    assert "X-RateLimit-Remaining" not in refused.headers
    page = refused.get_data(as_text=True)
    assert "too many searches" in page
    assert "Traceback" not in page


def test_too_many_api_calls_get_the_json_error_shape(limited):
    for _ in range(5):
        limited.get("/api/v1/needs")
    response = limited.get("/api/v1/services?q=shed")
    assert response.status_code == 429
    assert response.get_json()["error"]["status"] == 429


def test_limits_are_per_client_address(limited):
    for _ in range(5):
        limited.get("/?q=shed", environ_base={"REMOTE_ADDR": "198.51.100.1"})
    assert limited.get("/?q=shed", environ_base={"REMOTE_ADDR": "198.51.100.1"}).status_code == 429
    assert limited.get("/?q=shed", environ_base={"REMOTE_ADDR": "198.51.100.2"}).status_code == 200


def test_health_checks_are_never_limited(limited):
    assert all(limited.get("/healthz").status_code == 200 for _ in range(10))


# ---- The Host header --------------------------------------------------------------------------


def make_app(settings, **config):
    return create_app(
        {
            "TESTING": True,
            "SIGNPOST_DATA": str(settings.data_dir),
            "SIGNPOST_INDEX": str(settings.index_dir),
            **config,
        }
    )


EVIL = {"Host": "evil.example"}
LOOPBACK = ("localhost", "127.0.0.1", "::1")
SHED = "margate-mens-shed"


@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/?q=shed",
        f"/services/{SHED}",
        f"/shortlist/handout?ids={SHED}",
        f"/shortlist/text?ids={SHED}",
        f"/shortlist/?ids={SHED}",
        "/api/v1/services?q=shed",
        f"/api/v1/services/{SHED}",
        "/static//x",
    ],
)
def test_another_sites_name_is_refused_not_reflected(client, path):
    response = client.get(path, headers=EVIL)
    assert response.status_code == 400
    body = response.get_data(as_text=True)
    assert "evil.example" not in body
    assert "evil.example" not in str(response.headers)
    if path.startswith("/api/"):
        assert "does not answer to that site name" in response.get_json()["error"]["message"]
    else:
        assert "Sorry, something was wrong with that request" in body


def test_a_posted_handout_from_another_site_name_is_refused(client):
    response = client.post("/shortlist/handout", data={"ids": SHED}, headers=EVIL)
    assert response.status_code == 400


def test_health_checks_answer_any_name(client):
    assert client.get("/healthz", headers=EVIL).status_code == 200


def test_the_public_url_names_the_site_and_builds_every_link(settings, publish_data):
    assert publish_data().ok
    app = make_app(settings, SIGNPOST_PUBLIC_URL="https://signpost.example.org")
    client = app.test_client()
    assert client.get(f"/services/{SHED}", headers=EVIL).status_code == 400
    assert client.get("/", headers={"Host": "localhost"}).status_code == 200  # on the server
    good = {"Host": "signpost.example.org"}
    handout = client.get(f"/shortlist/handout?ids={SHED}").get_data(as_text=True)
    assert "https://signpost.example.org/" in handout
    assert "http://localhost" not in handout
    text = client.get(f"/shortlist/text?ids={SHED}", headers=good).get_data(as_text=True)
    assert "https://signpost.example.org/" in text
    api = client.get(f"/api/v1/services/{SHED}", headers=good).get_data(as_text=True)
    assert "https://signpost.example.org/" in api
    assert "localhost" not in api


def test_trusted_hosts_setting(settings, publish_data):
    assert publish_data().ok
    client = make_app(
        settings, SIGNPOST_TRUSTED_HOSTS="signpost.example.org, .nhs.example"
    ).test_client()
    for host, status in [
        ("signpost.example.org", 200),
        ("SIGNPOST.example.org:8443", 200),
        ("thanet.nhs.example", 200),
        ("nhs.example", 200),
        ("evil.example", 400),
        ("localhost", 200),
        ("evil.example:80@localhost", 400),
        ("signpost.example.org.evil.example", 400),
    ]:
        assert client.get("/about", headers={"Host": host}).status_code == status, host


@pytest.mark.parametrize(
    ("public_url", "listed", "expected"),
    [
        ("", "", LOOPBACK),
        ("https://signpost.example.org/", "", ("signpost.example.org", *LOOPBACK)),
        (
            "https://signpost.example.org:8443",
            "a.example b.example",
            ("a.example", "b.example", "signpost.example.org", *LOOPBACK),
        ),
        ("", "Signpost.Example.org.,*", ("signpost.example.org", "*", *LOOPBACK)),
    ],
)
def test_trusted_host_names(public_url, listed, expected):
    assert trusted_hosts(public_url, listed) == expected


@pytest.mark.parametrize(
    ("host", "name"),
    [
        ("localhost:5000", "localhost"),
        ("[::1]:5000", "::1"),
        ("Example.ORG.", "example.org"),
        ("", ""),
    ],
)
def test_host_name(host, name):
    assert host_name(host) == name


def test_doubled_slashes_are_not_found_rather_than_redirected(client):
    response = client.get("/static//x")
    assert response.status_code == 404
    assert "Location" not in response.headers


def test_api_etags_differ_between_site_names(client):
    """Answers hold absolute links on the name asked for: one name's ETag must not fit both."""
    first = client.get("/api/v1/services?q=shed", headers={"Host": "localhost"})
    second = client.get("/api/v1/services?q=shed", headers={"Host": "127.0.0.1"})
    assert first.headers["ETag"] != second.headers["ETag"]
    again = client.get(
        "/api/v1/services?q=shed",
        headers={"Host": "127.0.0.1", "If-None-Match": first.headers["ETag"]},
    )
    assert again.status_code == 200
    assert "http://127.0.0.1/" in again.get_data(as_text=True)
