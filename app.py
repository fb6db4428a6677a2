"""The Signpost web application: ``create_app()`` wires settings, blueprints and errors.

Views are thin: they parse the request and call the same ``directory``/``search`` functions
that the command line uses.
"""

from __future__ import annotations

from typing import Any

from flask import Flask, g, has_request_context, render_template
from werkzeug.exceptions import HTTPException

from directory.settings import Settings, SiteSettings
from search.live import LiveDirectory
from search.snapshot import NoIndex


def create_app(config: dict[str, Any] | None = None) -> Flask:
    """Build the app over one ``Settings`` object, read once.

    ``config`` holds Flask options (``TESTING``), overrides of settings by their variable
    names (``SIGNPOST_DATA``, ``SIGNPOST_PUBLIC_URL``... beat the environment), a ready
    ``SIGNPOST_SETTINGS`` object (``signpost serve`` builds one from its options), and the
    tests' ``SIGNPOST_CLOCK`` and ``SIGNPOST_GAZETTEER``. Views read the settings from
    ``app.config["SIGNPOST_SETTINGS"]``, never from the environment.
    """
    app = Flask(__name__, instance_relative_config=False)
    config = dict(config or {})
    given: Settings | None = config.pop("SIGNPOST_SETTINGS", None)
    overrides = {name: config.pop(name) for name in Settings.names() if name in config}
    settings = given.updated(overrides) if given else Settings.from_env(overrides=overrides)
    app.config.update(config)
    app.config["SIGNPOST_SETTINGS"] = settings
    directory = LiveDirectory(settings, config.get("SIGNPOST_GAZETTEER"))
    directory.request_memo = _request_memo
    app.extensions["signpost.live"] = directory

    from serving import init_access_log
    from views import health, security

    # Production concerns first, so every response (errors included) gets them: security
    # headers, request size and rate limits, and access logs without query strings.
    security.init_app(app)
    init_access_log(app)
    app.register_blueprint(health.bp)

    from views import site

    site.init_app(app)

    from views import api

    # /api/...: JSON, with its own error shape, caching, CORS and gzip (see views/api.py).
    app.register_blueprint(api.bp)

    from views import insights

    # Anonymous weekly counts (SIGNPOST_INSIGHTS, SIGNPOST_DATABASE_URL), /insights, /feedback.
    insights.init_app(app)

    @app.errorhandler(404)
    def not_found(_error: Exception) -> tuple[str, int]:
        return render_template("errors/404.html"), 404

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException) -> tuple[str, int, dict[str, str]]:
        # Any other refusal (400, 403, 405...) in the site's design, never a bare page.
        # A 405 keeps its Allow header (RFC 9110 requires it).
        allow = {name: value for name, value in error.get_headers() if name.lower() == "allow"}
        return render_template("errors/error.html", error=error), error.code or 500, allow

    @app.errorhandler(NoIndex)
    def no_index(_error: NoIndex) -> tuple[str, int]:
        return render_template("errors/no-index.html"), 503

    @app.errorhandler(500)
    def server_error(_error: Exception) -> tuple[str, int]:
        return render_template("errors/500.html"), 500

    @app.context_processor
    def branding() -> dict[str, Any]:
        site: SiteSettings = app.config["SIGNPOST_SETTINGS"].site
        logo = site.logo
        return {
            "service_name": site.service_name,
            "organisation_name": site.organisation_name,
            "nhs_logo": logo.lower() == "nhs",
            "logo_src": "" if logo.lower() in ("", "nhs", "none") else logo,
            "report_email": site.team_email,
            "repository_url": site.repository_url,
        }

    return app


def _request_memo() -> dict[str, Any] | None:
    """A dictionary that lasts as long as the current request (None outside one)."""
    if not has_request_context():
        return None
    memo: dict[str, Any] = g.setdefault("signpost_memo", {})
    return memo
