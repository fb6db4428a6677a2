"""What did the person mean? Everyday words to need ids, with typo tolerance. Pure functions.

"lost my wife" -> bereavement, "sugar" -> diabetes, "lonley" -> loneliness. Everything comes
from the needs vocabulary (``data/needs.yaml``), so volunteers can teach Signpost new words
without touching code. Nothing here knows about Whoosh or HTTP, so it is cheap to test.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Set
from dataclasses import dataclass, field
from functools import lru_cache

from rapidfuzz import fuzz, process
from whoosh.lang.porter import stem

from directory.vocabulary import Vocabulary
from search.schema import ALL_STOP_WORDS

MAX_CHARS = 200
MAX_WORDS = 12
RELATED_WEIGHT = 0.15
_APOSTROPHES = str.maketrans("", "", "'’‘`´")
_NOT_WORD = re.compile(r"[^a-z0-9]+")


def clean_text(raw: object, max_chars: int = MAX_CHARS, max_words: int = MAX_WORDS) -> str:
    """Lowercase words only: no punctuation, control characters, emoji or query syntax.

    Capping characters and words keeps every search fast whatever is pasted in.
    """
    text = unicodedata.normalize("NFKD", str(raw)[: max_chars * 4])
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    text = text.lower().translate(_APOSTROPHES)
    words = _NOT_WORD.sub(" ", text).split()
    return " ".join(words[:max_words])[:max_chars].strip()


@dataclass(frozen=True)
class Interpretation:
    text: str
    needs: dict[str, float] = field(default_factory=dict)  # need id -> weight (1 = said)
    matched: dict[str, tuple[str, ...]] = field(default_factory=dict)  # need id -> words
    terms: tuple[str, ...] = ()  # words to look for in listing text
    corrections: dict[str, str] = field(default_factory=dict)  # typed -> meant

    @property
    def corrected_text(self) -> str | None:
        """The query with typos fixed, for "Showing results for ..." (None if unchanged)."""
        if not self.corrections:
            return None
        return " ".join(self.corrections.get(word, word) for word in self.text.split())

    @property
    def stated_needs(self) -> list[str]:
        return [need for need, weight in self.needs.items() if weight >= 1.0]


@dataclass(frozen=True)
class _Matcher:
    phrases: tuple[tuple[re.Pattern[str], str, str], ...]  # (pattern, need, phrase)
    words: dict[str, str]  # exact word -> need
    stems: dict[str, str]  # stemmed word -> need
    misspellings: dict[str, tuple[str, str]]  # misspelling -> (need, intended word)
    fuzzy_choices: tuple[str, ...]  # vocabulary words for typo matching
    related: dict[str, tuple[str, ...]]


@lru_cache(maxsize=8)
def _matcher(vocab: Vocabulary) -> _Matcher:
    phrases: list[tuple[str, str]] = []
    words: dict[str, str] = {}
    stems: dict[str, str] = {}
    misspellings: dict[str, tuple[str, str]] = {}
    for need in vocab.needs.values():
        candidates = [need.id.replace("-", " "), need.label, *need.phrases, *need.words]
        for term in candidates:
            cleaned = clean_text(term, max_words=50)
            if not cleaned:
                continue
            if " " in cleaned:
                phrases.append((cleaned, need.id))
            else:
                words.setdefault(cleaned, need.id)
                stems.setdefault(stem(cleaned), need.id)
        main_word = clean_text(need.words[0]) if need.words else need.id
        for typo in need.misspellings:
            cleaned = clean_text(typo)
            if cleaned and " " not in cleaned:
                intended = _closest(cleaned, [clean_text(w) for w in need.words]) or main_word
                misspellings.setdefault(cleaned, (need.id, intended))
    # Longest phrases first, so "lost my wife" wins over "lost".
    phrases.sort(key=lambda item: (-len(item[0]), item[0]))
    compiled = tuple(
        (re.compile(rf"\b{re.escape(phrase)}\b"), need, phrase) for phrase, need in phrases
    )
    fuzzy = tuple(sorted(word for word in words if len(word) >= 4))
    related = {need.id: need.related for need in vocab.needs.values()}
    return _Matcher(compiled, words, stems, misspellings, fuzzy, related)


def _closest(word: str, choices: list[str]) -> str | None:
    choices = [c for c in choices if c and " " not in c]
    if not choices:
        return None
    match = process.extractOne(word, choices, scorer=fuzz.ratio)
    return match[0] if match else None


def interpret(
    text: object, vocab: Vocabulary, known_words: Set[str] = frozenset()
) -> Interpretation:
    """Read a need as typed, returning need ids, search words and any typo corrections.

    ``known_words`` are words that appear in the listings; a word found there is taken as
    written, so a group's own name ("Kintsugi") is never "corrected" into something else.
    """
    cleaned = clean_text(text)
    if not cleaned:
        return Interpretation(text="")
    matcher = _matcher(vocab)
    needs: dict[str, float] = {}
    matched: dict[str, list[str]] = {}

    def found(need: str, words: str) -> None:
        needs[need] = 1.0
        matched.setdefault(need, []).append(words)

    remaining = f" {cleaned} "
    for pattern, need, phrase in matcher.phrases:
        if pattern.search(remaining):
            found(need, phrase)
            remaining = pattern.sub(" ", remaining)

    terms: list[str] = []
    corrections: dict[str, str] = {}
    for word in cleaned.split():
        if word in ALL_STOP_WORDS or len(word) < 2:
            continue
        in_phrase = f" {word} " not in remaining
        if word in matcher.words:
            if not in_phrase:
                found(matcher.words[word], word)
            terms.append(word)
        elif stem(word) in matcher.stems:
            if not in_phrase:
                found(matcher.stems[stem(word)], word)
            terms.append(word)
        elif word in matcher.misspellings:
            need, intended = matcher.misspellings[word]
            found(need, word)
            corrections[word] = intended
            terms.append(intended)
        elif in_phrase or word.isdigit() or len(word) < 4 or word in known_words:
            terms.append(word)
        else:
            fixed = _correct(word, matcher, known_words)
            if fixed is None:
                terms.append(word)
                continue
            corrections[word] = fixed
            terms.append(fixed)
            if fixed in matcher.words:
                found(matcher.words[fixed], word)

    for need in list(needs):
        for other in matcher.related.get(need, ()):
            needs.setdefault(other, RELATED_WEIGHT)
    return Interpretation(
        text=cleaned,
        needs=needs,
        matched={need: tuple(words) for need, words in matched.items()},
        terms=tuple(dict.fromkeys(terms)),
        corrections=corrections,
    )


def _correct(word: str, matcher: _Matcher, known_words: Set[str]) -> str | None:
    """The word probably meant, from the vocabulary first and then the listings' words."""
    best = process.extractOne(word, matcher.fuzzy_choices, scorer=fuzz.ratio, score_cutoff=80)
    if best:
        return best[0]
    if known_words:
        best = process.extractOne(word, known_words, scorer=fuzz.ratio, score_cutoff=84)
        if best:
            return best[0]
    return None
