"""Plain English, measured: patient-facing pages read at about age 9 to 11.

The Flesch-Kincaid grade of each page's main text (UK reading age is roughly the grade plus
5) is worked out here with a small syllable counter, so no dictionary has to be downloaded.
It is a coarse measure (it counts long words and long sentences, not meaning), so it guards
against drift, such as a paragraph of jargon, rather than proving the pages are clear.

Patient-facing pages must stay at grade 6 or below (reading age 11). The accessibility
statement and the data sources page quote legal and licence wording, so they get grade 8.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest

PATIENT_GRADE = 6.0
STATEMENT_GRADE = 8.0
SKIPPED = {"script", "style", "svg", "nav", "form", "select", "code", "pre"}
BREAKS = {"p", "li", "h1", "h2", "h3", "dd", "dt", "td", "th", "div", "br", "summary", "label"}
_VOWEL_GROUPS = re.compile(r"[aeiouy]+")
_WORD = re.compile(r"[A-Za-z][A-Za-z'’-]*")
_SENTENCE_END = re.compile(r"[.!?:\n]+")


class _MainText(HTMLParser):
    """The words inside <main>, leaving out forms, code and navigation."""

    def __init__(self) -> None:
        super().__init__()
        self.in_main = False
        self.skipping = 0
        self.parts: list[str] = []

    def handle_starttag(self, tag: str, attrs) -> None:
        self.in_main = self.in_main or tag == "main"
        self.skipping += tag in SKIPPED
        if tag in BREAKS:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag == "main":
            self.in_main = False
        self.skipping -= tag in SKIPPED

    def handle_data(self, data: str) -> None:
        if self.in_main and not self.skipping:
            self.parts.append(data)


def main_text(html: str) -> str:
    parser = _MainText()
    parser.feed(html)
    return "".join(parser.parts)


def syllables(word: str) -> int:
    """Vowel groups, less a silent final e or -ed/-es: close enough for a reading grade."""
    word = word.lower()
    if len(word) <= 3:
        return 1
    word = re.sub(r"(?:[^laeiouy]es|ed|[^laeiouy]e)$", "", word)
    word = re.sub(r"^y", "", word)
    return max(1, len(_VOWEL_GROUPS.findall(word)))


def reading_grade(text: str) -> float:
    """Flesch-Kincaid grade level; headings and list items count as sentences."""
    sentences = [part for part in _SENTENCE_END.split(text) if _WORD.search(part)]
    words = _WORD.findall(text)
    if not words:
        return 0.0
    syllable_count = sum(syllables(word) for word in words)
    return 0.39 * len(words) / len(sentences) + 11.8 * syllable_count / len(words) - 15.59


@pytest.mark.parametrize(
    ("text", "low", "high"),
    [
        ("The cat sat on the mat. It was fun.", -5, 2),
        (
            "Notwithstanding the aforementioned considerations, comprehensive "
            "institutional accountability necessitates substantial organisational commitment.",
            14,
            40,
        ),
    ],
)
def test_the_measure_tells_plain_from_dense(text, low, high):
    assert low <= reading_grade(text) <= high


PATIENT_PAGES = [
    "/",
    "/?q=feeling+lonely&near=CT9+1EP",
    "/?q=zzzzqqq&near=CT9",
    "/needs",
    "/services/margate-bereavement-cafe",
    "/shortlist/",
    "/shortlist/handout?ids=margate-bereavement-cafe,thanet-chat-line-telephone-befriending",
    "/shortlist/text?ids=margate-bereavement-cafe",
    "/about",
    "/privacy",
    "/feedback/margate-bereavement-cafe",
    "/no-such-page",
    "/urgent-help",
    "/?q=kill+myself&near=CT9+1EP",
]
STATEMENTS = ["/accessibility", "/data-sources"]


@pytest.mark.parametrize("path", PATIENT_PAGES)
def test_patient_pages_read_at_age_eleven_or_below(site, path):
    text = main_text(site.get(path).get_data(as_text=True))
    assert len(_WORD.findall(text)) >= 20, "the page has words to measure"
    assert reading_grade(text) <= PATIENT_GRADE, text[:400]


@pytest.mark.parametrize("path", STATEMENTS)
def test_statements_stay_readable(site, path):
    text = main_text(site.get(path).get_data(as_text=True))
    assert reading_grade(text) <= STATEMENT_GRADE
