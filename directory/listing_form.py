"""The "Add your group" form as data: form fields to listing YAML, and problems back to fields.

Most people who run a lunch club have no GitHub account. The form lets them write a listing
anyway, and the real validator checks it with exactly the messages a pull request gets: the
form's answers become YAML, :func:`directory.validation.check_loaded` reads that YAML, and each
problem's line number says which field it belongs to. Nothing here knows about Flask; nothing
is stored.

One form holds any number of venues and sessions (``location-0-name``, ``session-1-days``),
so "Suggest a change" can show a listing with three venues without losing two of them.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import cast

from directory.languages import language_name
from directory.model import Listing
from directory.places import normalise_postcode
from directory.problems import Problem
from directory.review import yaml_text

MAX_VENUES = 10
MAX_SESSIONS = 10
MAX_FIELD_CHARS = 3000

TEXT_FIELDS = (
    "name",
    "organisation",
    "description",
    "status",
    "main_need",
    "age_min",
    "age_max",
    "eligibility",
    "how_to_access",
    "free",
    "amount",
    "cost_details",
    "phone",
    "email",
    "website",
    "areas_served",
    "languages",
    "bank_holidays",
    "reviewed_by",
    "area",
    "listing_id",
)
LIST_FIELDS = ("needs", "groups", "routes", "delivery")
FLAG_FIELDS = ("booking_required", "national")
VENUE_FIELDS = ("name", "address", "postcode", "transport")
SESSION_FIELDS = ("opens", "closes", "frequency", "weeks", "notes")

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u2028\u2029\ufeff]")


def clean(value: object) -> str:
    """One form answer as safe text: no control characters, at most MAX_FIELD_CHARS."""
    text = unicodedata.normalize("NFC", str(value or ""))[:MAX_FIELD_CHARS]
    return _CONTROL.sub(" ", text).replace("\r\n", "\n").replace("\r", "\n").strip()


def slug(text: str) -> str:
    """A listing id from a name: 'Margate Men's Shed' -> 'margate-mens-shed'."""
    text = unicodedata.normalize("NFKD", text.lower()).encode("ascii", "ignore").decode()
    text = re.sub(r"['’`]", "", text)
    words = re.sub(r"[^a-z0-9]+", "-", text).strip("-")
    return words[:80].strip("-") or "my-service"


