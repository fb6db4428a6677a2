"""Schemathesis hooks for tests/test_schemathesis_live.py (loaded via SCHEMATHESIS_HOOKS).

``valid_requests_accepted`` stands in for the built-in positive_data_acceptance check, which
cannot know that random text in ``near`` or ``postcode`` is not a UK town: a schema-valid
request may be refused only because the place it names was not found, or because
``end_time`` is not after ``start_time`` (a rule between two parameters that the document
can only say in words).
"""

from __future__ import annotations

import json

import schemathesis


@schemathesis.check
def valid_requests_accepted(ctx, response, case) -> bool | None:
    if case.meta is None or not case.meta.generation.mode.is_positive:
        return None
    if response.status_code == 400:
        error = json.loads(response.content)["error"]
        if error["code"] != "place-not-found" and not _between_parameters(error):
            raise AssertionError(f"valid request refused: {error}")
    return None


def _between_parameters(error: dict) -> bool:
    """A rule joining two parameters, which JSON Schema cannot state (end after start)."""
    return error.get("parameter") == "end_time" and "later than" in error["message"]
