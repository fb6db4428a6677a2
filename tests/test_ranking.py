"""The ranking blend: relevance, distance and freshness, with stable ties (pure arrays)."""

from __future__ import annotations

import numpy as np
import pytest

from search.ranking import blend, freshness, order, proximity

TODAY = 740_000
NAN = float("nan")


@pytest.mark.parametrize(
    ("age_days", "expected"), [(0, 1.0), (365, 1.0), (547.5, 0.5), (730, 0.0), (2000, 0.0)]
)
def test_freshness_fades_over_the_second_year(age_days, expected):
    assert freshness(np.array([TODAY - age_days]), TODAY)[0] == pytest.approx(expected)


def test_proximity_halves_at_a_quarter_of_the_radius():
    found = proximity(np.array([0.0, 1.25, NAN]), radius_miles=5)
    assert found.tolist() == pytest.approx([1.0, 0.5, 0.4])


def rank(texts, distances, reviewed_ages, paused=None, names=None, located=True):
    n = len(texts)
    score = blend(
        np.array(texts, dtype=float),
        np.array(distances, dtype=float),
        np.array([TODAY - age for age in reviewed_ages]),
        np.array(paused or [False] * n),
        located=located,
        radius_miles=5,
        today=TODAY,
    )
    return order(score, np.array(distances, dtype=float), np.array(names or range(n))).tolist()


def test_more_relevant_first_when_equally_near():
    assert rank([1.0, 3.0], [1.0, 1.0], [0, 0]) == [1, 0]


def test_much_nearer_beats_slightly_more_relevant():
    assert rank([3.0, 2.8], [4.9, 0.1], [0, 0]) == [1, 0]


def test_long_unreviewed_listings_sink():
    assert rank([1.0, 1.0], [1.0, 1.0], [1000, 10]) == [1, 0]


def test_paused_listings_sink():
    assert rank([1.0, 1.0], [1.0, 1.0], [0, 0], paused=[True, False]) == [1, 0]


def test_ties_break_by_distance_then_name():
    # Without a place, distance plays no part in the score but still breaks ties.
    assert rank([1.0, 1.0, 1.0], [2.0, 1.0, 1.0], [0, 0, 0], names=[0, 2, 1], located=False) == [
        2,
        1,
        0,
    ]


def test_no_words_means_equal_relevance():
    score = blend(
        None,
        np.array([NAN, NAN]),
        np.array([TODAY, TODAY]),
        np.array([False, False]),
        located=False,
        radius_miles=5,
        today=TODAY,
    )
    assert score.tolist() == pytest.approx([1.0, 1.0])
