"""The optional online geocoder: geopy's Nominatim, asked only when every offline lookup fails.

Off unless a deployment configures it (``SIGNPOST_GEOCODER=nominatim`` and an identifying
user agent). geopy is imported only when one is built, so sites that stay offline never
need it; at most one request a second goes out, as Nominatim's usage policy asks.
"""

from __future__ import annotations

import functools
import logging
from typing import Any, Protocol

log = logging.getLogger(__name__)


class OnlineGeocoder(Protocol):
    """Anything with a geopy-style ``geocode(query)``; results need .latitude/.longitude."""

    def geocode(self, query: str) -> Any: ...


# A generous box around the UK, Channel Islands and Isle of Man: an online answer outside
# it is someone else's "Margate" and worse than no answer.
UK_BOX = (49.0, 61.5, -9.0, 2.5)


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
