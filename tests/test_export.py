"""Open data exports: Open Referral UK (HSDS 3.0) JSON that validates against the official
schemas, and a spreadsheet-friendly CSV; and the `signpost export` command."""

from __future__ import annotations

import csv
import dataclasses
import io
import json
from datetime import date

import pytest

from cli import main
from directory.model import Cost, Session
from directory.oruk.export import (
    directory_to_hsds,
    organization_uuid,
    schedule_to_hsds,
    service_to_hsds,
    service_uuid,
    split_address,
)
from directory.oruk.spreadsheet import CSV_COLUMNS, listings_to_csv
from tests.hsds import errors


def region_for(bundled):
    def region(postcode: str) -> str:
        place = bundled.gazetteer.lookup_postcode(postcode)
        return place.country if place else ""

    return region


@pytest.fixture(scope="module")
def exported(bundled):
    return directory_to_hsds(
        bundled.listings,
        bundled.vocab,
        base_url="https://signpost.example.org",
        region_for=region_for(bundled),
    )


def test_bundled_examples_export_as_valid_hsds(exported, bundled):
    """Valid by the Open Referral UK profile's own OpenAPI document and compiled schemas,
    and each service by HSDS 3.0's compiled service schema too."""
    assert errors("page", exported) == []
    assert exported["total_items"] == len(bundled.listings) == exported["size"]
    for service in exported["contents"]:
        assert errors("service", service) == [], service["signpost_id"]
        assert errors("hsds_service", service) == [], service["signpost_id"]


def test_the_schemas_do_catch_mistakes():
    """A guard against a validator that passes everything (e.g. formats not checked)."""
    assert errors("service", {"id": "not-a-uuid", "name": "x", "status": "active"})
    assert errors("service", {"id": service_uuid("x"), "name": "x"})
    assert errors("service", {"id": service_uuid("x"), "name": "x", "status": "open"})
    assert errors("location", {"id": service_uuid("x"), "location_type": "house"})
    assert errors("page", {"total_items": "many", "contents": []})
    assert errors("page", {"contents": [{"id": service_uuid("x"), "name": "x"}]})
    assert errors("hsds_service", {"id": service_uuid("x"), "name": "x", "status": "open"})


def _objects(value, kind: str, found: dict[str, list]) -> dict[str, list]:
    """Every nested HSDS object by kind, for checking that ids are unique per table."""
    keys = {
        "service_at_locations": "service_at_location",
        "addresses": "address",
        "accessibility": "accessibility",
        "schedules": "schedule",
        "languages": "language",
        "cost_options": "cost_option",
        "attributes": "attribute",
        "service_areas": "service_area",
        "contacts": "contact",
    }
    if isinstance(value, dict):
        if "id" in value:
            found.setdefault(kind, []).append(value)
        for key, child in value.items():
            if isinstance(child, list):
                for item in child:
                    _objects(item, keys.get(key, key), found)
            elif isinstance(child, dict):
                _objects(child, key, found)
    return found


def test_ids_are_unique_uuids_per_object_kind(exported):
    found: dict[str, list] = {}
    for service in exported["contents"]:
        _objects(service, "service", found)
    for kind in ("service", "location", "address", "schedule", "cost_option", "attribute"):
        ids = [item["id"] for item in found[kind]]
        assert len(ids) == len(set(ids)), kind
    # Shared things are the same object wherever they appear.
    for kind in ("organization", "taxonomy_term", "taxonomy_detail"):
        by_id: dict[str, dict] = {}
        for item in found[kind]:
            assert by_id.setdefault(item["id"], item) == item, kind


def test_uk_profile_rules(exported):
    for service in exported["contents"]:
        assert service["url"].startswith("https://"), service["signpost_id"]
        for link in service["service_at_locations"]:
            for address in link["location"].get("addresses", []):
                assert address["country"] == "GB"
                assert address["state_province"] in {"England", "Scotland", "Wales"}


def test_ids_are_stable_forever():
    """Consumers store these ids: they must never change between versions or builds."""
    assert service_uuid("margate-mens-shed") == "d6b6f7fe-0370-5e17-8f19-8b64a9ad1d46"
    assert organization_uuid("Thanet  Community Sheds CIC") == organization_uuid(
        "thanet community sheds cic"
    )


def test_a_listing_in_hsds(bundled):
    listing = next(item for item in bundled.listings if item.id == "margate-bereavement-cafe")
    service = service_to_hsds(listing, bundled.vocab)
    assert service["signpost_id"] == "margate-bereavement-cafe"
    assert service["status"] == "active"
    assert service["assured_date"] == listing.last_reviewed.isoformat()
    assert service["cost_options"][0]["amount"] == 0
    assert [a["taxonomy_term"]["code"] for a in service["attributes"]][:3] == list(listing.needs)
    location = service["service_at_locations"][0]["location"]
    assert location["latitude"] == listing.locations[0].lat
    assert {item["details"] for item in location["accessibility"]} == set(
        listing.locations[0].accessibility
    )
    assert "url" not in service or service["url"] == listing.contact.website


