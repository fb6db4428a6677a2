"""The API's OpenAPI 3.1 description, built from one Python structure.

It is generated rather than hand-written YAML so that the numbers in it (radius limits,
page sizes, day and route names, the vocabulary's need ids) are the very constants that
``parse_request`` checks against: the document cannot drift from the behaviour. The test
suite runs Schemathesis against the live app with this document to prove it.
"""

from __future__ import annotations

from typing import Any

from directory.model import DAYS, DELIVERY, ROUTES
from directory.oruk.export import NEEDS_TAXONOMY, term_uuid
from directory.urgent import NATIONS
from search.request import (
    DEFAULT_PER_PAGE,
    DEFAULT_RADIUS_MILES,
    MAX_PAGE,
    MAX_PER_PAGE,
    MAX_RADIUS_MILES,
)
from search.snapshot import FACET_NAMES

STRING = {"type": "string"}
NULLABLE_STRING = {"type": ["string", "null"]}
INTEGER = {"type": "integer"}
BOOLEAN = {"type": "boolean"}
NUMBER = {"type": "number"}
URL = {"type": "string", "format": "uri"}


def ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def obj(properties: dict[str, Any], *, optional: tuple[str, ...] = ()) -> dict[str, Any]:
    """A closed object: every listed property is required unless named in ``optional``."""
    return {
        "type": "object",
        "properties": properties,
        "required": [name for name in properties if name not in optional],
        "additionalProperties": False,
    }


def array(items: dict[str, Any]) -> dict[str, Any]:
    return {"type": "array", "items": items}


def nullable(schema: dict[str, Any]) -> dict[str, Any]:
    return {"oneOf": [schema, {"type": "null"}]}


