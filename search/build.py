"""Build a search index into a new folder, then swap it in: the live index is never emptied.

Layout under the index folder::

    builds/<build-id>/   Whoosh files, facets.json.gz, coverage.json, build.json
    current -> builds/<build-id>    (a symlink, replaced atomically)

A running site notices that ``current`` points somewhere new and opens it for the next
request; requests already running finish on the build they started with. Older builds are
kept (``KEEP_BUILDS``) so nothing is deleted from under a slow reader.
"""

from __future__ import annotations

import dataclasses
import errno
import hashlib
import json
import os
import re
import shutil
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from whoosh import index as whoosh_index
from whoosh.codec.whoosh3 import W3Codec

from directory.model import Listing
from directory.problems import Problem
from directory.serialise import listing_to_dict
from directory.vocabulary import Vocabulary
from search.buildlock import (
    build_lock,
    folder_size,
    fsync_dir,
    fsync_tree,
    not_enough_space,
    sweep_leftovers,
)
from search.coverage import covered_areas, save_coverage
from search.facets import FacetTable
from search.payloads import write_payloads
from search.schema import analyse, index_terms, make_schema
from search.scoring import write_posting_arrays
from search.segment_writer import SegmentWriterWithLengths

if TYPE_CHECKING:
    from directory.validation import PostcodeLookup

BUILDS = "builds"
CURRENT = "current"
BUILD_FILE = "build.json"
KEEP_BUILDS = 3
INDEX_NAME = "listings"
_WORD = re.compile(r"[a-z]{3,}")

Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class BuildInfo:
    build_id: str
    count: int
    created: str
    folder: Path
    seconds: float = 0.0


def locate(
    listings: Sequence[Listing], gazetteer: PostcodeLookup
) -> tuple[list[Listing], list[Problem]]:
    """Give every location coordinates, from its postcode when not written in the listing.

    A postcode the gazetteer cannot find is a problem for the listing, never a silent
    omission: an unplaceable group would vanish from every location search.
    """
    located: list[Listing] = []
    problems: list[Problem] = []
    for listing in listings:
        locations = []
        ok = True
        for index, loc in enumerate(listing.locations):
            if loc.lat is not None and loc.lon is not None:
                locations.append(loc)
                continue
            place = gazetteer.lookup_postcode(loc.postcode)
            if place is None:
                ok = False
                problems.append(
                    Problem(
                        listing.path,
                        1,
                        1,
                        f"Location {index + 1}: we cannot find the postcode {loc.postcode}. "
                        "Check it, or give lat and lon for the venue.",
                    )
                )
                continue
            locations.append(dataclasses.replace(loc, lat=place.lat, lon=place.lon))
        if ok:
            located.append(dataclasses.replace(listing, locations=tuple(locations)))
    return located, problems


def document_text(listing: Listing, vocab: Vocabulary) -> str:
    """The searchable words of a listing besides its name."""
    parts = [listing.organisation, listing.description, listing.who_for.eligibility]
    parts.extend(vocab.need_label(need) for need in listing.needs)
    parts.extend(vocab.group_label(group) for group in listing.who_for.groups)
    return "\n".join(part for part in parts if part)


def _payload(listing: Listing) -> str:
    """The stored JSON of a listing: what a search page decodes for each hit."""
    return json.dumps(listing_to_dict(listing), separators=(",", ":"))


def _build_id(payloads: Sequence[str]) -> str:
    digest = hashlib.sha256()
    for payload in payloads:
        digest.update(payload.encode())
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%f")
    return f"{stamp}-{digest.hexdigest()[:8]}"


def build_index(
    listings: Sequence[Listing],
    index_root: str | os.PathLike[str],
    vocab: Vocabulary,
    *,
    progress: Progress | None = None,
) -> BuildInfo:
    """Index ``listings`` (already validated and located) and make them the live index."""
    started = time.perf_counter()
    root = Path(index_root)
    builds = root / BUILDS
    builds.mkdir(parents=True, exist_ok=True)
    ordered = sorted(listings, key=lambda item: item.id)
    # Each listing's JSON is made once: it is both what the index stores and what the
    # build's id is a hash of (so the same listings give the same hash).
    payloads = [_payload(listing) for listing in ordered]
    build_id = _build_id(payloads)
    staging = builds / f".{build_id}.tmp"
    with build_lock(root):
        sweep_leftovers(root, builds)  # what a build killed mid-way left behind
        needed = _space_needed(root, len(ordered))
        try:
            staging.mkdir()
            _write_index(ordered, payloads, staging, vocab, progress)
            created = datetime.now(UTC).isoformat(timespec="seconds")
            (staging / BUILD_FILE).write_text(
                json.dumps({"build_id": build_id, "count": len(ordered), "created": created}),
                encoding="utf-8",
            )
            fsync_tree(staging)
            final = builds / build_id
            staging.rename(final)
            fsync_dir(builds)
        except BaseException as error:
            shutil.rmtree(staging, ignore_errors=True)
            if isinstance(error, OSError) and error.errno in (errno.ENOSPC, errno.EDQUOT):
                raise not_enough_space(root, needed) from error
            raise
        _point_current_at(root, final)
        _prune(builds, keep=final)
    return BuildInfo(build_id, len(ordered), created, final, time.perf_counter() - started)


