"""The link worker's note on the handout: their name, how to reach them, and what happens next.

It travels only in the form that asks for the handout (a POST body) and comes back only in
that one page: it is never put in a cookie, a URL, a log line or a file. The access log
records paths without query strings or bodies (``serving.py``), and ``tests/test_handout.py``
checks that the note appears in no log output.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

FIELDS = {
    "worker_name": ("Your name", 80),
    "worker_contact": ("How to reach you", 120),
    "follow_up": ("What happens next", 200),
}
PRINT_SIZES = ("large", "standard")


@dataclass(frozen=True)
class Note:
    worker_name: str = ""
    worker_contact: str = ""
    follow_up: str = ""

    def __bool__(self) -> bool:
        return bool(self.worker_name or self.worker_contact or self.follow_up)

    def fields(self) -> dict[str, str]:
        return {name: getattr(self, name) for name in FIELDS}


def _clean(value: str) -> str:
    """One line of text: control characters and runs of spaces become single spaces."""
    return " ".join("".join(ch if ch.isprintable() else " " for ch in value).split())


def parse_note(form: Mapping[str, str]) -> tuple[Note, list[dict[str, str]]]:
    """The note from a form, and errors (for the NHS error summary) for anything too long."""
    values: dict[str, str] = {}
    errors: list[dict[str, str]] = []
    for name, (label, limit) in FIELDS.items():
        value = _clean(str(form.get(name) or ""))
        if len(value) > limit:
            errors.append(
                {
                    "text": f"{label} must be {limit} characters or fewer (it has {len(value)})",
                    "href": f"#{name}",
                    "field": name,
                }
            )
        values[name] = value
    return Note(**values), errors


def print_size(value: str | None) -> str:
    """'standard' (three services a page) when asked for, else 'large' (the default)."""
    return "standard" if (value or "").strip().lower() == "standard" else "large"
