"""The listing's own rules: each part of a listing checked, and the :class:`Listing` built.

Every problem is kept (not just the first), each at the line and column it is about, with
what to write instead. Nothing here saves anything or calls the network; postcodes are looked
up only in the offline gazetteer passed in.
"""

from __future__ import annotations

from datetime import date
from typing import Any, Protocol

from directory import model
from directory.languages import language_code
from directory.load import KeyPath, LoadedFile
from directory.model import Listing
from directory.places.postcodes import is_northern_ireland, likely_postcode, normalise_postcode
from directory.problems import quote
from directory.validation.fields import (
    ACCESS_FIELDS,
    CONTACT_FIELDS,
    COST_FIELDS,
    EXAMPLES,
    LOCATION_FIELDS,
    MAX_NEEDS,
    TOP_FIELDS,
    WHO_FOR_FIELDS,
)
from directory.validation.sessions import check_schedule
from directory.validation.shapes import FieldChecker
from directory.validation.values import (
    EMAIL_PATTERN,
    URL_PATTERN,
    nearest_word,
    options,
    parse_date,
    phone_problem,
)
from directory.vocabulary import Vocabulary


class PostcodeLookup(Protocol):
    """Anything that can say whether a postcode exists (the offline gazetteer)."""

    def lookup_postcode(self, postcode: str) -> Any: ...


