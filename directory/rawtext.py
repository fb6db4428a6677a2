"""Checks on a listing's raw text, made before any YAML parser sees it.

Two kinds of hostile text get past a YAML parser or kill it:

* **Deep nesting.** ``name: [[[[…]]]]`` 25,000 deep (50 KB) makes PyYAML's C composer
  recurse until the process dies with signal 11, before our own depth check can run and
  without a message for any file. :func:`nesting_problem` measures the nesting from the text
  (flow brackets, block indentation and ``- `` / ``? `` indicators on one line) and stops the
  file with a located message long before a parser could overflow.
* **Invisible characters.** NUL, ESC, BEL and the bidirectional overrides (U+202E...) render
  as nothing or reorder text on pages, in CSV and in terminals. :func:`invisible_characters`
  finds each one with its line and column; :func:`invisible_in_value` finds the ones written
  as YAML escape codes (``"\\e"``, ``"\\u202e"``) inside a value.

Both are pure functions of the text, so they are cheap and easy to test.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator

import yaml

_Loader: type[yaml.SafeLoader] | type[yaml.CSafeLoader]
try:  # the same parser the loader uses; its event parser never recurses
    from yaml import CSafeLoader as _Loader
except ImportError:  # pragma: no cover - depends on how PyYAML was built
    from yaml import SafeLoader as _Loader

# Far deeper than any listing (the loader refuses more than 20 levels with a precise
# message), far shallower than the ~20,000 levels at which the C composer overflows.
MAX_TEXT_NESTING = 100

# Characters that are never wanted in a listing, beyond the C0/C1 controls.
_INVISIBLE = {
    "\u061c": "ARABIC LETTER MARK",
    "\u200b": "ZERO WIDTH SPACE",
    "\u200e": "LEFT-TO-RIGHT MARK",
    "\u200f": "RIGHT-TO-LEFT MARK",
    "\u2028": "LINE SEPARATOR",
    "\u2029": "PARAGRAPH SEPARATOR",
    "\u202a": "LEFT-TO-RIGHT EMBEDDING",
    "\u202b": "RIGHT-TO-LEFT EMBEDDING",
    "\u202c": "POP DIRECTIONAL FORMATTING",
    "\u202d": "LEFT-TO-RIGHT OVERRIDE",
    "\u202e": "RIGHT-TO-LEFT OVERRIDE",
    "\u2066": "LEFT-TO-RIGHT ISOLATE",
    "\u2067": "RIGHT-TO-LEFT ISOLATE",
    "\u2068": "FIRST STRONG ISOLATE",
    "\u2069": "POP DIRECTIONAL ISOLATE",
    "\ufeff": "ZERO WIDTH NO-BREAK SPACE (byte order mark)",
}
# Control characters have no Unicode name; these are the ones people meet.
_CONTROL_NAMES = {
    0x00: "NULL",
    0x07: "BELL",
    0x08: "BACKSPACE",
    0x0B: "VERTICAL TAB",
    0x0C: "FORM FEED",
    0x1B: "ESCAPE",
    0x7F: "DELETE",
    0x85: "NEXT LINE",
}
_ALLOWED_CONTROLS = frozenset("\t\n\r")


def is_invisible(char: str) -> bool:
    """True for a control or formatting character a listing must not contain.

    Tab, newline and carriage return are allowed (block scalars hold them); emoji joiners
    (U+200D) are allowed because emoji sequences need them.
    """
    if char in _ALLOWED_CONTROLS:
        return False
    return char in _INVISIBLE or unicodedata.category(char) == "Cc"


def describe_character(char: str) -> str:
    """'U+202E RIGHT-TO-LEFT OVERRIDE', 'U+001B ESCAPE': what the character is, by code."""
    code = ord(char)
    name = _INVISIBLE.get(char) or _CONTROL_NAMES.get(code)
    if name is None:
        name = unicodedata.name(char, "CONTROL CHARACTER")
    return f"U+{code:04X} {name}"


# The same set as is_invisible, as one regex: scanning every listing must stay cheap.
_INVISIBLE_RE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f" + "".join(_INVISIBLE) + "]")


def invisible_characters(text: str) -> Iterator[tuple[int, int, str]]:
    """(line, column, character) of each invisible character, 1-based as editors count."""
    line, counted = 1, 0
    for match in _INVISIBLE_RE.finditer(text):
        index = match.start()
        line += text.count("\n", counted, index)
        counted = index
        yield line, index - (text.rfind("\n", 0, index) + 1) + 1, match.group()


def invisible_in_value(value: str) -> tuple[int, str] | None:
    """(1-based position, character) of the first invisible character in a value, or None."""
    match = _INVISIBLE_RE.search(value)
    return (match.start() + 1, match.group()) if match else None


def mostly_binary(text: str) -> bool:
    """More than 1 in 10 characters are controls: a binary file, not a listing with a slip."""
    controls = sum(1 for char in text if char not in _ALLOWED_CONTROLS and ord(char) < 32)
    return controls * 10 > max(len(text), 1)


def nesting_problem(text: str, limit: int = MAX_TEXT_NESTING) -> tuple[int, int] | None:
    """Where (line, column) the YAML first nests deeper than ``limit`` levels, or None.

    First a cheap upper bound from the text: every ``[`` or ``{`` so far (never taking one
    away, so no quoting trick can hide an opening) plus the block levels open at a line's
    indentation and the ``- `` or ``? `` indicators that start it (``- - - x`` is three
    nested lists on one line). Almost every listing is far under the limit and stops here.
    Otherwise libyaml's event parser, which keeps its own stack instead of recursing,
    counts the real depth and stops at the first event too deep. A syntax error before
    that point is left for the loader to explain.
    """
    opened = 0
    indents: list[int] = []
    bound_exceeded = False
    for line in text.split("\n"):
        stripped = line.lstrip(" ")
        if stripped:
            indent = len(line) - len(stripped)
            while indents and indents[-1] >= indent:
                indents.pop()
            indents.append(indent)
            depth = len(indents)
            rest = stripped
            while rest[:2] in ("- ", "? ") or rest in ("-", "?"):
                depth += 1
                rest = rest[2:].lstrip(" ")
            opened += line.count("[") + line.count("{")
            if depth + opened > limit:
                bound_exceeded = True
                break
    if not bound_exceeded:
        return None
    return _exact_nesting(text, limit)


def _exact_nesting(text: str, limit: int) -> tuple[int, int] | None:
    depth = 0
    try:
        for event in yaml.parse(text, Loader=_Loader):
            if isinstance(event, (yaml.SequenceStartEvent, yaml.MappingStartEvent)):
                depth += 1
                if depth > limit and event.start_mark is not None:
                    return event.start_mark.line + 1, event.start_mark.column + 1
            elif isinstance(event, (yaml.SequenceEndEvent, yaml.MappingEndEvent)):
                depth -= 1
    except yaml.YAMLError:
        return None
    return None
