"""How many SMS parts a text message takes, so a shortlist text stays cheap and arrives whole.

A text message is sent in the GSM 03.38 alphabet (7 bits a character) when every character
is in it, else in UCS-2 (16 bits), which more than halves what fits. One part holds 160 GSM
characters or 70 UCS-2 ones; a longer message is split into parts of 153 or 67, because each
part carries a header that puts them back together. GSM's extension table (``€ [ ] { } ^
\\ | ~`` and form feed) costs two characters each (an escape and the character), and a pair
is never split between two parts; nor is a UCS-2 surrogate pair (an emoji).

The encoding itself comes from the ``gsm0338`` codec; this module adds the part arithmetic
and replaces typographic punctuation that would otherwise force a whole message into UCS-2
(one curly apostrophe in a listing's name doubles the cost of the text).
"""

from __future__ import annotations

from dataclasses import dataclass

import gsm0338  # noqa: F401 - registers the "gsm03.38" codec

GSM_SINGLE = 160
GSM_PART = 153
UCS2_SINGLE = 70
UCS2_PART = 67

# Characters people paste from word processors, and their GSM equivalents.
PLAIN = str.maketrans(
    {
        "\u2018": "'",
        "\u2019": "'",
        "\u201a": "'",
        "\u201b": "'",
        "\u2032": "'",
        "\u201c": '"',
        "\u201d": '"',
        "\u201e": '"',
        "\u2033": '"',
        "\u2013": "-",
        "\u2014": "-",
        "\u2012": "-",
        "\u2010": "-",
        "\u2011": "-",
        "\u2212": "-",
        "\u2026": "...",
        "\u00a0": " ",
        "\u2009": " ",
        "\u202f": " ",
        "\u2022": "-",
        "\u00b7": "-",
        "\t": " ",
    }
)


@dataclass(frozen=True)
class Segments:
    """How a message would be sent: its encoding, its length in units and its parts."""

    encoding: str  # "GSM-7" or "UCS-2"
    units: int  # septets (GSM-7) or 16-bit code units (UCS-2)
    parts: int
    per_part: int  # what one part holds at this length (160/153 or 70/67)


def gsm_cost(char: str) -> int | None:
    """Septets ``char`` takes in GSM 03.38: 1, 2 (extension table), or None (not in it)."""
    try:
        return len(char.encode("gsm03.38"))
    except UnicodeEncodeError:
        return None


def is_gsm(text: str) -> bool:
    return all(gsm_cost(char) is not None for char in text)


def plain_gsm(text: str) -> str:
    """``text`` with curly quotes, dashes and odd spaces made GSM-friendly; other characters
    (names in other alphabets) are kept: better a dearer message than a wrong name."""
    return text.translate(PLAIN)


def _parts(costs: list[int], single: int, part: int) -> int:
    total = sum(costs)
    if total == 0:
        return 0
    if total <= single:
        return 1
    parts, used = 1, 0
    for cost in costs:
        if used + cost > part:  # an escape pair or surrogate pair is never split
            parts += 1
            used = 0
        used += cost
    return parts


def segments(text: str) -> Segments:
    """The SMS parts ``text`` needs, as a phone network would split it."""
    gsm = [gsm_cost(char) for char in text]
    if all(cost is not None for cost in gsm):
        costs = [cost for cost in gsm if cost is not None]
        parts = _parts(costs, GSM_SINGLE, GSM_PART)
        return Segments("GSM-7", sum(costs), parts, GSM_SINGLE if parts <= 1 else GSM_PART)
    costs = [2 if ord(char) > 0xFFFF else 1 for char in text]
    parts = _parts(costs, UCS2_SINGLE, UCS2_PART)
    return Segments("UCS-2", sum(costs), parts, UCS2_SINGLE if parts <= 1 else UCS2_PART)
