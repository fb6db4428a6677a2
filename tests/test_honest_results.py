"""Honest results: who a service is for, when it was checked, what a filter hid, what is near.

Issue 10 parts 3: cards, service pages and the API say who a restricted service is for and
when its listing was checked, warn when a listing is past the stale limit, name the filter
that left a stated need with nothing, say which areas the directory covers when a place has
no local listings, never offer an unrelated service for a need, and rank a local group above
a national line of similar relevance.
"""

from __future__ import annotations

import numpy as np

from search.ranking import blend, order

TODAY = 740_000
NAN = float("nan")


def ranked(texts, distances, national, *, remote_wanted=False):
    n = len(texts)
    score = blend(
        np.array(texts, dtype=float),
        np.array(distances, dtype=float),
        np.full(n, TODAY),
        np.zeros(n, dtype=bool),
        located=True,
        radius_miles=5,
        today=TODAY,
        national=np.array(national, dtype=bool),
        remote_wanted=remote_wanted,
    )
    return order(score, np.array(distances, dtype=float), np.arange(n)).tolist()


def test_local_group_beats_a_national_line_of_similar_relevance():
    # A national course a little more relevant than a café a mile away, or at the radius's
    # edge (0.2 proximity against the national line's 0.1).
    assert ranked([1.0, 0.75], [NAN, 1.0], [True, False]) == [1, 0]
    assert ranked([1.0, 0.95], [NAN, 4.9], [True, False]) == [1, 0]


def test_a_national_line_still_wins_when_far_more_relevant():
    assert ranked([1.0, 0.2], [NAN, 4.9], [True, False]) == [0, 1]


def test_an_areas_own_phone_line_is_not_treated_as_national():
    # Local phone befriending (no venue, not national) keeps its old standing.
    assert ranked([1.0, 0.85], [NAN, 4.9], [False, False]) == [0, 1]


def test_asking_for_online_or_phone_ranks_by_relevance_alone():
    assert ranked([1.0, 0.85], [NAN, 0.1], [True, False], remote_wanted=True) == [0, 1]
    assert ranked([1.0, 0.85], [NAN, 0.1], [True, False]) == [1, 0]