@dataclass
class ListingForm:
    """What the volunteer typed (or what a listing says), field by field, all as text."""

    values: dict[str, str] = field(default_factory=dict)
    lists: dict[str, list[str]] = field(default_factory=dict)
    venues: list[dict[str, object]] = field(default_factory=list)
    sessions: list[dict[str, object]] = field(default_factory=list)

    def get(self, name: str) -> str:
        return self.values.get(name, "")

    def chosen(self, name: str) -> list[str]:
        return self.lists.get(name, [])

    @property
    def listing_id(self) -> str:
        return self.get("listing_id") or slug(self.get("name"))

    @classmethod
    def from_form(
        cls, form: Mapping[str, object], getlist: Callable[[str], list[str]]
    ) -> ListingForm:
        """From a POST: ``form[name]`` for one value, ``getlist(name)`` for checkboxes."""
        made = cls()
        for name in TEXT_FIELDS:
            made.values[name] = clean(form.get(name, ""))
        for name in FLAG_FIELDS:
            made.values[name] = "yes" if clean(form.get(name, "")) == "yes" else ""
        for name in LIST_FIELDS:
            made.lists[name] = [clean(v) for v in getlist(name)[:40] if clean(v)]
        made.venues = [
            {
                **{key: clean(form.get(f"location-{i}-{key}", "")) for key in VENUE_FIELDS},
                "accessibility": [clean(v) for v in getlist(f"location-{i}-accessibility")[:20]],
                # Kept (hidden) only for a venue whose postcode the gazetteer lacks.
                "lat": clean(form.get(f"location-{i}-lat", ""))[:20],
                "lon": clean(form.get(f"location-{i}-lon", ""))[:20],
            }
            for i in range(_count(form.get("venues"), MAX_VENUES))
        ]
        made.sessions = [
            {
                **{key: clean(form.get(f"session-{i}-{key}", "")) for key in SESSION_FIELDS},
                "days": [clean(v) for v in getlist(f"session-{i}-days")[:7]],
            }
            for i in range(_count(form.get("sessions"), MAX_SESSIONS))
        ]
        return made

    @classmethod
    def from_listing(
        cls,
        listing: Listing,
        postcode_position: Callable[[str], tuple[float, float] | None] = lambda _pc: None,
    ) -> ListingForm:
        """A published listing, to prefill "Suggest a change".

        A venue whose position is not its postcode's (``postcode_position``) had ``lat`` and
        ``lon`` written in its file; they are carried along (hidden) so the change keeps them.
        """
        made = cls()
        who, cost, contact = listing.who_for, listing.cost, listing.contact
        made.values = {
            "name": listing.name,
            "organisation": listing.organisation,
            "description": listing.description,
            "status": listing.status,
            "main_need": listing.needs[0] if listing.needs else "",
            "age_min": "" if who.age_min is None else str(who.age_min),
            "age_max": "" if who.age_max is None else str(who.age_max),
            "eligibility": who.eligibility,
            "how_to_access": listing.access.how_to_access,
            "free": "yes" if cost.free else "no",
            "amount": cost.amount,
            "cost_details": cost.details,
            "phone": contact.phone,
            "email": contact.email,
            "website": contact.website,
            "areas_served": ", ".join(listing.areas_served),
            "languages": ", ".join(language_name(code) for code in listing.languages),
            "bank_holidays": getattr(listing, "bank_holidays", "open"),
            "reviewed_by": "",
            "area": listing.area,
            "listing_id": listing.id,
            "booking_required": "yes" if listing.access.booking_required else "",
            "national": "yes" if listing.national else "",
        }
        made.lists = {
            "needs": list(listing.needs),
            "groups": list(who.groups),
            "routes": list(listing.access.routes),
            "delivery": list(listing.delivery),
        }
        made.venues = [
            {
                "name": loc.name,
                "address": loc.address,
                "postcode": loc.postcode,
                "transport": loc.transport,
                "accessibility": list(loc.accessibility),
                **(
                    {"lat": f"{loc.lat}", "lon": f"{loc.lon}"}
                    if _written_position(loc.lat, loc.lon, postcode_position(loc.postcode))
                    else {}
                ),
            }
            for loc in listing.locations
        ]
        made.sessions = [
            {
                "days": list(s.days),
                "opens": s.opens,
                "closes": s.closes,
                "frequency": s.frequency,
                "weeks": ", ".join(str(w) for w in s.weeks_of_month),
                "notes": s.notes,
            }
            for s in listing.schedule
        ]
        return made


def _written_position(
    lat: float | None, lon: float | None, postcode: tuple[float, float] | None
) -> bool:
    """True when a venue's coordinates are not simply its postcode's (so were written)."""
    if lat is None or lon is None:
        return False
    return postcode is None or abs(postcode[0] - lat) > 1e-6 or abs(postcode[1] - lon) > 1e-6


def _count(raw: object, most: int) -> int:
    try:
        return max(0, min(int(str(raw or "0")), most))
    except ValueError:
        return 0


def blank_venue() -> dict[str, object]:
    return {key: "" for key in VENUE_FIELDS} | {"accessibility": []}


def blank_session() -> dict[str, object]:
    return {key: "" for key in SESSION_FIELDS} | {"days": [], "frequency": "weekly"}


# ---- form -> YAML ---------------------------------------------------------------------------


@dataclass
class Built:
    """The listing as YAML, and which form field each line came from."""

    text: str
    line_fields: dict[int, str]


class _Writer:
    def __init__(self) -> None:
        self.lines: list[str] = []
        self.fields: dict[int, str] = {}

    def add(self, line: str, form_field: str = "") -> None:
        self.lines.append(line)
        if form_field:
            self.fields[len(self.lines)] = form_field

    def scalar(self, indent: str, key: str, value: str, form_field: str) -> None:
        self.add(f"{indent}{key}:{' ' + _scalar(value) if value else ''}", form_field)

    def flow(self, indent: str, key: str, items: Iterable[str], form_field: str) -> None:
        self.add(f"{indent}{key}: [{', '.join(_scalar(item) for item in items)}]", form_field)


