"""The listing: one community service, as the rest of Signpost sees it once validated.

Frozen dataclasses so that a listing can be shared between threads and cached without fear;
all parsing and checking lives in ``directory/validation/``, so everything here can trust its
fields.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

STATUSES = ("active", "paused", "closed")
ROUTES = ("self-referral", "professional-referral", "drop-in")
DELIVERY = ("in-person", "online", "phone")
DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
DAY_NAMES = {
    "mon": "Monday",
    "tue": "Tuesday",
    "wed": "Wednesday",
    "thu": "Thursday",
    "fri": "Friday",
    "sat": "Saturday",
    "sun": "Sunday",
}
FREQUENCIES = ("weekly", "fortnightly", "monthly")
BANK_HOLIDAYS = ("open", "closed")  # "closed": does not meet on bank holidays
ACCESSIBILITY = {
    "step-free": "Step-free access",
    "accessible-toilet": "Accessible toilet",
    "hearing-loop": "Hearing loop",
    "lift": "Lift",
    "accessible-parking": "Accessible parking",
    "seating": "Seating available",
    "quiet-space": "Quiet space",
    "bsl": "British Sign Language",
    "large-print": "Large print",
    "assistance-dogs": "Assistance dogs welcome",
}
ROUTE_LABELS = {
    "self-referral": "You can refer yourself",
    "professional-referral": "Needs a referral (GP, link worker or other professional)",
    "drop-in": "Drop in, no need to book",
}


@dataclass(frozen=True)
class WhoFor:
    age_min: int | None = None
    age_max: int | None = None
    groups: tuple[str, ...] = ()
    eligibility: str = ""


@dataclass(frozen=True)
class Access:
    routes: tuple[str, ...]
    how_to_access: str
    booking_required: bool = False


@dataclass(frozen=True)
class Cost:
    free: bool
    amount: str = ""
    details: str = ""


@dataclass(frozen=True)
class Contact:
    phone: str = ""
    email: str = ""
    website: str = ""


@dataclass(frozen=True)
class Location:
    name: str
    address: str
    postcode: str
    lat: float | None = None
    lon: float | None = None
    accessibility: tuple[str, ...] = ()
    transport: str = ""


@dataclass(frozen=True)
class Session:
    days: tuple[str, ...]
    opens: str
    closes: str
    frequency: str = "weekly"
    weeks_of_month: tuple[int, ...] = ()
    notes: str = ""


@dataclass(frozen=True)
class Listing:
    id: str
    area: str
    path: str
    name: str
    organisation: str
    description: str
    status: str
    needs: tuple[str, ...]
    access: Access
    cost: Cost
    contact: Contact
    last_reviewed: date
    reviewed_by: str
    who_for: WhoFor = field(default_factory=WhoFor)
    delivery: tuple[str, ...] = ("in-person",)
    national: bool = False
    locations: tuple[Location, ...] = ()
    schedule: tuple[Session, ...] = ()
    languages: tuple[str, ...] = ("en",)
    bank_holidays: str = "open"  # "closed": no sessions on bank holidays (directory/schedule.py)
    areas_served: tuple[str, ...] = ()  # council areas, districts, nations (directory/areas.py)

    @property
    def in_person(self) -> bool:
        return "in-person" in self.delivery

    @property
    def remote(self) -> bool:
        """Reachable without travelling: online or by phone."""
        return "online" in self.delivery or "phone" in self.delivery

    @property
    def step_free(self) -> bool:
        """Every venue is step-free (a remote-only service needs no steps at all)."""
        if not self.locations:
            return self.remote
        return all("step-free" in loc.accessibility for loc in self.locations)
