"""Open Referral UK (HSDS 3.0, UK profile) endpoints: ``/api/oruk/...``.

Councils' and NHS service finders already speak Open Referral UK, so Signpost answers in it
too, with every endpoint the UK profile's OpenAPI document lists: ``/services`` (paged, with
the ORUK search parameters) and ``/services/{id}``, ``/service_at_locations`` and
``/service_at_locations/{id}``, ``/taxonomies``, ``/taxonomy_terms`` and each by id, plus
HSDS's ``/organizations``. The search parameters are translated to a :class:`SearchRequest`
and run through the same ``LiveDirectory.search`` as the site (ages, times and
``modified_after`` are filters in the search itself, never a scan of every listing), and
objects are shaped by ``directory.oruk.export``, exactly as ``signpost export --format oruk``
writes them. UUID lookups are made once per build (``views.oruk_lookup``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import date
from typing import Any

from flask import Blueprint, Response, request

from directory.oruk.export import (
    GROUPS_TAXONOMY,
    HSDS_VERSION,
    NEEDS_TAXONOMY,
    ORUK_PROFILE,
    group_term,
    need_term,
    organization_to_hsds,
    page,
    service_to_hsds,
    taxonomy_detail,
    taxonomy_terms,
    taxonomy_uuid,
    term_uuid,
)
from directory.oruk.fields import clock
from directory.vocabulary import Vocabulary
from search.engine import SearchResponse
from search.request import (
    MAX_PAGE,
    MAX_PER_PAGE,
    MAX_RADIUS_MILES,
    SearchRequest,
    parse_request,
    whole_number,
)
from search.snapshot import Snapshot
from views.apiutil import absolute, json_response, live, reject_unknown, site_root
from views.errors import ApiError
from views.oruk_lookup import lookup

bp = Blueprint("oruk", __name__, url_prefix="/oruk")

METRES_PER_MILE = 1609.344
MAX_PROXIMITY_METRES = int(MAX_RADIUS_MILES * METRES_PER_MILE)
SERVICE_PARAMS = (
    "text",
    "search",
    "postcode",
    "proximity",
    "taxonomy_id",
    "taxonomy_term_id",
    "minimum_age",
    "maximum_age",
    "day",
    "start_time",
    "end_time",
    "modified_after",
    "page",
    "per_page",
)
PAGE_PARAMS = ("page", "per_page")
# Services in list form carry their one-to-one fields only (the profile's service_list).
_LIST_FIELDS = (
    "id",
    "signpost_id",
    "organization_id",
    "name",
    "description",
    "url",
    "email",
    "status",
    "minimum_age",
    "maximum_age",
    "assured_date",
    "last_modified",
)
_DAY_CODES = {
    "mo": "mon",
    "tu": "tue",
    "we": "wed",
    "th": "thu",
    "fr": "fri",
    "sa": "sat",
    "su": "sun",
}
# Which ORUK parameter a parse_request error is about.
_ORUK_NAME = {"q": "text", "near": "postcode", "radius": "proximity", "need": "taxonomy_id"}


def region_lookup() -> Callable[[str], str]:
    """HSDS wants a state/province for each address: the UK nation, from the gazetteer."""
    gazetteer = live().gazetteer

    def region(postcode: str) -> str:
        # Northern Ireland's postcodes are not in Code-Point: their district knows the nation.
        place = gazetteer.lookup_postcode(postcode) or gazetteer.resolve(postcode.split()[0])
        return place.country if place is not None and place.country else ""

    return region


def _integer(name: str, low: int, high: int) -> int | None:
    raw = request.args.get(name)
    if raw is None or raw.strip() == "":
        return None
    try:
        value = whole_number(raw)
    except ValueError:
        value = None
    if value is None or not low <= value <= high:
        raise ApiError(
            400,
            f"'{name}' must be a whole number from {low} to {high}.",
            code="bad-parameter",
            parameter=name,
            allowed=f"a whole number from {low} to {high}",
        )
    return value


def _need_ids(raw: str, vocab: Vocabulary, name: str) -> list[str]:
    """Taxonomy term ids (our UUIDs) or need codes, comma-separated, as need ids."""
    by_uuid = {term_uuid(NEEDS_TAXONOMY, need): need for need in vocab.needs}
    found = []
    for part in (piece.strip() for piece in raw.split(",")):
        if not part:
            continue
        need = by_uuid.get(part.lower()) or (part.lower() if part.lower() in vocab.needs else None)
        if need is None:
            raise ApiError(
                400,
                f"'{part[:60]}' is not a taxonomy term Signpost's services are tagged with.",
                code="bad-parameter",
                parameter=name,
                allowed="taxonomy term ids from /api/oruk/taxonomy_terms, or need codes such "
                "as " + ", ".join(list(vocab.needs)[:3]),
            )
        found.append(need)
    return found


def _days(raw: str) -> list[str]:
    days = []
    for part in (piece.strip().lower() for piece in raw.split(",")):
        if part:
            days.append(_DAY_CODES.get(part, part))
    return days


def search_args(vocab: Vocabulary) -> tuple[dict[str, Any], int | None, int | None]:
    """The ORUK query as ``parse_request`` arguments, plus the age range asked for."""
    args = request.args
    reject_unknown(args, SERVICE_PARAMS)
    text = args.get("text") or args.get("search") or ""
    postcode = (args.get("postcode") or "").strip()
    proximity = _integer("proximity", 1, MAX_PROXIMITY_METRES)
    terms = ",".join(args.getlist("taxonomy_id") + args.getlist("taxonomy_term_id"))
    parameter = "taxonomy_id" if args.get("taxonomy_id") else "taxonomy_term_id"
    minimum_age = _integer("minimum_age", 0, 120)
    maximum_age = _integer("maximum_age", 0, 120)
    if minimum_age is not None and maximum_age is not None and maximum_age < minimum_age:
        minimum_age, maximum_age = maximum_age, minimum_age  # the range meant is clear
    found: dict[str, Any] = {
        "q": text,
        "near": postcode,
        "need": _need_ids(terms, vocab, parameter),
        "day": _days(",".join(args.getlist("day"))),
        "page": args.get("page"),
        "per_page": args.get("per_page"),
    }
    if proximity is not None:
        found["radius"] = str(max(0.1, proximity / METRES_PER_MILE))
    age = minimum_age if minimum_age is not None else maximum_age
    if age is not None:
        found["age"] = str(age)
    return found, minimum_age, maximum_age


def _time(name: str) -> str | None:
    raw = request.args.get(name)
    if raw is None or raw.strip() == "":
        return None
    found = clock(raw.strip())
    if not found:
        raise ApiError(
            400,
            f"'{name}' must be a time of day such as 09:30 or 14:00:00.",
            code="bad-parameter",
            parameter=name,
            allowed="a time of day, HH:MM or HH:MM:SS (24-hour)",
        )
    return found


def _since(name: str) -> date | None:
    raw = request.args.get(name)
    if raw is None or raw.strip() == "":
        return None
    text = raw.strip()
    try:  # the day is what counts: listings are checked on a date, not at a time
        if len(text) > 10 and text[10] not in "Tt ":
            raise ValueError(text)
        return date.fromisoformat(text[:10])
    except ValueError:
        raise ApiError(
            400,
            f"'{name}' must be a date or date and time, such as 2026-10-01 or "
            "2026-10-01T09:00:00Z.",
            code="bad-parameter",
            parameter=name,
            allowed="an ISO 8601 date or date-time",
        ) from None


def _oruk_request(vocab: Vocabulary) -> SearchRequest:
    """The ORUK query as a SearchRequest (ages, times and modified_after included)."""
    args, minimum_age, maximum_age = search_args(vocab)
    parsed = parse_request(args, tuple(vocab.needs))
    if parsed.errors:
        first = parsed.errors[0]
        name = _ORUK_NAME.get(first.param, first.param)
        if first.param == "age":
            name = "minimum_age" if minimum_age is not None else "maximum_age"
        raise ApiError(
            400,
            " ".join(error.message for error in parsed.errors),
            code="bad-parameter",
            parameter=name,
            allowed={
                "day": "MO, TU, WE, TH, FR, SA, SU (or day names), comma-separated",
                "page": f"a whole number from 1 to {MAX_PAGE}",
                "per_page": f"a whole number from 1 to {MAX_PER_PAGE}",
            }.get(name, "see /api/v1/openapi.json"),
        )
    start, end = _time("start_time"), _time("end_time")
    between = None
    if start is not None or end is not None:
        # An end_time before the start_time is a window that runs past midnight.
        between = (start or "00:00", end or "24:00")
    # Open to the whole range of ages = open to both ends (a listing's ages are a range).
    age_to = maximum_age if minimum_age is not None and maximum_age != minimum_age else None
    return replace(
        parsed.request,
        age_to=age_to,
        reviewed_since=_since("modified_after"),
        between=between,
    )


def _searched(vocab: Vocabulary) -> tuple[SearchRequest, Snapshot, SearchResponse]:
    directory = live()
    search = _oruk_request(vocab)
    snapshot = directory.snapshot()
    response = directory.search(search, snapshot=snapshot)
    if response.place_problem:
        raise ApiError(
            400,
            response.place_problem,
            code="place-not-found",
            parameter="postcode",
            allowed="a UK postcode (CT9 1EP), postcode district (CT9) or town name",
            suggestions=response.place_suggestions,
        )
    return search, snapshot, response


@bp.get("/")
def root() -> Response:
    """The HSDS API's "/" endpoint: which version and profile this feed follows."""
    reject_unknown(request.args, ())
    return json_response(
        {
            "version": HSDS_VERSION,
            "profile": ORUK_PROFILE,
            "openapi_url": absolute("api.openapi"),
        }
    )


