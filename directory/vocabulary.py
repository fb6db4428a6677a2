"""The needs vocabulary: the bridge between what people say and what listings offer.

Listings are tagged with stable need ids (``loneliness``); people type everyday words
("on my own", "lonley"). ``data/needs.yaml`` holds both sides so that volunteers, not
programmers, can teach Signpost a new phrase.
"""

from __future__ import annotations

import difflib
import os
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml

from directory.problems import quote
from directory.settings import data_file

BUNDLED_VOCABULARY = Path(__file__).resolve().parent.parent / "data" / "needs.yaml"


class VocabularyError(ValueError):
    """The vocabulary file itself is unusable; the message says where and why."""


@dataclass(frozen=True)
class Need:
    id: str
    label: str
    description: str
    words: tuple[str, ...] = ()
    phrases: tuple[str, ...] = ()
    misspellings: tuple[str, ...] = ()
    related: tuple[str, ...] = ()

    @property
    def terms(self) -> tuple[str, ...]:
        """Everything that means this need, most specific first."""
        return self.phrases + self.words + self.misspellings


@dataclass(frozen=True)
class Group:
    id: str
    label: str
    words: tuple[str, ...] = ()
    misspellings: tuple[str, ...] = ()  # "pensoner": read as the group, never as a need
    # Services for this group are usually only for its members (a youth club, a women-only
    # space), so a search that names no group puts services open to everyone first.
    members_only: bool = False


@dataclass(frozen=True)
class Category:
    """A heading on the "Browse by need" page and the needs under it, in page order."""

    id: str
    label: str
    needs: tuple[str, ...] = ()


_ID = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
_CATEGORY_FIELDS = ("id", "label", "needs")


@dataclass(frozen=True, eq=False)  # compared and hashed by identity, so it can key caches
class Vocabulary:
    needs: dict[str, Need]
    groups: dict[str, Group]
    source: str = ""
    categories: tuple[Category, ...] = ()  # "Browse by need"; a need in none is "Other help"

    def need_label(self, need_id: str) -> str:
        need = self.needs.get(need_id)
        return need.label if need else need_id

    def group_label(self, group_id: str) -> str:
        group = self.groups.get(group_id)
        return group.label if group else group_id

    def nearest_needs(self, text: str, limit: int = 3) -> list[str]:
        """Need ids a contributor probably meant by ``text`` (an unknown id or a word)."""
        return _nearest(text, need_aliases(self), limit)

    def nearest_groups(self, text: str, limit: int = 3) -> list[str]:
        aliases: dict[str, str] = {}
        for group in self.groups.values():
            aliases[group.id] = group.id
            aliases[group.label.lower()] = group.id
            for word in group.words:
                aliases.setdefault(word.lower(), group.id)
        return _nearest(text, aliases, limit)


def need_aliases(vocab: Vocabulary) -> dict[str, str]:
    """Every way a need is named (id, label, words, phrases, misspellings) -> its id."""
    aliases: dict[str, str] = {}
    for need in vocab.needs.values():
        aliases[need.id] = need.id
        aliases[need.label.lower()] = need.id
    for need in vocab.needs.values():
        for term in need.terms:
            aliases.setdefault(term.lower(), need.id)
    return aliases


def _nearest(text: str, aliases: dict[str, str], limit: int) -> list[str]:
    key = str(text).strip().lower()[:100]
    if key in aliases:
        return [aliases[key]]
    spaced = key.replace("-", " ").replace("_", " ")
    if spaced in aliases:
        return [aliases[spaced]]
    found: list[str] = []
    for match in difflib.get_close_matches(key, list(aliases), n=limit * 4, cutoff=0.6):
        if aliases[match] not in found:
            found.append(aliases[match])
    return found[:limit]


def _strings(value: object, where: str) -> tuple[str, ...]:
    if value is None:
        return ()
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise VocabularyError(f"{where} must be a list of words in quotes or plain text.")
    return tuple(v.strip().lower() for v in value if v.strip())


