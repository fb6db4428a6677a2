"""The official Open Referral schemas in this folder, as validators (sources in README.md).

Responses are checked against exactly what the Open Referral UK profile's OpenAPI document
says each endpoint returns: its response schemas refer to the compiled schemas by their
published addresses, which are mapped here to the copies in this folder, so nothing is
fetched.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator, FormatChecker
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

HERE = Path(__file__).resolve().parent
UK_BASE = "https://raw.githubusercontent.com/openreferral/uk-profile/main/schema/"
HSDS_BASE = "https://raw.githubusercontent.com/openreferral/specification/3.0/schema/"
OPENAPI = "https://signpost.invalid/uk-profile/openapi.json"


def _load(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))


@cache
def _registry() -> Registry:
    resources = []
    for folder, base in ((HERE / "uk-profile", UK_BASE), (HERE / "hsds-3.0", HSDS_BASE)):
        for path in folder.rglob("*.json"):
            if path.name == "openapi.json":
                continue
            uri = base + path.relative_to(folder).as_posix()
            resources.append((uri, DRAFT202012.create_resource(_load(path))))
    openapi = _load(HERE / "uk-profile" / "openapi.json")
    resources.append((OPENAPI, Resource.from_contents(openapi, DRAFT202012)))
    return Registry().with_resources(resources)


def _response_schema(path: str) -> dict[str, Any]:
    """The 200 response schema the UK profile's OpenAPI document gives for ``path``."""
    openapi = _load(HERE / "uk-profile" / "openapi.json")
    schema = openapi["paths"][path]["get"]["responses"]["200"]["content"]["application/json"]
    return _rebase(schema["schema"])


def _rebase(node: Any) -> Any:
    """Point the document's own "#/components/..." refs at the OpenAPI resource."""
    if isinstance(node, dict):
        return {
            key: (OPENAPI + value if key == "$ref" and value.startswith("#") else _rebase(value))
            for key, value in node.items()
        }
    if isinstance(node, list):
        return [_rebase(item) for item in node]
    return node


def _part(uri: str, *keys: str) -> dict[str, Any]:
    """A sub-schema of one compiled schema, e.g. a service's schedules' items."""
    node: Any = {"$ref": uri}
    for key in keys:
        node = {"$ref": f"{node['$ref']}{'#' if '#' not in node['$ref'] else ''}/{key}"}
    return node


SCHEMAS: dict[str, dict[str, Any]] = {
    # What an endpoint returns, straight from the profile's OpenAPI document.
    "page": _response_schema("/services"),
    "service": _response_schema("/services/{id}"),
    "service_at_location_page": _response_schema("/service_at_locations"),
    "taxonomies_page": _response_schema("/taxonomies"),
    "taxonomy": _response_schema("/taxonomies/{id}"),
    "taxonomy_term_page": _response_schema("/taxonomy_terms"),
    "taxonomy_term": _response_schema("/taxonomy_terms/{id}"),
    # The profile's document names compiled/service.json for /service_at_locations/{id}, an
    # evident slip: a service-at-location is checked against its own compiled schema.
    "service_at_location": {"$ref": UK_BASE + "compiled/service_at_location.json"},
    "organization": {"$ref": UK_BASE + "compiled/organization.json"},
    "organization_list": {"$ref": UK_BASE + "compiled/organization_list.json"},
    # Parts, for focused tests.
    "location": _part(UK_BASE + "compiled/service_at_location.json", "properties", "location"),
    "schedule": _part(UK_BASE + "compiled/service.json", "properties", "schedules", "items"),
    # HSDS 3.0 itself (the UK profile narrows it): a service must pass both.
    "hsds_service": {"$ref": HSDS_BASE + "compiled/service.json"},
}


def validator(name: str) -> Draft202012Validator:
    """A validator for one schema above, checking formats such as uuid and uri."""
    return Draft202012Validator(SCHEMAS[name], registry=_registry(), format_checker=FormatChecker())


def errors(name: str, instance: object) -> list[str]:
    """Every way ``instance`` breaks the ``name`` schema, as 'path: message' lines."""
    return [
        f"{'/'.join(str(part) for part in error.absolute_path)}: {error.message}"
        for error in validator(name).iter_errors(instance)
    ]
