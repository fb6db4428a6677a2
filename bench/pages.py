"""The pages the site serves, written out so two versions of the code can be compared.

``answers.py`` compares what the engine finds; this compares what a visitor gets: every
judged query of ``tests/relevance/queries.yaml`` (its place and filters) as a search page
and as an API answer, and the fixed pages (home, browse by need, about, urgent help,
coverage, data sources), from the test site (``tests.conftest.make_site_app``: a fixed
clock and a few real listings). Asset version hashes and build ids are left out: they
differ between trees and builds without changing a page.

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
from urllib.parse import urlencode

HERE = Path(__file__).resolve().parent
FIXED_PAGES = ("/", "/needs", "/about", "/urgent-help", "/coverage", "/data-sources")
FILTERS = {"radius": "radius", "free": "free", "step_free": "step_free", "days": "day",
           "age": "age", "local_only": "local_only"}  # fmt: skip


def judged_paths(root: Path) -> list[str]:
    import yaml

    paths = list(FIXED_PAGES)
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


def render(root: Path) -> dict[str, list]:
    sys.path.insert(0, str(root))
    os.chdir(root)
    from tests.conftest import make_site_app

    client = make_site_app(Path(tempfile.mkdtemp()), TESTING=True).test_client()
    pages = {}
    for path in judged_paths(root):
        response = client.get(path)
        pages[path] = [response.status_code, normalise(response.get_data(as_text=True))]
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