def _write_index(
    listings: Sequence[Listing],
    payloads: Sequence[str],
    folder: Path,
    vocab: Vocabulary,
    progress: Progress | None,
) -> None:
    ix = whoosh_index.create_in(str(folder), make_schema(), indexname=INDEX_NAME)
    # Posting blocks uncompressed: zlib took a tenth of a build (10k listings 14.4 -> 12.6 s)
    # for an index a third smaller (13 -> 17 MB), and queries read each block without it.
    # Separate segment files, not one compound file: Whoosh reads a compound file into memory
    # for every thread's searcher (about 330 MB per thread at 100,000 listings), where the
    # separate files are memory-mapped once and shared (34 -> 1.5 MB a thread at 10,000).
    # The posting pool holds up to pool_megabytes() before Whoosh sorts runs out to disk and
    # merges them back (at 100,000 listings 256 MB spilled and took 86 s of CPU against 60 s).
    # It is a ceiling, not an allocation: a small build's pool stays as small as its postings.
    # The writer reads each document's field lengths once, not once a posting (see
    # search/segment_writer.py): an eighth of a build's CPU.
    writer = SegmentWriterWithLengths(
        ix, limitmb=pool_megabytes(), codec=W3Codec(compression=0), compound=False
    )
    words: set[str] = set()
    seen: dict[str, tuple[str, ...]] = {}  # each distinct word's analysis, for index_terms
    total = len(listings)
    try:
        for number, listing in enumerate(listings, 1):
            body = document_text(listing, vocab)
            words.update(_WORD.findall(f"{listing.name}\n{body}".lower()))
            writer.add_document(
                id=listing.id,
                name=index_terms(listing.name, seen),
                body=index_terms(body, seen),
                needs=",".join(listing.needs),
                primary=listing.needs[0] if listing.needs else "",
                groups=",".join(listing.who_for.groups),
            )
            if progress and (number % 250 == 0 or number == total):
                progress(number, total)
        # One segment keeps document numbers equal to the order added, which the facet
        # table relies on.
        writer.commit(optimize=True)
    except BaseException:
        writer.cancel()
        raise
    # Each listing's JSON beside the index, not in Whoosh's compressed stored fields.
    write_payloads(folder, payloads)
    with ix.searcher() as searcher:  # vocabulary terms' postings, ready for their first use
        write_posting_arrays(folder, searcher, vocabulary_terms(vocab), len(listings))
    FacetTable.from_listings(listings, words).save(folder)
    save_coverage(covered_areas(listings), folder)  # areas with local listings, for searches


def pool_megabytes(physical: int | None = None) -> int:
    """The posting pool's ceiling: a sixth of the machine's memory, from 1 GB to 4 GB.

    A pool too small for a build spills sorted runs to disk and merges them back in
    Python, which made builds grow faster than the directory: 300,000 listings took 197 s
    of CPU with 1 GB against 127 s with 4 GB (100,000: 37 s; a 4 GB pool peaks at 4.8 GB).
    A machine with less than 6 GB keeps the 1 GB a 100,000-listing build needs.
    """
    if physical is None:
        try:
            physical = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
        except (ValueError, OSError, AttributeError):  # not a POSIX system: the floor
            physical = 0
    return max(1024, min(4096, physical // (6 * 1024 * 1024)))


def vocabulary_terms(vocab: Vocabulary) -> list[tuple[str, str]]:
    """Every (field, term) a search made from the vocabulary can ask for: need and group ids,
    and the index terms of every word, phrase, label and misspelling (as typed, and the
    words they are corrected into are vocabulary words too)."""
    terms: dict[tuple[str, str], None] = {}
    texts: list[str] = []
    for need in vocab.needs.values():
        terms.update(dict.fromkeys([("needs", need.id), ("primary", need.id)]))
        texts += [need.id.replace("-", " "), need.label, *need.words, *need.phrases]
    for group in vocab.groups.values():
        terms[("groups", group.id)] = None
        texts += [group.id.replace("-", " "), group.label, *group.words]
    for token in dict.fromkeys(token for text in texts for token in analyse(text)):
        terms.update(dict.fromkeys([("name", token), ("body", token)]))
    return list(terms)


def _point_current_at(root: Path, target: Path) -> None:
    link = root / CURRENT
    temporary = root / f".{CURRENT}.{os.getpid()}.tmp"
    temporary.unlink(missing_ok=True)
    os.symlink(os.path.relpath(target, root), temporary)
    os.replace(temporary, link)  # atomic on POSIX: readers see the old or the new build
    fsync_dir(root)


def _space_needed(root: Path, count: int) -> int:
    """About what a new build takes: the live one's size, or ~3 KB a listing, plus a fifth."""
    return int(max(folder_size(current_build(root)), count * 3000) * 1.2)


def _prune(builds: Path, keep: Path) -> None:
    finished = sorted(
        (p for p in builds.iterdir() if p.is_dir() and not p.name.startswith(".")),
        key=lambda p: p.name,
    )
    for old in finished[:-KEEP_BUILDS]:
        if old != keep:
            shutil.rmtree(old, ignore_errors=True)


def current_build(index_root: str | os.PathLike[str]) -> Path | None:
    """The folder of the live build, or None when no index has been built yet."""
    link = Path(index_root) / CURRENT
    try:
        target = os.readlink(link)
    except OSError:
        return None
    folder = (Path(index_root) / target).resolve()
    return folder if (folder / BUILD_FILE).is_file() else None