def _scalar(value: str) -> str:
    """Text as YAML that reads back as the same text (plain when that is safe)."""
    text = " ".join(value.split())
    return yaml_text(text) if text else '""'


def _number_or_text(value: str) -> str:
    return value if re.fullmatch(r"-?\d{1,3}(\.\d{1,8})?", value) else _scalar(value)


def _split(text: str) -> list[str]:
    return [part.strip() for part in re.split(r"[,;\n]", text) if part.strip()]


def to_yaml(form: ListingForm, today: date) -> Built:
    """The listing file the form describes. Required fields are always written (empty when
    left blank), so the validator's message for them points at their own line."""
    w = _Writer()
    w.add(f"# Listing written with the Add your group form on {today.isoformat()}.")
    w.scalar("", "name", form.get("name"), "name")
    w.scalar("", "organisation", form.get("organisation"), "organisation")
    w.scalar("", "description", form.get("description"), "description")
    w.scalar("", "status", form.get("status") or "active", "status")
    w.flow("", "needs", ordered_needs(form), "needs")
    _write_who_for(w, form)
    w.add("access:", "routes")
    w.flow("  ", "routes", form.chosen("routes"), "routes")
    w.scalar("  ", "how_to_access", form.get("how_to_access"), "how_to_access")
    if form.get("booking_required"):
        w.add("  booking_required: true", "booking_required")
    _write_cost(w, form)
    has_contact = any(form.get(key) for key in ("phone", "email", "website"))
    w.add("contact:" if has_contact else "contact: {}", "phone")
    for key in ("phone", "email", "website"):
        if form.get(key):
            w.scalar("  ", key, form.get(key), key)
    if form.chosen("delivery"):
        w.flow("", "delivery", form.chosen("delivery"), "delivery")
    if form.get("national"):
        w.add("national: true", "national")
    if form.get("areas_served"):
        w.flow("", "areas_served", _split(form.get("areas_served")), "areas_served")
    _write_locations(w, form)
    _write_schedule(w, form)
    if form.get("bank_holidays") == "closed":
        w.add("bank_holidays: closed", "bank_holidays")
    if form.get("languages"):
        w.flow("", "languages", _split(form.get("languages")), "languages")
    w.add(f"last_reviewed: {today.isoformat()}", "reviewed_by")
    w.scalar("", "reviewed_by", form.get("reviewed_by"), "reviewed_by")
    return Built("\n".join(w.lines) + "\n", w.fields)


def _write_who_for(w: _Writer, form: ListingForm) -> None:
    who = [form.get("age_min"), form.get("age_max"), form.chosen("groups"), form.get("eligibility")]
    if any(who):
        w.add("who_for:", "age_min")
        if form.get("age_min"):
            w.add(f"  age_min: {_number_or_text(form.get('age_min'))}", "age_min")
        if form.get("age_max"):
            w.add(f"  age_max: {_number_or_text(form.get('age_max'))}", "age_max")
        if form.chosen("groups"):
            w.flow("  ", "groups", form.chosen("groups"), "groups")
        if form.get("eligibility"):
            w.scalar("  ", "eligibility", form.get("eligibility"), "eligibility")


def _write_cost(w: _Writer, form: ListingForm) -> None:
    # A section with nothing in it is written {} so the validator asks for what is missing.
    cost_answered = form.get("free") in ("yes", "no") or form.get("amount")
    w.add("cost:" if cost_answered or form.get("cost_details") else "cost: {}", "free")
    if form.get("free") in ("yes", "no"):  # unanswered: left out, so the validator asks
        w.add(f"  free: {'true' if form.get('free') == 'yes' else 'false'}", "free")
    if form.get("amount"):
        w.scalar("  ", "amount", form.get("amount"), "amount")
    if form.get("cost_details"):
        w.scalar("  ", "details", form.get("cost_details"), "cost_details")


