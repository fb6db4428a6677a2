"""The Whoosh schema: only what text search needs. Filters and distance live in ``facets``.

Whoosh ranks text well but filters and geo maths are faster as Python set operations over a
small table built at the same time (see ``facets.py``), so the index holds just the text
fields, the need ids, and the whole listing as stored JSON for display.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from whoosh.analysis import (
    STOP_WORDS,
    CharsetFilter,
    CompositeAnalyzer,
    LowercaseFilter,
    RegexTokenizer,
    StemFilter,
    StemmingAnalyzer,
    StopFilter,
    Token,
)
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


# RegexTokenizer's own parameters; anything else it is given goes onto the token.
_TOKENIZER_ARGS = frozenset(
    (
        "positions",
        "chars",
        "keeporiginal",
        "removestops",
        "start_pos",
        "start_char",
        "tokenize",
        "mode",
    )
)


class FusedAnalyzer(CompositeAnalyzer):  # type: ignore[misc]
    """Whoosh's stemming chain, with its everyday call done in one loop.

    Whoosh runs a tokenizer and four filters as nested generators, one token at a time:
    about a third of a build's CPU. For the call that indexing and ``analyse`` make (no
    positions or character offsets, stop words removed) this does the same steps in one
    loop and remembers each word's result (bounded, since query words come from anyone).
    Every other call, and any chain not shaped as expected, goes through Whoosh's own.
    ``tests/test_index.py`` holds the two equal on real and random text. It pickles into
    the index's schema as a plain composite analyzer would, plus its class name.
    """

    CACHE_LIMIT = 200_000

    def __init__(self, *composables: Any) -> None:
        super().__init__(*composables)
        self._cache: dict[str, str] = {}
        self._fast = self._fast_parts()

    def __getstate__(self) -> dict[str, Any]:
        return {
            key: value for key, value in self.__dict__.items() if key not in ("_cache", "_fast")
        }

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        self._cache = {}
        self._fast = self._fast_parts()

    def _fast_parts(self) -> tuple[Any, ...] | None:
        shape = [type(item) for item in self.items]
        if shape != [RegexTokenizer, LowercaseFilter, StopFilter, StemFilter, CharsetFilter]:
            return None
        tokenizer, _lower, stop, stem, charset = self.items
        if tokenizer.gaps or stem.ignore or stem.lang:
            return None
        return (
            tokenizer.expression.finditer,
            stop.stops,
            stop.min,
            stop.max if stop.max is not None else 1 << 30,
            stem.stemfn,
            charset.charmap,
        )

    def __call__(self, value: str, no_morph: bool = False, **kwargs: Any) -> Iterator[Token]:
        fast = self._fast
        if (
            fast is None
            or no_morph
            or kwargs.get("positions")
            or kwargs.get("chars")
            or kwargs.get("keeporiginal")
            or not kwargs.get("removestops", True)
            or not kwargs.get("tokenize", True)
            or not isinstance(value, str)
        ):
            yield from super().__call__(value, no_morph=no_morph, **kwargs)
            return
        finditer, stops, minsize, maxsize, stemfn, charmap = fast
        cache = self._cache
        if len(cache) > self.CACHE_LIMIT:
            cache.clear()
        # One token object, refilled for each word, as Whoosh's own tokenizer does.
        extra = {key: value for key, value in kwargs.items() if key not in _TOKENIZER_ARGS}
        token = Token(removestops=True, mode=kwargs.get("mode", ""), **extra)
        for match in finditer(value):
            text = match.group(0).lower()
            if not minsize <= len(text) <= maxsize or text in stops:
                continue
            folded = cache.get(text)
            if folded is None:
                folded = cache[text] = stemfn(text).translate(charmap)
            token.text = folded
            token.boost = 1.0
            token.stopped = False
            yield token


# Accents folded, as the query is (search.interpret.clean_text): "Memory Cafe" finds "Café".
ANALYZER = FusedAnalyzer(
    StemmingAnalyzer(stoplist=ALL_STOP_WORDS, minsize=2, maxsize=40), CharsetFilter(accent_map)
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
