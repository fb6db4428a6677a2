"""The JSON API, version 1: ``/api/v1/...``, the stable way for other systems to use Signpost.

Views only translate HTTP: parameters are parsed by ``search.request.parse_request`` (the
same rules and messages as the site), searches run through the shared ``LiveDirectory``,
and JSON shapes come from ``views.present_json``. The Open Referral UK endpoints live in
``views.oruk`` and are mounted under this blueprint (``/api/oruk``) so that every ``/api``
response shares the error shape, caching, CORS and compression.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterable
from typing import Any

from flask import Blueprint, Response, current_app, request
from werkzeug.exceptions import MethodNotAllowed, NotFound
from werkzeug.routing import RequestRedirect

from directory.model import DAYS, DELIVERY, ROUTES
from directory.urgent import panel_dict, urgent_help_path
from directory.vocabulary import vocabulary_path
from search.crisis import urgent_panel
from search.directory_coverage import coverage_json
from search.request import (
    FLAGS,
    MAX_PAGE,
    MAX_PER_PAGE,
    MAX_PLACE_CHARS,
    MAX_RADIUS_MILES,
    PARAMETERS,
    ParamError,
    parse_request,
)
from search.snapshot import NoIndex
from views import apihttp, errors, oruk
from views.apiutil import absolute, json_response, live, now, reject_unknown, site_root
from views.errors import ApiError
from views.insights import count_search
from views.present import query_pairs, wider_link
from views.present_json import Links, api_listing, api_search, place_dict

# Bump when a response shape changes, so clients' cached copies (ETags) are not reused.
API_REVISION = "2"  # 2: who_for_text, checked, stale_warning, missing, covered_areas
# Responses that show the next session change with the clock: their ETag changes too,
# every TIME_SLOT_SECONDS, so a 304 never hides a session that has started or finished.
TIME_SLOT_SECONDS = 300

bp = Blueprint("api", __name__, url_prefix="/api")
errors.register(bp)
# Mounted here, at /api/oruk, so it shares the error shape, caching, CORS and compression.
bp.register_blueprint(oruk.bp)


def links() -> Links:
    return Links(
        api_root=absolute("api.v1_index"),
        site_root=site_root(),
    )


def time_dependent(view: Callable[..., Any]) -> Callable[..., Any]:
    """Mark a view whose answer depends on the time of day (it shows next sessions)."""
    view.time_dependent = True  # type: ignore[attr-defined]
    return view


def _etag_seed() -> str | None:
    """Build id, vocabulary version, address and (for time-dependent views) the time slot."""
    try:
        build = live().snapshot().build_id
    except NoIndex:
        build = "no-index"
    vocab = ""
    # The urgent help numbers are part of a search's answer: a corrected number is new content.
    data_dir = live().settings.data_dir
    for path in (vocabulary_path(data_dir), urgent_help_path(data_dir)):
        try:
            stat = os.stat(path)
            vocab += f"{stat.st_mtime_ns}-{stat.st_size};"
        except OSError:
            vocab += "-;"
    view = current_app.view_functions.get(request.endpoint or "")
    slot = int(time.time() // TIME_SLOT_SECONDS) if getattr(view, "time_dependent", False) else 0
    return f"{API_REVISION}|{build}|{vocab}|{slot}|{request.full_path}"


apihttp.install(bp, _etag_seed)


@bp.before_request
def _keep_to_the_document() -> None:
    """A one-value parameter given twice, or an empty whole number, is a 400 (see openapi)."""
    from views.openapi import openapi_document, query_parameter_types

    need_ids = tuple(live().vocabulary.needs)
    if need_ids not in _PARAMETER_TYPES:
        _PARAMETER_TYPES[need_ids] = query_parameter_types(openapi_document(need_ids))
    single, integers = _PARAMETER_TYPES[need_ids]
    for name in request.args:
        values = request.args.getlist(name)
        if name in single and len(values) > 1:
            raise ApiError(
                400,
                f"'{name}' is given more than once; give it once.",
                code="bad-parameter",
                parameter=name,
                allowed="one value",
            )
        if name in integers and not values[0].strip():
            raise ApiError(
                400,
                f"'{name}' is empty: give a whole number, or leave '{name}' out.",
                code="bad-parameter",
                parameter=name,
                allowed="a whole number",
            )


# By vocabulary (the need ids): worked out from the document once per needs list.
_PARAMETER_TYPES: dict[tuple[str, ...], tuple[frozenset[str], frozenset[str]]] = {}


# --------------------------------------------------------------------------- parameters


def allowed_values(param: str, need_ids: Iterable[str] = ()) -> str:
    """What a parameter accepts, in words, for the error's ``allowed`` field."""
    listed = {
        "radius": f"a number of miles from 0.1 to {MAX_RADIUS_MILES:g}",
        "age": "a whole number from 0 to 120",
        "page": f"a whole number from 1 to {MAX_PAGE}",
        "per_page": f"a whole number from 1 to {MAX_PER_PAGE}",
        "day": ", ".join(DAYS) + " (repeat the parameter or separate values with commas)",
        "access": ", ".join(ROUTES),
        "delivery": ", ".join(DELIVERY),
        "need": "need ids from /api/v1/needs: " + ", ".join(need_ids),
    }
    if param in FLAGS:
        return "true or false"
    return listed.get(param, "see /api/v1/openapi.json")


