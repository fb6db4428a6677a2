"""Reading what people type: need ids, groups and typo corrections from the bundled vocabulary.

Exact need ids are asserted, so a change to ``data/needs.yaml`` that moves a word to another
need shows up here, not only as a drift in the relevance figures.
"""

from __future__ import annotations

import pytest
from whoosh.query import AndNot, Or

from directory.vocabulary import VocabularyError, load_vocabulary, parse_vocabulary
from search.interpret import clean_text, interpret
from search.query import MAX_CLAUSES, build_query
from tests.conftest import TEST_VOCABULARY

VOCAB = load_vocabulary()


def read(text: str):
    return interpret(text, VOCAB)


@pytest.mark.parametrize(
    ("text", "needs", "groups"),
    [
        # Group words are groups, never stemmed or corrected into a need.
        ("refugee", {}, {"new-arrivals"}),
        ("refugees", {}, {"new-arrivals"}),
        ("asylum seeker", {}, {"new-arrivals"}),
        ("pensioner", {}, {"older-people"}),
        ("pensioners", {}, {"older-people"}),
        ("veteran", {}, {"veterans"}),
        ("young person", {}, {"young-people"}),
        ("lonely older man", {"loneliness"}, {"older-people", "men"}),
        ("lonley pensioner", {"loneliness"}, {"older-people"}),
        ("dad with a toddler", {"parenting"}, {"families", "children"}),
        ("single mum", {"parenting"}, {"families"}),
        ("carer", {"carers"}, {"carers"}),
        ("caring for my wife", {"carers"}, {"carers"}),
        ("caring for my grandson", {"carers"}, {"carers"}),
        ("mens shed", {"arts-and-crafts"}, {"men"}),
        # A typo for a word that is a need and a group is both.
        ("childern", {"parenting"}, {"children"}),
        ("carres", {"carers"}, {"carers"}),
        # Everyday words for devices.
        ("help with my tablet", {"digital-skills"}, set()),
        ("help with my phone", {"digital-skills"}, set()),
        ("smartphone", {"digital-skills"}, set()),
        ("online banking", {"digital-skills"}, set()),
        # Needs, as before.
        ("diabeties", {"diabetes"}, set()),
        ("lost my wife", {"bereavement"}, set()),
        ("walking netball", {"physical-activity"}, set()),
        # A phrase may mean two needs: rent arrears are a housing problem and a debt.
        ("behind on rent", {"housing", "debt-and-money"}, set()),
        # Group words inside a need phrase are part of the phrase.
        ("lost my baby", {"bereavement"}, set()),
        ("forced marriage", {"domestic-abuse"}, set()),
        ("pension credit", {"benefits"}, set()),
        ("death in the family", {"bereavement"}, set()),
    ],
)
def test_needs_and_groups(text: str, needs: dict, groups: set) -> None:
    interpretation = read(text)
    assert set(interpretation.needs) == set(needs)
    assert all(weight == 1.0 for weight in interpretation.needs.values())
    assert set(interpretation.groups) == groups


def test_misspellings_are_corrected_and_shown() -> None:
    assert read("diabeties").corrections == {"diabeties": "diabetes"}
    assert read("diabeties").corrected_text == "diabetes"
    pensioner = read("pensoner")
    assert pensioner.corrections == {"pensoner": "pensioner"}
    assert set(pensioner.groups) == {"older-people"}
    assert not pensioner.needs
    refugee = read("refugie")
    assert refugee.corrections == {"refugie": "refugee"}
    assert set(refugee.groups) == {"new-arrivals"}
    assert not refugee.needs


def test_no_group_word_becomes_another_need() -> None:
    """Every group word is read as written: at most the need it is itself a word of."""
    need_words = {clean_text(word): need.id for need in VOCAB.needs.values() for word in need.words}
    for group in VOCAB.groups.values():
        for word in group.words:
            cleaned = clean_text(word)
            if " " in cleaned:
                continue
            interpretation = read(cleaned)
            assert interpretation.corrections == {}, word
            assert group.id in interpretation.groups, word
            expected = {need_words[cleaned]} if cleaned in need_words else set()
            assert set(interpretation.needs) == expected, word


