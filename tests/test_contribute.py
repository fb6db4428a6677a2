"""Contributions: a valid listing never breaks the build (the form's tests follow below)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from datetime import date
from pathlib import Path

from click.testing import CliRunner

from cli import main
from tests.conftest import ROOT

# A real group's listing as a volunteer writes it: dated today, no "# Example listing"
# comment, a real-looking phone number, a new area folder, and a better match for "lonely
# near Margate" than the judged examples.
VOLUNTEER_LISTING = f"""name: Margate Lonely Hearts Friendship Circle
organisation: Margate Friends CIC
description: >
  A friendly weekly circle for anyone who feels lonely or isolated in Margate: tea, chat and
  befriending with neighbours. Lonely? Come along.
status: active
needs: [loneliness]
access:
  routes: [drop-in]
  how_to_access: Just turn up, or ring first.
cost:
  free: true
contact:
  phone: "01843 231567"
  email: hello@margatefriends.org.uk
locations:
  - name: Margate Library
    address: Cecil Square, Margate
    postcode: CT9 1EP
areas_served: [Thanet]
last_reviewed: {date.today().isoformat()}
reviewed_by: Margate Friends
"""

# Every test module that reads the bundled data folder.
BUNDLED_DATA_TESTS = [
    "tests/test_examples.py",
    "tests/test_relevance.py",
    "tests/test_schema.py",
    "tests/test_export.py",
    "tests/test_import.py",
    "tests/test_search.py",
]


def test_a_valid_new_listing_never_breaks_the_tests(tmp_path: Path):
    """Copy the bundled data, add a volunteer's listing that `signpost validate` passes, and
    run every test that reads the bundled data against the copy: all must still pass."""
    data = tmp_path / "data"
    shutil.copytree(ROOT / "data", data)
    folder = data / "services" / "margate"
    folder.mkdir()
    (folder / "margate-friendship-circle.yaml").write_text(VOLUNTEER_LISTING, encoding="utf-8")

    result = CliRunner().invoke(main, ["validate", "--data", str(data)])
    assert result.exit_code == 0, result.output

    env = {**os.environ, "SIGNPOST_TEST_SERVICES": str(data / "services")}
    run = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-x", "-p", "no:cacheprovider"] + BUNDLED_DATA_TESTS,
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert run.returncode == 0, run.stdout[-4000:] + run.stderr[-2000:]
    assert " passed" in run.stdout
