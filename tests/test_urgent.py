"""Urgent help: a search that names a crisis shows 999, NHS 111, Samaritans and more first.

Pins the hazard "crisis not recognised" (docs/clinical-safety.md): every everyday phrase and
misspelling in data/urgent-help.yaml, in any order and among other words, brings the panel to
the site, the API and the command line; crisis words are never corrected; the numbers follow
the nation of the place searched; and the file is validated like a listing.
"""

from __future__ import annotations

import json
import shutil
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner

from directory.urgent import (
    BUNDLED_URGENT_HELP,
    check_urgent_help,
    current_urgent_help,
    load_urgent_help,
    number_problem,
    review_due,
)
from directory.vocabulary import load_vocabulary
from search.crisis import detect, vocabulary_words, with_crisis
from search.interpret import Interpretation
from tests.conftest import ROOT

LATER = date(2030, 1, 1)  # "today" for validation: the bundled file is never in the future
URGENT = load_urgent_help(BUNDLED_URGENT_HELP)
VOCAB = load_vocabulary(ROOT / "data" / "needs.yaml")

# The issue's own examples (issue 10, section 1), with the topic each must name.
ISSUE_PHRASES = [
    ("suicidal", "suicide"),
    ("sucidal", "suicide"),
    ("kill myself", "suicide"),
    ("end it all", "suicide"),
    ("want to die", "suicide"),
    ("don't want to be here", "suicide"),
    ("cutting myself", "suicide"),
    ("overdose", "suicide"),
    ("i want to end my life", "suicide"),
    ("he hits me", "danger"),
    ("not safe at home", "danger"),
    ("having a heart attack", "medical"),
    ("sleeping rough tonight", "homeless-tonight"),
]
# Any order, among other words, with slips: still found.
MIXED = [
    ("myself kill", "suicide"),
    ("lonely and suicidal", "suicide"),
    ("I really want to just die", "suicide"),
    ("suicdal thoughts group", "suicide"),
    ("KILL MYSELF!!!", "suicide"),
    ("want die", "suicide"),
    ("my partner hits me and i am scared", "danger"),
    ("home not safe", "danger"),
    ("tonight sleeping rough help", "homeless-tonight"),
    ("food bank i am sleeping rough", "homeless-tonight"),
]
NOT_CRISIS = [
    "lonely",
    "cooking class",
    "skills for myself",
    "walking group",
    "stroke club",
    "putting myself forward",
    "end of life care",
    "safe space for young people",
    "heart attack recovery",
]


def _topics(text: str) -> tuple[str, ...]:
    return detect(text, URGENT, (vocabulary_words(VOCAB),)).topics


def _file_terms() -> list[tuple[str, str]]:
    return [
        (term, topic.id)
        for topic in URGENT.topics.values()
        for term in (*topic.words, *topic.phrases, *topic.misspellings)
    ]


# ---- the data file ------------------------------------------------------------------------


def test_bundled_urgent_help_file_is_valid_and_complete():
    found, problems = check_urgent_help(BUNDLED_URGENT_HELP, VOCAB.needs, today=LATER)
    assert problems == []
    assert set(found.topics) == {"suicide", "danger", "medical", "homeless-tonight"}
    calls = {line.id: line.call for line in found.lines}
    assert calls["emergency"] == "999"
    assert calls["samaritans"] == "116 123"
    assert {calls["nhs-111-england"], calls["nhs-24-scotland"], calls["nhs-111-wales"]} == {"111"}
    texts = {line.id: (line.text, line.text_word) for line in found.lines if line.text}
    assert texts["shout"] == ("85258", "SHOUT")
    assert all(line.source.startswith("https://") for line in found.lines)
    for need in (need for topic in found.topics.values() for need in topic.needs):
        assert need in (ROOT / "docs" / "needs-ids.txt").read_text(encoding="utf-8").split()


