"""The Signpost web application: ``create_app()`` wires settings, blueprints and errors.

Views are thin: they parse the request and call the same ``directory``/``search`` functions
that the command line uses.
"""

from __future__ import annotations

import os
from typing import Any

from flask import Flask, render_template
from werkzeug.exceptions import HTTPException

from directory.settings import Settings
from search.engine import NoIndex
from search.live import LiveDirectory

# Site settings, each read from the environment variable of the same name (see README).
SITE_DEFAULTS: dict[str, str] = {
    "SIGNPOST_SERVICE_NAME": "Signpost",
    "SIGNPOST_ORGANISATION_NAME": "",
    "SIGNPOST_LOGO": "",  # "nhs" for an NHS organisation's deployment, or an image URL/path
    "SIGNPOST_REPORT_EMAIL": "",  # older name of SIGNPOST_DIRECTORY_EMAIL
    "SIGNPOST_DIRECTORY_EMAIL": "",  # the directory team: reports and the form's emails go here
    "SIGNPOST_REPOSITORY_URL": "",  # e.g. https://github.com/ORG/REPO for issues and sources
    "SIGNPOST_REPOSITORY_BRANCH": "main",
    "SIGNPOST_PUBLIC_URL": "",  # e.g. https://signpost.example.org, for QR codes and links
}


def create_app(config: dict[str, Any] | None = None) -> Flask:
    """Build the app; ``config`` overrides settings (tests pass a temporary data folder)."""
    app = Flask(__name__, instance_relative_config=False)
    config = dict(config or {})
    settings = Settings.from_env(
        config.pop("SIGNPOST_DATA", None), config.pop("SIGNPOST_INDEX", None)
    )
    app.config.update(SIGNPOST_SETTINGS=settings, **SITE_DEFAULTS)
    app.config.from_prefixed_env("SIGNPOST")
    # Branding and contact settings keep their SIGNPOST_ names (from_prefixed_env strips it).
    app.config.update({key: os.environ[key] for key in SITE_DEFAULTS if os.environ.get(key)})
    app.config.update(config)
    app.extensions["signpost.live"] = LiveDirectory(settings, config.get("SIGNPOST_GAZETTEER"))

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
    def not_found(_error: Exception):
        return render_template("errors/404.html"), 404

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        # Any other refusal (400, 403, 405...) in the site's design, never a bare page.
        # A 405 keeps its Allow header (RFC 9110 requires it).
        allow = {name: value for name, value in error.get_headers() if name.lower() == "allow"}
        return render_template("errors/error.html", error=error), error.code or 500, allow

    @app.errorhandler(NoIndex)
    def no_index(_error: NoIndex):
        return render_template("errors/no-index.html"), 503

    @app.errorhandler(500)
    def server_error(_error: Exception):
        return render_template("errors/500.html"), 500

    @app.context_processor
    def branding() -> dict[str, Any]:
        logo = str(app.config.get("SIGNPOST_LOGO") or "").strip()
        return {
            "service_name": app.config["SIGNPOST_SERVICE_NAME"],
            "organisation_name": app.config["SIGNPOST_ORGANISATION_NAME"],
            "nhs_logo": logo.lower() == "nhs",
            "logo_src": "" if logo.lower() in ("", "nhs", "none") else logo,
            "report_email": app.config.get("SIGNPOST_DIRECTORY_EMAIL")
            or app.config["SIGNPOST_REPORT_EMAIL"],
            "repository_url": app.config["SIGNPOST_REPOSITORY_URL"],
        }

    return app
