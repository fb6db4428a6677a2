"""The listing format's field tables: which fields each part has, which are required, what
to write for each, and how long text may be.

The checks, the contribute form and the JSON Schema (directory/schema.py) all read these
tables, so the format is written down once.
"""

from __future__ import annotations

MAX_NEEDS = 8
"""A listing with more needs than this would turn up in searches it is not really for."""

TOP_FIELDS = {
    "name": True,
    "organisation": True,
    "description": True,
    "status": True,
    "needs": True,
    "who_for": False,
    "access": True,
    "cost": True,
    "contact": True,
    "delivery": False,
    "national": False,
    "locations": False,
    "schedule": False,
    "languages": False,
    "bank_holidays": False,
    "areas_served": False,
    "last_reviewed": True,
    "reviewed_by": True,
}
WHO_FOR_FIELDS = {"age_min": False, "age_max": False, "groups": False, "eligibility": False}
ACCESS_FIELDS = {"routes": True, "how_to_access": True, "booking_required": False}
COST_FIELDS = {"free": True, "amount": False, "details": False}
CONTACT_FIELDS = {"phone": False, "email": False, "website": False}
LOCATION_FIELDS = {
    "name": True,
    "address": True,
    "postcode": True,
    "lat": False,
    "lon": False,
    "accessibility": False,
    "transport": False,
}
SESSION_FIELDS = {
    "days": True,
    "opens": True,
    "closes": True,
    "frequency": False,
    "weeks_of_month": False,
    "notes": False,
}

# What to write, shown when a field is missing or wrong.
EXAMPLES = {
    "name": "name: Margate Men's Shed",
    "organisation": "organisation: Thanet Community Sheds CIC",
    "description": "description: A friendly workshop where people make and mend things together.",
    "status": "status: active",
    "needs": "needs: [loneliness, arts-and-crafts]",
    "who_for": "who_for:\n    age_min: 18",
    "access": "access:\n    routes: [self-referral]\n    how_to_access: Ring us for a chat.",
    "routes": "routes: [self-referral, drop-in]",
    "how_to_access": "how_to_access: Just turn up, or ring Dave first for a chat.",
    "cost": "cost:\n    free: true",
    "free": "free: true",
    "amount": 'amount: "£2 a session"',
    "contact": 'contact:\n    phone: "01632 960001"',
    "last_reviewed": "last_reviewed: 2026-09-14",
    "reviewed_by": "reviewed_by: Thanet Link Worker Team",
    "locations": (
        "locations:\n  - name: The Old Forge\n    address: 12 Example Street, Margate\n"
        "    postcode: CT9 1EP"
    ),
    "days": "days: [tue, thu]",
    "opens": 'opens: "10:00"',
    "closes": 'closes: "12:00"',
    "postcode": "postcode: CT9 1EP",
    "address": "address: 12 Example Street, Margate",
}

TEXT_LIMITS = {
    "name": (3, 120),
    "organisation": (2, 160),
    "description": (20, 2000),
    "reviewed_by": (2, 160),
    "how_to_access": (5, 1000),
    "eligibility": (0, 1000),
    "amount": (1, 200),
    "details": (0, 1000),
    "address": (5, 300),
    "transport": (0, 1000),
    "notes": (0, 500),
}
