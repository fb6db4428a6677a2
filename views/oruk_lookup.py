"""Open Referral UK's ids and groupings, worked out once per index build.

HSDS names everything by UUID (services, organisations, services-at-locations), while the
index knows listings by their readable ids. These lookups turn one into the other; each is
made once per build and kept on the build's :class:`~search.snapshot.Snapshot`, so a request
never decodes the whole directory (at 10,000 listings that took 1.6-2.5 s a request).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from directory.model import Listing
from directory.oruk.export import hsds_id, organization_uuid, service_uuid
from search.snapshot import Snapshot


@dataclass(frozen=True)
class SiteAtLocation:
    """One service-at-location: a listing at one of its venues, or online."""

    uuid: str
    docnum: int
    listing_id: str
    index: int | None  # the venue's place in listing.locations; None for online


@dataclass(frozen=True)
class OrukLookup:
    services: dict[str, str]  # service UUID -> listing id
    organisations: dict[str, str]  # organisation UUID -> name
    organisation_services: dict[str, tuple[str, ...]]  # organisation UUID -> listing ids
    sites: dict[str, SiteAtLocation]  # service_at_location UUID -> where
    sites_by_doc: dict[int, tuple[SiteAtLocation, ...]]  # document -> its sites, in order


def site_keys(listing: Listing) -> list[tuple[str, int | None]]:
    """The keys ``directory.oruk.export`` gives a listing's services-at-locations, in its order."""
    keys: list[tuple[str, int | None]] = [
        (f"{listing.id}:{index}", index) for index in range(len(listing.locations))
    ]
    if "online" in listing.delivery and listing.contact.website:
        keys.append((f"{listing.id}:online", None))
    return keys


def _make(snapshot: Snapshot) -> OrukLookup:
    services = {service_uuid(listing_id): listing_id for listing_id in snapshot.facets.ids}
    organisations: dict[str, str] = {}
    members: dict[str, list[str]] = defaultdict(list)
    sites: dict[str, SiteAtLocation] = {}
    by_doc: dict[int, tuple[SiteAtLocation, ...]] = {}
    for docnum in range(snapshot.count):
        listing = _listing(snapshot.payload(docnum))
        org = organization_uuid(listing.organisation)
        organisations.setdefault(org, listing.organisation)
        members[org].append(listing.id)
        found = []
        for key, index in site_keys(listing):
            site = SiteAtLocation(hsds_id("service_at_location", key), docnum, listing.id, index)
            sites[site.uuid] = site
            found.append(site)
        by_doc[docnum] = tuple(found)
    ordered = dict(sorted(organisations.items(), key=lambda item: (item[1].lower(), item[0])))
    return OrukLookup(
        services,
        ordered,
        {org: tuple(sorted(ids)) for org, ids in members.items()},
        sites,
        by_doc,
    )


def _listing(payload: dict[str, Any]) -> Listing:
    from directory.serialise import listing_from_dict

    return listing_from_dict(payload)


def lookup(snapshot: Snapshot) -> OrukLookup:
    """This build's lookups, made on first use."""
    return snapshot.derived("oruk-lookup", _make)
