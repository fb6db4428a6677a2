"""Browse by need: the headings come from needs.yaml's ``categories:``, not from code.

A deployment's own needs.yaml brings its own needs and headings; a need under no heading is
shown under "Other help" rather than vanishing; a broken ``categories:`` section is one
clear message saying where and what to write instead.
"""

from __future__ import annotations

import copy
import re
from pathlib import Path

import pytest
import yaml

from cli import main
from directory.vocabulary import VocabularyError, load_vocabulary, parse_vocabulary
from tests.conftest import ROOT, TEMPLATE, TEST_VOCABULARY
from views.present import need_categories

CATEGORIES = [
    {"id": "people", "label": "Meeting people", "needs": ["loneliness"]},
    {"id": "making", "label": "Making and mending", "needs": ["repair-cafe", "arts-and-crafts"]},
]
REPAIR_CAFE = {
    "id": "repair-cafe",
    "label": "Repair cafes",
    "description": "Fixing things together instead of throwing them away.",
    "words": ["repair", "mend", "fix"],
}


def vocabulary_with(categories: object) -> dict[str, object]:
    document = copy.deepcopy(TEST_VOCABULARY)
    document["needs"].append(dict(REPAIR_CAFE))
    document["categories"] = categories
    return document


def test_the_bundled_file_puts_every_need_under_one_heading_in_page_order() -> None:
    vocab = load_vocabulary(ROOT / "data" / "needs.yaml")
    placed = [need_id for category in vocab.categories for need_id in category.needs]
    assert sorted(placed) == sorted(vocab.needs)
    assert [category.id for category in vocab.categories] == [
        "people",
        "active",
        "creative",
        "health",
        "money",
        "family",
    ]
    assert vocab.categories[0].label == "Meeting people and feeling better"
    assert vocab.categories[0].needs == (
        "loneliness",
        "bereavement",
        "mental-wellbeing",
        "volunteering",
        "carers",
    )


def test_headings_follow_the_file_and_a_need_under_none_is_other_help() -> None:
    vocab = parse_vocabulary(vocabulary_with(CATEGORIES))
    counts = {"loneliness": 2, "repair-cafe": 1, "arts-and-crafts": 3, "diabetes": 1}
    shown = [(c.id, c.label, [n.id for n in c.needs]) for c in need_categories(vocab, counts)]
    assert shown == [
        ("people", "Meeting people", ["loneliness"]),
        ("making", "Making and mending", ["repair-cafe", "arts-and-crafts"]),
        ("other", "Other help", ["diabetes"]),  # gardening has no services: left out
    ]


def test_a_file_of_its_own_other_category_takes_the_needs_under_none() -> None:
    categories = CATEGORIES + [{"id": "other", "label": "Something else", "needs": ["gardening"]}]
    vocab = parse_vocabulary(vocabulary_with(categories))
    counts = {"gardening": 1, "diabetes": 2}
    shown = [(c.id, c.label, [n.id for n in c.needs]) for c in need_categories(vocab, counts)]
    assert shown == [("other", "Something else", ["gardening", "diabetes"])]


def test_a_file_without_categories_shows_every_need_under_one_heading() -> None:
    vocab = parse_vocabulary(TEST_VOCABULARY)
    assert vocab.categories == ()
    shown = [(c.label, [n.id for n in c.needs]) for c in need_categories(vocab, {"diabetes": 1})]
    assert shown == [("All kinds of help", ["diabetes"])]


def test_a_deployments_own_need_and_heading_show_on_the_browse_page(
    data_dir: Path, request: pytest.FixtureRequest
) -> None:
    (data_dir / "needs.yaml").write_text(yaml.safe_dump(vocabulary_with(CATEGORIES)), "utf-8")
    listing = data_dir / "services" / "thanet" / "margate-mens-shed.yaml"
    listing.write_text(
        TEMPLATE.replace("needs: [loneliness, arts-and-crafts]", "needs: [repair-cafe, diabetes]"),
        encoding="utf-8",
    )
    page = request.getfixturevalue("client").get("/needs").get_data(as_text=True)
    headings = re.findall(r'<h2 id="category-([a-z-]+)">([^<]+)</h2>', page)
    assert headings == [("making", "Making and mending"), ("other", "Other help")]
    assert re.search(r'href="/needs/repair-cafe">Repair cafes</a>.*?1 group or service', page, re.S)
    assert 'href="/needs/diabetes"' in page.split('id="category-other"')[1]
    assert "/needs/loneliness" not in page  # no services: no dead end


@pytest.mark.parametrize(
    ("categories", "message"),
    [
        (
            {"people": ["loneliness"]},
            "needs.yaml: 'categories' must be a list of categories, like:",
        ),
        ([{"label": "Meeting people"}], "needs.yaml: categories[0] needs an 'id', like:"),
        (
            [{"id": "Meeting People", "label": "Meeting people", "needs": []}],
            "needs.yaml: categories[0]: id 'Meeting People' must be lowercase words and hyphens.",
        ),
        (
            [{"id": "people", "needs": ["loneliness"]}],
            "needs.yaml: categories[0] ('people') needs a 'label', like: label: Meeting people",
        ),
        (
            [{"id": "people", "label": "Meeting people", "need": ["loneliness"]}],
            "needs.yaml: categories[0] ('people'): unknown field 'need'. Did you mean 'needs'?",
        ),
        (
            [{"id": "people", "label": "Meeting people", "needs": "loneliness"}],
            "needs.yaml: categories[0] ('people'): 'needs' must be a list of need ids, like: "
            "needs: [loneliness, food]",
        ),
        (
            [{"id": "people", "label": "Meeting people", "needs": ["lonliness"]}],
            "needs.yaml: categories[0] ('people'): 'lonliness' is not a need in this file. "
            "Did you mean 'loneliness'?",
        ),
        (
            [
                {"id": "people", "label": "Meeting people", "needs": ["loneliness"]},
                {"id": "people", "label": "Friends", "needs": []},
            ],
            "needs.yaml: categories[1] ('people'): the id is used twice. Use another id.",
        ),
        (
            [
                {"id": "people", "label": "Meeting people", "needs": ["loneliness"]},
                {"id": "friends", "label": "Friends", "needs": ["loneliness"]},
            ],
            "needs.yaml: categories[1] ('friends'): 'loneliness' is already under 'people'. "
            "A need goes under one category only: delete one.",
        ),
    ],
)
def test_a_bad_categories_section_is_one_located_message(
    runner, data_dir: Path, categories: object, message: str
) -> None:
    document = vocabulary_with(categories)
    with pytest.raises(VocabularyError) as raised:
        parse_vocabulary(document, "needs.yaml")
    assert str(raised.value).startswith(message)
    (data_dir / "needs.yaml").write_text(yaml.safe_dump(document), encoding="utf-8")
    result = runner.invoke(main, ["validate"])
    assert result.exit_code == 1
    assert message.replace("needs.yaml:", f"{data_dir / 'needs.yaml'}:") in result.output
    assert "Traceback" not in result.output
