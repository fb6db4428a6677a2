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


MONTH_NAMES = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


def month_year(day: date) -> str:
    """``"October 2026"``: a month is as exact as a patient needs about a check."""
    return f"{MONTH_NAMES[day.month - 1]} {day.year}"


def is_stale(reviewed: date, today: date, months: int) -> bool:
    """True when ``reviewed`` is ``months`` or more calendar months before ``today``.

    The same rule as ``signpost stale``, so the site warns about exactly the listings the
    volunteers' report lists.
    """
    return months_between(reviewed, today) >= months


def checked_text(reviewed: date) -> str:
    """When a listing was last confirmed, in words a patient reads at a glance."""
    return f"Checked {month_year(reviewed)}"


def stale_warning(reviewed: date, today: date, months: int) -> str | None:
    """A warning to phone first for a listing past the stale limit, else None.

    ``months`` is the deployment's ``SIGNPOST_STALE_MONTHS`` (default 12), the limit
    ``signpost stale`` reports on.
    """
    if not is_stale(reviewed, today, months):
        return None
    return f"Not checked since {month_year(reviewed)}: phone before you go"


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
        if listing.status != "closed" and is_stale(listing.last_reviewed, today, months)
    ]
    return sorted(rows, key=lambda row: (row.last_reviewed, row.id))
