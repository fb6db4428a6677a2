"""Contributions: a valid listing never breaks the build (the form's tests follow below)."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from datetime import date
from html import unescape
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
import yaml
from click.testing import CliRunner

from cli import main
from directory.listing_form import ListingForm, to_yaml
from directory.load import load_text
from directory.validation import check_loaded
from tests.conftest import ROOT, TEMPLATE, inside_one_minute

# A real group's listing as a volunteer writes it: dated today, no "# Example listing"
# comment, a real-looking phone number, a new area folder, and a better match for "lonely
# near Margate" than the judged examples.
VOLUNTEER_LISTING = f"""name: Margate Lonely Hearts Friendship Circle
organisation: Margate Friends CIC
description: >
  A friendly weekly circle for anyone who feels lonely or isolated in Margate: tea, chat and
  befriending with neighbours. Lonely? Come along.
status: active
needs: [loneliness]
access:
  routes: [drop-in]
  how_to_access: Just turn up, or ring first.
cost:
  free: true
contact:
  phone: "01843 231567"
  email: hello@margatefriends.org.uk
locations:
  - name: Margate Library
    address: Cecil Square, Margate
    postcode: CT9 1EP
areas_served: [Thanet]
last_reviewed: {date.today().isoformat()}
reviewed_by: Margate Friends
"""

# Every test that reads the bundled data folder (tests/conftest.py BUNDLED_SERVICES).
BUNDLED_DATA_TESTS = [
    "tests/test_examples.py",
    "tests/test_relevance.py",
    "tests/test_schema.py::test_schema_accepts_every_bundled_listing",
    "tests/test_export.py",
    "tests/test_import.py::test_round_trip_of_the_bundled_examples",
    "tests/test_search.py::test_nothing_found_offers_groups_for_related_needs",
]


def failing_tests(services: Path) -> tuple[set[str], str]:
    """The bundled-data tests that fail when they read ``services``, and pytest's output."""
    env = {**os.environ, "SIGNPOST_TEST_SERVICES": str(services)}
    run = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-rf", "-p", "no:cacheprovider"]
        + BUNDLED_DATA_TESTS,
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert " passed" in run.stdout, run.stdout[-3000:] + run.stderr[-2000:]
    failed = set(re.findall(r"^FAILED (\S+)", run.stdout, re.M))
    return failed, run.stdout[-4000:]


def test_a_valid_new_listing_never_breaks_the_tests(tmp_path: Path):
    """Copy the bundled data, add a volunteer's listing that `signpost validate` passes, and
    run every test that reads the bundled data against the copy: nothing that passes on the
    bundled data may fail with the new listing (compared, so a failure someone is working on
    elsewhere does not hide or fake the answer)."""
    data = tmp_path / "data"
    shutil.copytree(ROOT / "data", data)
    folder = data / "services" / "margate"
    folder.mkdir()
    (folder / "margate-friendship-circle.yaml").write_text(VOLUNTEER_LISTING, encoding="utf-8")

    result = CliRunner().invoke(main, ["validate", "--data", str(data)])
    assert result.exit_code == 0, result.output

    before, _ = failing_tests(ROOT / "data" / "services")
    after, output = failing_tests(data / "services")
    assert after <= before, output


# ---- the form ---------------------------------------------------------------------------------

GOOD = {
    "venues": "1",
    "sessions": "1",
    "area": "east-kent",
    "name": "Margate Knit & Natter",
    "organisation": "Knitters: Margate",
    "description": "A friendly knitting group for anyone who wants company and a cuppa.",
    "status": "active",
    "needs": ["loneliness", "arts-and-crafts"],
    "routes": ["drop-in"],
    "how_to_access": "Just turn up.",
    "free": "yes",
    "phone": "01632 960555",
    "location-0-name": "The Library",
    "location-0-address": "Cecil Square, Margate",
    "location-0-postcode": "ct9 1ep",
    "session-0-days": ["tue"],
    "session-0-opens": "10:00",
    "session-0-closes": "12:00",
    "session-0-frequency": "weekly",
    "reviewed_by": "Margate Knitters",
    "languages": "English, Polish",
}


def yaml_on(page: str) -> str:
    found = re.search(r'<pre class="sp-yaml"[^>]*><code>(.*?)</code>', page, re.S)
    assert found, "no YAML on the page"
    return unescape(found.group(1))