@bp.get("/services")
def services() -> Response:
    """Services matching the ORUK search parameters, one HSDS page at a time.

    ``minimum_age`` and ``maximum_age`` describe the person (or group) looking: services
    must be open to every age from one to the other. ``proximity`` is in metres.
    ``start_time``/``end_time`` keep services with a session overlapping those times (on
    ``day`` when given); ``modified_after`` those checked on or after that date.
    """
    search, _snapshot, response = _searched(live().vocabulary)
    vocab, region = live().vocabulary, region_lookup()
    contents = [
        service_to_hsds(hit.listing, vocab, base_url=site_root(), region_for=region)
        for hit in response.hits
    ]
    body = page(contents, total_items=response.total, page_number=search.page, size=search.per_page)
    return json_response(body)


@bp.get("/services/<service_id>")
def service(service_id: str) -> Response:
    reject_unknown(request.args, ())
    directory = live()
    snapshot = directory.snapshot()
    listing_id = lookup(snapshot).services.get(service_id.lower(), service_id)
    listing = directory.listing(listing_id, snapshot=snapshot)
    if listing is None:
        raise ApiError(404, f"There is no service with the id '{service_id[:100]}'.")
    return json_response(
        service_to_hsds(
            listing, directory.vocabulary, base_url=site_root(), region_for=region_lookup()
        )
    )