def bad_parameters(problems: list[ParamError], need_ids: Iterable[str] = ()) -> ApiError:
    first = problems[0]
    message = " ".join(problem.message for problem in problems)
    return ApiError(
        400,
        message,
        code="bad-parameter",
        parameter=first.param,
        allowed=allowed_values(first.param, need_ids),
    )


def page_links(total_pages: int, page: int) -> dict[str, str | None]:
    """Absolute links to this, the first, previous, next and last pages of a list."""
    args = request.args.to_dict(flat=False)

    def to(number: int) -> str:
        return absolute(request.endpoint or "", **{**args, "page": number})

    return {
        "self": to(page),
        "first": to(1),
        "prev": to(page - 1) if 1 < page <= total_pages + 1 else None,
        "next": to(page + 1) if page < min(total_pages, MAX_PAGE) else None,
        "last": to(min(total_pages, MAX_PAGE)),
    }


# --------------------------------------------------------------------------- endpoints


@bp.get("")
def index() -> Response:
    return json_response(
        {
            "name": current_app.config["SIGNPOST_SETTINGS"].site.service_name,
            "versions": {"v1": absolute("api.v1_index")},
            "open_referral_uk": absolute("api.oruk.root"),
        }
    )


@bp.get("/v1")
def v1_index() -> Response:
    root = absolute("api.v1_index")
    return json_response(
        {
            "version": "1",
            "links": {
                "services": f"{root}/services",
                "needs": f"{root}/needs",
                "coverage": f"{root}/coverage",
                "geocode": f"{root}/geocode",
                "openapi": f"{root}/openapi.json",
                "open_referral_uk": absolute("api.oruk.root"),
            },
        }
    )


@bp.get("/v1/services")
@time_dependent
def services() -> Response:
    reject_unknown(request.args, PARAMETERS)
    directory = live()
    vocab = directory.vocabulary
    need_ids = tuple(vocab.needs)
    parsed = parse_request(request.args, need_ids)
    if parsed.errors:
        error = bad_parameters(parsed.errors, need_ids)
        # Crisis words in a search with a bad parameter: the error still carries urgent help.
        panel = urgent_panel(parsed.request.text, directory.urgent_help, vocab)
        if panel is not None:
            error.extra["urgent"] = panel_dict(panel, absolute("site.urgent_help"))
        raise error
    snapshot = directory.snapshot()
    moment = now()
    response = directory.search(parsed.request, now=moment, snapshot=snapshot)
    if response.place_problem:
        raise ApiError(
            400,
            response.place_problem,
            code="place-not-found",
            parameter="near",
            allowed="a UK postcode (CT9 1EP), postcode district (CT9) or town name",
            suggestions=response.place_suggestions,
            **(
                {"urgent": panel_dict(response.urgent, absolute("site.urgent_help"))}
                if response.urgent
                else {}
            ),
        )
    count_search(response, "api")
    body = api_search(
        response,
        vocab,
        moment,
        links(),
        page_links(response.pages, parsed.request.page),
        stale_months=directory.settings.stale_months,
        lift_link=lambda changes: (
            absolute(request.endpoint or "") + wider_link(query_pairs(request.args), changes)
        ),
    )
    return json_response(body)


