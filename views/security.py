"""Security headers, request size limits and per-client rate limits, for every response.

Search URLs carry what a patient needs ("lost my wife", "debt") and where they live, so
nothing here may leak them: the Referrer-Policy keeps them from other sites, no cookie holds
anything but shortlisted service ids, and the strict Content-Security-Policy (no inline
script or style, no third-party code) means listing text can never run as script.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Flask, Response, abort, render_template, request
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from werkzeug.middleware.proxy_fix import ProxyFix

from views.common import settings
from views.ratelimit import storage_uri

MAX_REQUEST_BYTES = 64 * 1024  # forms only ever post a few service ids
HSTS = "max-age=31536000; includeSubDomains"
RATE_LIMIT_FILE = "ratelimit.sqlite3"
UNKNOWN_HOST = (
    "This server does not answer to that site name. Set SIGNPOST_PUBLIC_URL or "
    "SIGNPOST_TRUSTED_HOSTS to the names it is reached by."
)


def content_security_policy(map_tiles: str = "") -> str:
    """The CSP: only this site's own files; map tile images from ``map_tiles`` if set."""
    images = "'self' data:" + (f" {map_tiles}" if map_tiles else "")
    return "; ".join(
        (
            "default-src 'self'",
            f"img-src {images}",
            "script-src 'self'",
            "style-src 'self'",
            "font-src 'self'",
            "connect-src 'self'",
            "object-src 'none'",
            "base-uri 'self'",
            "form-action 'self'",
            "frame-ancestors 'none'",
        )
    )


# Always answered, so checks on the server itself work (curl, a local health probe); a
# server on loopback (``make run``) needs no setting. Other names must be configured.
LOOPBACK_HOSTS = ("localhost", "127.0.0.1", "::1")


def host_name(host: str) -> str:
    """``Host`` header -> bare lower-case name: no port, no IPv6 brackets, no final dot."""
    host = host.strip().lower()
    if host.startswith("["):
        host = host[1:].split("]", 1)[0]
    elif host.count(":") == 1:
        host = host.split(":", 1)[0]
    return host.rstrip(".")


def trusted_hosts(public_url: str, listed: str) -> tuple[str, ...]:
    """The host names this site answers to: SIGNPOST_TRUSTED_HOSTS, the public URL's, loopback.

    ``listed`` is comma- or space-separated; ``.example.org`` also trusts its subdomains,
    and ``*`` trusts any host (only behind a proxy that already checks the name).
    """
    names = [name if name == "*" else host_name(name) for name in listed.replace(",", " ").split()]
    if public_url:
        names.append(host_name(urlsplit(public_url).netloc.rsplit("@", 1)[-1]))
    return tuple(dict.fromkeys(name for name in (*names, *LOOPBACK_HOSTS) if name))


def host_is_trusted(host: str, trusted: tuple[str, ...]) -> bool:
    name = host_name(host)
    if not name:
        return False
    for entry in trusted:
        if entry == "*" or name == entry:
            return True
        if entry.startswith(".") and (name.endswith(entry) or name == entry[1:]):
            return True
    return False


def default_storage(app: Flask) -> str:
    """The rate-limit store when none is set: one SQLite file beside the index folder."""
    index_dir = settings(app).index_dir
    return storage_uri(index_dir.parent / RATE_LIMIT_FILE)


def init_app(app: Flask) -> Limiter:
    """Add the headers, limits and (behind a proxy) the real client address to ``app``."""
    if app.config.get("MAX_CONTENT_LENGTH") is None:  # Flask's default is no limit at all
        app.config["MAX_CONTENT_LENGTH"] = MAX_REQUEST_BYTES
    site = settings(app).site
    proxies = site.proxy_count
    if proxies:
        # Behind nginx: trust X-Forwarded-For/Proto from exactly that many proxies, so rate
        # limits see the client and HSTS sees HTTPS.
        # Flask's documented way to wrap its WSGI app, which mypy sees as assigning a method.
        app.wsgi_app = ProxyFix(  # type: ignore[method-assign]
            app.wsgi_app, x_for=proxies, x_proto=proxies, x_host=proxies
        )
    policy = content_security_policy(site.map_tiles)
    hosts = trusted_hosts(site.public_url, site.trusted_hosts)
    # "/static//x" would redirect to an absolute address built from the Host header; a
    # doubled slash is simply not found instead (rules made before this line included).
    app.url_map.merge_slashes = False
    for rule in app.url_map.iter_rules():
        rule.merge_slashes = False

    @app.before_request
    def _refuse_unknown_hosts() -> None:
        # Links, QR codes and redirects are built from the Host header when no public URL is
        # set, so a request naming another site must not get an answer that points there.
        # Health checks may use any name (a load balancer often uses the server's address).
        if request.path != "/healthz" and not host_is_trusted(request.host, hosts):
            abort(400, description=UNKNOWN_HOST)

    @app.before_request
    def _refuse_large_bodies() -> None:
        # Refuse before any view reads the body, whatever the route.
        limit = app.config.get("MAX_CONTENT_LENGTH")
        if limit and (request.content_length or 0) > limit:
            abort(413)

    @app.after_request
    def _headers(response: Response) -> Response:
        headers = response.headers
        headers.setdefault("Content-Security-Policy", policy)
        headers.setdefault("X-Content-Type-Options", "nosniff")
        headers.setdefault("Referrer-Policy", "same-origin")
        headers.setdefault("X-Frame-Options", "DENY")
        headers.setdefault("Permissions-Policy", "geolocation=(), camera=(), microphone=()")
        headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
        if request.is_secure:
            headers.setdefault("Strict-Transport-Security", HSTS)
        return response

    # Test suites make hundreds of requests a second from one address; tests of the limits
    # themselves turn them back on with RATELIMIT_ENABLED=True.
    app.config.setdefault("RATELIMIT_ENABLED", not app.testing)
    limiter = Limiter(
        get_remote_address,
        app=app,
        # One allowance per client across the whole site and API, not one per page.
        application_limits=[site.rate_limit],
        # Shared by every worker process: SQLite beside the index unless set (redis://...).
        storage_uri=site.rate_limit_storage or default_storage(app),
        # Two counters per client, constant cost per check (see views/ratelimit.py).
        strategy="sliding-window-counter",
        # No X-RateLimit-* on every answer: API answers are cached and shared (ETag, public),
        # and a header that differs per client would make them look different.
        headers_enabled=False,
        # A store that cannot be reached (Redis down, a read-only folder) lets requests
        # through and logs why, rather than turning every page into a 500.
        swallow_errors=True,
    )

    @limiter.request_filter
    def _unlimited() -> bool:
        # Health checks and cached static files are cheap; never lock out a load balancer.
        return request.path == "/healthz" or request.path.startswith("/static/")

    @app.errorhandler(429)
    def _too_many(_error: Exception) -> tuple[str, int, dict[str, str]]:
        # Pages only: the API blueprint's own handler answers /api/ in its JSON error shape.
        return render_template("errors/429.html"), 429, {"Retry-After": "60"}

    app.extensions["signpost.limiter"] = limiter
    return limiter
