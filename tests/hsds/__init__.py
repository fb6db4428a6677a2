"""The HSDS 3.0 JSON Schemas in this folder, as validators (see README.md for their source)."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

from jsonschema import Draft202012Validator, FormatChecker
from referencing import Registry, Resource

HERE = Path(__file__).resolve().parent


@cache
def _registry() -> tuple[Registry, dict[str, dict]]:
    schemas = {
        path.stem: json.loads(path.read_text(encoding="utf-8")) for path in HERE.glob("*.json")
    }
    registry = Registry().with_resources(
        (schema["$id"], Resource.from_contents(schema)) for schema in schemas.values()
    )
    return registry, schemas


def validator(name: str) -> Draft202012Validator:
    """A validator for one object (``service``, ``page``, ...), checking formats such as uuid."""
    registry, schemas = _registry()
    return Draft202012Validator(schemas[name], registry=registry, format_checker=FormatChecker())


def errors(name: str, instance: object) -> list[str]:
    """Every way ``instance`` breaks the ``name`` schema, as 'path: message' lines."""
    return [
        f"{'/'.join(str(part) for part in error.absolute_path)}: {error.message}"
        for error in validator(name).iter_errors(instance)
    ]