VALID = """\
last_reviewed: 2026-11-01
topics:
  - id: suicide
    label: Suicide
    advice: Call 999.
    needs: [mental-wellbeing]
    phrases: [kill myself]
lines:
  - id: emergency
    name: Emergency services
    call: "999"
    about: When a life is at risk.
    nations: [england, scotland, wales, northern-ireland]
    topics: [suicide]
    source: https://www.nhs.uk/
"""

BAD_FILES = [
    ('call: "999"', 'call: "0808 800 444"', 11, "'0808 800 444' is not a valid UK phone number"),
    ('call: "999"', 'call: "0808 FREE"', 11, "'0808 FREE' is not a phone number"),
    ('call: "999"', 'call: "12345"', 11, "'12345' is not a short number Signpost knows"),
    ("    source: https://www.nhs.uk/\n", "", 9, "'source' is missing"),
    ("source: https://www.nhs.uk/", "source: www.nhs.uk", 15, "must be a web address"),
    ("last_reviewed: 2026-11-01\n", "", 1, "'last_reviewed' is missing"),
    ("last_reviewed: 2026-11-01", "last_reviewed: 01/11/2026", 1, "For '01/11/2026' write"),
    ("wales, northern-ireland]", "wales, ulster]", 13, "'ulster' is not a nation"),
    ("topics: [suicide]", "topics: [suicde]", 14, "'suicde' is not one of the topics"),
    ("needs: [mental-wellbeing]", "needs: [mental-health]", 6, "'mental-health' is not a need"),
    ('    call: "999"\n', "", 9, "Give a 'call' number, a 'text' number or both"),
    ("england, scotland, ", "", 3, "No line helps with 'suicide' in England"),
    ("    phrases: [kill myself]\n", "", 3, "no words or phrases"),
    ("    about:", "    colour: red\n    about:", 12, "Unknown field 'colour'"),
]


@pytest.mark.parametrize(("old", "new", "line", "message"), BAD_FILES)
def test_validator_rejects_a_bad_urgent_help_file_with_located_messages(
    tmp_path, old, new, line, message
):
    path = tmp_path / "urgent-help.yaml"
    assert old in VALID
    path.write_text(VALID.replace(old, new, 1), encoding="utf-8")
    found, problems = check_urgent_help(path, VOCAB.needs, today=LATER)
    assert found is None
    shown = [str(problem) for problem in problems]
    assert any(text.startswith(f"{path}:{line}:") and message in text for text in shown), shown


def test_the_minimal_file_is_valid(tmp_path):
    path = tmp_path / "urgent-help.yaml"
    path.write_text(VALID, encoding="utf-8")
    found, problems = check_urgent_help(path, VOCAB.needs, today=LATER)
    assert problems == []
    assert found.lines[0].call_link == "tel:999"


@pytest.mark.parametrize(
    ("number", "ok"),
    [
        ("999", True),
        ("116 123", True),
        ("0808 2000 247", True),
        ("028 9024 5640", True),
        ("0808 800 444", False),
        ("01632 96000", False),
        ("999-123", False),
        ("", False),
    ],
)
def test_number_forms(number, ok):
    assert (number_problem(number) is None) is ok


def test_signpost_validate_checks_the_urgent_help_file(tmp_path, monkeypatch):
    from cli import main

    data = tmp_path / "data"
    shutil.copytree(ROOT / "data" / "services" / "national", data / "services" / "national")
    shutil.copy(ROOT / "data" / "needs.yaml", data / "needs.yaml")
    (data / "urgent-help.yaml").write_text(
        VALID.replace('call: "999"', 'call: "0808 800 444"'), encoding="utf-8"
    )
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, ["validate", "--data", str(data)])
    assert result.exit_code == 1
    assert "data/urgent-help.yaml:11:11: '0808 800 444' is not a valid UK phone number" in (
        result.output
    )
    alone = CliRunner().invoke(main, ["validate", str(data / "urgent-help.yaml")])
    assert alone.exit_code == 1
    assert "'0808 800 444'" in alone.output
    (data / "urgent-help.yaml").write_text(VALID, encoding="utf-8")
    assert CliRunner().invoke(main, ["validate", "--data", str(data)]).exit_code == 0


