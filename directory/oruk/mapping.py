"""Open Referral UK / HSDS JSON in, listing YAML out: how a council seeds a directory.

Councils already hold their services in Open Referral UK feeds. This module maps each HSDS
service to a listing in the documented listing format (docs/listing-format.md) as far as the
data allows. Nothing is silently invented: every value that had to be guessed is written
with a ``# guessed:`` comment in the YAML, and everything that could not be mapped is
reported per service in plain words ("no postcode; add one"). The command line then runs
the real validator over what it wrote, so a listing is only ever "imported" when Signpost
itself would accept it.

The mapping functions are pure (document in, listings and messages out); only
:func:`write_listings` touches the disk.
"""

from __future__ import annotations

import html
import json
import re
import textwrap
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Any

import nh3
import yaml

from directory.geocode import distance_km, normalise_postcode
from directory.languages import language_code
from directory.model import ACCESSIBILITY, DELIVERY, ROUTE_LABELS
from directory.oruk.export import (
    BYDAY,
    NEEDS_TAXONOMY,
)
from directory.validation import (
    EMAIL_PATTERN,
    ID_PATTERN,
    URL_PATTERN,
    PostcodeLookup,
    parse_date,
    phone_problem,
)
from directory.vocabulary import Vocabulary, need_aliases
from directory.wording import describe_cost

DEFAULT_REVIEWED_BY = "Imported from Open Referral UK data"
MAX_GUESSED_NEEDS = 3
_DAYS_BY_CODE = {code: day for day, code in BYDAY.items()}
_STATUS = {
    "active": "active",
    "temporarily closed": "paused",
    "inactive": "closed",
    "defunct": "closed",
}
_BLOCK_TAG = re.compile(r"</?(p|br|div|li|ul|ol|h[1-6]|tr)\b[^>]*>", re.IGNORECASE)
_BYDAY_PART = re.compile(r"^([+-]?\d{1,2})?(MO|TU|WE|TH|FR|SA|SU)$")
_CLOCK = re.compile(r"^(\d{1,2}):(\d{2})(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?$")
_WORD = re.compile(r"[a-z0-9][a-z0-9'\-]*")
_NATIONAL_AREAS = {"united kingdom", "uk", "national", "nationwide", "great britain", "gb"}
# Words in HSDS accessibility descriptions that mean one of Signpost's access features.
_ACCESS_WORDS = (
    ("wheelchair", "step-free"),
    ("step free", "step-free"),
    ("step-free", "step-free"),
    ("level access", "step-free"),
    ("ramp", "step-free"),
    ("toilet", "accessible-toilet"),
    ("hearing loop", "hearing-loop"),
    ("induction loop", "hearing-loop"),
    ("lift", "lift"),
    ("elevator", "lift"),
    ("parking", "accessible-parking"),
    ("blue badge", "accessible-parking"),
    ("seating", "seating"),
    ("seats", "seating"),
    ("quiet", "quiet-space"),
    ("sign language", "bsl"),
    ("bsl", "bsl"),
    ("large print", "large-print"),
    ("assistance dog", "assistance-dogs"),
    ("guide dog", "assistance-dogs"),
)
# Three-letter (ISO 639-2/3) codes often found in feeds, for the languages Signpost knows.
_LANGUAGE_CODES_3 = {
    "eng": "en",
    "cym": "cy",
    "wel": "cy",
    "gla": "gd",
    "gle": "ga",
    "pol": "pl",
    "ron": "ro",
    "rum": "ro",
    "pan": "pa",
    "urd": "ur",
    "por": "pt",
    "spa": "es",
    "ara": "ar",
    "ben": "bn",
    "guj": "gu",
    "ita": "it",
    "zho": "zh",
    "chi": "zh",
    "fra": "fr",
    "fre": "fr",
    "lit": "lt",
    "tur": "tr",
    "tam": "ta",
    "som": "so",
    "fas": "fa",
    "per": "fa",
    "ukr": "uk",
    "rus": "ru",
    "hin": "hi",
    "deu": "de",
    "ger": "de",
}


