"""HTTP manners for the API: ETags and caching, CORS for browsers, gzip for slow links.

A council's widget may ask the same question thousands of times a day, often from phones
on poor connections. So every successful GET carries a weak ETag (derived from the index
build, not the body, so a repeat can be answered 304 before any searching) and may be
cached for five minutes; JSON is gzipped when the client accepts it; and any web page may
call the API (``Access-Control-Allow-Origin: *``: the data is public and no cookies or
credentials are involved).

This is a few lines of our own rather than Flask-Compress and Flask-CORS: the rules are
short, and owning them keeps the behaviour the tests pin in one readable place.
"""

from __future__ import annotations

import gzip
import hashlib
from collections.abc import Callable

from flask import Blueprint, Response, g, request

from views.apiutil import site_root

CACHE_SECONDS = 300
COMPRESS_MIN_BYTES = 500
COMPRESSIBLE = {"application/json", "application/xml", "image/svg+xml", "text/csv"}
ALLOWED_METHODS = "GET, HEAD, OPTIONS"
PREFLIGHT_SECONDS = 86400

# Returns the text an ETag is made from for this request, or None for no ETag.
EtagSeed = Callable[[], "str | None"]


def etag_for(seed: str) -> str:
    return hashlib.sha256(seed.encode("utf-8")).hexdigest()[:32]


def _cache_headers(response: Response, etag: str) -> None:
    response.set_etag(etag, weak=True)
    response.headers["Cache-Control"] = f"public, max-age={CACHE_SECONDS}"


def _cors(response: Response) -> None:
    response.headers["Access-Control-Allow-Origin"] = "*"
    response.headers["Access-Control-Expose-Headers"] = "ETag, Retry-After, Content-Length"
    if request.method == "OPTIONS":
        # Flask's own answer would list every method of the /api catch-all route.
        response.headers["Allow"] = ALLOWED_METHODS
        response.headers["Access-Control-Allow-Methods"] = ALLOWED_METHODS
        asked = request.headers.get("Access-Control-Request-Headers")
        response.headers["Access-Control-Allow-Headers"] = asked or "Accept, If-None-Match"
        response.headers["Access-Control-Max-Age"] = str(PREFLIGHT_SECONDS)


def _compressible(response: Response) -> bool:
    mimetype = response.mimetype or ""
    return mimetype.startswith("text/") or mimetype in COMPRESSIBLE or mimetype.endswith("+json")


def compress(response: Response) -> None:
    """Gzip a text or JSON body over ~500 bytes when the client says it accepts gzip."""
    if (
        response.direct_passthrough
        or response.status_code in (204, 304)
        or response.status_code < 200
        or "Content-Encoding" in response.headers
        or not _compressible(response)
    ):
        return
    response.vary.add("Accept-Encoding")
    if request.accept_encodings["gzip"] <= 0:
        return
    data = response.get_data()
    if len(data) < COMPRESS_MIN_BYTES:
        return
    response.set_data(gzip.compress(data, compresslevel=6, mtime=0))
    response.headers["Content-Encoding"] = "gzip"


def install(bp: Blueprint, seed: EtagSeed) -> None:
    """Add conditional GETs, caching, CORS and compression to every response of ``bp``."""

    @bp.before_request
    def answer_unchanged() -> Response | None:
        g.api_etag = None
        if request.method not in ("GET", "HEAD"):
            return None
        text = seed()
        if text is None:
            return None
        # Answers carry absolute links on this site's root (the Host when no public URL is
        # set), so two names for one server must not share an ETag.
        g.api_etag = etag_for(f"{text}|{site_root()}")
        if request.if_none_match and request.if_none_match.contains_weak(g.api_etag):
            return Response(status=304)
        return None

    @bp.after_request
    def finish(response: Response) -> Response:
        etag = g.get("api_etag")
        if etag and response.status_code in (200, 304) and request.method in ("GET", "HEAD"):
            _cache_headers(response, etag)
        elif response.status_code >= 400:
            response.headers["Cache-Control"] = "no-store"
        _cors(response)
        compress(response)
        return response