def summary_errors(page: str) -> list[tuple[str, str]]:
    """(href, text) of each link in the error summary."""
    box = page[page.index("nhsuk-error-summary") :]
    box = box[: box.index("</ul>")]
    return [
        (href, unescape(re.sub(r"<[^>]+>", "", text)).strip())
        for href, text in re.findall(r'<a href="([^"]+)"\s*>(.*?)</a>', box, re.S)
    ]


def field_message(page: str, field_id: str) -> str:
    found = re.search(
        rf'<span class="nhsuk-error-message" id="{re.escape(field_id)}-error">(.*?)</span>\s*<',
        page,
        re.S,
    )
    assert found, f"no error beside {field_id}"
    return unescape(re.sub(r"<[^>]+>", "", found.group(1))).replace("Error: ", "").strip()


def test_the_blank_form_works_without_javascript(site):
    page = site.get("/contribute").get_data(as_text=True)
    assert "<h1>Add your group</h1>" in page
    assert 'method="post" action="/contribute"' in page
    for field in ("name", "organisation", "description", "needs", "location-0-postcode"):
        assert f'id="{field}"' in page
    assert "<script>" not in page
    assert " style=" not in page
    assert 'href="/contribute"' in page  # "Add your group" in the footer


def test_a_good_listing_comes_back_as_yaml_that_validates(site_app):
    response = site_app.test_client().post("/contribute", data=GOOD)
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    text = yaml_on(page)
    data = yaml.safe_load(text)
    assert data["organisation"] == "Knitters: Margate"  # quoted where YAML needs it
    assert data["locations"][0]["postcode"] == "CT9 1EP"
    assert data["last_reviewed"].isoformat() == "2026-11-23"  # the app's (fixed) today
    with site_app.app_context():
        from views.common import live

        directory = live()
        listing, problems = check_loaded(
            load_text(text, "x.yaml"),
            directory.vocabulary,
            listing_id="margate-knit-natter",
            gazetteer=directory.gazetteer,
            today=date(2026, 11, 23),
        )
    assert problems == []
    assert listing.name == "Margate Knit & Natter"
    assert "data/services/east-kent/margate-knit-natter.yaml" in page


def test_where_a_checked_listing_can_go(site_app):
    from tests.conftest import configured

    with configured(site_app, SIGNPOST_DIRECTORY_EMAIL="team@example.org"):
        page = site_app.test_client().post("/contribute", data=GOOD).get_data(as_text=True)
    text = yaml_on(page)
    github = unescape(re.search(r'href="(https://github\.com/[^"]+)" rel="noopener" id=', page)[1])
    parts = urlsplit(github)
    assert parts.path == "/example/signpost/new/main"
    query = parse_qs(parts.query)
    assert query["filename"] == ["data/services/east-kent/margate-knit-natter.yaml"]
    assert query["value"] == [text]
    mail = unescape(re.search(r'href="(mailto:[^"]+)" id="send-email"', page)[1])
    assert mail.startswith("mailto:team@example.org?")
    mail_query = parse_qs(urlsplit(mail).query)
    assert mail_query["subject"] == ["New listing: Margate Knit & Natter"]
    assert text in mail_query["body"][0]


def test_download_gives_the_file(site):
    response = site.post("/contribute", data={**GOOD, "action": "download"})
    assert response.status_code == 200
    assert response.mimetype == "text/yaml"
    assert response.headers["Content-Disposition"] == (
        'attachment; filename="margate-knit-natter.yaml"'
    )
    assert yaml.safe_load(response.get_data(as_text=True))["name"] == "Margate Knit & Natter"


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        (
            {"session-0-opens": "9am"},
            "session-0-opens",
            "'9am' is not a time we understand for opens. Write \"09:00\"",
        ),
        (
            {"needs": ["lonely"]},
            "needs",
            "'lonely' is not a need in data/needs.yaml. Did you mean 'loneliness'?",
        ),
        (
            {"location-0-postcode": "CT9 9XX"},
            "location-0-postcode",
            "We cannot find the postcode CT9 9XX",
        ),
        ({"phone": "ring Dave"}, "phone", "'ring Dave' is not a phone number we can show"),
        (
            {"phone": "", "email": "", "website": ""},
            "phone",
            "Give at least one way to get in touch",
        ),
        ({"free": "no"}, "free", "This service is not free, so say what it costs"),
        ({"free": ""}, "free", "'free' is missing in cost"),
        ({"name": ""}, "name", "'name' is empty"),
        ({"website": "example.org"}, "website", "Add https:// at the start"),
        ({"age_min": "60", "age_max": "18"}, "age_max", "age_max (18) is lower than age_min (60)"),
        (
            {"areas_served": "Bristl"},
            "areas_served",
            "'Bristl' is not an area we know. Did you mean 'Bristol'?",
        ),
        ({"session-0-closes": "09:00"}, "session-0-closes", "The session closes (09:00) before"),
        (
            {"location-0-name": "", "location-0-address": "", "location-0-postcode": ""},
            "location-0-name",
            "needs at least one location",
        ),
        ({"area": ""}, "area", "Choose the area where the group meets"),
        ({"name": "Margate Bereavement Cafe"}, "name", "There is already a listing called"),
        (
            {"description": "<b>Hi</b> there, a group for all of us"},
            "description",
            "contains HTML tags",
        ),
    ],
)
def test_problems_are_the_validators_beside_their_field(site, changes, field, message):
    response = site.post("/contribute", data={**GOOD, **changes})
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "<title>Error: Add your group" in page
    assert (f"#{field}", field_message(page, field)) in summary_errors(page)
    assert message in field_message(page, field)
    assert f'id="{field}"' in page  # the summary's link has somewhere to go
    assert "sp-yaml" not in page  # no listing to send until it is right


