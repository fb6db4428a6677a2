"""An imported listing as a file: its commented YAML, where it goes, what writing it changes.

Each listing is written in the documented format (docs/listing-format.md) with a
``# guessed:`` comment on every value the feed did not give, so a volunteer knows what to
check.

Importing the same feed twice must give the same files, not ``-2`` copies; and a volunteer's
edit must never vanish unseen. So each imported listing is matched to the file that already
holds that service (same Signpost id, same HSDS service id, or same name and organisation
under the same file name), compared field by field, and then:

- ``new``: no such file; written.
- ``unchanged``: the file already says the same; left alone (byte for byte).
- ``update``: written in place, and every changed field is listed.
- ``blocked``: the file has edits git has not committed; left alone unless forced, with the
  changes the import would have made, so nobody loses work they have not saved.

Planning is pure apart from reading the existing files; :func:`apply_plan` does the writing.
"""

from __future__ import annotations

import json
import re
import subprocess
import textwrap
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import yaml

from directory.load import load_text
from directory.oruk.mapping import ImportedListing
from directory.serialise import listing_to_dict
from directory.validation import check_loaded
from directory.vocabulary import Vocabulary

_SOURCE = re.compile(r"^# Imported from Open Referral UK data \(HSDS service (.+)\)\.$")
_SHORT = 40  # values up to this long are shown old -> new; longer ones just "changed"
_QUOTED = {"phone", "opens", "closes", "amount"}  # always quoted: YAML would read 09:30 as a number


def _scalar(value: Any, *, quote: bool = False) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    if quote:
        return json.dumps(str(value), ensure_ascii=False)
    dumped = yaml.safe_dump(str(value), allow_unicode=True, width=1_000_000)
    return dumped.removesuffix("\n").removesuffix("\n...").strip()


def _flow(values: Iterable[Any]) -> str:
    return "[" + ", ".join(_scalar(value) for value in values) + "]"


def _comment(guesses: dict[str, str], key: str) -> str:
    return f"  # guessed: {guesses[key]}" if key in guesses else ""


def listing_yaml(item: ImportedListing) -> str:  # noqa: C901 - one branch per shape of value
    """The listing as commented YAML in the documented format (docs/listing-format.md)."""
    data, guesses = item.data, item.guesses
    source = f" (HSDS service {item.source_id})" if item.source_id else ""
    lines = [
        f"# Imported from Open Referral UK data{source}.",
        "# Check every value, above all the lines marked 'guessed', then delete these comments.",
    ]

    def line(indent: str, key: str, value: Any, guess_key: str = "") -> None:
        if isinstance(value, list):
            shown = _flow(value)
        elif key == "last_reviewed":
            shown = str(value)  # YYYY-MM-DD, unquoted as in the template
        else:
            shown = _scalar(value, quote=key in _QUOTED)
        lines.append(f"{indent}{key}: {shown}{_comment(guesses, guess_key or key)}")

    for key, value in data.items():
        if key == "description":
            if "description" in guesses:
                lines.append(f"# guessed: {guesses['description']}")
            lines.append("description: >")
            # Never break at a hyphen: a folded scalar joins lines with a space, and
            # "long-term" would come back as "long- term".
            wrapped = textwrap.wrap(value, 92, break_on_hyphens=False, break_long_words=False)
            lines.extend("  " + part for part in wrapped)
        elif isinstance(value, dict):  # who_for, access, cost, contact, ...
            lines.append(f"{key}:{_comment(guesses, key)}")
            for sub, sub_value in value.items():
                line("  ", sub, sub_value, f"{key}.{sub}")
        elif key == "locations":
            lines.append("locations:")
            for venue in value:
                first = True
                for sub, sub_value in venue.items():
                    line("  - " if first else "    ", sub, sub_value, "-")
                    first = False
                if "postcode" not in venue:
                    lines.append("    # postcode: add the venue's full postcode here")
        elif isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
            lines.append(f"{key}:")  # schedule, and any list of mappings
            for session in value:
                first = True
                for sub, sub_value in session.items():
                    line("  - " if first else "    ", sub, sub_value, "-")
                    first = False
        else:
            line("", key, value)
    return "\n".join(lines) + "\n"


@dataclass
class Planned:
    """One imported listing's fate on disk."""

    item: ImportedListing
    path: Path
    action: str  # "new" | "update" | "unchanged" | "blocked"
    changes: list[str] = field(default_factory=list)
    text: str = ""  # the file's new content (for new and update)

    @property
    def writes(self) -> bool:
        return self.action in ("new", "update")


def source_id_of(path: Path) -> str:
    """The HSDS service id an imported file's first comment names, or ''."""
    try:
        with path.open(encoding="utf-8", errors="replace") as handle:
            first = handle.readline().strip()
    except OSError:
        return ""
    match = _SOURCE.match(first)
    return match.group(1) if match else ""


def _read(path: Path) -> dict[str, Any] | None:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError, RecursionError):
        return None
    return data if isinstance(data, dict) else None


def _same_service(item: ImportedListing, old: dict[str, Any] | None, signpost_id: str) -> bool:
    if signpost_id and signpost_id == item.id:
        return True
    if old is None:
        return False
    return str(old.get("name", "")).strip() == item.data.get("name") and str(
        old.get("organisation", "")
    ).strip() == item.data.get("organisation")


