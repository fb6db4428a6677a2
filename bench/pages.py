"""The pages the site serves, written out so two versions of the code can be compared.

``answers.py`` compares what the engine finds; this compares what a visitor gets: every
judged query of ``tests/relevance/queries.yaml`` (its place and filters) as a search page
and as an API answer, and the fixed pages (home, browse by need, about, urgent help,
coverage, data sources), from the test site (``tests.conftest.make_site_app``: a fixed
clock and a few real listings). Also every listing's service page and every need's browse
page, and some searches, service pages and the shortlist again with a shortlist cookie (the
"Remove from shortlist" buttons). Service pages are rendered twice more from a second app
with report links configured and insight counts in its store, some above the suppression
threshold and some below. And from a 400-listing synthetic corpus (``corpus.py``, with
paused, closed, out-of-date, booking-only and remote listings the test site lacks), every
service page and ``load.py``'s search pages and browse pages. Asset version hashes and
build ids are left out: they differ between trees and builds without changing a page.

    .venv/bin/python bench/pages.py --out /tmp/after.json
    .venv/bin/python bench/pages.py --root /tmp/old-tree --out /tmp/before.json
    .venv/bin/python bench/pages.py --compare /tmp/before.json /tmp/after.json
"""

from __future__ import annotations

import argparse
import difflib
import json
import os
import re
import sys
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlencode

if TYPE_CHECKING:
    from flask import Flask

HERE = Path(__file__).resolve().parent
FIXED_PAGES = ("/", "/needs", "/about", "/urgent-help", "/coverage", "/data-sources")
# Searches the judged queries do not make: every kind of bad parameter (a 400 page with
# each error beside its field), a distance not offered, one mile, a page past the end.
ODD_SEARCHES = (
    "/?q=lonely&near=Margate&radius=abc&age=x&day=funday&access=door&delivery=pigeon",
    "/?q=walking&near=CT9&need=nope&free=maybe&step_free=2&open_now=x&local_only=y&page=0",
    "/?q=lonely&radius=500&per_page=99",
    "/?near=Nowhereville&radius=7",
    "/?q=lonely&near=Margate&radius=7&free=true&day=mon,tue&age=70",
    "/?q=lonely&near=Margate&radius=1&step_free=true&open_now=true&local_only=true",
    "/?q=lonely&near=CT9&page=99",
    "/?q=coffee&near=CT9&access=drop-in&delivery=in-person&need=loneliness&exact=true",
    "/?q=lonely&per_page=1&page=3",
)
FILTERS = {"radius": "radius", "free": "free", "step_free": "step_free", "days": "day",
           "age": "age", "local_only": "local_only"}  # fmt: skip


def judged_paths(root: Path) -> list[str]:
    import yaml

    paths = [*FIXED_PAGES, *ODD_SEARCHES]
    for case in yaml.safe_load((root / "tests/relevance/queries.yaml").read_text("utf-8")):
        params = {"q": case.get("query", "")}
        if case.get("near"):
            params["near"] = case["near"]
        for key, name in FILTERS.items():
            if key in case:
                value = case[key]
                params[name] = ",".join(value) if isinstance(value, list) else str(value).lower()
        paths += ["/?" + urlencode(params), "/api/v1/services?" + urlencode(params)]
    return paths


def normalise(body: str) -> str:
    body = re.sub(r"\?v=[0-9a-f]*", "", body)
    return re.sub(r'"build_id": ?"[^"]*"', '"build_id":""', body)


# Insight counts seeded for the second app's service pages: (event, count) for the first
# listings in id order, so figures shown, figures suppressed and no figures all appear.
SEEDED = (
    (("handout", 7), ("went-yes", 12)),
    (("handout", 2), ("went-yes", 1)),
    (("shortlisted", 9),),
    (("shortlisted", 1), ("went-yes", 5)),
    (("handout", 1),),
)


def listing_ids(app: Flask) -> list[str]:
    with app.app_context():
        from views.common import live

        return sorted(listing.id for listing in live().listings())


def need_ids(app: Flask) -> list[str]:
    with app.app_context():
        from views.common import live

        directory = live()
        return sorted(need for need, count in directory.need_counts().items() if count)


def seed_insights(app: Flask, ids: list[str]) -> None:
    """Counts for this week (the fixed clock's) in the app's insights store."""
    from datetime import datetime

    from insights.record import week_of
    from insights.store import Store
    from tests.conftest import SITE_NOW

    state = app.extensions["signpost.insights"]
    store = Store.open(state.url)
    store.migrate()
    week = week_of(datetime(*SITE_NOW))
    counts = {
        (week, listing_id, event): count
        for listing_id, events in zip(ids, SEEDED, strict=False)
        for event, count in events
    }
    store.add({}, counts)
    store.close()