def _schemas(need_ids: tuple[str, ...]) -> dict[str, Any]:
    id_label = obj({"id": STRING, "label": STRING})
    location = obj(
        {
            "name": STRING,
            "address": STRING,
            "postcode": STRING,
            "lat": {"type": ["number", "null"]},
            "lon": {"type": ["number", "null"]},
            "accessibility": array(id_label),
            "transport": STRING,
        }
    )
    result = {
        "id": STRING,
        "name": STRING,
        "organisation": STRING,
        "summary": STRING,
        "status": {"type": "string", "enum": ["active", "paused", "closed"]},
        "needs": array(id_label),
        "distance": nullable(ref("Distance")),
        "nearest_location": {"type": ["integer", "null"], "minimum": 0},
        "next_session": nullable(ref("NextSession")),
        "cost": ref("Cost"),
        "access": ref("Access"),
        "delivery": array({"type": "string", "enum": list(DELIVERY)}),
        "national": BOOLEAN,
        # Council areas, postcode districts or areas, or nations (docs/listing-format.md).
        "areas_served": array(STRING),
        "locations": array(location),
        "last_reviewed": {"type": "string", "format": "date"},
        # Who a restricted service is for ("" when anyone can come), when it was last
        # checked, and a warning when that is past the stale limit (else null).
        "who_for_text": {"type": "string", "examples": ["For men over 18"]},
        "checked": {"type": "string", "examples": ["Checked October 2026"]},
        "stale_warning": {
            "type": ["string", "null"],
            "examples": ["Not checked since August 2024: phone before you go"],
        },
        "links": ref("ServiceLinks"),
    }
    detail = {key: value for key, value in result.items() if key not in ("distance",)}
    del detail["nearest_location"]
    detail.update(
        description=STRING,
        area=STRING,
        who_for=obj(
            {
                "age_min": {"type": ["integer", "null"]},
                "age_max": {"type": ["integer", "null"]},
                "groups": array(id_label),
                "eligibility": STRING,
            }
        ),
        contact=obj({"phone": STRING, "email": STRING, "website": STRING}),
        schedule=array(
            obj(
                {
                    "days": array({"type": "string", "enum": list(DAYS)}),
                    "opens": STRING,
                    "closes": STRING,
                    "frequency": {"type": "string", "enum": ["weekly", "fortnightly", "monthly"]},
                    "weeks_of_month": array({"type": "integer", "minimum": 1, "maximum": 5}),
                    "notes": STRING,
                    "text": STRING,
                }
            )
        ),
        languages=array(obj({"code": STRING, "name": STRING})),
        reviewed_by=STRING,
    )
    page_links = obj(
        {
            "self": URL,
            "first": URL,
            "prev": {"type": ["string", "null"]},
            "next": {"type": ["string", "null"]},
            "last": URL,
        }
    )
    hsds_page = {
        "type": "object",
        "properties": {
            "total_items": {"type": "integer", "minimum": 0},
            "total_pages": {"type": "integer", "minimum": 1},
            "page_number": {"type": "integer", "minimum": 1},
            "size": {"type": "integer", "minimum": 0},
            "first_page": BOOLEAN,
            "last_page": BOOLEAN,
            "empty": BOOLEAN,
            "contents": array({"type": "object"}),
        },
        "required": [
            "total_items",
            "total_pages",
            "page_number",
            "size",
            "first_page",
            "last_page",
            "empty",
            "contents",
        ],
    }
    return {
        "Error": obj(
            {
                "error": obj(
                    {
                        "status": {"type": "integer", "minimum": 400, "maximum": 599},
                        "code": STRING,
                        "message": STRING,
                        "parameter": STRING,
                        "allowed": STRING,
                        "suggestions": array(STRING),
                        "urgent": ref("Urgent"),
                    },
                    optional=("parameter", "allowed", "suggestions", "urgent"),
                )
            }
        ),
        "Distance": obj({"miles": NUMBER, "km": NUMBER}),
        **_urgent_schemas(),
        "NextSession": obj(
            {
                "date": {"type": "string", "format": "date"},
                "day": STRING,
                "opens": STRING,
                "closes": STRING,
                "running_now": BOOLEAN,
                "check_week": BOOLEAN,
                "text": STRING,
            }
        ),
        "Cost": obj({"free": BOOLEAN, "amount": STRING, "details": STRING, "text": STRING}),
        "Access": obj(
            {
                "routes": array({"type": "string", "enum": list(ROUTES)}),
                "labels": array(STRING),
                "how_to_access": STRING,
                "booking_required": BOOLEAN,
            }
        ),
        "ServiceLinks": obj({"self": URL, "html": URL, "oruk": URL}),
        "Result": obj(result),
        "Service": obj(detail),
        "Place": obj(
            {
                "query": STRING,
                "label": STRING,
                "kind": STRING,
                "lat": NUMBER,
                "lon": NUMBER,
                "district": STRING,
                "country": STRING,
                "note": STRING,
            }
        ),
        "SearchResults": obj(
            {
                "query": obj(
                    {
                        "q": STRING,
                        "exact": BOOLEAN,
                        "near": STRING,
                        "radius": NUMBER,
                        "free": BOOLEAN,
                        "step_free": BOOLEAN,
                        "day": array(STRING),
                        "open_now": BOOLEAN,
                        "age": {"type": ["integer", "null"]},
                        "access": array(STRING),
                        "delivery": array(STRING),
                        "need": array(STRING),
                        "local_only": BOOLEAN,
                        "page": INTEGER,
                        "per_page": INTEGER,
                    }
                ),
                "total": {"type": "integer", "minimum": 0},
                "page": INTEGER,
                "per_page": INTEGER,
                "pages": {"type": "integer", "minimum": 1},
                "results": array(ref("Result")),
                "facets": {
                    "type": "object",
                    "properties": {
                        name: {"type": "object", "additionalProperties": INTEGER}
                        for name in FACET_NAMES
                    },
                    "additionalProperties": False,
                },
                "location": nullable(ref("Place")),
                "urgent": nullable(ref("Urgent")),
                "did_you_mean": NULLABLE_STRING,
                "search_instead": NULLABLE_STRING,
                "unclear": nullable(
                    obj({"message": STRING, "browse": obj({"self": STRING, "html": STRING})})
                ),
                "interpreted": obj({"text": STRING, "needs": array(id_label)}),
                "wider": array(
                    obj({"description": STRING, "count": INTEGER, "changes": {"type": "object"}})
                ),
                # A stated need the filters or distance left with nothing ("No diabetes
                # group meets on Tuesday."), with the search that lifts it (null: none would).
                "missing": array(
                    obj(
                        {
                            "need": STRING,
                            "text": STRING,
                            "action": STRING,
                            "changes": {"type": "object"},
                            "count": INTEGER,
                            "link": NULLABLE_STRING,
                        }
                    )
                ),
                # With a place: listings with a venue within the radius (null: no place);
                # when 0, the areas the directory has local listings in.
                "local_services_nearby": {"type": ["integer", "null"], "minimum": 0},
                "covered_areas": array(
                    obj({"name": STRING, "districts": array(STRING), "text": STRING})
                ),
                "build_id": STRING,
                "timed_out": BOOLEAN,
                "links": page_links,
            }
        ),
        "Needs": obj(
            {
                "needs": array(
                    obj(
                        {
                            "id": {"type": "string", "enum": list(need_ids)}
                            if need_ids
                            else STRING,
                            "label": STRING,
                            "description": STRING,
                            "services": {"type": "integer", "minimum": 0},
                            "links": obj({"services": URL}),
                        }
                    )
                ),
                "groups": array(id_label),
            }
        ),
        "Index": {"type": "object"},
        "Coverage": _coverage_schema(),
        "HsdsPage": hsds_page,
        "HsdsService": {
            "type": "object",
            "description": "A fully nested HSDS 3.0 service (Open Referral UK profile).",
            "properties": {
                "id": {"type": "string", "format": "uuid"},
                "signpost_id": STRING,
                "name": STRING,
                "status": {
                    "type": "string",
                    "enum": ["active", "inactive", "defunct", "temporarily closed"],
                },
            },
            "required": ["id", "name", "status"],
        },
        "HsdsRoot": obj({"version": STRING, "profile": STRING, "openapi_url": URL}),
        "HsdsObject": {
            "type": "object",
            "description": "An HSDS 3.0 object (Open Referral UK profile) with its UUID.",
            "properties": {"id": STRING},
            "required": ["id"],
        },
    }


