"""A problem found in a listing, in the shape every tool prints: ``path:line:column: message``.

Editors, CI logs and GitHub annotations all understand that shape, so a charity volunteer can
click straight to the line that needs changing.

Listing text is untrusted: a value may hold newlines, escape sequences or bidi overrides, and
a file name may hold a newline. So values are quoted with :func:`quote` (control characters
written as visible escapes), a printed problem never lets a path or value start a line of its
own, and :meth:`Problem.github` writes a GitHub workflow command escaped by GitHub's rules,
so a listing cannot forge an annotation on another file or issue a workflow command.
``python -m directory.problems --github < problems.txt`` turns ``signpost validate`` output
into those commands (used by ``.github/workflows/validate-listings.yml``).
"""

from __future__ import annotations

import re
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from directory.rawtext import is_invisible

# Longer values are cut short in messages: the line number already says where they are.
MAX_QUOTED_CHARS = 100

_ESCAPES = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def escape_text(text: str) -> str:
    """``text`` with newlines, tabs and invisible characters written as visible escapes."""
    out = []
    for char in text:
        if char in _ESCAPES:
            out.append(_ESCAPES[char])
        elif is_invisible(char) or char in "\x85\u2028\u2029":
            code = ord(char)
            out.append(f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}")
        else:
            out.append(char)
    return "".join(out)


def quote(value: object, limit: int = MAX_QUOTED_CHARS) -> str:
    """A listing value as it may appear in a message: in single quotes, escaped, not too long.

    ``quote("9am")`` is ``'9am'``; ``quote("a\\n::error")`` is ``'a\\\\n::error'`` on one line.
    """
    text = escape_text(str(value))
    if len(text) > limit:
        text = text[: limit - 1] + "…"
    return f"'{text}'"


def _message_lines(message: str) -> str:
    """Keep a message's own line breaks, but indent every later line and escape the rest.

    Messages show examples on indented lines; a line break that came from a value (or a
    message written without the indent) is indented too, so no later line can look like
    ``path:line:column:`` and pass for a problem of its own.
    """
    lines = [escape_text(line) for line in message.replace("\r\n", "\n").split("\n")]
    return "\n".join(
        [lines[0]] + [line if line.startswith("    ") else "    " + line for line in lines[1:]]
    )


def _shown_path(path: str) -> str:
    """A path that ends at the first colon of ``path:line:column:``, whatever the file is called.

    Listing ids cannot contain a colon, so such a file already has a problem of its own.
    """
    return escape_text(path).replace(":", "\\x3a")


def _github_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _github_property(text: str) -> str:
    return _github_data(text).replace(":", "%3A").replace(",", "%2C")


@dataclass(frozen=True, order=True)
class Problem:
    path: str
    line: int
    column: int
    message: str

    def __str__(self) -> str:
        return f"{_shown_path(self.path)}:{self.line}:{self.column}: {_message_lines(self.message)}"

    def github(self) -> str:
        """This problem as a GitHub ``::error`` workflow command, escaped by GitHub's rules."""
        return (
            f"::error file={_github_property(self.path)},line={self.line},col={self.column}::"
            f"{_github_data(_message_lines(self.message))}"
        )


_HEAD = re.compile(r"^(\S.*?):(\d+):(\d+): (.*)$")


def parse_output(lines: Iterable[str]) -> Iterator[Problem]:
    """Problems back from printed ``path:line:column: message`` lines.

    A line that does not start a problem (an example under a message) belongs to the
    message above it; anything before the first problem, such as a summary, is skipped.
    """
    current: list[str] | None = None
    head: tuple[str, int, int] = ("", 0, 0)
    for raw in lines:
        line = raw.rstrip("\n")
        match = _HEAD.match(line)
        if match:
            if current is not None:
                yield Problem(*head, "\n".join(current))
            head = (match.group(1), int(match.group(2)), int(match.group(3)))
            current = [match.group(4)]
        elif current is not None and line.strip():
            current.append(line)
    if current is not None:
        yield Problem(*head, "\n".join(current))


def main(argv: list[str] | None = None) -> int:
    """``--github``: read ``signpost validate`` output on stdin, print workflow commands."""
    args = sys.argv[1:] if argv is None else argv
    if args != ["--github"]:
        print("usage: python -m directory.problems --github < problems.txt", file=sys.stderr)
        return 2
    for problem in parse_output(sys.stdin):
        print(problem.github())
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
