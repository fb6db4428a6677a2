"""Open Referral UK (HSDS 3.0, UK profile): Signpost's listings out as open data, and
councils' feeds in as listing files.

Both directions live here because they must agree: export then import gives back the same
listing, and importing the same feed twice changes nothing. What callers need is below;
the modules hold the parts (``export`` for the HSDS objects and ids the ``/api/oruk``
endpoints build on).
"""

from directory.oruk.export import directory_to_hsds, service_to_hsds
from directory.oruk.mapping import (
    DEFAULT_REVIEWED_BY,
    ImportedListing,
    ImportResult,
    import_document,
    service_to_listing,
)
from directory.oruk.read import NotHSDSError
from directory.oruk.spreadsheet import listings_to_csv
from directory.oruk.write import Planned, apply_plan, listing_yaml, plan_import, uncommitted_files

__all__ = [
    "DEFAULT_REVIEWED_BY",
    "ImportResult",
    "ImportedListing",
    "NotHSDSError",
    "Planned",
    "apply_plan",
    "directory_to_hsds",
    "import_document",
    "listing_yaml",
    "listings_to_csv",
    "plan_import",
    "service_to_hsds",
    "service_to_listing",
    "uncommitted_files",
]
