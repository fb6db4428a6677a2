"""`signpost import --format oruk`: Open Referral UK / HSDS JSON into listing YAML files,
validated with the real validator, with what could not be mapped reported per service."""

from __future__ import annotations

import copy
import json
import shutil
from datetime import date
from pathlib import Path

import pytest
import yaml

from cli import main
from directory.oruk import (
    NotHSDSError,
    directory_to_hsds,
    import_document,
    listing_yaml,
    service_to_hsds,
    service_to_listing,
)
from directory.oruk.read import services_in
from directory.validation import validate_paths
from tests.conftest import ROOT

TODAY = date(2026, 11, 23)


@pytest.fixture
def real_data(tmp_path: Path) -> Path:
    """An empty data folder with the real needs vocabulary."""
    data = tmp_path / "data"
    (data / "services").mkdir(parents=True)
    shutil.copy(ROOT / "data" / "needs.yaml", data / "needs.yaml")
    return data


def a_service(bundled, listing_id: str = "margate-bereavement-cafe") -> dict:
    """One bundled listing as HSDS, to break in tests (the exported shape, without our id)."""
    listing = next(item for item in bundled.listings if item.id == listing_id)
    service = service_to_hsds(listing, bundled.vocab)
    del service["signpost_id"]
    return service


def test_round_trip_of_the_bundled_examples(bundled, real_data, tmp_path, monkeypatch):
    """Export every example, import it into an empty folder: all valid, nothing lost that
    a person would search by (names, needs, postcodes)."""
    monkeypatch.setenv("SIGNPOST_DATA", str(real_data))
    feed = tmp_path / "feed.json"
    feed.write_text(json.dumps(directory_to_hsds(bundled.listings, bundled.vocab)), "utf-8")
    out = real_data / "services"
    from click.testing import CliRunner

    result = CliRunner().invoke(
        main, ["import", "--format", "oruk", str(feed), "--output-dir", str(out), "--area", "x"]
    )
    assert result.exit_code == 0, result.output
    report = validate_paths([out], bundled.vocab, gazetteer=bundled.gazetteer)
    assert report.ok, [str(problem) for problem in report.problems]
    assert len(report.listings) == len(bundled.listings)
    imported = {listing.id: listing for listing in report.listings}
    for original in bundled.listings:
        copy_ = imported[original.id]
        assert copy_.name == original.name
        assert copy_.organisation == original.organisation
        assert copy_.needs == original.needs
        assert [loc.postcode for loc in copy_.locations] == [
            loc.postcode for loc in original.locations
        ]
        assert copy_.schedule == original.schedule
        assert copy_.cost.free == original.cost.free
        assert copy_.who_for.groups == original.who_for.groups
        assert copy_.status == original.status
        assert copy_.last_reviewed == original.last_reviewed
    assert f"Wrote {len(bundled.listings)} new listings" in result.stderr


def test_written_yaml_is_commented_where_guessed(bundled):
    service = a_service(bundled)
    del service["attributes"], service["application_process"]
    item = service_to_listing(service, bundled.vocab, today=TODAY)
    text = listing_yaml(item)
    assert text.startswith("# Imported from Open Referral UK data (HSDS service ")
    assert "needs: [bereavement" in text
    assert "# guessed: from the name and description: check" in text
    assert "how_to_access: Contact the service to find out how to join.  # guessed:" in text
    data = yaml.safe_load(text)
    assert data["name"] == "Tea and Talk Bereavement Café"
    assert data["locations"][0]["postcode"] == "CT9 1LA"
    assert data["schedule"][0]["opens"] == "14:00"


def _without_postcode(service):
    service["service_at_locations"][0]["location"]["addresses"][0].pop("postal_code")


def _bad_phone(service):
    service["phones"][0]["number"] = "call the office"
    service["contacts"][0]["phones"] = []


def _no_needs(service):
    service["attributes"] = []
    service["name"] = "Tuesday Club"
    service["description"] = "A club that meets on Tuesdays at the village hall for everyone."


def _foreign_term(service):
    service["attributes"].append({"id": "x", "taxonomy_term": {"name": "Widgets", "code": "W1"}})


def _last_friday(service):
    service["schedules"] = [{"id": "s", "freq": "MONTHLY", "byday": "-1FR", "opens_at": "10:00"}]


def _klingon(service):
    service["languages"] = [{"id": "l", "name": "Klingon", "code": "tlh"}]


def _no_organisation(service):
    del service["organization"]