def _coverage_schema() -> dict[str, Any]:
    """/api/v1/coverage: open services per area (folder, served area, national) and need."""
    count = {"type": "integer", "minimum": 0}
    need_count = obj({"id": STRING, "label": STRING, "services": count})
    area = obj(
        {
            "id": STRING,
            "name": STRING,
            "services": count,
            "with_venue": count,
            "needs": array(need_count),
            "needs_missing": array(STRING),
        }
    )
    return obj(
        {
            "services": count,
            "areas": array(area),
            "areas_served": array(area),
            "national": area,
            "needs": array(need_count),
        }
    )


def _urgent_schemas() -> dict[str, Any]:
    """Urgent help (data/urgent-help.yaml): present when the words name a crisis."""
    nation = {"type": ["string", "null"], "enum": [*NATIONS, None]}
    line = obj(
        {
            "id": STRING,
            "name": STRING,
            "call": NULLABLE_STRING,
            "call_link": NULLABLE_STRING,
            "text": NULLABLE_STRING,
            "text_word": NULLABLE_STRING,
            "text_link": NULLABLE_STRING,
            "about": STRING,
            "hours": NULLABLE_STRING,
            "nations": array({"type": "string", "enum": list(NATIONS)}),
            "source": URL,
        }
    )
    urgent = obj(
        {
            "topics": array(obj({"id": STRING, "label": STRING, "advice": STRING})),
            "nation": nation,
            "nation_label": NULLABLE_STRING,
            "groups": array(
                obj({"nation": nation, "label": STRING, "lines": array(ref("UrgentLine"))})
            ),
            "last_reviewed": {"type": "string", "format": "date"},
            "links": obj({"html": URL}),
        },
        optional=("links",),
    )
    urgent["description"] = (
        "Help lines to show before any result, because the words name a crisis (suicide or "
        "self-harm, danger at home, a medical emergency, nowhere to sleep tonight). Lines "
        "for the whole UK come first, then the nation of the place searched (every nation "
        "when no place is given). Null when the words name no crisis."
    )
    return {"Urgent": urgent, "UrgentLine": line}