@pytest.mark.parametrize(
    ("today", "due"),
    [(date(2026, 11, 30), False), (date(2027, 5, 29), False), (date(2027, 6, 1), True)],
)
def test_a_reminder_when_the_numbers_were_checked_over_six_months_ago(today, due):
    reminder = review_due(URGENT, today)
    assert (reminder is not None) is due
    if due:
        assert "last checked on 2026-11-30" in reminder
        assert "update last_reviewed" in reminder


def test_urgent_help_page_works_before_any_index_is_built(data_dir, tmp_path):
    from app import create_app

    app = create_app(
        {"TESTING": True, "SIGNPOST_DATA": str(data_dir), "SIGNPOST_INDEX": str(tmp_path / "no")}
    )
    client = app.test_client()
    assert client.get("/").status_code == 503
    page = client.get("/urgent-help")
    assert page.status_code == 200
    assert 'href="tel:116123"' in page.get_data(as_text=True)


def test_a_broken_data_folder_file_falls_back_to_the_bundled_numbers(tmp_path):
    (tmp_path / "urgent-help.yaml").write_text("last_reviewed: [", encoding="utf-8")
    assert current_urgent_help(tmp_path) is URGENT
    (tmp_path / "urgent-help.yaml").write_text(VALID, encoding="utf-8")
    assert [line.id for line in current_urgent_help(tmp_path).lines] == ["emergency"]


def test_a_file_broken_on_a_running_server_keeps_the_numbers_last_read(client, data_dir):
    """A volunteer's bad edit never takes the numbers away, nor breaks a search."""
    (data_dir / "urgent-help.yaml").write_text(VALID, encoding="utf-8")
    assert client.get("/?q=kill+myself").status_code == 200
    (data_dir / "urgent-help.yaml").write_text(
        VALID.replace('call: "999"', 'call: "99"') + "\n", encoding="utf-8"
    )
    response = client.get("/?q=kill+myself")
    assert response.status_code == 200
    assert 'href="tel:999"' in response.get_data(as_text=True)
    body = client.get("/api/v1/services?q=kill+myself").get_json()
    assert body["urgent"]["groups"][0]["lines"][0]["call"] == "999"


# ---- reading the words --------------------------------------------------------------------


@pytest.mark.parametrize(("text", "topic"), ISSUE_PHRASES + MIXED)
def test_crisis_words_name_their_topic(text, topic):
    assert topic in _topics(text)


@pytest.mark.parametrize(("text", "topic"), _file_terms())
def test_every_word_phrase_and_misspelling_in_the_file_names_its_topic(text, topic):
    assert topic in _topics(text)
    assert topic in _topics(f"please help {text} near me")


@pytest.mark.parametrize("text", NOT_CRISIS)
def test_everyday_searches_name_no_crisis(text):
    assert _topics(text) == ()


def test_a_real_word_is_not_read_as_a_slip_for_a_crisis_word():
    # One letter from "overdose" and "choking", but English words.
    assert detect("overdone", URGENT).topics == ()
    assert detect("cooking", URGENT).topics == ()
    # A word the listings use (a group's own name) is taken as written too.
    assert detect("suicidol", URGENT, ({"suicidol"},)).topics == ()
    assert detect("suicidol", URGENT).topics == ("suicide",)
    # A slip in a phrase's long word: "myslef" is not a word, so it is "myself".
    assert detect("myslef kill", URGENT).topics == ("suicide",)