def render(root: Path) -> dict[str, list]:
    sys.path.insert(0, str(root))
    os.chdir(root)
    from tests.conftest import make_site_app

    app = make_site_app(Path(tempfile.mkdtemp()), TESTING=True)
    client = app.test_client()
    pages = {}

    def get(key: str, path: str) -> None:
        response = client.get(path)
        pages[key] = [response.status_code, normalise(response.get_data(as_text=True))]

    paths = judged_paths(root)
    for path in paths:
        get(path, path)
    services = listing_ids(app)
    for listing_id in services:
        get(f"/services/{listing_id}", f"/services/{listing_id}")
    for need in need_ids(app):
        get(f"/needs/{need}", f"/needs/{need}")
        get(f"/needs/{need}?near=Margate", f"/needs/{need}?near=Margate")
    # A shortlist holding a few listings: their cards say "Remove from shortlist".
    for listing_id in services[::4]:
        client.post("/shortlist/add", data={"id": listing_id, "next": "/"})
    start = len(FIXED_PAGES) + len(ODD_SEARCHES)
    search_pages = [*ODD_SEARCHES, *paths[start::2]]  # then (page, API) pairs
    for path in [*search_pages, *(f"/services/{i}" for i in services[:8]), "/shortlist/"]:
        get("shortlisted " + path, path)

    reported = make_site_app(
        Path(tempfile.mkdtemp()),
        TESTING=True,
        SIGNPOST_REPOSITORY_URL="https://github.com/example/signpost",
        SIGNPOST_REPORT_EMAIL="listings@example.org",
        SIGNPOST_ORGANISATION_NAME="Example PCN",
    )
    seed_insights(reported, services)
    client = reported.test_client()
    for listing_id in services:
        # The first page view and a second (the figures may be cached in between).
        get(f"reported /services/{listing_id}", f"/services/{listing_id}")
        get(f"reported again /services/{listing_id}", f"/services/{listing_id}")
    pages.update(render_synthetic(root))
    return pages


def render_synthetic(root: Path) -> dict[str, list]:
    """Service pages and searches over a synthetic corpus, at the test site's fixed time."""
    from datetime import datetime

    from app import create_app
    from search.build import build_index
    from search.engine import LONDON
    from tests.conftest import SITE_NOW

    sys.path.insert(1, str(HERE))
    from corpus import generate, load_sources
    from load import make_paths

    corpus = generate(400, 1)
    vocab = load_sources().vocab
    work = Path(tempfile.mkdtemp())
    build_index(corpus.listings, work / "index", vocab)
    app = create_app(
        {
            "TESTING": True,
            "SIGNPOST_INDEX": str(work / "index"),
            "SIGNPOST_DATA": str(root / "data"),
            "SIGNPOST_CLOCK": lambda: datetime(*SITE_NOW, tzinfo=LONDON),
        }
    )
    client = app.test_client()
    paths = [f"/services/{listing.id}" for listing in corpus.listings]
    paths += [path for kind, path in make_paths(corpus, vocab, 300, 1) if kind != "service page"]
    pages = {}
    for path in dict.fromkeys(paths):
        response = client.get(path)
        body = normalise(response.get_data(as_text=True))
        pages["synthetic " + path] = [response.status_code, body]
    return pages


def compare(before: Path, after: Path) -> int:
    old = json.loads(before.read_text("utf-8"))
    new = json.loads(after.read_text("utf-8"))
    differ = [path for path in old if old[path] != new.get(path)]
    for path in differ[:5]:
        print(f"--- {path}")
        lines = difflib.unified_diff(
            old[path][1].splitlines(), new.get(path, [0, ""])[1].splitlines(), lineterm="", n=0
        )
        print("\n".join(list(lines)[:20]))
    print(f"{len(old)} pages compared, {len(differ)} differ")
    return 1 if differ else 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--root", type=Path, default=HERE.parent, help="The source tree.")
    parser.add_argument("--out", type=Path)
    parser.add_argument("--compare", nargs=2, type=Path, metavar=("BEFORE", "AFTER"))
    args = parser.parse_args(argv)
    if args.compare:
        return compare(*args.compare)
    if not args.out:
        parser.error("--out FILE or --compare BEFORE AFTER")
    out = args.out.resolve()
    pages = render(args.root.resolve())
    out.write_text(json.dumps(pages), encoding="utf-8")
    print(f"{len(pages)} pages written to {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
