"""Filters, reach and counts as boolean arrays over a build (search.filters, search.facets),
checked against the listings themselves, and the per-build caches a search reads."""

from __future__ import annotations

import threading
from dataclasses import replace

import numpy as np
import pytest

from directory.places import default_gazetteer, distance_miles
from directory.serialise import listing_from_dict
from directory.settings import Settings
from search.filters import Distances, filter_docs, in_reach, open_among, served_docs
from search.live import LiveDirectory
from search.request import SearchRequest
from search.snapshot import Snapshot
from tests import test_search
from tests.test_search import NOW

# The small hand-made directory of tests/test_search.py, built once for this module too.
built = test_search.built
vocab_module = test_search.vocab_module

REQUESTS = {
    "free": SearchRequest(free=True),
    "step-free": SearchRequest(step_free=True),
    "tuesday or wednesday": SearchRequest(days=("tue", "wed")),
    "friday, free": SearchRequest(days=("fri",), free=True),
    "self-referral": SearchRequest(access=("self-referral",)),
    "phone": SearchRequest(delivery=("phone",)),
    "loneliness or gardening": SearchRequest(needs=("loneliness", "gardening")),
    "aged 30": SearchRequest(age=30),
    "aged 60, free": SearchRequest(age=60, free=True),
}


def passes(listing, request: SearchRequest) -> bool:
    """The filters, read straight from a listing: the oracle the arrays must agree with."""
    days = {day for session in listing.schedule for day in session.days}
    low, high = listing.who_for.age_min, listing.who_for.age_max
    return (
        (not request.free or listing.cost.free)
        and (not request.step_free or listing.step_free)
        and (not request.days or bool(days & set(request.days)))
        and (not request.access or bool(set(listing.access.routes) & set(request.access)))
        and (not request.delivery or bool(set(listing.delivery) & set(request.delivery)))
        and (not request.needs or bool(set(listing.needs) & set(request.needs)))
        and (request.age is None or ((low is None or low <= request.age)
                                     and (high is None or request.age <= high)))
    )  # fmt: skip


@pytest.fixture(scope="module")
def snapshot(built):
    return built.snapshot()


@pytest.fixture(scope="module")
def listings(snapshot):
    return [listing_from_dict(snapshot.payload(docnum)) for docnum in range(snapshot.count)]


def test_every_facet_value_mask_holds_the_same_documents_as_its_set(snapshot):
    table = snapshot.facets
    for facet, values in table.sets.items():
        for value, members in values.items():
            assert np.flatnonzero(table.mask(facet, value)).tolist() == sorted(members)
    assert not table.mask("need", "no-such-need").any()


def test_a_builds_shared_masks_cannot_be_changed_by_a_request(snapshot):
    table = snapshot.facets
    with pytest.raises(ValueError, match="read-only"):
        table.mask("cost", "free")[0] = False
    with pytest.raises(ValueError, match="read-only"):
        table.open_mask[0] = False


@pytest.mark.parametrize("request_", REQUESTS.values(), ids=REQUESTS.keys())
def test_filters_keep_exactly_the_listings_that_pass_them(snapshot, listings, request_):
    table = snapshot.facets
    found = filter_docs(table, request_, table.open_mask, NOW)
    expected = [
        docnum
        for docnum, listing in enumerate(listings)
        if listing.status != "closed" and passes(listing, request_)
    ]
    assert np.flatnonzero(found).tolist() == expected


def test_no_filter_gives_back_the_same_array_and_changes_nothing(snapshot):
    table = snapshot.facets
    allowed = table.open_mask
    before = allowed.copy()
    assert filter_docs(table, SearchRequest(), allowed, NOW) is allowed
    filter_docs(table, SearchRequest(free=True, age=60), allowed, NOW)
    assert np.array_equal(allowed, before)


def test_open_among_leaves_out_closed_listings(snapshot, listings):
    table = snapshot.facets
    everything = np.ones(table.count, dtype=bool)
    kept = np.flatnonzero(open_among(table, everything)).tolist()
    assert kept == [d for d, listing in enumerate(listings) if listing.status != "closed"]