@pytest.mark.parametrize(
    ("session", "expected"),
    [
        (Session(("tue", "thu"), "10:00", "13:00"), ("WEEKLY", 1, "TU,TH")),
        (Session(("wed",), "14:00", "16:00", "fortnightly"), ("WEEKLY", 2, "WE")),
        (Session(("wed",), "14:00", "16:00", "monthly", (1, 3)), ("MONTHLY", 1, "1WE,3WE")),
    ],
)
def test_sessions_as_rrule_schedules(session, expected):
    schedule = schedule_to_hsds(session, service_uuid("x"), 0)
    assert (schedule["freq"], schedule["interval"], schedule["byday"]) == expected
    assert (schedule["opens_at"], schedule["closes_at"]) == (session.opens, session.closes)
    assert errors("schedule", schedule) == []


def test_status_and_paid_cost(bundled):
    listing = bundled.listings[0]
    paused = dataclasses.replace(
        listing, status="paused", cost=Cost(False, "£2.50 a session", "Tea included.")
    )
    service = service_to_hsds(paused, bundled.vocab)
    assert service["status"] == "temporarily closed"
    assert service["cost_options"][0]["amount"] == 2.5
    assert service["cost_options"][0]["currency"] == "GBP"
    assert service["fees_description"] == "£2.50 a session. Tea included."
    closed = service_to_hsds(dataclasses.replace(listing, status="closed"), bundled.vocab)
    assert closed["status"] == "inactive"


def test_split_address():
    assert split_address("12 Example Street, Margate") == ("12 Example Street", "Margate")
    assert split_address("Unit 3, Mill Lane, Deal") == ("Unit 3, Mill Lane", "Deal")
    assert split_address("The Old Forge") == ("The Old Forge", "")


# --------------------------------------------------------------------------- CSV


def test_csv_has_a_header_and_one_row_per_service(bundled):
    text = listings_to_csv(bundled.listings, bundled.vocab)
    rows = list(csv.DictReader(io.StringIO(text)))
    assert tuple(rows[0]) == CSV_COLUMNS
    assert len(rows) == len(bundled.listings)
    row = next(row for row in rows if row["id"] == "margate-bereavement-cafe")
    assert row["name"] == "Tea and Talk Bereavement Café"
    assert row["needs"] == (
        "Bereavement and grief; Loneliness and isolation; Mental health and wellbeing"
    )
    assert row["postcode"] == "CT9 1LA"
    assert float(row["lat"]) == pytest.approx(51.385, abs=0.01)
    assert row["cost"].startswith("Free")
    assert row["when"].startswith(("Every", "First", "Second", "Third", "Fourth", "Monday"))
    assert row["how_to_access"].startswith("You can refer yourself.")
    assert row["last_reviewed"] == "2026-10-06"


def test_csv_cells_cannot_run_as_formulas(bundled):
    listing = dataclasses.replace(bundled.listings[0], description='=HYPERLINK("x")')
    row = next(csv.DictReader(io.StringIO(listings_to_csv([listing], bundled.vocab))))
    assert row["description"] == '\'=HYPERLINK("x")'


# --------------------------------------------------------------------------- the command


def test_export_oruk_from_the_index(runner, settings, publish_data, tmp_path):
    assert publish_data().ok
    out = tmp_path / "directory.json"
    result = runner.invoke(
        main,
        [
            "export",
            "--format",
            "oruk",
            "--index",
            str(settings.index_dir),
            "--output",
            str(out),
            "--base-url",
            "https://signpost.example.org",
        ],
    )
    assert result.exit_code == 0, result.output
    assert "from the search index (build" in result.stderr
    document = json.loads(out.read_text(encoding="utf-8"))
    assert errors("page", document) == []
    assert [service["name"] for service in document["contents"]] == ["Margate Men's Shed"]
    assert document["contents"][0]["url"] == "https://example.org/margate-shed"


def test_export_without_an_index_validates_the_data_folder(runner, data_dir, tmp_path):
    (data_dir / "services" / "thanet" / "broken.yaml").write_text("name: [", encoding="utf-8")
    result = runner.invoke(
        main, ["export", "--format", "oruk", "--index", str(tmp_path / "no-index")]
    )
    assert result.exit_code == 0, result.output
    assert "No search index" in result.stderr
    assert "give --base-url" not in result.stderr  # the template listing has a website
    assert "1 listing with problems left out; run 'signpost validate'" in result.stderr
    document = json.loads(result.stdout)
    assert document["total_items"] == 1
    location = document["contents"][0]["service_at_locations"][0]["location"]
    assert location["latitude"] is not None  # placed from its postcode


def test_export_csv_file_opens_in_excel(runner, tmp_path):
    out = tmp_path / "directory.csv"
    result = runner.invoke(
        main,
        ["export", "--format", "csv", "--index", str(tmp_path / "none"), "-o", str(out)],
    )
    assert result.exit_code == 0, result.output
    raw = out.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # a byte-order mark: Excel then reads UTF-8
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))
    assert rows[0]["cost"].startswith("£2 a session")
    assert rows[0]["last_reviewed"] == "2026-09-14"
    assert date.fromisoformat(rows[0]["last_reviewed"])


def test_export_needs_a_format(runner):
    result = runner.invoke(main, ["export"])
    assert result.exit_code == 2
    assert "--format" in result.output
