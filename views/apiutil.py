"""Small helpers shared by the v1 API and the Open Referral UK endpoints."""

from __future__ import annotations

import difflib
import json
from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Any

from flask import Response, current_app, request, url_for

from search.engine import LONDON
from search.live import LiveDirectory
from views.errors import ApiError


def live() -> LiveDirectory:
    found: LiveDirectory = current_app.extensions["signpost.live"]
    return found


def now() -> datetime:
    """The time searches are run at: UK local time (tests may fix it with SIGNPOST_CLOCK)."""
    clock: Callable[[], datetime] | None = current_app.config.get("SIGNPOST_CLOCK")
    return clock() if clock else datetime.now(LONDON)


def json_response(data: Any, status: int = 200) -> Response:
    return Response(
        json.dumps(data, ensure_ascii=False, separators=(",", ":")),
        status=status,
        mimetype="application/json",
    )


def reject_unknown(names: Iterable[str], known: Iterable[str]) -> None:
    """A misspelt parameter is a 400, not silently ignored (``radious=2`` would mislead).

    Parameters starting with ``_`` are ignored: some HTTP libraries add ``_=<time>`` to
    defeat caches.
    """
    known = list(known)
    for name in names:
        if name in known or name.startswith("_"):
            continue
        guess = difflib.get_close_matches(name, known, n=1, cutoff=0.6)
        hint = f" Did you mean '{guess[0]}'?" if guess else ""
        raise ApiError(
            400,
            f"Unknown parameter '{name[:60]}'.{hint}",
            code="unknown-parameter",
            parameter=name[:60],
            allowed=", ".join(known) if known else "no parameters",
        )


def site_root() -> str:
    """The public site's root for links: SIGNPOST_PUBLIC_URL when set, else this host."""
    public = str(current_app.config["SIGNPOST_SETTINGS"].site.public_url)
    return public.rstrip("/") or request.url_root.rstrip("/")


def absolute(endpoint: str, **values: Any) -> str:
    """An absolute link to ``endpoint``, on the public address when one is configured."""
    path = url_for(endpoint, **values)
    script = request.script_root
    if script and path.startswith(script):
        path = path[len(script) :]
    return site_root() + path
