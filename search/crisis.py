"""Does a search say someone may be in crisis? Text in, crisis topics out: pure, deterministic.

Crisis words are read from the text as typed (cleaned of punctuation only), before stop words
are dropped or typos corrected: "kill myself" must never become "skills myself", and "myself"
or "want to be here" are exactly the words a stop-word list would throw away.

A topic's phrase matches when all its words are there close together, in any order and among
other words ("myself kill", "lonely and want to die"). Little words ("to", "be", "i") may be
left out ("want die"). A word of six letters or more in a topic's ``words`` or ``phrases``
also matches with one typing slip and the right first letter ("suicdal", "myslef kill"),
unless the word typed is a real word (English by ``wordfreq``, or in the listings or the
needs vocabulary: "cooking" is not "choking"); ``misspellings`` match as written. Showing
urgent help to someone who did not need it costs a few lines of screen; missing someone who
did is the failure this guards against.
"""

from __future__ import annotations

from collections.abc import Iterable, Set
from dataclasses import dataclass, field, replace
from functools import lru_cache
from typing import Any

from rapidfuzz.distance import OSA

from directory.urgent import UrgentHelp, UrgentPanel
from directory.vocabulary import Vocabulary
from search.interpret import Interpretation, clean_text, is_english

# Words a phrase can do without: "want die" still means "want to die".
LITTLE_WORDS = frozenset({"a", "an", "the", "to", "be", "at", "am", "i", "im"})
# Other words allowed in among a phrase's words: "i want to just die", "kill my own self".
SLACK = 2
# Words this long or longer also match with one slip (a letter missing, extra, wrong or two
# swapped), when the first letter is right.
FUZZY_MIN_CHARS = 6
MAX_CHARS = 1000  # a request's text is already cut to this
MAX_WORDS = 200


@dataclass(frozen=True)
class _Term:
    topic: str
    words: tuple[str, ...]  # the words that must be present (little words left out)
    length: int  # words in the phrase as written, little words included
    fuzzy: bool  # words and phrases: one slip allowed in long words; misspellings exact


@dataclass(frozen=True)
class Crisis:
    """The crisis topics a search revealed and the typed words that revealed them."""

    topics: tuple[str, ...] = ()
    words: frozenset[str] = field(default_factory=frozenset)

    def __bool__(self) -> bool:
        return bool(self.topics)


@lru_cache(maxsize=8)
def _terms(urgent: UrgentHelp) -> tuple[_Term, ...]:
    found: list[_Term] = []
    for topic in urgent.topics.values():
        for kind, texts in (
            ("word", topic.words),
            ("phrase", topic.phrases),
            ("misspelling", topic.misspellings),
        ):
            for text in texts:
                words = clean_text(text, max_chars=MAX_CHARS, max_words=MAX_WORDS).split()
                if not words:
                    continue
                needed = tuple(word for word in words if word not in LITTLE_WORDS) or tuple(words)
                found.append(_Term(topic.id, needed, len(words), kind != "misspelling"))
    return tuple(found)


@lru_cache(maxsize=8)
def _terms_by_first_word(urgent: UrgentHelp) -> dict[str, tuple[int, ...]]:
    """Which terms (their places in ``_terms``) each word begins: a query need only try
    the terms whose first word it holds, a handful, not all hundred-odd."""
    found: dict[str, list[int]] = {}
    for number, term in enumerate(_terms(urgent)):
        found.setdefault(term.words[0], []).append(number)
    return {word: tuple(numbers) for word, numbers in found.items()}


def _close(typed: str, wanted: str) -> bool:
    """One slip apart, same first letter: "sucidal"/"suicidal", "myslef"/"myself"."""
    return (
        len(wanted) >= FUZZY_MIN_CHARS
        and len(typed) >= FUZZY_MIN_CHARS - 1
        and typed[0] == wanted[0]
        and OSA.distance(typed, wanted, score_cutoff=1) <= 1
    )


@lru_cache(maxsize=8)
def _long_words(urgent: UrgentHelp) -> dict[str, tuple[str, ...]]:
    """The terms' words that may match with a slip, by first letter."""
    found: dict[str, set[str]] = {}
    for term in _terms(urgent):
        if term.fuzzy:
            for word in term.words:
                if len(word) >= FUZZY_MIN_CHARS:
                    found.setdefault(word[0], set()).add(word)
    return {letter: tuple(sorted(words)) for letter, words in found.items()}


def _positions(
    typed: list[str], urgent: UrgentHelp, known: Set[str]
) -> tuple[dict[str, list[int]], dict[str, list[int]]]:
    """Where each word is: as typed, and also with one slip (for words and phrases)."""
    exact: dict[str, list[int]] = {}
    for position, word in enumerate(typed):
        exact.setdefault(word, []).append(position)
    loose = {word: list(places) for word, places in exact.items()}
    long_words = _long_words(urgent)
    for word, places in exact.items():
        if word in known or len(word) < FUZZY_MIN_CHARS - 1:
            continue
        for wanted in long_words.get(word[0], ()):
            if wanted != word and _close(word, wanted):
                loose[wanted] = sorted({*loose.get(wanted, []), *places})
    return exact, loose


