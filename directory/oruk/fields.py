"""One HSDS service's parts as listing values: how to start, cost, sessions, access
features, languages, the review date and contact details.

Each function is pure: HSDS objects in, the listing's value out, with why it was guessed or
what was left out where the feed did not say exactly. Signpost's own export writes some
values in a fixed form (route labels, "Booking is required.", need ids) so that they map
back exactly.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date
from typing import Any

from directory.languages import language_code
from directory.model import ACCESSIBILITY, ROUTE_LABELS
from directory.oruk.export import BYDAY
from directory.oruk.read import plain, records, sentence_cut
from directory.validation import EMAIL_PATTERN, URL_PATTERN, parse_date, phone_problem
from directory.wording import describe_cost

_DAYS_BY_CODE = {code: day for day, code in BYDAY.items()}
_BYDAY_PART = re.compile(r"^([+-]?\d{1,2})?(MO|TU|WE|TH|FR|SA|SU)$")
_CLOCK = re.compile(r"^(\d{1,2}):(\d{2})(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?$")
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
    options = records(service.get("cost_options"))
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
        cost = {"free": False, "amount": sentence_cut(amount, 200)}
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
        cost = {"free": False, "amount": sentence_cut(words, 200)}
    elif fees and re.search(r"\bfree\b", fees.lower()) and "£" not in fees:
        cost, reason = {"free": True}, "from the fees description"
    elif "£" in fees:
        first = next((part for part in re.split(r"(?<=\.)\s+", fees) if "£" in part), fees)
        cost = {"free": False, "amount": sentence_cut(first, 200)}
        reason = "from the fees description"
    else:
        cost = {"free": False, "amount": "Ask the service"}
        reason = "the data does not say what it costs"
    if fees:
        lead = describe_cost_text(cost)
        details = fees[len(lead) :].lstrip(". ").strip() if fees.startswith(lead) else fees
        if details and details != cost.get("amount"):
            cost["details"] = sentence_cut(details, 1000)
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
        session["notes"] = sentence_cut(notes, 500)
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


def language_from(item: dict[str, Any]) -> str | None:
    """The language code Signpost uses for an HSDS language (by code or name), or None."""
    for raw in (item.get("code"), item.get("name")):
        text = plain(raw).lower()
        if not text:
            continue
        code = language_code(text) or _LANGUAGE_CODES_3.get(text)
        if code:
            return code
    return None


def review_date(service: dict[str, Any], today: date) -> tuple[str, str]:
    """(YYYY-MM-DD, why guessed): the assured date, else last modified, else today."""
    for key in ("assured_date", "last_modified"):
        raw = plain(service.get(key))[:10]
        if raw:
            parsed, _ = parse_date(raw)
            if parsed is not None and parsed <= today:
                return parsed.isoformat(), "" if key == "assured_date" else "from last_modified"
    return today.isoformat(), "the import date: nobody has checked it yet"


def contact_from(
    service: dict[str, Any], organisation: dict[str, Any], signpost_id: str, notes: list[str]
) -> dict[str, str]:
    """The first good phone, email and website of the service, its contacts or organisation.

    A link back to the listing's own Signpost page is no website of the service's own.
    """
    phones = records(service.get("phones"))
    emails = [service.get("email")]
    for contact in records(service.get("contacts")):
        phones += records(contact.get("phones"))
        emails.append(contact.get("email"))
    phones += records(organisation.get("phones"))
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
