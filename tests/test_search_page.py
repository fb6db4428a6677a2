"""The search page's form fields and result cards, made in Python (views/search_page.py)."""

from __future__ import annotations

import re
from datetime import datetime

import pytest

from views.present import Filters, Option
from views.search_page import cards, filter_form, option_text


def make_filters(**changes) -> Filters:
    values = {
        "free": Option("true", "Free", 4, False),
        "step_free": Option("true", "Step-free access", 0, True),
        "open_now": Option("true", "Open now", None, False),
        "local_only": Option(
            "true", "Only groups that meet near the place you entered", None, False
        ),
        "days": [Option("mon", "Monday", 3, True), Option("tue", "Tuesday", 1, False)],
        "access": [],
        "delivery": [Option("phone", "By phone", 2, False)],
        "needs": [Option("loneliness", "Loneliness & isolation", 5, False)],
        "age": "",
        "radius": "3",
        "active": [],
    }
    values.update(changes)
    return Filters(**values)


def test_option_text_gives_the_count_only_when_there_is_one():
    assert option_text(Option("true", "Free", 12, False)) == "Free (12)"
    assert option_text(Option("true", "Free", 0, False)) == "Free (0)"
    assert option_text(Option("true", "Open now", None, False)) == "Open now"


def test_checkbox_ids_are_numbered_as_nhsuk_numbers_them():
    form = filter_form(make_filters(), {}, with_place=True, radius_choices=(1, 3))
    names = [group.prefix for group in form.before_age]
    assert names == ["free", "step_free", "open_now", "day", "delivery", "local_only"]
    days = form.before_age[3]
    assert [box.id for box in days.boxes] == ["day", "day-2"]
    assert [box.name for box in days.boxes] == ["day", "day"]
    assert [(box.value, box.text, box.checked) for box in days.boxes] == [
        ("mon", "Monday (3)", True),
        ("tue", "Tuesday (1)", False),
    ]
    assert form.before_age[-1].boxes[0].text == "Only groups that meet near here"
    assert form.needs is not None
    assert form.needs.boxes[0].text == "Loneliness & isolation (5)"


def test_without_a_place_there_is_no_distance_or_only_local():
    form = filter_form(make_filters(days=[], needs=[]), {}, with_place=False, radius_choices=(1,))
    assert form.radius is None
    assert [group.prefix for group in form.before_age] == [
        "free", "step_free", "open_now", "delivery",
    ]  # fmt: skip
    assert form.needs is None


def test_a_distance_not_offered_is_added_and_chosen():
    form = filter_form(make_filters(radius="7"), {"radius": "Choose"}, with_place=True,
                       radius_choices=(1, 3))  # fmt: skip
    assert form.radius is not None
    assert form.radius.error == "Choose"
    assert [(c.value, c.text, c.selected) for c in form.radius.choices] == [
        ("1", "Within 1 mile", False),
        ("3", "Within 3 miles", False),
        ("7", "Within 7 miles", True),
    ]


def test_errors_go_to_their_own_fieldset():
    form = filter_form(make_filters(), {"day": "Choose days"}, with_place=True, radius_choices=())
    assert {group.prefix: group.error for group in form.before_age}["day"] == "Choose days"
    assert all(group.error == "" for group in form.before_age if group.prefix != "day")


@pytest.mark.parametrize("listing_id", ["margate-mens-shed", "odd id/é?#%", "a+b&c=d"])
def test_card_links_are_the_ones_url_for_builds(site_app, listing_id):
    """The card's link is the service URL with werkzeug's own quoting of the id, also for
    an id no validated listing could have, and under a mount point."""
    from dataclasses import replace

    from flask import url_for

    from views.common import live
    from views.present import summarise

    with site_app.test_request_context("/?q=x", base_url="http://localhost/signpost"):
        listing = replace(live().listings()[0], id=listing_id)
        summary = summarise(listing, live().vocabulary, datetime(2026, 11, 23, 9, 30))
        base = url_for("site.service", listing_id="-")[:-1]
        [card] = cards([summary], base, "/?q=x", [listing_id])
        assert card.href == url_for("site.service", listing_id=listing_id)
        assert card.href.startswith("/signpost/services/")
        assert card.next_url == f"/?q=x#result-{listing_id}"
        assert card.added
        [other] = cards([summary], base, "/?q=x", ["someone-else"])
        assert not other.added


@pytest.mark.parametrize("value", ["loneliness", "odd id/é?#%", "a+b&c=d", "~x y"])
def test_links_under_a_route_are_the_ones_url_for_builds(site_app, value):
    from flask import url_for

    from views.search_page import under

    with site_app.test_request_context("/needs", base_url="http://localhost/signpost"):
        base = url_for("site.need", need_id="-")[:-1]
        assert under(base, value) == url_for("site.need", need_id=value)


def test_browse_by_need_links_each_need_to_its_page(site):
    page = site.get("/needs").get_data(as_text=True)
    assert 'href="/needs/loneliness"' in page
    mounted = site.get("/needs", base_url="http://localhost/signpost").get_data(as_text=True)
    assert 'href="/signpost/needs/loneliness"' in mounted


def test_a_service_page_links_each_need_to_its_page(site):
    page = site.get("/services/margate-mens-shed").get_data(as_text=True)
    assert re.search(r'<a class="sp-tag-link" href="/needs/[a-z-]+">', page)
    mounted = site.get("/services/margate-mens-shed", base_url="http://localhost/signpost")
    assert re.search(r'class="sp-tag-link" href="/signpost/needs/[a-z-]+"', mounted.text)