def _braille(service):
    location = service["service_at_locations"][0]["location"]
    location["accessibility"] = [{"id": "a", "description": "Braille menus"}]


def _no_contact(service):
    service["phones"] = []
    service["contacts"] = []
    service.pop("url", None)
    service.pop("email", None)


def _no_times(service):
    service["schedules"] = [{"id": "s", "freq": "WEEKLY", "byday": "MO"}]


def _outside_uk(service):
    service["service_at_locations"][0]["location"]["latitude"] = 40.7


def _no_cost(service):
    service["cost_options"] = []
    service.pop("fees_description")


@pytest.mark.parametrize(
    ("breakage", "message"),
    [
        (_without_postcode, "location 'The Lighthouse Rooms': no postcode; add one"),
        (_bad_phone, "phone 'call the office' is not a UK phone number; left out"),
        (_no_needs, "no needs matched; add 1 to 8 need ids from data/needs.yaml"),
        (_foreign_term, "taxonomy term 'Widgets' is not a Signpost need; left out"),
        (_last_friday, "'-1FR' (counting from the end of the month) cannot be written"),
        (_klingon, "language 'Klingon' is not one Signpost knows; left out"),
        (_no_organisation, "no organisation; add who runs it"),
        (_braille, "accessibility 'Braille menus' not mapped; left out"),
        (_no_contact, "no phone, email or website; add at least one in contact"),
        (_no_times, "no opening and closing times; add them"),
        (_outside_uk, "coordinates are outside the UK; left out"),
        (_no_cost, "no cost given; say whether it is free in cost"),
    ],
    ids=lambda value: getattr(value, "__name__", "")[1:] or None,
)
def test_what_could_not_be_mapped_is_reported(bundled, breakage, message):
    service = a_service(bundled)
    breakage(service)
    item = service_to_listing(service, bundled.vocab, today=TODAY)
    assert any(message in line for line in item.messages()), item.messages()
    label = f"service '{service['name']}': "
    assert all(line.startswith(label) for line in item.messages())


def test_foreign_feeds_map_by_words(bundled):
    """A council's feed with its own taxonomy, HTML descriptions and 3-letter languages."""
    service = {
        "id": "0b5b8f4e-9d8c-4c43-9a39-7b6e3b1f8a10",
        "name": "Walk &amp; Talk",
        "status": "temporarily closed",
        "description": "<p>A gentle <b>walking</b> group.</p><p>Meet new people outdoors.</p>",
        "organization": {"id": "o", "name": "Ramblers Deal"},
        "url": "https://example.org/walk",
        "application_process": "Just turn up, no need to book.",
        "attributes": [{"taxonomy_term": {"name": "Walking", "taxonomy": "Council list"}}],
        "languages": [{"code": "pol"}],
        "cost_options": [{"amount": 3, "amount_description": "per walk"}],
        "schedules": [
            {"freq": "WEEKLY", "interval": 2, "byday": "SA", "opens_at": "10:00:00Z"},
        ],
        "service_at_locations": [
            {
                "location": {
                    "name": "Deal Pier",
                    "addresses": [
                        {"address_1": "Beach Street", "city": "Deal", "postal_code": "ct146hy"}
                    ],
                }
            }
        ],
    }
    item = service_to_listing(service, bundled.vocab, today=TODAY)
    data = item.data
    assert data["name"] == "Walk & Talk"
    assert data["description"] == "A gentle walking group. Meet new people outdoors."
    assert data["status"] == "paused"
    assert data["needs"] == ["walking"]
    assert data["languages"] == ["pl"]
    assert data["cost"] == {"free": False, "amount": "£3 per walk"}
    assert data["access"]["routes"] == ["drop-in"]
    assert data["locations"][0]["postcode"] == "CT14 6HY"
    assert "schedule 'a schedule': no opening and closing times; add them" in item.notes
    assert data["last_reviewed"] == "2026-11-23"
    assert "last_reviewed" in item.guesses


@pytest.mark.parametrize(
    "document",
    [
        {"contents": []},
        {"services": []},
        [],
    ],
)
def test_empty_documents_say_so(bundled, document):
    result = import_document(document, bundled.vocab, today=TODAY)
    assert result.listings == []
    assert result.problems == ["the document holds no services"]


@pytest.mark.parametrize("document", ["text", 3, {"organizations": []}, {"hello": "world"}])
def test_not_hsds_is_refused(bundled, document):
    with pytest.raises(NotHSDSError):
        services_in(document)


