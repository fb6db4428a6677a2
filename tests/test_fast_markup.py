"""partials/fast.html's written-out NHS.UK components give the pages nhsuk-frontend-jinja's
own markup, after the whitespace pass every page gets (views/rendering.py), byte for byte."""

from __future__ import annotations

import pytest

from views.rendering import squeeze_text

TEXTS = [
    "Back to search",
    "  We could not find 'Nowhere' & <b>friends</b>  ",
    "First line\n  second line\n\nafter a blank line \t",
    "Café – “quotes”",
]


def both(site_app, ours: str, theirs: str, **values: object) -> tuple[str, str]:
    """Our template and the NHS one rendered with ``values``, whitespace squeezed."""
    env = site_app.jinja_env
    with site_app.test_request_context("/"):
        return (
            squeeze_text(env.from_string(ours).render(**values)),
            squeeze_text(env.from_string(theirs).render(**values)),
        )


@pytest.mark.parametrize("text", TEXTS)
def test_back_link(site_app, text):
    ours, theirs = both(
        site_app,
        '{% from "partials/fast.html" import back_link %}\n{{ back_link(href, text) }}',
        '{% from "nhsuk/components/back-link/macro.jinja" import backLink %}\n'
        '{{ backLink({"href": href, "text": text}) }}',
        href="/?q=a&near=b",
        text=text,
    )
    assert ours == theirs


@pytest.mark.parametrize("text", TEXTS)
def test_inset_text(site_app, text):
    ours, theirs = both(
        site_app,
        '{% from "partials/fast.html" import inset_text %}\n{{ inset_text(text) }}',
        '{% from "nhsuk/components/inset-text/macro.jinja" import insetText %}\n'
        '{{ insetText({"text": text}) }}',
        text=text,
    )
    assert ours == theirs


@pytest.mark.parametrize("heading", ["Paused for now", "Closed", "A <b> & 'this'"])
def test_warning_callout(site_app, heading):
    ours, theirs = both(
        site_app,
        '{% from "partials/fast.html" import warning_callout %}\n'
        "{% call warning_callout(heading) %}\n  <p>{{ text }}</p>\n{% endcall %}",
        '{% from "nhsuk/components/warning-callout/macro.jinja" import warningCallout %}\n'
        '{% call warningCallout({"heading": heading}) %}\n  <p>{{ text }}</p>\n{% endcall %}',
        heading=heading,
        text=TEXTS[1],
    )
    assert ours == theirs


def test_error_summary(site_app):
    errors = [{"href": "#q", "text": text} for text in TEXTS]
    ours, theirs = both(
        site_app,
        '{% from "partials/fast.html" import error_summary %}\n{{ error_summary(errors) }}',
        '{% from "nhsuk/components/error-summary/macro.jinja" import errorSummary %}\n'
        '{{ errorSummary({"heading": "There is a problem", "errorList": errors}) }}',
        errors=errors,
    )
    assert ours == theirs
    assert ours.count("<li>") == len(TEXTS)


@pytest.mark.parametrize("summary", TEXTS)
def test_closed_details(site_app, summary):
    ours, theirs = both(
        site_app,
        '{% from "partials/fast.html" import closed_details %}\n'
        '{% call closed_details(summary, "sp-contributors") %}\n  <p>Inside</p>\n{% endcall %}',
        '{% from "nhsuk/components/details/macro.jinja" import details %}\n'
        '{% call details({"summary": summary, "classes": "sp-contributors"}) %}\n'
        "  <p>Inside</p>\n{% endcall %}",
        summary=summary,
    )
    assert ours == theirs
