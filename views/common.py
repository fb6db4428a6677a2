"""Small helpers every site view shares: the live directory, the clock, absolute URLs."""

from __future__ import annotations

import os
from collections.abc import Callable
from datetime import datetime

from flask import Flask, current_app, url_for

from search.engine import LONDON
from search.live import LiveDirectory


def live() -> LiveDirectory:
    return current_app.extensions["signpost.live"]


def now() -> datetime:
    """Local time in the UK; tests fix it with ``SIGNPOST_CLOCK`` (a function) for stable days."""
    clock: Callable[[], datetime] | None = current_app.config.get("SIGNPOST_CLOCK")
    return clock() if clock else datetime.now(LONDON)


def public_url(endpoint: str, **values: object) -> str:
    """An absolute URL for a QR code or a message: behind a proxy, set SIGNPOST_PUBLIC_URL."""
    base = str(current_app.config.get("SIGNPOST_PUBLIC_URL") or "").rstrip("/")
    if base:
        return base + url_for(endpoint, **values)
    return url_for(endpoint, _external=True, **values)


def setting(name: str, app: Flask | None = None) -> str:
    """A deployment setting from the app's config (tests) or the environment variable.

    ``app`` is for set-up code that runs outside a request (``current_app`` otherwise).
    """
    config = (app or current_app).config
    return str(config.get(name) or os.environ.get(name) or "").strip()
