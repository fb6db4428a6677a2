"""What the directory covers: services per area and per need, for /coverage and the API.

A link worker in Margate should know before searching that the directory has no debt advice
nearby, and a commissioner should see which needs and areas have nothing listed. Everything
here is counted from the build's facet table (sets of document numbers), so it costs a few
set intersections once per build, held on the search ``Snapshot``, however many listings.

Areas are the folders under ``data/services/`` (where groups meet), plus the areas that
services without a venue say they serve (``areas_served``), plus national services.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from directory.areas import AreaTable
from search.facets import FacetTable


@dataclass(frozen=True)
class AreaCount:
    """One area: how many open services it has, and how many for each need."""

    id: str
    name: str
    services: int
    with_venue: int = 0
    needs: dict[str, int] = field(default_factory=dict)  # need id -> services, >0 only


@dataclass(frozen=True)
class Coverage:
    total: int
    areas: list[AreaCount]  # data/services/<area> folders, most services first
    served: list[AreaCount]  # areas named in areas_served, most services first
    national: AreaCount
    needs: dict[str, int]  # every need with open services -> how many


def folder_name(folder: str) -> str:
    """'brighton-and-hove' -> 'Brighton and Hove'."""
    small = {"and", "of", "on", "upon", "the", "in", "under", "by"}
    words = [w for w in folder.replace("_", "-").split("-") if w]
    return " ".join(w if i and w in small else w.capitalize() for i, w in enumerate(words))


def _count(docs: set[int], table: FacetTable, area_id: str, name: str) -> AreaCount:
    needs = {
        need: len(members & docs)
        for need, members in sorted(table.sets.get("need", {}).items())
        if members & docs
    }
    with_venue = len(docs - table.docs("reach", "no-location"))
    return AreaCount(area_id, name, len(docs), with_venue, needs)


def compute_coverage(table: FacetTable, areas: AreaTable) -> Coverage:
    """Counts of open (active or paused) services, from one build's facet table."""
    open_docs = set(table.open_docs)
    national_docs = table.docs("reach", "national") & open_docs
    folders = [
        _count(members & open_docs - national_docs, table, area, folder_name(area))
        for area, members in table.sets.get("area", {}).items()
    ]
    served = []
    for key, members in table.sets.get("serves", {}).items():
        docs = members & open_docs
        if docs:
            served.append(_count(docs, table, key, areas.name_for_key(key)))
    needs = {
        need: len(members & open_docs)
        for need, members in sorted(table.sets.get("need", {}).items())
        if members & open_docs
    }

    def order(item: AreaCount) -> tuple[int, str]:
        return (-item.services, item.name)

    return Coverage(
        total=len(open_docs),
        areas=sorted((a for a in folders if a.services), key=order),
        served=sorted(served, key=order),
        national=_count(national_docs, table, "national", "Anywhere in the UK"),
        needs=needs,
    )


def coverage_json(coverage: Coverage, labels: dict[str, str]) -> dict[str, object]:
    """The API's shape: counts with need labels, and the needs with nothing listed."""

    def area(item: AreaCount) -> dict[str, object]:
        return {
            "id": item.id,
            "name": item.name,
            "services": item.services,
            "with_venue": item.with_venue,
            "needs": [
                {"id": need, "label": labels.get(need, need), "services": count}
                for need, count in item.needs.items()
            ],
            "needs_missing": [need for need in labels if need not in item.needs],
        }

    return {
        "services": coverage.total,
        "areas": [area(item) for item in coverage.areas],
        "areas_served": [area(item) for item in coverage.served],
        "national": area(coverage.national),
        "needs": [
            {"id": need, "label": label, "services": coverage.needs.get(need, 0)}
            for need, label in labels.items()
        ],
    }
