"""What every HTML page costs to send, kept small: whitespace, asset URLs, the shared footer.

A search page is rendered hundreds of times a second on a busy PCN server, so work that
gives the same answer on every request is done once: an asset's URL with its content hash
once per file and site root (unless the app is in debug mode, where files change under it),
the footer once per site root and settings, the header once per page kind and shortlist
size as well. The whitespace pass is a line split rather than a regular expression: the same output
(``tests/test_rendering.py`` holds them equal), 0.67 -> 0.21 ms for a 40 KB results page.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Hashable
from pathlib import Path

from flask import Flask, Response, current_app, render_template, request, url_for
from markupsafe import Markup

_KEEP_AS_IS = re.compile(r"(<(pre|textarea)\b.*?</\2>)", re.S | re.I)


def squeeze_text(text: str) -> str:
    """Every whitespace run that holds a newline becomes one newline.

    Equal to ``re.sub(r"[ \\t]*\\n\\s*", "\\n", text)``: spaces and tabs before a line break
    go, and every whitespace character after it (blank lines, indentation) goes, so a
    line's own text and the first line's indentation are kept.
    """
    lines = text.split("\n")
    if len(lines) == 1:
        return text
    kept = [lines[0].rstrip(" \t")]
    for line in lines[1:-1]:
        line = line.lstrip()
        if line:
            kept.append(line.rstrip(" \t"))
    kept.append(lines[-1].lstrip())
    return "\n".join(kept)


def squeeze_html(response: Response) -> Response:
    """Drop the blank lines and indentation the NHS macros leave, for a cheap phone's sake.

    Whitespace runs that hold a newline become one newline (the same to HTML), except
    inside <pre> and <textarea>, where every space is content.
    """
    if (
        response.mimetype != "text/html"
        or response.direct_passthrough
        or response.is_streamed
        or response.content_encoding
    ):
        return response
    parts = _KEEP_AS_IS.split(response.get_data(as_text=True))
    # split() returns [text, whole match, tag name, text, ...]: squeeze only the text.
    squeezed = [
        squeeze_text(part) if index % 3 == 0 else part
        for index, part in enumerate(parts)
        if index % 3 != 2
    ]
    response.set_data("".join(squeezed))
    return response


_asset_versions: dict[tuple[str, int, int], str] = {}  # by path, modified time and size
_fixed_versions: dict[tuple[str, str], str] = {}  # by static folder and file, outside debug
ASSET_URLS = "signpost.asset_urls"  # app.extensions: (file, site root) -> URL, outside debug


def asset_url(filename: str) -> str:
    """``url_for('static')`` with a content hash, so a changed file gets a new URL.

    A deployed site's files change only with a new release (and a restart), so the hash is
    found once per file, and the URL (the hash and where the site is mounted) once per file
    and site root; in debug mode the file is checked on every page.
    """
    app = current_app
    if app.debug:
        return _asset_url(filename)[0]
    urls: dict[tuple[str, str], str] = app.extensions[ASSET_URLS]
    key = (filename, request.script_root)
    url = urls.get(key)
    if url is None:
        url, found = _asset_url(filename)
        if found:  # a missing file is looked for again next time
            urls[key] = url
    return url


def _asset_url(filename: str) -> tuple[str, bool]:
    """The URL, and whether the file was there to be hashed."""
    app = current_app
    folder = app.static_folder or "static"
    version = None if app.debug else _fixed_versions.get((folder, filename))
    if version is None:
        path = Path(folder) / filename
        try:
            stat = path.stat()
        except OSError:
            return url_for("static", filename=filename), False
        key = (str(path), stat.st_mtime_ns, stat.st_size)
        version = _asset_versions.get(key)
        if version is None:
            version = hashlib.sha256(path.read_bytes()).hexdigest()[:10]
            _asset_versions[key] = version
        if not app.debug:
            _fixed_versions[folder, filename] = version
    return url_for("static", filename=filename, v=version), True


class Fragments:
    """Parts of a page that are the same for every visitor, rendered once per site root.

    The footer is built by nhsuk-frontend-jinja's macro (nested templates: about a tenth of
    a service page's time). Its links depend only on where the site is mounted, and its
    words only on the site's settings, so one copy per mount point and settings serves every
    page. A part that also depends on the request names what it depends on (``vary``): the
    header shows which page you are on and how many services are on your shortlist.
    """

    LIMIT = 2000  # far more than pages x shortlist sizes x mount points; then start again

    def __init__(self) -> None:
        # Two threads rendering the same part at once both store the same HTML: no lock.
        self._cache: dict[tuple[Hashable, ...], Markup] = {}

    def get(self, template: str, vary: tuple[Hashable, ...] = ()) -> Markup:
        site = current_app.config["SIGNPOST_SETTINGS"].site  # frozen, so it can be a key
        key = (template, request.script_root, site, *vary)
        html = None if current_app.debug else self._cache.get(key)
        if html is None:
            html = Markup(render_template(template))
            if len(self._cache) >= self.LIMIT:
                self._cache.clear()
            self._cache[key] = html
        return html


def fragment(template: str, *vary: Hashable) -> Markup:
    """A page part that is the same for every request alike in ``vary`` (see ``Fragments``):
    the template must read nothing from the request but what ``vary`` holds."""
    fragments: Fragments = current_app.extensions["signpost.fragments"]
    return fragments.get(template, vary)


def init_app(app: Flask) -> None:
    app.extensions["signpost.fragments"] = Fragments()
    app.extensions[ASSET_URLS] = {}
    app.add_template_global(asset_url)
    app.add_template_global(fragment)
    app.after_request(squeeze_html)
