"""signpost review: stamp last_reviewed and reviewed_by, keeping the file's comments and layout."""

from __future__ import annotations

from datetime import date

import pytest
import yaml

from cli import main
from directory.review import ReviewError, stamp_review, yaml_text
from directory.stale import StaleRow, issue_body, issue_plan, issue_title, listing_of_issue
from tests.conftest import TEMPLATE

DAY = date(2026, 11, 20)


def changed(before: str, after: str) -> list[tuple[str, str]]:
    """Pairs of lines that differ (both files have the same number of lines)."""
    old, new = before.splitlines(keepends=True), after.splitlines(keepends=True)
    assert len(old) == len(new)
    return [(a, b) for a, b in zip(old, new, strict=True) if a != b]


def test_only_the_two_lines_change_and_their_comments_stay():
    stamped = stamp_review(TEMPLATE, DAY, "Thanet Link Workers")
    assert changed(TEMPLATE, stamped.text) == [
        (
            "last_reviewed: 2026-09-14                 # YYYY-MM-DD\n",
            "last_reviewed: 2026-11-20                 # YYYY-MM-DD\n",
        ),
        ("reviewed_by: Thanet Link Worker Team\n", "reviewed_by: Thanet Link Workers\n"),
    ]
    lines = stamped.text.splitlines()
    assert [lines[n - 1] for n in stamped.changed_lines] == [
        "last_reviewed: 2026-11-20                 # YYYY-MM-DD",
        "reviewed_by: Thanet Link Workers",
    ]


def test_without_by_only_the_date_changes():
    stamped = stamp_review(TEMPLATE, DAY)
    assert len(changed(TEMPLATE, stamped.text)) == 1
    assert "reviewed_by: Thanet Link Worker Team\n" in stamped.text


@pytest.mark.parametrize(
    "who",
    [
        "Thanet Link Workers",
        "Team: Thanet",
        "Dave # the caretaker",
        'Sam "the shed" Jones',
        "yes",
        "2026 volunteers",
        "- dash first",
        "Zoë & Siân",
    ],
)
def test_names_read_back_exactly(who):
    stamped = stamp_review(TEMPLATE, DAY, who)
    data = yaml.safe_load(stamped.text)
    assert data["reviewed_by"] == who
    assert str(data["last_reviewed"]) == "2026-11-20"
    assert yaml.safe_load(f"x: {yaml_text(who)}")["x"] == who


def test_quoted_values_comments_crlf_and_folded_values():
    text = (
        "# Kept comment\r\n"
        "name: A Group\r\n"
        "last_reviewed: '2025-01-02'  # when checked\r\n"
        "reviewed_by: >\r\n"
        "  Someone who wrote\r\n"
        "  a long name\r\n"
        "\r\n"
        "# trailing comment\r\n"
    )
    stamped = stamp_review(text, DAY, "Margate PCN")
    assert stamped.text == (
        "# Kept comment\r\n"
        "name: A Group\r\n"
        "last_reviewed: 2026-11-20  # when checked\r\n"
        "reviewed_by: Margate PCN\r\n"
        "\r\n"
        "# trailing comment\r\n"
    )


def test_missing_keys_are_added_at_the_end():
    stamped = stamp_review("name: A Group", DAY, "Team")
    assert stamped.text == "name: A Group\nlast_reviewed: 2026-11-20\nreviewed_by: Team\n"
    assert stamped.changed_lines == (2, 3)


@pytest.mark.parametrize(
    ("text", "by", "message"),
    [
        ("last_reviewed: 2026-01-01\nlast_reviewed: 2026-01-02\n", None, "written twice"),
        (TEMPLATE, " ", "Say who checked the listing"),
    ],
)
def test_refusals(text, by, message):
    with pytest.raises(ReviewError, match=message):
        stamp_review(text, DAY, by)


def test_nested_keys_of_the_same_name_are_left_alone():
    text = "who_for:\n  last_reviewed: x\nlast_reviewed: 2025-01-01\n"
    assert stamp_review(text, DAY).text == (
        "who_for:\n  last_reviewed: x\nlast_reviewed: 2026-11-20\n"
    )


# ---- the command ------------------------------------------------------------------------


def test_command_stamps_the_file_and_it_validates(runner, data_dir):
    path = data_dir / "services" / "thanet" / "margate-mens-shed.yaml"
    result = runner.invoke(
        main, ["review", "margate-mens-shed", "--by", "Thanet Link Workers", "--date", "2026-11-20"]
    )
    assert result.exit_code == 0, result.output
    assert "reviewed 2026-11-20 by Thanet Link Workers" in result.output
    after = path.read_text(encoding="utf-8")
    assert len(changed(TEMPLATE, after)) == 2
    assert runner.invoke(main, ["validate"]).exit_code == 0


def test_command_defaults_to_today(runner, data_dir):
    assert runner.invoke(main, ["review", "margate-mens-shed"]).exit_code == 0
    path = data_dir / "services" / "thanet" / "margate-mens-shed.yaml"
    assert f"last_reviewed: {date.today().isoformat()}" in path.read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["review", "no-such-listing"], "No listing called 'no-such-listing'"),
        (["review", "margate-mens-shed", "--date", "2999-01-01"], "cannot be in the future"),
        (["review", "margate-mens-shed", "--date", "20/11/2026"], "YYYY-MM-DD"),
        (["review", "margate-mens-shed", "--by", "x"], "Say who checked the listing"),
        (["review", "margate-mens-shed", "--by", "x" * 200], "Not stamped"),
    ],
)
def test_command_refuses_clearly(runner, data_dir, args, message):
    path = data_dir / "services" / "thanet" / "margate-mens-shed.yaml"
    result = runner.invoke(main, args)
    assert result.exit_code != 0
    assert message in result.output
    assert path.read_text(encoding="utf-8") == TEMPLATE  # untouched


