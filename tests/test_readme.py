"""The README is the operator's manual: it must not drift from the code.

Every ``SIGNPOST_*`` setting of the one settings object is documented, the code names no
setting that object lacks, and the CLI table names every command and every option each
command has (and no option it lacks).
"""

from __future__ import annotations

import re
from pathlib import Path

import click
import pytest

from cli import main
from directory.settings import Settings

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")
CODE_FOLDERS = ("cli", "directory", "search", "views", "insights")
CODE_FILES = ("app.py", "serving.py")


def _code_files() -> list[Path]:
    files = [ROOT / name for name in CODE_FILES if (ROOT / name).is_file()]
    for folder in CODE_FOLDERS:
        files.extend(sorted((ROOT / folder).rglob("*.py")))
    return files


# create_app config keys that hold objects, not settings: the tests' fixed clock, the
# settings object itself, and a gazetteer handed in by tests.
INTERNAL = {"SIGNPOST_CLOCK", "SIGNPOST_SETTINGS", "SIGNPOST_GAZETTEER"}


def settings_in_code() -> set[str]:
    found: set[str] = set()
    for path in _code_files():
        found.update(re.findall(r"\bSIGNPOST_[A-Z0-9_]+\b", path.read_text(encoding="utf-8")))
    return found - INTERNAL


def test_the_code_reads_settings():
    assert {"SIGNPOST_DATA", "SIGNPOST_INDEX", "SIGNPOST_PUBLIC_URL"} <= set(Settings.names())


def test_the_code_names_only_settings_the_settings_object_has():
    # A setting read some other way (os.environ, app.config) would escape the checks below.
    assert settings_in_code() <= set(Settings.names())


@pytest.mark.parametrize("name", Settings.names())
def test_every_setting_is_documented_in_the_readme(name):
    assert f"`{name}" in README, f"{name} is a setting but not documented in README.md"


def _cli_table() -> dict[str, str]:
    """Command name -> its row in the README's table of `signpost` commands."""
    section = README.split("## The `signpost` command", 1)[1].split("\n## ", 1)[0]
    rows: dict[str, str] = {}
    for line in section.splitlines():
        match = re.match(r"\|\s*`signpost ([a-z-]+)", line)
        if match:
            rows[match.group(1)] = line
    return rows


def _options(command: click.Command) -> set[str]:
    names: set[str] = set()
    for param in command.params:
        if isinstance(param, click.Option):
            names.update(name for name in param.opts if name.startswith("--"))
    names.discard("--help")
    return names


COMMON = {"--data", "--index"}  # documented once, above the table, for every command


def test_the_cli_table_names_every_command():
    assert set(_cli_table()) == set(main.commands)


@pytest.mark.parametrize("name", sorted(main.commands))
def test_the_cli_table_shows_each_commands_options(name):
    row = _cli_table()[name]
    command = main.commands[name]
    documented = set(re.findall(r"(?<![\w-])--[a-z][a-z-]*", row))
    actual = _options(command)
    assert actual - COMMON <= documented, f"undocumented: {sorted(actual - COMMON - documented)}"
    assert documented <= actual, f"documented but not options: {sorted(documented - actual)}"
