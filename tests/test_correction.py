"""Typo correction that respects real words, is the same in every process, and owns up.

A wrong correction can hide help: "kill myself" was read as "skills myself", "cant stop
crying" as "can stop caring", "dressed" as "depressed". Only a word that is not a real word
(vocabulary, listings' own words, or English by ``wordfreq``) is corrected; a guess is shown
with the person's own words offered back ("Search instead for"); and a query with no word that
says what is wanted says so instead of listing everything.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from directory.vocabulary import load_vocabulary, parse_vocabulary
from search.interpret import REAL_WORD_ZIPF, interpret, is_english, is_real_word
from tests.conftest import ROOT, TEST_VOCABULARY

VOCAB = load_vocabulary()

# Words a wrong correction once landed on (from real service descriptions): if the listings
# hold them, an ordinary word must still not be "corrected" into them.
LISTING_WORDS = frozenset(
    """
    skills caring can chaps sport depressed stalking sanctioning san shoes sheds cheese sorted
    dress stealth section scans killer mysel crisp dying diet overdone kilt suicide
    """.split()
)

# Everyday words that must be taken as written: the named wrong corrections, crisis words
# and ordinary words a social-prescribing search is full of.
ORDINARY_WORDS = [
    "cant",
    "crying",
    "homeless",
    "kill",
    "myself",
    "cheap",
    "sort",
    "dressed",
    "stealing",
    "scan",
    "sectioning",
    "sectioned",
    "shes",
    "suicidal",
    "overdose",
    "die",
    "dying",
    "hurt",
    "pills",
    "scared",
    "tired",
    "drinking",
    "gambling",
    "pregnant",
    "widow",
    "dentist",
    "glasses",
    "shower",
    "washing",
    "letter",
    "landlord",
    "nappies",
    "uniform",
    "clothes",
    "coat",
    "swimming",
    "fishing",
    "chess",
    "bingo",
    "choir",
    "knitting",
    "childminder",
    "advocate",
    "tinnitus",
    "respite",
]


@pytest.mark.parametrize("word", ORDINARY_WORDS)
def test_ordinary_words_are_never_corrected(word: str) -> None:
    found = interpret(word, VOCAB, LISTING_WORDS)
    assert found.corrections == {}, f"{word!r} was corrected to {found.corrections}"
    assert found.corrected_text is None
    assert word in found.terms or found.needs


@pytest.mark.parametrize(
    "text",
    [
        "kill myself",
        "cant stop crying",
        "she's lonely",
        "help getting dressed",
        "cheap food",
        "sort out my debts",
        "someone is stealing from my mum",
        "scared of sectioning",
        "want to die",
        "took an overdose",
        "feeling suicidal",
    ],
)
def test_everyday_queries_are_read_as_written(text: str) -> None:
    found = interpret(text, VOCAB, LISTING_WORDS)
    assert found.corrections == {}
    assert found.corrected_text is None
    assert found.guessed == ()


def test_the_named_wrong_corrections_do_not_add_a_need() -> None:
    assert interpret("kill myself", VOCAB, LISTING_WORDS).needs == {}
    assert "digital-skills" not in interpret("kill myself", VOCAB, LISTING_WORDS).needs
    assert "carers" not in interpret("cant stop crying", VOCAB, LISTING_WORDS).needs
    assert "mental-wellbeing" not in interpret("help getting dressed", VOCAB, LISTING_WORDS).needs
    assert "domestic-abuse" not in interpret("stealing", VOCAB, LISTING_WORDS).needs


@pytest.mark.parametrize(
    ("typed", "meant", "need"),
    [
        ("lonelyy", "lonely", "loneliness"),
        ("singng", "singing", "music-and-singing"),
        ("bereavemint", "bereavement", "bereavement"),
    ],
)
def test_non_words_are_still_corrected_and_marked_as_guesses(typed, meant, need) -> None:
    found = interpret(typed, VOCAB, LISTING_WORDS)
    assert found.corrections == {typed: meant}
    assert found.guessed == (typed,)
    assert need in found.needs
    assert not is_real_word(typed, VOCAB, LISTING_WORDS)


def test_listed_misspellings_are_not_guesses() -> None:
    found = interpret("lonley", VOCAB)
    assert found.corrections == {"lonley": "lonely"}
    assert found.guessed == ()


def test_exact_takes_the_words_as_typed() -> None:
    found = interpret("lonelyy", VOCAB, LISTING_WORDS, exact=True)
    assert found.corrections == {}
    assert found.guessed == ()
    assert found.exact
    assert found.terms == ("lonelyy",)
    assert found.needs == {}


def test_the_english_word_list_is_offline_and_its_threshold_separates_typos() -> None:
    assert 2.0 <= REAL_WORD_ZIPF <= 3.0
    for word in ("kill", "cheap", "sort", "dressed", "stealing", "scan", "shes", "sectioned"):
        assert is_english(word), word
    for typo in ("lonley", "freinds", "bereavment", "diabeties", "councelling", "lonelyy"):
        assert not is_english(typo), typo


def test_word_frequencies_need_no_network(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args, **kwargs):
        raise AssertionError("wordfreq tried to reach the network")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    is_english.cache_clear()
    assert is_english("stealing")
    assert not is_english("stealingg")


def test_ties_are_broken_by_a_stable_key() -> None:
    """Two listing words equally close: the nearer length, then alphabetical, not set order."""
    vocab = parse_vocabulary(TEST_VOCABULARY, "needs.yaml")
    for order in (["woodturner", "woodturned"], ["woodturned", "woodturner"]):
        found = interpret("woodturnex", vocab, frozenset(order))
        assert found.corrections == {"woodturnex": "woodturned"}
    found = interpret("woodturnex", vocab, frozenset({"woodturners", "woodturner", "woodturned"}))
    assert found.corrections == {"woodturnex": "woodturned"}


# ---- the same answer in every process, whatever the hash seed ----

CHILD = r"""
import json, sys
from datetime import datetime
from directory.places import default_gazetteer
from directory.vocabulary import load_vocabulary
from search.engine import LONDON, search
from search.interpret import interpret
from search.request import SearchRequest
from search.snapshot import SearchIndex

