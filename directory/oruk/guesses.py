"""Which needs an imported service meets: from its taxonomy terms, else guessed from words.

Most council feeds use another taxonomy (or none), so guessing is what makes a feed usable,
and what can go most wrong: it is kept apart and tested on its own. Contact text is taken
out first, words for getting in touch are no evidence on their own, and at most
:data:`MAX_GUESSED_NEEDS` needs are guessed; every guess is marked in the listing's YAML.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from directory.oruk.export import NEEDS_TAXONOMY
from directory.oruk.read import plain, records
from directory.vocabulary import Vocabulary, need_aliases

MAX_GUESSED_NEEDS = 3
_WORD = re.compile(r"[a-z0-9][a-z0-9'\-]*")


def match_needs(
    service: dict[str, Any], vocab: Vocabulary
) -> tuple[list[str], list[str], bool, list[str]]:
    """(needs, groups, guessed, terms not mapped) from the service's taxonomy terms.

    Signpost's own taxonomies map exactly. Other taxonomies' terms map when their code or
    name is a need's id, label or one of its words; failing that, needs are guessed from
    the words of the name and description.
    """
    needs: list[str] = []
    groups: list[str] = []
    unmapped: list[str] = []
    guessed = False
    aliases = need_aliases(vocab)
    terms = [attribute.get("taxonomy_term") for attribute in records(service.get("attributes"))]
    terms += records(service.get("taxonomy_terms"))  # older feeds list terms directly
    for term in terms:
        if not isinstance(term, dict):
            continue
        code = plain(term.get("code")).lower()
        name = plain(term.get("name") or term.get("term"))
        taxonomy = plain(term.get("taxonomy")).lower()
        if code in vocab.groups and taxonomy != NEEDS_TAXONOMY:
            groups.append(code)
            continue
        found = aliases.get(code) or aliases.get(name.lower())
        if found:
            needs.append(found)
        elif name or code:
            unmapped.append(name or code)
    if not needs:
        needs = guess_needs(plain(service.get("name")), plain(service.get("description")), vocab)
        guessed = bool(needs)
    return list(dict.fromkeys(needs))[:8], list(dict.fromkeys(groups)), guessed, unmapped


# Words that name how people get in touch or join, not what a service helps with: "email us",
# "visit our website", "sessions on Zoom". In feeds they mostly sit in contact text, so on their
# own they are no evidence of a digital-skills service (Bristol's feed: 157 services guessed as
# digital skills, 53 of them about computers). They still count beside a stronger word.
CHANNEL_WORDS = frozenset(
    """email emails e-mail website websites zoom whatsapp facebook app apps skype instagram
    youtube facetime google gmail texting""".split()
)
_CONTACT_TEXT = re.compile(
    r"""\b(?:https?://|www\.)\S+
    | \S+@\S+\.\S+
    | \b(?:visit|see|check|go\ to|look\ at|via|on|through|from|using|use|at)\s+(?:our|the|their
        |this|its|his|her)\s+(?:website|web\ ?site|web\ ?page|site|online\ form|facebook(?:\ page)?)
    | \b(?:by|via|or|and)\s+(?:e-?mail|phone|telephone|text|whatsapp)\b
    | \be-?mail(?:ing)?\s+(?:us|them|the\ team|the\ service|your)\b
    | \b(?:our|their|the)\s+(?:website|web\ ?site|e-?mail(?:\ address)?)\b
    | \b(?:website|e-?mail|tel|phone)\s*:
    """,
    re.IGNORECASE | re.VERBOSE,
)


@dataclass(frozen=True)
class _NeedTerms:
    """The vocabulary's words and phrases, compiled once: guessing 819 services re-built
    1,200 regular expressions per service (Python's pattern cache holds 512), 2-3 minutes in
    all; now a set lookup per word and a regex only for phrases whose words are present."""

    words: dict[str, tuple[str, ...]]  # word -> need ids listing it
    phrases: tuple[tuple[frozenset[str], re.Pattern[str], tuple[str, ...]], ...]
    order: dict[str, int]


@lru_cache(maxsize=4)
def _need_terms(vocab: Vocabulary) -> _NeedTerms:
    words: dict[str, list[str]] = {}
    phrases: dict[str, list[str]] = {}
    for need in vocab.needs.values():
        for term in need.phrases + need.words:
            term = term.lower()
            target = phrases if " " in term else words
            target.setdefault(term, []).append(need.id)
    compiled = tuple(
        (
            frozenset(_WORD.findall(text)),
            re.compile(rf"(?<![a-z]){re.escape(text)}(?![a-z])"),
            tuple(needs),
        )
        for text, needs in sorted(phrases.items())
    )
    order = {need: index for index, need in enumerate(vocab.needs)}
    return _NeedTerms({w: tuple(n) for w, n in words.items()}, compiled, order)


def guess_needs(name: str, description: str, vocab: Vocabulary) -> list[str]:
    """Needs whose words appear in the name (counting double) or description, best first.

    Contact details ("email us", "visit our website", addresses) are taken out first, and a
    need found only through words for getting in touch is not guessed.
    """
    terms = _need_terms(vocab)
    scores: dict[str, int] = {}
    strong: set[str] = set()
    for weight, raw in ((2, name), (1, description)):
        text = _CONTACT_TEXT.sub(" ", raw.lower())
        present = set(_WORD.findall(text))
        for word in present:
            for need in terms.words.get(word, ()):
                scores[need] = scores.get(need, 0) + weight
                if word not in CHANNEL_WORDS:
                    strong.add(need)
        for needed, pattern, needs in terms.phrases:
            if needed <= present and pattern.search(text):
                for need in needs:
                    scores[need] = scores.get(need, 0) + weight
                    strong.add(need)
    ranked = sorted(
        (need for need in scores if need in strong),
        key=lambda need: (-scores[need], terms.order.get(need, 0)),
    )
    return ranked[:MAX_GUESSED_NEEDS]
