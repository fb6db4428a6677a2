"""The gazetteer: one object that answers every place question the site asks.

It holds the lazily loaded tables (the committed place table, ``table.py``; every
Code-Point postcode, ``codepoint.py``), a deployment's home area and the optional online
geocoder, and gives the lookups (postcode, district, place name) that resolving
(``resolve.py``) and suggestions (``suggest.py``) are built from.

Nothing here raises on user input: any string gives a ``Place``, ``None``, or an empty
list, quickly.
"""

from __future__ import annotations

import logging
import re
import threading
from pathlib import Path

from directory.places.codepoint import PostcodeIndex, Postcodes
from directory.places.names import clean, rows_named
from directory.places.online import OnlineAnswers, OnlineGeocoder
from directory.places.place import Place, place_from_row
from directory.places.postcodes import OUTWARD, normalise_district, normalise_postcode
from directory.places.resolve import resolve_offline
from directory.places.same_name import prefer_home
from directory.places.suggest import likely_known_postcode, suggestions
from directory.places.table import PlaceRow, PlaceTable

log = logging.getLogger(__name__)

# "Margate (CT9)" (our own labels) or "Margate CT9" / "Margate, CT9".
_NAME_WITH_DISTRICT_RE = re.compile(
    rf"^(.*?[A-Z].*?)[\s,]*(?:\(\s*({OUTWARD})\s*\)|\s({OUTWARD}))$", re.IGNORECASE
)


