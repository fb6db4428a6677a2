"""UK postcode shapes: canonical forms, districts, and the postcode someone meant.

Pure functions of text, shared by the gazetteer (gazetteer.py) and the validator.
Shape only: whether a postcode exists is the gazetteer's job.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable

# Outward code: area (1-2 letters) + district (digit, then optional digit or letter),
# e.g. "W1", "CT9", "NW10", "EC1A". Inward code: digit + two letters, e.g. "1PE".
OUTWARD = r"[A-Z]{1,2}[0-9][A-Z0-9]?"
_OUTWARD_RE = re.compile(rf"^{OUTWARD}$")
_POSTCODE_RE = re.compile(rf"^({OUTWARD})([0-9][A-Z]{{2}})$")


def squash(text: str) -> str:
    """Upper-case ``text`` and drop all whitespace: postcodes are typed with any spacing."""
    return "".join(text.split()).upper()


def normalise_postcode(text: str) -> str | None:
    """Return ``text`` as a canonical full postcode ("CT9 1PE"), or None if not shaped like one.

    Shape only: "ZZ9 9ZZ" passes, because whether a postcode exists is the lookup's job
    (and an unknown postcode should still fall back to its district).
    """
    if not isinstance(text, str) or len(text) > 32:
        return None
    m = _POSTCODE_RE.match(squash(text))
    return f"{m.group(1)} {m.group(2)}" if m else None


# Letters and digits people swap when typing a postcode: "DN11 OLE" for DN11 0LE.
_CONFUSABLE = {"O": "0", "0": "O", "I": "1", "1": "I", "L": "1"}


def postcode_candidates(text: str) -> list[str]:
    """Full postcodes ``text`` could be with O/0, I/1 or L/1 swapped, fewest swaps first.

    Shape only, like ``normalise_postcode``: "DN11 OLE" gives "DN11 0LE" (one swap), then
    "DN1I 0LE" (two). The text itself comes first when it already has a postcode's shape.
    """
    if not isinstance(text, str) or len(text) > 32:
        return []
    squashed = squash(text)
    if not 5 <= len(squashed) <= 7:
        return []
    options = [(c, _CONFUSABLE[c]) if c in _CONFUSABLE else (c,) for c in squashed]
    found: dict[str, int] = {}
    for combo in itertools.product(*options):
        postcode = normalise_postcode("".join(combo))
        if postcode is not None:
            swaps = sum(a != b for a, b in zip(combo, squashed, strict=True))
            found.setdefault(postcode, swaps)
    return sorted(found, key=lambda pc: (found[pc], list(found).index(pc)))


def likely_postcode(text: str, exists: Callable[[str], object] | None = None) -> str | None:
    """The postcode someone most likely meant by a mistyped ``text``, or None.

    ``exists`` (a postcode lookup) keeps only real postcodes; without it the candidate
    with the fewest swaps wins, if only one has that few. Text that is already a
    well-formed postcode gives None: there is nothing to correct.
    """
    if normalise_postcode(text) is not None:
        return None
    candidates = postcode_candidates(text)
    if exists is not None:
        candidates = [pc for pc in candidates if exists(pc)]
        return candidates[0] if candidates else None
    if len(candidates) > 1 and _swaps(candidates[0], text) == _swaps(candidates[1], text):
        return None
    return candidates[0] if candidates else None


def _swaps(postcode: str, text: str) -> int:
    return sum(a != b for a, b in zip(squash(postcode), squash(text), strict=False))


def is_northern_ireland(outward: str) -> bool:
    """True for a Northern Ireland postcode district ("BT7"): Code-Point Open leaves them out."""
    return outward.startswith("BT") and outward[2:3].isdigit()


def normalise_district(text: str) -> str | None:
    """Return ``text`` as a canonical postcode district ("CT9", "EC1A", "W1"), else None.

    Spaces inside are ignored ("ct 9" -> "CT9") because people split codes oddly.
    """
    if not isinstance(text, str) or len(text) > 16:
        return None
    squashed = squash(text)
    return squashed if _OUTWARD_RE.match(squashed) else None