# ---- the review cycle on GitHub: signpost stale --format github ----------------------------


ROW = StaleRow(
    "margate-mens-shed",
    "Margate Men's Shed",
    date(2025, 9, 14),
    14,
    'Thanet "Link" Workers',
    "data/services/east-kent/margate-mens-shed.yaml",
)


def test_issue_title_and_body_name_the_listing_and_its_reviewer():
    assert issue_title(ROW) == "Check listing: Margate Men's Shed (margate-mens-shed)"
    body = issue_body(ROW, months=12, repository_url="https://github.com/o/r/", branch="main")
    assert listing_of_issue(body) == "margate-mens-shed"
    assert "has not been checked for 14 months (the limit is 12)" in body
    assert '- Reviewer: `Thanet "Link" Workers`' in body
    assert (
        "[`data/services/east-kent/margate-mens-shed.yaml`](https://github.com/o/r/blob/main/"
        "data/services/east-kent/margate-mens-shed.yaml)" in body
    )
    # The command to run is safe to paste into a shell whatever the reviewer is called.
    assert "signpost review margate-mens-shed --by 'Thanet \"Link\" Workers'" in body
    assert "`data/services" in issue_body(ROW, months=12)  # no repository: no link


def test_plan_creates_updates_and_closes():
    other = StaleRow("hove-singers", "Hove Singers", date(2024, 1, 2), 34, "Hove PCN", "x.yaml")
    current = issue_body(other, months=12)
    open_issues = [
        {"number": 3, "title": "old title", "body": issue_body(ROW, months=6)},
        {"number": 4, "title": issue_title(other), "body": current},
        {"number": 5, "title": "Check listing: gone", "body": "<!-- signpost-listing: gone -->"},
        {"number": 6, "title": "dup", "body": current},
        {"number": 7, "title": "A bug report", "body": "Search is slow."},
    ]
    plan = issue_plan(
        [ROW, other, StaleRow("new-one", "New One", date(2025, 1, 1), 22, "Team", "n.yaml")],
        open_issues,
        months=12,
        today=date(2026, 11, 23),
    )
    assert plan["label"] == "stale-listing"
    assert [item["listing"] for item in plan["create"]] == ["new-one"]
    assert [(item["number"], item["listing"]) for item in plan["update"]] == [
        (3, "margate-mens-shed")
    ]
    assert plan["update"][0]["title"] == issue_title(ROW)
    closed = {item["number"]: item["comment"] for item in plan["close"]}
    assert set(closed) == {5, 6}  # reviewed (or removed) and the duplicate; #7 is not ours
    assert "has been checked" in closed[5]


def test_stale_command_github_format(runner, data_dir, tmp_path):
    import json

    issues = tmp_path / "open.json"
    issues.write_text(
        json.dumps([{"number": 9, "title": "t", "body": "<!-- signpost-listing: ghost -->"}]),
        encoding="utf-8",
    )
    result = runner.invoke(
        main,
        ["stale", "--format", "github", "--months", "1", "--open-issues", str(issues)],
    )
    assert result.exit_code == 0, result.output
    plan = json.loads(result.output)
    assert [item["listing"] for item in plan["create"]] == ["margate-mens-shed"]
    assert "Thanet Link Worker Team" in plan["create"][0]["body"]
    assert plan["close"][0]["number"] == 9
    # Once reviewed, the plan closes its issue instead.
    assert runner.invoke(main, ["review", "margate-mens-shed", "--by", "Thanet LWs"]).exit_code == 0
    issues.write_text(
        json.dumps([{"number": 10, "title": "t", "body": plan["create"][0]["body"]}]),
        encoding="utf-8",
    )
    again = json.loads(
        runner.invoke(
            main, ["stale", "--format", "github", "--months", "1", "--open-issues", str(issues)]
        ).output
    )
    assert again["create"] == []
    assert [item["number"] for item in again["close"]] == [10]


def test_the_workflow_uses_the_plan():
    import yaml

    from tests.conftest import ROOT

    workflow = (ROOT / ".github" / "workflows" / "stale-listings.yml").read_text(encoding="utf-8")
    parsed = yaml.safe_load(workflow)
    assert parsed["permissions"] == {"contents": "read", "issues": "write"}
    assert "signpost stale --format github --open-issues open-issues.json" in workflow
    assert "--body-file body.md" in workflow
    assert "${{ fromJSON" not in workflow


def test_every_bundled_example_stamps_cleanly():
    """Real files, with their own comments and layouts: only the two lines change, and the
    stamped listing still validates."""
    from directory.load import load_text
    from directory.places import default_gazetteer
    from directory.validation import check_loaded
    from directory.vocabulary import load_vocabulary
    from tests.conftest import ROOT, example_files

    vocab = load_vocabulary(ROOT / "data" / "needs.yaml")
    files = example_files()
    assert len(files) > 100
    for path in files:
        before = path.read_text(encoding="utf-8")
        stamped = stamp_review(before, DAY, "Thanet Link Workers")
        assert len(changed(before, stamped.text)) <= 2, path
        _listing, problems = check_loaded(
            load_text(stamped.text, str(path)),
            vocab,
            listing_id=path.stem,
            area=path.parent.name,
            gazetteer=default_gazetteer(),
            today=DAY,
        )
        assert problems == [], (path, problems)
