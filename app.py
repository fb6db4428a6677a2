"""The Signpost web application: ``create_app()`` wires settings, blueprints and errors.

Views are thin: they parse the request and call the same ``directory``/``search`` functions
that the command line uses.
"""

from __future__ import annotations

from typing import Any

from flask import Flask, render_template

from directory.settings import Settings
from search.engine import NoIndex
from search.live import LiveDirectory


def create_app(config: dict[str, Any] | None = None) -> Flask:
    """Build the app; ``config`` overrides settings (tests pass a temporary data folder)."""
    app = Flask(__name__, instance_relative_config=False)
    config = dict(config or {})
    settings = Settings.from_env(
        config.pop("SIGNPOST_DATA", None), config.pop("SIGNPOST_INDEX", None)
    )
    app.config.update(
        SIGNPOST_SETTINGS=settings,
        SIGNPOST_SERVICE_NAME="Signpost",
        SIGNPOST_ORGANISATION_NAME="",
    )
    app.config.from_prefixed_env("SIGNPOST")
    app.config.update(config)
    app.extensions["signpost.live"] = LiveDirectory(settings, config.get("SIGNPOST_GAZETTEER"))

    from views import site

    app.register_blueprint(site.bp)

    @app.errorhandler(404)
    def not_found(_error: Exception):
        return render_template("errors/404.html"), 404

    @app.errorhandler(NoIndex)
    def no_index(_error: NoIndex):
        return render_template("errors/no-index.html"), 503

    @app.errorhandler(500)
    def server_error(_error: Exception):
        return render_template("errors/500.html"), 500

    @app.context_processor
    def branding() -> dict[str, Any]:
        return {
            "service_name": app.config["SIGNPOST_SERVICE_NAME"],
            "organisation_name": app.config["SIGNPOST_ORGANISATION_NAME"],
        }

    return app
