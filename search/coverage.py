"""Which areas the directory has local listings in, worked out once per index build.

A search near Edinburgh in a directory of Kent and London groups finds only national lines.
Saying so, and naming the areas the directory does cover ("East Kent: CT9, CT10, ..."), is
more honest than an empty page or advice to "try CT9". The summary is written beside the
index (``coverage.json``), so a search reads it instead of walking every listing.
"""

from __future__ import annotations

import json
import re
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from directory.model import Listing

FILE_NAME = "coverage.json"
SHOWN_DISTRICTS = 6  # per area, the districts with most listings
SHOWN_AREAS = 12
# A place with no listing within this many miles (or the radius, if larger) is outside
# every area the directory covers: the page then names the areas it does cover.
NEARBY_MILES = 25
# Folder names that are words, not places, in a deployment's services/ folder.
_SMALL_WORDS = {"and", "of", "on", "upon", "the", "in", "under", "by"}
_DISTRICT = re.compile(r"^([A-Z]{1,2})(\d+)")


@dataclass(frozen=True)
class CoveredArea:
    """One folder of listings with venues: its name and its postcode districts."""

    id: str  # the folder under data/services, e.g. "east-kent"
    name: str  # "East Kent"
    districts: tuple[str, ...]  # "CT9", "CT10", ... most listings first
    count: int  # listings with a venue here

    def describe(self, limit: int = SHOWN_DISTRICTS) -> str:
        """'East Kent (CT9, CT10, CT11 and 4 more)'."""
        shown = list(self.districts[:limit])
        if not shown:
            return self.name
        more = len(self.districts) - len(shown)
        tail = f" and {more} more" if more > 0 else ""
        return f"{self.name} ({', '.join(shown)}{tail})"


def area_name(folder: str) -> str:
    """'brighton-and-hove' -> 'Brighton and Hove', 'east-kent' -> 'East Kent'."""
    words = folder.replace("_", "-").split("-")
    return " ".join(
        word if index and word in _SMALL_WORDS else word.capitalize()
        for index, word in enumerate(words)
        if word
    )


def district_of(postcode: str) -> str:
    """The outward code of a postcode ('CT9 1EP' -> 'CT9')."""
    parts = postcode.strip().upper().split()
    return parts[0] if parts else ""


def _district_key(district: str) -> tuple[str, int, str]:
    """Sort CT2 before CT10: the letters, then the number, then the whole code."""
    found = _DISTRICT.match(district)
    if not found:
        return (district, 0, district)
    return (found.group(1), int(found.group(2)), district)


def covered_areas(listings: Iterable[Listing]) -> list[CoveredArea]:
    """Areas with at least one open, local listing that has a venue, largest first.

    National listings and closed ones are left out: neither tells a person that the
    directory has groups near them.
    """
    districts: dict[str, Counter[str]] = defaultdict(Counter)
    counts: Counter[str] = Counter()
    for listing in listings:
        if listing.national or listing.status == "closed" or not listing.locations:
            continue
        counts[listing.area] += 1
        for location in listing.locations:
            district = district_of(location.postcode)
            if district:
                districts[listing.area][district] += 1
    areas = []
    for area, count in counts.items():
        found = districts[area]
        ordered = sorted(found, key=lambda d: (-found[d], _district_key(d)))
        areas.append(CoveredArea(area, area_name(area), tuple(ordered), count))
    return sorted(areas, key=lambda item: (-item.count, item.name))


def save_coverage(areas: list[CoveredArea], folder: Path) -> None:
    rows = [
        {"id": a.id, "name": a.name, "districts": list(a.districts), "count": a.count}
        for a in areas
    ]
    (folder / FILE_NAME).write_text(json.dumps(rows), encoding="utf-8")


def load_coverage(folder: Path) -> list[CoveredArea]:
    """The build's covered areas; [] for a build made before this file existed."""
    try:
        rows = json.loads((folder / FILE_NAME).read_text(encoding="utf-8"))
    except FileNotFoundError:
        return []
    return [
        CoveredArea(row["id"], row["name"], tuple(row["districts"]), int(row["count"]))
        for row in rows
    ]


def describe_coverage(areas: list[CoveredArea], limit: int = SHOWN_AREAS) -> list[str]:
    """One line per area for a list on the page: 'East Kent (CT9, CT10 and 4 more)'."""
    lines = [area.describe() for area in areas[:limit]]
    if len(areas) > limit:
        lines.append(f"and {len(areas) - limit} more areas")
    return lines
