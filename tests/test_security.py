"""Security headers, escaping of listing text, request size and per-client rate limits."""

from __future__ import annotations

import pytest

from app import create_app

HOSTILE_NAME = "<script>alert('x')</script> Shed"


@pytest.mark.parametrize("path", ["/", "/healthz", "/services/margate-mens-shed", "/nowhere"])
def test_every_response_carries_the_security_headers(client, path):
    response = client.get(path)
    headers = response.headers
    csp = headers["Content-Security-Policy"]
    assert "default-src 'self'" in csp
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert "frame-ancestors 'none'" in csp
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "same-origin"
    assert headers["X-Frame-Options"] == "DENY"
    assert "Strict-Transport-Security" not in headers  # plain HTTP: no HSTS


def test_hsts_only_over_https(client):
    response = client.get("/healthz", base_url="https://signpost.example.org")
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

    from directory.geocode import default_gazetteer
    from directory.validate import validate_paths
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
    return create_app(
        {
            "TESTING": True,
            "RATELIMIT_ENABLED": True,
            "SIGNPOST_RATE_LIMIT": "5 per minute",
            "SIGNPOST_DATA": str(settings.data_dir),
            "SIGNPOST_INDEX": str(settings.index_dir),
        }
    ).test_client()


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
