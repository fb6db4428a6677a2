"""A problem found in a listing, in the shape every tool prints: ``path:line:column: message``.

Editors, CI logs and GitHub annotations all understand that shape, so a charity volunteer can
click straight to the line that needs changing.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, order=True)
class Problem:
    path: str
    line: int
    column: int
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}:{self.column}: {self.message}"