def test_a_correction_of_a_crisis_word_is_dropped_with_what_it_brought():
    """Whatever the interpretation guessed ("kill" -> "skills"), the word is taken as typed."""
    guessed = Interpretation(
        text="kill myself",
        needs={"learning": 1.0},
        matched={"learning": ("kill",)},
        terms=("skills", "myself"),
        corrections={"kill": "skills"},
    )
    crisis = detect("kill myself", URGENT)
    fixed = with_crisis(guessed, crisis, URGENT, VOCAB)
    assert fixed.corrections == {}
    assert fixed.corrected_text is None
    assert "skills" not in fixed.terms
    assert "kill" in fixed.terms
    assert "learning" not in fixed.needs
    assert fixed.needs["mental-wellbeing"] == 1.0


def test_support_whose_main_need_is_the_crisis_topics_comes_first():
    """Below the panel, "suicidal" puts a service whose main need is mental health before a
    nearer group that merely lists it (the issue's gardening group first)."""
    from whoosh.query import Term

    from search.interpret import interpret
    from search.query import NEED_BOOST, PRIMARY_BOOST, build_query

    crisis = detect("suicidal", URGENT)
    fixed = with_crisis(interpret("suicidal", VOCAB), crisis, URGENT, VOCAB)
    assert "mental-wellbeing" in fixed.urgent_needs
    clauses = build_query(fixed).subqueries
    assert Term("primary", "mental-wellbeing", boost=NEED_BOOST) in clauses
    plain = build_query(interpret("feeling low", VOCAB)).subqueries
    assert Term("primary", "mental-wellbeing", boost=PRIMARY_BOOST) in plain


# ---- the site -----------------------------------------------------------------------------


@pytest.mark.parametrize(("text", "topic"), ISSUE_PHRASES + MIXED[:4])
def test_site_shows_the_panel_before_the_form_results_and_filters(site, text, topic):
    page = site.get("/", query_string={"q": text, "near": "CT9 1EP"}).get_data(as_text=True)
    panel = page.index('id="urgent"')
    assert panel < page.index('class="sp-search"') < page.index("sp-results-area")
    assert (
        'href="tel:999"' in page[panel:]
        and 'href="tel:116123"' in page[panel:]
        or (topic == "medical")
    )
    assert 'href="tel:999"' in page[panel : page.index('class="sp-search"')]


def test_kill_myself_near_bn2_is_never_corrected(site):
    page = site.get("/?q=kill+myself&near=BN2").get_data(as_text=True)
    assert "Showing results for" not in page
    assert "skills" not in page.lower()
    assert page.index('id="urgent"') < page.index("<h1")


@pytest.mark.parametrize("text", ["sucidal", "suicdal", "kil myself", "myslef kill", "overdoes"])
def test_misspelt_crisis_words_are_never_shown_corrected(site, api, text):
    page = site.get("/", query_string={"q": text}).get_data(as_text=True)
    assert 'id="urgent"' in page
    assert "Showing results for" not in page
    assert "Search instead for" not in page
    body = api.get("/api/v1/services", query_string={"q": text}).get_json()
    assert body["did_you_mean"] is None
    assert body["search_instead"] is None


def test_site_panel_without_a_search_error_still_shows(site):
    response = site.get("/?q=kill+myself&radius=far")
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert page.index('id="urgent"') < page.index("There is a problem")


def test_no_panel_for_an_everyday_search(site):
    assert 'id="urgent"' not in site.get("/?q=lonely&near=CT9").get_data(as_text=True)


NATIONS = [
    ("EH1", "Scotland", {"nhs-24-scotland", "breathing-space"}),
    ("CF10", "Wales", {"nhs-111-wales", "call-helpline-wales"}),
    ("BT1", "Northern Ireland", {"lifeline"}),
    ("CT9", "England", {"nhs-111-england"}),
]
NATION_LINES = {
    "nhs-24-scotland",
    "breathing-space",
    "nhs-111-wales",
    "call-helpline-wales",
    "lifeline",
    "nhs-111-england",
}


