"""Which listings are overdue a check, so volunteers know where to spend their time.

A listing that nobody has confirmed for a year is the commonest way a directory lets a
patient down: the group has moved, changed day or stopped.
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

from directory.model import Listing
from directory.wording import describe_reviewed, month_year


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


def is_stale(reviewed: date, today: date, months: int) -> bool:
    """True when ``reviewed`` is ``months`` or more calendar months before ``today``.

    The same rule as ``signpost stale``, so the site warns about exactly the listings the
    volunteers' report lists.
    """
    return months_between(reviewed, today) >= months


def checked_text(reviewed: date) -> str:
    """When a listing was last confirmed, in words a patient reads at a glance."""
    return describe_reviewed(reviewed)


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


# ---- One GitHub issue per stale listing (signpost stale --format github) ---------------------

ISSUE_LABEL = "stale-listing"
_MARKER = "<!-- signpost-listing: {} -->"
_MARKER_PATTERN = r"<!-- signpost-listing: ([a-z0-9-]+) -->"


def issue_title(row: StaleRow) -> str:
    return f"Check listing: {row.name} ({row.id})"


def issue_body(
    row: StaleRow, *, months: int, repository_url: str = "", branch: str = "main"
) -> str:
    """The issue text: which listing, who reviews it, and exactly how to mark it checked.

    Listing names come from volunteers' files: they are shown inside code spans or as
    plain text, never as Markdown links, and the marker that ties the issue to the listing
    holds only the id (which the validator restricts to lowercase letters, digits and -).
    """
    repo = repository_url.rstrip("/")
    where = f"[`{row.path}`]({repo}/blob/{branch}/{row.path})" if repo else f"`{row.path}`"
    reviewer = row.reviewed_by.replace("`", "'")
    lines = [
        _MARKER.format(row.id),
        f"The listing `{row.id}` has not been checked for {row.months_ago} months "
        f"(the limit is {months}).",
        "",
        f"- Listing: {where}",
        f"- Last checked: {row.last_reviewed.isoformat()} ({month_year(row.last_reviewed)})",
        f"- Reviewer: `{reviewer}`",
        "",
        "Please contact the group, check every detail (day, time, place, cost, contact), "
        "correct anything that changed, then mark it checked:",
        "",
        "```sh",
        f"signpost review {row.id} --by {shlex.quote(row.reviewed_by)}",
        "```",
        "",
        "That sets `last_reviewed` to today and keeps the rest of the file as it is. This "
        "issue closes itself once the change is merged. If the group has stopped, set "
        "`status: closed` instead.",
    ]
    return "\n".join(lines) + "\n"


def listing_of_issue(body: str) -> str | None:
    """The listing id an issue we opened is about, from its marker; None for other issues."""
    found = re.search(_MARKER_PATTERN, body or "")
    return found.group(1) if found else None


def issue_plan(
    rows: list[StaleRow],
    open_issues: Iterable[dict[str, Any]],
    *,
    months: int,
    today: date,
    repository_url: str = "",
    branch: str = "main",
) -> dict[str, object]:
    """What the scheduled workflow should do with GitHub issues, as JSON-ready data.

    ``open_issues`` is ``gh issue list --label stale-listing --json number,title,body``.
    A stale listing with no open issue gets one (``create``); one with an issue gets it
    brought up to date (``update``, only when the text changed); an open issue whose listing
    is no longer stale (reviewed, closed or removed) is closed with a comment (``close``).
    A second open issue for the same listing is closed as a duplicate.
    """
    stale = {row.id: row for row in rows}
    seen: set[str] = set()
    update, close = [], []
    for issue in sorted(open_issues, key=lambda item: int(item.get("number", 0))):
        listing_id = listing_of_issue(str(issue.get("body", "")))
        number = int(issue["number"])
        if listing_id is None:
            continue  # not one of ours: leave it alone
        if listing_id in seen:
            close.append({"number": number, "listing": listing_id, "comment": "Duplicate."})
            continue
        seen.add(listing_id)
        row = stale.get(listing_id)
        if row is None:
            close.append(
                {
                    "number": number,
                    "listing": listing_id,
                    "comment": f"`{listing_id}` has been checked (or is no longer in the "
                    f"directory) as of {today.isoformat()}. Thank you!",
                }
            )
            continue
        title = issue_title(row)
        body = issue_body(row, months=months, repository_url=repository_url, branch=branch)
        if issue.get("title") != title or str(issue.get("body", "")).strip() != body.strip():
            update.append({"number": number, "listing": row.id, "title": title, "body": body})
    create = [
        {
            "listing": row.id,
            "title": issue_title(row),
            "body": issue_body(row, months=months, repository_url=repository_url, branch=branch),
        }
        for row in rows
        if row.id not in seen
    ]
    return {"label": ISSUE_LABEL, "create": create, "update": update, "close": close}