def plan_import(
    items: Iterable[ImportedListing],
    folder: Path,
    existing: Iterable[Path],
    vocab: Vocabulary,
    *,
    force: bool = False,
    uncommitted: set[Path] | None = None,
) -> list[Planned]:
    """Decide, for each imported listing, which file it belongs in and what would change.

    ``existing`` are the listing files already in the data folder (every area);
    ``uncommitted`` those of them with edits git has not committed.
    """
    by_id = {path.stem: path for path in existing}
    by_source: dict[str, Path] = {}
    for file in by_id.values():
        source = source_id_of(file)
        if source:
            by_source.setdefault(source, file)
    uncommitted = {path.resolve() for path in (uncommitted or set())}
    used: set[str] = set()
    plans: list[Planned] = []
    for item in items:
        path = by_source.get(item.source_id) if item.source_id else None
        old = _read(path) if path is not None else None
        if path is None:
            path = by_id.get(item.id)
            old = _read(path) if path is not None else None
            if path is not None and not _same_service(item, old, item.signpost_id):
                path, old = None, None  # another service's file: this one needs its own id
                base, number = item.id, 2
                while item.id in by_id or item.id in used:
                    item.id = f"{base}-{number}"
                    number += 1
        if path is None:
            path = folder / f"{item.id}.yaml"
        else:
            item.id = path.stem
        used.add(item.id)
        plans.append(_plan_one(item, path, old, vocab, force, uncommitted))
    return plans


def _plan_one(
    item: ImportedListing,
    path: Path,
    old: dict[str, Any] | None,
    vocab: Vocabulary,
    force: bool,
    uncommitted: set[Path],
) -> Planned:
    if not path.exists():
        return Planned(item, path, "new", text=listing_yaml(item))
    if old is not None:
        for key, value in old.items():  # what the volunteer added that the feed cannot say
            if key not in item.data:
                item.data[key] = value
    text = listing_yaml(item)
    changes = changes_between(
        _as_listing(path.read_text(encoding="utf-8"), path, vocab) or old or {},
        _as_listing(text, path, vocab) or item.data,
    )
    if not changes:
        return Planned(item, path, "unchanged")
    if path.resolve() in uncommitted and not force:
        return Planned(item, path, "blocked", changes)
    return Planned(item, path, "update", changes, text)


def _as_listing(text: str, path: Path, vocab: Vocabulary) -> dict[str, Any] | None:
    """The listing as the validator reads it, so that "English" and "en", or a default
    written out or left out, are not taken for changes. None when it does not validate."""
    loaded = load_text(text, str(path))
    listing, problems = check_loaded(loaded, vocab, listing_id=path.stem, today=date.max)
    if listing is None:
        return None
    found = listing_to_dict(listing)
    for key in ("path", "area"):
        found.pop(key, None)
    return found


def changes_between(old: dict[str, Any], new: dict[str, Any], prefix: str = "") -> list[str]:
    """Each field that differs, in words: "contact.phone: 01632 960001 -> 01632 960002"."""
    changes: list[str] = []
    for key in list(dict.fromkeys([*new, *old])):
        before, after = old.get(key), new.get(key)
        name = f"{prefix}{key}"
        if _normal(before) == _normal(after):
            continue
        if isinstance(before, dict) and isinstance(after, dict):
            changes.extend(changes_between(before, after, f"{name}."))
        elif before is None:
            changes.append(f"{name}: added")
        elif after is None:
            changes.append(f"{name}: removed")
        elif len(_shown(before)) <= _SHORT and len(_shown(after)) <= _SHORT:
            changes.append(f"{name}: {_shown(before)} -> {_shown(after)}")
        else:
            changes.append(f"{name}: changed")
    return changes


def _normal(value: Any) -> Any:
    """Compare as the listing means it: dates and numbers as text, lists in order."""
    if isinstance(value, dict):
        return {key: _normal(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_normal(item) for item in value]
    if value is None or isinstance(value, bool):
        return value
    return str(value).strip()


def _shown(value: Any) -> str:
    if isinstance(value, list):
        return "[" + ", ".join(_shown(item) for item in value) + "]"
    text = str(value)
    return " ".join(text.split())


def uncommitted_files(folder: Path) -> set[Path] | None:
    """Listing files under ``folder`` with edits git has not committed, or None without git."""
    try:
        done = subprocess.run(
            ["git", "status", "--porcelain", "-z", "--untracked-files=all", "--", "."],
            cwd=folder,
            capture_output=True,
            timeout=30,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    if done.returncode != 0:
        return None
    top = subprocess.run(
        ["git", "rev-parse", "--show-toplevel"], cwd=folder, capture_output=True, check=False
    )
    root = Path(top.stdout.decode().strip() or folder)
    found: set[Path] = set()
    for entry in done.stdout.decode("utf-8", "replace").split("\0"):
        if len(entry) > 3:
            found.add((root / entry[3:]).resolve())
    return found


def apply_plan(plans: Iterable[Planned]) -> None:
    """Write the new and updated files (nothing else is touched)."""
    for plan in plans:
        if plan.writes:
            plan.path.parent.mkdir(parents=True, exist_ok=True)
            plan.path.write_text(plan.text, encoding="utf-8")
