"""Open Referral UK / HSDS JSON in, listings out: how a council seeds a directory.

Councils already hold their services in Open Referral UK feeds. This module maps each HSDS
service to a listing in the documented listing format (docs/listing-format.md) as far as the
data allows. Nothing is silently invented: every value that had to be guessed is recorded
(and written as a ``# guessed:`` comment in the YAML), and everything that could not be
mapped is reported per service in plain words ("no postcode; add one"). The command line
then runs the real validator over what was written, so a listing is only ever "imported"
when Signpost itself would accept it.

Mapping is pure (document in, listings and messages out); :mod:`directory.oruk.write`
decides where each listing goes on disk and writes it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from directory.oruk.fields import (
    access_from,
    contact_from,
    cost_from,
    language_from,
    review_date,
    session_from,
)
from directory.oruk.guesses import match_needs
from directory.oruk.read import plain, records, sentence_cut, services_in, slug
from directory.oruk.venues import locations_from, service_areas, signpost_delivery
from directory.validation import ID_PATTERN, PostcodeLookup
from directory.vocabulary import Vocabulary

DEFAULT_REVIEWED_BY = "Imported from Open Referral UK data"
_STATUS = {
    "active": "active",
    "temporarily closed": "paused",
    "inactive": "closed",
    "defunct": "closed",
}


@dataclass
class ImportedListing:
    """One HSDS service mapped to a listing, with what was guessed and what was left out."""

    id: str
    label: str  # how messages name the service: its name, or its HSDS id
    source_id: str  # the HSDS service id, if any
    data: dict[str, Any]
    signpost_id: str = ""  # set when the feed is Signpost's own export: the listing's id
    guesses: dict[str, str] = field(default_factory=dict)  # field path -> why
    notes: list[str] = field(default_factory=list)  # what could not be mapped

    def messages(self) -> list[str]:
        """What could not be mapped, each naming the service, as the command line prints it."""
        return [f"service {self.label}: {note}" for note in self.notes]


@dataclass
class ImportResult:
    """Every service of one document mapped, with ids unique within it."""

    listings: list[ImportedListing]
    problems: list[str] = field(default_factory=list)  # about the document, not one service


def service_to_listing(  # noqa: C901 - field by field in the listing's order, each noting its guesses
    service: dict[str, Any],
    vocab: Vocabulary,
    *,
    today: date,
    reviewed_by: str = DEFAULT_REVIEWED_BY,
    keep_reviewer: bool = True,
    organisations: dict[str, Any] | None = None,
    locations: dict[str, Any] | None = None,
    gazetteer: PostcodeLookup | None = None,
) -> ImportedListing:
    """Map one HSDS service to a listing dict in the documented field order.

    ``reviewed_by`` names the reviewer for feeds that do not say; a Signpost export's own
    ``signpost_reviewed_by`` is kept unless ``keep_reviewer`` is false.
    """
    organisations = organisations or {}
    locations = locations or {}
    name = plain(service.get("name"))
    source_id = plain(service.get("id"))
    label = f"'{name}'" if name else (source_id or "(no name)")
    signpost_id = plain(service.get("signpost_id"))
    listing_id = signpost_id if ID_PATTERN.match(signpost_id) else slug(name or source_id)
    item = ImportedListing(id=listing_id, label=label, source_id=source_id, data={})
    if listing_id == signpost_id:
        item.signpost_id = signpost_id
    data, guesses, notes = item.data, item.guesses, item.notes

    if name:
        data["name"] = name
    else:
        notes.append("no name; add one")
    organisation = service.get("organization")
    if not isinstance(organisation, dict):
        organisation = organisations.get(plain(service.get("organization_id")), {})
    org_name = plain(organisation.get("name"))
    if org_name:
        data["organisation"] = org_name
    else:
        notes.append("no organisation; add who runs it")
    description = plain(service.get("description"))
    if len(description) > 2000:
        description = sentence_cut(description, 2000)
        guesses["description"] = "shortened to 2000 characters: check it still reads well"
        notes.append("description was longer than 2000 characters and was shortened")
    if description:
        data["description"] = description
    else:
        notes.append("no description; write one (20 to 2000 characters)")
    status = plain(service.get("status")).lower()
    data["status"] = _STATUS.get(status, "active")
    if status not in _STATUS:
        guesses["status"] = "the data gives no status we know"

    needs, groups, needs_guessed, unmapped_terms = match_needs(service, vocab)
    data["needs"] = needs
    if needs_guessed:
        guesses["needs"] = "from the name and description: check"
    if not needs:
        notes.append("no needs matched; add 1 to 8 need ids from data/needs.yaml")
    for term in unmapped_terms:
        notes.append(f"taxonomy term '{term}' is not a Signpost need; left out")

    who_for: dict[str, Any] = {}
    ages = {}
    for key, target in (("minimum_age", "age_min"), ("maximum_age", "age_max")):
        value = service.get(key)
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            if 0 <= value <= 120:
                ages[target] = int(round(value))
            else:
                notes.append(f"{key} {value:g} is not an age from 0 to 120; left out")
    if "age_min" in ages and "age_max" in ages and ages["age_max"] < ages["age_min"]:
        notes.append("maximum_age is lower than minimum_age; ages left out")
        ages = {}
    who_for.update(ages)
    if groups:
        who_for["groups"] = groups
    eligibility = plain(service.get("eligibility_description"))
    eligibility = re.sub(r"^Especially for: [^.]*\.\s*", "", eligibility) if groups else eligibility
    if eligibility:
        who_for["eligibility"] = sentence_cut(eligibility, 1000)
    if who_for:
        data["who_for"] = who_for

    routes, how, booking, routes_guessed = access_from(plain(service.get("application_process")))
    access: dict[str, Any] = {"routes": routes}
    if routes_guessed:
        guesses["access.routes"] = "from the application process: check"
    if not how:
        how = "Contact the service to find out how to join."
        guesses["access.how_to_access"] = "the data does not say how to start"
        notes.append("no application_process; say how to start in access.how_to_access")
    access["how_to_access"] = sentence_cut(how, 1000)
    if booking:
        access["booking_required"] = True
    data["access"] = access

    cost, cost_reason = cost_from(service)
    data["cost"] = cost
    if cost_reason:
        guesses["cost"] = cost_reason
        if cost.get("amount") == "Ask the service":
            notes.append("no cost given; say whether it is free in cost")

    contact = contact_from(service, organisation, signpost_id, notes)
    data["contact"] = contact

    venues, online, sessions = locations_from(service, locations, notes, gazetteer)
    delivery = (["in-person"] if venues else []) + (["online"] if online else [])
    if not venues and not online:
        # Nothing says how it is run: a phone number suggests a phone service.
        delivery = ["phone"] if contact.get("phone") else ["online"]
        guesses["delivery"] = "no venue in the data: add locations if it meets in person"
        shown = "a phone" if delivery == ["phone"] else "an online"
        notes.append(
            f"no venue with an address, so it is listed as {shown} service; add locations "
            "if it meets in person"
        )
    national, served = service_areas(service, notes)
    # In person with no venue is a home visit service, which only areas_served allows.
    own_delivery = signpost_delivery(service, venues, home_visits=bool(served) and not national)
    if own_delivery:  # Signpost's own export says how it is run: phone is no HSDS field
        delivery = own_delivery
        guesses.pop("delivery", None)
        notes[:] = [note for note in notes if not note.startswith("no venue with an address")]
    data["delivery"] = delivery
    if national:
        data["national"] = True
    elif served:
        data["areas_served"] = served
    if venues:
        data["locations"] = venues

    for schedule in records(service.get("schedules")):
        session, why = session_from(schedule)
        if session is None:
            notes.append(why)
        else:
            sessions.append(session)
    unique_sessions = []
    for session in sessions:
        if session not in unique_sessions:
            unique_sessions.append(session)
    if unique_sessions:
        data["schedule"] = unique_sessions

    languages = []
    for item_language in records(service.get("languages")):
        code = language_from(item_language)
        if code:
            languages.append(code)
        else:
            shown = plain(item_language.get("name") or item_language.get("code"))
            notes.append(f"language '{shown}' is not one Signpost knows; left out")
    if languages:
        data["languages"] = list(dict.fromkeys(languages))

    reviewed, why_date = review_date(service, today)
    data["last_reviewed"] = reviewed
    if why_date:
        guesses["last_reviewed"] = why_date
    if plain(service.get("signpost_bank_holidays")) == "closed":  # Signpost's own export
        data["bank_holidays"] = "closed"
    own_reviewer = plain(service.get("signpost_reviewed_by"))
    data["reviewed_by"] = own_reviewer if own_reviewer and keep_reviewer else reviewed_by
    return item


def import_document(
    document: Any,
    vocab: Vocabulary,
    *,
    today: date,
    reviewed_by: str = DEFAULT_REVIEWED_BY,
    keep_reviewer: bool = True,
    gazetteer: PostcodeLookup | None = None,
) -> ImportResult:
    """Map every service in an HSDS document; ids are made unique within the document."""
    services, organisations, locations = services_in(document)
    result = ImportResult(listings=[])
    used: set[str] = set()
    for index, service in enumerate(services):
        if not isinstance(service, dict):
            result.problems.append(f"item {index + 1} is not a service object; skipped")
            continue
        item = service_to_listing(
            service,
            vocab,
            today=today,
            reviewed_by=reviewed_by,
            keep_reviewer=keep_reviewer,
            organisations=organisations,
            locations=locations,
            gazetteer=gazetteer,
        )
        base, number = item.id, 2
        while item.id in used:
            item.id = f"{base}-{number}"
            number += 1
        used.add(item.id)
        result.listings.append(item)
    if not services:
        result.problems.append("the document holds no services")
    return result
