"""Every page type, the service page in detail, branding, escaping and the error pages."""

from __future__ import annotations

import dataclasses
import re
from urllib.parse import parse_qs, urlsplit

import pytest

PAGES = [
    "/",
    "/?q=lonely&near=CT9+1EP",
    "/needs",
    "/needs/loneliness",
    "/services/margate-mens-shed",
    "/shortlist/",
    "/shortlist/handout?ids=margate-mens-shed",
    "/shortlist/text?ids=margate-mens-shed",
    "/about",
    "/accessibility",
    "/privacy",
    "/data-sources",
    "/urgent-help",
]


@pytest.mark.parametrize("url", PAGES)
def test_every_page_renders_in_the_nhs_design(site, url):
    response = site.get(url)
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert '<html lang="en-GB">' in page
    assert "vendor/nhsuk/nhsuk-frontend.min.css" in page
    assert 'class="nhsuk-header' in page
    assert 'class="nhsuk-footer' in page
    assert 'href="#maincontent"' in page
    assert 'id="maincontent"' in page
    assert page.count("<h1") == 1
    # Nothing inline, so a strict Content-Security-Policy can be added.
    assert not re.search(r"<script(?![^>]*\bsrc=)", page)
    assert " style=" not in page
    assert "<style" not in page
    assert " onclick=" not in page
    # The only script is an enhancement, loaded as a module from a static file.
    assert re.findall(r"<script[^>]*>", page) == [
        re.search(r'<script type="module" src="/static/signpost\.js\?v=\w+">', page).group(0)
    ]


def test_pages_have_their_titles(site):
    titles = {
        "/about": "About Signpost – Signpost",
        "/accessibility": "Accessibility statement – Signpost",
        "/privacy": "Privacy notice – Signpost",
        "/data-sources": "Data sources and attribution – Signpost",
        "/needs": "Browse by need – Signpost",
        "/services/margate-mens-shed": "Margate Men&#39;s Shed – Signpost",
    }
    for url, title in titles.items():
        assert f"<title>{title}</title>" in site.get(url).get_data(as_text=True)


def test_service_page_has_everything(site):
    page = site.get("/services/margate-mens-shed").get_data(as_text=True)
    assert "Tuesdays and Thursdays, 10am to 1pm. Closed on bank holidays." in page
    assert "<strong>Next:</strong> Tomorrow, 10am to 1pm" in page
    assert "The Old Forge" in page
    assert "12 Example Street, Margate<br>CT9 1EP" in page
    assert "Buses 8 and 9 stop outside" in page  # directions in words
    assert "Step-free access" in page
    assert "Accessible toilet" in page
    assert "£2 a session. Tea, coffee and materials included." in page
    assert "You can refer yourself" in page
    assert "Drop in, no need to book" in page
    assert "Ages 18 and over" in page
    assert "Older people" in page
    assert "Men" in page
    assert 'href="tel:01632960001"' in page
    assert 'href="mailto:shed@example.org"' in page
    assert "Last checked 14 September 2026 by Thanet Link Worker Team." in page
    # Map links always; no map tiles unless the deployment allows them (SIGNPOST_MAP_TILES).
    assert "https://www.openstreetmap.org/?mlat=" in page
    assert "https://www.google.com/maps/search/?api=1&amp;query=" in page
    assert "https://www.openstreetmap.org/directions?to=" in page
    assert "sp-map" not in page.replace("sp-map-links", "")
    assert "<iframe" not in page
    assert 'href="/needs/loneliness"' in page


def test_small_map_only_when_tiles_are_allowed(site_app):
    from tests.conftest import configured

    with configured(site_app, SIGNPOST_MAP_TILES="https://tile.openstreetmap.org"):
        page = site_app.test_client().get("/services/margate-mens-shed").get_data(as_text=True)
    holder = re.search(r'<div class="sp-map"[^>]*>', page).group(0)
    assert 'data-map-tiles="https://tile.openstreetmap.org/{z}/{x}/{y}.png"' in holder
    assert 'role="img" aria-label="Map showing where The Old Forge is"' in holder
    assert " hidden" in holder  # drawn by JavaScript only
    with configured(site_app, SIGNPOST_MAP_TILES="javascript:alert(1)"):
        page = site_app.test_client().get("/services/margate-mens-shed").get_data(as_text=True)
    assert "data-map-tiles" not in page


def test_report_a_problem_is_prefilled_and_needs_no_account(site):
    page = site.get("/services/margate-mens-shed").get_data(as_text=True)
    assert "Report a problem with this listing" in page
    mail = re.search(r'href="(mailto:listings@example\.org\?[^"]+)"', page).group(1)
    query = parse_qs(urlsplit(mail.replace("&amp;", "&")).query)
    assert query["subject"] == ["Problem with listing: Margate Men's Shed"]
    assert "data/services/east-kent/margate-mens-shed.yaml" in query["body"][0]
    assert "http://localhost/services/margate-mens-shed" in query["body"][0]
    issue = re.search(r'href="(https://github\.com/example/signpost/issues/new\?[^"]+)"', page)
    assert (
        "margate-mens-shed"
        in parse_qs(urlsplit(issue.group(1).replace("&amp;", "&")).query)["body"][0]
    )
    source = "https://github.com/example/signpost/blob/main/data/services/east-kent/"
    assert f'href="{source}margate-mens-shed.yaml"' in page


