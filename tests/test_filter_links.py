"""The "Filters you chose" links: each removes its own filter and keeps every other one."""

from __future__ import annotations

import html
import re
from urllib.parse import parse_qsl, urlsplit

SEARCH = "/?q=lost+my+wife&near=CT9+1EP&day=mon,tue&free=true&need=bereavement"


def remove_links(site, url: str) -> dict[str, list[tuple[str, str]]]:
    """Each remove link's label and the query it leads to."""
    page = site.get(url).get_data(as_text=True)
    found = re.findall(r'<a class="sp-remove-filter" href="([^"]*)">([^<]*)<', page)
    return {label: parse_qsl(urlsplit(html.unescape(href)).query) for href, label in found}


def test_each_link_removes_only_its_own_filter(site):
    links = remove_links(site, SEARCH)
    assert list(links) == ["Free", "Monday", "Tuesday", "Bereavement and grief"]
    place = [("q", "lost my wife"), ("near", "CT9 1EP")]
    assert links["Free"] == [*place, ("day", "mon,tue"), ("need", "bereavement")]
    assert links["Bereavement and grief"] == [*place, ("free", "true"), ("day", "mon,tue")]


def test_one_day_of_several_written_as_one_value_is_removed_alone(site):
    links = remove_links(site, SEARCH)
    assert ("day", "tue") in links["Monday"]
    assert ("day", "mon") in links["Tuesday"]
    assert ("free", "true") in links["Monday"]


def test_the_last_day_removed_drops_the_parameter(site):
    links = remove_links(site, "/?q=lost+my+wife&near=CT9+1EP&day=wed")
    assert [name for name, _value in links["Wednesday"]] == ["q", "near"]
