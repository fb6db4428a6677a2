"""The one-question feedback page: "Did you go?", then optionally "Was it helpful?"."""

from __future__ import annotations

import pytest

from app import create_app
from insights.store import Store, database_url
from tests.test_insights import site_paths  # noqa: F401 - the module's built site

SERVICE = "margate-bereavement-cafe"


@pytest.fixture
def app(site_paths, tmp_path):  # noqa: F811
    built = create_app(
        {
            "TESTING": True,
            **site_paths,
            "SIGNPOST_DATABASE_URL": database_url(str(tmp_path / "i.sqlite3")),
        }
    )
    yield built
    built.extensions["signpost.insights"].recorder.close()


@pytest.fixture
def client(app):
    return app.test_client()


def counts(app) -> dict[str, int]:
    state = app.extensions["signpost.insights"]
    assert state.recorder.flush()
    store = Store.open(state.url)
    found = store.listing_events().get(SERVICE, {})
    store.close()
    return found


def test_the_service_page_links_to_the_question(client):
    page = client.get(f"/services/{SERVICE}").get_data(as_text=True)
    assert f'href="/feedback/{SERVICE}"' in page
    assert "Tell us if you went" in page


def test_the_question_is_a_plain_form_with_three_answers(client):
    response = client.get(f"/feedback/{SERVICE}")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Did you go to Tea and Talk Bereavement Café?" in page
    for value, label in (("yes", "Yes"), ("not-yet", "Not yet"),
                         ("no", "No, it wasn&#39;t right for me")):  # fmt: skip
        assert f'value="{value}"' in page
        assert label in page
    assert f'method="post" action="/feedback/{SERVICE}"' in page
    assert "Set-Cookie" not in response.headers


@pytest.mark.parametrize("answer", ["yes", "not-yet", "no"])
def test_each_answer_is_counted_for_the_service_and_week(app, client, answer):
    response = client.post(f"/feedback/{SERVICE}", data={"went": answer})
    assert response.status_code == 200
    assert "Thank you for telling us" in response.get_data(as_text=True)
    assert "Set-Cookie" not in response.headers
    assert counts(app) == {f"went-{answer}": 1}


def test_after_yes_the_optional_second_question_is_asked_and_counted(app, client):
    page = client.post(f"/feedback/{SERVICE}", data={"went": "yes"}).get_data(as_text=True)
    assert "Was it helpful?" in page
    assert "You do not have to answer this." in page
    done = client.post(f"/feedback/{SERVICE}/helpful", data={"helpful": "no"})
    assert done.status_code == 200
    assert "Was it helpful?" not in done.get_data(as_text=True)
    assert counts(app) == {"went-yes": 1, "helpful-no": 1}


def test_not_yet_does_not_ask_if_it_helped(client):
    page = client.post(f"/feedback/{SERVICE}", data={"went": "not-yet"}).get_data(as_text=True)
    assert "Was it helpful?" not in page


@pytest.mark.parametrize(
    ("path", "data", "message"),
    [
        (f"/feedback/{SERVICE}", {}, "Choose Yes, Not yet or No"),
        (f"/feedback/{SERVICE}", {"went": "maybe"}, "Choose Yes, Not yet or No"),
        (f"/feedback/{SERVICE}/helpful", {"helpful": "sort of"}, "Choose Yes or No"),
    ],
)
def test_a_missing_or_unknown_answer_is_explained_and_not_counted(app, client, path, data,
                                                                  message):  # fmt: skip
    response = client.post(path, data=data)
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "There is a problem" in page
    assert message in page
    assert counts(app) == {}


def test_an_unknown_service_is_not_found(client):
    assert client.get("/feedback/no-such-service").status_code == 404
    assert client.post("/feedback/no-such-service", data={"went": "yes"}).status_code == 404


def test_answers_from_another_website_are_refused(app, client):
    response = client.post(
        f"/feedback/{SERVICE}",
        data={"went": "yes"},
        headers={"Origin": "https://evil.example", "Sec-Fetch-Site": "cross-site"},
    )
    assert response.status_code == 403
    assert counts(app) == {}


def test_answers_are_rate_limited(site_paths, tmp_path):  # noqa: F811
    limited = create_app(
        {
            "TESTING": True,
            "RATELIMIT_ENABLED": True,
            "SIGNPOST_FEEDBACK_RATE_LIMIT": "3 per hour",
            **site_paths,
            "SIGNPOST_DATABASE_URL": database_url(str(tmp_path / "limited.sqlite3")),
        }
    )
    client = limited.test_client()
    statuses = [
        client.post(f"/feedback/{SERVICE}", data={"went": "yes"}).status_code for _ in range(4)
    ]
    assert statuses == [200, 200, 200, 429]
    assert client.get(f"/feedback/{SERVICE}").status_code == 200  # reading is not limited
    limited.extensions["signpost.insights"].recorder.close()


def test_with_counting_off_the_page_says_the_answer_was_not_saved(site_paths, tmp_path):  # noqa: F811
    off = create_app({"TESTING": True, **site_paths, "SIGNPOST_INSIGHTS": "off"})
    page = off.test_client().post(f"/feedback/{SERVICE}", data={"went": "no"})
    assert "your answer was not saved" in page.get_data(as_text=True)


@pytest.mark.parametrize("answer", ["yes", "no"])
def test_the_thanks_page_reads_plainly(client, answer):
    from tests.test_plain_english import _WORD, PATIENT_GRADE, main_text, reading_grade

    page = client.post(f"/feedback/{SERVICE}", data={"went": answer}).get_data(as_text=True)
    text = main_text(page)
    assert len(_WORD.findall(text)) >= 20
    assert reading_grade(text) <= PATIENT_GRADE, text
