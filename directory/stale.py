"""Which listings are overdue a check, so volunteers know where to spend their time.

A listing that nobody has confirmed for a year is the commonest way a directory lets a
patient down: the group has moved, changed day or stopped.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from directory.model import Listing


@dataclass(frozen=True)
class StaleRow:
    id: str
    name: str
    last_reviewed: date
    months_ago: int
    reviewed_by: str
    path: str

    def as_dict(self) -> dict[str, object]:
        return {
            "id": self.id,
            "name": self.name,
            "last_reviewed": self.last_reviewed.isoformat(),
            "months_ago": self.months_ago,
            "reviewed_by": self.reviewed_by,
            "path": self.path,
        }


def months_between(earlier: date, later: date) -> int:
    """Whole calendar months from ``earlier`` to ``later`` (a month is not 30 days)."""
    months = (later.year - earlier.year) * 12 + (later.month - earlier.month)
    if later.day < earlier.day:
        months -= 1
    return max(months, 0)


def stale_listings(listings: Iterable[Listing], *, months: int, today: date) -> list[StaleRow]:
    """Listings last reviewed ``months`` or more calendar months ago, oldest first.

    Closed listings are left out: nobody needs to re-check a service that has ended.
    """
    rows = [
        StaleRow(
            listing.id,
            listing.name,
            listing.last_reviewed,
            months_between(listing.last_reviewed, today),
            listing.reviewed_by,
            listing.path,
        )
        for listing in listings
        if listing.status != "closed" and months_between(listing.last_reviewed, today) >= months
    ]
    return sorted(rows, key=lambda row: (row.last_reviewed, row.id))