# A time of day as the ORUK filters read it: hours 0-23, minutes 0-59, optional seconds and
# UTC offset (what directory.oruk.fields.clock accepts).
CLOCK_TIME = {
    "type": "string",
    "pattern": r"^\s*([01]?\d|2[0-3]):[0-5]\d(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?\s*$",
}


def _param(
    name: str, schema: dict[str, Any], description: str, *, required: bool = False
) -> dict[str, Any]:
    found: dict[str, Any] = {
        "name": name,
        "in": "query",
        "required": required,
        "description": description,
        "schema": schema,
    }
    if not required and schema.get("type") != "integer":
        # Lenient as the site's forms: `?day=` is the same as leaving `day` out. (Not said of
        # whole numbers: Schemathesis would then also offer "30.0" as one.)
        found["allowEmptyValue"] = True
    if schema.get("type") == "array":
        found.update(style="form", explode=True)
    return found


def query_parameter_types(document: dict[str, Any]) -> tuple[frozenset[str], frozenset[str]]:
    """(names that take one value everywhere, names that are whole numbers everywhere).

    The API refuses a one-value parameter given twice (``?page=1&page=x``) rather than
    quietly using the first, and an empty whole number (``?age=``), which the document does
    not allow, so a request that breaks the document is never answered as if it kept to it.
    """
    types: dict[str, set[str]] = {}
    for item in document["paths"].values():
        operation = item.get("get", {})
        for parameter in [*item.get("parameters", []), *operation.get("parameters", [])]:
            if parameter.get("in") == "query":
                kind = parameter.get("schema", {}).get("type", "")
                types.setdefault(parameter["name"], set()).add(kind)
    single = frozenset(name for name, kinds in types.items() if "array" not in kinds)
    integers = frozenset(name for name, kinds in types.items() if kinds == {"integer"})
    return single, integers


def _responses(ok: str, description: str, *errors: int) -> dict[str, Any]:
    words = {
        400: "A parameter is wrong: `parameter` names it and `allowed` says what it accepts.",
        404: "Not found.",
        429: "Too many requests: wait (see Retry-After) and try again.",
        500: "Something went wrong on the server.",
        503: "The directory's search index has not been built yet.",
    }
    error = {"application/json": {"schema": ref("Error")}}
    headers = {
        "ETag": {"schema": STRING, "description": "Changes when the directory is rebuilt."},
        "Cache-Control": {"schema": STRING},
    }
    found: dict[str, Any] = {
        "200": {
            "description": description,
            "headers": headers,
            "content": {"application/json": {"schema": ref(ok)}},
        },
        "304": {"description": "Not modified (the If-None-Match ETag still matches)."},
    }
    # Every endpoint rejects unknown parameters with a 400.
    for status in sorted({400, *errors, 429, 500, 503}):
        found[str(status)] = {"description": words[status], "content": error}
    # Answered by the web server (gunicorn) before the app sees the request, as a short HTML
    # page: a request line over 4 KB.
    found["414"] = {
        "description": "The address is too long (over 4,094 characters with the method).",
        "content": {"text/html": {"schema": STRING}},
    }
    return found


def _page_params() -> list[dict[str, Any]]:
    return [
        _param(
            "page", {"type": "integer", "minimum": 1, "maximum": MAX_PAGE, "default": 1}, "Page."
        ),
        _param(
            "per_page",
            {"type": "integer", "minimum": 1, "maximum": MAX_PER_PAGE},
            "Results per page.",
        ),
    ]