def test_a_relative_is_not_the_persons_own_group() -> None:
    # "my dad" is someone else; with a condition the family looks after, a carer is asking.
    dementia = read("my dad has dementia")
    assert set(dementia.needs) == {"dementia", "carers"}
    assert dementia.groups == {}
    assert set(read("my husband has cancer").needs) == {"cancer-support", "carers"}
    assert set(read("my 84 year old mum has dementia").needs) == {"dementia", "carers"}
    # No condition: nothing to care for, and "my parents" are not parenting.
    assert set(read("my mum is lonely").needs) == {"loneliness"}
    assert read("my mum is lonely").groups == {}
    assert read("my parents").needs == {}
    assert read("my parents").groups == {}
    # Phrases still win: "lost my mum" is bereavement only.
    assert set(read("lost my mum").needs) == {"bereavement"}


def test_related_needs_are_not_searched() -> None:
    assert read("lonely").needs == {"loneliness": 1.0}


def test_members_only_groups_when_no_group_is_named() -> None:
    members_only = {group.id for group in VOCAB.groups.values() if group.members_only}
    assert {"young-people", "veterans", "new-arrivals", "lgbtq"} <= members_only
    assert "older-people" not in members_only
    lonely = read("lonely")
    assert set(lonely.members_only) == members_only
    assert set(lonely.group_labels) == members_only
    # Naming a group says who the person is; nothing is then put last for being for a group.
    assert read("lonely pensioner").members_only == ()
    assert set(read("lonely pensioner").group_labels) == {"older-people"}


def test_query_has_group_clauses_and_stays_small() -> None:
    query = build_query(read("lonely"))
    assert isinstance(query, Or)
    assert sum(isinstance(clause, AndNot) for clause in query.subqueries) == 1
    named = build_query(read("lonely pensioner"))
    assert not any(isinstance(clause, AndNot) for clause in named.subqueries)
    assert "older" in repr(named)
    # No stated need: no bonus for listings open to everyone.
    assert not any(isinstance(c, AndNot) for c in build_query(read("ukrainian")).subqueries)
    long = build_query(read("lonely older man refugee dad toddler veteran woman gay tablet"))
    assert len(long.subqueries) <= MAX_CLAUSES


def test_group_vocabulary_fields() -> None:
    document = {**TEST_VOCABULARY}
    document["groups"] = [
        {"id": "older-people", "label": "Older people", "misspellings": ["pensoner"]},
        {"id": "veterans", "label": "Veterans", "members_only": True},
    ]
    vocab = parse_vocabulary(document)
    assert vocab.groups["older-people"].misspellings == ("pensoner",)
    assert not vocab.groups["older-people"].members_only
    assert vocab.groups["veterans"].members_only
    document["groups"] = [{"id": "veterans", "label": "Veterans", "members_only": "yes"}]
    with pytest.raises(VocabularyError, match="members_only must be true or false"):
        parse_vocabulary(document)


@pytest.mark.parametrize(
    ("age", "group"), [(8, "children"), (17, "young-people"), (40, None), (72, "older-people")]
)
def test_an_age_filter_says_who_the_person_is(age: int, group: str | None) -> None:
    found = interpret("anxiety", VOCAB, age=age)
    assert set(found.groups) == ({group} if group else set())
    # A named group takes over from the age: "lonely pensioner" aged 17 is a pensioner search.
    assert set(interpret("lonely pensioner", VOCAB, age=17).groups) == {"older-people"}
    assert interpret("", VOCAB, age=age).groups == {}


def test_main_need_and_groups_use_their_own_index_fields() -> None:
    query = repr(build_query(read("lonely pensioner")))
    assert "Term('primary', 'loneliness'" in query
    assert "Term('groups', 'older-people'" in query
    members = repr(build_query(read("lonely")))
    assert "Term('groups', 'young-people')" in members


def test_phrases_are_found_as_one_regex_per_phrase_would_find_them() -> None:
    """The phrase look-up (runs of words in a dictionary) finds exactly the phrases that
    each phrase's own ``\\b<phrase>\\b`` regex finds, in the same longest-first order, on
    every vocabulary phrase and on 600 queries mixing phrases with words around them."""
    import random

    from search.interpret import _matcher, _phrases_in

    matcher = _matcher(VOCAB)
    texts = [phrase.text for phrase in matcher.phrases]
    rng = random.Random(16)
    queries = [*texts, "lost my wife and my wife", "behind on rent my mum", "a b", "x"]
    for text in rng.sample(texts, 300):
        a, b = rng.sample(texts, 2)
        queries.append(clean_text(f"{a} {text} {b.split()[0]}"))
        queries.append(clean_text(f"{text.split()[-1]} {text} x{text}"))
    assert len(queries) > 600
    for query in queries:
        expected = [phrase for phrase in matcher.phrases if phrase.pattern.search(f" {query} ")]
        assert _phrases_in(query, matcher) == expected, query
