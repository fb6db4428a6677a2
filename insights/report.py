"""The questions asked of the counts, with small numbers suppressed in every answer.

Pure functions over rows from ``insights.store`` and listings from the live index, so the
page, the downloads and ``signpost report`` all give the same figures. A count from 1 to
``threshold - 1`` is shown as "fewer than 5" (NHS small-number suppression); zero is shown.
Where a total is shown beside its parts and exactly one part is hidden, the total is
"not shown" too, so the hidden part cannot be worked out by subtraction.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta

from directory.model import Listing
from directory.stale import is_stale

DEFAULT_THRESHOLD = 5
DEFAULT_WEEKS = 12
NOT_PLACES = ("none", "other", "unknown")
TOP_NEEDS = 8
TOP_SERVICES = 20
FEW_SERVICES = 1  # an area with at most this many services for a need has a gap
FEEDBACK = (("went-yes", "Yes"), ("went-not-yet", "Not yet"), ("went-no", "No, not right"))
HELPFUL = (("helpful-yes", "Helpful"), ("helpful-no", "Not helpful"))
SIGNPOSTING = (
    ("shown", "In top 10 results"),
    ("opened", "Page opened"),
    ("shortlisted", "Shortlisted"),
    ("handout", "On a handout or text"),
)


@dataclass(frozen=True)
class Cell:
    """One count as it may be shown: ``value`` is None when suppressed.

    ``secondary`` marks a total hidden only because showing it would let a hidden small
    part be worked out by subtraction: it is "not shown", not "fewer than 5".
    """

    value: int | None
    threshold: int = DEFAULT_THRESHOLD
    secondary: bool = False

    @property
    def suppressed(self) -> bool:
        return self.value is None

    @property
    def text(self) -> str:
        if self.value is not None:
            return f"{self.value:,}"
        return "not shown" if self.secondary else f"fewer than {self.threshold}"

    @property
    def sort_value(self) -> int:
        # Hidden counts sort as zero: their order must not give their size away.
        return self.value or 0


def suppress(values: Sequence[int], threshold: int, *, with_total: bool = False) -> list[Cell]:
    """Cells for ``values`` (and their total last, when ``with_total``), small ones hidden.

    Secondary suppression: when exactly one part is hidden, the total is hidden too, since
    the total less the shown parts would be that part.
    """
    hidden = [0 < value < threshold for value in values]
    pairs = zip(values, hidden, strict=True)
    cells = [Cell(None if hide else value, threshold) for value, hide in pairs]
    if with_total:
        total = sum(values)
        if 0 < total < threshold:
            cells.append(Cell(None, threshold))
        elif sum(hidden) == 1:
            cells.append(Cell(None, threshold, secondary=True))
        else:
            cells.append(Cell(total, threshold))
    return cells


def one(value: int, threshold: int) -> Cell:
    return suppress([value], threshold)[0]


def weeks_between(since: date, until: date) -> list[str]:
    """Monday dates of every ISO week from ``since``'s to ``until``'s."""
    start = since - timedelta(days=since.weekday())
    end = until - timedelta(days=until.weekday())
    weeks = []
    while start <= end:
        weeks.append(start.isoformat())
        start += timedelta(days=7)
    return weeks


def quarter_start(day: date) -> date:
    return date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)


# ---- Sections --------------------------------------------------------------------------------


@dataclass(frozen=True)
class NeedDemand:
    need: str
    label: str
    weeks: list[Cell]
    total: Cell


def demand_by_need(
    rows: Iterable[tuple[str, str, int]],
    weeks: Sequence[str],
    labels: Mapping[str, str],
    threshold: int,
    top: int = TOP_NEEDS,
) -> list[NeedDemand]:
    """Searches per need per week for the most searched-for needs; 'none' comes last."""
    table: dict[str, dict[str, int]] = {}
    for week, need, count in rows:
        table.setdefault(need, {})[week] = table.setdefault(need, {}).get(week, 0) + count
    ranked = sorted(table, key=lambda need: (need == "none", -sum(table[need].values()), need))
    found = []
    for need in ranked[:top]:
        cells = suppress([table[need].get(week, 0) for week in weeks], threshold, with_total=True)
        found.append(NeedDemand(need, need_label(need, labels), cells[:-1], cells[-1]))
    return found


def need_label(need: str, labels: Mapping[str, str]) -> str:
    if need == "none":
        return "No need named"
    return labels.get(need, need.replace("-", " ").capitalize())


@dataclass(frozen=True)
class Gap:
    district: str
    need: str
    label: str
    searches: Cell
    no_local: Cell
    services: int  # listings with a place in the district for the need (public, not a count)


def services_by_district(listings: Iterable[Listing]) -> dict[tuple[str, str], int]:
    """How many active listings meet in each (postcode district, need)."""
    counts: dict[tuple[str, str], int] = {}
    for listing in listings:
        if listing.status != "active":
            continue
        districts = {
            location.postcode.split()[0].upper()
            for location in listing.locations
            if location.postcode.strip()
        }
        for district in districts:
            for need in listing.needs:
                counts[(district, need)] = counts.get((district, need), 0) + 1
    return counts


def gaps(
    rows: Iterable[tuple[str, str, int, int]],
    services: Mapping[tuple[str, str], int],
    labels: Mapping[str, str],
    threshold: int,
) -> tuple[list[Gap], int]:
    """Needs searched for in an area with few or no services there (at most
    ``FEW_SERVICES``), or where at least half the searches found nothing in reach; worst
    first.

    Only pairs with at least ``threshold`` searches are listed (fewer say little and would
    show a tiny count by their presence); the second value counts the pairs left out.
    """
    found: list[Gap] = []
    left_out = 0
    for district, need, searched, no_local in rows:
        if district in NOT_PLACES or need == "none":
            continue
        here = services.get((district, need), 0)
        if here > FEW_SERVICES and no_local * 2 < searched:
            continue
        if searched < threshold:
            left_out += 1
            continue
        found.append(
            Gap(
                district,
                need,
                need_label(need, labels),
                one(searched, threshold),
                one(no_local, threshold),
                here,
            )
        )
    found.sort(
        key=lambda g: (-g.no_local.sort_value, g.services, -g.searches.sort_value, g.district)
    )
    return found, left_out


@dataclass(frozen=True)
class ServiceFigures:
    id: str
    name: str
    cells: dict[str, Cell] = field(default_factory=dict)


def _name(listing_id: str, names: Mapping[str, str]) -> str:
    """The service's name; its id alone when reading counts without listings."""
    if not names:
        return listing_id
    return names.get(listing_id) or f"{listing_id} (no longer listed)"


