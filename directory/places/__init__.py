"""Places: where a person is, from what they typed, offline.

Postcodes (shape, "did you mean"), British National Grid conversion, Ordnance Survey
Code-Point Open reading, the committed gazetteer of districts and place names, resolving
what someone typed into one search centre, the optional online geocoder, and distances by
haversine. Only what the rest of Signpost uses is exported here; the modules hold the rest.
"""

from __future__ import annotations

from directory.places.distance import (
    EARTH_RADIUS_MILES,
    MILES_PER_KM,
    distance_km,
    distance_miles,
    km_to_miles,
    miles_to_km,
)
from directory.places.gazetteer import (
    ATTRIBUTION,
    GAZETTEER_PATH,
    Gazetteer,
    Place,
    default_gazetteer,
    name_key,
)
from directory.places.online import OnlineGeocoder, make_online_geocoder
from directory.places.postcodes import (
    is_northern_ireland,
    likely_postcode,
    normalise_district,
    normalise_postcode,
)

__all__ = [
    "ATTRIBUTION",
    "EARTH_RADIUS_MILES",
    "GAZETTEER_PATH",
    "MILES_PER_KM",
    "Gazetteer",
    "OnlineGeocoder",
    "Place",
    "default_gazetteer",
    "distance_km",
    "distance_miles",
    "is_northern_ireland",
    "km_to_miles",
    "likely_postcode",
    "make_online_geocoder",
    "miles_to_km",
    "name_key",
    "normalise_district",
    "normalise_postcode",
]
