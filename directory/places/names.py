"""Place names as people type them: the key we match on, and the rows a name finds.

"Westgate-on-Sea", "westgate on sea" and "Westgate" should all find Westgate-on-Sea;
"Kemptown" finds "Kemp Town", "Burton-on-Trent" finds Burton upon Trent and "Llanfairpwll"
its full name. Matching is done on keys (``name_key``), which the build script also uses, so
the table and what people type always agree.
"""

from __future__ import annotations

import re
import unicodedata

from directory.places.distance import distance_km
from directory.places.table import PlaceRow, PlaceTable, row_order

# Inputs longer than this are not a place anyone types; refusing them early keeps every
# lookup (and any online geocoder) cheap whatever is thrown at the search box.
MAX_QUERY_CHARS = 100

_APOSTROPHES = dict.fromkeys(map(ord, "'’‘`´ʼ"), None)
_SAINT = {"st": "st", "saint": "st", "ste": "st"}


def name_key(text: str) -> str:
    """Reduce a place name to the form we match on.

    Case, accents, apostrophes, hyphens and punctuation are ignored ("Westgate-on-Sea" ==
    "westgate on sea", "King's Lynn" == "kings lynn"), "St"/"St."/"Saint" are the same
    word, and a leading "The" is dropped, so users need not know the official spelling.
    The build script uses this same function, so table and queries always agree.
    """
    text = unicodedata.normalize("NFKD", text.casefold()).translate(_APOSTROPHES)
    text = "".join(c for c in text if not unicodedata.combining(c)).replace("&", " and ")
    words = re.sub(r"[^0-9a-z]+", " ", text).split()
    words = [_SAINT.get(w, w) for w in words]
    if len(words) > 1 and words[0] == "the":
        words = words[1:]
    return " ".join(words)


def clean(text: object) -> str:
    """Remove control and format characters and collapse whitespace; '' if unusable."""
    if not isinstance(text, str) or len(text) > 4 * MAX_QUERY_CHARS:
        return ""
    text = "".join(" " if unicodedata.category(c)[0] in "CZ" else c for c in text)
    text = " ".join(text.split())
    return text if len(text) <= MAX_QUERY_CHARS else ""


# Shortened names people use for places filed under their full name (name keys).
_SHORT_FORMS = {
    "llanfairpwll": "llanfairpwllgwyngyll",
    "llanfair pg": "llanfairpwllgwyngyll",
    "llanfair pwllgwyngyll": "llanfairpwllgwyngyll",
    "llanfairpwllgwyngyllgogerychwyrndrobwllllantysiliogogogoch": "llanfairpwllgwyngyll",
}
# "on" and "upon" name the same place: Burton-on-Trent is GeoNames' Burton upon Trent.
_JOINING_SWAPS = (("upon", "on"), ("on", "upon"))
# Two names this close are one place under two spellings, never an alternative to offer.
_SAME_PLACE_KM = 1.0


def _joining_word_variants(key: str) -> list[str]:
    """``key`` with "on" and "upon" swapped between two words: "burton on trent" -> "upon"."""
    words = key.split()
    out = []
    for index in range(1, len(words) - 1):
        for old, new in _JOINING_SWAPS:
            if words[index] == old:
                out.append(" ".join([*words[:index], new, *words[index + 1 :]]))
    return out


def rows_named(table: PlaceTable, text: str) -> list[PlaceRow]:
    """Every place ``text`` names, best first; [] when it names none.

    Tries the key itself, then "on"/"upon" swapped, then the words joined or split
    ("Kemptown" / "Kemp Town"); a much bigger "X upon/on/in ... Y" joins the list for "X".
    """
    key = name_key(text)
    if not key:
        return []
    key = _SHORT_FORMS.get(key, key)
    exact = table.rows(key)
    for variant in () if exact else _joining_word_variants(key):
        # "Burton-on-Trent" is filed as Burton upon Trent, "Stratford-on-Avon" likewise.
        exact = table.rows(variant)
        if exact:
            break
    if not exact:  # "Kemptown" for "Kemp Town", "Five Ways" for "Fiveways"
        squashed = key.replace(" ", "")
        keys = table.squashed_keys(squashed) + ([squashed] if squashed != key else [])
        exact = sorted((r for k in keys for r in table.rows(k)), key=row_order)
    # "Newcastle" should find Newcastle upon Tyne, "Westgate" Westgate-on-Sea: a longer
    # "X upon/on/in/under ... Y" name joins the list when nothing called exactly X
    # comes close to its size, so a hamlet called Westgate does not win by spelling.
    # Council areas and aliases are only found by their whole name.
    best = exact[0].rank if exact else -1
    longer = [
        r
        for k in table.qualified_keys(key)
        for r in table.rows(k)
        if r.rank > 2 * best
        and r.kind not in ("a", "x")
        and not any(distance_km(r.lat, r.lon, e.lat, e.lon) < _SAME_PLACE_KM for e in exact)
    ]
    if not longer:
        return exact
    return sorted(exact + longer, key=row_order)