def parse_vocabulary(document: object, source: str = "needs.yaml") -> Vocabulary:
    """Build a vocabulary from parsed YAML, refusing anything that would mislead search."""
    if not isinstance(document, dict) or not isinstance(document.get("needs"), list):
        raise VocabularyError(f"{source}: expected a 'needs:' list at the top of the file.")
    needs: dict[str, Need] = {}
    for index, entry in enumerate(document["needs"]):
        where = f"{source}: needs[{index}]"
        if not isinstance(entry, dict) or not isinstance(entry.get("id"), str):
            raise VocabularyError(f"{where} needs an 'id'.")
        need_id = entry["id"]
        if not _ID.match(need_id):
            raise VocabularyError(f"{where}: id '{need_id}' must be lowercase words and hyphens.")
        if need_id in needs:
            raise VocabularyError(f"{where}: id '{need_id}' is used twice.")
        label = entry.get("label")
        if not isinstance(label, str) or not label.strip():
            raise VocabularyError(f"{where} ('{need_id}') needs a 'label'.")
        needs[need_id] = Need(
            id=need_id,
            label=label.strip(),
            description=str(entry.get("description") or "").strip(),
            words=_strings(entry.get("words"), f"{where}.words"),
            phrases=_strings(entry.get("phrases"), f"{where}.phrases"),
            misspellings=_strings(entry.get("misspellings"), f"{where}.misspellings"),
            related=_strings(entry.get("related"), f"{where}.related"),
        )
    for need in needs.values():
        for other in need.related:
            if other not in needs:
                raise VocabularyError(
                    f"{source}: need '{need.id}' is related to unknown need '{other}'."
                )
    groups: dict[str, Group] = {}
    for index, entry in enumerate(document.get("groups") or []):
        where = f"{source}: groups[{index}]"
        if not isinstance(entry, dict) or not isinstance(entry.get("id"), str):
            raise VocabularyError(f"{where} needs an 'id'.")
        group_id = entry["id"]
        if group_id in groups:
            raise VocabularyError(f"{where}: id '{group_id}' is used twice.")
        members_only = entry.get("members_only", False)
        if not isinstance(members_only, bool):
            raise VocabularyError(f"{where} ('{group_id}'): members_only must be true or false.")
        groups[group_id] = Group(
            id=group_id,
            label=str(entry.get("label") or group_id).strip(),
            words=_strings(entry.get("words"), f"{where}.words"),
            misspellings=_strings(entry.get("misspellings"), f"{where}.misspellings"),
            members_only=members_only,
        )
    categories = _categories(document.get("categories"), needs, source)
    return Vocabulary(needs=needs, groups=groups, source=source, categories=categories)


def _categories(value: object, needs: dict[str, Need], source: str) -> tuple[Category, ...]:
    """The ``categories:`` section: each heading's id, label and need ids, each need once."""
    if value is None:
        return ()
    example = "  - id: people\n    label: Meeting people\n    needs: [loneliness, bereavement]"
    if not isinstance(value, list):
        raise VocabularyError(
            f"{source}: 'categories' must be a list of categories, like:\n{example}"
        )
    categories: dict[str, Category] = {}
    placed: dict[str, str] = {}
    for index, entry in enumerate(value):
        where = f"{source}: categories[{index}]"
        if not isinstance(entry, dict) or not isinstance(entry.get("id"), str):
            raise VocabularyError(f"{where} needs an 'id', like:\n{example}")
        category_id = entry["id"]
        if not _ID.match(category_id):
            raise VocabularyError(
                f"{where}: id {quote(category_id)} must be lowercase words and hyphens."
            )
        where = f"{where} ('{category_id}')"
        if category_id in categories:
            raise VocabularyError(f"{where}: the id is used twice. Use another id.")
        for key in entry:
            if key not in _CATEGORY_FIELDS:
                guess = difflib.get_close_matches(str(key), _CATEGORY_FIELDS, n=1)
                hint = f"Did you mean '{guess[0]}'?" if guess else "Use id, label and needs."
                raise VocabularyError(f"{where}: unknown field {quote(key)}. {hint}")
        label = entry.get("label")
        if not isinstance(label, str) or not label.strip():
            raise VocabularyError(f"{where} needs a 'label', like: label: Meeting people")
        need_ids = entry.get("needs")
        if not isinstance(need_ids, list) or not all(isinstance(n, str) for n in need_ids):
            raise VocabularyError(
                f"{where}: 'needs' must be a list of need ids, like: needs: [loneliness, food]"
            )
        for need_id in need_ids:
            if need_id not in needs:
                guess = difflib.get_close_matches(need_id, list(needs), n=1)
                hint = f"Did you mean '{guess[0]}'?" if guess else "Use an id from 'needs:'."
                raise VocabularyError(
                    f"{where}: {quote(need_id)} is not a need in this file. {hint}"
                )
            if need_id in placed:
                raise VocabularyError(
                    f"{where}: '{need_id}' is already under '{placed[need_id]}'. "
                    "A need goes under one category only: delete one."
                )
            placed[need_id] = category_id
        categories[category_id] = Category(category_id, label.strip(), tuple(need_ids))
    return tuple(categories.values())


def vocabulary_path(data_dir: str | os.PathLike[str] | None) -> Path:
    """A data folder may bring its own needs.yaml; otherwise the bundled one is used."""
    return data_file(data_dir, "needs.yaml", BUNDLED_VOCABULARY)


def load_vocabulary(path: str | os.PathLike[str] | None = None) -> Vocabulary:
    path = Path(path) if path is not None else BUNDLED_VOCABULARY
    stat = path.stat()
    return _load_cached(str(path), stat.st_mtime_ns, stat.st_size)


@lru_cache(maxsize=8)
def _load_cached(path: str, _mtime: int, _size: int) -> Vocabulary:
    try:
        with open(path, encoding="utf-8") as handle:
            document = yaml.safe_load(handle)
    except (OSError, yaml.YAMLError) as error:
        raise VocabularyError(f"{path}: cannot be read: {error}") from error
    return parse_vocabulary(document, path)