def most_signposted(
    events: Mapping[str, Mapping[str, int]],
    names: Mapping[str, str],
    threshold: int,
    top: int = TOP_SERVICES,
) -> list[ServiceFigures]:
    """Services most often shortlisted or put on a handout, with how often each was shown
    and opened. A service is listed only when one of its counts can be shown."""
    rows = []
    for listing_id, counts in events.items():
        cells = {name: one(counts.get(name, 0), threshold) for name, _label in SIGNPOSTING}
        if all(cell.value in (None, 0) for cell in cells.values()):
            continue
        rows.append(ServiceFigures(listing_id, _name(listing_id, names), cells))
    rows.sort(
        key=lambda row: (
            -(row.cells["handout"].sort_value + row.cells["shortlisted"].sort_value),
            -row.cells["opened"].sort_value,
            -row.cells["shown"].sort_value,
            row.name,
        )
    )
    return rows[:top]


def feedback(
    events: Mapping[str, Mapping[str, int]],
    names: Mapping[str, str],
    threshold: int,
) -> tuple[list[ServiceFigures], ServiceFigures]:
    """Answers to "Did you go?" and "Was it helpful?" per service, and for all services.

    A service is listed when at least ``threshold`` people answered; the all-services row
    counts every answer. Parts and their total are suppressed together (see ``suppress``).
    """
    answers = [name for name, _label in FEEDBACK]
    helpful = [name for name, _label in HELPFUL]

    def figures(listing_id: str, name: str, counts: Mapping[str, int]) -> ServiceFigures:
        went = suppress([counts.get(a, 0) for a in answers], threshold, with_total=True)
        rated = suppress([counts.get(a, 0) for a in helpful], threshold, with_total=True)
        cells = dict(zip([*answers, "answers"], went, strict=True))
        cells.update(zip([*helpful, "rated"], rated, strict=True))
        return ServiceFigures(listing_id, name, cells)

    rows = []
    overall: dict[str, int] = {}
    for listing_id, counts in events.items():
        for key in answers + helpful:
            overall[key] = overall.get(key, 0) + counts.get(key, 0)
        if sum(counts.get(a, 0) for a in answers) >= threshold:
            rows.append(figures(listing_id, _name(listing_id, names), counts))
    rows.sort(key=lambda row: (-row.cells["answers"].sort_value, row.name))
    return rows, figures("", "All services", overall)


@dataclass(frozen=True)
class StaleArea:
    area: str
    listings: int
    stale: int


def stale_by_area(listings: Iterable[Listing], today: date, months: int) -> list[StaleArea]:
    """Open listings per area folder and how many are past the check limit, worst first.

    Listings are public, so these numbers describe the directory, not people: not suppressed.
    """
    totals: dict[str, list[int]] = {}
    for listing in listings:
        if listing.status == "closed":
            continue
        row = totals.setdefault(listing.area or "other", [0, 0])
        row[0] += 1
        row[1] += int(is_stale(listing.last_reviewed, today, months))
    found = [StaleArea(area, total, stale) for area, (total, stale) in totals.items()]
    found.sort(key=lambda row: (-row.stale, -row.listings, row.area))
    return found


def service_summary(counts: Mapping[str, int], threshold: int) -> list[str]:
    """The sentences on a service's own page, for its organisation to cite in a funding bid:
    "Added to 23 handouts this quarter", "9 people said they went". Empty when all are 0."""
    sentences = []
    handouts = counts.get("handout", 0)
    went = counts.get("went-yes", 0)
    shortlisted = counts.get("shortlisted", 0)
    if handouts:
        cell = one(handouts, threshold)
        word = "handout" if cell.value == 1 else "handouts"
        sentences.append(f"Added to {cell.text} {word} this quarter")
    elif shortlisted:
        cell = one(shortlisted, threshold)
        word = "shortlist" if cell.value == 1 else "shortlists"
        sentences.append(f"Added to {cell.text} {word} this quarter")
    if went:
        cell = one(went, threshold)
        people = "person" if cell.value == 1 else "people"
        sentences.append(f"{cell.text.capitalize()} {people} said they went")
    return sentences
