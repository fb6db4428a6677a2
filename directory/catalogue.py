"""The validated listings of one data folder, reloaded only when files change.

A broken file never takes good listings away: files that fail validation are skipped (and
reported by ``problems``), so one bad pull request cannot empty the directory.
"""

from __future__ import annotations

import os
import threading
from pathlib import Path

from directory.model import Listing
from directory.problems import Problem
from directory.validate import validate_paths
from directory.vocabulary import Vocabulary, load_vocabulary, vocabulary_path


class Catalogue:
    def __init__(self, data_dir: str | os.PathLike[str]) -> None:
        self.data_dir = Path(data_dir)
        self._lock = threading.Lock()
        self._stamp: tuple | None = None
        self._listings: dict[str, Listing] = {}
        self._problems: list[Problem] = []
        self._vocab: Vocabulary | None = None

    def _fingerprint(self) -> tuple:
        services = self.data_dir / "services"
        stamp = []
        if services.is_dir():
            for path in sorted(services.rglob("*.y*ml")):
                try:
                    info = path.stat()
                except OSError:
                    continue
                stamp.append((str(path), info.st_mtime_ns, info.st_size))
        vocab = vocabulary_path(self.data_dir)
        stamp.append((str(vocab), vocab.stat().st_mtime_ns, 0))
        return tuple(stamp)

    def _refresh(self) -> None:
        stamp = self._fingerprint()
        if stamp == self._stamp:
            return
        with self._lock:
            if stamp == self._stamp:
                return
            vocab = load_vocabulary(vocabulary_path(self.data_dir))
            report = validate_paths([self.data_dir / "services"], vocab)
            self._vocab = vocab
            self._listings = {listing.id: listing for listing in report.listings}
            self._problems = report.problems
            self._stamp = stamp

    @property
    def vocabulary(self) -> Vocabulary:
        self._refresh()
        assert self._vocab is not None
        return self._vocab

    def listings(self) -> list[Listing]:
        self._refresh()
        return sorted(self._listings.values(), key=lambda item: (item.area, item.name.lower()))

    def get(self, listing_id: str) -> Listing | None:
        self._refresh()
        return self._listings.get(listing_id)

    def problems(self) -> list[Problem]:
        self._refresh()
        return list(self._problems)