def _matches(term: _Term, where: dict[str, list[int]]) -> tuple[int, ...] | None:
    """Positions holding all of the term's words close together, or None.

    ``where`` maps each word to the positions it is at (with slips, for fuzzy terms).
    """
    if any(word not in where for word in term.words):
        return None
    span = term.length + SLACK
    starts = sorted({position for word in term.words for position in where[word]})
    for start in starts:
        # The leftmost of the term's words is here: look for the rest within the span.
        used: list[int] = []
        for wanted in term.words:
            spot = next(
                (p for p in where[wanted] if start <= p < start + span and p not in used), None
            )
            if spot is None:
                break
            used.append(spot)
        else:
            return tuple(used)
    return None


def detect(text: object, urgent: UrgentHelp, known: Iterable[Set[str]] = ()) -> Crisis:
    """The crisis topics in ``text`` (in the file's order) and the words that matched.

    ``known`` are sets of real words (the listings' words, the needs vocabulary): a word
    found in one, or an English word, is never read as a slip for a crisis word.
    """
    typed = clean_text(text, max_chars=MAX_CHARS, max_words=MAX_WORDS).split()
    if not typed:
        return Crisis()
    known_sets = tuple(known)
    known_typed = frozenset(
        word for word in set(typed) if any(word in s for s in known_sets) or is_english(word)
    )
    exact, loose = _positions(typed, urgent, known_typed)
    topics: list[str] = []
    words: set[str] = set()
    terms = _terms(urgent)
    first_words = _terms_by_first_word(urgent)
    # ``loose`` holds every word of ``exact`` and the words of one slip: a superset.
    tried = sorted({number for word in loose for number in first_words.get(word, ())})
    for term in (terms[number] for number in tried):
        positions = _matches(term, loose if term.fuzzy else exact)
        if positions is None:
            continue
        if term.topic not in topics:
            topics.append(term.topic)
        words.update(typed[p] for p in positions)
    order = list(urgent.topics)
    return Crisis(tuple(sorted(topics, key=order.index)), frozenset(words))


@lru_cache(maxsize=8)
def vocabulary_words(vocab: Vocabulary) -> frozenset[str]:
    """Every single word the needs vocabulary knows (not its misspellings)."""
    found: set[str] = set()
    for need in vocab.needs.values():
        for term in (*need.words, *need.phrases):
            found.update(clean_text(term, max_words=50).split())
    for group in vocab.groups.values():
        for term in group.words:
            found.update(clean_text(term, max_words=50).split())
    return frozenset(found)


def with_crisis(
    interpretation: Interpretation, crisis: Crisis, urgent: UrgentHelp, vocab: Vocabulary
) -> Interpretation:
    """The interpretation with crisis words taken as typed and the topics' needs added.

    A correction of a crisis word ("kill" -> "skills") is dropped, with whatever need or
    group it alone brought in (the digital skills café), and the typed word is searched for
    instead; so "Showing results for ..." never rewrites what a person in crisis said. The
    topics' needs (mental health, domestic abuse, housing) are then searched as if stated.
    """
    if not crisis:
        return interpretation
    dropped = {
        typed: fixed for typed, fixed in interpretation.corrections.items() if typed in crisis.words
    }
    typed_words = set(interpretation.text.split())
    restore = {fixed: typed for typed, fixed in dropped.items() if fixed not in typed_words}
    terms = tuple(dict.fromkeys(restore.get(term, term) for term in interpretation.terms))
    for typed in dropped:
        if typed not in terms:
            terms = (*terms, typed)

    def kept(found: dict[str, tuple[str, ...]]) -> dict[str, tuple[str, ...]]:
        return {key: words for key, words in found.items() if not set(words) <= set(dropped)}

    matched = kept(dict(interpretation.matched))
    needs = {need: weight for need, weight in interpretation.needs.items() if need in matched}
    urgent_needs: list[str] = []
    for topic_id in crisis.topics:
        for need in urgent.topics[topic_id].needs:
            if need in vocab.needs:
                needs[need] = 1.0
                matched.setdefault(need, tuple(sorted(crisis.words)))
                urgent_needs.append(need)
    groups = kept(dict(interpretation.groups))
    # Typo guesses offered back ("Search instead for"): none for a crisis word.
    guessed = getattr(interpretation, "guessed", None)
    extra: dict[str, Any] = (
        {} if guessed is None else {"guessed": tuple(w for w in guessed if w not in dropped)}
    )
    return replace(
        interpretation,
        **extra,
        needs=needs,
        matched=matched,
        urgent_needs=tuple(dict.fromkeys(urgent_needs)),
        terms=terms,
        corrections={t: f for t, f in interpretation.corrections.items() if t not in dropped},
        groups=groups,
        group_labels={g: label for g, label in interpretation.group_labels.items() if g in groups}
        | {g: interpretation.group_labels[g] for g in interpretation.members_only},
    )


def urgent_panel(
    text: object, urgent: UrgentHelp, vocab: Vocabulary, country: str = ""
) -> UrgentPanel | None:
    """The urgent-help panel for ``text`` without running a search (pages that show an error
    instead of results still show urgent help first), or None when no crisis is named."""
    crisis = detect(text, urgent, (vocabulary_words(vocab),))
    return urgent.panel(crisis.topics, country) if crisis else None