@bp.get("/v1/services/<listing_id>")
@time_dependent
def service(listing_id: str) -> Response:
    reject_unknown(request.args, ())
    directory = live()
    listing = directory.listing(listing_id)
    if listing is None:
        raise ApiError(
            404,
            f"There is no service with the id '{listing_id[:100]}'. Search for services at "
            "/api/v1/services.",
        )
    months = directory.settings.stale_months
    return json_response(api_listing(listing, directory.vocabulary, now(), links(), months))


@bp.get("/v1/needs")
def needs() -> Response:
    reject_unknown(request.args, ())
    directory = live()
    vocab = directory.vocabulary
    counts = directory.need_counts()
    root = absolute("api.v1_index")
    return json_response(
        {
            "needs": [
                {
                    "id": need.id,
                    "label": need.label,
                    "description": need.description,
                    "services": counts.get(need.id, 0),
                    "links": {"services": f"{root}/services?need={need.id}"},
                }
                for need in vocab.needs.values()
            ],
            "groups": [{"id": group.id, "label": group.label} for group in vocab.groups.values()],
        }
    )


@bp.get("/v1/coverage")
def coverage() -> Response:
    """Which areas and needs the directory covers (search.directory_coverage)."""
    reject_unknown(request.args, ())
    directory = live()
    labels = {need.id: need.label for need in directory.vocabulary.needs.values()}
    return json_response(coverage_json(directory.snapshot().coverage, labels))


@bp.get("/v1/geocode")
def geocode() -> Response:
    reject_unknown(request.args, ("place",))
    place = (request.args.get("place") or "").strip()
    allowed = "a UK postcode (CT9 1EP), postcode district (CT9) or town name"
    if not place:
        raise ApiError(
            400,
            "Say which place to look up, e.g. ?place=CT9 1EP.",
            code="bad-parameter",
            parameter="place",
            allowed=allowed,
        )
    if len(place) > MAX_PLACE_CHARS:
        raise ApiError(
            400,
            f"'place' must be at most {MAX_PLACE_CHARS} characters.",
            code="bad-parameter",
            parameter="place",
            allowed=allowed,
        )
    gazetteer = live().gazetteer
    found = gazetteer.resolve(place)
    if found is None:
        raise ApiError(
            404,
            f"We could not find '{place[:60]}'. Try a postcode (like CT9 1EP), the first half "
            "of one (like CT9) or a town name.",
            code="place-not-found",
            parameter="place",
            allowed=allowed,
            suggestions=list(gazetteer.suggest(place))[:5],
        )
    return json_response(place_dict(found, place))


@bp.get("/v1/openapi.json")
def openapi() -> Response:
    from views.openapi import openapi_document

    reject_unknown(request.args, ())
    return json_response(openapi_document(tuple(live().vocabulary.needs)))


_METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE"]


@bp.route("/", methods=_METHODS)
@bp.route("/<path:rest>", methods=_METHODS)
def not_found(rest: str = "") -> Response:
    """Anything else under /api: 405 if the address exists for GET, otherwise 404.

    Routing errors happen before Flask knows the blueprint, so without this catch-all they
    would get the site's HTML error pages instead of the API's JSON.
    """
    adapter = current_app.url_map.bind_to_environ(request.environ)
    try:
        endpoint, _args = adapter.match(method="GET")
    except (NotFound, MethodNotAllowed, RequestRedirect):
        endpoint = "api.not_found"
    if endpoint != "api.not_found" and request.method not in ("GET", "HEAD"):
        raise ApiError(
            405,
            f"{request.method} is not allowed here: the API is read-only, use GET.",
            headers={"Allow": apihttp.ALLOWED_METHODS},
        )
    raise ApiError(404, errors.MESSAGES[404])
