"""What every page costs to send: the whitespace pass, asset URLs and the shared footer."""

from __future__ import annotations

import random
import re

import pytest

from views.rendering import squeeze_text

_BLANK_RUN = re.compile(r"[ \t]*\n\s*")


@pytest.mark.parametrize(
    "text",
    [
        "",
        "no newline  ",
        "  lead\n",
        "\n",
        "\n\n\n",
        "a\n\n  b",
        "a \t\n \t \n\tb \n",
        "  first  \n  second  \n  last  ",
        "a\xa0\n\xa0b",
        "a\r\n  b\r\n",
        "x\n \x0b\x0c \ny",
        "<p>\n      Hello\n    </p>\n\n",
    ],
)
def test_squeeze_text_matches_the_regular_expression(text):
    assert squeeze_text(text) == _BLANK_RUN.sub("\n", text)


def test_squeeze_text_matches_on_random_text():
    rng = random.Random(20261130)
    alphabet = ["a", "<b>", " ", " ", "\t", "\n", "\n", "\r", "\xa0", "\x0b", "\u2003", "é"]
    for _ in range(3000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randrange(0, 40)))
        assert squeeze_text(text) == _BLANK_RUN.sub("\n", text), repr(text)


def test_footer_is_rendered_once_per_site_root(site_app):
    from flask import template_rendered

    rendered: list[str] = []

    def record(_app, template, **_extra):
        rendered.append(template.name)

    client = site_app.test_client()
    with template_rendered.connected_to(record, site_app):
        first = client.get("/about").get_data(as_text=True)
        second = client.get("/needs").get_data(as_text=True)
        mounted = client.get("/about", base_url="http://localhost/signpost")
    footer_of = re.compile(r"<footer.*?</footer>", re.S)
    assert footer_of.search(first).group(0) == footer_of.search(second).group(0)
    assert "Accessibility statement" in footer_of.search(first).group(0)
    # At most once before this test (the app is shared) and once for the new mount point.
    assert rendered.count("partials/footer.html") <= 2
    assert 'href="/signpost/about"' in footer_of.search(mounted.get_data(as_text=True)).group(0)


def test_asset_urls_carry_the_content_hash(site_app, tmp_path):
    import hashlib
    from pathlib import Path

    from views.rendering import asset_url

    css = Path(site_app.static_folder) / "signpost.css"
    expected = hashlib.sha256(css.read_bytes()).hexdigest()[:10]
    with site_app.test_request_context("/"):
        assert asset_url("signpost.css").endswith(f"signpost.css?v={expected}")
        assert asset_url("signpost.css") == asset_url("signpost.css")
        # A missing file still gets a working (unversioned) URL, not an error.
        assert asset_url("no-such-file.css").endswith("/static/no-such-file.css")


def test_header_is_rendered_once_per_page_kind_and_shortlist_size(site_app):
    """The cached header still marks the page you are on and counts your shortlist."""
    from flask import template_rendered

    rendered: list[str] = []

    def record(_app, template, **_extra):
        rendered.append(template.name)

    header_of = re.compile(r"<header.*?</header>", re.S)
    client = site_app.test_client()
    with template_rendered.connected_to(record, site_app):
        about = header_of.search(client.get("/about").get_data(as_text=True)).group(0)
        again = header_of.search(client.get("/about").get_data(as_text=True)).group(0)
        needs = header_of.search(client.get("/needs").get_data(as_text=True)).group(0)
        need = header_of.search(client.get("/needs/loneliness").get_data(as_text=True)).group(0)
    assert about == again
    assert rendered.count("partials/header.html") <= 3  # /about (once at most), /needs, /needs/x
    assert re.search(r'href="/about" aria-current="page"', about)
    assert re.search(r'href="/needs" aria-current="page"', needs)
    assert re.search(r'href="/needs" aria-current="true"', need)  # a need's page is under it
    assert "Shortlist (" not in about

    client.post("/shortlist/add", data={"id": "margate-mens-shed", "next": "/"})
    one = header_of.search(client.get("/about").get_data(as_text=True)).group(0)
    assert "Shortlist (1)" in one
    client.post("/shortlist/add", data={"id": "margate-bereavement-cafe", "next": "/"})
    assert "Shortlist (2)" in client.get("/about").get_data(as_text=True)
    client.post("/shortlist/clear")
    assert "Shortlist (" not in header_of.search(client.get("/about").get_data(as_text=True)).group(
        0
    )


def test_cached_parts_follow_changed_settings_and_mount_points(site_app):
    """A new organisation name or logo shows in the header and footer at once (the cache is
    keyed by the site's settings), and a site mounted elsewhere gets its own links."""
    from tests.conftest import configured

    client = site_app.test_client()
    before = client.get("/about").get_data(as_text=True)
    assert "Example Health Partnership" not in before
    with configured(site_app, SIGNPOST_ORGANISATION_NAME="Example Health Partnership"):
        changed = client.get("/about").get_data(as_text=True)
    header = re.search(r"<header.*?</header>", changed, re.S).group(0)
    footer = re.search(r"<footer.*?</footer>", changed, re.S).group(0)
    assert "Example Health Partnership" in header
    assert "Example Health Partnership. " in footer
    assert client.get("/about").get_data(as_text=True) == before  # and back again
    mounted = client.get("/about", base_url="http://localhost/signpost").get_data(as_text=True)
    header = re.search(r"<header.*?</header>", mounted, re.S).group(0)
    assert 'href="/signpost/needs"' in header
    assert 'href="/needs"' not in header


def test_asset_urls_are_made_once_per_site_root(site_app):
    from views.rendering import asset_url

    with site_app.test_request_context("/"):
        root = asset_url("signpost.css")
    with site_app.test_request_context("/", base_url="http://localhost/signpost"):
        mounted = asset_url("signpost.css")
        assert asset_url("signpost.css") == mounted
    assert root.startswith("/static/signpost.css?v=")
    assert mounted == "/signpost" + root
