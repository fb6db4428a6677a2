"""Commands that had no test of their own: ``geocode``, ``schema``, a broken ``needs.yaml``,
and the health check before the first build."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from cli import main

ROOT = Path(__file__).resolve().parent.parent


def test_geocode_prints_what_a_postcode_resolves_to(runner):
    result = runner.invoke(main, ["geocode", "CT9 1EP"])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("CT9 1EP: 51.389")
    assert "(postcode)" in result.output


def test_geocode_json_has_the_whole_place(runner):
    result = runner.invoke(main, ["geocode", "Margate", "--json"])
    assert result.exit_code == 0, result.output
    place = json.loads(result.output)
    assert set(place) == {"lat", "lon", "kind", "label", "note", "district", "country"}
    assert place["country"] == "England"
    assert place["label"].startswith("Margate")


def test_geocode_says_when_it_knows_no_such_place(runner):
    result = runner.invoke(main, ["geocode", "Xyzzyqq"])
    assert result.exit_code == 1
    assert "Could not find 'Xyzzyqq'." in result.output


def test_schema_prints_the_committed_schema(runner, tmp_path, monkeypatch):
    monkeypatch.setenv("SIGNPOST_DATA", str(ROOT / "data"))  # the real needs vocabulary
    printed = runner.invoke(main, ["schema"])
    assert printed.exit_code == 0, printed.output
    committed = json.loads((ROOT / "schema" / "listing.schema.json").read_text("utf-8"))
    assert json.loads(printed.output) == committed
    target = tmp_path / "listing.schema.json"
    written = runner.invoke(main, ["schema", "--output", str(target), "--data", str(ROOT / "data")])
    assert written.exit_code == 0, written.output
    assert json.loads(target.read_text("utf-8")) == committed


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("needs: [oops", "needs.yaml: cannot be read: while parsing a flow sequence"),
        ("needs:\n  - label: Lonely\n", "needs.yaml: needs[0] needs an 'id'."),
    ],
)
@pytest.mark.parametrize("command", ["validate", "index"])
def test_a_broken_needs_file_is_one_clear_error(runner, data_dir, tmp_path, text, message, command):
    (data_dir / "needs.yaml").write_text(text, encoding="utf-8")
    args = [command] + (["--index", str(tmp_path / "ix")] if command == "index" else [])
    result = runner.invoke(main, args)
    assert result.exit_code == 1
    assert message in result.output
    assert "Traceback" not in result.output
    assert not (tmp_path / "ix" / "current").exists()


def test_health_is_503_before_the_first_build(data_dir, tmp_path):
    from app import create_app

    app = create_app({"SIGNPOST_DATA": str(data_dir), "SIGNPOST_INDEX": str(tmp_path / "none")})
    response = app.test_client().get("/healthz")
    assert response.status_code == 503
    assert response.get_json() == {"status": "no-index", "build_id": None, "listings": 0}
    assert response.headers["Cache-Control"] == "no-store"


def test_schema_follows_the_data_folders_own_vocabulary(runner):
    """A deployment with its own needs.yaml gets a schema that knows its own need ids."""
    printed = json.loads(runner.invoke(main, ["schema"]).output)
    enum = json.dumps(printed)
    assert '"loneliness"' in enum
    assert '"gardening"' in enum
    assert '"bereavement"' not in enum
