"""Distances between two points in miles or kilometres, by haversine on a sphere.

At UK scale a sphere is within 0.4% of the ellipsoid: geopy's ``geodesic`` costs about
80 us a pair, ``great_circle`` 6 us, this 0.5 us, which matters when ranking thousands of
listings per query.
"""

from __future__ import annotations

import math

EARTH_RADIUS_MILES = 3958.8
MILES_PER_KM = 1 / 1.609344
"""Exact: an international mile is 1.609344 km."""


def distance_miles(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in miles (haversine on a sphere).

    At UK scale this is within 0.4% of the ellipsoidal distance and about 100x cheaper than
    geopy's geodesic, which matters when ranking thousands of listings per query.
    """
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_MILES * math.asin(min(1.0, math.sqrt(h)))


def distance_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in kilometres; see ``distance_miles``."""
    return distance_miles(lat1, lon1, lat2, lon2) / MILES_PER_KM


def km_to_miles(km: float) -> float:
    """Kilometres to miles: listings give radii in either, people read miles."""
    return km * MILES_PER_KM


def miles_to_km(miles: float) -> float:
    """Miles to kilometres."""
    return miles / MILES_PER_KM