def test_answers_are_kept_and_escaped(site):
    nasty = '<script>alert(1)</script> "quoted" & more'
    page = site.post("/contribute", data={**GOOD, "name": nasty, "phone": ""}).get_data(
        as_text=True
    )
    assert "<script>alert(1)" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &#34;quoted&#34; &amp; more" in page


def test_add_another_venue_and_session_without_javascript(site):
    page = site.post("/contribute", data={**GOOD, "action": "add-venue"}).get_data(as_text=True)
    assert 'id="location-1-name"' in page
    assert 'name="venues" value="2"' in page
    assert "nhsuk-error-summary" not in page  # adding a venue is not a check
    assert 'value="The Library"' in page  # the first venue is kept
    page = site.post("/contribute", data={**GOOD, "action": "add-session"}).get_data(as_text=True)
    assert 'id="session-1-days"' in page


def test_two_venues_and_sessions_reach_the_yaml(site):
    data = {
        **GOOD,
        "venues": "2",
        "sessions": "2",
        "location-1-name": "The Hall",
        "location-1-address": "1 High Street, Ramsgate",
        "location-1-postcode": "CT11 9AA",
        "session-1-days": ["fri"],
        "session-1-opens": "18:00",
        "session-1-closes": "20:00",
        "session-1-frequency": "monthly",
        "session-1-weeks": "1, 3",
    }
    listing = yaml.safe_load(yaml_on(site.post("/contribute", data=data).get_data(as_text=True)))
    assert [loc["postcode"] for loc in listing["locations"]] == ["CT9 1EP", "CT11 9AA"]
    assert listing["schedule"][1] == {
        "days": ["fri"],
        "opens": "18:00",
        "closes": "20:00",
        "frequency": "monthly",
        "weeks_of_month": [1, 3],
    }


def test_suggest_a_change_is_prefilled_from_the_listing(site):
    page = site.get("/contribute/margate-bereavement-cafe").get_data(as_text=True)
    assert "Suggest a change" in page
    assert 'name="name" type="text" value="Tea and Talk Bereavement Café"' in page
    assert 'value="loneliness" checked' in page or 'value="bereavement" checked' in page
    assert 'name="area"' not in page  # the file stays where it is
    service = site.get("/services/margate-bereavement-cafe").get_data(as_text=True)
    assert 'href="/contribute/margate-bereavement-cafe"' in service
    assert site.get("/contribute/no-such-listing").status_code == 404


def test_a_published_listing_round_trips_through_the_form(site_app):
    """Every field the form shows comes back: the unchanged listing validates as it was."""
    with site_app.app_context():
        from views.common import live

        directory = live()

        def position(postcode):
            place = directory.gazetteer.lookup_postcode(postcode)
            return (place.lat, place.lon) if place else None

        for listing in directory.listings():
            form = ListingForm.from_listing(listing, position)
            form.values["reviewed_by"] = listing.reviewed_by
            built = to_yaml(form, date(2026, 11, 23))
            again, problems = check_loaded(
                load_text(built.text, "x.yaml"),
                directory.vocabulary,
                listing_id=listing.id,
                area=listing.area,
                source=listing.path,
                gazetteer=directory.gazetteer,
                today=date(2026, 11, 23),
            )
            assert problems == [], (listing.id, problems)
            located = [
                loc.__class__(**{**loc.__dict__, "lat": None, "lon": None})
                for loc in listing.locations
            ]
            assert again.locations == tuple(located), listing.id
            assert (again.name, again.needs, again.schedule, again.cost, again.contact) == (
                listing.name,
                listing.needs,
                listing.schedule,
                listing.cost,
                listing.contact,
            )


