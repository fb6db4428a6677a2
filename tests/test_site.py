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


def test_broken_file_does_not_empty_the_site(client, data_dir, publish_data):
    (data_dir / "services" / "thanet" / "broken.yaml").write_text("name: [", encoding="utf-8")
    published = publish_data()
    assert not published.ok
    assert any("broken.yaml" in str(problem) for problem in published.problems)
    page = client.get("/").get_data(as_text=True)
    assert "Margate Men&#39;s Shed" in page


def test_site_picks_up_a_new_build_without_restart(client, data_dir, publish_data):
    path = data_dir / "services" / "thanet" / "margate-mens-shed.yaml"
    path.write_text(
        path.read_text(encoding="utf-8").replace("Margate Men's Shed", "Margate Makers"),
        encoding="utf-8",
    )
    assert "Margate Men&#39;s Shed" in client.get("/").get_data(as_text=True)
    assert publish_data().ok
    page = client.get("/").get_data(as_text=True)
    assert "Margate Makers" in page
    assert "Margate Men&#39;s Shed" not in page


def test_no_index_yet_is_a_friendly_503(data_dir, tmp_path):
    from app import create_app

    app = create_app({"SIGNPOST_DATA": str(data_dir), "SIGNPOST_INDEX": str(tmp_path / "none")})
    response = app.test_client().get("/")
    assert response.status_code == 503
    assert "not ready yet" in response.get_data(as_text=True)


def test_a_page_reads_the_vocabulary_and_urgent_help_files_once(app, client, monkeypatch):
    """Each look at the vocabulary checks needs.yaml on disk: once a request, not several."""
    directory = app.extensions["signpost.live"]
    reads: list[str] = []
    for name in ("_read_vocabulary", "_read_urgent_help"):
        original = getattr(directory, name)
        monkeypatch.setattr(
            directory, name, lambda original=original, name=name: reads.append(name) or original()
        )
    assert client.get("/?q=lonely&near=CT9+1EP").status_code == 200
    assert sorted(reads) == ["_read_urgent_help", "_read_vocabulary"]
    assert client.get("/?q=lonely").status_code == 200  # the next request reads them again
    assert len(reads) == 4
    assert directory.vocabulary is not None  # outside a request: read each time
