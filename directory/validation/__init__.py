"""Listing rules, each a small function that explains a problem in a volunteer's words.

Every problem is reported (not just the first), each as ``path:line:column: message`` with
what to write instead. Validation is offline and side-effect free: it never saves anything,
never calls the network, and only builds :class:`Listing` objects for files that pass.

The package is split along its seams:

- ``reading``: find listing files, load them safely and gather one :class:`Report`;
- ``fields``: the field tables (which fields, which are required, examples, text limits);
- ``values``: value parsers (phone numbers, times, dates, email and web addresses);
- ``shapes``: the generic shapes of a file (groups of fields, text, lists, numbers);
- ``checks`` and ``sessions``: the listing's own rules, building the :class:`Listing`.
"""

from __future__ import annotations

from directory.listing_files import ID_PATTERN
from directory.validation.checks import PostcodeLookup
from directory.validation.fields import (
    ACCESS_FIELDS,
    CONTACT_FIELDS,
    COST_FIELDS,
    EXAMPLES,
    LOCATION_FIELDS,
    MAX_NEEDS,
    SESSION_FIELDS,
    TEXT_LIMITS,
    TOP_FIELDS,
    WHO_FOR_FIELDS,
)
from directory.validation.reading import (
    Report,
    check_loaded,
    find_listing_files,
    validate_file,
    validate_paths,
)
from directory.validation.values import (
    EMAIL_PATTERN,
    ISO_DATE_PATTERN,
    TIME_PATTERN,
    URL_PATTERN,
    parse_date,
    phone_problem,
    suggest_time,
)

__all__ = [
    "ACCESS_FIELDS",
    "CONTACT_FIELDS",
    "COST_FIELDS",
    "EMAIL_PATTERN",
    "EXAMPLES",
    "ID_PATTERN",
    "ISO_DATE_PATTERN",
    "LOCATION_FIELDS",
    "MAX_NEEDS",
    "SESSION_FIELDS",
    "TEXT_LIMITS",
    "TIME_PATTERN",
    "TOP_FIELDS",
    "URL_PATTERN",
    "WHO_FOR_FIELDS",
    "PostcodeLookup",
    "Report",
    "check_loaded",
    "find_listing_files",
    "parse_date",
    "phone_problem",
    "suggest_time",
    "validate_file",
    "validate_paths",
]
