"""Read listing YAML safely and remember where every value came from.

The validator's whole point is to say *where* a problem is, so loading keeps the line and
column of every key and value. We compose the YAML into nodes ourselves (never constructing
arbitrary objects) and convert scalars with YAML's safe rules, with three deliberate changes
that protect volunteers from YAML 1.1 surprises:

* dates are kept as the text written, so the validator can explain ``31/02/2026`` or
  ``2026-02-31`` instead of crashing;
* unquoted times such as ``10:00`` (which YAML 1.1 reads as the number 600) keep their text;
* anchors and aliases are refused, which also defuses "billion laughs" files.
"""

from __future__ import annotations

import itertools
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, cast

import yaml

from directory.problems import Problem, quote
from directory.rawtext import (
    describe_character,
    invisible_characters,
    invisible_in_value,
    mostly_binary,
    nesting_problem,
)

_Loader: type[yaml.SafeLoader] | type[yaml.CSafeLoader]
try:  # the C composer is several times faster on large folders
    from yaml import CSafeLoader as _Loader
except ImportError:  # pragma: no cover - depends on how PyYAML was built
    from yaml import SafeLoader as _Loader

MAX_FILE_BYTES = 256 * 1024
MAX_NODES = 20_000
MAX_DEPTH = 20

# A file full of control characters gets this many messages, then the count stops.
MAX_INVISIBLE_REPORTED = 20

KeyPath = tuple[Any, ...]

_TOO_DEEP = (
    "This file is nested far too deeply to be a listing: a listing has at most a few levels "
    "of fields and lists. Compare it with docs/template-listing.yaml."
)

_constructor = yaml.constructor.SafeConstructor()
_TIMESTAMP = "tag:yaml.org,2002:timestamp"
_INT = "tag:yaml.org,2002:int"
_STR = "tag:yaml.org,2002:str"


@dataclass
class LoadedFile:
    """A parsed file: plain data plus where each part of it was written."""

    path: str
    data: Any = None
    # keypath -> (line, column) of the value; 1-based, as editors count.
    marks: dict[KeyPath, tuple[int, int]] = field(default_factory=dict)
    # keypath -> (line, column) of the key itself (for "unknown field" messages).
    key_marks: dict[KeyPath, tuple[int, int]] = field(default_factory=dict)
    # keypath -> the scalar exactly as written, and whether it was quoted.
    raw: dict[KeyPath, str] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)

    def mark(self, keypath: KeyPath, *, key: bool = False) -> tuple[int, int]:
        """Where to point for ``keypath``: its own mark, else the nearest parent's."""
        table = self.key_marks if key else self.marks
        path = tuple(keypath)
        while path:
            if path in table:
                return table[path]
            if path in self.marks:
                return self.marks[path]
            path = path[:-1]
        return self.marks.get((), (1, 1))

    def problem(self, keypath: KeyPath, message: str, *, key: bool = False) -> Problem:
        line, column = self.mark(keypath, key=key)
        found = Problem(self.path, line, column, message)
        self.problems.append(found)
        return found


class _Refused(Exception):
    def __init__(self, node: yaml.Node | None, message: str, *, alias: bool = False) -> None:
        super().__init__(message)
        self.node = node
        self.message = message
        self.alias = alias


def _first_alias(text: str) -> tuple[int, int] | None:
    """Where the first ``*alias`` is; composed nodes only remember the anchor's place."""
    for event in yaml.parse(text, Loader=_Loader):
        if isinstance(event, yaml.AliasEvent) and event.start_mark is not None:
            return event.start_mark.line + 1, event.start_mark.column + 1
    return None


