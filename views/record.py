"""A summary of the consultation for the patient's record, made from the shortlist alone.

In the spirit of the PRSB Social Prescribing Information Standard's "message back to the GP
and referrer": the date, the needs discussed, and the services signposted to, each with its
organisation, how to contact it and how to start. The link worker copies it into the clinical
system (as text) or a system reads it (as JSON). Nothing about the patient is asked for,
and nothing is stored: the summary is made from the list's service ids on each request.

A deployment may name SNOMED CT concepts to record with it, in ``SIGNPOST_SNOMED_CODES``, e.g.
``871731000000106|Referral to social prescribing service``; several are separated by ``;``.
Off unless configured: which code fits depends on the local service and its contract.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

from flask import Flask

from directory import wording
from directory.settings import SettingError
from directory.vocabulary import Vocabulary
from views.common import settings
from views.shortlist_text import Entry, contact_line, how_to_start

SNOMED_SYSTEM = "http://snomed.info/sct"
SCTID = re.compile(r"^[1-9][0-9]{5,17}$")
TITLE = "Social prescribing: signposting summary"


@dataclass(frozen=True)
class Code:
    code: str
    term: str


def parse_codes(text: str) -> list[Code]:
    """``'871731000000106|Referral to social prescribing service; ...'`` as codes, checked."""
    codes: list[Code] = []
    for item in re.split(r"[;\n]", text or ""):
        item = item.strip()
        if not item:
            continue
        code, sep, term = (part.strip() for part in item.partition("|"))
        if not SCTID.match(code):
            raise SettingError(
                f"SIGNPOST_SNOMED_CODES: {code!r} is not a SNOMED CT concept id (6 to 18 "
                "digits). Write it as 871731000000106|Referral to social prescribing service."
            )
        if not sep or not term:
            raise SettingError(
                f"SIGNPOST_SNOMED_CODES: write the term after the code, as {code}|<term>."
            )
        codes.append(Code(code, term))
    return codes


def configured_codes(app: Flask | None = None) -> list[Code]:
    return parse_codes(settings(app).site.snomed_codes)


def needs_of(entries: Iterable[Entry], vocab: Vocabulary) -> list[tuple[str, str]]:
    """The needs the listed services meet, in list order: (id, label)."""
    found: dict[str, str] = {}
    for entry in entries:
        for need in entry.listing.needs:
            found.setdefault(need, vocab.need_label(need))
    return list(found.items())


def summary_data(
    entries: list[Entry],
    needs: list[tuple[str, str]],
    made: date,
    codes: list[Code],
) -> dict[str, Any]:
    """The summary as JSON-ready data (the shape ``/shortlist/summary.json`` serves)."""
    return {
        "title": TITLE,
        "date": made.isoformat(),
        "needs_discussed": [{"id": need, "label": label} for need, label in needs],
        "services": [
            {
                "id": entry.listing.id,
                "name": entry.listing.name,
                "organisation": entry.listing.organisation,
                "contact": {
                    "phone": entry.listing.contact.phone,
                    "email": entry.listing.contact.email,
                    "website": entry.listing.contact.website,
                },
                "how_to_start": how_to_start(entry.listing),
                "routes": list(entry.listing.access.routes),
                "checked": entry.listing.last_reviewed.isoformat(),
                "url": entry.url,
            }
            for entry in entries
        ],
        "codes": [
            {"system": SNOMED_SYSTEM, "code": code.code, "display": code.term} for code in codes
        ],
        "patient_details_stored": False,
    }


def summary_text(
    entries: list[Entry],
    needs: list[tuple[str, str]],
    made: date,
    codes: list[Code],
) -> str:
    """The summary as plain text to paste into the record."""
    lines = [TITLE, f"Date: {wording.describe_date(made)}"]
    if needs:
        lines.append("Needs discussed: " + "; ".join(label for _need, label in needs))
    lines.append("Signposted to:")
    for number, entry in enumerate(entries, start=1):
        listing = entry.listing
        lines.append(f"{number}. {listing.name} ({listing.organisation})")
        contact = contact_line(listing)
        if contact:
            lines.append(f"   Contact: {contact}")
        lines.append(f"   How to start: {how_to_start(listing)}")
        lines.append(f"   Details: {entry.url}")
    for code in codes:
        lines.append(f"SNOMED CT: {code.code} | {code.term}")
    return "\n".join(lines) + "\n"
