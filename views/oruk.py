"""Open Referral UK (HSDS 3.0, UK profile) endpoints: ``/api/oruk/...``.

Councils' and NHS service finders already speak Open Referral UK, so Signpost answers in it
too: ``/services`` (paged, with the ORUK search parameters) and ``/services/{id}``, plus the
taxonomy the services are tagged with. The search parameters are translated to a
:class:`SearchRequest` and run through the same ``LiveDirectory.search`` as the site, and
services are shaped by ``directory.export``, exactly as ``signpost export --format oruk``
writes them.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable
from typing import Any

from flask import Blueprint, Response, request

from directory.export import (
    GROUPS_TAXONOMY,
    HSDS_VERSION,
    NEEDS_TAXONOMY,
    ORUK_PROFILE,
    page,
    service_to_hsds,
    service_uuid,
    taxonomy_detail,
    taxonomy_terms,
    term_uuid,
)
from directory.model import Listing
from directory.vocabulary import Vocabulary
from search.request import MAX_PAGE, MAX_PER_PAGE, MAX_RADIUS_MILES, parse_request
from views.apiutil import absolute, json_response, live, reject_unknown, site_root
from views.errors import ApiError

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
    "page",
    "per_page",
)
PAGE_PARAMS = ("page", "per_page")
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
_INTEGER = re.compile(r"^\s*\d{1,9}\s*$")

_uuid_maps: dict[str, dict[str, str]] = {}


def region_lookup() -> Callable[[str], str]:
    """HSDS wants a state/province for each address: the UK nation, from the gazetteer."""
    gazetteer = live().gazetteer

    def region(postcode: str) -> str:
        place = gazetteer.lookup_postcode(postcode)
        return place.country if place is not None and place.country else ""

    return region


def _integer(name: str, low: int, high: int) -> int | None:
    raw = request.args.get(name)
    if raw is None or raw.strip() == "":
        return None
    if not _INTEGER.match(raw) or not low <= int(raw) <= high:
        raise ApiError(
            400,
            f"'{name}' must be a whole number from {low} to {high}.",
            code="bad-parameter",
            parameter=name,
            allowed=f"a whole number from {low} to {high}",
        )
    return int(raw)


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


def _accepts(listing: Listing, age: int) -> bool:
    low, high = listing.who_for.age_min, listing.who_for.age_max
    return (low is None or low <= age) and (high is None or age <= high)


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
    """
    directory = live()
    vocab = directory.vocabulary
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
    search = parsed.request
    snapshot = directory.snapshot()
    if minimum_age is not None and maximum_age is not None and maximum_age != minimum_age:
        # Open to the whole range = open to both ends (ages are ranges): filter the full
        # ranking by the upper age, then page it here.
        everything = dataclasses.replace(search, page=1, per_page=max(1, snapshot.count))
        response = directory.search(everything, snapshot=snapshot)
        listings = [hit.listing for hit in response.hits if _accepts(hit.listing, maximum_age)]
        total = len(listings)
        start = (search.page - 1) * search.per_page
        listings = listings[start : start + search.per_page]
    else:
        response = directory.search(search, snapshot=snapshot)
        listings = [hit.listing for hit in response.hits]
        total = response.total
    if response.place_problem:
        raise ApiError(
            400,
            response.place_problem,
            code="place-not-found",
            parameter="postcode",
            allowed="a UK postcode (CT9 1EP), postcode district (CT9) or town name",
            suggestions=response.place_suggestions,
        )
    region = region_lookup()
    contents = [
        service_to_hsds(listing, vocab, base_url=site_root(), region_for=region)
        for listing in listings
    ]
    body = page(contents, total_items=total, page_number=search.page, size=search.per_page)
    return json_response(body)


def _listing_id(service_id: str) -> str:
    """A Signpost id from either a Signpost id or an HSDS service UUID."""
    directory = live()
    snapshot = directory.snapshot()
    mapping = _uuid_maps.get(snapshot.build_id)
    if mapping is None:
        mapping = {
            service_uuid(listing.id): listing.id
            for listing in directory.listings(snapshot=snapshot)
        }
        _uuid_maps.clear()
        _uuid_maps[snapshot.build_id] = mapping
    return mapping.get(service_id.lower(), service_id)


@bp.get("/services/<service_id>")
def service(service_id: str) -> Response:
    reject_unknown(request.args, ())
    directory = live()
    listing = directory.listing(_listing_id(service_id))
    if listing is None:
        raise ApiError(404, f"There is no service with the id '{service_id[:100]}'.")
    return json_response(
        service_to_hsds(
            listing, directory.vocabulary, base_url=site_root(), region_for=region_lookup()
        )
    )


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


@bp.get("/taxonomy_terms")
def terms() -> Response:
    return json_response(_paged(taxonomy_terms(live().vocabulary)))
