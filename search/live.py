"""The live directory a running site or API reads: one object per app, shared by requests.

It ties together what every request needs (the current index build, the needs vocabulary
and the gazetteer) so that the site's pages, the JSON API and the command line all ask the
same questions in the same way. Reading from the index, never from the YAML files, means a
half-edited or broken listing can never reach a page: only validated builds are served.
"""

from __future__ import annotations

import threading
from datetime import datetime

from directory.geocode import Gazetteer, default_gazetteer, make_online_geocoder
from directory.model import Listing
from directory.settings import Settings
from directory.urgent import UrgentHelp, current_urgent_help
from directory.vocabulary import Vocabulary, load_vocabulary, vocabulary_path
from search.engine import SearchIndex, SearchResponse, Snapshot, search
from search.request import SearchRequest


def gazetteer_for(settings: Settings) -> Gazetteer:
    """The shared offline gazetteer, or one set up for this deployment's home area or
    online fallback ("Minster" means Minster-in-Thanet to a Thanet PCN)."""
    online = make_online_geocoder(settings.geocoder, settings.geocoder_user_agent)
    if online is None and not settings.home_area:
        return default_gazetteer()
    return Gazetteer(online=online, prefer_near=settings.home_area)


class LiveDirectory:
    """The listings as last published to ``settings.index_dir``; safe to share between threads.

    Each call looks at the ``current`` build link, so a rebuild is picked up by the next
    request without a restart. Methods raise ``search.engine.NoIndex`` until a build exists.
    """

    def __init__(self, settings: Settings, gazetteer: Gazetteer | None = None) -> None:
        self.settings = settings
        self.index = SearchIndex(settings.index_dir)
        self._gazetteer = gazetteer
        self._lock = threading.Lock()

    @property
    def gazetteer(self) -> Gazetteer:
        if self._gazetteer is None:
            with self._lock:
                if self._gazetteer is None:
                    self._gazetteer = gazetteer_for(self.settings)
        return self._gazetteer

    @property
    def vocabulary(self) -> Vocabulary:
        return load_vocabulary(vocabulary_path(self.settings.data_dir))

    @property
    def urgent_help(self) -> UrgentHelp:
        """Crisis topics and help lines: the data folder's file, else the bundled one."""
        return current_urgent_help(self.settings.data_dir)

    def snapshot(self) -> Snapshot:
        return self.index.snapshot()

    def search(
        self,
        request: SearchRequest,
        *,
        now: datetime | None = None,
        snapshot: Snapshot | None = None,
    ) -> SearchResponse:
        return search(
            snapshot or self.snapshot(),
            request,
            self.vocabulary,
            self.gazetteer,
            now=now,
            urgent_help=self.urgent_help,
        )

    def listing(self, listing_id: str, *, snapshot: Snapshot | None = None) -> Listing | None:
        """A listing by id, including paused ones; closed listings are still shown as closed."""
        return (snapshot or self.snapshot()).listing(listing_id)

    def listings(self, *, snapshot: Snapshot | None = None) -> list[Listing]:
        """Every indexed listing (for exports and browse pages), sorted by area then name."""
        found = (snapshot or self.snapshot()).listings()
        return sorted(found, key=lambda item: (item.area, item.name.lower(), item.id))

    def need_counts(self, *, snapshot: Snapshot | None = None) -> dict[str, int]:
        """How many open (not closed) listings meet each need, for "browse by need"."""
        table = (snapshot or self.snapshot()).facets
        open_docs = set(table.open_docs)
        return {
            need: len(members & open_docs)
            for need, members in table.sets.get("need", {}).items()
            if members & open_docs
        }
