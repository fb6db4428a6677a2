"""Listings in plain words: ways to start a service never contradict each other."""

from __future__ import annotations

from dataclasses import replace

import pytest

from directory.model import Access
from directory.wording import describe_routes
from tests.test_schedule import listing


@pytest.mark.parametrize(
    ("routes", "expected"),
    [
        (("professional-referral",), ["Needs a referral (GP, link worker or other professional)"]),
        (
            ("self-referral", "professional-referral"),
            [
                "You can refer yourself",
                "A GP, link worker or other professional can also refer you",
            ],
        ),
        (("drop-in",), ["Drop in, no need to book"]),
    ],
)
def test_ways_to_start(routes, expected):
    item = replace(listing(), access=Access(routes, "Ring first."))
    assert describe_routes(item) == expected