class Gazetteer:
    """Offline UK postcode, district and place-name lookup, with an optional online fallback.

    Data is loaded lazily and cached: the district/place table once (tens of ms), and every
    Code-Point postcode as one sorted table, memory-mapped from a cache folder
    (``postcode_cache``, default ``codepoint.cache_root()``) where it is built the first
    time any process needs it (about 3 s), so a postcode costs a binary search whatever
    order they come in, and server workers share its pages. Safe to share between threads.

    ``prefer_near`` is a deployment's home area, as (lat, lon) or as a postcode, postcode
    district or place name ("CT9", "Margate"): a name several places share then means the one
    within ``prefer_within_miles`` of it, so a Thanet practice's "Minster" is
    Minster-in-Thanet, not the bigger Minster on Sheppey. The default (None) picks the
    biggest everywhere.
    """

    def __init__(
        self,
        online: OnlineGeocoder | None = None,
        *,
        table_path: Path | str | None = None,
        codepoint_path: Path | str | None = None,
        max_areas: int | None = None,
        prefer_near: tuple[float, float] | str | None = None,
        prefer_within_miles: float = 30.0,
        postcode_cache: Path | str | None = None,
    ) -> None:
        self.online = online
        self.prefer_near = prefer_near
        self.prefer_within_miles = prefer_within_miles
        self.table = PlaceTable(Path(table_path) if table_path else None)
        del max_areas  # accepted from older callers; every area is now in one table
        self._postcodes = Postcodes(
            Path(codepoint_path) if codepoint_path else None,
            Path(postcode_cache) if postcode_cache else None,
        )
        self._online_answers = OnlineAnswers()
        self._lock = threading.Lock()
        self._home: tuple[float, float] | None = None
        self._home_resolved = False

    def postcode_table(self) -> PostcodeIndex:
        """Every Code-Point postcode, mapped from the cache (built there on first use).

        One table for all areas, so lookups in any order cost one binary search; see
        directory/places/codepoint.py.
        """
        return self._postcodes.table()

    # ---- lookups ---------------------------------------------------------------------

    def lookup_postcode(self, pc: str) -> Place | None:
        """A full postcode's own location (Code-Point Open), or None if unknown or malformed.

        Northern Ireland (BT) postcodes are not in Code-Point Open and always give None
        here; ``resolve`` falls back to their district.
        """
        canonical = normalise_postcode(pc)
        if canonical is None:
            return None
        outward = canonical.split(" ")[0]
        found = self._postcodes.lat_lon(canonical)
        if found is None:
            return None
        lat, lon = found
        district = self.table.district(outward)
        return Place(
            lat=round(lat, 6),
            lon=round(lon, 6),
            kind="postcode",
            label=canonical,
            district=outward,
            country=district.country if district else "",
        )

    def lookup_district(self, d: str) -> Place | None:
        """A postcode district's centre (mean of its postcodes), or None if unknown."""
        code = normalise_district(d)
        if code is None:
            return None
        row = self.table.district(code)
        if row is None:
            return None
        return Place(
            lat=row.lat,
            lon=row.lon,
            kind="district",
            label=code,
            district=code,
            country=row.country,
        )

    def lookup_place(self, name: str) -> list[Place]:
        """Every known place called ``name``, best first.

        Matching ignores case, hyphens, apostrophes, "St"/"Saint", a leading "The" and
        whether a name is one word or two ("Kemptown" == "Kemp Town"); "Newcastle" also
        finds "Newcastle upon Tyne" and "Westgate" finds "Westgate-on-Sea" when that is much
        bigger than any place called exactly that. Council areas ("Thanet") are places too.
        "Margate (CT9)" (our own label) or "Margate CT9" picks the one in that district.
        Ordering prefers bigger places (GeoNames population, else an estimate from the
        postcodes around them), so "Brighton" means Brighton in Sussex before the hamlet
        in Cornwall, unless ``prefer_near`` puts a same-named place near home first; ties
        break by name and position, so the order never changes between runs.
        """
        text = clean(name)
        if not text:
            return []
        return [place_from_row(r) for r in self.lookup_rows(text)]

    def lookup_rows(self, text: str) -> list[PlaceRow]:
        """``lookup_place`` before rows become Places: ranks and councils still attached."""
        rows = self.place_rows(text)
        if not rows:
            m = _NAME_WITH_DISTRICT_RE.match(text)
            if m:
                district = (m.group(2) or m.group(3)).upper()
                rows = [r for r in self.place_rows(m.group(1)) if district in r.districts]
        if len(rows) < 2 or self.prefer_near is None:
            return rows
        return prefer_home(rows, self._home_point(), self.prefer_within_miles)

    def place_rows(self, text: str) -> list[PlaceRow]:
        """Every place whose name ``text`` is (any spelling), biggest first; no home bias."""
        return rows_named(self.table, text)

    def _home_point(self) -> tuple[float, float] | None:
        """``prefer_near`` as (lat, lon), worked out once; None if unset or not found."""
        if self._home_resolved:
            return self._home
        home = self.prefer_near
        point: tuple[float, float] | None = None
        if isinstance(home, tuple | list) and len(home) == 2:
            try:
                point = (float(home[0]), float(home[1]))
            except (TypeError, ValueError):
                point = None
        elif isinstance(home, str) and home.strip():
            # Not resolve(): that would consult this very preference (and maybe the network).
            pc = normalise_postcode(home)
            outward = pc.split(" ")[0] if pc else home
            found = self.lookup_postcode(home) or self.lookup_district(outward)
            if found is None:
                rows = self.place_rows(clean(home))
                found = place_from_row(rows[0]) if rows else None
            point = (found.lat, found.lon) if found else None
        if home is not None and point is None:
            log.warning("prefer_near %r is not a place we know; not preferring any area.", home)
        with self._lock:
            self._home, self._home_resolved = point, True
        return point

    # ---- the search box --------------------------------------------------------------

    def resolve(self, text: str) -> Place | None:
        """Turn whatever was typed into one search centre, or None if we cannot place it.

        Order: full postcode; an unknown full postcode falls back to its district (with a
        ``note`` saying so); district; a half-typed postcode ("CT9 1") as its district;
        place name; a postcode at the end of a pasted address; the first part before a
        comma ("Margate, Kent"), where the rest picks between same-named places when it
        names a council area, district or place ("Minster, Thanet"); and only then the online
        geocoder, if one is configured. A name several real towns share gives the biggest
        (or the one near ``prefer_near``) with a ``note`` naming the others.
        """
        cleaned = clean(text)
        if not cleaned:
            return None
        try:
            place = resolve_offline(self, cleaned)
        except Exception:  # pragma: no cover - a bug here must not break the search page
            log.exception("Offline resolve failed for %r", cleaned)
            place = None
        if place is None:
            place = self._online_answers.resolve(self.online, cleaned)
        return place

    def suggest(self, text: str) -> list[str]:
        """Up to five known place names or districts close to a misspelt ``text``.

        For "Did you mean ...?" links when ``resolve`` found nothing ("Margat" -> "Margate").
        Uses rapidfuzz (about 2 ms over ~20,000 names).
        When ``text`` names several places ("Minster"), their labels ("Minster (ME12)",
        "Minster (CT12)") come back instead, best first: each resolves to that one place.
        """
        cleaned = clean(text)
        if not cleaned:
            return []
        try:
            return suggestions(self, cleaned)
        except Exception:  # pragma: no cover - suggestions are a nicety, never an error page
            log.exception("suggest failed for %r", cleaned)
            return []

    def likely_postcode(self, text: str) -> str | None:
        """The real postcode a mistyped one most likely is: "DN11 OLE" -> "DN11 0LE".

        Only postcodes we know count (Northern Ireland ones by their district), so a
        suggestion never sends someone somewhere that does not exist.
        """
        cleaned = clean(text)
        return likely_known_postcode(self, cleaned) if cleaned else None


_DEFAULT: Gazetteer | None = None
_DEFAULT_LOCK = threading.Lock()


def default_gazetteer() -> Gazetteer:
    """The process-wide offline gazetteer, so its caches are shared by every request."""
    global _DEFAULT
    with _DEFAULT_LOCK:
        if _DEFAULT is None:
            _DEFAULT = Gazetteer()
        return _DEFAULT