def _write_locations(w: _Writer, form: ListingForm) -> None:
    venues = [v for v in form.venues if any(v.get(k) for k in VENUE_FIELDS)]
    if venues:
        w.add("locations:", "location-0-name")
        for i, venue in enumerate(form.venues):
            if not any(venue.get(k) for k in VENUE_FIELDS):
                continue
            prefix = f"location-{i}-"
            w.scalar("  - ", "name", str(venue["name"]), prefix + "name")
            w.scalar("    ", "address", str(venue["address"]), prefix + "address")
            postcode = normalise_postcode(str(venue["postcode"])) or str(venue["postcode"])
            w.scalar("    ", "postcode", postcode, prefix + "postcode")
            if venue.get("lat") and venue.get("lon"):
                w.add(f"    lat: {_number_or_text(str(venue['lat']))}", prefix + "postcode")
                w.add(f"    lon: {_number_or_text(str(venue['lon']))}", prefix + "postcode")
            if venue.get("accessibility"):
                access = cast("list[str]", venue["accessibility"])  # from_form's lists
                w.flow("    ", "accessibility", access, prefix + "accessibility")
            if venue.get("transport"):
                w.scalar("    ", "transport", str(venue["transport"]), prefix + "transport")


def _write_schedule(w: _Writer, form: ListingForm) -> None:
    sessions = [s for s in form.sessions if s.get("days") or s.get("opens") or s.get("closes")]
    if sessions:
        w.add("schedule:", "session-0-days")
        for i, session in enumerate(form.sessions):
            if not (session.get("days") or session.get("opens") or session.get("closes")):
                continue
            prefix = f"session-{i}-"
            w.flow("  - ", "days", cast("list[str]", session["days"]), prefix + "days")
            w.add(f"    opens: {json_quote(str(session['opens']))}", prefix + "opens")
            w.add(f"    closes: {json_quote(str(session['closes']))}", prefix + "closes")
            frequency = str(session.get("frequency") or "weekly")
            if frequency != "weekly":
                w.scalar("    ", "frequency", frequency, prefix + "frequency")
            if session.get("weeks"):
                weeks = [_number_or_text(x) for x in _split(str(session["weeks"]))]
                w.add(f"    weeks_of_month: [{', '.join(weeks)}]", prefix + "weeks")
            if session.get("notes"):
                w.scalar("    ", "notes", str(session["notes"]), prefix + "notes")


def ordered_needs(form: ListingForm) -> list[str]:
    """The ticked needs with the main one first: a listing's first need counts a little more
    in search, and checkboxes come back in the page's order, not the volunteer's."""
    chosen = list(dict.fromkeys(form.chosen("needs")))
    main = form.get("main_need")
    if main:
        chosen = [main] + [need for need in chosen if need != main]
    return chosen


def json_quote(value: str) -> str:
    """Times are always quoted, so '10:00' stays text and '9am' reaches the validator as typed."""
    from json import dumps

    return dumps(" ".join(value.split()), ensure_ascii=False)


# ---- problems -> fields ----------------------------------------------------------------------


@dataclass(frozen=True)
class FieldError:
    field: str  # the form field's id, or "" for the listing as a whole
    message: str


def field_errors(problems: Iterable[Problem], built: Built) -> list[FieldError]:
    """Each validator problem, by the form field its line came from, in form order."""
    first_key_line = min(built.line_fields, default=0)
    found = []
    for problem in problems:
        name = built.line_fields.get(problem.line, "")
        if problem.line == first_key_line and problem.column == 1:
            # The listing as a whole (YAML marks it where its first key starts), such as
            # "meets in person, so it needs at least one location".
            name = "location-0-name" if "location" in problem.message else ""
        found.append(FieldError(name, one_line(problem.message)))
    return found


def one_line(message: str) -> str:
    """The validator's messages put examples on indented lines; a form shows one sentence."""
    return " ".join(part.strip() for part in message.splitlines() if part.strip())