def test_change_goes_to_githubs_edit_page_and_the_team(site):
    data = {k: v for k, v in GOOD.items() if k != "area"}
    page = site.post("/contribute/margate-bereavement-cafe", data=data).get_data(as_text=True)
    assert (
        'href="https://github.com/example/signpost/edit/main/data/services/east-kent/'
        'margate-bereavement-cafe.yaml"' in page
    )
    mail = unescape(re.search(r'href="(mailto:[^"]+)" id="send-email"', page)[1])
    assert "Change to listing" in parse_qs(urlsplit(mail).query)["subject"][0]


def test_cross_site_posts_are_refused(site):
    response = site.post(
        "/contribute",
        data=GOOD,
        headers={"Origin": "https://evil.example", "Sec-Fetch-Site": "cross-site"},
    )
    assert response.status_code == 403


def test_checking_is_rate_limited_more_tightly_than_reading(tmp_path):
    from tests.conftest import make_site_app

    app = make_site_app(
        tmp_path,
        TESTING=True,
        RATELIMIT_ENABLED=True,
        SIGNPOST_CONTRIBUTE_RATE_LIMIT="3 per minute",
        SIGNPOST_RATE_LIMIT_STORAGE="memory://",
    )
    client = app.test_client()
    inside_one_minute()
    codes = [client.post("/contribute", data=GOOD).status_code for _ in range(4)]
    assert codes == [200, 200, 200, 429]
    assert client.get("/contribute").status_code == 200  # reading the form is not limited


def test_report_a_problem_goes_to_the_directory_team(tmp_path):
    from tests.conftest import make_site_app

    app = make_site_app(
        tmp_path,
        TESTING=True,
        SIGNPOST_DIRECTORY_EMAIL="team@example.org",
        SIGNPOST_ORGANISATION_NAME="Thanet PCN",
    )
    page = app.test_client().get("/services/margate-bereavement-cafe").get_data(as_text=True)
    assert 'href="mailto:team@example.org?' in page
    assert "the people who run this directory (Thanet PCN)" in page


def test_written_coordinates_survive_a_change(vocab):
    """A venue placed by lat/lon (not its postcode's centre) keeps them through the form."""
    text = TEMPLATE.replace(
        "    postcode: CT9 1EP\n", "    postcode: CT9 1EP\n    lat: 51.3901\n    lon: 1.3802\n"
    )
    listing, problems = check_loaded(
        load_text(text, "x.yaml"), vocab, listing_id="margate-mens-shed", today=date(2026, 11, 23)
    )
    assert problems == []
    form = ListingForm.from_listing(listing, lambda _pc: (51.38, 1.38))
    form.values["reviewed_by"] = "Team"
    built = to_yaml(form, date(2026, 11, 23))
    assert "    lat: 51.3901\n    lon: 1.3802\n" in built.text
    again, problems = check_loaded(
        load_text(built.text, "x.yaml"),
        vocab,
        listing_id="margate-mens-shed",
        today=date(2026, 11, 23),
    )
    assert problems == []
    assert (again.locations[0].lat, again.locations[0].lon) == (51.3901, 1.3802)
    # Coordinates that are just the postcode's own are not written into the file.
    plain = ListingForm.from_listing(again, lambda _pc: (51.3901, 1.3802))
    assert "lat:" not in to_yaml(plain, date(2026, 11, 23)).text


def test_the_main_need_comes_first(site):
    data = {**GOOD, "needs": ["arts-and-crafts", "loneliness"], "main_need": "loneliness"}
    text = yaml_on(site.post("/contribute", data=data).get_data(as_text=True))
    assert "needs: [loneliness, arts-and-crafts]" in text
    page = site.get("/contribute/margate-bereavement-cafe").get_data(as_text=True)
    assert re.search(r'<option value="bereavement" selected>', page)


def test_the_directory_email_is_the_contact_everywhere(tmp_path, monkeypatch):
    from tests.conftest import make_site_app

    monkeypatch.setenv("SIGNPOST_DIRECTORY_EMAIL", "team@example.org")
    client = make_site_app(tmp_path, TESTING=True).test_client()
    assert 'href="mailto:team@example.org"' in client.get("/accessibility").get_data(as_text=True)
    page = client.get("/services/margate-bereavement-cafe").get_data(as_text=True)
    assert 'href="mailto:team@example.org?' in page
