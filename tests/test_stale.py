"""The stale report: which listings are overdue a check."""

from __future__ import annotations

import json
from datetime import date

import pytest

from cli import main
from directory.stale import months_between
from tests.test_validate import replace_line


@pytest.mark.parametrize(
    ("earlier", "later", "months"),
    [
        (date(2025, 11, 23), date(2026, 11, 23), 12),
        (date(2025, 11, 24), date(2026, 11, 23), 11),
        (date(2026, 1, 31), date(2026, 2, 28), 0),
        (date(2026, 5, 1), date(2026, 4, 1), 0),
    ],
)
def test_months_between(earlier, later, months):
    assert months_between(earlier, later) == months


def test_stale_table(runner, data_dir, template_text):
    folder = data_dir / "services" / "thanet"
    old = replace_line(template_text, "last_reviewed:", "last_reviewed: 2024-01-10")
    (folder / "old-group.yaml").write_text(old, encoding="utf-8")
    closed = replace_line(old, "status: active", "status: closed")
    (folder / "closed-group.yaml").write_text(closed, encoding="utf-8")
    result = runner.invoke(main, ["stale"])
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert lines[0].split() == [
        "Listing",
        "Last",
        "reviewed",
        "Months",
        "ago",
        "Reviewed",
        "by",
        "File",
    ]
    assert "old-group" in result.stdout
    assert "2024-01-10" in result.stdout
    assert "Thanet Link Worker Team" in result.stdout
    assert "closed-group" not in result.stdout
    assert "margate-mens-shed" not in result.stdout  # reviewed 2026-09-14
    assert "1 listing not reviewed in the last 12 months." in result.stderr


def test_stale_months_option_and_json(runner, data_dir, monkeypatch):
    result = runner.invoke(main, ["stale", "--months", "1", "--json"])
    rows = json.loads(result.stdout)
    assert [row["id"] for row in rows] == ["margate-mens-shed"]
    monkeypatch.setenv("SIGNPOST_STALE_MONTHS", "600")
    result = runner.invoke(main, ["stale"])
    assert "Every listing has been reviewed in the last 600 months." in result.stdout


@pytest.mark.parametrize(
    ("reviewed", "text"),
    [(date(2026, 10, 3), "Checked October 2026"), (date(2024, 8, 31), "Checked August 2024")],
)
def test_checked_text(reviewed, text):
    from directory.stale import checked_text

    assert checked_text(reviewed) == text


@pytest.mark.parametrize(
    ("reviewed", "today", "months", "warning"),
    [
        (
            date(2024, 8, 14),
            date(2026, 11, 23),
            12,
            "Not checked since August 2024: phone before you go",
        ),
        (
            date(2025, 11, 23),
            date(2026, 11, 23),
            12,
            "Not checked since November 2025: phone before you go",
        ),
        (date(2025, 11, 24), date(2026, 11, 23), 12, None),
        (date(2026, 9, 14), date(2026, 11, 23), 12, None),
        (
            date(2026, 9, 14),
            date(2026, 11, 23),
            2,
            "Not checked since September 2026: phone before you go",
        ),
        (date(2024, 8, 14), date(2026, 11, 23), 600, None),
    ],
)
def test_stale_warning_follows_the_stale_limit(reviewed, today, months, warning):
    from directory.stale import stale_warning

    assert stale_warning(reviewed, today, months) == warning
