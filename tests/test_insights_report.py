"""Reports from the counts: small-number suppression in every output (page, service page,
CSV, JSON and `signpost report`), the gap table, and the page's charts and checks."""

from __future__ import annotations

import csv
import io
import json
import re
import shutil

import pytest

from app import create_app
from cli import main
from insights import report as r
from insights.store import Store, database_url
from tests.test_insights import site_paths  # noqa: F401 - the module's built site

WEEK = "2026-11-23"  # SITE_NOW's week
EARLIER = "2026-11-09"
CAFE = "margate-bereavement-cafe"
SHED = "ramsgate-harbour-mens-shed"


# ---- Suppression, as a pure function ------------------------------------------------------


@pytest.mark.parametrize(
    ("values", "threshold", "shown"),
    [
        ([0, 4, 5, 12], 5, ["0", "fewer than 5", "5", "12", "not shown"]),  # one hidden part
        ([3, 4, 10], 5, ["fewer than 5", "fewer than 5", "10", "17"]),  # two hidden: total ok
        ([1, 2], 5, ["fewer than 5", "fewer than 5", "fewer than 5"]),  # small total
        ([6, 7], 5, ["6", "7", "13"]),
        ([0, 0], 5, ["0", "0", "0"]),
        ([9, 2], 10, ["fewer than 10", "fewer than 10", "11"]),
        ([1, 2], 1, ["1", "2", "3"]),  # threshold 1: nothing hidden
    ],
)
def test_small_counts_and_totals_that_would_reveal_them_are_hidden(values, threshold, shown):
    cells = r.suppress(values, threshold, with_total=True)
    assert [cell.text for cell in cells] == shown


def test_hidden_counts_sort_as_zero_so_their_order_says_nothing():
    assert r.Cell(None).sort_value == 0 == r.Cell(0).sort_value


def test_service_sentences_for_a_funding_bid():
    assert r.service_summary({"handout": 23, "went-yes": 9}, 5) == [
        "Added to 23 handouts this quarter",
        "9 people said they went",
    ]
    assert r.service_summary({"handout": 1, "went-yes": 1}, 5) == [
        "Added to fewer than 5 handouts this quarter",
        "Fewer than 5 people said they went",
    ]
    assert r.service_summary({}, 5) == []


def test_gaps_combine_searches_with_the_services_listed_there():
    rows = [
        ("CT9", "diabetes", 12, 12),  # no service: a gap
        ("CT9", "loneliness", 30, 0),  # plenty of services and found locally: no gap
        ("CT11", "gardening", 3, 3),  # too few searches to list
        ("none", "diabetes", 40, 40),  # no place: never a gap
    ]
    services = {("CT9", "loneliness"): 4}
    gaps, left_out = r.gaps(rows, services, {"diabetes": "Diabetes"}, 5)
    assert [(g.district, g.label, g.searches.text, g.no_local.text, g.services) for g in gaps] == [
        ("CT9", "Diabetes", "12", "12", 0)
    ]
    assert left_out == 1


# ---- Every output, over one store --------------------------------------------------------


@pytest.fixture
def filled(site_paths, tmp_path):  # noqa: F811
    """An app whose store holds known counts: some large, some small."""
    url = database_url(str(tmp_path / "report.sqlite3"))
    store = Store.open(url)
    store.add(
        {
            (WEEK, "CT9", "loneliness", "site"): (12, 0),
            (EARLIER, "CT9", "loneliness", "site"): (3, 0),
            (WEEK, "CT9", "diabetes", "site"): (8, 8),
            (WEEK, "CT11", "carers", "site"): (2, 2),
        },
        {
            (WEEK, CAFE, "handout"): 23,
            (WEEK, CAFE, "shortlisted"): 30,
            (WEEK, CAFE, "went-yes"): 9,
            (WEEK, CAFE, "went-no"): 2,
            (WEEK, SHED, "handout"): 3,
            (WEEK, SHED, "opened"): 40,
        },
    )
    store.close()
    app = create_app({"TESTING": True, **site_paths, "SIGNPOST_DATABASE_URL": url})
    yield app
    app.extensions["signpost.insights"].recorder.close()


