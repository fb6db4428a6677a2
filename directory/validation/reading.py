"""Reading listing files: find them, load them safely, check each, and gather one report.

Finding files (and refusing links that leave the folder, odd extensions and unreadable files)
lives in directory/listing_files.py and safe loading in directory/load.py; this module ties
them to the checks, adds the problems only a whole folder shows (ids used twice, missing
paths) and returns the listings that pass.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from directory.listing_files import ID_PATTERN, MAX_ID_LENGTH, discover
from directory.load import LoadedFile, display_path, load_file
from directory.model import Listing
from directory.problems import Problem, quote
from directory.validation.checks import ListingChecker, PostcodeLookup
from directory.vocabulary import Vocabulary


@dataclass
class Report:
    """The outcome of validating files: good listings and every problem, in file order."""

    listings: list[Listing] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    files: int = 0

    @property
    def ok(self) -> bool:
        return not self.problems

    def invalid_files(self) -> list[str]:
        return sorted({problem.path for problem in self.problems})


def find_listing_files(paths: Iterable[str | os.PathLike[str]]) -> tuple[list[Path], list[str]]:
    """Listing files under ``paths`` (folders are searched recursively), and missing paths.

    Links that leave the folder and ``*.YAML`` files are left out; ``validate_paths`` says
    why (see directory/listing_files.py).
    """
    found = discover(paths)
    return found.files, found.missing


def validate_paths(
    paths: Iterable[str | os.PathLike[str]],
    vocab: Vocabulary,
    *,
    gazetteer: PostcodeLookup | None = None,
    today: date | None = None,
) -> Report:
    """Validate every listing file under ``paths``, including ids that clash across files."""
    found = discover(paths)
    files, missing = found.files, found.missing
    report = Report(files=len(files))
    report.problems.extend(found.problems)
    for raw in missing:
        report.problems.append(
            Problem(raw, 1, 1, "No such file or folder. Check the path and try again.")
        )
    first_by_id: dict[str, str] = {}
    for path in files:
        listing, problems = validate_file(path, vocab, gazetteer=gazetteer, today=today)
        listing_id = path.stem
        shown = display_path(path)
        if listing_id in first_by_id:
            problems.append(
                Problem(
                    shown,
                    1,
                    1,
                    f"The id '{listing_id}' (the file name) is already used by "
                    f"{first_by_id[listing_id]}. Ids must be unique: rename this file, for "
                    f"example to {_suggest_unique_id(listing_id, path)}.yaml.",
                )
            )
            listing = None
        else:
            first_by_id[listing_id] = shown
        report.problems.extend(problems)
        if listing is not None:
            report.listings.append(listing)
    report.problems.sort(key=lambda p: (p.path, p.line, p.column))
    return report


def _suggest_unique_id(listing_id: str, path: Path) -> str:
    area = path.parent.name
    return f"{listing_id}-{area}" if area and ID_PATTERN.match(area) else f"{listing_id}-2"


def validate_file(
    path: str | os.PathLike[str],
    vocab: Vocabulary,
    *,
    gazetteer: PostcodeLookup | None = None,
    today: date | None = None,
) -> tuple[Listing | None, list[Problem]]:
    """Load and check one file; the listing is returned only when there are no problems."""
    path = Path(path)
    loaded = load_file(path)
    return check_loaded(
        loaded,
        vocab,
        listing_id=path.stem,
        area=path.parent.name,
        source=display_path(path),
        gazetteer=gazetteer,
        today=today,
    )


def check_loaded(
    loaded: LoadedFile,
    vocab: Vocabulary,
    *,
    listing_id: str,
    area: str = "",
    source: str = "",
    gazetteer: PostcodeLookup | None = None,
    today: date | None = None,
) -> tuple[Listing | None, list[Problem]]:
    if loaded.problems:
        return None, list(loaded.problems)
    checker = ListingChecker(loaded, vocab, gazetteer, today or date.today())
    if not ID_PATTERN.match(listing_id):
        loaded.problem(
            (),
            f"The file name {quote(listing_id)} cannot be used as an id. Use lowercase letters, "
            f"numbers and hyphens only, for example {_slug(listing_id)[:MAX_ID_LENGTH]}.yaml.",
        )
    elif len(listing_id) > MAX_ID_LENGTH:
        loaded.problem(
            (),
            f"The file name is {len(listing_id)} characters long; an id can have at most "
            f"{MAX_ID_LENGTH} (longer ones cannot be kept on a shortlist). Shorten it, for "
            f"example to {listing_id[:MAX_ID_LENGTH].rstrip('-')}.yaml.",
        )
    listing = checker.check(listing_id, area, source)
    problems = sorted(loaded.problems, key=lambda p: (p.line, p.column))
    return (listing if not problems else None), problems


def _slug(text: str) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
    return slug or "my-service"
