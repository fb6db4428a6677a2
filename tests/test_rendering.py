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