def text_of(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_the_page_shows_each_section_with_small_numbers_hidden(filled):
    response = filled.test_client().get("/insights")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    words = text_of(html)
    headings = ("What people searched for", "Gaps: needs searched for",
                "Most signposted services", "Did people go?", "Listings not checked")  # fmt: skip
    for heading in headings:
        assert heading in words
    # Loneliness: 3 in an earlier week is hidden, so the 15 total is not shown either.
    assert re.search(r"Loneliness and isolation( 0)+ fewer than 5 0 12 not shown", words)
    assert "CT9 Diabetes 8 8 0" in words  # a gap: 8 searches, none found locally, 0 services
    assert "Tea and Talk Bereavement Café 0 0 30 23" in words
    assert "Ramsgate Harbour Men" in words
    assert "40 0 fewer than 5" in words
    assert "9 0 fewer than 5 not shown" in words  # went: yes, not yet, no, all answers
    assert " 2 " not in words.split("Did people go?")[1].split("Listings not checked")[0]


def test_charts_are_svg_without_inline_style_and_hidden_from_screen_readers(filled):
    html = filled.test_client().get("/insights").get_data(as_text=True)
    main = html[html.index("<main") : html.index("</main>")]
    assert "style=" not in main
    assert "<script" not in main
    assert main.count('<div class="sp-chart" aria-hidden="true">') >= 3
    assert "<caption" in main
    assert 'scope="col"' in main
    # A hidden count draws an outline, never a bar whose length would give it away.
    assert 'stroke-dasharray="3 2"' in main


def test_the_csv_download_hides_small_numbers(filled):
    response = filled.test_client().get("/insights.csv")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    assert {"section", "week", "district", "need", "service_id", "measure", "count"} == set(rows[0])
    # Counts of people's actions; stale and services_listed count public listings instead.
    values = {row["count"] for row in rows
              if row["section"] != "stale" and row["measure"] != "services_listed"}  # fmt: skip
    assert values.isdisjoint({"1", "2", "3", "4"})
    assert "fewer than 5" in values
    cafe = {row["measure"]: row["count"] for row in rows
            if row["section"] == "feedback" and row["service_id"] == CAFE}  # fmt: skip
    assert cafe["went-yes"] == "9"
    assert cafe["went-no"] == "fewer than 5"
    assert cafe["answers"] == "not shown"


def test_the_json_download_marks_suppressed_counts(filled):
    response = filled.test_client().get("/insights.json?since=2026-11-01&until=2026-11-29")
    body = json.loads(response.get_data(as_text=True))
    assert body["period"] == {"since": "2026-10-26", "until": "2026-11-29"}
    assert body["suppression"]["below"] == 5
    cafe = next(row for row in body["feedback"] if row["id"] == CAFE)
    assert cafe["went_yes"] == 9
    assert cafe["went_no"] is None
    assert cafe["answers"] is None
    assert set(cafe["suppressed"]) == {"went_no", "answers"}
    lonely = next(row for row in body["demand_by_need"] if row["need"] == "loneliness")
    assert lonely["weeks"][WEEK] == 12
    assert lonely["weeks"][EARLIER] is None
    assert set(lonely["suppressed"]) == {"total", EARLIER}
    people = {key: body[key] for key in ("demand_by_need", "most_signposted", "feedback",
                                         "feedback_all_services")}  # fmt: skip
    people["gaps"] = [{**gap, "services": None} for gap in body["gaps"]]  # listings, not people
    numbers = re.findall(r":\s*(\d+)[,\n]", json.dumps(people, indent=0))
    assert numbers
    assert not {"1", "2", "3", "4"} & set(numbers)


def test_the_service_page_shows_its_own_figures(filled):
    page = text_of(filled.test_client().get(f"/services/{CAFE}").get_data(as_text=True))
    assert "Added to 23 handouts this quarter. 9 people said they went." in page
    shed = text_of(filled.test_client().get(f"/services/{SHED}").get_data(as_text=True))
    assert "Added to fewer than 5 handouts this quarter." in shed


def test_a_higher_threshold_is_used_everywhere(site_paths, filled):  # noqa: F811
    url = filled.extensions["signpost.insights"].url
    strict = create_app(
        {"TESTING": True, **site_paths, "SIGNPOST_DATABASE_URL": url,
         "SIGNPOST_SUPPRESS_BELOW": "10"}
    )  # fmt: skip
    client = strict.test_client()
    assert (
        "fewer than 10 people said they went"
        in text_of(client.get(f"/services/{CAFE}").get_data(as_text=True)).lower()
    )
    assert "9" not in {row.split(",")[-1] for row in client.get("/insights.csv").text.splitlines()}
    strict.extensions["signpost.insights"].recorder.close()


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("since=yesterday", "Enter the start date like 2026-09-01."),
        ("until=2026-13-45", "Enter the end date like 2026-09-01."),
        ("since=2026-11-20&until=2026-11-01", "The start date must be before the end date."),
        ("since=2010-01-01&until=2026-11-01", "Choose a period of three years or less."),
    ],
)
def test_bad_dates_are_explained(filled, query, message):
    client = filled.test_client()
    page = client.get(f"/insights?{query}")
    assert page.status_code == 400
    assert message in page.get_data(as_text=True)
    download = client.get(f"/insights.csv?{query}")
    assert download.status_code == 400
    assert message in download.get_data(as_text=True)


