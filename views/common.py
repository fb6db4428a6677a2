"""Small helpers every site view shares: the live directory, the clock, absolute URLs."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from flask import Flask, current_app, url_for

from directory.settings import Settings
from search.engine import LONDON
from search.live import LiveDirectory


def live() -> LiveDirectory:
    found: LiveDirectory = current_app.extensions["signpost.live"]
    return found


def now() -> datetime:
    """Local time in the UK; tests fix it with ``SIGNPOST_CLOCK`` (a function) for stable days."""
    clock: Callable[[], datetime] | None = current_app.config.get("SIGNPOST_CLOCK")
    return clock() if clock else datetime.now(LONDON)


def public_url(endpoint: str, **values: Any) -> str:
    """An absolute URL for a QR code or a message: behind a proxy, set SIGNPOST_PUBLIC_URL."""
    base = settings().site.public_url.rstrip("/")
    if base:
        return base + url_for(endpoint, **values)
    return url_for(endpoint, _external=True, **values)


def settings(app: Flask | None = None) -> Settings:
    """The deployment's settings, read once by ``create_app`` (never the environment).

    ``app`` is for set-up code that runs outside a request (``current_app`` otherwise).
    """
    found: Settings = (app or current_app).config["SIGNPOST_SETTINGS"]
    return found