index_dir, queries = sys.argv[1], json.loads(sys.argv[2])
vocab = load_vocabulary()
index = SearchIndex(index_dir)
words = index.snapshot().facets.words
gazetteer = default_gazetteer()
now = datetime(2026, 11, 23, 11, 0, tzinfo=LONDON)
out = []
for text in queries:
    found = interpret(text, vocab, words)
    response = search(index, SearchRequest(text=text, per_page=50), vocab, gazetteer, now=now)
    out.append({
        "text": text,
        "needs": found.needs,
        "groups": {k: list(v) for k, v in found.groups.items()},
        "terms": list(found.terms),
        "corrections": found.corrections,
        "ids": [hit.id for hit in response.hits],
        "total": response.total,
    })
print(json.dumps(out, sort_keys=True))
"""

SEED_QUERIES = [
    "woodturnex",
    "gardenex",
    "lonelyy",
    "singng",
    "kill myself",
    "cant stop crying",
    "support groups",
    "lonely older man",
    "walking",
    "bereavemint cafe",
]


def test_same_interpretation_and_results_in_every_process(tmp_path: Path) -> None:
    """Two processes with different hash seeds read and rank every query identically."""
    from directory.places import default_gazetteer
    from directory.settings import Settings
    from search.publish import publish
    from tests.conftest import make_site_data

    data = make_site_data(tmp_path)
    # Near-identical words in a listing, so a typo between them is a tie to break.
    extra = data / "services" / "east-kent" / "margate-mens-shed.yaml"
    extra.write_text(
        extra.read_text(encoding="utf-8").replace(
            "description: >", "description: >\n  A woodturner and a woodturned bowl; gardener,"
        ),
        encoding="utf-8",
    )
    settings = Settings(data_dir=data, index_dir=tmp_path / "index")
    published = publish(settings, default_gazetteer())
    assert published.ok, [str(problem) for problem in published.problems]
    outputs = []
    for seed in ("1", "3", "12345"):
        env = {**os.environ, "PYTHONHASHSEED": seed}
        done = subprocess.run(
            [sys.executable, "-c", CHILD, str(settings.index_dir), json.dumps(SEED_QUERIES)],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert done.returncode == 0, done.stderr
        outputs.append(json.loads(done.stdout))
    assert outputs[0] == outputs[1] == outputs[2]
    by_text = {row["text"]: row for row in outputs[0]}
    assert by_text["woodturnex"]["corrections"] == {"woodturnex": "woodturned"}


# ---- a query with no word that says what is wanted ----


@pytest.mark.parametrize("text", ["support groups", "help", "something near me", "the and or"])
def test_only_common_words_is_unclear(text: str) -> None:
    found = interpret(text, VOCAB)
    assert found.unclear
    assert not interpret("lonely", VOCAB).unclear
    assert not interpret("", VOCAB).unclear


def test_site_says_when_it_cannot_tell_what_is_wanted(site) -> None:
    page = site.get("/?q=support+groups").get_data(as_text=True)
    assert "We could not tell what you are looking for from &#39;support groups&#39;" in page
    assert 'href="/needs"' in page
    assert "0 results" in page


def test_api_says_when_it_cannot_tell_what_is_wanted(api) -> None:
    body = api.get("/api/v1/services?q=support+groups").get_json()
    assert body["total"] == 0
    assert body["results"] == []
    assert body["unclear"]["message"].startswith(
        "We could not tell what you are looking for from 'support groups'."
    )
    assert body["unclear"]["browse"]["self"].endswith("/api/v1/needs")
    assert body["unclear"]["browse"]["html"].endswith("/needs")
    assert body["wider"] == []
    assert api.get("/api/v1/services?q=lonely").get_json()["unclear"] is None


def test_cli_says_when_it_cannot_tell_what_is_wanted(runner: CliRunner, data_dir: Path) -> None:
    from cli import main

    assert runner.invoke(main, ["index"]).exit_code == 0
    result = runner.invoke(main, ["search", "support groups"])
    assert result.exit_code == 0, result.output
    assert "We could not tell what you are looking for from 'support groups'" in result.output
    assert "0 results" in result.output
    assert "Browse by need with --need ID: loneliness" in result.output


# ---- a guess is shown, with the person's own words offered back ----


def test_site_offers_the_words_as_typed_after_a_guess(site) -> None:
    page = site.get("/?q=singng&near=CT9").get_data(as_text=True)
    assert "Showing results for <strong>singing</strong>" in page
    assert 'Search instead for <a href="/?q=singng&amp;exact=true&amp;near=CT9">singng</a>' in page
    exact = site.get("/?q=singng&exact=true&near=CT9").get_data(as_text=True)
    assert "Showing results for" not in exact
    assert "Search instead for" not in exact
    # The filters form keeps the choice, so ticking a filter does not correct the words again.
    assert '<input type="hidden" name="exact" value="true">' in exact
    # A listed misspelling is certain, not a guess: nothing to offer back.
    listed = site.get("/?q=lonley").get_data(as_text=True)
    assert "Showing results for <strong>lonely</strong>" in listed
    assert "Search instead for" not in listed


def test_api_offers_the_words_as_typed_after_a_guess(api) -> None:
    body = api.get("/api/v1/services?q=singng").get_json()
    assert body["did_you_mean"] == "singing"
    assert body["search_instead"] == "singng"
    exact = api.get("/api/v1/services?q=singng&exact=true").get_json()
    assert exact["did_you_mean"] is None
    assert exact["search_instead"] is None
    assert exact["query"]["exact"] is True
    assert api.get("/api/v1/services?q=lonley").get_json()["search_instead"] is None


def test_cli_offers_the_words_as_typed_after_a_guess(runner: CliRunner, data_dir: Path) -> None:
    from cli import main

    assert runner.invoke(main, ["index"]).exit_code == 0
    guessed = runner.invoke(main, ["search", "lonelyy"])
    assert "Showing results for: lonely" in guessed.output
    assert "Search instead for: lonelyy (add --exact)" in guessed.output
    exact = runner.invoke(main, ["search", "lonelyy", "--exact"])
    assert "Showing results for" not in exact.output
    assert "0 results" in exact.output


def test_accents_are_folded_in_the_index_as_in_the_query() -> None:
    """ "Memory Cafe" typed on a phone finds "Memory Café": both sides fold accents."""
    from search.interpret import clean_text
    from search.schema import analyse

    assert analyse("Memory Café") == analyse(clean_text("memory cafe")) == ["memori", "cafe"]
    assert analyse("naïve Zoë") == analyse(clean_text("Naive Zoe"))
