"""The optional online geocoder: geopy's Nominatim, asked only when every offline lookup fails.

Off unless a deployment configures it (``SIGNPOST_GEOCODER=nominatim`` and an identifying
user agent). geopy is imported only when one is built, so sites that stay offline never
need it; at most one request a second goes out, as Nominatim's usage policy asks.
"""

from __future__ import annotations

import functools
import logging
import threading
from collections import OrderedDict
from typing import Any, Protocol

from directory.places.names import MAX_QUERY_CHARS
from directory.places.place import Place

log = logging.getLogger(__name__)


class OnlineGeocoder(Protocol):
    """Anything with a geopy-style ``geocode(query)``; results need .latitude/.longitude."""

    def geocode(self, query: str) -> Any: ...


# A generous box around the UK, Channel Islands and Isle of Man: an online answer outside
# it is someone else's "Margate" and worse than no answer.
_UK_BOX = (49.0, 61.5, -9.0, 2.5)
_CACHE_SIZE = 512


class OnlineAnswers:
    """Asks an online geocoder, remembering its last 512 answers (not-found included).

    Failures are logged and mean "not found" without being remembered: the service may be
    back next time. Safe to share between threads.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._cache: OrderedDict[str, Place | None] = OrderedDict()

    def resolve(self, geocoder: OnlineGeocoder | None, cleaned: str) -> Place | None:
        """What ``geocoder`` makes of ``cleaned`` (already cleaned text), if in the UK."""
        if geocoder is None or sum(c.isalnum() for c in cleaned) < 2:
            return None
        key = cleaned.casefold()
        with self._lock:
            if key in self._cache:
                self._cache.move_to_end(key)
                return self._cache[key]
        place = None
        try:
            found = geocoder.geocode(cleaned)
            if found is not None:
                lat, lon = float(found.latitude), float(found.longitude)
                south, north, west, east = _UK_BOX
                if south <= lat <= north and west <= lon <= east:
                    label = str(getattr(found, "address", "") or cleaned)[:MAX_QUERY_CHARS]
                    place = Place(lat=lat, lon=lon, kind="online", label=label)
        except Exception as exc:  # any failure of a remote service means "not found"
            log.warning("Online geocoder failed for %r: %s", cleaned, exc)
            return None  # do not cache failures: the service may be back next time
        with self._lock:
            self._cache[key] = place
            while len(self._cache) > _CACHE_SIZE:
                self._cache.popitem(last=False)
        return place


class _UKOnly:
    """Adapts geopy's Nominatim to ``geocode(query)``: UK results only, a short timeout,
    and at most one request a second as Nominatim's usage policy asks (geopy's own
    ``RateLimiter``, which holds a lock, so threads queue rather than burst)."""

    def __init__(self, geocoder: Any, min_interval: float = 1.0) -> None:
        from geopy.extra.rate_limiter import RateLimiter

        self._geocode = RateLimiter(
            functools.partial(geocoder.geocode, exactly_one=True, country_codes="gb", timeout=5),
            min_delay_seconds=min_interval,
            max_retries=0,
        )

    def geocode(self, query: str) -> Any:
        return self._geocode(query)


def make_online_geocoder(name: str | None, user_agent: str) -> OnlineGeocoder | None:
    """Build the online fallback a deployment asked for, or None when it asked for none.

    Only ``"nominatim"`` is supported; geopy is imported here, not at module load, so
    sites that stay offline never need it. Nominatim requires an identifying
    ``user_agent`` (e.g. "signpost/1.0 (admin@example.org)"). Any other name is logged and
    ignored, so a typo in configuration leaves the site offline rather than broken.
    """
    choice = (name or "").strip().lower()
    if choice in ("", "none", "off", "offline"):
        return None
    if choice != "nominatim":
        log.warning("Unknown online geocoder %r; staying offline.", name)
        return None
    if not user_agent or not user_agent.strip():
        raise ValueError("Nominatim needs a user_agent that identifies this site.")
    from geopy.geocoders import Nominatim

    return _UKOnly(Nominatim(user_agent=user_agent.strip()))