class ListingChecker(FieldChecker):
    """Runs every rule over one loaded listing file."""

    def __init__(
        self,
        loaded: LoadedFile,
        vocab: Vocabulary,
        gazetteer: PostcodeLookup | None,
        today: date,
    ) -> None:
        super().__init__(loaded)
        self.vocab = vocab
        self.gazetteer = gazetteer
        self.today = today

    def check(self, listing_id: str, area: str, source: str) -> Listing | None:
        """The listing, or None when any rule found a problem (all of them are kept)."""
        data = self.loaded.data
        if not self.fields((), data, TOP_FIELDS, "The listing"):
            return None
        name = self.text(("name",), data.get("name"), required="name" in data)
        organisation = self.text(
            ("organisation",), data.get("organisation"), required="organisation" in data
        )
        description = self.text(
            ("description",), data.get("description"), required="description" in data
        )
        status = (
            self.choice(("status",), data.get("status"), model.STATUSES) if "status" in data else ""
        )
        needs = self.needs(data.get("needs")) if "needs" in data else ()
        who_for = self.who_for(data.get("who_for"))
        access = self.access(data.get("access")) if "access" in data else None
        cost = self.cost(data.get("cost")) if "cost" in data else None
        contact = self.contact(data.get("contact")) if "contact" in data else None
        delivery = self.delivery(data.get("delivery"))
        national = self.boolean(("national",), data.get("national"), False)
        areas_served = self.areas_served(data.get("areas_served"))
        # Served areas without a venue: the service comes to people (home visits).
        venue_needed = () if areas_served else delivery
        locations = self.locations(data.get("locations"), venue_needed, "locations" in data)
        schedule = check_schedule(self, data.get("schedule"))
        languages = self.languages(data.get("languages"))
        bank_holidays = (
            self.choice(("bank_holidays",), data.get("bank_holidays"), model.BANK_HOLIDAYS)
            if "bank_holidays" in data
            else "open"
        )
        last_reviewed = (
            self.last_reviewed(data.get("last_reviewed")) if "last_reviewed" in data else None
        )
        reviewed_by = self.text(
            ("reviewed_by",), data.get("reviewed_by"), required="reviewed_by" in data
        )
        if self.loaded.problems or access is None or cost is None or contact is None:
            return None
        assert last_reviewed is not None
        return Listing(
            id=listing_id,
            area=area,
            path=source,
            name=name,
            organisation=organisation,
            description=description,
            status=status,
            needs=needs,
            who_for=who_for,
            access=access,
            cost=cost,
            contact=contact,
            delivery=delivery,
            national=national,
            locations=locations,
            schedule=schedule,
            languages=languages,
            bank_holidays=bank_holidays,
            areas_served=areas_served,
            last_reviewed=last_reviewed,
            reviewed_by=reviewed_by,
        )

    def areas_served(self, value: Any) -> tuple[str, ...]:
        """Council areas, postcode districts or areas, or nations, in canonical spelling."""
        from directory.areas import default_areas

        table = default_areas()
        found: list[str] = []
        for index, item in enumerate(self.string_list(("areas_served",), value)):
            keypath = ("areas_served", index)
            raw = str(self.loaded.raw.get(keypath, item)).strip()
            area = table.resolve(raw) if isinstance(item, (str, int)) else None
            if area is None:
                self.problem(keypath, table.problem(raw))
            elif area.name in found:
                self.problem(keypath, f"'{raw}' is listed twice in areas_served. Delete one.")
            else:
                found.append(area.name)
        return tuple(found)

    def needs(self, value: Any) -> tuple[str, ...]:
        items = self.string_list(("needs",), value, required=True)
        found: list[str] = []
        for index, item in enumerate(items):
            keypath = ("needs", index)
            raw = str(self.loaded.raw.get(keypath, item))
            if isinstance(item, str) and item in self.vocab.needs:
                if item in found:
                    self.problem(keypath, f"'{item}' is listed twice in needs. Delete one.")
                found.append(item)
                continue
            nearest = self.vocab.nearest_needs(raw)
            if nearest:
                quoted = [f"'{n}'" for n in nearest]
                hint = f" Did you mean {options(quoted)}?"
            else:
                hint = " See data/needs.yaml for the list of needs."
            self.problem(keypath, f"{quote(raw)} is not a need in data/needs.yaml.{hint}")
        if len(items) > MAX_NEEDS:
            self.problem(
                ("needs",),
                f"A listing can have at most {MAX_NEEDS} needs (this one has {len(items)}). "
                "Keep the ones the service is really for, so searches stay accurate.",
            )
        return tuple(dict.fromkeys(found))

    def who_for(self, value: Any) -> model.WhoFor:
        keypath: KeyPath = ("who_for",)
        if value is None:
            return model.WhoFor()
        if not self.fields(keypath, value, WHO_FOR_FIELDS, "who_for"):
            return model.WhoFor()
        age_min = self.integer(keypath + ("age_min",), value.get("age_min"), 0, 120)
        age_max = self.integer(keypath + ("age_max",), value.get("age_max"), 0, 120)
        if age_min is not None and age_max is not None and age_max < age_min:
            self.problem(
                keypath + ("age_max",),
                f"age_max ({age_max}) is lower than age_min ({age_min}). Swap them round.",
            )
        groups: list[str] = []
        for index, item in enumerate(self.string_list(keypath + ("groups",), value.get("groups"))):
            raw = str(self.loaded.raw.get(keypath + ("groups", index), item))
            if isinstance(item, str) and item in self.vocab.groups:
                groups.append(item)
                continue
            nearest = self.vocab.nearest_groups(raw)
            hint = (
                f" Did you mean {options(nearest)}?"
                if nearest
                else f" Use one of: {options(list(self.vocab.groups))}."
            )
            self.problem(
                keypath + ("groups", index),
                f"{quote(raw)} is not a group in data/needs.yaml.{hint}",
            )
        eligibility = self.text(
            keypath + ("eligibility",), value.get("eligibility"), required=False
        )
        return model.WhoFor(age_min, age_max, tuple(dict.fromkeys(groups)), eligibility)

    def access(self, value: Any) -> model.Access | None:
        keypath: KeyPath = ("access",)
        if not self.fields(keypath, value, ACCESS_FIELDS, "access"):
            return None
        routes = []
        for index, item in enumerate(
            self.string_list(keypath + ("routes",), value.get("routes"), required="routes" in value)
        ):
            route = self.choice(keypath + ("routes", index), item, model.ROUTES)
            if route:
                routes.append(route)
        how = self.text(
            keypath + ("how_to_access",),
            value.get("how_to_access"),
            required="how_to_access" in value,
        )
        booking = self.boolean(keypath + ("booking_required",), value.get("booking_required"))
        return model.Access(tuple(dict.fromkeys(routes)), how, booking)

    def cost(self, value: Any) -> model.Cost | None:
        keypath: KeyPath = ("cost",)
        if not self.fields(keypath, value, COST_FIELDS, "cost"):
            return None
        free = self.boolean(keypath + ("free",), value.get("free"))
        amount = self.text(keypath + ("amount",), value.get("amount"), required=False)
        if "free" in value and isinstance(value.get("free"), bool) and not free and not amount:
            self.problem(
                keypath,
                key=True,
                message="This service is not free, so say what it costs. Add a line under "
                'cost like:\n    amount: "£3 a session"',
            )
        details = self.text(keypath + ("details",), value.get("details"), required=False)
        return model.Cost(free, amount, details)

    def contact(self, value: Any) -> model.Contact | None:
        keypath: KeyPath = ("contact",)
        if not self.fields(keypath, value, CONTACT_FIELDS, "contact"):
            return None
        if not any(value.get(name) for name in CONTACT_FIELDS):
            self.problem(
                keypath,
                "Give at least one way to get in touch: a phone, an email or a website. "
                'For example:\n    phone: "01632 960001"',
            )
        phone = email = website = ""
        if value.get("phone") is not None:
            phone = str(self.loaded.raw.get(keypath + ("phone",), value["phone"])).strip()
            message = phone_problem(phone)
            if message:
                self.problem(keypath + ("phone",), message)
        if value.get("email") is not None:
            email = str(value["email"]).strip()
            if not EMAIL_PATTERN.match(email):
                self.problem(
                    keypath + ("email",),
                    f"{quote(email)} is not an email address. Write it like hello@example.org.",
                )
        if value.get("website") is not None:
            website = str(value["website"]).strip()
            if not URL_PATTERN.match(website):
                if URL_PATTERN.match("https://" + website):
                    hint = f" Add https:// at the start: https://{website}"
                else:
                    hint = " Write the full address, like https://example.org/our-group"
                self.problem(
                    keypath + ("website",), f"{quote(website)} is not a website address.{hint}"
                )
        return model.Contact(phone, email, website)

    def delivery(self, value: Any) -> tuple[str, ...]:
        if value is None:
            return ("in-person",)
        found = []
        for index, item in enumerate(self.string_list(("delivery",), value, required=True)):
            choice = self.choice(("delivery", index), item, model.DELIVERY)
            if choice:
                found.append(choice)
        return tuple(dict.fromkeys(found)) or ("in-person",)

    def locations(
        self, value: Any, delivery: tuple[str, ...], present: bool
    ) -> tuple[model.Location, ...]:
        if value is None:
            if "in-person" in delivery:
                self.problem(
                    ("locations",) if present else (),
                    "This service meets in person, so it needs at least one location. Add:\n    "
                    + EXAMPLES["locations"]
                    + "\nIf it is only online or by phone, add delivery: [online] or "
                    "delivery: [phone] instead.",
                )
            return ()
        items = self.string_list(("locations",), value, required="in-person" in delivery)
        found = []
        for index, item in enumerate(items):
            location = self.location(("locations", index), item)
            if location is not None:
                found.append(location)
        return tuple(found)

    def location(self, keypath: KeyPath, value: Any) -> model.Location | None:
        if not self.fields(keypath, value, LOCATION_FIELDS, f"location {keypath[-1] + 1}"):
            return None
        name = self.text(keypath + ("name",), value.get("name"), required="name" in value)
        address = self.text(
            keypath + ("address",), value.get("address"), required="address" in value
        )
        lat = self.coordinate(keypath + ("lat",), value.get("lat"), 49.8, 60.9, "lat")
        lon = self.coordinate(keypath + ("lon",), value.get("lon"), -8.7, 1.8, "lon")
        postcode = ""
        if "postcode" in value:
            postcode = self.postcode(
                keypath + ("postcode",),
                value.get("postcode"),
                located=lat is not None and lon is not None,
            )
        if (lat is None) != (lon is None) and ("lat" in value or "lon" in value):
            self.problem(
                keypath,
                "Give both lat and lon, or neither (then the postcode is used to find the place).",
            )
        accessibility = []
        for index, item in enumerate(
            self.string_list(keypath + ("accessibility",), value.get("accessibility"))
        ):
            choice = self.choice(
                keypath + ("accessibility", index), item, list(model.ACCESSIBILITY)
            )
            if choice:
                accessibility.append(choice)
        transport = self.text(keypath + ("transport",), value.get("transport"), required=False)
        return model.Location(
            name, address, postcode, lat, lon, tuple(dict.fromkeys(accessibility)), transport
        )

    def postcode(self, keypath: KeyPath, value: Any, *, located: bool = False) -> str:
        """A postcode the index can place, or a message; ``located``: lat and lon are given.

        With lat and lon a postcode only needs the right shape: Northern Ireland (BT)
        postcodes are not in the offline postcode list, and a new venue's may not be yet.
        """
        raw = str(self.loaded.raw.get(keypath, value) if value is not None else "").strip()
        canonical = normalise_postcode(raw)
        if canonical is None:
            # The real gazetteer also knows Northern Ireland districts; a bare lookup will do.
            finder = getattr(self.gazetteer, "likely_postcode", None)
            exists = self.gazetteer.lookup_postcode if self.gazetteer is not None else None
            likely = finder(raw) if callable(finder) else likely_postcode(raw, exists)
            guess = f" Did you mean {likely}?" if likely else ""
            self.problem(
                keypath,
                f"{quote(raw)} is not a full UK postcode.{guess} Write the whole postcode, like "
                "CT9 1EP (check the letters O and I are not the numbers 0 and 1).",
            )
            return ""
        if located or self.gazetteer is None:
            return canonical
        if is_northern_ireland(canonical.split(" ")[0]):
            self.problem(
                keypath,
                f"Northern Ireland postcodes such as {canonical} are not in Signpost's offline "
                "postcode list, so add the venue's lat and lon as well (for example from "
                "OpenStreetMap), like:\n    lat: 54.5973\n    lon: -5.9301",
            )
            return canonical
        if self.gazetteer.lookup_postcode(canonical) is None:
            self.problem(
                keypath,
                f"We cannot find the postcode {canonical}. Check it on a letter or on Royal "
                "Mail's postcode finder; if the venue is new, give lat and lon as well.",
            )
            return canonical
        return canonical

    def coordinate(
        self, keypath: KeyPath, value: Any, low: float, high: float, name: str
    ) -> float | None:
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            self.problem(keypath, f"'{name}' must be a number in decimal degrees, like 51.3890.")
            return None
        if not low <= float(value) <= high:
            self.problem(
                keypath,
                f"{name} {value} is outside the UK ({low} to {high}). Check the numbers are "
                "not swapped (lat is about 50 to 60, lon about -8 to 2).",
            )
            return None
        return float(value)

    def languages(self, value: Any) -> tuple[str, ...]:
        if value is None:
            return ("en",)
        codes = []
        for index, item in enumerate(self.string_list(("languages",), value)):
            keypath = ("languages", index)
            raw = str(self.loaded.raw.get(keypath, item)).strip()
            code = language_code(raw)
            if code is None:
                from directory.languages import LANGUAGES

                guess = nearest_word(raw, [name.lower() for name in LANGUAGES.values()])
                hint = f" Did you mean {guess.title()}?" if guess else ""
                self.problem(
                    keypath,
                    f"{quote(raw)} is not a language we know. Write its English name, like "
                    f"Polish or British Sign Language.{hint}",
                )
                continue
            codes.append(code)
        return tuple(dict.fromkeys(codes)) or ("en",)

    def last_reviewed(self, value: Any) -> date | None:
        keypath: KeyPath = ("last_reviewed",)
        raw = self.loaded.raw.get(keypath, value)
        if value is None:
            self.problem(keypath, "'last_reviewed' is empty. Write the date, like 2026-09-14.")
            return None
        parsed, message = parse_date(raw)
        if message:
            self.problem(keypath, message)
            return None
        assert parsed is not None
        if parsed > self.today:
            self.problem(
                keypath,
                f"last_reviewed ({parsed.isoformat()}) is in the future. Write the date the "
                "listing was actually checked.",
            )
            return None
        return parsed