# ---- signpost report ---------------------------------------------------------------------


def test_the_command_reads_a_copy_offline_with_small_numbers_hidden(filled, runner, tmp_path):
    url = filled.extensions["signpost.insights"].url
    copy = tmp_path / "copied" / "insights.sqlite3"  # as if taken home on a memory stick
    copy.parent.mkdir()
    Store.open(url).close()  # checkpointed: the WAL folded into the main file
    shutil.copy(url.removeprefix("sqlite:///"), copy)
    copy.chmod(0o444)
    path = str(copy)
    args = ["report", "--database", path, "--since", "2026-11-01", "--until", "2026-11-29",
            "--counts-only"]  # fmt: skip
    table = runner.invoke(main, args)
    assert table.exit_code == 0, table.output
    assert "Counts below 5 are shown as 'fewer than 5'." in table.output
    assert re.search(r"margate-bereavement-cafe\s+9\s+0\s+fewer than 5\s+not shown",
                     table.output)  # fmt: skip
    as_csv = runner.invoke(main, [*args, "--format", "csv"])
    assert as_csv.exit_code == 0
    assert "feedback,all,,,margate-bereavement-cafe,went-no,fewer than 5" in as_csv.output
    as_json = json.loads(runner.invoke(main, [*args, "--format", "json"]).output)
    assert as_json["feedback"][0]["went_no"] is None


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--since", "last week"], "is not a date: write it like 2026-09-01"),
        (["--since", "2026-11-20", "--until", "2026-11-01"], "--since must be on or before"),
        (["--database", "/nowhere/at/all.sqlite3"], "Cannot use the insights store"),
        (["--database", "mysql://x/y"], "SQLite or PostgreSQL, not mysql"),
        (["--format", "xml"], "'xml' is not one of"),
    ],
)
def test_the_command_explains_bad_options(runner, args, message):
    result = runner.invoke(main, ["report", *args])
    assert result.exit_code != 0
    assert message in result.output


def test_the_command_names_services_and_finds_gaps_with_the_index(filled, runner, site_paths):  # noqa: F811
    url = filled.extensions["signpost.insights"].url
    result = runner.invoke(
        main,
        ["report", "--database", url, "--data", site_paths["SIGNPOST_DATA"],
         "--index", site_paths["SIGNPOST_INDEX"], "--since", "2026-11-01",
         "--until", "2026-11-29"],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "Tea and Talk Bereavement Café" in result.output
    assert "Gaps: needs searched for where few or no services meet" in result.output
    assert re.search(r"CT9\s+Diabetes\s+8\s+8\s+0", result.output)
    assert "Listings not checked for 12 months, by area" in result.output
