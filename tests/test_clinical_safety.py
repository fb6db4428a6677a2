"""The clinical safety case stays true: every test the hazard log names exists.

``docs/clinical-safety.md`` is a DCB0129-style hazard log. Each hazard's controls name the
tests that pin them (``tests/test_file.py::test_name``). If a test is renamed or removed,
the log would claim a control that nothing checks any more; this fails instead. It also
checks that every hazard has its parts, at least one control pinned by a test, and risk
scores that follow the log's own matrix.
"""

from __future__ import annotations

import ast
import re
from functools import cache
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
LOG = ROOT / "docs" / "clinical-safety.md"
TEST_REF = re.compile(r"`(tests/[\w/]+\.py)::(\w+)`")
HAZARD = re.compile(r"^### (H\d+)\. (.+)$", re.M)
PARTS = ("Cause", "Effect", "Initial risk", "Controls", "Residual risk")
RISK = re.compile(r"likelihood (\w+(?: \w+)?), severity (\w+) = \*\*(\d)\*\*", re.I)

LIKELIHOOD = ("very low", "low", "medium", "high", "very high")
SEVERITY = ("minor", "significant", "considerable", "major", "catastrophic")
# Rows: likelihood very low .. very high; columns: severity minor .. catastrophic.
MATRIX = (
    (1, 1, 2, 2, 3),
    (1, 2, 2, 3, 4),
    (2, 2, 3, 3, 4),
    (2, 3, 3, 4, 5),
    (3, 4, 4, 5, 5),
)
# The hazards the log must cover, by a word of each title.
REQUIRED = (
    "crisis",
    "correction",
    "stale",
    "excludes",
    "time or day",
    "place",
    "contributor",
    "shared",
)


def log_text() -> str:
    return LOG.read_text(encoding="utf-8")


def hazards() -> list[tuple[str, str, str]]:
    """(id, title, body) of each hazard in the log."""
    text = log_text()
    found = list(HAZARD.finditer(text))
    sections = []
    for index, match in enumerate(found):
        end = found[index + 1].start() if index + 1 < len(found) else len(text)
        body = text[match.end() : end]
        body = body.split("\n## ", 1)[0]  # a later top-level section is not the hazard's
        sections.append((match.group(1), match.group(2), body))
    return sections


def control_bullets(text: str) -> list[str]:
    """Each "- " bullet with its indented continuation lines, as one string."""
    bullets: list[str] = []
    for line in text.splitlines():
        if line.startswith("- "):
            bullets.append(line)
        elif bullets and line.startswith("  "):
            bullets[-1] += " " + line.strip()
    return bullets


@cache
def functions_in(path: str) -> frozenset[str]:
    """Names of the test functions in a file, and of test methods as Class::method."""
    tree = ast.parse((ROOT / path).read_text(encoding="utf-8"))
    names = set()
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            names.add(node.name)
        elif isinstance(node, ast.ClassDef):
            for item in node.body:
                if isinstance(item, (ast.FunctionDef, ast.AsyncFunctionDef)):
                    names.add(f"{node.name}::{item.name}")
    return frozenset(names)


def test_the_log_names_tests_and_hazards():
    assert len(TEST_REF.findall(log_text())) >= 20
    assert len(hazards()) >= len(REQUIRED)


def test_every_named_test_exists():
    missing = []
    for path, name in sorted(set(TEST_REF.findall(log_text()))):
        if not (ROOT / path).is_file():
            missing.append(f"{path} (no such file)")
        elif name not in functions_in(path):
            missing.append(f"{path}::{name}")
    assert not missing, "The hazard log names tests that do not exist: " + ", ".join(missing)


def test_the_required_hazards_are_covered():
    titles = " | ".join(title.lower() for _id, title, _body in hazards())
    assert [word for word in REQUIRED if word not in titles] == []


@pytest.mark.parametrize("hazard", hazards(), ids=lambda hazard: hazard[0])
def test_each_hazard_has_its_parts_and_a_tested_control(hazard):
    hazard_id, _title, body = hazard
    for part in PARTS:
        assert f"**{part}.**" in body, f"{hazard_id} has no {part}"
    controls = body.split("**Controls.**", 1)[1].split("**Residual risk.**", 1)[0]
    bullets = control_bullets(controls)
    assert bullets, f"{hazard_id} lists no controls"
    assert any(TEST_REF.search(line) for line in bullets), f"{hazard_id}: no control has a test"
    for line in bullets:
        # A control is pinned by a test, or says it is the deploying organisation's procedure.
        assert TEST_REF.search(line) or "Procedure:" in line, f"{hazard_id}: {line[:80]}"


@pytest.mark.parametrize("hazard", hazards(), ids=lambda hazard: hazard[0])
def test_risk_scores_follow_the_matrix_and_never_rise(hazard):
    hazard_id, _title, body = hazard
    scores = []
    for part in ("Initial risk", "Residual risk"):
        line = body.split(f"**{part}.**", 1)[1].splitlines()[0]
        found = RISK.search(line)
        assert found, f"{hazard_id} {part}: write 'likelihood X, severity Y = **N**'"
        likelihood, severity, score = found.group(1).lower(), found.group(2).lower(), found[3]
        assert likelihood in LIKELIHOOD, f"{hazard_id} {part}: {line}"
        assert severity in SEVERITY, f"{hazard_id} {part}: {line}"
        expected = MATRIX[LIKELIHOOD.index(likelihood)][SEVERITY.index(severity)]
        assert int(score) == expected, f"{hazard_id} {part}: the matrix gives {expected}"
        scores.append(int(score))
    assert scores[1] <= scores[0], f"{hazard_id}: residual risk above the initial risk"


def test_the_matrix_in_the_log_is_the_one_checked():
    text = log_text()
    for likelihood, row in zip(LIKELIHOOD, MATRIX, strict=True):
        cells = " | ".join(str(score) for score in row)
        assert f"| {likelihood.capitalize()} | {cells} |" in text, likelihood


def test_the_summary_table_matches_each_hazard():
    rows = dict(
        (hazard_id, (int(initial), int(residual)))
        for hazard_id, initial, residual in re.findall(
            r"^\| (H\d+)\. [^|]+ \| (\d) \| (\d) \|$", log_text(), re.M
        )
    )
    for hazard_id, _title, body in hazards():
        scores = tuple(
            int(RISK.search(body.split(f"**{part}.**", 1)[1].splitlines()[0])[3])
            for part in ("Initial risk", "Residual risk")
        )
        assert rows.get(hazard_id) == scores, f"{hazard_id}: summary {rows.get(hazard_id)}"
