"""Shared fixtures: a temporary data folder with a small vocabulary and one good listing.

Tests never touch the bundled data (except the tests that check the bundled data itself), so
they can break files freely.
"""

from __future__ import annotations

import contextlib
import os
import socket
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from directory.vocabulary import Vocabulary, parse_vocabulary

ROOT = Path(__file__).resolve().parent.parent
TEMPLATE = (ROOT / "docs" / "template-listing.yaml").read_text(encoding="utf-8")

# The bundled listings. SIGNPOST_TEST_SERVICES points the tests that read them at a copy
# (tests/test_contribute.py adds a volunteer's listing to one and runs them there).
BUNDLED_SERVICES = Path(os.environ.get("SIGNPOST_TEST_SERVICES") or ROOT / "data" / "services")
EXAMPLE_MARK = "# Example listing"


def example_files(services: Path = BUNDLED_SERVICES) -> list[Path]:
    """The bundled fictional examples: listing files whose first line is ``# Example listing``.

    Tests that pin what the examples contain (relevance judgements, counts, fictional phone
    numbers) read only these, so a real listing a volunteer adds, dated today and without
    the comment, can never make them fail.
    """
    found = []
    for path in sorted(services.rglob("*.y*ml")):
        with path.open(encoding="utf-8", errors="replace") as handle:
            if handle.readline().startswith(EXAMPLE_MARK):
                found.append(path)
    return found


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


def free_port() -> int:
    """A TCP port on loopback that nothing is listening on, for a server a test starts."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


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
    from directory.places import default_gazetteer
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


# ---- The website over a handful of real listings (tests/test_site*.py, tests/browser/) ----

SITE_LISTINGS = (
    "east-kent/margate-bereavement-cafe.yaml",
    "east-kent/margate-community-larder.yaml",
    "east-kent/margate-seafront-health-walk.yaml",
    "east-kent/birchington-carers-coffee-morning.yaml",
    "east-kent/ramsgate-harbour-mens-shed.yaml",
    "east-kent/cliftonville-growing-space.yaml",
    "east-kent/thanet-chat-line-telephone-befriending.yaml",
    "national/national-grief-listening-line.yaml",
    "brighton-and-hove/hove-memory-singers.yaml",
)
"""Bundled listings copied into the site tests' data folder: Thanet, one national, one in Hove."""

SITE_NOW = (2026, 11, 23, 9, 30)  # a Monday morning, so "next session" wording is stable


def make_site_data(folder: Path) -> Path:
    """A data folder with the real needs vocabulary, SITE_LISTINGS and the template listing."""
    import shutil

    data = folder / "data"
    (data / "services" / "east-kent").mkdir(parents=True)
    shutil.copy(ROOT / "data" / "needs.yaml", data / "needs.yaml")
    for name in SITE_LISTINGS:
        target = data / "services" / name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(ROOT / "data" / "services" / name, target)
    (data / "services" / "east-kent" / "margate-mens-shed.yaml").write_text(
        TEMPLATE, encoding="utf-8"
    )
    return data


def make_site_app(folder: Path, **config):
    """Build the index for ``make_site_data(folder)`` and the app over it, clock fixed."""
    from datetime import datetime

    from app import create_app
    from directory.places import default_gazetteer
    from directory.settings import Settings
    from search.engine import LONDON
    from search.publish import publish

    data = make_site_data(folder)
    settings = Settings(data_dir=data, index_dir=folder / "index")
    published = publish(settings, default_gazetteer())
    assert published.ok, [str(problem) for problem in published.problems]
    return create_app(
        {
            "SIGNPOST_DATA": str(data),
            "SIGNPOST_INDEX": str(settings.index_dir),
            "SIGNPOST_CLOCK": lambda: datetime(*SITE_NOW, tzinfo=LONDON),
            **config,
        }
    )


@contextlib.contextmanager
def configured(app, **values: str) -> Iterator[None]:
    """Change a built app's settings for a moment, by variable name, then put them back.

    ``with configured(site_app, SIGNPOST_PUBLIC_URL="https://x.example"): ...`` (the app
    reads its one settings object, so setting ``app.config["SIGNPOST_PUBLIC_URL"]`` does
    nothing).
    """
    before = app.config["SIGNPOST_SETTINGS"]
    app.config["SIGNPOST_SETTINGS"] = before.updated(values)
    try:
        yield
    finally:
        app.config["SIGNPOST_SETTINGS"] = before