@pytest.mark.parametrize("radius", [1.0, 5.0, 100.0])
def test_reach_is_every_venue_within_the_radius_with_its_nearest_distance(
    snapshot, listings, radius
):
    table = snapshot.facets
    place = default_gazetteer().resolve("CT9 1EP")
    near, distances = in_reach(table, place, radius, include_remote=False)
    expected: dict[int, float] = {}
    for docnum, listing in enumerate(listings):
        miles = [
            distance_miles(place.lat, place.lon, loc.lat, loc.lon)
            for loc in listing.locations
            if loc.lat is not None and loc.lon is not None
        ]
        if miles and min(miles) <= radius:
            expected[docnum] = min(miles)
    assert distances.docs.tolist() == sorted(expected)
    assert distances.miles.tolist() == pytest.approx([expected[d] for d in sorted(expected)])
    assert set(np.flatnonzero(near).tolist()) >= set(expected)
    assert table.within(place.lat, place.lon, radius) == dict(
        zip(distances.docs.tolist(), distances.miles.tolist(), strict=True)
    )


def test_remote_reach_adds_national_services(snapshot, listings):
    table = snapshot.facets
    place = default_gazetteer().resolve("CT9 1EP")
    local, _ = in_reach(table, place, 5.0, include_remote=False)
    remote, _ = in_reach(table, place, 5.0, include_remote=True)
    national = [d for d, listing in enumerate(listings) if listing.national]
    assert national
    assert all(remote[d] and not local[d] for d in national)


def test_distances_look_up_merge_and_miss():
    distances = Distances(np.array([2, 5, 9]), np.array([0.5, 1.5, 3.0]))
    found = distances.of(np.array([9, 3, 2]))
    assert found[0] == 3.0
    assert np.isnan(found[1])
    assert found[2] == 0.5
    assert distances.has(np.array([1, 5, 10])).tolist() == [False, True, False]
    merged = distances.with_others(np.array([1, 5, 7]), 2.0)
    assert merged.docs.tolist() == [1, 2, 5, 7, 9]
    assert merged.miles.tolist() == [2.0, 0.5, 1.5, 2.0, 3.0]  # 5 keeps its own distance
    assert np.isnan(Distances.none().of(np.array([1]))[0])


def test_areas_served_are_kept_per_build_and_shared_read_only(snapshot):
    table = snapshot.facets
    place = default_gazetteer().resolve("CT9 1EP")
    first = served_docs(table, place)
    assert served_docs(table, place) is first
    assert not first.flags.writeable


def test_a_decoded_listing_is_kept_and_equal_to_a_fresh_decode(snapshot):
    first = snapshot.listing_at(0)
    assert snapshot.listing_at(0) is first
    assert first == listing_from_dict(snapshot.payload(0))
    assert snapshot.listing(first.id) is first
    assert snapshot.listing("no-such-listing") is None


def test_a_derived_value_may_be_made_from_another_without_deadlock(snapshot):
    done: list[int] = []

    def outer_value(snap):
        return snap.derived("test-inner", lambda _snap: 1) + 1

    thread = threading.Thread(
        target=lambda: done.append(snapshot.derived("test-outer", outer_value)), daemon=True
    )
    thread.start()
    thread.join(timeout=5)
    assert done == [2]


def test_need_counts_count_open_listings_per_need_once_per_build(built, listings):
    live = LiveDirectory(Settings(index_dir=built.root))
    counts = live.need_counts()
    expected: dict[str, int] = {}
    for listing in listings:
        if listing.status != "closed":
            for need in listing.needs:
                expected[need] = expected.get(need, 0) + 1
    assert counts == expected
    counts["loneliness"] = 0  # a caller's copy: the kept counts are not changed
    assert live.need_counts() == expected


def test_changing_a_request_keeps_filter_answers_consistent(snapshot):
    table = snapshot.facets
    request = REQUESTS["friday, free"]
    both = filter_docs(table, request, table.open_mask, NOW)
    friday = filter_docs(table, replace(request, free=False), table.open_mask, NOW)
    assert not (both & ~friday).any()  # adding a filter only ever takes listings away


def test_a_listing_is_found_by_id_even_when_ids_are_not_in_order(built):
    """Builds add listings in id order (a binary search finds them); a table in another
    order (an older build) still finds each one, through Whoosh's look-up."""
    snapshot = Snapshot.open(built.snapshot().folder)
    ids = list(snapshot.facets.ids)
    assert ids == sorted(ids)
    assert [snapshot.docnum(listing_id) for listing_id in ids] == list(range(len(ids)))
    snapshot.facets.ids = ids[::-1]  # as if out of order: the binary search misses
    assert [snapshot.docnum(listing_id) for listing_id in ids] == list(range(len(ids)))
    assert snapshot.docnum("no-such-listing") is None