def test_report_falls_back_to_words_when_not_configured(client):
    """Reports go to the directory's team, never in a circle back to the group itself."""
    page = client.get("/services/margate-mens-shed").get_data(as_text=True)
    assert "Contact Thanet Community Sheds CIC" not in page
    assert 'href="/contribute/margate-mens-shed"' in page
    assert "pass it on to the people who run this website" in page
    assert "data/services/thanet/margate-mens-shed.yaml" in page


def test_remote_and_national_services_say_how_to_reach_them(site):
    page = site.get("/services/national-grief-listening-line").get_data(as_text=True)
    assert "This is a national service" in page
    assert "By phone" in page or "Online" in page
    assert "openstreetmap" not in page


def test_listing_text_is_escaped(site_app, monkeypatch):
    """The validator refuses HTML, but the site must be safe even if some gets through."""
    from search.live import LiveDirectory

    real = LiveDirectory.listing
    evil = "<script>alert('x')</script><img src=x onerror=alert(1)>"

    def poisoned(self, listing_id, **kwargs):
        found = real(self, listing_id, **kwargs)
        if found is None:
            return None
        return dataclasses.replace(
            found,
            name=evil,
            description=evil,
            organisation=evil,
            contact=dataclasses.replace(found.contact, website="javascript:alert(1)"),
        )

    monkeypatch.setattr(LiveDirectory, "listing", poisoned)
    client = site_app.test_client()
    for url in (
        "/services/margate-mens-shed",
        "/shortlist/?ids=margate-mens-shed",
        "/shortlist/handout?ids=margate-mens-shed",
        "/shortlist/text?ids=margate-mens-shed",
    ):
        page = client.get(url).get_data(as_text=True)
        assert "<script>alert" not in page, url
        assert "<img src=x" not in page, url
        assert "&lt;script&gt;" in page, url
        assert 'href="javascript:' not in page, url


def test_branding_defaults_to_signpost_without_the_nhs_logo(client):
    page = client.get("/").get_data(as_text=True)
    assert '<a class="nhsuk-header__service-name sp-header__name" href="/">Signpost</a>' in page
    assert "nhsuk-header__logo" not in page
    assert "static/favicon.svg" in page


def test_branding_settings_from_the_environment(settings, publish_data, monkeypatch):
    from app import create_app

    assert publish_data().ok
    monkeypatch.setenv("SIGNPOST_SERVICE_NAME", "Thanet Community Directory")
    monkeypatch.setenv("SIGNPOST_ORGANISATION_NAME", "Thanet Health PCN")
    monkeypatch.setenv("SIGNPOST_LOGO", "nhs")
    app = create_app(
        {"SIGNPOST_DATA": str(settings.data_dir), "SIGNPOST_INDEX": str(settings.index_dir)}
    )
    page = app.test_client().get("/about").get_data(as_text=True)
    assert "About Thanet Community Directory" in page
    assert 'class="nhsuk-header__logo"' in page  # the NHS logo, for an NHS organisation
    assert 'aria-label="NHS Thanet Health PCN Thanet Community Directory homepage"' in page
    assert "Thanet Health PCN" in page

    monkeypatch.setenv("SIGNPOST_LOGO", "/static/our-logo.png")
    app = create_app(
        {"SIGNPOST_DATA": str(settings.data_dir), "SIGNPOST_INDEX": str(settings.index_dir)}
    )
    page = app.test_client().get("/").get_data(as_text=True)
    assert '<img class="nhsuk-header__organisation-logo" src="/static/our-logo.png"' in page
    assert "nhsuk-header__logo" not in page


def test_404_and_other_errors_in_the_same_design(site):
    response = site.get("/no/such/page")
    assert response.status_code == 404
    page = response.get_data(as_text=True)
    assert "Page not found" in page
    assert 'class="nhsuk-header' in page
    wrong_method = site.post("/about")
    assert wrong_method.status_code == 405
    assert 'class="nhsuk-header' in wrong_method.get_data(as_text=True)


def test_500_page_in_the_same_design_without_a_stack_trace(settings, publish_data):
    from app import create_app

    assert publish_data().ok
    app = create_app(
        {"SIGNPOST_DATA": str(settings.data_dir), "SIGNPOST_INDEX": str(settings.index_dir)}
    )

    def broken():
        raise RuntimeError("secret internals")

    app.add_url_rule("/broken", view_func=broken)
    response = app.test_client().get("/broken")
    assert response.status_code == 500
    page = response.get_data(as_text=True)
    assert "Sorry, there is a problem with the service" in page
    assert 'class="nhsuk-header' in page
    assert "secret internals" not in page
    assert "Traceback" not in page


def test_static_assets_are_versioned_and_cached(site):
    page = site.get("/about").get_data(as_text=True)
    css = re.search(r'href="(/static/signpost\.css\?v=\w+)"', page).group(1)
    response = site.get(css)
    assert response.status_code == 200
    assert "max-age=31536000" in response.headers["Cache-Control"]
    response.close()
    plain = site.get("/static/signpost.css")
    assert "max-age=31536000" not in plain.headers.get("Cache-Control", "")
    plain.close()


def test_searches_are_not_leaked_to_other_sites(site):
    response = site.get("/?q=lonely&near=CT9+1EP")
    assert response.headers["Referrer-Policy"] == "same-origin"


def test_html_is_squeezed_but_text_areas_are_not(site):
    page = site.get("/shortlist/text?ids=margate-mens-shed").get_data(as_text=True)
    assert "\n\n" not in page.split("<textarea")[0]
    full = re.search(r'id="text-full"[^>]*>(.*?)</textarea>', page, re.S).group(1)
    assert "\n\n" in full  # a blank line between the heading and the first service
