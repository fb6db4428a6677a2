"""Hostile listing files: deep nesting, invisible characters and values that forge annotations.

Each case is a file a pull request could contain. Every one must get a message that says
where the problem is, and never stop the other files from getting theirs.
"""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

from directory.load import load_bytes, load_text
from directory.problems import Problem, parse_output, quote
from directory.rawtext import describe_character, nesting_problem
from directory.validation import validate_file, validate_paths
from tests.conftest import TEMPLATE

ROOT = Path(__file__).resolve().parent.parent
TODAY = date(2026, 11, 23)

DEEP_FLOW = "name: " + "[" * 25_000 + "]" * 25_000 + "\n"  # 50 KB
DEEP_BLOCK = "- " * 25_000 + "x\n"
DEEP_MAPPING = "name: " + "{a: " * 20_000 + "}" * 20_000 + "\n"


def signpost(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    """Run the real command in a child process, so a crash fails the test, not pytest."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    env.pop("SIGNPOST_DATA", None)
    return subprocess.run(
        [sys.executable, "-c", "import cli; cli.main()", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


# ---- 6: nesting deep enough to crash the C loader -------------------------------------


@pytest.mark.parametrize(
    "text", [DEEP_FLOW, DEEP_BLOCK, DEEP_MAPPING], ids=["flow", "block", "map"]
)
def test_deep_nesting_gets_a_located_message(text):
    loaded = load_text(text, "deep.yaml")
    assert loaded.data is None
    [problem] = loaded.problems
    assert "nested far too deeply" in problem.message
    assert problem.line == 1
    assert problem.column > 100


def test_brackets_inside_quotes_are_not_nesting():
    text = "description: " + '"' + "[" * 300 + '"\n'
    text += "".join(f'note{i}: "{{{{{{{{{{{{"\n' for i in range(40))
    assert nesting_problem(text) is None
    assert load_text(text, "x.yaml").data["description"] == "[" * 300


@pytest.mark.parametrize("command", ["validate", "index"])
def test_hostile_files_do_not_kill_the_command(tmp_path, data_dir, command):
    services = data_dir / "services" / "thanet"
    (services / "deep-flow.yaml").write_text(DEEP_FLOW, encoding="utf-8")
    (services / "deep-block.yaml").write_text(DEEP_BLOCK, encoding="utf-8")
    (services / "wrong-status.yaml").write_text(
        TEMPLATE.replace("status: active", "status: opn"), encoding="utf-8"
    )
    args = ["--data", str(data_dir)]
    if command == "index":
        args += ["--index", str(tmp_path / "index")]
    result = signpost(command, *args, cwd=tmp_path)
    assert result.returncode == 1, (result.returncode, result.stderr[-2000:])
    output = result.stdout + result.stderr
    assert "deep-flow.yaml:1:" in output
    assert "deep-block.yaml:1:" in output
    assert output.count("nested far too deeply") == 2
    assert "wrong-status.yaml" in output
    assert "'opn' is not allowed for status" in output


# ---- 11: invisible control characters -------------------------------------------------


@pytest.mark.parametrize(
    ("char", "described"),
    [
        ("\x00", "U+0000 NULL"),
        ("\x1b", "U+001B ESCAPE"),
        ("\x07", "U+0007 BELL"),
        ("\u202e", "U+202E RIGHT-TO-LEFT OVERRIDE"),
        ("\u2066", "U+2066 LEFT-TO-RIGHT ISOLATE"),
        ("\u200b", "U+200B ZERO WIDTH SPACE"),
    ],
)
def test_control_characters_are_refused_where_they_are(tmp_path, vocab, char, described):
    text = TEMPLATE.replace("name: Margate Men's Shed", f"name: Margate{char} Men's Shed")
    path = tmp_path / "services" / "thanet" / "shed.yaml"
    path.parent.mkdir(parents=True)
    path.write_bytes(text.encode("utf-8"))
    listing, problems = validate_file(path, vocab, today=TODAY)
    assert listing is None
    [problem] = problems
    line = next(n for n, t in enumerate(text.split("\n"), 1) if t.startswith("name:"))
    assert (problem.line, problem.column) == (line, 14)
    assert problem.message.startswith(
        f"This contains an invisible control character ({described}) at column 14: delete it."
    )


@pytest.mark.parametrize(("escape", "described"), [("\\e", "ESCAPE"), ("\\u202E", "OVERRIDE")])
def test_control_characters_written_as_escape_codes_are_refused(escape, described):
    loaded = load_text(f'name: "ab{escape}c"\n', "x.yaml")
    [problem] = loaded.problems
    assert (problem.line, problem.column) == (1, 7)
    assert described in problem.message
    assert "at character 3 of the value" in problem.message


def test_tabs_and_newlines_in_block_scalars_are_fine():
    loaded = load_text("description: |\n  one\tcolumn\n\n  two\n", "x.yaml")
    assert loaded.problems == []
    assert loaded.data["description"] == "one\tcolumn\n\ntwo\n"


def test_a_few_nuls_are_located_but_a_binary_file_is_binary():
    [one] = load_bytes(b"name: Shed\x00\n", "x.yaml").problems
    assert (one.line, one.column) == (1, 11)
    assert "U+0000 NULL" in one.message
    [binary] = load_bytes(b"\x00\x01\x02binary", "x.yaml").problems
    assert "binary data" in binary.message


def test_characters_have_names():
    assert describe_character("\u202e") == "U+202E RIGHT-TO-LEFT OVERRIDE"
    assert describe_character("\x1b") == "U+001B ESCAPE"


# ---- 9: values cannot forge CI annotations ----------------------------------------------

FORGE = "nope\n::error file=data/services/camden/other.yaml,line=1::forged\r\n::set-output x"


def test_values_are_quoted_on_one_line():
    assert quote("9am") == "'9am'"
    assert quote("a\nb\x1b\u202e") == "'a\\nb\\x1b\\u202e'"
    assert quote("x" * 500).endswith("…'")
    assert len(quote("x" * 500)) == 102


def test_a_forging_value_stays_inside_its_own_message(tmp_path, vocab):
    text = TEMPLATE.replace(
        "status: active", 'status: "' + FORGE.replace("\n", "\\n").replace("\r", "\\r") + '"'
    )
    path = tmp_path / "services" / "thanet" / "shed.yaml"
    path.parent.mkdir(parents=True)
    path.write_text(text, encoding="utf-8")
    report = validate_paths([tmp_path / "services"], vocab, today=TODAY)
    [problem] = report.problems
    printed = str(problem)
    assert "\n" not in printed
    assert "\r" not in printed
    assert "'nope\\n::error file=" in printed
    [command] = problem.github().splitlines()  # one line: the forged one is inside its data
    properties = command.split("::")[1]
    assert properties.startswith("error file=")
    assert properties.endswith("shed.yaml,line=10,col=9")


def test_printed_problems_never_start_a_line_with_anything_but_their_own_path():
    problem = Problem(
        "data/services/a\n::warning file=x::y.yaml", 2, 3, "Bad\n::error file=z::hi\n    ok"
    )
    lines = str(problem).split("\n")
    assert lines[0].startswith("data/services/a\\n\\x3a\\x3awarning file=x\\x3a\\x3ay.yaml:2:3: ")
    assert all(line.startswith("    ") for line in lines[1:])
    assert list(parse_output(str(problem).splitlines(keepends=True))) == [
        Problem(lines[0].split(":2:3:")[0], 2, 3, "Bad\n    ::error file=z::hi\n    ok")
    ]


def test_github_commands_escape_by_the_workflow_rules():
    problem = Problem("data/a,b:c.yaml", 4, 5, "50% off\r\nnext")
    assert problem.github() == (
        "::error file=data/a%2Cb%3Ac.yaml,line=4,col=5::50%25 off%0A    next"
    )


def test_annotation_script_turns_validator_output_into_one_command_per_problem(tmp_path):
    output = (
        "data/services/t/a.yaml:3:5: 'x' is not allowed.\n"
        "    status: active\n"
        "data/services/t/b.yaml:1:1: 'nope\\n::error file=c.yaml::x' is odd.\n"
    )
    result = subprocess.run(
        [sys.executable, "-m", "directory.problems", "--github"],
        input=output,
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [
        "::error file=data/services/t/a.yaml,line=3,col=5::'x' is not allowed."
        "%0A    status: active",
        "::error file=data/services/t/b.yaml,line=1,col=1::'nope\\n::error file=c.yaml::x' is odd.",
    ]


def test_workflow_escapes_annotations_and_hides_commands_in_raw_output():
    workflow = (ROOT / ".github" / "workflows" / "validate-listings.yml").read_text()
    assert "python -m directory.problems --github < problems.txt" in workflow
    assert "::stop-commands::" in workflow
    assert "sed -E" not in workflow


# ---- 10: symbolic links never leave the data folder ---------------------------------------


@pytest.fixture
def services(tmp_path):
    folder = tmp_path / "data" / "services" / "thanet"
    folder.mkdir(parents=True)
    (folder / "margate-mens-shed.yaml").write_text(TEMPLATE, encoding="utf-8")
    return folder.parent


def _messages(report) -> list[str]:
    return [str(problem) for problem in report.problems]


def test_link_to_a_system_file_is_refused_unread(services, vocab):
    (services / "thanet" / "passwd.yaml").symlink_to("/etc/passwd")
    report = validate_paths([services], vocab, today=TODAY)
    [message] = _messages(report)
    assert "thanet/passwd.yaml:1:1: This is a link to a file outside" in message
    assert "x:0:0" not in message
    assert [listing.id for listing in report.listings] == ["margate-mens-shed"]


def test_link_to_outside_yaml_does_not_leak_its_keys_or_its_id(tmp_path, services, vocab):
    secret = tmp_path / "elsewhere" / "secret-listing.yaml"
    secret.parent.mkdir()
    secret.write_text("api_token: hunter2\n" + TEMPLATE, encoding="utf-8")
    outside = tmp_path / "elsewhere" / "good-listing.yaml"
    outside.write_text(TEMPLATE, encoding="utf-8")
    (services / "thanet" / "secret.yaml").symlink_to(secret)
    (services / "thanet" / "borrowed.yaml").symlink_to(outside)
    report = validate_paths([services], vocab, today=TODAY)
    messages = _messages(report)
    assert len(messages) == 2
    assert all("This is a link to a file outside" in m for m in messages)
    assert not any("api_token" in m or "hunter2" in m for m in messages)
    ids = [listing.id for listing in report.listings]
    assert ids == ["margate-mens-shed"]  # not "good-listing", the outside file's id


def test_linked_folder_outside_is_refused(tmp_path, services, vocab):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "other-shed.yaml").write_text(TEMPLATE, encoding="utf-8")
    (services / "kent").symlink_to(elsewhere, target_is_directory=True)
    report = validate_paths([services], vocab, today=TODAY)
    [message] = _messages(report)
    assert "services/kent:1:1: This is a link to a folder outside" in message
    assert [listing.id for listing in report.listings] == ["margate-mens-shed"]


def test_links_inside_the_folder_and_broken_links(services, vocab):
    (services / "thanet" / "alias.yaml").symlink_to(services / "thanet" / "margate-mens-shed.yaml")
    (services / "thanet" / "gone.yaml").symlink_to(services / "thanet" / "nothing.yaml")
    report = validate_paths([services], vocab, today=TODAY)
    [message] = _messages(report)
    assert "gone.yaml:1:1: This is a link to a file that does not exist" in message
    assert [listing.id for listing in report.listings] == ["margate-mens-shed"]


def test_a_named_file_that_links_outside_is_refused(tmp_path, services, vocab):
    (services / "thanet" / "passwd.yaml").symlink_to("/etc/passwd")
    report = validate_paths([services / "thanet" / "passwd.yaml"], vocab, today=TODAY)
    [message] = _messages(report)
    assert "This is a link to a file outside" in message
    assert "x:0:0" not in message


def test_the_index_refuses_outside_links_too(tmp_path, data_dir):
    (data_dir / "services" / "thanet" / "passwd.yaml").symlink_to("/etc/passwd")
    result = signpost(
        "index", "--data", str(data_dir), "--index", str(tmp_path / "i"), cwd=tmp_path
    )
    assert result.returncode == 1
    output = result.stdout + result.stderr
    assert "passwd.yaml:1:1: This is a link to a file outside" in output
    assert "x:0:0" not in output


# ---- 12: ids, extensions and area folders ---------------------------------------------------


def _validate_named(services, vocab, name: str, area: str = "thanet"):
    folder = services / area
    folder.mkdir(exist_ok=True)
    (folder / name).write_text(TEMPLATE, encoding="utf-8")
    (services / "thanet" / "margate-mens-shed.yaml").unlink()
    return validate_paths([services], vocab, today=TODAY)


def test_id_with_a_newline_is_refused(services, vocab):
    report = _validate_named(services, vocab, "shed\n.yaml")
    [message] = _messages(report)
    assert "The file name 'shed\\n' cannot be used as an id" in message
    assert "for example shed.yaml" in message
    assert report.listings == []


def test_id_longer_than_the_shortlist_keeps_is_refused(services, vocab):
    report = _validate_named(services, vocab, "a" * 250 + ".yaml")
    [message] = _messages(report)
    assert "The file name is 250 characters long; an id can have at most 100" in message
    assert "cannot be kept on a shortlist" in message


def test_longest_allowed_id_survives_the_shortlist(services, vocab):
    from views.shortlist_store import parse_ids

    longest = "-".join(["abcdefghi"] * 10)  # 99 characters
    longest += "j"
    assert len(longest) == 100
    report = _validate_named(services, vocab, longest + ".yaml")
    assert report.problems == []
    assert report.listings[0].id == longest
    assert parse_ids(longest) == [longest]


@pytest.mark.parametrize("name", ["shed.YAML", "shed.Yml", "shed.yAml"])
def test_upper_case_extension_gets_a_message(services, vocab, name):
    report = _validate_named(services, vocab, name)
    [message] = _messages(report)
    right = "shed" + name[4:].lower()
    assert (
        f"This file was not read: listing files must end in lowercase .yaml. Rename it to '{right}'"
        in message
    )
    assert report.files == 0


@pytest.mark.parametrize(
    ("folder", "suggested"),
    [("East Kent", "east-kent"), ("Camden_North", "camden-north"), ("BRIGHTON", "brighton")],
)
def test_area_folder_names_are_checked_once(services, vocab, folder, suggested):
    area = services / folder
    area.mkdir()
    for name in ("one-shed.yaml", "two-shed.yaml"):
        (area / name).write_text(TEMPLATE, encoding="utf-8")
    report = validate_paths([services], vocab, today=TODAY)
    [message] = _messages(report)
    assert f"The folder name '{folder}' cannot be used as an area" in message
    assert f"for example {suggested}." in message
    assert len(report.listings) == 3


def test_good_area_folders_and_files_pass(services, vocab):
    report = validate_paths([services], vocab, today=TODAY)
    assert report.problems == []
    assert len(report.listings) == 1