def display_path(path: str | os.PathLike[str]) -> str:
    """Paths relative to the working directory where possible, as contributors see them."""
    p = Path(path)
    try:
        return str(p.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(p)


def load_file(path: str | os.PathLike[str]) -> LoadedFile:
    """Load one listing file; never raises for bad content, records problems instead."""
    shown = display_path(path)
    try:
        size = os.path.getsize(path)
        if size > MAX_FILE_BYTES:
            loaded = LoadedFile(shown)
            loaded.problems.append(
                Problem(
                    shown,
                    1,
                    1,
                    f"This file is {size // 1024} KB; a listing is normally 1 to 5 KB and "
                    f"the limit is {MAX_FILE_BYTES // 1024} KB. Check it is the right file, "
                    "or split it into one file per service.",
                )
            )
            return loaded
        with open(path, "rb") as handle:
            content = handle.read()
    except OSError as error:
        loaded = LoadedFile(shown)
        reason = error.strerror or str(error)
        loaded.problems.append(Problem(shown, 1, 1, f"Could not read this file: {reason}."))
        return loaded
    return load_bytes(content, shown)


def load_bytes(content: bytes, shown: str) -> LoadedFile:
    """Parse listing text already in memory (used by tests, fuzzing and import)."""
    loaded = LoadedFile(shown)
    if b"\x00" in content and _binary(content):
        loaded.problems.append(
            Problem(
                shown,
                1,
                1,
                "This file contains binary data, not text. Listings must be plain text YAML "
                "files; copy docs/template-listing.yaml and fill it in.",
            )
        )
        return loaded
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = content[: error.start].count(b"\n") + 1
        loaded.problems.append(
            Problem(
                shown,
                line,
                1,
                "This line has characters that are not UTF-8 text. Save the file as "
                "UTF-8 (most editors offer this under 'Save as' or 'Encoding').",
            )
        )
        return loaded
    return load_text(text, shown)


def _binary(content: bytes) -> bool:
    """A NUL in a file is binary data unless the rest is UTF-8 text with only a slip or two."""
    try:
        return mostly_binary(content.decode("utf-8-sig"))
    except UnicodeDecodeError:
        return True


def load_text(text: str, shown: str) -> LoadedFile:
    loaded = LoadedFile(shown)
    tab_lines = _tab_problems(text, shown)
    if tab_lines:
        # YAML's own message for tabs is baffling; ours says what to do. Stop here,
        # because every later message would be noise caused by the tab.
        loaded.problems.extend(tab_lines)
        return loaded
    invisible = [
        Problem(shown, line, column, invisible_message(char, f"at column {column}"))
        for line, column, char in itertools.islice(
            invisible_characters(text), MAX_INVISIBLE_REPORTED
        )
    ]
    if invisible:
        # PyYAML refuses most of these with a message no volunteer could act on.
        loaded.problems.extend(invisible)
        return loaded
    deep = nesting_problem(text)
    if deep is not None:
        # Checked on the text because the C composer recurses and dies (signal 11) on
        # files nested thousands deep, before _convert's own depth check could run.
        loaded.problems.append(Problem(shown, *deep, _TOO_DEEP))
        return loaded
    try:
        node = yaml.compose(text, Loader=_Loader)
    except yaml.MarkedYAMLError as error:
        loaded.problems.append(_syntax_problem(error, shown))
        return loaded
    except yaml.YAMLError as error:
        loaded.problems.append(Problem(shown, 1, 1, f"This is not valid YAML: {error}."))
        return loaded
    except RecursionError:
        loaded.problems.append(Problem(shown, 1, 1, _TOO_DEEP))
        return loaded
    if node is None:
        loaded.problems.append(
            Problem(
                shown,
                1,
                1,
                "This file is empty. Copy docs/template-listing.yaml into it and fill it in.",
            )
        )
        return loaded
    try:
        loaded.data = _convert(node, (), loaded, set(), 0)
    except _Refused as refused:
        line, column = _node_mark(refused.node) if refused.node is not None else (1, 1)
        if refused.alias:
            line, column = _first_alias(text) or (line, column)
        loaded.problems.append(Problem(shown, line, column, refused.message))
        loaded.data = None
        return loaded
    except RecursionError:
        loaded.problems.append(Problem(shown, 1, 1, _TOO_DEEP))
        loaded.data = None
    return loaded


def _tab_problems(text: str, shown: str) -> list[Problem]:
    found = []
    for number, line in enumerate(text.splitlines(), start=1):
        stripped = line.lstrip(" ")
        if stripped.startswith("\t"):
            column = len(line) - len(stripped) + 1
            found.append(
                Problem(
                    shown,
                    number,
                    column,
                    "This line is indented with a tab. YAML needs spaces: replace the tab "
                    "with spaces (2 spaces for each level).",
                )
            )
    return found


_SYNTAX_HINTS = (
    (
        "mapping values are not allowed",
        "Is there a second colon (:) in this value? Put the whole value in double quotes, "
        'for example: description: "Note: bring a packed lunch".',
    ),
    (
        "could not find expected ':'",
        "Each line should be 'field: value'. Check this line and the one above for a "
        "missing colon or a value that runs on without quotes.",
    ),
    (
        "found character '%' that cannot start any token",
        "A value cannot start with %. Put the value in double quotes.",
    ),
    (
        "found character '@' that cannot start any token",
        "A value cannot start with @. Put the value in double quotes.",
    ),
    (
        "found character '`' that cannot start any token",
        "A value cannot start with a backtick. Put the value in double quotes.",
    ),
    (
        "found unexpected end of stream",
        "A quote was opened and not closed. Check the quotes on this line match.",
    ),
    (
        "found unknown escape character",
        "Inside double quotes a backslash starts a special code. Use single quotes, or "
        "write the backslash twice (\\\\).",
    ),
    (
        "did not find expected key",
        "The indentation here does not line up. Fields at the same level must start in "
        "the same column, using spaces.",
    ),
    (
        "did not find expected '-' indicator",
        "This list item is not lined up with the items above it. Line up the dashes.",
    ),
    (
        "expected <block end>, but found",
        "The indentation here does not line up with the lines above. Fields at the same "
        "level must start in the same column.",
    ),
    (
        "found undefined alias",
        "Remove the * (asterisk) at the start of this value, or put the value in quotes.",
    ),
)


def _syntax_problem(error: yaml.MarkedYAMLError, shown: str) -> Problem:
    mark = error.problem_mark or error.context_mark
    line = mark.line + 1 if mark else 1
    column = mark.column + 1 if mark else 1
    problem = (error.problem or "").strip()
    hint = next((h for needle, h in _SYNTAX_HINTS if needle in problem), None)
    if hint is None:
        hint = (
            "Compare this line with docs/template-listing.yaml: check the colon after "
            "the field name, the indentation and any quotes."
        )
    return Problem(shown, line, column, f"The YAML cannot be read here ({problem}). {hint}")


def _node_mark(node: yaml.Node) -> tuple[int, int]:
    return node.start_mark.line + 1, node.start_mark.column + 1


def _convert(
    node: yaml.Node, keypath: KeyPath, loaded: LoadedFile, seen: set[int], depth: int
) -> Any:
    if id(node) in seen:
        raise _Refused(
            node,
            "Anchors and aliases (& and *) are not allowed in listings. Write the value out "
            "in full where it is needed.",
            alias=True,
        )
    seen.add(id(node))
    if len(seen) > MAX_NODES:
        raise _Refused(node, "This file has far more entries than a listing can have.")
    if depth > MAX_DEPTH:
        raise _Refused(node, _TOO_DEEP)
    loaded.marks[keypath] = _node_mark(node)

    if isinstance(node, yaml.MappingNode):
        result: dict[str, Any] = {}
        first_seen: dict[str, int] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                raise _Refused(key_node, "A field name must be a plain word, like 'name'.")
            key = str(key_node.value)
            _refuse_invisible(key_node, key)
            if key == "<<":
                raise _Refused(
                    key_node,
                    "Merge keys (<<) are not allowed in listings. Write each field out.",
                )
            if key in first_seen:
                raise _Refused(
                    key_node,
                    f"{quote(key)} appears twice here (first on line {first_seen[key]}). "
                    "Keep one and delete the other.",
                )
            first_seen[key] = key_node.start_mark.line + 1
            child = keypath + (key,)
            loaded.key_marks[child] = _node_mark(key_node)
            result[key] = _convert(value_node, child, loaded, seen, depth + 1)
        return result
    if isinstance(node, yaml.SequenceNode):
        return [
            _convert(item, keypath + (index,), loaded, seen, depth + 1)
            for index, item in enumerate(node.value)
        ]
    # A composed node is a mapping, a sequence or a scalar.
    return _scalar(cast(yaml.ScalarNode, node), keypath, loaded)


def invisible_message(char: str, where: str) -> str:
    """The message for one invisible character; ``where`` says where it is in words."""
    return (
        f"This contains an invisible control character ({describe_character(char)}) "
        f"{where}: delete it. Such characters show as nothing or scramble the text on "
        "pages, in spreadsheets and on screen readers."
    )


def _refuse_invisible(node: yaml.Node, text: str) -> None:
    """Refuse a character written as an escape code ("\\e", "\\u202e") in a quoted value."""
    found = invisible_in_value(text)
    if found is not None:
        position, char = found
        raise _Refused(
            node,
            invisible_message(
                char, f"written as an escape code, at character {position} of the value"
            ),
        )


def _scalar(node: yaml.ScalarNode, keypath: KeyPath, loaded: LoadedFile) -> Any:
    text = node.value
    _refuse_invisible(node, text)
    loaded.raw[keypath] = text
    if node.tag == _TIMESTAMP:
        return text
    if node.tag == _INT and ":" in text:  # YAML 1.1 base-60: 10:00 -> 600
        return text
    if node.tag == _STR:
        return text
    try:
        return _constructor.construct_object(node, deep=True)
    except (yaml.YAMLError, ValueError, OverflowError):
        return text
