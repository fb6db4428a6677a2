"""The bundled example data: enough of it, valid, and clearly fictional."""

from __future__ import annotations

import re
from collections import Counter
from datetime import date

import pytest

from directory.places import default_gazetteer
from directory.validation import validate_paths
from directory.vocabulary import load_vocabulary
from tests.conftest import BUNDLED_SERVICES, example_files

RESERVED_PHONE = re.compile(r"^(01632 960\d{3}|020 7946 0\d{3}|07700 900\d{3})$")


@pytest.fixture(scope="module")
def report():
    """The fictional examples only: real listings volunteers add need no example markings."""
    vocab = load_vocabulary()
    return validate_paths(example_files(), vocab, gazetteer=default_gazetteer())


def test_every_bundled_listing_is_valid():
    vocab = load_vocabulary()
    everything = validate_paths([BUNDLED_SERVICES], vocab, gazetteer=default_gazetteer())
    assert [str(p) for p in everything.problems] == []


def test_enough_listings_areas_and_needs(report):
    assert len(report.listings) >= 150
    areas = Counter(listing.area for listing in report.listings)
    assert len([area for area, count in areas.items() if count >= 40]) >= 3
    needs = {need for listing in report.listings for need in listing.needs}
    assert len(needs) >= 30


def test_examples_say_they_are_examples(report):
    for listing in report.listings:
        contact = listing.contact
        assert not contact.phone or RESERVED_PHONE.match(contact.phone), listing.path
        assert not contact.email or contact.email.endswith("@example.org"), listing.path
        assert not contact.website or contact.website.startswith("https://example.org"), (
            listing.path
        )


def test_bundled_vocabulary():
    vocab = load_vocabulary()
    assert len(vocab.needs) >= 30
    for need in vocab.needs.values():
        assert need.label
        assert need.description
        assert len(need.words) >= 5, need.id
        assert need.phrases, need.id
        assert need.misspellings, need.id
    assert {"older-people", "carers", "veterans", "new-arrivals", "young-people"} <= set(
        vocab.groups
    )


def test_stale_report_has_the_older_examples(report):
    from directory.stale import stale_listings

    rows = stale_listings(report.listings, months=12, today=date(2026, 11, 23))
    assert rows
    assert all(row.months_ago >= 12 for row in rows)
    assert [row.last_reviewed for row in rows] == sorted(row.last_reviewed for row in rows)
