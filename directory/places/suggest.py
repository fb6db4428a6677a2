""" "Did you mean ...?": known places, districts and postcodes close to what was typed.

Offered when ``Gazetteer.resolve`` found nothing, so a misspelling ("Margat") or a
postcode typed with O for 0 ("DN11 OLE") is one click from a search, never guessed
silently. Only places and postcodes we know are offered.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rapidfuzz import fuzz, process

from directory.places.names import name_key
from directory.places.place import place_from_row
from directory.places.postcodes import (
    is_northern_ireland,
    likely_postcode,
    normalise_district,
    normalise_postcode,
)

if TYPE_CHECKING:
    from directory.places.gazetteer import Gazetteer


def likely_known_postcode(gaz: Gazetteer, cleaned: str) -> str | None:
    """The postcode ``gaz`` knows that mistyped ``cleaned`` most likely is, or None.

    Northern Ireland postcodes count when their district is known (Code-Point Open has
    none of them).
    """

    def known(pc: str) -> bool:
        if gaz.lookup_postcode(pc) is not None:
            return True
        outward = pc.split(" ")[0]
        return is_northern_ireland(outward) and gaz.lookup_district(outward) is not None

    return likely_postcode(cleaned, known)


def suggestions(gaz: Gazetteer, cleaned: str) -> list[str]:
    """Up to five suggestions for ``cleaned`` (already cleaned text), best first.

    A mistyped postcode gives the real one; a mistyped district, districts; a name several
    places share, their labels ("Minster (ME12)"); any other name, names spelt like it.
    """
    likely = likely_known_postcode(gaz, cleaned)
    if likely is not None:
        return [likely]
    postcode = normalise_postcode(cleaned)
    district = postcode.split(" ")[0] if postcode else normalise_district(cleaned)
    pool: dict[str, tuple[str, int]]
    if district is not None:  # suggest districts for a mistyped outward code
        query = district
        keys, cutoff = gaz.table.district_codes(), 0.6
        pool = {code: (code, 0) for code in keys}
    else:
        same_name = gaz.lookup_rows(cleaned)
        if len(same_name) > 1:
            labels = [place_from_row(r).label for r in same_name]
            return list(dict.fromkeys(labels))[:5]
        query = name_key(cleaned)
        pool, keys = gaz.table.names()
        cutoff = 0.75
    if len(query) < 2:
        return []
    scored = _similar(query, keys, cutoff)
    scored.sort(key=lambda ks: (-ks[1], -pool[ks[0]][1], ks[0]))
    out: list[str] = []
    for key, _score in scored:
        name = pool[key][0]
        if key != query and name not in out:
            out.append(name)
        if len(out) == 5:
            break
    return out


def _similar(query: str, keys: list[str], cutoff: float) -> list[tuple[str, float]]:
    """(key, similarity 0..1) for keys at least ``cutoff`` similar to ``query``."""
    found = process.extract(query, keys, scorer=fuzz.ratio, score_cutoff=cutoff * 100, limit=50)
    return [(key, round(score / 100, 4)) for key, score, _index in found]
