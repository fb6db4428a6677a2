"""Every validator rule, pinned by a broken file: the message text and the line it points at."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from cli import main
from directory.validation import (
    parse_date,
    phone_problem,
    suggest_time,
    validate_file,
    validate_paths,
)
from tests.conftest import FakeGazetteer

TODAY = date(2026, 11, 23)


def line_of(text: str, needle: str) -> int:
    """1-based line number of the first line containing ``needle``."""
    for number, line in enumerate(text.splitlines(), start=1):
        if needle in line:
            return number
    raise AssertionError(f"{needle!r} not in text")


def replace_line(text: str, old: str, new: str | None) -> str:
    """Replace the line containing ``old`` with ``new`` (None deletes it).

    Every line of ``new`` gets the replaced line's indentation, so cases stay readable.
    """
    lines = text.splitlines(keepends=True)
    for index, line in enumerate(lines):
        if old in line:
            if new is None:
                del lines[index]
            else:
                indent = line[: len(line) - len(line.lstrip(" "))]
                if new.startswith("\t"):
                    indent = ""
                lines[index] = "".join(indent + part.strip(" ") + "\n" for part in new.split("\n"))
            return "".join(lines)
    raise AssertionError(f"{old!r} not in text")


def check(tmp_path: Path, vocab, text: str, name: str = "margate-mens-shed", gazetteer=None):
    folder = tmp_path / "services" / "thanet"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}.yaml"
    path.write_text(text, encoding="utf-8")
    return validate_file(path, vocab, gazetteer=gazetteer, today=TODAY)


def test_template_is_valid(tmp_path, vocab, template_text):
    listing, problems = check(tmp_path, vocab, template_text)
    assert problems == []
    assert listing is not None
    assert listing.id == "margate-mens-shed"
    assert listing.area == "thanet"
    assert listing.needs == ("loneliness", "arts-and-crafts")
    assert listing.schedule[0].opens == "10:00"
    assert listing.locations[0].postcode == "CT9 1EP"
    assert listing.languages == ("en",)
    assert listing.cost.amount == "£2 a session"


# (line to find, replacement or None to delete, the line the message should point at
#  (None = the replaced line), words the message must contain)
CASES = {
    "unknown need": (
        "needs: [loneliness",
        "needs: [lonliness, arts-and-crafts]",
        None,
        "'lonliness' is not a need in data/needs.yaml. Did you mean 'loneliness'?",
    ),
    "need written as an everyday word": (
        "needs: [loneliness",
        "needs: [befriending]",
        None,
        "'befriending' is not a need in data/needs.yaml. Did you mean 'loneliness'?",
    ),
    "needs not a list": (
        "needs: [loneliness",
        "needs: loneliness",
        None,
        "'needs' should be a list in square brackets, for example needs: [loneliness].",
    ),
    "bad postcode shape": (
        "postcode: CT9 1EP",
        "postcode: CT91",
        None,
        "'CT91' is not a full UK postcode. Write the whole postcode, like CT9 1EP",
    ),
    "time like 9am": (
        'opens: "10:00"',
        "opens: 9am",
        None,
        "'9am' is not a time we understand for opens. Write \"09:00\" (24-hour clock, in quotes).",
    ),
    "time like 2.30pm": (
        'closes: "13:00"',
        "closes: 2.30pm",
        None,
        'Write "14:30" (24-hour clock, in quotes).',
    ),
    "closes before it opens": (
        'closes: "13:00"',
        'closes: "01:00"',
        None,
        "The session closes (01:00) before or when it opens (10:00). Use the 24-hour clock",
    ),
    "impossible date, British style": (
        "last_reviewed:",
        "last_reviewed: 31/02/2026",
        None,
        "31 February 2026 is not a real date (February has 28 days)",
    ),
    "impossible date, ISO style": (
        "last_reviewed:",
        "last_reviewed: 2026-02-31",
        None,
        "31 February 2026 is not a real date",
    ),
    "British date that exists": (
        "last_reviewed:",
        "last_reviewed: 14/09/2026",
        None,
        "Write dates as YYYY-MM-DD (year first). For '14/09/2026' write 2026-09-14.",
    ),
    "date in the future": (
        "last_reviewed:",
        "last_reviewed: 2027-01-05",
        None,
        "last_reviewed (2027-01-05) is in the future.",
    ),
    "missing required field": (
        "name: Margate",
        None,
        "organisation:",
        "'name' is missing. Add a line like:\n    name: Margate Men's Shed",
    ),
    "missing nested required field": (
        "how_to_access:",
        None,
        "access:",
        "'how_to_access' is missing in access. Add a line like:",
    ),
    "yaml syntax: second colon": (
        "name: Margate",
        "name: Margate: Men's Shed",
        None,
        "The YAML cannot be read here (mapping values are not allowed in this context). Is "
        "there a second colon (:) in this value? Put the whole value in double quotes",
    ),
    "unknown field with a typo": (
        "description: >",
        "descripton: >",
        None,
        "Unknown field 'descripton'. Did you mean 'description'?",
    ),
    "bad status": (
        "status: active",
        "status: open",
        None,
        "'open' is not allowed for status. Write one of: active, paused or closed.",
    ),
    "not free but no amount": (
        'amount: "£2',
        None,
        "cost:",
        "This service is not free, so say what it costs.",
    ),
    "bad phone": (
        "phone:",
        'phone: "960001"',
        None,
        "'960001' does not look like a UK phone number: check the digits. Include the area code",
    ),
    "words in phone": (
        "phone:",
        'phone: "ring Dave on 01632 960001"',
        None,
        "is not a phone number we can show. Write digits and spaces only",
    ),
    "bad email": (
        "email:",
        "email: shed at example.org",
        None,
        "'shed at example.org' is not an email address. Write it like hello@example.org.",
    ),
    "website without https": (
        "website:",
        "website: example.org/margate-shed",
        None,
        "Add https:// at the start: https://example.org/margate-shed",
    ),
    "bad day": (
        "days: [tue, thu]",
        "- days: [tue, thursday]",
        None,
        "'thursday' is not a day we understand. Write thu.",
    ),
    "route typo": (
        "routes: [",
        "routes: [self-referal, drop-in]",
        None,
        "'self-referal' is not allowed for routes. Write one of: self-referral, "
        "professional-referral or drop-in. Did you mean 'self-referral'?",
    ),
    "ages the wrong way round": (
        "age_min: 18",
        "age_min: 65\nage_max: 18",
        "age_max:",
        "age_max (18) is lower than age_min (65). Swap them round.",
    ),
    "unknown group": (
        "groups: [older-people",
        "groups: [elderly]",
        None,
        "'elderly' is not a group in data/needs.yaml. Did you mean older-people?",
    ),
    "duplicate key": (
        "status: active",
        "status: active\nstatus: paused",
        "status: paused",
        "'status' appears twice here (first on line",
    ),
    "anchors and aliases": (
        "reviewed_by:",
        "reviewed_by: *someone",
        None,
        "Remove the * (asterisk) at the start of this value, or put the value in quotes.",
    ),
    "unknown accessibility": (
        "accessibility: [",
        "accessibility: [wheelchair]",
        None,
        "'wheelchair' is not allowed for accessibility. Write one of: step-free",
    ),
    "monthly without weeks": (
        "frequency: weekly",
        "frequency: monthly",
        "- days:",
        "A monthly session needs to say which week of the month",
    ),
    "unknown language": (
        "languages: [English]",
        "languages: [Polsih]",
        None,
        "'Polsih' is not a language we know. Write its English name, like Polish or British "
        "Sign Language. Did you mean Polish?",
    ),
    "html in description": (
        "A friendly workshop",
        "<b>A friendly workshop</b> where people make and mend things together.",
        "description: >",
        "'description' contains HTML tags. Write plain text only",
    ),
    "name too short": (
        "name: Margate",
        "name: Hi",
        None,
        "'name' is too short (2 characters); write at least 3.",
    ),
    "lat without lon": (
        "postcode: CT9 1EP",
        "postcode: CT9 1EP\nlat: 51.389",
        "- name: The Old Forge",
        "Give both lat and lon, or neither",
    ),
    "lat outside the UK": (
        "postcode: CT9 1EP",
        "postcode: CT9 1EP\nlat: 1.38\nlon: 51.38",
        "lat: 1.38",
        "lat 1.38 is outside the UK (49.8 to 60.9). Check the numbers are not swapped",
    ),
    "booking not true or false": (
        "booking_required:",
        "booking_required: sometimes",
        None,
        "'booking_required' must be true or false, not 'sometimes'.",
    ),
}


@pytest.mark.parametrize("case", list(CASES), ids=list(CASES))
def test_rule_message_and_line(tmp_path, vocab, template_text, case):
    old, new, where, message = CASES[case]
    text = replace_line(template_text, old, new)
    listing, problems = check(tmp_path, vocab, text)
    assert listing is None
    assert problems, "expected a problem"
    if where is None:
        expected_line = line_of(text, new.split("\n")[0].strip())
    elif isinstance(where, int):
        expected_line = where
    else:
        expected_line = line_of(text, where)
    matching = [p for p in problems if message in p.message]
    assert matching, f"no message containing {message!r} in {[p.message for p in problems]}"
    assert matching[0].line == expected_line, str(matching[0])
    assert str(matching[0]).startswith(f"{matching[0].path}:{expected_line}:")


def test_tab_indentation_points_at_the_tab(tmp_path, vocab, template_text):
    text = template_text.replace("  age_min: 18", "\tage_min: 18")
    _, problems = check(tmp_path, vocab, text)
    assert len(problems) == 1
    assert problems[0].line == line_of(text, "age_min: 18")
    assert problems[0].column == 1
    assert "indented with a tab. YAML needs spaces" in problems[0].message


def test_unknown_postcode_is_reported_when_a_gazetteer_is_given(tmp_path, vocab, template_text):
    gazetteer = FakeGazetteer({"CT9 1AE"})
    _, problems = check(tmp_path, vocab, template_text, gazetteer=gazetteer)
    assert [p.line for p in problems] == [line_of(template_text, "postcode:")]
    assert "We cannot find the postcode CT9 1EP" in problems[0].message


def test_postcodes_are_normalised(tmp_path, vocab, template_text):
    text = replace_line(template_text, "postcode: CT9 1EP", "postcode: ct91ep")
    listing, problems = check(tmp_path, vocab, text, gazetteer=FakeGazetteer({"CT9 1EP"}))
    assert problems == []
    assert listing.locations[0].postcode == "CT9 1EP"


def test_unquoted_time_and_language_code_are_understood(tmp_path, vocab, template_text):
    # YAML 1.1 reads 10:00 as the number 600 and 'no' as false; the loader keeps the text.
    text = replace_line(template_text, 'opens: "10:00"', "opens: 10:00")
    text = replace_line(text, "languages: [English]", "languages: [en, pl, BSL]")
    listing, problems = check(tmp_path, vocab, text)
    assert problems == []
    assert listing.schedule[0].opens == "10:00"
    assert listing.languages == ("en", "pl", "bfi")


def test_every_problem_in_a_file_is_reported_in_one_run(tmp_path, vocab, template_text):
    text = replace_line(template_text, "status: active", "status: open")
    text = replace_line(text, "needs: [loneliness", "needs: [lonliness]")
    text = replace_line(text, 'opens: "10:00"', "opens: 9am")
    text = replace_line(text, "email:", "email: nope")
    _, problems = check(tmp_path, vocab, text)
    assert len(problems) == 4
    assert [p.line for p in problems] == sorted(p.line for p in problems)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "This file is empty. Copy docs/template-listing.yaml"),
        (b"\x00\x01\x02binary", "This file contains binary data, not text."),
        (b"name: caf\xe9\n", "characters that are not UTF-8 text"),
        (b"- just\n- a list\n", "The listing should be a group of fields, but it is a list."),
        (b"hello", "The listing should be a group of fields, but it is text."),
        (b"a: &x [1]\nb: *x\n", "Anchors and aliases (& and *) are not allowed in listings."),
        (b"a: " + b"[" * 200 + b"]" * 200, "nested far too deeply"),
        (b'name: "unclosed\n', "A quote was opened and not closed."),
    ],
    ids=["empty", "binary", "latin-1", "a list", "a word", "alias", "deep", "open quote"],
)
def test_unreadable_files_get_one_clear_message(tmp_path, vocab, content, message):
    path = tmp_path / "services" / "thanet" / "broken.yaml"
    path.parent.mkdir(parents=True)
    path.write_bytes(content)
    listing, problems = validate_file(path, vocab, today=TODAY)
    assert listing is None
    assert any(message in p.message for p in problems), [p.message for p in problems]


def test_huge_file_is_refused_without_parsing(tmp_path, vocab):
    path = tmp_path / "huge.yaml"
    path.write_text("description: " + "x" * 300_000, encoding="utf-8")
    _, problems = validate_file(path, vocab, today=TODAY)
    assert "the limit is 256 KB" in problems[0].message


def test_billion_laughs_is_refused(tmp_path, vocab):
    lines = ['a0: &a0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    for i in range(1, 10):
        lines.append(f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 9) + "]")
    path = tmp_path / "laughs.yaml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    _, problems = validate_file(path, vocab, today=TODAY)
    assert len(problems) == 1
    assert "Anchors and aliases" in problems[0].message
    assert problems[0].line == 2


def test_file_name_must_be_a_usable_id(tmp_path, vocab, template_text):
    _, problems = check(tmp_path, vocab, template_text, name="Margate Shed")
    assert any(
        "The file name 'Margate Shed' cannot be used as an id. Use lowercase letters, numbers "
        "and hyphens only, for example margate-shed.yaml." in p.message
        for p in problems
    )


def test_duplicate_ids_across_areas(tmp_path, vocab, template_text):
    for area in ("camden", "thanet"):
        folder = tmp_path / "services" / area
        folder.mkdir(parents=True)
        (folder / "mens-shed.yaml").write_text(template_text, encoding="utf-8")
    report = validate_paths([tmp_path / "services"], vocab, today=TODAY)
    assert len(report.listings) == 1
    assert len(report.problems) == 1
    assert "The id 'mens-shed' (the file name) is already used by" in report.problems[0].message
    assert "camden/mens-shed.yaml" in report.problems[0].message
    assert "rename this file, for example to mens-shed-thanet.yaml" in report.problems[0].message


def test_in_person_service_needs_a_location(tmp_path, vocab, template_text):
    start = template_text.index("locations:")
    end = template_text.index("schedule:")
    text = template_text[:start] + template_text[end:]
    _, problems = check(tmp_path, vocab, text)
    assert any("needs at least one location" in p.message for p in problems)
    online = text.replace("delivery: [in-person]", "delivery: [online, phone]")
    listing, problems = check(tmp_path, vocab, online)
    assert problems == []
    assert listing.remote
    assert not listing.in_person


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("9am", "09:00"),
        ("9.30", "09:30"),
        ("2:30 pm", "14:30"),
        ("12pm", "12:00"),
        ("12am", "00:00"),
        ("noon", "12:00"),
        ("1430", "14:30"),
        ("25:00", None),
        ("soon", None),
    ],
)
def test_suggest_time(raw, expected):
    assert suggest_time(raw) == expected


@pytest.mark.parametrize(
    ("raw", "ok"),
    [
        ("01632 960123", True),
        ("020 7946 0123", True),
        ("+44 1632 960123", True),
        ("116 123", True),
        ("960123", False),
        ("phone us", False),
        ("111", True),  # NHS 111, a UK short number
        ("0800 111 111", True),
        ("07700 900123", True),  # Ofcom's drama range
        ("01843 123456", True),
        ("020 1234 567", False),  # a digit short for London
        ("0999 999 9999", False),  # no such range
        ("01632 123456", False),  # 01632 outside the drama range is not a number
    ],
)
def test_phone_numbers(raw, ok):
    assert (phone_problem(raw) is None) is ok


def test_parse_date_accepts_iso_only():
    assert parse_date("2026-09-14") == (date(2026, 9, 14), None)
    assert parse_date("next week")[1] == (
        "'next week' is not a date we understand. Write it as YYYY-MM-DD, like 2026-09-14."
    )


# ---------------------------------------------------------------- the command line


BROKEN_FOLDER_CASES = list(CASES)[:20]


def test_cli_folder_of_20_broken_files(runner, data_dir, template_text):
    folder = data_dir / "services" / "broken"
    folder.mkdir()
    for number, case in enumerate(BROKEN_FOLDER_CASES):
        old, new, _, _ = CASES[case]
        text = replace_line(template_text, old, new)
        (folder / f"broken-{number:02d}.yaml").write_text(text, encoding="utf-8")
    result = runner.invoke(main, ["validate", str(data_dir / "services")])
    assert result.exit_code == 1
    lines = [line for line in result.stdout.splitlines() if ".yaml:" in line]
    files = {line.split(":")[0] for line in lines}
    assert len(lines) >= 20
    assert len(files) == 20
    for line in lines:
        path, line_no, column, message = line.split(":", 3)
        assert path.endswith(".yaml")
        assert int(line_no) >= 1
        assert int(column) >= 1
        assert message.strip()
    assert "problems in 20 files (of 21 checked)" in result.stderr


def test_cli_prints_nothing_for_good_files(runner, data_dir):
    result = runner.invoke(main, ["validate"])
    # The template's postcode is real, so the offline gazetteer finds it.
    assert result.stdout == ""
    assert result.exit_code == 0


def test_cli_missing_path(runner):
    result = runner.invoke(main, ["validate", "no/such/folder"])
    assert result.exit_code == 1
    assert "no/such/folder:1:1: No such file or folder." in result.stdout