class NotHSDSError(ValueError):
    """The file is not an HSDS services document at all; the message says what it is."""


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
        return [f"service {self.label}: {note}" for note in self.notes]


@dataclass
class ImportResult:
    listings: list[ImportedListing]
    problems: list[str] = field(default_factory=list)  # about the document, not one service


# --------------------------------------------------------------------------- reading


def services_in(document: Any) -> tuple[list[Any], dict[str, Any], dict[str, Any]]:
    """The services in an HSDS document, and any top-level organisations and locations by id.

    Accepts the shapes feeds come in: a page (``contents``), a list of services, a single
    service, or an object with ``services`` (plus ``organizations`` and ``locations``).
    """
    organisations: dict[str, Any] = {}
    locations: dict[str, Any] = {}
    if isinstance(document, list):
        return document, organisations, locations
    if not isinstance(document, dict):
        raise NotHSDSError(
            "This is not Open Referral UK / HSDS data: expected a JSON object or list of services."
        )
    for item in document.get("organizations") or []:
        if isinstance(item, dict) and item.get("id"):
            organisations[str(item["id"])] = item
    for item in document.get("locations") or []:
        if isinstance(item, dict) and item.get("id"):
            locations[str(item["id"])] = item
    for key in ("contents", "services", "items", "data"):
        if isinstance(document.get(key), list):
            return document[key], organisations, locations
    if "name" in document and ("id" in document or "status" in document):
        return [document], organisations, locations
    raise NotHSDSError(
        "No services found: expected a page with 'contents', an object with 'services', a "
        "list of services or one service (Open Referral UK / HSDS 3.0 JSON)."
    )


def plain(value: Any) -> str:
    """Text without HTML tags or entities, on one line (HSDS allows HTML; listings do not)."""
    if value is None or isinstance(value, (dict, list, bool)):
        return ""
    text = _BLOCK_TAG.sub(" ", str(value))  # a paragraph or line break is a space
    # nh3 (Ammonia) parses HTML as browsers do: tags go, script contents go, and a bare "<"
    # stays text ("ages 5 < 10 and > 3" kept whole; a regex took "< 10 and >" for a tag).
    text = html.unescape(nh3.clean(text, tags=set()))
    return " ".join(text.split())


def _items(value: Any) -> list[dict[str, Any]]:
    return [item for item in value if isinstance(item, dict)] if isinstance(value, list) else []


