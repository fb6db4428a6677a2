"""The shortlist (a cookie of ids, or ?ids=), the printable handout and the plain text."""

from __future__ import annotations

import re
from datetime import datetime

from search.engine import LONDON
from tests.conftest import SITE_NOW
from views.shortlist_text import short_code

SHED = "margate-mens-shed"
CAFE = "margate-bereavement-cafe"
LINE = "national-grief-listening-line"


def cookie(client) -> str | None:
    """The ids in the shortlist cookie (its value is ``<started>:<id>.<id>``)."""
    found = client.get_cookie("shortlist")
    return None if found is None else found.value.partition(":")[2]


def add(client, listing_id: str, next_url: str = "/?q=lonely&near=CT9+1EP"):
    return client.post("/shortlist/add", data={"id": listing_id, "next": next_url})


def test_add_and_remove_without_javascript(site):
    response = add(site, SHED)
    assert response.status_code == 303
    assert response.headers["Location"] == "/?q=lonely&near=CT9+1EP"
    assert cookie(site) == SHED
    add(site, CAFE)
    assert cookie(site) == f"{SHED}.{CAFE}"
    add(site, SHED)  # adding twice keeps one
    assert cookie(site).split(".").count(SHED) == 1

    page = site.get("/shortlist/").get_data(as_text=True)
    assert "Margate Men&#39;s Shed" in page
    assert "Tea and Talk Bereavement Caf" in page
    assert re.search(r"Shortlist \(2\)", page)
    assert 'action="/shortlist/remove"' in page

    site.post("/shortlist/remove", data={"id": SHED, "next": "/shortlist/"})
    assert cookie(site) == CAFE
    site.post("/shortlist/clear")
    assert cookie(site) is None


def test_cookie_holds_only_ids_and_is_lax_httponly(site):
    response = add(site, SHED)
    header = response.headers["Set-Cookie"]
    started = int(datetime(*SITE_NOW, tzinfo=LONDON).timestamp())
    assert header.startswith(f"shortlist={started}:{SHED};")
    assert "HttpOnly" in header
    assert "SameSite=Lax" in header
    # A browser-session cookie: no expiry date, so closing the browser forgets the list.
    assert "Max-Age" not in header
    assert "Expires" not in header


def test_results_show_added_services(site):
    add(site, SHED)
    page = site.get("/?q=lonely&near=CT9+1EP").get_data(as_text=True)
    card = page.split(f'id="result-{SHED}"')[1].split('id="result-')[0]
    assert "Remove from shortlist" in card
    other = page.split(f'id="result-{CAFE}"')[1].split('id="result-')[0]
    assert "Add to shortlist" in other
    # The form returns to the same result after the reload.
    assert f'name="next" value="/?q=lonely&amp;near=CT9+1EP#result-{CAFE}"' in other


def test_javascript_gets_json(site):
    response = site.post(
        "/shortlist/add", data={"id": SHED}, headers={"Accept": "application/json"}
    )
    assert response.status_code == 200
    assert response.get_json() == {"ids": [SHED], "count": 1, "in_shortlist": True, "full": False}


def test_refuses_unknown_ids_other_sites_and_open_redirects(site):
    assert site.post("/shortlist/add", data={"id": "no-such-service"}).status_code == 404
    assert site.post("/shortlist/add", data={"id": "../etc"}).status_code == 404
    forged = site.post(
        "/shortlist/add", data={"id": SHED}, headers={"Origin": "https://evil.example"}
    )
    assert forged.status_code == 403
    assert "can only be changed from this website" in forged.get_data(as_text=True)
    cross = site.post("/shortlist/add", data={"id": SHED}, headers={"Sec-Fetch-Site": "cross-site"})
    assert cross.status_code == 403
    for target in ("https://evil.example/", "//evil.example/", "/\\evil.example"):
        response = add(site, SHED, target)
        assert response.headers["Location"] == "/shortlist/"
    assert site.get("/shortlist/add").status_code == 405


def test_shared_link_shows_a_list_without_a_cookie(site):
    page = site.get(f"/shortlist/?ids={SHED},{LINE},gone-away").get_data(as_text=True)
    assert "A shared shortlist" in page
    assert "Margate Men&#39;s Shed" in page
    assert "Grief Listening Line" in page
    assert "1 service on this list is no longer in the directory" in page
    assert cookie(site) is None
    site.post("/shortlist/keep", data={"ids": f"{SHED},{LINE}"})
    assert cookie(site) == f"{SHED}.{LINE}"