@pytest.mark.parametrize(("near", "nation", "lines"), NATIONS)
def test_site_panel_follows_the_nation_of_the_place(site, near, nation, lines):
    page = site.get("/", query_string={"q": "suicidal", "near": near}).get_data(as_text=True)
    panel = page[page.index('id="urgent"') : page.index("</section>")]
    shown = {line for line in NATION_LINES if f'data-line="{line}"' in panel}
    assert shown == lines
    assert f"These are the numbers for {nation}." in panel
    assert 'data-line="samaritans"' in panel
    assert 'data-line="emergency"' in panel


def test_site_panel_shows_every_nation_without_a_place(site):
    page = site.get("/?q=suicidal").get_data(as_text=True)
    panel = page[page.index('id="urgent"') : page.index("</section>")]
    for label in ("Anywhere in the UK", "England", "Scotland", "Wales", "Northern Ireland"):
        assert f'sp-urgent__nation">{label}</h3>' in panel
    assert {line for line in NATION_LINES if f'data-line="{line}"' in panel} == NATION_LINES


def test_danger_and_housing_panels_show_their_own_helplines(site):
    danger = site.get("/?q=he+hits+me&near=CF10").get_data(as_text=True)
    assert 'href="tel:08088010800"' in danger  # Live Fear Free, Wales
    housing = site.get("/?q=sleeping+rough+tonight&near=CT9").get_data(as_text=True)
    assert 'href="tel:08088004444"' in housing  # Shelter, England


PAGE_TYPES = [
    "/",
    "/?q=lonely&near=CT9+1EP",
    "/?q=lonely&radius=far",
    "/needs",
    "/needs/loneliness",
    "/services/margate-mens-shed",
    "/shortlist/",
    "/shortlist/handout?ids=margate-mens-shed",
    "/shortlist/text?ids=margate-mens-shed",
    "/about",
    "/accessibility",
    "/privacy",
    "/data-sources",
    "/urgent-help",
    "/no-such-page",
]


@pytest.mark.parametrize("url", PAGE_TYPES)
def test_every_page_has_a_need_help_now_link(site, url):
    page = site.get(url).get_data(as_text=True)
    assert '<a class="sp-header__urgent" href="/urgent-help">Need help now?</a>' in page


def test_urgent_help_page_lists_every_number_by_nation(site):
    response = site.get("/urgent-help")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    for link in (
        'href="tel:999"',
        'href="tel:111"',
        'href="tel:116123"',
        'href="sms:85258?body=SHOUT"',
        'href="tel:08088088000"',
    ):
        assert link in page
    assert ">116 123<" in page.replace("call 116 123", ">116 123<")
    headings = [
        f'sp-urgent__nation">{label}</h2>'
        for label in ("Anywhere in the UK", "England", "Scotland", "Wales", "Northern Ireland")
    ]
    positions = [page.index(heading) for heading in headings]
    assert positions == sorted(positions)
    assert "https://www.samaritans.org/" in page
    assert "30 November 2026" in page


# ---- the API ------------------------------------------------------------------------------


@pytest.mark.parametrize(("text", "topic"), ISSUE_PHRASES + MIXED[:4])
def test_api_search_has_an_urgent_object(api, text, topic):
    body = api.get("/api/v1/services", query_string={"q": text}).get_json()
    urgent = body["urgent"]
    assert topic in [found["id"] for found in urgent["topics"]]
    assert urgent["groups"][0]["label"] == "Anywhere in the UK"
    assert urgent["groups"][0]["lines"][0]["call_link"] == "tel:999"
    assert urgent["nation"] is None
    # Every nation's own lines too (Northern Ireland has no NHS 111: only 999 for "medical").
    assert len(urgent["groups"]) == (4 if topic == "medical" else 5)
    assert urgent["links"]["html"].endswith("/urgent-help")
    assert body["did_you_mean"] is None


@pytest.mark.parametrize(("near", "nation", "lines"), NATIONS)
def test_api_urgent_follows_the_nation_of_the_place(api, near, nation, lines):
    urgent = api.get("/api/v1/services", query_string={"q": "kill myself", "near": near})
    urgent = urgent.get_json()["urgent"]
    assert urgent["nation_label"] == nation
    ids = {line["id"] for group in urgent["groups"] for line in group["lines"]}
    assert ids & NATION_LINES == lines