def test_ids_are_unique_within_an_import(bundled):
    service = a_service(bundled)
    result = import_document([service, copy.deepcopy(service)], bundled.vocab, today=TODAY)
    assert [item.id for item in result.listings] == [
        "tea-and-talk-bereavement-cafe",
        "tea-and-talk-bereavement-cafe-2",
    ]


# --------------------------------------------------------------------------- the command


def _feed(tmp_path: Path, services: list[dict]) -> Path:
    path = tmp_path / "feed.json"
    path.write_text(json.dumps({"contents": services}), encoding="utf-8")
    return path


def test_import_command_writes_validates_and_reports(bundled, real_data, tmp_path, monkeypatch):
    from click.testing import CliRunner

    monkeypatch.setenv("SIGNPOST_DATA", str(real_data))
    good = a_service(bundled)
    bad = a_service(bundled, "margate-community-larder")
    _without_postcode(bad)
    feed = _feed(tmp_path, [good, bad])
    out = real_data / "services"
    args = ["import", "--format", "oruk", str(feed), "--output-dir", str(out), "--area", "kent"]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 1, result.output
    written = sorted(path.name for path in (out / "kent").iterdir())
    assert len(written) == 2
    assert "no postcode; add one" in result.stdout
    assert "'postcode' is missing in location 1" in result.stdout  # the real validator
    assert "Wrote 2 new listings" in result.stderr
    assert "1 needs fixing" in result.stderr
    before = {path.name: path.read_bytes() for path in (out / "kent").iterdir()}

    again = CliRunner().invoke(main, args)  # the same feed again: the same files, untouched
    assert "Wrote 0 new listings, updated 0, 2 unchanged" in again.stderr
    assert {path.name: path.read_bytes() for path in (out / "kent").iterdir()} == before


def test_import_never_reuses_an_id_from_another_area(bundled, real_data, tmp_path, monkeypatch):
    from click.testing import CliRunner

    monkeypatch.setenv("SIGNPOST_DATA", str(real_data))
    service = a_service(bundled)
    (real_data / "services" / "thanet").mkdir()
    (real_data / "services" / "thanet" / "tea-and-talk-bereavement-cafe.yaml").write_text("x")
    feed = _feed(tmp_path, [service])
    result = CliRunner().invoke(
        main,
        ["import", "--format", "oruk", str(feed), "--output-dir", str(real_data / "services")],
    )
    assert (real_data / "services" / "tea-and-talk-bereavement-cafe-2.yaml").exists()
    assert result.exit_code == 0, result.output


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("{not json", "is not valid JSON (line 1, column 2"),
        ('{"hello": "world"}', "No services found"),
        ('"just text"', "expected a JSON object or list of services"),
    ],
)
def test_import_command_refuses_files_that_are_not_hsds(runner, tmp_path, content, message):
    feed = tmp_path / "feed.json"
    feed.write_text(content, encoding="utf-8")
    result = runner.invoke(
        main, ["import", "--format", "oruk", str(feed), "--output-dir", str(tmp_path / "out")]
    )
    assert result.exit_code == 1
    assert message in result.output


def test_import_command_checks_the_area_name(runner, tmp_path):
    feed = _feed(tmp_path, [])
    result = runner.invoke(
        main,
        ["import", "--format", "oruk", str(feed), "--output-dir", str(tmp_path), "--area", "X Y"],
    )
    assert result.exit_code == 2
    assert "lowercase letters, numbers and hyphens" in result.output


# --------------------------------------------------------------------------- idempotent import


def _bundled_copy(bundled, tmp_path: Path) -> Path:
    """A data folder holding a copy of the bundled listings and vocabulary."""
    data = tmp_path / "live"
    shutil.copytree(ROOT / "data" / "services", data / "services")
    shutil.copy(ROOT / "data" / "needs.yaml", data / "needs.yaml")
    return data


