"""Order matched listings by a blend of relevance, distance and freshness, as arrays.

The blend is the one described in the README ("How results are ranked"): relevance is the
text score divided by the best in this result set, so the blend means the same for every
query; proximity is 1 on the doorstep and 0.5 at a quarter of the radius (services with no
venue in reach count as 0.4, national ones 0.1, so a local group comes before a national line
of similar relevance unless online or phone was asked for); freshness is 1 for listings
checked within a year, falling to 0 at two years; paused listings are scaled down. Ties are
broken by distance, then name, then id, so the same search always gives the same order.

Written over NumPy arrays because a search without a place can match tens of thousands of
listings at 100,000, where building and sorting one Python object per match took half a
second. Pure: arrays in, arrays out.
"""

from __future__ import annotations

import numpy as np

W_RELEVANCE = 0.55
W_PROXIMITY = 0.35
W_FRESHNESS = 0.10
PAUSED_FACTOR = 0.7
REMOTE_PROXIMITY = 0.4
# A national service with no venue in reach, when a place was given: less than any venue
# within the radius (0.2 at its edge), so a local group of similar relevance comes first.
NATIONAL_PROXIMITY = 0.1
FRESH_DAYS = 365
STALE_DAYS = 730
DECIMALS = 9  # scores equal to this many places are ties
SERVED_MILES = 2.0


def freshness(reviewed: np.ndarray, today: int) -> np.ndarray:
    """1.0 for listings checked in the last year, falling linearly to 0 at two years."""
    age = today - np.asarray(reviewed, dtype=np.float64)
    fading = 1.0 - (age - FRESH_DAYS) / (STALE_DAYS - FRESH_DAYS)
    return np.clip(fading, 0.0, 1.0)


def proximity(
    distance: np.ndarray, radius_miles: float, national: np.ndarray | None = None
) -> np.ndarray:
    """1.0 on the doorstep, 0.5 at a quarter of the radius; NaN (no venue in reach) counts as
    0.4 for the area's own phone and online services, 0.1 for ``national`` ones."""
    scale = max(radius_miles / 4, 0.25)
    near = 1.0 / (1.0 + np.nan_to_num(distance, nan=0.0) / scale)
    remote = np.full(len(near), REMOTE_PROXIMITY)
    if national is not None:
        remote = np.where(national, NATIONAL_PROXIMITY, remote)
    return np.where(np.isnan(distance), remote, near)


def served_distance(radius_miles: float) -> float:
    """The distance a service for the searched place's area (``areas_served``, no venue in
    reach) is ranked at: 2 miles, or half the radius when that is smaller.

    A venue of equal relevance nearer than that comes first; venues further away come
    after, so a Bristol helpline is neither above the group round the corner nor buried
    under ones across the city.
    """
    return min(SERVED_MILES, radius_miles / 2)


def blend(
    text_scores: np.ndarray | None,
    distance: np.ndarray,
    reviewed: np.ndarray,
    paused: np.ndarray,
    *,
    located: bool,
    radius_miles: float,
    today: int,
    national: np.ndarray | None = None,
    remote_wanted: bool = False,
) -> np.ndarray:
    """The final score of each match (``text_scores`` None: no words, all equally relevant).

    With a place, a local in-person match beats a ``national`` one (bool per match) of
    similar relevance, unless the person asked for online or phone services
    (``remote_wanted``): then where a service is based does not matter, only relevance.
    """
    if text_scores is None or not len(text_scores):
        relevance = np.ones(len(reviewed))
    else:
        best = float(np.max(text_scores)) or 1.0
        relevance = np.asarray(text_scores, dtype=np.float64) / best
    fresh = freshness(reviewed, today)
    if located and not remote_wanted:
        score = (
            W_RELEVANCE * relevance
            + W_PROXIMITY * proximity(distance, radius_miles, national)
            + W_FRESHNESS * fresh
        )
    else:
        score = (W_RELEVANCE + W_PROXIMITY) * relevance + W_FRESHNESS * fresh
    return np.where(paused, score * PAUSED_FACTOR, score)


def order(score: np.ndarray, distance: np.ndarray, name_rank: np.ndarray) -> np.ndarray:
    """Positions of the matches, best first: score, then nearest, then name and id.

    ``name_rank`` is each match's place in the whole index sorted by (name, id), so
    comparing it compares names and ids without touching strings.
    """
    rounded = np.round(score, DECIMALS)
    far = np.where(np.isnan(distance), np.inf, distance)
    return np.lexsort((name_rank, far, -rounded))
