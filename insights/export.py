"""One report, assembled once and written as a page, JSON, CSV or a plain-text table.

Every output takes its figures from ``Report``'s cells, so a count hidden on the page is
hidden in the downloads and on the command line too. In JSON a hidden count is ``null`` and
its row's ``"suppressed"`` list names it; in CSV and tables it is the words "fewer than 5".
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from directory.model import Listing
from insights import report as r
from insights.store import Store


@dataclass(frozen=True)
class Report:
    since: date
    until: date
    threshold: int
    weeks: list[str]
    demand: list[r.NeedDemand]
    gaps: list[r.Gap]
    gaps_left_out: int
    services: list[r.ServiceFigures]
    feedback: list[r.ServiceFigures]
    feedback_overall: r.ServiceFigures
    stale: list[r.StaleArea]
    stale_months: int
    has_listings: bool


def build_report(
    store: Store,
    *,
    since: date,
    until: date,
    threshold: int,
    listings: Iterable[Listing] = (),
    need_labels: Mapping[str, str] | None = None,
    today: date | None = None,
    stale_months: int = 12,
) -> Report:
    """Read the counts for the weeks from ``since`` to ``until`` and combine them with the
    live listings (names, services per area, stale listings). Without listings (a report
    run on a copy of the database alone) those parts are left empty."""
    listings = list(listings)
    labels = dict(need_labels or {})
    weeks = r.weeks_between(since, until)
    first, last = weeks[0], weeks[-1]
    names = {listing.id: listing.name for listing in listings}
    events = store.listing_events(first, last)
    feedback_rows, overall = r.feedback(events, names, threshold)
    gap_rows, left_out = r.gaps(
        store.searches_by_area_need(first, last),
        r.services_by_district(listings),
        labels,
        threshold,
    )
    return Report(
        since=date.fromisoformat(first),
        until=until,
        threshold=threshold,
        weeks=weeks,
        demand=r.demand_by_need(store.searches_by_week_need(first, last), weeks, labels, threshold),
        gaps=gap_rows if listings else [],
        gaps_left_out=left_out if listings else 0,
        services=r.most_signposted(events, names, threshold),
        feedback=feedback_rows,
        feedback_overall=overall,
        stale=r.stale_by_area(listings, today or until, stale_months),
        stale_months=stale_months,
        has_listings=bool(listings),
    )


# ---- JSON -------------------------------------------------------------------------------------


def _row(fixed: dict[str, Any], cells: Mapping[str, r.Cell]) -> dict[str, Any]:
    row = dict(fixed)
    row.update({name.replace("-", "_"): cell.value for name, cell in cells.items()})
    row["suppressed"] = [name.replace("-", "_") for name, cell in cells.items() if cell.suppressed]
    return row


def as_json(report: Report) -> dict[str, Any]:
    return {
        "period": {"since": report.since.isoformat(), "until": report.until.isoformat()},
        "weeks": report.weeks,
        "suppression": {
            "below": report.threshold,
            "note": (
                f"Counts from 1 to {report.threshold - 1} are null and named in their row's "
                "'suppressed' list; so is a total that would reveal one of its parts."
            ),
        },
        "demand_by_need": [
            {
                "need": row.need,
                "label": row.label,
                "total": row.total.value,
                "weeks": {
                    week: cell.value for week, cell in zip(report.weeks, row.weeks, strict=True)
                },
                "suppressed": (["total"] if row.total.suppressed else [])
                + [
                    week
                    for week, cell in zip(report.weeks, row.weeks, strict=True)
                    if cell.suppressed
                ],
            }
            for row in report.demand
        ],
        "gaps": [
            _row(
                {"district": g.district, "need": g.need, "label": g.label, "services": g.services},
                {"searches": g.searches, "no_local": g.no_local},
            )
            for g in report.gaps
        ],
        "most_signposted": [_row({"id": s.id, "name": s.name}, s.cells) for s in report.services],
        "feedback": [_row({"id": s.id, "name": s.name}, s.cells) for s in report.feedback],
        "feedback_all_services": _row({}, report.feedback_overall.cells),
        "stale_by_area": [
            {"area": a.area, "listings": a.listings, "stale": a.stale} for a in report.stale
        ],
        "stale_months": report.stale_months,
    }


def to_json(report: Report) -> str:
    return json.dumps(as_json(report), indent=2) + "\n"


# ---- CSV and tables: one long table, one count per line ----------------------------------------

CSV_HEADER = ("section", "week", "district", "need", "service_id", "measure", "count")


def long_rows(report: Report) -> list[tuple[str, ...]]:
    """``(section, week, district, need, service id, measure, count)`` lines, counts as text
    ("12", "fewer than 5"), so a spreadsheet shows exactly what the page shows."""
    rows: list[tuple[str, ...]] = []
    for row in report.demand:
        for week, cell in zip(report.weeks, row.weeks, strict=True):
            rows.append(("demand", week, "", row.need, "", "searches", cell.text))
        rows.append(("demand", "all", "", row.need, "", "searches", row.total.text))
    for g in report.gaps:
        rows.append(("gaps", "all", g.district, g.need, "", "searches", g.searches.text))
        rows.append(("gaps", "all", g.district, g.need, "", "no_local_service", g.no_local.text))
        rows.append(("gaps", "all", g.district, g.need, "", "services_listed", str(g.services)))
    for s in report.services:
        for name, cell in s.cells.items():
            rows.append(("signposting", "all", "", "", s.id, name, cell.text))
    for s in [*report.feedback, report.feedback_overall]:
        for name, cell in s.cells.items():
            rows.append(("feedback", "all", "", "", s.id or "all", name, cell.text))
    for a in report.stale:
        rows.append(("stale", "", a.area, "", "", "listings", str(a.listings)))
        rows.append(("stale", "", a.area, "", "", f"not_checked_{report.stale_months}_months",
                     str(a.stale)))  # fmt: skip
    return rows


def to_csv(report: Report) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_HEADER)
    writer.writerows(long_rows(report))
    return out.getvalue()


def to_table(report: Report) -> str:
    """Plain columns for a terminal: one section after another."""
    lines = [
        f"Signpost insights, weeks from {report.since:%d %B %Y} to {report.until:%d %B %Y}",
        f"Counts below {report.threshold} are shown as 'fewer than {report.threshold}'.",
        "",
    ]

    def table(title: str, header: tuple[str, ...], body: list[tuple[str, ...]]) -> None:
        lines.append(title)
        if not body:
            lines.extend(["  (nothing counted)", ""])
            return
        widths = [max(len(row[i]) for row in (header, *body)) for i in range(len(header))]
        for row in (header, *body):
            lines.append(
                "  "
                + "  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip()
            )
        lines.append("")

    table(
        "Searches by need",
        ("Need", "Searches"),
        [(row.label, row.total.text) for row in report.demand],
    )
    if report.has_listings:
        table(
            "Gaps: needs searched for where few or no services meet",
            ("Area", "Need", "Searches", "Found nothing local", "Services there"),
            [(g.district, g.label, g.searches.text, g.no_local.text, str(g.services))
             for g in report.gaps],
        )  # fmt: skip
    table(
        "Most signposted services",
        ("Service", *(label for _name, label in r.SIGNPOSTING)),
        [(s.name, *(s.cells[name].text for name, _l in r.SIGNPOSTING)) for s in report.services],
    )
    labels = [*r.FEEDBACK, ("answers", "Answers"), *r.HELPFUL]
    table(
        "Did you go?",
        ("Service", *(label for _name, label in labels)),
        [
            (s.name, *(s.cells[name].text for name, _l in labels))
            for s in [*report.feedback, report.feedback_overall]
        ],
    )
    if report.has_listings:
        table(
            f"Listings not checked for {report.stale_months} months, by area",
            ("Area", "Listings", "Not checked"),
            [(a.area, str(a.listings), str(a.stale)) for a in report.stale],
        )
    return "\n".join(lines)
