"""Places that went wrong: Northern Ireland postcodes, O-for-zero typos, same-named places
typed with their district, other spellings of a name, and postcode lookups that stay fast in
any order (the compact postcode index)."""

from __future__ import annotations

import os
import re
import shutil
import socket
from datetime import date

import numpy as np
import pytest

from directory.places import Gazetteer, codepoint, default_gazetteer
from directory.places.codepoint import codepoint_dir, read_codepoint_area
from directory.places.postcodes import likely_postcode, postcode_candidates
from directory.validation import validate_file
from tests.conftest import TEMPLATE, FakeGazetteer
from tests.test_site_search import get

TODAY = date(2026, 11, 23)


@pytest.fixture(autouse=True)
def no_network(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("place tests must not touch the network")

    monkeypatch.setattr(socket.socket, "connect", refuse)


@pytest.fixture(scope="module")
def gaz() -> Gazetteer:
    return default_gazetteer()


def listing_with(tmp_path, postcode_lines: str) -> str:
    """The template listing with its location's postcode line replaced."""
    text = re.sub(
        r"(?m)^(\s*)postcode: .*$",
        lambda m: "\n".join(m.group(1) + line for line in postcode_lines.split("\n")),
        TEMPLATE,
        count=1,
    )
    path = tmp_path / "services" / "belfast" / "shed.yaml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


# ---- 15: Northern Ireland postcodes and O for zero ------------------------------------------


def test_northern_ireland_postcode_with_coordinates_is_accepted(tmp_path, vocab, gaz):
    path = listing_with(tmp_path, "postcode: BT7 1NN\nlat: 54.5849\nlon: -5.9348")
    listing, problems = validate_file(path, vocab, gazetteer=gaz, today=TODAY)
    assert problems == []
    assert listing.locations[0].postcode == "BT7 1NN"


def test_northern_ireland_postcode_without_coordinates_asks_for_them(tmp_path, vocab, gaz):
    path = listing_with(tmp_path, "postcode: BT7 1NN")
    _, [problem] = validate_file(path, vocab, gazetteer=gaz, today=TODAY)
    assert problem.message.startswith(
        "Northern Ireland postcodes such as BT7 1NN are not in Signpost's offline postcode "
        "list, so add the venue's lat and lon as well"
    )


def test_new_postcode_with_coordinates_is_accepted(tmp_path, vocab):
    path = listing_with(tmp_path, "postcode: CT9 9QQ\nlat: 51.389\nlon: 1.386")
    _, problems = validate_file(path, vocab, gazetteer=FakeGazetteer(set()), today=TODAY)
    assert problems == []


def test_northern_ireland_postcodes_resolve_to_their_district(gaz):
    place = gaz.resolve("BT7 1NN")
    assert place is not None
    assert place.kind == "district"
    assert place.label == "BT7"
    assert place.country == "Northern Ireland"
    assert "Northern Ireland" in place.note


@pytest.mark.parametrize(
    ("typed", "meant"),
    [
        ("DN11 OLE", "DN11 0LE"),
        ("dn11ole", "DN11 0LE"),
        ("CT9 IEP", "CT9 1EP"),
        ("SWIA 1AA", "SW1A 1AA"),
        ("0X1 1AA", "OX1 1AA"),
    ],
)
def test_validator_offers_the_likely_postcode(tmp_path, vocab, gaz, typed, meant):
    path = listing_with(tmp_path, f"postcode: {typed}")
    _, [problem] = validate_file(path, vocab, gazetteer=gaz, today=TODAY)
    assert f"'{typed}' is not a full UK postcode. Did you mean {meant}?" in problem.message


def test_validator_offers_a_postcode_without_a_gazetteer_too(tmp_path, vocab):
    path = listing_with(tmp_path, "postcode: DN11 OLE")
    _, [problem] = validate_file(path, vocab, today=TODAY)
    assert "Did you mean DN11 0LE?" in problem.message


def test_postcode_candidates_fewest_swaps_first():
    assert postcode_candidates("DN11 OLE") == ["DN11 0LE", "DN1I 0LE"]
    assert likely_postcode("DN11 OLE") == "DN11 0LE"
    assert likely_postcode("DN11 0LE") is None  # nothing to correct
    assert likely_postcode("hello") is None


@pytest.mark.parametrize(
    ("typed", "meant"), [("DN11 OLE", "DN11 0LE"), ("ct9 lep", "CT9 1EP"), ("BT7 INN", "BT7 1NN")]
)
def test_geocoder_suggests_the_likely_postcode(gaz, typed, meant):
    assert gaz.resolve(typed) is None
    assert gaz.suggest(typed) == [meant]
    assert gaz.likely_postcode(typed) == meant


def test_search_page_offers_the_likely_postcode(site):
    page = get(site, "/?q=lonely&near=DN11+OLE")
    assert "We could not find that place" in page
    assert re.search(r'href="/\?q=lonely&amp;near=DN11\+0LE">DN11 0LE</a>', page)


# ---- 16: same-named places, other spellings -----------------------------------------------


@pytest.mark.parametrize(
    ("typed", "label"),
    [
        ("Ryton NE40", "Ryton (NE40)"),
        ("Ryton, NE40", "Ryton (NE40)"),
        ("Ryton NE40 3", "Ryton (NE40)"),
        ("Ryton NE21", "Ryton (NE40)"),  # a neighbouring district: the nearest Ryton
        ("Normanton WF6", "Normanton (WF6)"),
        ("normanton, wf1", "Normanton (WF6)"),
        ("Normanton DE23", "Normanton (DE23)"),
        ("Minster CT11", "Minster (CT12)"),
    ],
)
def test_district_typed_with_a_name_picks_the_nearest(gaz, typed, label):
    place = gaz.resolve(typed)
    assert place is not None
    assert place.label == label
    assert place.note == ""


@pytest.mark.parametrize("typed", ["Whitehall BS5", "Whitehall, BS5", "whitehall bs5 6"])
def test_no_same_named_place_near_the_district_uses_the_district(gaz, typed):
    place = gaz.resolve(typed)
    assert place is not None
    assert place.kind == "district"
    assert place.label == "BS5"
    assert (
        place.note == "We do not know a place called Whitehall near BS5, so we used the BS5 area."
    )


@pytest.mark.parametrize(
    ("typed", "label"),
    [
        ("Burton-on-Trent", "Burton upon Trent (DE14)"),
        ("burton on trent", "Burton upon Trent (DE14)"),
        ("Llanfairpwll", "Llanfairpwllgwyngyll (LL61)"),
        ("Llanfair PG", "Llanfairpwllgwyngyll (LL61)"),
        (
            "Llanfairpwllgwyngyllgogerychwyrndrobwllllantysiliogogogoch",
            "Llanfairpwllgwyngyll (LL61)",
        ),
    ],
)
def test_other_spellings_of_a_name(gaz, typed, label):
    place = gaz.resolve(typed)
    assert place is not None
    assert place.label == label


def test_search_page_offers_the_other_minster_as_a_link(site):
    page = get(site, "/?q=lonely&near=Minster")
    assert "Several places are called Minster" in page
    assert "Did you mean another place?" in page
    assert re.search(r'href="/\?q=lonely&amp;near=Minster\+%28CT12%29">Minster \(CT12\)</a>', page)


# ---- 17: one postcode table, built once, memory-mapped ------------------------------------


@pytest.fixture
def small_codepoint(tmp_path):
    source = tmp_path / "codepoint"
    source.mkdir()
    for area in ("ct", "dn"):
        shutil.copy(codepoint_dir() / f"{area}.csv.gz", source)
    return source


def test_postcode_table_answers_every_postcode_it_read(small_codepoint, tmp_path):
    table = codepoint.load(small_codepoint, read_codepoint_area, tmp_path / "cache")
    expected = {**read_codepoint_area(small_codepoint / "ct.csv.gz")}
    expected.update(read_codepoint_area(small_codepoint / "dn.csv.gz"))
    assert len(table) == len(expected)
    for postcode in list(expected)[::97]:
        assert table.get(postcode) == expected[postcode]
    assert table.get("CT9 9QQ") is None
    assert table.get("") is None
    assert table.get("é") is None
    assert isinstance(table.keys, np.memmap)
    assert table.where.parent == tmp_path / "cache"


def test_postcode_table_is_rebuilt_when_its_files_change(small_codepoint, tmp_path):
    cache = tmp_path / "cache"
    first = codepoint.load(small_codepoint, read_codepoint_area, cache)
    os.utime(small_codepoint / "dn.csv.gz", ns=(1, 1))
    second = codepoint.load(small_codepoint, read_codepoint_area, cache)
    assert second.where != first.where
    assert [p.name for p in cache.glob("postcodes-*")] == [second.where.name]


def test_unwritable_cache_keeps_postcodes_in_memory(small_codepoint, tmp_path):
    blocked = tmp_path / "not-a-folder"
    blocked.write_text("", encoding="utf-8")
    table = codepoint.load(small_codepoint, read_codepoint_area, blocked / "cache")
    assert table.where is None
    assert table.get("DN11 0LE") is not None
    g = Gazetteer(codepoint_path=small_codepoint, postcode_cache=blocked / "cache")
    assert g.lookup_postcode("CT9 1EP").label == "CT9 1EP"


def test_mixed_order_lookups_read_no_area_file_after_the_build(
    small_codepoint, tmp_path, monkeypatch
):
    g = Gazetteer(codepoint_path=small_codepoint, postcode_cache=tmp_path / "cache")
    assert g.lookup_postcode("CT9 1EP") is not None  # builds the table
    monkeypatch.setattr(codepoint, "read_codepoint_area", lambda path: pytest.fail(str(path)))
    for postcode in ["DN11 0LE", "CT9 1EP", "DN1 1AA", "CT20 1AB", "DN11 0LE"] * 20:
        g.lookup_postcode(postcode)