def slug(text: str, limit: int = 60) -> str:
    """'Tea and Talk Café' -> 'tea-and-talk-cafe': a listing id from a name."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    found = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower().replace("'", "")).strip("-")
    if len(found) > limit:
        found = found[:limit].rsplit("-", 1)[0]
    return found or "imported-service"


def _sentence_cut(text: str, limit: int) -> str:
    if len(text) <= limit:
        return text
    cut = text[:limit]
    end = cut.rfind(". ")
    return cut[: end + 1] if end > limit // 2 else cut.rsplit(" ", 1)[0]


# --------------------------------------------------------------------------- mapping parts


def match_needs(
    service: dict[str, Any], vocab: Vocabulary
) -> tuple[list[str], list[str], bool, list[str]]:
    """(needs, groups, guessed, terms not mapped) from the service's taxonomy terms.

    Signpost's own taxonomies map exactly. Other taxonomies' terms map when their code or
    name is a need's id, label or one of its words; failing that, needs are guessed from
    the words of the name and description.
    """
    needs: list[str] = []
    groups: list[str] = []
    unmapped: list[str] = []
    guessed = False
    aliases = need_aliases(vocab)
    terms = [attribute.get("taxonomy_term") for attribute in _items(service.get("attributes"))]
    terms += _items(service.get("taxonomy_terms"))  # older feeds list terms directly
    for term in terms:
        if not isinstance(term, dict):
            continue
        code = plain(term.get("code")).lower()
        name = plain(term.get("name") or term.get("term"))
        taxonomy = plain(term.get("taxonomy")).lower()
        if code in vocab.groups and taxonomy != NEEDS_TAXONOMY:
            groups.append(code)
            continue
        found = aliases.get(code) or aliases.get(name.lower())
        if found:
            needs.append(found)
        elif name or code:
            unmapped.append(name or code)
    if not needs:
        needs = guess_needs(plain(service.get("name")), plain(service.get("description")), vocab)
        guessed = bool(needs)
    return list(dict.fromkeys(needs))[:8], list(dict.fromkeys(groups)), guessed, unmapped


# Words that name how people get in touch or join, not what a service helps with: "email us",
# "visit our website", "sessions on Zoom". In feeds they mostly sit in contact text, so on their
# own they are no evidence of a digital-skills service (Bristol's feed: 157 services guessed as
# digital skills, 53 of them about computers). They still count beside a stronger word.
CHANNEL_WORDS = frozenset(
    """email emails e-mail website websites zoom whatsapp facebook app apps skype instagram
    youtube facetime google gmail texting""".split()
)
_CONTACT_TEXT = re.compile(
    r"""\b(?:https?://|www\.)\S+
    | \S+@\S+\.\S+
    | \b(?:visit|see|check|go\ to|look\ at|via|on|through|from|using|use|at)\s+(?:our|the|their
        |this|its|his|her)\s+(?:website|web\ ?site|web\ ?page|site|online\ form|facebook(?:\ page)?)
    | \b(?:by|via|or|and)\s+(?:e-?mail|phone|telephone|text|whatsapp)\b
    | \be-?mail(?:ing)?\s+(?:us|them|the\ team|the\ service|your)\b
    | \b(?:our|their|the)\s+(?:website|web\ ?site|e-?mail(?:\ address)?)\b
    | \b(?:website|e-?mail|tel|phone)\s*:
    """,
    re.IGNORECASE | re.VERBOSE,
)


@dataclass(frozen=True)
class _NeedTerms:
    """The vocabulary's words and phrases, compiled once: guessing 819 services re-built
    1,200 regular expressions per service (Python's pattern cache holds 512), 2-3 minutes in
    all; now a set lookup per word and a regex only for phrases whose words are present."""

    words: dict[str, tuple[str, ...]]  # word -> need ids listing it
    phrases: tuple[tuple[frozenset[str], re.Pattern[str], tuple[str, ...]], ...]
    order: dict[str, int]


@lru_cache(maxsize=4)
def _need_terms(vocab: Vocabulary) -> _NeedTerms:
    words: dict[str, list[str]] = {}
    phrases: dict[str, list[str]] = {}
    for need in vocab.needs.values():
        for term in need.phrases + need.words:
            term = term.lower()
            target = phrases if " " in term else words
            target.setdefault(term, []).append(need.id)
    compiled = tuple(
        (
            frozenset(_WORD.findall(text)),
            re.compile(rf"(?<![a-z]){re.escape(text)}(?![a-z])"),
            tuple(needs),
        )
        for text, needs in sorted(phrases.items())
    )
    order = {need: index for index, need in enumerate(vocab.needs)}
    return _NeedTerms({w: tuple(n) for w, n in words.items()}, compiled, order)


def guess_needs(name: str, description: str, vocab: Vocabulary) -> list[str]:
    """Needs whose words appear in the name (counting double) or description, best first.

    Contact details ("email us", "visit our website", addresses) are taken out first, and a
    need found only through words for getting in touch is not guessed.
    """
    terms = _need_terms(vocab)
    scores: dict[str, int] = {}
    strong: set[str] = set()
    for weight, raw in ((2, name), (1, description)):
        text = _CONTACT_TEXT.sub(" ", raw.lower())
        present = set(_WORD.findall(text))
        for word in present:
            for need in terms.words.get(word, ()):
                scores[need] = scores.get(need, 0) + weight
                if word not in CHANNEL_WORDS:
                    strong.add(need)
        for needed, pattern, needs in terms.phrases:
            if needed <= present and pattern.search(text):
                for need in needs:
                    scores[need] = scores.get(need, 0) + weight
                    strong.add(need)
    ranked = sorted(
        (need for need in scores if need in strong),
        key=lambda need: (-scores[need], terms.order.get(need, 0)),
    )
    return ranked[:MAX_GUESSED_NEEDS]


def access_from(text: str) -> tuple[list[str], str, bool, bool]:
    """(routes, how_to_access, booking_required, routes guessed) from application_process.

    Signpost's own export writes the route labels as sentences, which map back exactly;
    anything else is guessed from words like "drop in" or "GP referral".
    """
    found: list[tuple[int, str]] = []
    remaining = text
    for route, label in ROUTE_LABELS.items():
        if label + "." in remaining:
            found.append((text.index(label + "."), route))
            remaining = remaining.replace(label + ".", "")
    routes = [route for _, route in sorted(found)]  # in the order the listing gave them
    booking = "Booking is required." in remaining
    remaining = " ".join(remaining.replace("Booking is required.", "").split())
    if routes:
        return routes, remaining, booking, False
    lower = text.lower()
    if re.search(r"drop[ -]?in|just turn up|no need to book|come along", lower):
        lower = lower.replace("no need to book", "")
        routes.append("drop-in")
    professional = r"\b(gp|doctor|link worker|social worker|professional|health visitor)\b"
    if "refer" in lower and re.search(professional, lower):
        routes.append("professional-referral")
    if re.search(r"refer yourself|self[ -]refer|\bcall\b|\bring\b|\bemail\b|contact|book", lower):
        routes.append("self-referral")
    if not routes:
        routes.append("self-referral")
    return list(dict.fromkeys(routes)), remaining, booking, True


def cost_from(service: dict[str, Any]) -> tuple[dict[str, Any], str]:
    """The listing's cost, and why it was guessed ('' when it was not)."""
    options = _items(service.get("cost_options"))
    fees = plain(service.get("fees_description") or service.get("fees"))
    cost: dict[str, Any] = {}
    reason = ""
    paid = [
        option
        for option in options
        if isinstance(option.get("amount"), (int, float)) and option["amount"] > 0
    ]
    if paid:
        option = paid[0]
        words = plain(option.get("amount_description") or option.get("option"))
        if "£" in words:
            amount = words
        else:
            amount = f"£{option['amount']:g}" + (f" {words}" if words else "")
        cost = {"free": False, "amount": _sentence_cut(amount, 200)}
    elif options and all(
        option.get("amount") in (0, 0.0)
        or "free" in plain(option.get("amount_description") or option.get("option")).lower()
        for option in options
    ):
        cost = {"free": True}
    elif any(plain(option.get("amount_description") or option.get("option")) for option in options):
        words = next(
            plain(option.get("amount_description") or option.get("option"))
            for option in options
            if plain(option.get("amount_description") or option.get("option"))
        )
        cost = {"free": False, "amount": _sentence_cut(words, 200)}
    elif fees and re.search(r"\bfree\b", fees.lower()) and "£" not in fees:
        cost, reason = {"free": True}, "from the fees description"
    elif "£" in fees:
        first = next((part for part in re.split(r"(?<=\.)\s+", fees) if "£" in part), fees)
        cost = {"free": False, "amount": _sentence_cut(first, 200)}
        reason = "from the fees description"
    else:
        cost = {"free": False, "amount": "Ask the service"}
        reason = "the data does not say what it costs"
    if fees:
        lead = describe_cost_text(cost)
        details = fees[len(lead) :].lstrip(". ").strip() if fees.startswith(lead) else fees
        if details and details != cost.get("amount"):
            cost["details"] = _sentence_cut(details, 1000)
    return cost, reason


def describe_cost_text(cost: dict[str, Any]) -> str:
    from directory.model import Cost

    return describe_cost(Cost(bool(cost.get("free")), cost.get("amount", "")))


def clock(value: Any) -> str:
    """'09:30', '9:30:00', '09:30Z' or '09:30+01:00' -> '09:30'; '' if not a time."""
    match = _CLOCK.match(plain(value))
    if not match:
        return ""
    hour, minute = int(match.group(1)), int(match.group(2))
    return f"{hour:02d}:{minute:02d}" if hour < 24 and minute < 60 else ""


def session_from(schedule: dict[str, Any]) -> tuple[dict[str, Any] | None, str]:
    """One HSDS schedule as a listing session, or None and why it could not be written."""
    described = plain(schedule.get("description")) or "a schedule"
    freq = plain(schedule.get("freq")).upper() or "WEEKLY"
    interval = schedule.get("interval")
    interval = int(interval) if isinstance(interval, (int, float)) and interval >= 1 else 1
    days: list[str] = []
    weeks: list[int] = []
    pairs: set[tuple[int, str]] = set()
    for part in plain(schedule.get("byday")).upper().replace(" ", "").split(","):
        if not part:
            continue
        match = _BYDAY_PART.match(part)
        if not match:
            return None, f"schedule '{described}': cannot read the day '{part}'; add it by hand"
        day = _DAYS_BY_CODE[match.group(2)]
        days.append(day)
        if match.group(1):
            week = int(match.group(1))
            if not 1 <= week <= 5:
                return None, (
                    f"schedule '{described}': '{part}' (counting from the end of the month) "
                    "cannot be written in a listing; describe it in the session's notes"
                )
            weeks.append(week)
            pairs.add((week, day))
    if not days:
        return None, f"schedule '{described}': no days given; add the days it runs"
    opens, closes = clock(schedule.get("opens_at")), clock(schedule.get("closes_at"))
    if not opens or not closes:
        return None, f"schedule '{described}': no opening and closing times; add them"
    days = list(dict.fromkeys(days))
    session: dict[str, Any] = {"days": days, "opens": opens, "closes": closes}
    if freq == "MONTHLY":
        weeks = sorted(set(weeks))
        if not weeks or pairs != {(week, day) for week in weeks for day in days}:
            return None, (
                f"schedule '{described}': this monthly pattern cannot be written in a "
                "listing; add it by hand with frequency: monthly and weeks_of_month"
            )
        session.update(frequency="monthly", weeks_of_month=weeks)
    elif freq == "WEEKLY" and not weeks:
        if interval == 2:
            session["frequency"] = "fortnightly"
        elif interval != 1:
            return None, f"schedule '{described}': every {interval} weeks cannot be written"
    else:
        return None, f"schedule '{described}': frequency {freq or '?'} cannot be written"
    notes = plain(schedule.get("notes"))
    if notes:
        session["notes"] = _sentence_cut(notes, 500)
    return session, ""


def accessibility_from(items: Iterable[dict[str, Any]]) -> tuple[list[str], list[str]]:
    found: list[str] = []
    unmapped: list[str] = []
    labels = {label.lower(): key for key, label in ACCESSIBILITY.items()}
    for item in items:
        details = plain(item.get("details")).lower()
        description = plain(item.get("description"))
        if details in ACCESSIBILITY:
            found.append(details)
            continue
        if description.lower() in labels:
            found.append(labels[description.lower()])
            continue
        words = f"{description} {details}".lower()
        keys = [key for word, key in _ACCESS_WORDS if word in words]
        if keys:
            found.extend(keys)
        elif description or details:
            unmapped.append(description or details)
    return list(dict.fromkeys(found)), unmapped


def _language(item: dict[str, Any]) -> str | None:
    for raw in (item.get("code"), item.get("name")):
        text = plain(raw).lower()
        if not text:
            continue
        code = language_code(text) or _LANGUAGE_CODES_3.get(text)
        if code:
            return code
    return None


def _review_date(service: dict[str, Any], today: date) -> tuple[str, str]:
    """(YYYY-MM-DD, why guessed): the assured date, else last modified, else today."""
    for key in ("assured_date", "last_modified"):
        raw = plain(service.get(key))[:10]
        if raw:
            parsed, _ = parse_date(raw)
            if parsed is not None and parsed <= today:
                return parsed.isoformat(), "" if key == "assured_date" else "from last_modified"
    return today.isoformat(), "the import date: nobody has checked it yet"


# --------------------------------------------------------------------------- one service


def service_to_listing(
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
        description = _sentence_cut(description, 2000)
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
        who_for["eligibility"] = _sentence_cut(eligibility, 1000)
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
    access["how_to_access"] = _sentence_cut(how, 1000)
    if booking:
        access["booking_required"] = True
    data["access"] = access

    cost, cost_reason = cost_from(service)
    data["cost"] = cost
    if cost_reason:
        guesses["cost"] = cost_reason
        if cost.get("amount") == "Ask the service":
            notes.append("no cost given; say whether it is free in cost")

    contact = _contact(service, organisation, signpost_id, notes)
    data["contact"] = contact

    venues, online, sessions = _locations(service, locations, notes, gazetteer)
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
    national, served = _service_areas(service, notes)
    # In person with no venue is a home visit service, which only areas_served allows.
    own_delivery = _signpost_delivery(service, venues, home_visits=bool(served) and not national)
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

    for schedule in _items(service.get("schedules")):
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
    for item_language in _items(service.get("languages")):
        code = _language(item_language)
        if code:
            languages.append(code)
        else:
            shown = plain(item_language.get("name") or item_language.get("code"))
            notes.append(f"language '{shown}' is not one Signpost knows; left out")
    if languages:
        data["languages"] = list(dict.fromkeys(languages))

    reviewed, why_date = _review_date(service, today)
    data["last_reviewed"] = reviewed
    if why_date:
        guesses["last_reviewed"] = why_date
    if plain(service.get("signpost_bank_holidays")) == "closed":  # Signpost's own export
        data["bank_holidays"] = "closed"
    own_reviewer = plain(service.get("signpost_reviewed_by"))
    data["reviewed_by"] = own_reviewer if own_reviewer and keep_reviewer else reviewed_by
    return item


def _service_areas(service: dict[str, Any], notes: list[str]) -> tuple[bool, list[str]]:
    """Whether the service is national, and the areas it serves (``areas_served``).

    From ``service_areas`` (HSDS 3.0 ``name``, or ORUK 1.0's ``service_area``) and a
    ``coverage`` text, each name checked against the gazetteer: council feeds list phone
    lines and home visits as "Bristol" or "North Lincolnshire", and without this they would
    be online services found nowhere. Signpost's own export says exactly
    (``signpost_areas_served``), so its folder names are never mistaken for areas.
    """
    from directory.areas import default_areas

    names = [
        plain(area.get("name") or area.get("service_area"))
        for area in _items(service.get("service_areas"))
        if isinstance(area, dict)
    ]
    if any(name.lower() in _NATIONAL_AREAS for name in names):
        return True, []
    own = service.get("signpost_areas_served")
    if isinstance(own, list):
        names = [plain(name) for name in own]
    else:
        coverage = service.get("coverage")
        for text in coverage if isinstance(coverage, list) else [coverage]:
            if isinstance(text, str):
                names += [part.strip() for part in re.split(r"[,;]", text) if part.strip()]
    table = default_areas()
    served: list[str] = []
    for name in names:
        area = table.resolve(name) if name else None
        if area is not None:
            served.append(area.name)
        elif name and not isinstance(own, list):
            notes.append(f"service area '{name[:60]}' is not an area we know, so it was left out")
    return False, list(dict.fromkeys(served))


def _signpost_delivery(
    service: dict[str, Any], venues: list[dict[str, Any]], *, home_visits: bool = False
) -> list[str]:
    """``signpost_delivery`` from Signpost's own export, when it is a valid list."""
    raw = service.get("signpost_delivery")
    if not isinstance(raw, list) or not raw:
        return []
    values = [plain(value) for value in raw]
    if any(value not in DELIVERY for value in values):
        return []
    # A venue means in person; no venue means not in person, unless it serves areas
    # (areas_served), where in person with no venue is a home visit service.
    if venues and "in-person" not in values:
        return []
    if not venues and not home_visits and "in-person" in values:
        return []
    return list(dict.fromkeys(values))


def _contact(
    service: dict[str, Any], organisation: dict[str, Any], signpost_id: str, notes: list[str]
) -> dict[str, str]:
    phones = _items(service.get("phones"))
    emails = [service.get("email")]
    for contact in _items(service.get("contacts")):
        phones += _items(contact.get("phones"))
        emails.append(contact.get("email"))
    phones += _items(organisation.get("phones"))
    emails.append(organisation.get("email"))
    found: dict[str, str] = {}
    for phone in phones:
        number = plain(phone.get("number"))
        if not number:
            continue
        if phone_problem(number) is None:
            found["phone"] = number
            break
        notes.append(f"phone '{number}' is not a UK phone number; left out")
    for email in emails:
        email = plain(email)
        if email and EMAIL_PATTERN.match(email):
            found["email"] = email
            break
    for url in (service.get("url"), organisation.get("website")):
        url = plain(url)
        if not url:
            continue
        if signpost_id and url.rstrip("/").endswith(f"/services/{signpost_id}"):
            continue  # a link back to this listing's own Signpost page
        if URL_PATTERN.match(url):
            found["website"] = url
            break
        notes.append(f"website '{url}' is not a web address; left out")
    if not found:
        notes.append("no phone, email or website; add at least one in contact")
    return found


def _locations(
    service: dict[str, Any],
    by_id: dict[str, Any],
    notes: list[str],
    gazetteer: PostcodeLookup | None = None,
) -> tuple[list[dict[str, Any]], bool, list[dict[str, Any]]]:
    """(venues, has an online location, sessions found on service_at_locations)."""
    venues: list[dict[str, Any]] = []
    sessions: list[dict[str, Any]] = []
    online = False
    for link in _items(service.get("service_at_locations")):
        location = link.get("location")
        if not isinstance(location, dict):
            location = by_id.get(plain(link.get("location_id")), {})
        for schedule in _items(link.get("schedules")) + _items(location.get("schedules")):
            session, why = session_from(schedule)
            if session is None:
                notes.append(why)
            else:
                sessions.append(session)
        kind = plain(location.get("location_type")).lower()
        if kind == "virtual":
            online = True
            continue
        venue = _venue(location, notes, gazetteer)
        if venue is not None:
            venues.append(venue)
    return venues, online, sessions


def _venue(
    location: dict[str, Any], notes: list[str], gazetteer: PostcodeLookup | None = None
) -> dict[str, Any] | None:
    addresses = _items(location.get("addresses"))
    address = next(
        (a for a in addresses if plain(a.get("address_type")).lower() != "postal"),
        addresses[0] if addresses else {},
    )
    name = plain(location.get("name")) or plain(address.get("address_1"))
    shown = name or "a location"
    lines = [plain(address.get(key)) for key in ("address_1", "address_2", "city")]
    street = ", ".join(dict.fromkeys(line for line in lines if line))
    if not street and not plain(address.get("postal_code")):
        notes.append(f"location '{shown}' has no address; left out")
        return None
    venue: dict[str, Any] = {"name": name or street.split(",")[0]}
    venue["address"] = street or name
    raw_postcode = plain(address.get("postal_code"))
    postcode = normalise_postcode(raw_postcode) if raw_postcode else None
    if postcode:
        venue["postcode"] = postcode
    elif raw_postcode:
        notes.append(f"location '{shown}': '{raw_postcode}' is not a full UK postcode; fix it")
    else:
        notes.append(f"location '{shown}': no postcode; add one")
    lat, lon = location.get("latitude"), location.get("longitude")
    if isinstance(lat, (int, float)) and isinstance(lon, (int, float)):
        if 49.8 <= lat <= 60.9 and -8.7 <= lon <= 1.8:
            if not _at_postcode(float(lat), float(lon), postcode, gazetteer):
                venue["lat"], venue["lon"] = round(float(lat), 6), round(float(lon), 6)
        else:
            notes.append(f"location '{shown}': coordinates are outside the UK; left out")
    found, unmapped = accessibility_from(_items(location.get("accessibility")))
    if found:
        venue["accessibility"] = found
    for text in unmapped:
        notes.append(f"location '{shown}': accessibility '{text}' not mapped; left out")
    transport = plain(location.get("transportation"))
    if transport:
        venue["transport"] = _sentence_cut(transport, 1000)
    return venue


def _at_postcode(
    lat: float, lon: float, postcode: str | None, gazetteer: PostcodeLookup | None
) -> bool:
    """True when the coordinates are just the postcode's own (within 50 m): a listing then
    leaves them out, and the postcode places it (Signpost's export fills them in)."""
    if not postcode or gazetteer is None:
        return False
    place = gazetteer.lookup_postcode(postcode)
    if place is None:
        return False
    return distance_km(lat, lon, place.lat, place.lon) <= 0.05


# --------------------------------------------------------------------------- whole document


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


# --------------------------------------------------------------------------- YAML


def _scalar(value: Any, *, quote: bool = False) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    if quote:
        return json.dumps(str(value), ensure_ascii=False)
    dumped = yaml.safe_dump(str(value), allow_unicode=True, width=1_000_000)
    return dumped.removesuffix("\n").removesuffix("\n...").strip()


def _flow(values: Iterable[Any]) -> str:
    return "[" + ", ".join(_scalar(value) for value in values) + "]"


def _comment(guesses: dict[str, str], key: str) -> str:
    return f"  # guessed: {guesses[key]}" if key in guesses else ""


_QUOTED = {"phone", "opens", "closes", "amount"}


def listing_yaml(item: ImportedListing) -> str:
    """The listing as commented YAML in the documented format (docs/listing-format.md)."""
    data, guesses = item.data, item.guesses
    source = f" (HSDS service {item.source_id})" if item.source_id else ""
    lines = [
        f"# Imported from Open Referral UK data{source}.",
        "# Check every value, above all the lines marked 'guessed', then delete these comments.",
    ]

    def line(indent: str, key: str, value: Any, guess_key: str = "") -> None:
        if isinstance(value, list):
            shown = _flow(value)
        elif key == "last_reviewed":
            shown = str(value)  # YYYY-MM-DD, unquoted as in the template
        else:
            shown = _scalar(value, quote=key in _QUOTED)
        lines.append(f"{indent}{key}: {shown}{_comment(guesses, guess_key or key)}")

    for key, value in data.items():
        if key == "description":
            if "description" in guesses:
                lines.append(f"# guessed: {guesses['description']}")
            lines.append("description: >")
            # Never break at a hyphen: a folded scalar joins lines with a space, and
            # "long-term" would come back as "long- term".
            wrapped = textwrap.wrap(value, 92, break_on_hyphens=False, break_long_words=False)
            lines.extend("  " + part for part in wrapped)
        elif isinstance(value, dict):  # who_for, access, cost, contact, ...
            lines.append(f"{key}:{_comment(guesses, key)}")
            for sub, sub_value in value.items():
                line("  ", sub, sub_value, f"{key}.{sub}")
        elif key == "locations":
            lines.append("locations:")
            for venue in value:
                first = True
                for sub, sub_value in venue.items():
                    line("  - " if first else "    ", sub, sub_value, "-")
                    first = False
                if "postcode" not in venue:
                    lines.append("    # postcode: add the venue's full postcode here")
        elif isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
            lines.append(f"{key}:")  # schedule, and any list of mappings
            for session in value:
                first = True
                for sub, sub_value in session.items():
                    line("  - " if first else "    ", sub, sub_value, "-")
                    first = False
        else:
            line("", key, value)
    return "\n".join(lines) + "\n"


@dataclass
class Written:
    """What happened to one imported listing on disk."""

    item: ImportedListing
    path: Path
    written: bool
    reason: str = ""  # why it was not written


def write_listings(
    items: Iterable[ImportedListing],
    folder: Path,
    *,
    force: bool = False,
    taken: dict[str, Path] | None = None,
) -> list[Written]:
    """Write each listing to ``folder/<id>.yaml``; existing files are kept unless ``force``.

    ``taken`` maps ids already used elsewhere in the data folder to their files: a clash
    gets a suffix, since ids must be unique across every area.
    """
    folder.mkdir(parents=True, exist_ok=True)
    taken = dict(taken or {})
    results = []
    for item in items:
        path = folder / f"{item.id}.yaml"
        other = taken.get(item.id)
        if other is not None and other.resolve() != path.resolve():
            base, number = item.id, 2
            while item.id in taken:
                item.id = f"{base}-{number}"
                number += 1
            path = folder / f"{item.id}.yaml"
        if path.exists() and not force:
            results.append(
                Written(item, path, False, "already exists; use --force to overwrite it")
            )
            continue
        path.write_text(listing_yaml(item), encoding="utf-8")
        taken[item.id] = path
        results.append(Written(item, path, True))
    return results
