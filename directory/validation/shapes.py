"""The generic shapes of a listing file: groups of fields, text, yes/no, choices, lists, numbers.

:class:`FieldChecker` holds one loaded file and reports each problem at its line and column;
the listing's own rules (directory/validation/checks.py) build on it.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from directory.load import KeyPath, LoadedFile
from directory.problems import escape_text, quote
from directory.validation.fields import EXAMPLES, TEXT_LIMITS
from directory.validation.values import nearest_word, options, type_name


class FieldChecker:
    """The generic shapes (fields, text, yes/no, choices, lists, numbers) of one loaded file.

    Problems are collected on the loaded file, which knows each value's line and column.
    """

    def __init__(self, loaded: LoadedFile) -> None:
        self.loaded = loaded

    def problem(self, keypath: KeyPath, message: str, *, key: bool = False) -> None:
        """Report ``message`` at the value (or, with ``key``, the field name) at ``keypath``."""
        self.loaded.problem(keypath, message, key=key)

    def fields(self, keypath: KeyPath, value: Any, spec: dict[str, bool], what: str) -> bool:
        """Check a mapping's field names: unknown ones and missing required ones."""
        if not isinstance(value, dict):
            example = EXAMPLES.get(str(keypath[-1])) if keypath else None
            hint = f" Write it like this:\n    {example}" if example else ""
            self.problem(
                keypath,
                f"{what} should be a group of fields, but it is {type_name(value)}.{hint}",
            )
            return False
        for name in value:
            if name not in spec:
                guess = nearest_word(name, list(spec))
                hint = (
                    f" Did you mean '{guess}'?"
                    if guess
                    else f" The fields allowed here are: {', '.join(spec)}."
                )
                self.problem(keypath + (name,), f"Unknown field {quote(name)}.{hint}", key=True)
        for name, required in spec.items():
            if required and name not in value:
                example = EXAMPLES.get(name, f"{name}: ...")
                where = "" if not keypath else f" in {what}"
                self.problem(
                    keypath,
                    f"'{name}' is missing{where}. Add a line like:\n    {example}",
                    key=True,
                )
        return True

    def text(self, keypath: KeyPath, value: Any, *, required: bool = True) -> str:
        name = str(keypath[-1])
        if value is None:
            if required:
                example = EXAMPLES.get(name, f"{name}: ...")
                self.problem(
                    keypath, f"'{name}' is empty. Write something, for example:\n    {example}"
                )
            return ""
        if isinstance(value, (dict, list)):
            self.problem(keypath, f"'{name}' should be text, but it is {type_name(value)}.")
            return ""
        text = " ".join(str(self.loaded.raw.get(keypath, value)).split())
        low, high = TEXT_LIMITS.get(name, (1, 500))
        if required and len(text) < max(low, 1):
            self.problem(
                keypath,
                f"'{name}' is too short ({len(text)} characters); write at least {low}.",
            )
        elif len(text) > high:
            self.problem(
                keypath,
                f"'{name}' is too long ({len(text)} characters); keep it under {high}. "
                "Say the most important things first.",
            )
        if re.search(r"<\s*/?\s*[a-zA-Z][^>]*>", text):
            self.problem(
                keypath,
                f"'{name}' contains HTML tags. Write plain text only; Signpost does the layout.",
            )
        return text

    def boolean(self, keypath: KeyPath, value: Any, default: bool = False) -> bool:
        if isinstance(value, bool):
            return value
        name = str(keypath[-1])
        if value is None:
            return default
        self.problem(
            keypath,
            f"'{name}' must be true or false, not {quote(self.loaded.raw.get(keypath, value))}.",
        )
        return default

    def choice(self, keypath: KeyPath, value: Any, allowed: Sequence[str]) -> str:
        # For a list item such as ('access', 'routes', 0) the field is 'routes'.
        name = str(keypath[-2] if isinstance(keypath[-1], int) else keypath[-1])
        raw = self.loaded.raw.get(keypath, value)
        if isinstance(value, str) and value in allowed:
            return value
        if isinstance(value, (dict, list)) or value is None:
            self.problem(keypath, f"'{name}' should be one of: {options(allowed)}.")
            return ""
        guess = nearest_word(str(raw), allowed)
        hint = f" Did you mean '{guess}'?" if guess else ""
        self.problem(
            keypath,
            f"{quote(raw)} is not allowed for {name}. Write one of: {options(allowed)}.{hint}",
        )
        return ""

    def string_list(self, keypath: KeyPath, value: Any, *, required: bool = False) -> list[Any]:
        name = str(keypath[-1])
        if value is None:
            if required:
                example = EXAMPLES.get(name, f"{name}: [...]")
                self.problem(
                    keypath, f"'{name}' is empty. Write a list, for example:\n    {example}"
                )
            return []
        if isinstance(value, (str, int, float, bool)):
            # A single value is a natural thing to write; say how to make it a list.
            raw = self.loaded.raw.get(keypath, value)
            self.problem(
                keypath,
                f"'{name}' should be a list in square brackets, for example "
                f"{name}: [{escape_text(str(raw))}].",
            )
            return []
        if isinstance(value, dict):
            self.problem(keypath, f"'{name}' should be a list, like {name}: [a, b].")
            return []
        if required and not value:
            self.problem(keypath, f"'{name}' is an empty list. Add at least one value.")
        items: list[Any] = value
        return items

    def integer(self, keypath: KeyPath, value: Any, low: int, high: int) -> int | None:
        name = str(keypath[-1])
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int):
            self.problem(
                keypath,
                f"'{name}' must be a whole number from {low} to {high}, not "
                f"{quote(self.loaded.raw.get(keypath, value))}.",
            )
            return None
        if not low <= value <= high:
            self.problem(keypath, f"'{name}' must be from {low} to {high}, not {value}.")
            return None
        number: int = value
        return number
