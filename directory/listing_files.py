"""Finding listing files under data/services, and saying why any file there was left out.

Every command that reads listings (validate, index, stale, import's id check) finds them
here, so the rules hold everywhere:

* a symbolic link is followed only if it stays inside the folder being read: a link to
  ``/etc/passwd`` or to another project's YAML is refused with a message, never read, so
  its contents cannot leak into messages or the index;
* a file named ``*.YAML`` or ``*.Yml`` is not skipped in silence: it gets a message asking
  for the ``.yaml`` name the index reads;
* area folder names are checked like ids (lowercase words with hyphens), once per folder.

Hidden files and folders (``.git``, ``.DS_Store``...) are skipped, as before.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from directory.load import display_path
from directory.problems import Problem, quote

# `\Z`, not `$`: `$` also matches before a final newline, so "shed\n" passed as an id.
ID_PATTERN = re.compile(r"[a-z0-9]+(-[a-z0-9]+)*\Z")
# The shortlist cookie and ?ids= links keep ids of at most this many characters
# (views/shortlist_store.py), so a longer id would be dropped from every shortlist.
MAX_ID_LENGTH = 100

LISTING_SUFFIXES = (".yaml", ".yml")


@dataclass
class Discovery:
    """Listing files to read, paths that do not exist, and problems with the rest."""

    files: list[Path] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)


def slug(text: str) -> str:
    """A usable id from any text: 'Margate Shed' -> 'margate-shed'."""
    made = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
    return made or "my-service"


def area_problem(folder: Path) -> Problem | None:
    """A message for an area folder whose name is not lowercase words with hyphens."""
    name = folder.name
    if ID_PATTERN.match(name) and len(name) <= MAX_ID_LENGTH:
        return None
    return Problem(
        display_path(folder),
        1,
        1,
        f"The folder name {quote(name)} cannot be used as an area. Use lowercase letters, "
        f"numbers and hyphens only, for example {slug(name)[:MAX_ID_LENGTH]}.",
    )


def _inside(path: Path, folder: Path) -> bool:
    return path == folder or folder in path.parents


def _link_problem(path: Path, folder: Path, *, is_dir: bool = False) -> Problem | None:
    """Why a symbolic link cannot be read, or None when it stays inside ``folder``."""
    shown = display_path(path)
    try:
        target = path.resolve(strict=True)
    except (OSError, RuntimeError):  # broken link or a loop
        return Problem(
            shown, 1, 1, "This is a link to a file that does not exist. Delete the link."
        )
    if not _inside(target, folder):
        what = "folder" if is_dir else "file"
        return Problem(
            shown,
            1,
            1,
            f"This is a link to a {what} outside {display_path(folder)}, so it was not read. "
            f"Put the listing itself in the folder instead of a link.",
        )
    if not is_dir and not target.is_file():
        return Problem(shown, 1, 1, "This is a link to something that is not a file.")
    return None


def _wrong_case_problem(path: Path) -> Problem:
    right = path.stem + path.suffix.lower()
    return Problem(
        display_path(path),
        1,
        1,
        f"This file was not read: listing files must end in lowercase .yaml. Rename it to "
        f"{quote(right)}.",
    )


def _home_folder(path: Path) -> Path:
    """The folder a single named file must stay inside: the services folder above it."""
    for parent in path.absolute().parents:
        if parent.name == "services":
            return parent.resolve()
    return path.absolute().parent.resolve()


def _folders_to_walk(here: Path, names: list[str], folder: Path, found: Discovery) -> list[str]:
    kept = []
    for name in sorted(names):
        if name.startswith("."):
            continue
        sub = here / name
        if sub.is_symlink():
            # Never followed (no loops, no second copy); refused if it leaves the folder.
            problem = _link_problem(sub, folder, is_dir=True)
            if problem is not None:
                found.problems.append(problem)
            continue
        kept.append(name)
    return kept


def _walk(root: Path, found: Discovery) -> None:
    folder = root.resolve()
    checked_areas: set[Path] = set()
    files: list[Path] = []
    for current, dirnames, filenames in os.walk(root, followlinks=False):
        here = Path(current)
        dirnames[:] = _folders_to_walk(here, dirnames, folder, found)
        for name in sorted(filenames):
            if name.startswith("."):
                continue
            path = here / name
            suffix = path.suffix
            if suffix not in LISTING_SUFFIXES:
                if suffix.lower() in LISTING_SUFFIXES:
                    found.problems.append(_wrong_case_problem(path))
                continue
            if path.is_symlink():
                problem = _link_problem(path, folder)
                if problem is not None:
                    found.problems.append(problem)
                    continue
            elif not path.is_file():
                continue
            parts = here.relative_to(root).parts
            for depth in range(1, len(parts) + 1):
                area = root.joinpath(*parts[:depth])
                if area not in checked_areas:
                    checked_areas.add(area)
                    problem = area_problem(area)
                    if problem is not None:
                        found.problems.append(problem)
            files.append(path)
    # Sorted as whole paths, as before, so "the first file with this id" never changes.
    found.files.extend(sorted(files))


def discover(paths: Iterable[str | os.PathLike[str]]) -> Discovery:
    """Listing files under ``paths`` (folders are searched recursively), as :class:`Discovery`."""
    found = Discovery()
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            _walk(path, found)
        elif path.is_symlink() or path.is_file():
            if path.suffix not in LISTING_SUFFIXES and path.suffix.lower() in LISTING_SUFFIXES:
                found.problems.append(_wrong_case_problem(path))
                continue
            problem = _link_problem(path, _home_folder(path)) if path.is_symlink() else None
            if problem is not None:
                found.problems.append(problem)
            elif path.is_file():
                found.files.append(path)
            else:
                found.missing.append(str(raw))
        else:
            found.missing.append(str(raw))
    unique: dict[Path, None] = {}
    for path in found.files:
        unique.setdefault(path.resolve(), None)
    found.files = list(unique)
    return found
