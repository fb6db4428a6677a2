"""Publishing while people search: no lost request, no empty or mixed answers, no restart.

Several threads search the same LiveDirectory (as gunicorn's threads do) while the index is
rebuilt again and again from changing listings. Every answer must come whole from one build:
all its hits carry that build's generation marker, and none is empty.
"""

from __future__ import annotations

import threading
import time
from pathlib import Path

from directory.places import default_gazetteer
from search.live import LiveDirectory
from search.publish import publish
from search.request import SearchRequest

LISTINGS = 6
REBUILDS = 4


def write_generation(folder: Path, template: str, generation: int, count: int = LISTINGS) -> None:
    """``count`` listings whose names end "generation N", so an answer shows its build."""
    for number in range(count):
        text = template.replace("Margate Men's Shed", f"Shed {number} generation {generation}")
        (folder / f"shed-{number}.yaml").write_text(text, encoding="utf-8")


def test_searches_during_rebuilds_are_whole_and_never_fail(settings, template_text):
    folder = settings.services_dir / "thanet"
    (folder / "margate-mens-shed.yaml").unlink()
    write_generation(folder, template_text, 0)
    gazetteer = default_gazetteer()
    first = publish(settings, gazetteer)
    assert first.ok
    generation_of = {first.info.build_id: 0}

    live = LiveDirectory(settings, gazetteer)
    request = SearchRequest(text="shed", near="CT9 1EP", per_page=LISTINGS)
    answers: list[tuple[str, list[str], int]] = []
    errors: list[BaseException] = []
    stop = threading.Event()

    def searcher() -> None:
        while not stop.is_set():
            try:
                response = live.search(request)
                answers.append(
                    (response.build_id, [hit.name for hit in response.hits], response.total)
                )
            except BaseException as error:  # noqa: BLE001 - any failure is the finding
                errors.append(error)

    threads = [threading.Thread(target=searcher) for _ in range(4)]
    for thread in threads:
        thread.start()
    try:
        for generation in range(1, REBUILDS + 1):
            time.sleep(0.05)
            write_generation(folder, template_text, generation)
            published = publish(settings, gazetteer)
            assert published.ok, published.problems
            generation_of[published.info.build_id] = generation
        time.sleep(0.1)
    finally:
        stop.set()
        for thread in threads:
            thread.join(timeout=30)

    assert errors == []
    assert len(answers) > 20
    seen_builds = set()
    for build_id, names, total in answers:
        assert total == LISTINGS, "never an empty or partial answer"
        generation = generation_of[build_id]
        assert all(name.endswith(f"generation {generation}") for name in names), names
        seen_builds.add(build_id)
    assert len(seen_builds) >= 2, "searches carried on across rebuilds"
    # After the last publish, new searches see the last build without a restart.
    final = live.search(request)
    assert generation_of[final.build_id] == REBUILDS


def test_a_broken_listing_during_a_rebuild_keeps_the_last_good_index(settings, template_text):
    folder = settings.services_dir / "thanet"
    gazetteer = default_gazetteer()
    assert publish(settings, gazetteer).ok
    live = LiveDirectory(settings, gazetteer)
    before = live.snapshot().build_id
    (folder / "broken.yaml").write_text("name: [oops\n", encoding="utf-8")
    published = publish(settings, gazetteer)
    assert not published.ok
    assert any(problem.path.endswith("broken.yaml") for problem in published.problems)
    response = live.search(SearchRequest(text="shed"))
    assert response.build_id == before
    assert [hit.id for hit in response.hits] == ["margate-mens-shed"]
