"""What the site's templates need from a listing or a search, worked out in Python.

Templates stay simple (and testable) when every decision is made here: which words describe
a result, which links a filter or a page number leads to, what a map link says. Nothing here
reads the request except through the arguments it is given.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from urllib.parse import quote, urlencode

from directory import wording
from directory.areas import describe_served
from directory.audience import who_for_text
from directory.model import ACCESSIBILITY, DAY_NAMES, DAYS, DELIVERY, ROUTES, Listing, Location
from directory.schedule import describe_next, next_session
from directory.settings import Settings
from directory.stale import checked_text, stale_warning
from directory.vocabulary import Vocabulary
from search.engine import Hit, SearchResponse
from search.request import FILTERS, PARAMETERS, ParamError, SearchRequest

RADIUS_CHOICES = (1, 3, 5, 10, 25, 50)
DEFAULT_STALE_MONTHS = Settings.stale_months  # 12: SIGNPOST_STALE_MONTHS when unset

# Friendly words for a bad parameter: the parser's own message is written for API users.
FRIENDLY_ERRORS = {
    "radius": "Choose a distance from 0.1 to 100 miles",
    "age": "Enter an age as a whole number from 0 to 120, like 67",
    "page": "Choose a page number from 1 to 100",
    "per_page": "Choose from 1 to 50 results on each page",
    "day": "Choose days of the week from the list",
    "access": "Choose how to start from the list",
    "delivery": "Choose how the service is run from the list",
    "need": "Choose what would help from the list",
    "free": "Tick the box if you only want free services",
    "step_free": "Tick the box if you need step-free access",
    "open_now": "Tick the box if you want services that are open now",
    "local_only": "Tick the box if you only want services near the place you entered",
}
# Where on the page each parameter's field is, for the error summary's links.
ERROR_ANCHORS = {
    "q": "q",
    "near": "near",
    "radius": "radius",
    "age": "age",
    "day": "day",
    "access": "access",
    "delivery": "delivery",
    "need": "need",
    "free": "free",
    "step_free": "step_free",
    "open_now": "open_now",
    "local_only": "local_only",
    "page": "q",
    "per_page": "q",
}


@dataclass
class NeedEntry:
    id: str
    label: str
    description: str
    count: int


@dataclass
class NeedCategory:
    id: str
    label: str
    needs: list[NeedEntry]

    @property
    def count(self) -> int:
        return sum(need.count for need in self.needs)


def need_categories(vocab: Vocabulary, counts: Mapping[str, int]) -> list[NeedCategory]:
    """The vocabulary's needs under its ``categories:``, each with how many services meet it.

    Needs with no services are left out, so every link on the page finds something. A need
    under no category is shown under "Other help" (or the file's own "other" category), so a
    data folder's new need never vanishes; with no categories at all, all are under one.
    """
    placed = {need_id for category in vocab.categories for need_id in category.needs}
    unplaced = tuple(need_id for need_id in vocab.needs if need_id not in placed)
    sections = [(c.id, c.label, c.needs) for c in vocab.categories]
    if unplaced:
        other = next((i for i, (cid, _, _) in enumerate(sections) if cid == "other"), None)
        if other is None:
            label = "Other help" if vocab.categories else "All kinds of help"
            sections.append(("other", label, unplaced))
        else:
            cid, label, need_ids = sections[other]
            sections[other] = (cid, label, need_ids + unplaced)
    categories: list[NeedCategory] = []
    for category_id, label, need_ids in sections:
        entries = [
            NeedEntry(need.id, need.label, need.description, counts[need.id])
            for need in (vocab.needs[need_id] for need_id in need_ids)
            if counts.get(need.id)
        ]
        if entries:
            categories.append(NeedCategory(category_id, label, entries))
    return categories


# ---- Search URLs ---------------------------------------------------------------------------


def query_pairs(args: Mapping[str, Any]) -> list[tuple[str, str]]:
    """The search parameters of a request, in order, without empty values or strangers."""
    pairs: list[tuple[str, str]] = []
    getlist = getattr(args, "getlist", None)
    for name in PARAMETERS:
        values = getlist(name) if getlist else [args[name]] if name in args else []
        for value in values:
            value = str(value)
            if value.strip():
                pairs.append((name, value))
    return pairs


def change_query(
    pairs: Iterable[tuple[str, str]],
    *,
    drop: Iterable[str] = (),
    set_: Mapping[str, str | None] | None = None,
    add: Iterable[tuple[str, str]] = (),
) -> str:
    """A query string with some parameters dropped or replaced (``None`` drops it).

    Any change other than a page number sends the person back to page 1, because the old
    page may not exist in the new results.
    """
    dropped = set(drop)
    replacing = dict(set_ or {})
    if "page" not in replacing:
        dropped.add("page")
    kept = [(k, v) for k, v in pairs if k not in dropped and k not in replacing]
    for name, value in replacing.items():
        if value is not None and str(value) != "":
            kept.append((name, str(value)))
    kept.extend(add)
    order = {name: i for i, name in enumerate(PARAMETERS)}
    kept.sort(key=lambda pair: order.get(pair[0], len(order)))
    return urlencode(kept)


@dataclass
class Option:
    """One checkbox or radio in the filters, with how many current results have it."""

    value: str
    text: str
    count: int | None
    checked: bool


@dataclass
class Filters:
    free: Option
    step_free: Option
    open_now: Option
    local_only: Option
    days: list[Option]
    access: list[Option]
    delivery: list[Option]
    needs: list[Option]
    age: str
    radius: str
    active: list[tuple[str, str]]  # (label, URL that removes it)

    @property
    def any_active(self) -> bool:
        return bool(self.active)


def _without(
    pairs: list[tuple[str, str]], name: str, value: str | None = None
) -> list[tuple[str, str]]:
    """``pairs`` without the parameter ``name``, or without only its ``value``."""
    if value is None:
        return [(k, v) for k, v in pairs if k != name]
    # "day=mon,tue" arrives as one value: split so one day can be removed alone.
    rest = []
    for k, v in pairs:
        if k != name:
            rest.append((k, v))
            continue
        parts = [p for p in v.split(",") if _normal(name, p) != value]
        if parts:
            rest.append((k, ",".join(parts)))
    return rest


def build_filters(
    response: SearchResponse | None,
    request: SearchRequest,
    pairs: list[tuple[str, str]],
    vocab: Vocabulary,
) -> Filters:
    """Filter options with counts from the search's facets, and links to remove each one."""
    facets = response.facets if response else {}

    def count(facet: str, value: str) -> int | None:
        if response is None:
            return None
        return facets.get(facet, {}).get(value, 0)

    def shown(facet: str, value: str, chosen: tuple[str, ...]) -> bool:
        # Without a search (bad parameters) every choice is offered, so the form can be fixed.
        return response is None or value in chosen or bool(count(facet, value))

    days = [
        Option(day, DAY_NAMES[day], count("day", day), day in request.days)
        for day in DAYS
        if shown("day", day, request.days)
    ]
    access = [
        Option(route, wording.ROUTE_SHORT[route], count("access", route), route in request.access)
        for route in ROUTES
        if shown("access", route, request.access)
    ]
    delivery = [
        Option(way, wording.DELIVERY_LABELS[way], count("delivery", way), way in request.delivery)
        for way in DELIVERY
        if shown("delivery", way, request.delivery)
    ]
    need_counts = facets.get("need", {})
    offered = vocab.needs if response is None else need_counts
    need_ids = list(dict.fromkeys([*request.needs, *sorted(offered, key=vocab.need_label)]))
    needs = [
        Option(need, vocab.need_label(need), count("need", need), need in request.needs)
        for need in need_ids
        if need in vocab.needs
    ]
    active: list[tuple[str, str]] = []

    def remove(label: str, name: str, value: str | None = None) -> None:
        active.append((label, "?" + change_query(_without(pairs, name, value))))

    if request.free:
        remove("Free", "free")
    if request.step_free:
        remove("Step-free access", "step_free")
    if request.open_now:
        remove("Open now", "open_now")
    if request.age is not None:
        remove(f"Age {request.age}", "age")
    for day in request.days:
        remove(DAY_NAMES[day], "day", day)
    for route in request.access:
        remove(wording.ROUTE_SHORT[route], "access", route)
    for way in request.delivery:
        remove(wording.DELIVERY_LABELS[way], "delivery", way)
    for need in request.needs:
        remove(vocab.need_label(need), "need", need)
    if not request.include_remote:
        remove("Only places near you", "local_only")

    return Filters(
        free=Option("true", "Free", count("cost", "free"), request.free),
        step_free=Option(
            "true", "Step-free access", count("access_needs", "step-free"), request.step_free
        ),
        open_now=Option("true", "Open now", None, request.open_now),
        local_only=Option(
            "true",
            "Only groups that meet near the place you entered",
            None,
            not request.include_remote,
        ),
        days=days,
        access=access,
        delivery=delivery,
        needs=needs,
        age="" if request.age is None else str(request.age),
        radius=f"{request.radius_miles:g}",
        active=active,
    )


def _normal(name: str, value: str) -> str:
    """A filter value as the parser reads it ('Monday' and 'mon' are the same day)."""
    value = value.strip().lower()
    return value[:3] if name == "day" else value


def wider_link(pairs: list[tuple[str, str]], changes: Mapping[str, Any]) -> str:
    """The URL of a wider search suggested by the engine (bigger radius, no filters...)."""
    drop: set[str] = set()
    replace: dict[str, str | None] = {}
    add: list[tuple[str, str]] = []
    for name, value in changes.items():
        if name == "need":  # look for these needs instead (related help)
            drop.add("need")
            add.extend(("need", str(need)) for need in value)
        elif name == "filters":
            drop.update(FILTERS)
        elif name == "drop":  # lift these filters only ("Show all days")
            drop.update(str(item) for item in value)
        elif name == "local_only":
            drop.add("local_only")
        elif name == "radius":
            replace["radius"] = f"{float(value):g}"
        elif name == "q":
            replace["q"] = str(value) or None
    return "?" + change_query(pairs, drop=drop, set_=replace, add=add)


@dataclass
class PageLink:
    number: int
    href: str
    current: bool


@dataclass
class Pagination:
    previous: str | None
    next: str | None
    pages: list[PageLink | None]  # None: a gap (…)


def build_pagination(response: SearchResponse, pairs: list[tuple[str, str]]) -> Pagination | None:
    """Numbered pages around the current one, first and last always shown."""
    pages = response.pages
    if pages <= 1:
        return None
    current = min(response.request.page, pages)

    def href(number: int) -> str:
        return "?" + change_query(pairs, set_={"page": None if number == 1 else str(number)})

    wanted = sorted({1, pages, current - 1, current, current + 1} & set(range(1, pages + 1)))
    items: list[PageLink | None] = []
    for number in wanted:
        if items and items[-1] is not None and number - items[-1].number > 1:
            items.append(None)
        items.append(PageLink(number, href(number), number == current))
    return Pagination(
        previous=href(current - 1) if current > 1 else None,
        next=href(current + 1) if current < pages else None,
        pages=items,
    )


def friendly_errors(errors: list[ParamError]) -> list[dict[str, str]]:
    """Parameter errors for the NHS error summary: plain words and a link to the field."""
    seen: set[str] = set()
    found = []
    for error in errors:
        if error.param in seen:
            continue
        seen.add(error.param)
        found.append(
            {
                "text": FRIENDLY_ERRORS.get(error.param, error.message),
                "href": "#" + ERROR_ANCHORS.get(error.param, "q"),
                "param": error.param,
            }
        )
    return found


# ---- One listing, in words -----------------------------------------------------------------


@dataclass
class Feature:
    id: str
    text: str


@dataclass
class Summary:
    """A listing as a result, a shortlist entry or a handout section shows it."""

    listing: Listing
    distance: str
    next_session: str
    cost: str
    routes: list[str]
    features: list[Feature]
    reviewed: str  # "Checked October 2026"
    place: str  # "The Old Forge, Margate" or "Online or phone"
    needs: list[tuple[str, str]] = field(default_factory=list)  # (id, label)
    who_for: str = ""  # "For men over 18"; '' when anyone can come
    stale: str | None = None  # "Not checked since August 2024: phone before you go"


def features_of(listing: Listing, location: Location | None = None) -> list[Feature]:
    """Accessibility features of one venue, or those every venue shares."""
    if location is not None:
        found = list(location.accessibility)
    elif listing.locations:
        shared = set(listing.locations[0].accessibility)
        for loc in listing.locations[1:]:
            shared &= set(loc.accessibility)
        found = [item for item in listing.locations[0].accessibility if item in shared]
    else:
        found = []
    return [Feature(item, ACCESSIBILITY.get(item, item)) for item in found]


def summarise(
    listing: Listing,
    vocab: Vocabulary,
    now: datetime,
    *,
    distance_miles: float | None = None,
    nearest: int | None = None,
    stale_months: int = DEFAULT_STALE_MONTHS,
) -> Summary:
    """A listing in words. ``stale_months`` is the deployment's stale limit
    (``SIGNPOST_STALE_MONTHS``, the one ``signpost stale`` reports on)."""
    location = None
    if listing.locations:
        location = listing.locations[nearest if nearest is not None else 0]
    if location is not None:
        place = location.name
        town = town_of(location)
        if town and town.lower() not in place.lower():
            place = f"{place}, {town}"
        if len(listing.locations) > 1:
            place += f" (and {len(listing.locations) - 1} more)"
    elif listing.areas_served:  # "Serves Bristol: by phone, online or home visits"
        place = describe_served(listing.areas_served, listing.delivery, has_venue=False)
    else:
        place = wording.describe_remote(listing)
    if listing.national and not place:
        place = "Anywhere in the UK"
    return Summary(
        listing=listing,
        distance=wording.describe_distance(distance_miles, listing),
        next_session=describe_next(next_session(listing, now), now),
        cost=wording.describe_cost(listing.cost),
        routes=wording.describe_routes_short(listing),
        features=features_of(listing, location),
        reviewed=checked_text(listing.last_reviewed),
        place=place,
        needs=[(need, vocab.need_label(need)) for need in listing.needs],
        who_for=who_for_text(listing.who_for, vocab.group_label),
        stale=stale_warning(listing.last_reviewed, now.date(), stale_months),
    )


def summarise_hit(
    hit: Hit, vocab: Vocabulary, now: datetime, stale_months: int = DEFAULT_STALE_MONTHS
) -> Summary:
    return summarise(
        hit.listing,
        vocab,
        now,
        distance_miles=hit.distance_miles,
        nearest=hit.nearest_location,
        stale_months=stale_months,
    )


def town_of(location: Location) -> str:
    """The last part of an address ('12 Example Street, Margate' -> 'Margate')."""
    parts = [part.strip() for part in location.address.split(",") if part.strip()]
    return parts[-1] if len(parts) > 1 else ""


@dataclass
class MapLinks:
    openstreetmap: str
    google: str
    directions: str


def map_links(location: Location) -> MapLinks | None:
    """Links to public maps at a venue's coordinates; None when it has no coordinates."""
    if location.lat is None or location.lon is None:
        return None
    lat, lon = f"{location.lat:.5f}", f"{location.lon:.5f}"
    return MapLinks(
        openstreetmap=f"https://www.openstreetmap.org/?mlat={lat}&mlon={lon}#map=17/{lat}/{lon}",
        google=f"https://www.google.com/maps/search/?api=1&query={lat}%2C{lon}",
        directions=f"https://www.openstreetmap.org/directions?to={lat}%2C{lon}",
    )


def source_path(listing: Listing) -> str:
    """The listing's file in the repository, as contributors know it."""
    return f"data/services/{listing.area}/{listing.id}.yaml"


@dataclass
class ReportLinks:
    issue: str | None
    email: str | None
    source: str | None
    edit: str | None
    path: str


def report_links(
    listing: Listing, page_url: str, repository_url: str, email: str, branch: str = "main"
) -> ReportLinks:
    """Prefilled "report a problem" links: a GitHub issue and an email, no account needed
    for the email. Either may be missing when the deployment did not configure it."""
    path = source_path(listing)
    title = f"Problem with listing: {listing.name}"
    body = (
        f"Listing: {listing.name} ({listing.id})\n"
        f"Page: {page_url}\n"
        f"File: {path}\n\n"
        "What is wrong? (for example: the time, the phone number or the address)\n\n"
        "Please do not include anyone's personal or health details.\n"
    )
    repo = repository_url.rstrip("/")
    issue = source = edit = None
    if repo:
        issue = f"{repo}/issues/new?" + urlencode({"title": title, "body": body})
        source = f"{repo}/blob/{branch}/{path}"
        edit = f"{repo}/edit/{branch}/{path}"
    mail = None
    if email:
        mail = f"mailto:{email}?" + urlencode({"subject": title, "body": body}, quote_via=quote)
    return ReportLinks(issue=issue, email=mail, source=source, edit=edit, path=path)


def phone_href(phone: str) -> str:
    """'01632 960001' -> 'tel:01632960001'."""
    return "tel:" + re.sub(r"[^0-9+]", "", phone)