def test_shortlist_page_offers_a_share_link(site):
    add(site, SHED)
    add(site, CAFE)
    page = site.get("/shortlist/").get_data(as_text=True)
    assert f"http://localhost/shortlist/?ids={SHED},{CAFE}" in page
    assert 'href="/shortlist/handout"' in page
    assert 'href="/shortlist/text"' in page


def test_handout_has_everything_a_patient_needs(site):
    add(site, SHED)
    add(site, LINE)
    response = site.get("/shortlist/handout")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    section = page.split(f'id="handout-{SHED}"')[1].split("</section>")[0]
    assert "Margate Men&#39;s Shed" in section
    assert "A friendly workshop where people can make and mend things" in section  # what
    assert "Tuesdays and Thursdays, 10am to 1pm. Closed on bank holidays." in section  # when
    assert "Next: Tuesday 24 November, 10am to 1pm" in section  # a real date, never "Tomorrow"
    assert "Checked September 2026" in section
    assert "The Old Forge, 12 Example Street, Margate" in section
    assert "CT9 1EP" in section
    assert "£2 a session. Tea, coffee and materials included." in section  # cost
    assert "Refer yourself or drop in. Just turn up" in section  # how to start
    assert "ring Dave first" in section
    assert "01632 960001" in section  # phone
    assert re.search(r'<svg role="img" aria-label="QR code: opens the Margate', page)
    # A short link to type from paper (the QR code holds the same one).
    assert f"http://localhost/s/{short_code(SHED)}" in section
    # No patient details are asked for: the only fields say which list to clear.
    main = page.split('id="maincontent"')[1].split("</main>")[0]
    assert re.findall(r"<input[^>]*>", main) == ['<input type="hidden" name="finish" value="1">']
    assert "Grief Listening Line" in page


def test_handout_qr_code_uses_the_public_url(site_app):
    from tests.conftest import configured

    with configured(site_app, SIGNPOST_PUBLIC_URL="https://signpost.example.org"):
        page = site_app.test_client().get(f"/shortlist/handout?ids={SHED}").get_data(as_text=True)
    assert f"https://signpost.example.org/s/{short_code(SHED)}" in page


def test_handout_prints_large_without_the_site_around_it():
    from pathlib import Path

    css = (Path(__file__).resolve().parent.parent / "static" / "signpost.css").read_text()
    print_rules = css.split("@media print")[1]
    for hidden in (".nhsuk-header", ".nhsuk-footer", ".nhsuk-button", ".sp-screen-only"):
        assert hidden in print_rules.split("display: none")[0]
    assert "font-size: 18pt" in print_rules


def test_plain_text_version(site):
    add(site, SHED)
    add(site, CAFE)
    page = site.get("/shortlist/text").get_data(as_text=True)
    assert "<textarea" in page
    full = re.search(r'id="text-full"[^>]*>(.*?)</textarea>', page, re.S).group(1)
    assert "1. Margate Men&#39;s Shed" in full
    assert "When: Tuesdays and Thursdays, 10am to 1pm" in full
    assert "Phone: 01632 960001" in full
    assert "More details: http://localhost/services/margate-mens-shed" in full
    short = re.search(r'id="text-short"[^>]*>(.*?)</textarea>', page, re.S).group(1)
    assert len(short) < len(full)

    download = site.get("/shortlist/shortlist.txt")
    assert download.mimetype == "text/plain"
    assert "attachment" in download.headers["Content-Disposition"]
    text = download.get_data(as_text=True)
    assert text.startswith("Groups and services that may help you")
    assert "Margate Men's Shed" in text
    assert "<" not in text


def test_empty_shortlist_pages_explain_what_to_do(site):
    for url in ("/shortlist/", "/shortlist/handout", "/shortlist/text"):
        page = site.get(url).get_data(as_text=True)
        assert "Add to shortlist" in page
    assert site.get("/shortlist/shortlist.txt").get_data(as_text=True) == (
        "Your shortlist is empty.\n"
    )
