"""The summary for the patient's record: date, needs discussed, services signposted to, as
text to copy and as JSON, with SNOMED CT codes only when a deployment configures them."""

from __future__ import annotations

import html
import re

import pytest

SHED = "margate-mens-shed"
CAFE = "margate-bereavement-cafe"
CODES = "871731000000106|Referral to social prescribing service"


def summary_of(page: str) -> str:
    return html.unescape(
        re.search(r'id="record-summary"[^>]*>(.*?)</textarea>', page, re.S).group(1)
    )


def test_summary_as_text(site):
    site.post("/shortlist/add", data={"id": SHED})
    site.post("/shortlist/add", data={"id": CAFE})
    page = site.get("/shortlist/summary").get_data(as_text=True)
    assert "<h1>Summary for the patient's record</h1>" in page
    text = summary_of(page)
    assert text.splitlines()[:3] == [
        "Social prescribing: signposting summary",
        "Date: 23 November 2026",
        "Needs discussed: Loneliness and isolation; Arts and crafts; Bereavement and grief; "
        "Mental health and wellbeing",
    ]
    assert "1. Margate Men's Shed (Thanet Community Sheds CIC)" in text
    assert "   Contact: 01632 960001, shed@example.org, https://example.org/margate-shed" in text
    assert "   How to start: You can refer yourself. Drop in, no need to book. Just turn up" in text
    assert "2. Tea and Talk Bereavement Café (Thanet Bereavement Friends)" in text
    assert "SNOMED" not in text
    assert "SNOMED" not in page
    # The shortlist page links to it.
    assert 'href="/shortlist/summary"' in site.get("/shortlist/").get_data(as_text=True)


def test_summary_as_json(site):
    response = site.get(f"/shortlist/summary.json?ids={SHED},{CAFE},gone-away")
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    data = response.get_json()
    assert data["date"] == "2026-11-23"
    assert data["needs_discussed"][0] == {"id": "loneliness", "label": "Loneliness and isolation"}
    shed = data["services"][0]
    assert shed == {
        "id": SHED,
        "name": "Margate Men's Shed",
        "organisation": "Thanet Community Sheds CIC",
        "contact": {
            "phone": "01632 960001",
            "email": "shed@example.org",
            "website": "https://example.org/margate-shed",
        },
        "how_to_start": (
            "You can refer yourself. Drop in, no need to book. Just turn up on a Tuesday or "
            "Thursday morning, or ring Dave first for a chat."
        ),
        "routes": ["self-referral", "drop-in"],
        "checked": "2026-09-14",
        "url": "http://localhost/services/margate-mens-shed",
    }
    assert data["codes"] == []
    assert data["missing"] == ["gone-away"]
    assert data["patient_details_stored"] is False
    assert data["text"].startswith("Social prescribing: signposting summary\n")


def test_configured_snomed_codes_are_recorded(site_app):
    from tests.conftest import configured

    codes = f"{CODES}; 1082641000000106|Signposting to social prescribing service"
    with configured(site_app, SIGNPOST_SNOMED_CODES=codes):
        client = site_app.test_client()
        data = client.get(f"/shortlist/summary.json?ids={SHED}").get_json()
        page = client.get(f"/shortlist/summary?ids={SHED}").get_data(as_text=True)
    assert data["codes"] == [
        {
            "system": "http://snomed.info/sct",
            "code": "871731000000106",
            "display": "Referral to social prescribing service",
        },
        {
            "system": "http://snomed.info/sct",
            "code": "1082641000000106",
            "display": "Signposting to social prescribing service",
        },
    ]
    assert "SNOMED CT: 871731000000106 | Referral to social prescribing service" in data["text"]
    assert "Your organisation asks you to record these codes" in page
    assert "SNOMED CT: 1082641000000106 | Signposting" in summary_of(page)


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (
            "Referral to social prescribing",
            "SIGNPOST_SNOMED_CODES: 'Referral to social prescribing' is not a SNOMED CT concept "
            "id (6 to 18 digits). Write it as 871731000000106|Referral to social prescribing "
            "service.",
        ),
        (
            "871731000000106",
            "SIGNPOST_SNOMED_CODES: write the term after the code, as 871731000000106|<term>.",
        ),
        (
            "871731000000106|",
            "SIGNPOST_SNOMED_CODES: write the term after the code, as 871731000000106|<term>.",
        ),
        ("0123|x", "SIGNPOST_SNOMED_CODES: '0123' is not a SNOMED CT concept id"),
    ],
)
def test_bad_snomed_codes_get_a_clear_message(value, message):
    from directory.settings import SettingError
    from views.record import parse_codes

    with pytest.raises(SettingError) as raised:
        parse_codes(value)
    assert str(raised.value).startswith(message)


def test_bad_snomed_codes_stop_the_app(settings):
    from app import create_app
    from directory.settings import SettingError

    with pytest.raises(SettingError, match="not a SNOMED CT concept id"):
        create_app(
            {
                "SIGNPOST_DATA": str(settings.data_dir),
                "SIGNPOST_INDEX": str(settings.index_dir),
                "SIGNPOST_SNOMED_CODES": "social prescribing",
            }
        )


def test_empty_list_summary_explains(site):
    page = site.get("/shortlist/summary").get_data(as_text=True)
    assert "There is nothing on the shortlist yet." in page
    assert site.get("/shortlist/summary.json").get_json()["services"] == []


def test_the_link_worker_unticks_needs_not_talked_about(site):
    site.post("/shortlist/add", data={"id": SHED})
    page = site.get("/shortlist/summary").get_data(as_text=True)
    assert (
        'id="need-arts-and-crafts" name="need" type="checkbox" value="arts-and-crafts" checked'
        in (page)
    )
    response = site.post("/shortlist/summary", data={"need": ["loneliness", "made-up"]})
    text = summary_of(response.get_data(as_text=True))
    assert "Needs discussed: Loneliness and isolation\n" in text
    assert 'value="arts-and-crafts">' in response.get_data(as_text=True)  # now unticked
    nothing = summary_of(site.post("/shortlist/summary", data={}).get_data(as_text=True))
    assert "Needs discussed" not in nothing
    assert "1. Margate Men's Shed" in nothing
    forged = site.post("/shortlist/summary", headers={"Origin": "https://evil.example"})
    assert forged.status_code == 403


def test_json_summary_narrows_needs_and_refuses_unknown_ones(site):
    data = site.get(f"/shortlist/summary.json?ids={SHED}&need=arts-and-crafts").get_json()
    assert data["needs_discussed"] == [{"id": "arts-and-crafts", "label": "Arts and crafts"}]
    response = site.get(f"/shortlist/summary.json?ids={SHED}&need=debt-and-money")
    assert response.status_code == 400
    assert response.get_json()["error"]["message"] == (
        "need 'debt-and-money' is not met by any service on this list. "
        "Choose from: arts-and-crafts, loneliness."
    )
