"""The published JSON Schema and the validator must agree, or editors would mislead people."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import jsonschema
import pytest

from directory.load import load_file, load_text
from directory.schema import listing_schema
from directory.validation import check_loaded, find_listing_files
from directory.vocabulary import load_vocabulary
from tests.conftest import BUNDLED_SERVICES, ROOT
from tests.test_validate import CASES, replace_line

SCHEMA_FILE = ROOT / "schema" / "listing.schema.json"
TODAY = date(2026, 11, 23)

# Rules a JSON Schema cannot express: they need the file's text, other files, today's date,
# the gazetteer, or arithmetic between fields. The validator alone catches these.
VALIDATOR_ONLY = {
    "duplicate key",  # JSON Schema sees the parsed data, where the second value has won
    "anchors and aliases",  # the YAML is refused before it becomes data
    "yaml syntax: second colon",
    "date in the future",
    "impossible date, ISO style",
    "impossible date, British style",
    "British date that exists",
    "closes before it opens",
    "ages the wrong way round",
    "html in description",
    "bad phone",
    "words in phone",
    "unknown language",
    "lat without lon",  # dependentRequired covers it, but the schema needs both to be numbers
}


@pytest.fixture(scope="module")
def bundled_vocab():
    return load_vocabulary()


@pytest.fixture(scope="module")
def validator(bundled_vocab):
    schema = listing_schema(bundled_vocab)
    return jsonschema.Draft202012Validator(
        schema, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER
    )


def test_committed_schema_is_current(bundled_vocab):
    committed = json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))
    assert committed == listing_schema(bundled_vocab), (
        "schema/listing.schema.json is out of date: run "
        "'signpost schema -o schema/listing.schema.json'"
    )


def test_schema_is_a_valid_json_schema(bundled_vocab):
    jsonschema.Draft202012Validator.check_schema(listing_schema(bundled_vocab))


def test_schema_accepts_every_bundled_listing(validator):
    files, _ = find_listing_files([BUNDLED_SERVICES])
    assert files
    for path in files:
        loaded = load_file(path)
        errors = list(validator.iter_errors(loaded.data))
        assert not errors, f"{path}: {errors[0].message}"


def test_schema_accepts_the_template(validator, template_text):
    loaded = load_text(template_text, "template.yaml")
    assert list(validator.iter_errors(loaded.data)) == []


@pytest.mark.parametrize("case", [c for c in CASES if c not in VALIDATOR_ONLY])
def test_schema_rejects_what_the_validator_rejects(validator, bundled_vocab, template_text, case):
    old, new, _, _ = CASES[case]
    text = replace_line(template_text, old, new)
    loaded = load_text(text, "broken.yaml")
    listing, problems = check_loaded(
        loaded, bundled_vocab, listing_id="margate-mens-shed", today=TODAY
    )
    assert problems, "the validator should reject this case"
    assert loaded.data is not None
    assert list(validator.iter_errors(loaded.data)), "the schema should reject this case too"


@pytest.mark.parametrize("case", sorted(VALIDATOR_ONLY))
def test_validator_only_rules_are_still_rules(bundled_vocab, template_text, case):
    old, new, _, _ = CASES[case]
    loaded = load_text(replace_line(template_text, old, new), "broken.yaml")
    _, problems = check_loaded(loaded, bundled_vocab, listing_id="margate-mens-shed", today=TODAY)
    assert problems


def test_schema_field_names_match_the_format_doc():
    doc = (ROOT / "docs" / "listing-format.md").read_text(encoding="utf-8")
    schema = json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))
    for name in schema["properties"]:
        assert f"`{name}`" in doc, f"docs/listing-format.md does not describe '{name}'"


def test_schema_path_exists_for_editors():
    settings = json.loads((ROOT / ".vscode" / "settings.json").read_text(encoding="utf-8"))
    mapping = settings["yaml.schemas"]
    assert "./schema/listing.schema.json" in mapping
    assert Path(ROOT / mapping_key(mapping)).exists()


def mapping_key(mapping: dict) -> str:
    return next(iter(mapping))