def test_api_urgent_is_null_without_a_crisis_and_matches_the_openapi_document(api):
    import jsonschema

    document = api.get("/api/v1/openapi.json").get_json()
    for query in ("q=lonely", "q=kill+myself&near=EH1", "q=he+hits+me"):
        body = api.get(f"/api/v1/services?{query}").get_json()
        jsonschema.validate(
            body,
            {"$ref": "#/components/schemas/SearchResults", "components": document["components"]},
        )
    assert api.get("/api/v1/services?q=lonely").get_json()["urgent"] is None
    assert "urgent" in document["components"]["schemas"]["SearchResults"]["required"]


def test_api_errors_still_carry_urgent_help(api):
    place = api.get("/api/v1/services?q=kill+myself&near=Qqqqzz").get_json()["error"]
    assert place["code"] == "place-not-found"
    assert place["urgent"]["topics"][0]["id"] == "suicide"
    bad = api.get("/api/v1/services?q=want+to+die&radius=far").get_json()["error"]
    assert bad["code"] == "bad-parameter"
    assert bad["urgent"]["groups"][0]["lines"]


# ---- the command line ---------------------------------------------------------------------


def _cli(api_settings, *args: str):
    from cli import main

    result = CliRunner().invoke(
        main,
        [
            "search",
            *args,
            "--data",
            str(api_settings.data_dir),
            "--index",
            str(api_settings.index_dir),
        ],
    )
    assert result.exit_code == 0, result.output
    return result.stdout


@pytest.mark.parametrize(("text", "topic"), ISSUE_PHRASES + MIXED[:4])
def test_cli_prints_urgent_help_first(api_settings, text, topic):
    output = _cli(api_settings, text, "--near", "CT9")
    assert output.startswith("=" * 60 + "\nGET HELP NOW\n")
    assert "Emergency services: call 999." in output
    assert output.index("GET HELP NOW") < output.index(" result")
    assert "Showing results for" not in output


def test_cli_json_has_the_urgent_object(api_settings):
    data = json.loads(_cli(api_settings, "myself kill", "--near", "BT1", "--json"))
    assert data["urgent"]["nation"] == "northern-ireland"
    assert data["urgent"]["topics"][0]["id"] == "suicide"
    assert json.loads(_cli(api_settings, "lonely", "--json"))["urgent"] is None


def test_cli_urgent_help_follows_the_data_folder(api_settings, tmp_path: Path):
    """A deployment's own urgent-help.yaml is used when it is valid."""
    data = tmp_path / "data"
    shutil.copytree(api_settings.data_dir, data)
    (data / "urgent-help.yaml").write_text(VALID, encoding="utf-8")
    from cli import main

    result = CliRunner().invoke(
        main, ["search", "kill myself", "--data", str(data), "--index", str(api_settings.index_dir)]
    )
    assert "Emergency services: call 999." in result.stdout
    assert "Samaritans" not in result.stdout


def test_a_data_folder_file_is_served_at_once_with_a_new_etag(client, data_dir: Path):
    """A volunteer's corrected number reaches the API at once: no rebuild, no stale 304."""
    first = client.get("/api/v1/services?q=kill+myself")
    assert "samaritans" in json.dumps(first.get_json()["urgent"])
    (data_dir / "urgent-help.yaml").write_text(VALID, encoding="utf-8")
    second = client.get(
        "/api/v1/services?q=kill+myself", headers={"If-None-Match": first.headers["ETag"]}
    )
    assert second.status_code == 200
    assert second.headers["ETag"] != first.headers["ETag"]
    lines = [
        line["id"] for group in second.get_json()["urgent"]["groups"] for line in group["lines"]
    ]
    assert lines == ["emergency"]
