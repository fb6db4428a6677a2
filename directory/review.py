"""Stamp a listing as checked, editing its file in place and keeping everything else.

``signpost review ID --by "Thanet Link Workers"`` is what a volunteer runs after ringing a
group to confirm its listing. The file is a person's work: its comments, blank lines, key
order and quoting must survive, so the two lines are edited as text (never load-and-dump
YAML, which would drop every comment). Only ``last_reviewed`` and ``reviewed_by`` change;
their own trailing comments are kept.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import date

# A top-level key at the start of a line: "last_reviewed: 2026-09-14   # YYYY-MM-DD"
_TOP_KEY = re.compile(r"^(?P<key>[A-Za-z_][A-Za-z0-9_]*)(?P<colon>\s*:)(?P<rest>.*)$")
# Plain (unquoted) YAML text that reads back as the same string.
_PLAIN_SAFE = re.compile(r"^[A-Za-z0-9(][A-Za-z0-9 ,.'()&/+\-]*$")
_YAML_WORDS = {"true", "false", "yes", "no", "on", "off", "null", "y", "n", "~"}


class ReviewError(ValueError):
    """The file cannot be stamped as it is (says why, in a volunteer's words)."""


@dataclass(frozen=True)
class Stamped:
    text: str
    changed_lines: tuple[int, ...]  # 1-based line numbers of the new text that changed


def yaml_text(value: str) -> str:
    """``value`` as a YAML scalar that reads back as exactly that text.

    Plain when that is safe (``Thanet Link Workers``), else double-quoted with JSON's
    escapes, which YAML's double-quoted style reads the same way.
    """
    text = " ".join(value.split())
    if _PLAIN_SAFE.match(text) and text.lower() not in _YAML_WORDS and not text[0].isdigit():
        return text
    return json.dumps(text, ensure_ascii=False)


def _split_comment(rest: str) -> tuple[str, str]:
    """The value part and the trailing comment (with its leading spaces) of a line's rest."""
    stripped = rest.lstrip()
    if stripped[:1] in ('"', "'"):
        quote = stripped[0]
        start = len(rest) - len(stripped)
        index = start + 1
        while index < len(rest):
            char = rest[index]
            if quote == '"' and char == "\\":
                index += 2
                continue
            if char == quote:
                if quote == "'" and rest[index + 1 : index + 2] == "'":
                    index += 2
                    continue
                break
            index += 1
        end = index + 1
        match = re.search(r"\s+#.*$", rest[end:])
        return (rest[:end], rest[end:]) if match else (rest, "")
    match = re.search(r"\s+#.*$", rest)
    if match:
        return rest[: match.start()], rest[match.start() :]
    return rest, ""


def _continuation_end(lines: list[str], start: int) -> int:
    """Index after the indented lines that continue the value on ``lines[start]``."""
    end = start + 1
    while end < len(lines):
        line = lines[end]
        if line.strip() == "" or line.startswith((" ", "\t")):
            end += 1
            continue
        break
    # Blank lines before the next key belong to the layout, not the value.
    while end > start + 1 and lines[end - 1].strip() == "":
        end -= 1
    return end


def stamp_review(text: str, today: date, by: str | None = None) -> Stamped:
    """``text`` with ``last_reviewed: today`` (and ``reviewed_by: by`` when given).

    Every other byte is kept. A key that is missing is added at the end of the file.
    """
    if by is not None and len(" ".join(by.split())) < 2:
        raise ReviewError('Say who checked the listing, like --by "Thanet Link Workers".')
    newline = "\r\n" if "\r\n" in text else "\n"
    lines = text.splitlines(keepends=True)
    wanted = {"last_reviewed": today.isoformat()}
    if by is not None:
        wanted["reviewed_by"] = yaml_text(by)
    found: dict[str, int] = {}
    index = 0
    while index < len(lines):
        match = _TOP_KEY.match(lines[index].rstrip("\r\n"))
        if match and match.group("key") in wanted:
            key = match.group("key")
            if key in found:
                raise ReviewError(f"'{key}' is written twice in this file. Delete one first.")
            ending = lines[index][len(lines[index].rstrip("\r\n")) :] or newline
            value, comment = _split_comment(match.group("rest"))
            end = index + 1
            if value.strip() in ("", ">", "|", ">-", "|-", ">+", "|+"):
                end = _continuation_end(lines, index)  # a value on the lines below
            lines[index:end] = [f"{key}{match.group('colon')} {wanted[key]}{comment}{ending}"]
            found[key] = index
        index += 1
    missing = [key for key in wanted if key not in found]
    if missing and lines and not lines[-1].endswith(("\n", "\r")):
        lines[-1] += newline
    for key in missing:
        found[key] = len(lines)
        lines.append(f"{key}: {wanted[key]}{newline}")
    return Stamped("".join(lines), tuple(sorted(i + 1 for i in found.values())))
