"""The home/search page: search by need and place, filters with counts, errors, no results."""

from __future__ import annotations

import re

import pytest


def result_ids(page: str) -> list[str]:
    return re.findall(r'<li class="nhsuk-card sp-result" id="result-([a-z0-9-]+)"', page)


def get(site, url: str, status: int = 200) -> str:
    response = site.get(url)
    assert response.status_code == status, response.get_data(as_text=True)[:500]
    return response.get_data(as_text=True)


def test_home_has_one_box_for_the_need_and_one_for_the_place(site):
    page = get(site, "/")
    assert '<form class="sp-search" method="get" action="/"' in page
    assert "What would help?" in page
    assert 'name="q"' in page
    assert "Where?" in page
    assert 'name="near"' in page
    # Example searches are links that find something in this directory.
    examples = re.findall(r'<ul class="sp-examples">(.*?)</ul>', page, re.S)[0]
    links = re.findall(r'href="(/\?q=[^"]+)"', examples)
    assert links
    for link in links:
        assert result_ids(get(site, link.replace("&amp;", "&")))
    assert 'href="/needs"' in page


def test_search_by_need_and_postcode_finds_the_nearest_relevant_services(site):
    page = get(site, "/?q=lost+my+wife&near=CT9+1EP")
    ids = result_ids(page)
    assert ids[0] == "margate-bereavement-cafe"
    assert "hove-memory-singers" not in ids  # 80 miles away
    assert "Near <strong>CT9 1EP</strong>" in page
    assert "Looking for: Bereavement and grief" in page
    assert re.search(r"\d(\.\d)? miles? away", page)
    # The national phone line has no distance: it says how to reach it instead.
    card = page.split('id="result-national-grief-listening-line"')[1].split("</li>\n")[0]
    assert "National" in card


def test_result_shows_what_a_link_worker_needs(site):
    page = get(site, "/?q=mens+shed&near=Margate")
    card = page.split('id="result-margate-mens-shed"')[1].split('<form class="sp-shortlist')[0]
    assert 'href="/services/margate-mens-shed"' in card
    assert "Thanet Community Sheds CIC" in card
    assert "miles away" in card or "mile away" in card
    assert "Tomorrow, 10am to 1pm" in card  # SITE_NOW is a Monday
    assert "£2 a session" in card
    assert "Refer yourself, Drop in" in card
    assert 'sp-icon--step-free" aria-hidden="true"></span>Step-free access' in card
    assert "Checked September 2026" in card
    assert "Loneliness and isolation" in card
    assert "Arts and crafts" in card


def test_search_url_is_shareable_and_uses_the_api_parameter_names(site):
    page = get(site, "/?q=lonely&near=CT9+1EP&free=true&day=fri")
    # The filters form sends exactly the parameters search/request.py reads.
    for name in ("free", "step_free", "open_now", "day", "access", "delivery", "need", "age"):
        assert f'name="{name}"' in page
    assert 'name="radius"' in page
    assert 'name="local_only"' in page
    assert result_ids(page) == result_ids(get(site, "/?near=CT9+1EP&q=lonely&day=fri&free=1"))


def test_filters_change_results_and_counts(site):
    everything = get(site, "/?q=lonely&near=CT9+1EP")
    free = get(site, "/?q=lonely&near=CT9+1EP&free=true")
    all_ids, free_ids = result_ids(everything), result_ids(free)
    assert set(free_ids) < set(all_ids)
    assert "margate-mens-shed" in all_ids
    assert "margate-mens-shed" not in free_ids
    # The count next to "Free" says how many results the filter keeps.
    count = re.search(r"Free \((\d+)\)", everything).group(1)
    assert int(count) == len(free_ids)
    assert re.search(r'id="free" name="free" type="checkbox" value="true" checked', free)
    assert f"{len(free_ids)} results" in free


def test_day_and_access_filters(site):
    page = get(site, "/?near=CT9+1EP&day=fri")
    assert "birchington-carers-coffee-morning" in result_ids(page)
    assert "margate-mens-shed" not in result_ids(page)  # Tuesdays and Thursdays
    referral = get(site, "/?near=CT9+1EP&access=drop-in")
    assert "thanet-chat-line-telephone-befriending" not in result_ids(referral)
    phone = get(site, "/?near=CT9+1EP&delivery=phone")
    assert "thanet-chat-line-telephone-befriending" in result_ids(phone)