def _files(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*.yaml"))}


def test_reimporting_an_export_onto_the_live_data_changes_nothing(bundled, tmp_path, monkeypatch):
    """Export, then import onto the same folder: no -2 copies, every file byte for byte."""
    from click.testing import CliRunner

    data = _bundled_copy(bundled, tmp_path)
    monkeypatch.setenv("SIGNPOST_DATA", str(data))
    feed = tmp_path / "feed.json"
    feed.write_text(json.dumps(directory_to_hsds(bundled.listings, bundled.vocab)), "utf-8")
    before = _files(data / "services")
    args = ["import", "--format", "oruk", str(feed), "--output-dir", str(data / "services")]
    result = CliRunner().invoke(main, [*args, "--area", "imported"])
    assert result.exit_code == 0, result.output
    assert f"Wrote 0 new listings, updated 0, {len(bundled.listings)} unchanged" in result.stderr, (
        result.stderr[:600]
    )
    assert _files(data / "services") == before
    assert not (data / "services" / "imported").exists()


def test_a_changed_feed_updates_the_same_file_and_says_what_changed(bundled, tmp_path, monkeypatch):
    from click.testing import CliRunner

    data = _bundled_copy(bundled, tmp_path)
    monkeypatch.setenv("SIGNPOST_DATA", str(data))
    listing = next(item for item in bundled.listings if item.id == "margate-bereavement-cafe")
    service = service_to_hsds(listing, bundled.vocab)
    service["phones"][0]["number"] = "01632 960999"
    service["name"] = "Tea and Talk Bereavement Cafe"
    feed = _feed(tmp_path, [service])
    args = ["import", "--format", "oruk", str(feed), "--output-dir", str(data / "services")]
    dry = CliRunner().invoke(main, [*args, "--dry-run"])
    path = data / "services" / listing.path.split("services/")[-1]
    assert "would be updated" in dry.stderr
    assert (
        path.read_bytes()
        == (ROOT / "data" / "services" / path.relative_to(data / "services")).read_bytes()
    )
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    assert f"{path}: updated: " in result.stderr
    assert "name: Tea and Talk Bereavement Café -> Tea and Talk Bereavement Cafe" in result.stderr
    assert "contact.phone: " in result.stderr
    assert "-> 01632 960999" in result.stderr
    assert "Wrote 0 new listings, updated 1, 0 unchanged" in result.stderr
    assert "01632 960999" in path.read_text(encoding="utf-8")
    assert not list((data / "services").rglob("*-2.yaml"))
    report = validate_paths([data / "services"], bundled.vocab, gazetteer=bundled.gazetteer)
    assert report.ok, [str(problem) for problem in report.problems]


def test_uncommitted_edits_are_never_overwritten_without_force(bundled, tmp_path, monkeypatch):
    """A volunteer's edit that git has not saved yet stays, and the import says what it
    would have changed; --force is the only way past."""
    import subprocess

    from click.testing import CliRunner

    data = _bundled_copy(bundled, tmp_path)
    monkeypatch.setenv("SIGNPOST_DATA", str(data))
    git = ["git", "-c", "user.name=t", "-c", "user.email=t@example.org"]
    subprocess.run([*git, "init", "-q"], cwd=data, check=True)
    subprocess.run([*git, "add", "."], cwd=data, check=True)
    subprocess.run([*git, "commit", "-qm", "listings"], cwd=data, check=True)
    listing = next(item for item in bundled.listings if item.id == "margate-bereavement-cafe")
    path = data / "services" / listing.path.split("services/")[-1]
    edited = path.read_text(encoding="utf-8").replace("Tea and Talk", "Tea, Cake and Talk", 1)
    path.write_text(edited, encoding="utf-8")
    feed = _feed(tmp_path, [service_to_hsds(listing, bundled.vocab)])
    args = ["import", "--format", "oruk", str(feed), "--output-dir", str(data / "services")]
    result = CliRunner().invoke(main, args)
    assert "not updated: it has edits not yet committed to git" in result.stderr
    assert "name: Tea, Cake and Talk Bereavement Café -> Tea and Talk Bereavement Café" in (
        result.stderr
    )
    assert path.read_text(encoding="utf-8") == edited
    forced = CliRunner().invoke(main, [*args, "--force"])
    assert "updated: name:" in forced.stderr
    assert "Tea, Cake and Talk" not in path.read_text(encoding="utf-8")


def test_the_round_trip_keeps_every_field(bundled, real_data, tmp_path):
    """Export then import gives back every field of every example, delivery and reviewer
    included, and hyphenated words whole."""
    from directory.serialise import listing_to_dict

    document = json.loads(json.dumps(directory_to_hsds(bundled.listings, bundled.vocab)))
    result = import_document(document, bundled.vocab, today=TODAY)
    folder = real_data / "services" / "x"
    folder.mkdir()
    for item in result.listings:
        (folder / f"{item.id}.yaml").write_text(listing_yaml(item), encoding="utf-8")
    report = validate_paths([folder], bundled.vocab, gazetteer=bundled.gazetteer)
    assert report.ok, [str(problem) for problem in report.problems]
    copies = {listing.id: listing_to_dict(listing) for listing in report.listings}
    for original in bundled.listings:
        expected = listing_to_dict(original)
        got = copies[original.id]
        for key in ("path", "area"):
            expected.pop(key, None)
            got.pop(key, None)
        assert got == expected, original.id


def test_bank_holidays_closed_survives_the_round_trip(bundled):
    import dataclasses

    listing = next(item for item in bundled.listings if item.id == "margate-bereavement-cafe")
    closed = dataclasses.replace(listing, bank_holidays="closed")
    service = json.loads(json.dumps(service_to_hsds(closed, bundled.vocab)))
    assert service["signpost_bank_holidays"] == "closed"
    item = import_document([service], bundled.vocab, today=TODAY).listings[0]
    assert item.data["bank_holidays"] == "closed"
    assert "bank_holidays: closed" in listing_yaml(item)
    plain_service = service_to_hsds(listing, bundled.vocab)
    assert "signpost_bank_holidays" not in plain_service
    assert (
        "bank_holidays"
        not in import_document([plain_service], bundled.vocab, today=TODAY).listings[0].data
    )


def test_reviewed_by_option_overrides_the_feed(bundled):
    listing = next(item for item in bundled.listings if item.id == "margate-bereavement-cafe")
    service = service_to_hsds(listing, bundled.vocab)
    kept = import_document([service], bundled.vocab, today=TODAY)
    assert kept.listings[0].data["reviewed_by"] == listing.reviewed_by
    told = import_document(
        [service], bundled.vocab, today=TODAY, reviewed_by="Bristol team", keep_reviewer=False
    )
    assert told.listings[0].data["reviewed_by"] == "Bristol team"


def test_deeply_nested_json_is_a_clear_message(runner, tmp_path):
    feed = tmp_path / "feed.json"
    feed.write_text("[" * 100_000 + "]" * 100_000, encoding="utf-8")
    result = runner.invoke(
        main, ["import", "--format", "oruk", str(feed), "--output-dir", str(tmp_path / "out")]
    )
    assert result.exit_code == 1
    assert "is nested too deeply to be HSDS data" in result.output
    assert "Traceback" not in result.output


@pytest.mark.parametrize(
    "description",
    [
        "A friendly lunch club for older people. For details visit our website or email us.",
        "Advice on housing repairs. Contact us by email or phone, or see our website.",
        "Weekly knitting circle. Email: knit@example.org. Website: www.example.org/knit",
        "A walking group. Join our WhatsApp group or find us on our Facebook page.",
    ],
)
def test_contact_details_never_make_a_digital_skills_guess(bundled, description):
    from directory.oruk.guesses import guess_needs

    assert "digital-skills" not in guess_needs("Community group", description, bundled.vocab)


@pytest.mark.parametrize(
    ("description", "need"),
    [
        (
            "Free help to use a computer, tablet or smartphone, and to get online safely.",
            "digital-skills",
        ),
        ("Learn to send an email and video call your family on a laptop.", "digital-skills"),
        ("A support group for people living with type 2 diabetes.", "diabetes"),
    ],
)
def test_needs_are_still_guessed_from_what_the_service_does(bundled, description, need):
    from directory.oruk.guesses import guess_needs

    assert guess_needs("Drop-in", description, bundled.vocab)[0] == need


def test_the_report_says_which_needs_were_guessed(bundled, real_data, tmp_path, monkeypatch):
    from click.testing import CliRunner

    monkeypatch.setenv("SIGNPOST_DATA", str(real_data))
    service = a_service(bundled)
    del service["attributes"]
    feed = _feed(tmp_path, [service])
    result = CliRunner().invoke(
        main, ["import", "--format", "oruk", str(feed), "--output-dir", str(real_data / "services")]
    )
    assert "Needs guessed from names and descriptions (check them): bereavement 1" in result.stderr


@pytest.mark.parametrize(
    ("raw", "text"),
    [
        ("For ages 5 < 10 and > 3", "For ages 5 < 10 and > 3"),
        (
            "<p>Tea and a chat.</p><p>All welcome &amp; free.</p>",
            "Tea and a chat. All welcome & free.",
        ),
        ("Hi<script>alert(1)</script> there", "Hi there"),
        ('<a href="https://example.org">Our page</a> has more', "Our page has more"),
        ("Line one<br>line two", "Line one line two"),
    ],
)
def test_html_in_feeds_becomes_plain_text(raw, text):
    from directory.oruk.read import plain

    assert plain(raw) == text
