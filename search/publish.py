"""Validate a data folder and, only if every listing is good, build and swap in its index.

The command line (``signpost index``), the tests' fixtures and a live reindex all publish
through this one function, so "a broken listing never empties the live index" is enforced
in one place: problems are reported before anything is written.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from directory.problems import Problem
from directory.settings import Settings
from directory.validation import PostcodeLookup, validate_paths
from directory.vocabulary import load_vocabulary, vocabulary_path
from search.build import BuildInfo, build_index, locate


@dataclass
class Published:
    """What a publish did: the new build, or the problems that stopped it."""

    info: BuildInfo | None
    problems: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.info is not None


def publish(
    settings: Settings,
    gazetteer: PostcodeLookup,
    *,
    progress: Callable[[int, int], None] | None = None,
) -> Published:
    """Validate ``settings.services_dir``; build and make live only if nothing is wrong.

    Raises ``search.buildlock.IndexLocked`` when another build holds the lock, and
    ``NotEnoughSpace`` when the disk fills up (the live index is left as it was).
    """
    vocab = load_vocabulary(vocabulary_path(settings.data_dir))
    report = validate_paths([settings.services_dir], vocab, gazetteer=gazetteer)
    listings, located_problems = locate(report.listings, gazetteer)
    problems = report.problems + located_problems
    if problems or not listings:
        return Published(None, problems)
    info = build_index(listings, settings.index_dir, vocab, progress=progress)
    return Published(info, [])