def openapi_document(need_ids: tuple[str, ...]) -> dict[str, Any]:
    """The whole document; ``need_ids`` are the vocabulary's needs (the ``need`` values)."""
    days = {"type": "string", "enum": list(DAYS)}
    search_params = [
        _param("q", STRING, "What the person needs, in their own words, e.g. 'lonely'."),
        _param(
            "exact",
            BOOLEAN,
            "Take the words in q exactly as typed, with no typo correction (what "
            "search_instead offers when a correction was a guess).",
        ),
        _param(
            "near",
            {"type": "string", "maxLength": 100},
            "A UK postcode, postcode district or town. Unknown places are a 400 error.",
        ),
        _param(
            "radius",
            {
                "type": "number",
                "minimum": 0.1,
                "maximum": MAX_RADIUS_MILES,
                "default": DEFAULT_RADIUS_MILES,
            },
            "Miles from `near`.",
        ),
        _param("free", BOOLEAN, "Free services only."),
        _param("step_free", BOOLEAN, "Step-free access only."),
        _param("day", {"type": "array", "items": days}, "Days it runs (any of them)."),
        _param("open_now", BOOLEAN, "Running now (UK time)."),
        _param("age", {"type": "integer", "minimum": 0, "maximum": 120}, "The person's age."),
        _param(
            "access",
            {"type": "array", "items": {"type": "string", "enum": list(ROUTES)}},
            "How people can start.",
        ),
        _param(
            "delivery",
            {"type": "array", "items": {"type": "string", "enum": list(DELIVERY)}},
            "How it is run.",
        ),
        _param(
            "need",
            {
                "type": "array",
                "items": {"type": "string", "enum": list(need_ids)} if need_ids else STRING,
            },
            "Need ids from /api/v1/needs (any of them).",
        ),
        _param("local_only", BOOLEAN, "Leave out online, phone and national services."),
        *_page_params(),
    ]
    search_params[-1]["schema"]["default"] = DEFAULT_PER_PAGE
    term_values = [term_uuid(NEEDS_TAXONOMY, need) for need in need_ids] + list(need_ids)
    terms = {
        "type": "array",
        "items": {"type": "string", "enum": term_values} if need_ids else STRING,
    }
    oruk_params = [
        _param("text", STRING, "Free text."),
        _param("search", STRING, "Free text (the HSDS name for `text`)."),
        _param(
            "postcode", {"type": "string", "maxLength": 100}, "Postcode (or town) to search near."
        ),
        _param(
            "proximity",
            {"type": "integer", "minimum": 1, "maximum": int(MAX_RADIUS_MILES * 1609.344)},
            "Metres from `postcode`.",
        ),
        {
            **_param("taxonomy_id", terms, "Taxonomy term ids (or need codes), comma-separated."),
            "explode": False,
        },
        {**_param("taxonomy_term_id", terms, "Same as `taxonomy_id`."), "explode": False},
        _param("minimum_age", {"type": "integer", "minimum": 0, "maximum": 120}, "Youngest age."),
        _param("maximum_age", {"type": "integer", "minimum": 0, "maximum": 120}, "Oldest age."),
        {
            **_param(
                "day",
                {
                    "type": "array",
                    "items": {"type": "string", "enum": ["MO", "TU", "WE", "TH", "FR", "SA", "SU"]},
                },
                "Days it runs (RFC 5545 codes, comma-separated; any of them).",
            ),
            "explode": False,
        },
        _param(
            "start_time",
            CLOCK_TIME,
            "Only services with a session still running after this time (HH:MM, 24-hour).",
        ),
        _param(
            "end_time",
            CLOCK_TIME,
            "Only services with a session starting before this time (HH:MM, 24-hour); "
            "earlier than start_time means a window past midnight.",
        ),
        _param(
            "modified_after",
            {"type": "string", "format": "date-time"},
            "Only services checked (last_reviewed, shown as assured_date) on or after this.",
        ),
        *_page_params(),
    ]
    id_param = {
        "name": "id",
        "in": "path",
        "required": True,
        "schema": {"type": "string", "minLength": 1, "maxLength": 200},
    }

    def get(
        summary: str, params: list[Any], responses: dict[str, Any], operation_id: str
    ) -> dict[str, Any]:
        return {
            "get": {
                "summary": summary,
                "operationId": operation_id,
                "parameters": params,
                "responses": responses,
            }
        }

    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Signpost API",
            "version": "1",
            "description": (
                "Community services for social prescribing: search, service details, needs "
                "and place lookup (v1), and the same directory as Open Referral UK (HSDS "
                "3.0). Read-only, open, CORS-enabled; responses carry an ETag and may be "
                "cached for 5 minutes. Every error has the `Error` shape."
            ),
            "license": {"name": "MIT", "identifier": "MIT"},
        },
        "servers": [{"url": "/"}],
        "paths": {
            "/api/v1/services": get(
                "Search for services",
                search_params,
                _responses("SearchResults", "Matching services, best first.", 400),
                "searchServices",
            ),
            "/api/v1/services/{id}": {
                "parameters": [id_param],
                **get(
                    "One service, in full",
                    [],
                    _responses("Service", "The service.", 404),
                    "getService",
                ),
            },
            "/api/v1/needs": get(
                "The needs services are tagged with, and how many services meet each",
                [],
                _responses("Needs", "Every need, in vocabulary order.", 400),
                "listNeeds",
            ),
            "/api/v1/coverage": get(
                "Which areas the directory covers: services per area and per need",
                [],
                _responses("Coverage", "Counts of open services, computed once per build.", 400),
                "getCoverage",
            ),
            "/api/v1/geocode": get(
                "Where a postcode, district or town is",
                [
                    _param(
                        "place",
                        # Something besides spaces: the place is read without them.
                        {"type": "string", "minLength": 1, "maxLength": 100, "pattern": r"\S"},
                        "A UK postcode, postcode district or town.",
                        required=True,
                    )
                ],
                _responses("Place", "The place found.", 400, 404),
                "geocode",
            ),
            "/api/oruk/": get(
                "Open Referral UK: version and profile",
                [],
                _responses("HsdsRoot", "Which HSDS version and profile this feed follows."),
                "orukRoot",
            ),
            "/api/oruk/services": get(
                "Open Referral UK: search services (HSDS page of services)",
                oruk_params,
                _responses("HsdsPage", "A page of fully nested HSDS services.", 400),
                "orukServices",
            ),
            "/api/oruk/services/{id}": {
                "parameters": [
                    {
                        **id_param,
                        "description": "The HSDS service id (a UUID) or the Signpost id.",
                    }
                ],
                **get(
                    "Open Referral UK: one service",
                    [],
                    _responses("HsdsService", "A fully nested HSDS service.", 404),
                    "orukService",
                ),
            },
            "/api/oruk/taxonomies": get(
                "Open Referral UK: the taxonomies services are tagged from",
                _page_params(),
                _responses("HsdsPage", "A page of taxonomies.", 400),
                "orukTaxonomies",
            ),
            "/api/oruk/taxonomy_terms": get(
                "Open Referral UK: the taxonomy terms (needs and groups)",
                _page_params(),
                _responses("HsdsPage", "A page of taxonomy terms.", 400),
                "orukTaxonomyTerms",
            ),
            "/api/oruk/service_at_locations": get(
                "Open Referral UK: each matching service at each of its venues (and online)",
                oruk_params,
                _responses("HsdsPage", "A page of services-at-locations, best first.", 400),
                "orukServiceAtLocations",
            ),
            **{
                path: {
                    "parameters": [{**id_param, "description": description}],
                    **get(summary, [], _responses("HsdsObject", answer, 404), operation),
                }
                for path, description, summary, answer, operation in (
                    (
                        "/api/oruk/service_at_locations/{id}",
                        "The HSDS service_at_location id (a UUID).",
                        "Open Referral UK: one service at one location",
                        "A service-at-location with its location and full service.",
                        "orukServiceAtLocation",
                    ),
                    (
                        "/api/oruk/organizations/{id}",
                        "The HSDS organization id (a UUID).",
                        "Open Referral UK: one organization and its services",
                        "An organization with its services, fully nested.",
                        "orukOrganization",
                    ),
                    (
                        "/api/oruk/taxonomies/{id}",
                        "The taxonomy id (a UUID) or its name: signpost-needs, signpost-groups.",
                        "Open Referral UK: one taxonomy",
                        "A taxonomy.",
                        "orukTaxonomy",
                    ),
                    (
                        "/api/oruk/taxonomy_terms/{id}",
                        "The taxonomy term id (a UUID) or its code, such as loneliness.",
                        "Open Referral UK: one taxonomy term (a need or a group)",
                        "A taxonomy term.",
                        "orukTaxonomyTerm",
                    ),
                )
            },
            "/api/oruk/organizations": get(
                "Open Referral UK: the organizations that run listed services",
                _page_params(),
                _responses("HsdsPage", "A page of organizations, by name.", 400),
                "orukOrganizations",
            ),
        },
        "components": {"schemas": _schemas(need_ids)},
    }
