"""What did the person mean? Everyday words to need ids and groups, with typo tolerance.

"lost my wife" -> bereavement, "sugar" -> diabetes, "lonley" -> loneliness, "pensioner" -> the
older people group. Everything comes from the needs vocabulary (``data/needs.yaml``), so
volunteers can teach Signpost new words without touching code. Nothing here knows about Whoosh
or HTTP, so it is cheap to test.

Typo correction is a guess, and a wrong guess can hide help ("kill myself" read as "skills
myself"). So only a word that is not a real word is ever corrected: a real word is one in the
vocabulary, in the listings' own words, or an English word by ``wordfreq``'s offline
frequency list (``REAL_WORD_ZIPF``). Every choice is made in a fixed order with ties broken
by a stable key, so the same query reads the same in every process, whatever the hash seed.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Set
from dataclasses import dataclass, field
from functools import lru_cache

from rapidfuzz import fuzz, process
from whoosh.lang.porter import stem
from wordfreq import zipf_frequency

from directory.vocabulary import Vocabulary
from search.schema import ALL_STOP_WORDS

MAX_CHARS = 200
MAX_WORDS = 12
# Related needs ("lonely" -> mental wellbeing, bereavement, volunteering) are not searched for:
# on the judged queries they lifted listings that merely carry more needs (a bereavement café
# for "lonely") above ones that fit. They are offered only when a search finds nothing
# (search.wider.wider_searches).
CARERS = "carers"
# "my mum", "our elderly dad": someone else in the family, so not the group the person belongs
# to ("my dad has dementia" is not about families with children). Grammar, not vocabulary.
POSSESSIVES = frozenset({"my", "our", "his", "her", "their"})
POSSESSIVE_REACH = 4  # "my 84 year old mum"
RELATIVES = frozenset(
    """
    mum mam mom mother dad father parent parents grandparent grandparents husband wife partner
    son daughter brother sister nan nana gran granny grandma grandad grandpa grandmother
    grandfather
    """.split()
)
# An English word at least this common (Zipf scale: 3 is once per million words, 2.5 about
# three times in ten million) is a real word and never corrected: "cheap", "sort", "dressed",
# "stealing", "scan", "shes", "kill" and "sectioned" all are; "lonley" (1.4), "freinds" (2.2)
# and "bereavment" (0) are not. Of the vocabulary's 640 listed misspellings only 11 reach it;
# of 2,689 random one-letter slips of vocabulary words, 59 do (80 at 2.0, 47 at 3.0), most of
# them real words anyway ("bell", "drive"). Lower would protect rarer real words too.
REAL_WORD_ZIPF = 2.5
# Typo correction's minimum rapidfuzz ratio: into a vocabulary word, into a listing's word.
VOCAB_CUTOFF = 80
LISTING_CUTOFF = 84
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
    # Corrections that were guesses (typo correction), not the vocabulary's listed
    # misspellings: the person is offered their own words back ("Search instead for ...").
    guessed: tuple[str, ...] = ()
    # The words were taken exactly as typed: no typo correction ("exact" in a search).
    exact: bool = False
    groups: dict[str, tuple[str, ...]] = field(default_factory=dict)  # group id -> words
    # Groups whose services are usually only for their members, when the person named no
    # group: services open to everyone are then put first.
    members_only: tuple[str, ...] = ()
    # Group id -> label for the groups above, which every listing for a group carries in its
    # indexed text.
    group_labels: dict[str, str] = field(default_factory=dict)
    # Needs of a crisis topic the words named (search.crisis): services whose main need is
    # one of these come first below the urgent-help panel, not one that only lists it.
    urgent_needs: tuple[str, ...] = ()

    @property
    def corrected_text(self) -> str | None:
        """The query with typos fixed, for "Showing results for ..." (None if unchanged)."""
        if not self.corrections:
            return None
        return " ".join(self.corrections.get(word, word) for word in self.text.split())

    @property
    def unclear(self) -> bool:
        """Words were typed but none says what is wanted ("support groups", "help me").

        Such a query matches nothing by text: listing every service alphabetically would
        pretend to be an answer.
        """
        return bool(self.text) and not (self.needs or self.groups or self.terms)

    @property
    def stated_needs(self) -> list[str]:
        return [need for need, weight in self.needs.items() if weight >= 1.0]


@dataclass(frozen=True)
class _Phrase:
    pattern: re.Pattern[str]
    text: str
    needs: tuple[str, ...]  # a phrase may mean two needs: "behind on rent" is housing and debt
    groups: tuple[str, ...]


@dataclass(frozen=True)
class _Matcher:
    phrases: tuple[_Phrase, ...]  # need and group phrases, longest first
    phrase_index: dict[str, int]  # phrase text -> its place in ``phrases``
    phrase_lengths: tuple[int, ...]  # the numbers of words phrases have, ascending
    words: dict[str, str]  # exact word -> need
    stems: dict[str, str]  # stemmed word -> need
    group_words: dict[str, str]  # exact word -> group ("pensioner", "refugee", "dad")
    group_misspellings: dict[str, tuple[str, str]]  # misspelling -> (group, intended word)
    misspellings: dict[str, tuple[str, str]]  # misspelling -> (need, intended word)
    fuzzy_choices: tuple[str, ...]  # vocabulary words, of needs and groups, sorted
    related: dict[str, tuple[str, ...]]
    members_only: tuple[str, ...]  # groups whose services are usually only for members


@lru_cache(maxsize=8)
def _matcher(vocab: Vocabulary) -> _Matcher:
    phrase_needs: dict[str, list[str]] = {}
    phrase_groups: dict[str, list[str]] = {}
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
                phrase_needs.setdefault(cleaned, []).append(need.id)
            else:
                words.setdefault(cleaned, need.id)
                stems.setdefault(stem(cleaned), need.id)
        main_word = clean_text(need.words[0]) if need.words else need.id
        for typo in need.misspellings:
            cleaned = clean_text(typo)
            if cleaned and " " not in cleaned:
                intended = _closest(cleaned, [clean_text(w) for w in need.words]) or main_word
                misspellings.setdefault(cleaned, (need.id, intended))
    # Group words are matched exactly, never by stem: "pension" is not "pensioner", "care" is
    # not "carer", "forced" is not "forces".
    group_words: dict[str, str] = {}
    group_misspellings: dict[str, tuple[str, str]] = {}
    for group in vocab.groups.values():
        # Not the label: "Refugees and people new to the UK" is not what anyone types.
        for term in (group.id.replace("-", " "), *group.words):
            cleaned = clean_text(term, max_words=50)
            if not cleaned:
                continue
            if " " in cleaned:
                phrase_groups.setdefault(cleaned, []).append(group.id)
            else:
                group_words.setdefault(cleaned, group.id)
        for typo in group.misspellings:
            cleaned = clean_text(typo)
            if cleaned and " " not in cleaned:
                intended = _closest(cleaned, [clean_text(w) for w in group.words]) or group.id
                group_misspellings.setdefault(cleaned, (group.id, intended))
    # Longest phrases first, so "lost my wife" wins over "lost".
    texts = sorted({*phrase_needs, *phrase_groups}, key=lambda text: (-len(text), text))
    phrases = tuple(
        _Phrase(
            re.compile(rf"\b{re.escape(text)}\b"),
            text,
            tuple(dict.fromkeys(phrase_needs.get(text, ()))),
            tuple(dict.fromkeys(phrase_groups.get(text, ()))),
        )
        for text in texts
    )
    fuzzy = tuple(sorted(word for word in {*words, *group_words} if len(word) >= 4))
    related = {need.id: need.related for need in vocab.needs.values()}
    return _Matcher(
        phrases,
        {phrase.text: number for number, phrase in enumerate(phrases)},
        tuple(sorted({len(phrase.text.split()) for phrase in phrases})),
        words,
        stems,
        group_words,
        group_misspellings,
        misspellings,
        fuzzy,
        related,
        tuple(group.id for group in vocab.groups.values() if group.members_only),
    )


def _closest(word: str, choices: list[str]) -> str | None:
    choices = [c for c in choices if c and " " not in c]
    if not choices:
        return None
    match = process.extractOne(word, choices, scorer=fuzz.ratio)
    return match[0] if match else None


@lru_cache(maxsize=4096)
def is_english(word: str) -> bool:
    """Whether ``word`` is a real English word by the offline frequency list (no network)."""
    return zipf_frequency(word, "en") >= REAL_WORD_ZIPF


def is_real_word(word: str, vocab: Vocabulary, known_words: Set[str] = frozenset()) -> bool:
    """A word never corrected: in the vocabulary, in the listings, or an English word."""
    matcher = _matcher(vocab)
    return (
        word in matcher.words
        or word in matcher.group_words
        or stem(word) in matcher.stems
        or word in known_words
        or is_english(word)
    )


def interpret(  # noqa: C901 - one elif chain is the order in which a word's readings win
    text: object,
    vocab: Vocabulary,
    known_words: Set[str] = frozenset(),
    age: int | None = None,
    *,
    exact: bool = False,
) -> Interpretation:
    """Read a need as typed, returning need ids, groups, search words and any typo corrections.

    ``known_words`` are words that appear in the listings; a word found there is taken as
    written, so a group's own name ("Kintsugi") is never "corrected" into something else, and
    neither is any English word ("kill", "cheap", "dressed"). A group word ("refugee",
    "pensioner") is never stemmed or corrected into a need either. ``exact`` turns typo
    correction off: the "Search instead for" link asks for the words as typed.
    """
    cleaned = clean_text(text)
    if not cleaned:
        return Interpretation(text="", exact=exact)
    matcher = _matcher(vocab)
    needs: dict[str, float] = {}
    matched: dict[str, list[str]] = {}
    groups: dict[str, list[str]] = {}

    def found(need: str, words: str) -> None:
        needs[need] = 1.0
        matched.setdefault(need, []).append(words)

    def found_group(group: str, words: str) -> None:
        groups.setdefault(group, []).append(words)

    # Words in a phrase are not read again on their own: "lost my wife" is not "lost", and
    # "lost my baby" is not the children group. Need and group phrases are read separately, so
    # "caring for my wife" is the carers need (a need phrase) and a carer (a group phrase).
    need_text = group_text = f" {cleaned} "
    for phrase in _phrases_in(cleaned, matcher):
        if phrase.needs and phrase.pattern.search(need_text):
            for need in phrase.needs:
                found(need, phrase.text)
            need_text = phrase.pattern.sub(" ", need_text)
        if phrase.groups and phrase.pattern.search(group_text):
            for group in phrase.groups:
                found_group(group, phrase.text)
            group_text = phrase.pattern.sub(" ", group_text)

    terms: list[str] = []
    corrections: dict[str, str] = {}
    guessed: list[str] = []
    relative = ""  # "mum" in "my mum has dementia": someone the person may look after
    all_words = cleaned.split()
    for index, word in enumerate(all_words):
        if word in ALL_STOP_WORDS or len(word) < 2:
            continue
        in_phrase = f" {word} " not in need_text  # already read as part of a need phrase
        in_any_phrase = in_phrase or f" {word} " not in group_text
        before = all_words[max(0, index - POSSESSIVE_REACH) : index]
        someone_else = word in RELATIVES and not POSSESSIVES.isdisjoint(before)
        if someone_else:  # "my parents" is neither parenting nor the families group
            relative = relative or ("" if in_phrase else word)
            terms.append(word)
            continue
        if word in matcher.group_words and not in_any_phrase:
            found_group(matcher.group_words[word], word)
        if word in matcher.words:
            if not in_phrase:
                found(matcher.words[word], word)
            terms.append(word)
        elif word in matcher.group_words:
            # Taken as written: "refugee" is not "refuge", "pensioner" is not "pension".
            terms.append(word)
        elif word in matcher.group_misspellings:
            group, intended = matcher.group_misspellings[word]
            found_group(group, word)
            if intended in matcher.words:  # "parants": parents, a group and a need
                found(matcher.words[intended], word)
            corrections[word] = intended
            terms.append(intended)
        elif stem(word) in matcher.stems:
            if not in_phrase:
                found(matcher.stems[stem(word)], word)
            terms.append(word)
        elif word in matcher.misspellings:
            need, intended = matcher.misspellings[word]
            found(need, word)
            if intended in matcher.group_words:  # "childern": children, a need and a group
                found_group(matcher.group_words[intended], word)
            corrections[word] = intended
            terms.append(intended)
        elif (
            exact
            or in_any_phrase
            or word.isdigit()
            or len(word) < 4
            or word in known_words
            or is_english(word)
        ):
            terms.append(word)  # a real word, or one the person asked to keep
        else:
            fixed = _correct(word, matcher, known_words)
            if fixed is None:
                terms.append(word)
                continue
            corrections[word] = fixed
            guessed.append(word)
            terms.append(fixed)
            if fixed in matcher.group_words:
                found_group(matcher.group_words[fixed], word)
            if fixed in matcher.words:  # "carers" is a group and a need
                found(matcher.words[fixed], word)

    # "my dad has dementia": whoever asks is probably looking after him, so carers' support
    # fits too. Only for needs the vocabulary relates to carers (dementia, cancer, ...).
    cared_for = any(CARERS in matcher.related.get(need, ()) for need in needs)
    if relative and cared_for and CARERS in vocab.needs and CARERS not in needs:
        found(CARERS, relative)
    age_group = _group_for_age(age, vocab)
    if age_group and not groups and (needs or terms):
        found_group(age_group, f"age {age}")  # a 17-year-old's search is a young person's
    members_only = () if groups else matcher.members_only
    return Interpretation(
        text=cleaned,
        needs=needs,
        matched={need: tuple(words) for need, words in matched.items()},
        terms=tuple(dict.fromkeys(terms)),
        corrections=corrections,
        guessed=tuple(guessed),
        exact=exact,
        groups={group: tuple(dict.fromkeys(words)) for group, words in groups.items()},
        members_only=members_only,
        group_labels={group: vocab.group_label(group) for group in [*groups, *members_only]},
    )


def _phrases_in(cleaned: str, matcher: _Matcher) -> list[_Phrase]:
    """The vocabulary phrases that occur in ``cleaned``, longest first, as ``phrases`` has them.

    ``cleaned`` is single-spaced words of ``[a-z0-9]`` (``clean_text``), so a phrase matches
    ``\\b<phrase>\\b`` exactly when its words are a run of the query's words: a dictionary
    look-up for each run of each phrase length (a 12-word query: at most a few dozen) instead
    of one regex search per vocabulary phrase (about 1,200). The phrases found are then read
    in the same longest-first order as before, so every answer is the same.
    """
    words = cleaned.split()
    found: set[int] = set()
    for length in matcher.phrase_lengths:
        for start in range(len(words) - length + 1):
            number = matcher.phrase_index.get(" ".join(words[start : start + length]))
            if number is not None:
                found.add(number)
    return [matcher.phrases[number] for number in sorted(found)]


# Ages that put a person in one of the vocabulary's groups, when the search gives an age.
AGE_GROUPS = (("children", 0, 12), ("young-people", 13, 25), ("older-people", 60, 200))


def _group_for_age(age: int | None, vocab: Vocabulary) -> str | None:
    if age is None:
        return None
    for group, low, high in AGE_GROUPS:
        if low <= age <= high and group in vocab.groups:
            return group
    return None


def _correct(word: str, matcher: _Matcher, known_words: Set[str]) -> str | None:
    """The word probably meant, from the vocabulary first and then the listings' words.

    Deterministic: the best score wins, then the length nearest the typed word's, then
    alphabetical order, so no tie is settled by the order a set happens to iterate in.
    """
    best = _best_match(word, matcher.fuzzy_choices, VOCAB_CUTOFF)
    if best is None and known_words:
        best = _best_match(word, _sorted_words(frozenset(known_words)), LISTING_CUTOFF)
    return best


def _best_match(word: str, choices: tuple[str, ...], cutoff: int) -> str | None:
    found = process.extract(word, choices, scorer=fuzz.ratio, score_cutoff=cutoff, limit=None)
    if not found:
        return None
    return min(found, key=lambda match: (-match[1], abs(len(match[0]) - len(word)), match[0]))[0]


def warm_known_words(words: Set[str]) -> None:
    """Sort a new build's listing words now, not during the first search with a typo."""
    _sorted_words(frozenset(words))


@lru_cache(maxsize=4)
def _sorted_words(words: frozenset[str]) -> tuple[str, ...]:
    """The listings' words in a fixed order (one index build's worth, cached)."""
    return tuple(sorted(word for word in words if len(word) >= 3))
