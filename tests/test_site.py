"""The site as it stands: the directory list, service pages, errors in the same design."""

from __future__ import annotations


def test_home_lists_services(client):
    response = client.get("/")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "Margate Men&#39;s Shed" in page
    assert "£2 a session" in page


def test_service_page_in_words(client):
    page = client.get("/services/margate-mens-shed").get_data(as_text=True)
    assert "Tuesdays and Thursdays, 10am to 1pm" in page
    assert "Step-free access" in page
    assert "You can refer yourself" in page
    assert 'href="tel:01632960001"' in page


def test_unknown_service_is_a_friendly_404(client):
    response = client.get("/services/no-such-thing")
    assert response.status_code == 404
    assert "Page not found" in response.get_data(as_text=True)


def test_broken_file_does_not_empty_the_site(client, data_dir):
    (data_dir / "services" / "thanet" / "broken.yaml").write_text("name: [", encoding="utf-8")
    page = client.get("/").get_data(as_text=True)
    assert "Margate Men&#39;s Shed" in page
