"""Shared fixtures: a temporary data folder with a small vocabulary and one good listing.

Tests never touch the bundled data (except the tests that check the bundled data itself), so
they can break files freely.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from directory.vocabulary import Vocabulary, parse_vocabulary

ROOT = Path(__file__).resolve().parent.parent
TEMPLATE = (ROOT / "docs" / "template-listing.yaml").read_text(encoding="utf-8")

TEST_VOCABULARY = {
    "needs": [
        {
            "id": "loneliness",
            "label": "Loneliness and isolation",
            "description": "Meeting people and making friends.",
            "words": ["lonely", "befriending", "isolated"],
            "phrases": ["on my own"],
            "misspellings": ["lonley"],
        },
        {
            "id": "arts-and-crafts",
            "label": "Arts and crafts",
            "description": "Making things.",
            "words": ["craft", "painting", "woodwork"],
        },
        {
            "id": "diabetes",
            "label": "Diabetes",
            "description": "Living well with diabetes.",
            "words": ["diabetic", "sugar"],
            "misspellings": ["diabeties"],
        },
        {
            "id": "gardening",
            "label": "Gardening and nature",
            "description": "Growing things outdoors.",
            "words": ["allotment", "garden"],
        },
    ],
    "groups": [
        {"id": "older-people", "label": "Older people", "words": ["elderly", "pensioner"]},
        {"id": "men", "label": "Men", "words": ["male"]},
        {"id": "carers", "label": "Carers", "words": ["carer"]},
    ],
}


class FakeGazetteer:
    """Knows exactly the postcodes it is given, so tests do not depend on real data."""

    def __init__(self, known: set[str]) -> None:
        self.known = known

    def lookup_postcode(self, postcode: str):
        return (51.39, 1.38) if postcode in self.known else None


@pytest.fixture
def vocab() -> Vocabulary:
    return parse_vocabulary(TEST_VOCABULARY, "needs.yaml")


@pytest.fixture
def template_text() -> str:
    return TEMPLATE


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    """A data folder holding needs.yaml and one good listing in services/thanet/."""
    data = tmp_path / "data"
    (data / "services" / "thanet").mkdir(parents=True)
    (data / "needs.yaml").write_text(yaml.safe_dump(TEST_VOCABULARY), encoding="utf-8")
    (data / "services" / "thanet" / "margate-mens-shed.yaml").write_text(TEMPLATE, encoding="utf-8")
    return data


@pytest.fixture
def settings(data_dir: Path, tmp_path: Path):
    from directory.settings import Settings

    return Settings(data_dir=data_dir, index_dir=tmp_path / "index")


@pytest.fixture
def publish_data(settings):
    """Validate the temporary data folder and make it the live index, as `signpost index` does.

    Returns the publish result, so a test can edit files, publish again and check what a
    running site then serves.
    """
    from directory.geocode import default_gazetteer
    from search.publish import publish

    def run():
        return publish(settings, default_gazetteer())

    return run


@pytest.fixture
def app(settings, publish_data):
    """The site over the temporary data folder, with its index already built."""
    from app import create_app

    published = publish_data()
    assert published.ok, [str(problem) for problem in published.problems]
    return create_app(
        {
            "TESTING": True,
            "SIGNPOST_DATA": str(settings.data_dir),
            "SIGNPOST_INDEX": str(settings.index_dir),
        }
    )


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(data_dir: Path, monkeypatch: pytest.MonkeyPatch):
    """Runs the ``signpost`` command against the temporary data folder."""
    monkeypatch.setenv("SIGNPOST_DATA", str(data_dir))
    monkeypatch.delenv("SIGNPOST_INDEX", raising=False)
    return CliRunner()