def test_chosen_filters_can_be_removed_one_by_one(site):
    page = get(site, "/?q=lonely&near=CT9+1EP&free=true&day=tue,fri")
    chosen = page.split('class="sp-active-filters"')[1].split("</div>")[0]
    assert "Free" in chosen
    assert "Tuesday" in chosen
    assert "Friday" in chosen
    remove_tuesday = re.search(r'href="([^"]+)">Tuesday', chosen).group(1).replace("&amp;", "&")
    assert "day=fri" in remove_tuesday
    assert "tue" not in remove_tuesday
    assert "free=true" in remove_tuesday
    assert "q=lonely" in remove_tuesday


def test_need_filter_and_browse_by_need(site):
    page = get(site, "/needs")
    assert "Browse by need" in page
    assert re.search(r'href="/needs/loneliness">Loneliness and isolation</a>', page)
    assert re.search(r"Loneliness and isolation</a>.*?6 groups and services", page, re.S)
    assert "/needs/stop-smoking" not in page  # no services: no dead end
    need_page = get(site, "/needs/loneliness")
    assert "<h1>Loneliness and isolation</h1>" in need_page
    assert set(result_ids(need_page)) == set(result_ids(get(site, "/?need=loneliness")))
    assert get(site, "/needs/no-such-need", 404)


def test_did_you_mean_and_place_suggestions(site):
    page = get(site, "/?q=lonley&near=Margate")
    assert "Showing results for <strong>lonely</strong>" in page
    lost = get(site, "/?q=lonely&near=Margat")
    assert "We could not find that place" in lost
    assert re.search(r'href="/\?q=lonely&amp;near=Margate">Margate</a>', lost)


def test_no_results_offers_wider_searches_and_help(site):
    page = get(site, "/?q=walking&near=CT9+1EP&radius=0.2")
    assert result_ids(page) == []
    assert "We could not find any groups or services for this search." in page
    wider = re.search(r'<a href="(/\?[^"]*radius=[^"]*)">Search within', page)
    assert wider
    assert result_ids(get(site, wider.group(1).replace("&amp;", "&")))
    assert "check the spelling" in page
    assert "call 111" in page


@pytest.mark.parametrize(
    ("query", "field", "message"),
    [
        ("radius=far", "radius", "Choose a distance from 0.1 to 100 miles"),
        ("age=old", "age", "Enter an age as a whole number from 0 to 120"),
        ("day=funday", "day", "Choose days of the week from the list"),
        ("free=maybe", "free", "Tick the box if you only want free services"),
        ("page=0", "q", "Choose a page number from 1 to 100"),
        ("need=unicorns", "need", "Choose what would help from the list"),
    ],
)
def test_bad_parameters_get_a_friendly_400(site, query, field, message):
    page = get(site, f"/?q=lonely&near=CT9+1EP&{query}", 400)
    assert "There is a problem" in page
    assert re.search(rf'href="#{field}"\s*>\s*{re.escape(message)}', page)
    assert 'id="' + field + '"' in page  # the link goes somewhere
    assert "Traceback" not in page
    assert 'value="lonely"' in page  # what they typed is kept


def test_page_beyond_the_end_says_so(site):
    page = get(site, "/?q=lonely&near=CT9+1EP&page=7")
    assert "There is no page 7 for this search." in page


def test_pagination_links_keep_the_search(site):
    page = get(site, "/?near=CT9+1EP&per_page=3")
    assert "Page 1 of" in page
    assert 'class="nhsuk-pagination' in page
    second = re.search(r'href="(/\?near=CT9\+1EP&amp;page=2&amp;per_page=3)"', page)
    assert second
    page2 = get(site, second.group(1).replace("&amp;", "&"))
    assert "Page 2 of" in page2
    assert not set(result_ids(page)) & set(result_ids(page2))


def test_long_or_strange_input_is_safe(site):
    page = get(site, "/?q=" + "%3Cscript%3Ealert(1)%3C/script%3E" * 30 + "&near=%22%3E%3Cb%3E")
    assert "<script>alert(1)" not in page
    assert "&lt;script&gt;" in page


def test_related_help_link_searches_for_those_needs():
    from views.present import wider_link

    link = wider_link(
        [("q", "diabetes"), ("near", "CT9"), ("day", "wed"), ("page", "2")],
        {"q": "", "need": ["healthy-weight", "physical-activity"]},
    )
    assert link == "?near=CT9&day=wed&need=healthy-weight&need=physical-activity"
