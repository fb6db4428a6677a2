"""Reading an Open Referral UK / HSDS document: where its services are, and their text.

Feeds come in several shapes (an API page, a list of services, one service, an object with
services, organisations and locations side by side) and allow HTML in any text field, while
listings are plain text: every value read from a feed goes through :func:`plain`.
"""

from __future__ import annotations

import html
import re
import unicodedata
from typing import Any

import nh3

_BLOCK_TAG = re.compile(r"</?(p|br|div|li|ul|ol|h[1-6]|tr)\b[^>]*>", re.IGNORECASE)


class NotHSDSError(ValueError):
    """The file is not an HSDS services document at all; the message says what it is."""


def services_in(document: Any) -> tuple[list[Any], dict[str, Any], dict[str, Any]]:
    """The services in an HSDS document, and any top-level organisations and locations by id.

    Accepts the shapes feeds come in: a page (``contents``), a list of services, a single
    service, or an object with ``services`` (plus ``organizations`` and ``locations``).
    """
    organisations: dict[str, Any] = {}
    locations: dict[str, Any] = {}
    if isinstance(document, list):
        return document, organisations, locations
    if not isinstance(document, dict):
        raise NotHSDSError(
            "This is not Open Referral UK / HSDS data: expected a JSON object or list of services."
        )
    for item in document.get("organizations") or []:
        if isinstance(item, dict) and item.get("id"):
            organisations[str(item["id"])] = item
    for item in document.get("locations") or []:
        if isinstance(item, dict) and item.get("id"):
            locations[str(item["id"])] = item
    for key in ("contents", "services", "items", "data"):
        if isinstance(document.get(key), list):
            return document[key], organisations, locations
    if "name" in document and ("id" in document or "status" in document):
        return [document], organisations, locations
    raise NotHSDSError(
        "No services found: expected a page with 'contents', an object with 'services', a "
        "list of services or one service (Open Referral UK / HSDS 3.0 JSON)."
    )


def plain(value: Any) -> str:
    """Text without HTML tags or entities, on one line (HSDS allows HTML; listings do not)."""
    if value is None or isinstance(value, (dict, list, bool)):
        return ""
    text = _BLOCK_TAG.sub(" ", str(value))  # a paragraph or line break is a space
    # nh3 (Ammonia) parses HTML as browsers do: tags go, script contents go, and a bare "<"
    # stays text ("ages 5 < 10 and > 3" kept whole; a regex took "< 10 and >" for a tag).
    text = html.unescape(nh3.clean(text, tags=set()))
    return " ".join(text.split())


def records(value: Any) -> list[dict[str, Any]]:
    """The objects in an HSDS list field; anything else there (or no list) is ignored."""
    return [item for item in value if isinstance(item, dict)] if isinstance(value, list) else []


def slug(text: str, limit: int = 60) -> str:
    """'Tea and Talk Café' -> 'tea-and-talk-cafe': a listing id from a name."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    found = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower().replace("'", "")).strip("-")
    if len(found) > limit:
        found = found[:limit].rsplit("-", 1)[0]
    return found or "imported-service"


def sentence_cut(text: str, limit: int) -> str:
    """Text cut to ``limit`` characters at a sentence end if one is near, else at a word."""
    if len(text) <= limit:
        return text
    cut = text[:limit]
    end = cut.rfind(". ")
    return cut[: end + 1] if end > limit // 2 else cut.rsplit(" ", 1)[0]