def _service_summary(service: dict[str, Any]) -> dict[str, Any]:
    return {key: service[key] for key in _LIST_FIELDS if key in service}


def _sites_of(service: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {site["id"]: site for site in service.get("service_at_locations", [])}


@bp.get("/service_at_locations")
def service_at_locations() -> Response:
    """Each matching service at each of its venues (and online), best match first.

    Takes the same parameters as ``/services``; a page counts services-at-locations.
    """
    search, snapshot, response = _searched(live().vocabulary)
    found = lookup(snapshot)
    ranked = response.ranked_docs.tolist() if response.ranked_docs is not None else []
    sites = [site for docnum in ranked for site in found.sites_by_doc[docnum]]
    start = (search.page - 1) * search.per_page
    shown = sites[start : start + search.per_page]
    directory, vocab, region = live(), live().vocabulary, region_lookup()
    services: dict[str, dict[str, Any]] = {}
    contents = []
    for site in shown:
        if site.listing_id not in services:
            listing = directory.listing(site.listing_id, snapshot=snapshot)
            assert listing is not None  # the lookup was made from this build
            services[site.listing_id] = service_to_hsds(
                listing, vocab, base_url=site_root(), region_for=region
            )
        service = services[site.listing_id]
        item = dict(_sites_of(service)[site.uuid])
        item["service"] = _service_summary(service)
        contents.append(item)
    body = page(contents, total_items=len(sites), page_number=search.page, size=search.per_page)
    return json_response(body)


@bp.get("/service_at_locations/<site_id>")
def service_at_location(site_id: str) -> Response:
    reject_unknown(request.args, ())
    directory = live()
    snapshot = directory.snapshot()
    site = lookup(snapshot).sites.get(site_id.lower())
    listing = directory.listing(site.listing_id, snapshot=snapshot) if site else None
    if site is None or listing is None:
        raise ApiError(404, f"There is no service at location with the id '{site_id[:100]}'.")
    service = service_to_hsds(
        listing, directory.vocabulary, base_url=site_root(), region_for=region_lookup()
    )
    item = dict(_sites_of(service)[site.uuid])
    item["service"] = service
    return json_response(item)


@bp.get("/organizations")
def organizations() -> Response:
    """Every organisation that runs a listed service, by name."""
    found = lookup(live().snapshot())
    items = [organization_to_hsds(name) for name in found.organisations.values()]
    return json_response(_paged(items))


@bp.get("/organizations/<organization_id>")
def organization(organization_id: str) -> Response:
    """One organisation with its services, fully nested."""
    reject_unknown(request.args, ())
    directory = live()
    snapshot = directory.snapshot()
    found = lookup(snapshot)
    key = organization_id.lower()
    if key not in found.organisations:
        raise ApiError(404, f"There is no organization with the id '{organization_id[:100]}'.")
    body = organization_to_hsds(found.organisations[key])
    region = region_lookup()
    body["services"] = [
        service_to_hsds(listing, directory.vocabulary, base_url=site_root(), region_for=region)
        for listing_id in found.organisation_services[key]
        if (listing := directory.listing(listing_id, snapshot=snapshot)) is not None
    ]
    return json_response(body)


def _paged(items: list[dict[str, Any]]) -> dict[str, Any]:
    reject_unknown(request.args, PAGE_PARAMS)
    number = _integer("page", 1, MAX_PAGE) or 1
    size = _integer("per_page", 1, MAX_PER_PAGE) or MAX_PER_PAGE
    start = (number - 1) * size
    return page(items[start : start + size], total_items=len(items), page_number=number, size=size)


@bp.get("/taxonomies")
def taxonomies() -> Response:
    return json_response(
        _paged([taxonomy_detail(NEEDS_TAXONOMY), taxonomy_detail(GROUPS_TAXONOMY)])
    )


@bp.get("/taxonomies/<taxonomy_id>")
def taxonomy(taxonomy_id: str) -> Response:
    reject_unknown(request.args, ())
    for name in (NEEDS_TAXONOMY, GROUPS_TAXONOMY):
        if taxonomy_id.lower() in (taxonomy_uuid(name), name):
            return json_response(taxonomy_detail(name))
    raise ApiError(404, f"There is no taxonomy with the id '{taxonomy_id[:100]}'.")


@bp.get("/taxonomy_terms")
def terms() -> Response:
    return json_response(_paged(taxonomy_terms(live().vocabulary)))


@bp.get("/taxonomy_terms/<term_id>")
def term(term_id: str) -> Response:
    """One need or group, by its term UUID (or its code, such as ``loneliness``)."""
    reject_unknown(request.args, ())
    vocab = live().vocabulary
    key = term_id.lower()
    for need in vocab.needs:
        if key in (term_uuid(NEEDS_TAXONOMY, need), need):
            return json_response(need_term(vocab, need))
    for group in vocab.groups:
        if key in (term_uuid(GROUPS_TAXONOMY, group), group):
            return json_response(group_term(vocab, group))
    raise ApiError(404, f"There is no taxonomy term with the id '{term_id[:100]}'.")