@pytest.fixture(scope="session")
def site_app(tmp_path_factory: pytest.TempPathFactory):
    """The site over several real listings, with report links configured.

    Built once per run (an index build and the gazetteer take seconds): tests that use it
    must not change its data folder.
    """
    return make_site_app(
        tmp_path_factory.mktemp("site"),
        TESTING=True,
        SIGNPOST_REPOSITORY_URL="https://github.com/example/signpost",
        SIGNPOST_REPORT_EMAIL="listings@example.org",
    )


@pytest.fixture
def site(site_app):
    """A test client for ``site_app``."""
    return site_app.test_client()


# ---- The API over a dozen real listings (tests/test_api.py, test_oruk.py, test_export.py) ----

API_LISTINGS = (
    "east-kent/margate-bereavement-cafe.yaml",
    "east-kent/margate-community-larder.yaml",
    "east-kent/margate-seafront-health-walk.yaml",
    "east-kent/ramsgate-harbour-mens-shed.yaml",
    "east-kent/westgate-knit-and-natter.yaml",
    "east-kent/broadstairs-diabetes-circle.yaml",
    "east-kent/deal-walk-and-talk-bereavement.yaml",
    "east-kent/sandwich-community-car-scheme.yaml",
    "east-kent/thanet-chat-line-telephone-befriending.yaml",
    "east-kent/thanet-calm-minds-online.yaml",
    "camden/gospel-oak-bereavement-cafe.yaml",
    "camden/camden-town-friendship-cafe.yaml",
    "national/national-grief-listening-line.yaml",
    "brighton-and-hove/hove-memory-singers.yaml",
)
"""Bundled listings for the API tests: Thanet and nearby, two in Camden, one national, one Hove."""

API_NOW = (2026, 11, 24, 10, 30)  # a Tuesday morning, UK time


def make_api_data(folder: Path) -> Path:
    """A data folder with the real needs vocabulary and the API_LISTINGS."""
    import shutil

    data = folder / "data"
    data.mkdir(parents=True)
    shutil.copy(ROOT / "data" / "needs.yaml", data / "needs.yaml")
    for name in API_LISTINGS:
        target = data / "services" / name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(ROOT / "data" / "services" / name, target)
    return data


@pytest.fixture(scope="module")
def api_settings(tmp_path_factory: pytest.TempPathFactory):
    """Settings for a data folder of API_LISTINGS whose index is built (once per module)."""
    from directory.places import default_gazetteer
    from directory.settings import Settings
    from search.publish import publish

    folder = tmp_path_factory.mktemp("api")
    settings = Settings(data_dir=make_api_data(folder), index_dir=folder / "index")
    published = publish(settings, default_gazetteer())
    assert published.ok, [str(problem) for problem in published.problems]
    return settings


@pytest.fixture(scope="module")
def api_app(api_settings):
    """The app over API_LISTINGS, clock fixed at API_NOW (read-only: share it freely)."""
    from datetime import datetime

    from app import create_app
    from search.engine import LONDON

    return create_app(
        {
            "TESTING": True,
            "SIGNPOST_DATA": str(api_settings.data_dir),
            "SIGNPOST_INDEX": str(api_settings.index_dir),
            "SIGNPOST_CLOCK": lambda: datetime(*API_NOW, tzinfo=LONDON),
        }
    )


@pytest.fixture
def api(api_app):
    """A test client for ``api_app``."""
    return api_app.test_client()


@pytest.fixture(scope="session")
def bundled():
    """Every bundled example listing, validated and located, with the real vocabulary and
    gazetteer (only the examples: see ``example_files``)."""
    from types import SimpleNamespace

    from directory.places import default_gazetteer
    from directory.validation import validate_paths
    from directory.vocabulary import load_vocabulary
    from search.build import locate

    vocab = load_vocabulary(ROOT / "data" / "needs.yaml")
    gazetteer = default_gazetteer()
    report = validate_paths(example_files(), vocab, gazetteer=gazetteer)
    listings, problems = locate(report.listings, gazetteer)
    assert report.ok, [str(problem) for problem in report.problems + problems]
    assert not problems, [str(problem) for problem in problems]
    return SimpleNamespace(listings=listings, vocab=vocab, gazetteer=gazetteer)


def inside_one_minute(margin: float = 10.0) -> None:
    """Wait, if a minute of the clock ends within ``margin`` seconds, until the next begins.

    Rate limits count in windows aligned to the clock's minutes (limits' sliding window
    counter, whose previous window's count is weighted by how much of it is left and rounded
    down): requests that straddle a minute's end may all be let through, so a test of "the
    sixth is refused" would fail about once in thirty runs.
    """
    left = 60 - time.time() % 60
    if left < margin:
        time.sleep(left + 0.05)
