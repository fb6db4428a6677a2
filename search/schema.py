"""The Whoosh schema: only what text search needs. Filters and distance live in ``facets``.

Whoosh ranks text well but filters and geo maths are faster as Python set operations over a
small table built at the same time (see ``facets.py``), so the index holds just the text
fields, the need ids, and the whole listing as stored JSON for display.
"""

from __future__ import annotations

from functools import lru_cache

from whoosh.analysis import STOP_WORDS, CharsetFilter, StemmingAnalyzer
from whoosh.fields import ID, KEYWORD, STORED, TEXT, Schema
from whoosh.support.charset import accent_map

# Words that carry no meaning in a need ("I need help with my ...") besides the usual ones.
EXTRA_STOP_WORDS = frozenset(
    """
    help helping helps support supports supported group groups service services need needs
    needing want wants wanting looking look find finding someone something somewhere anything
    please local near nearby around area place places people person thing things get getting
    got feel feeling feels like really just also would could im i'm ive i've me my mine our
    we us you your he she him her his they them their want class classes session sessions
    club clubs centre center
    """.split()
)

ALL_STOP_WORDS = frozenset(STOP_WORDS) | EXTRA_STOP_WORDS

# Accents folded, as the query is (search.interpret.clean_text): "Memory Cafe" finds "Café".
ANALYZER = StemmingAnalyzer(stoplist=ALL_STOP_WORDS, minsize=2, maxsize=40) | CharsetFilter(
    accent_map
)


def make_schema() -> Schema:
    return Schema(
        id=ID(stored=True, unique=True),
        name=TEXT(analyzer=ANALYZER, field_boost=2.5, phrase=False),
        body=TEXT(analyzer=ANALYZER, phrase=False),
        needs=KEYWORD(commas=True, scorable=True),
        primary=KEYWORD(commas=True, scorable=True),  # the listing's first (main) need
        groups=KEYWORD(commas=True, scorable=True),  # who it is for: group ids
        payload=STORED,
    )


def analyse(text: str) -> list[str]:
    """The index terms for ``text``, exactly as the index analysed its documents."""
    return [token.text for token in ANALYZER(text)]


@lru_cache(maxsize=8192)
def analyse_word(word: str) -> tuple[str, ...]:
    """``analyse`` for the words of a query, kept: a search analyses each of its words
    several times (its query, the relevance check), and the same few thousand everyday
    words come back search after search."""
    return tuple(analyse(word))


# The analyzer's own tokenizer: its words are what the rest of the chain looks at, one by one.
_WORDS = ANALYZER.items[0].expression


def index_terms(text: str, seen: dict[str, tuple[str, ...]]) -> list[str]:
    """``analyse(text)``, with each word's analysis kept in ``seen`` (one dictionary per
    build), for Whoosh to index as given: its text fields take a list of terms as well as
    text. Every step after the tokenizer (lower case, stop words, stemming, accents) looks
    at one word at a time, and a directory's listings use a few thousand distinct words
    many times over, so a build analyses each distinct word once instead of every word:
    the chain was about a fifth of a build's CPU. ``tests/test_build_equivalence.py``
    checks the index is the same, byte for byte."""
    terms: list[str] = []
    for match in _WORDS.finditer(text):
        word = match.group(0)
        found = seen.get(word)
        if found is None:
            found = seen[word] = tuple(analyse(word))
        terms.extend(found)
    return terms
