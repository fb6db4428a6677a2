"""The shortlist: services picked while searching, kept in the browser and never on the server.

The list lives in one cookie, ``shortlist``, holding only listing ids (like
``margate-mens-shed.hove-memory-singers``): no names, no patient details, nothing that says
who made it. Add and remove are small POST forms that redirect back, so they work without
JavaScript; JavaScript only saves the page reload. ``?ids=a,b`` on the shortlist pages shows
a list from a link instead, so a link worker can send or bookmark one.

CSRF: a forged POST can at worst add or remove a public service id. Even so, cross-site
POSTs are refused (Origin / Sec-Fetch-Site) and the cookie is SameSite=Lax.
"""

from __future__ import annotations

from datetime import datetime
from urllib.parse import urlsplit

import segno
from flask import (
    Blueprint,
    Response,
    abort,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from markupsafe import Markup, escape

from directory import wording
from directory.model import Listing
from directory.schedule import describe_next, next_session
from directory.validate import ID_PATTERN
from views.common import live, now, public_url
from views.insights import count_listings
from views.present import phone_href, summarise

bp = Blueprint("shortlist", __name__, url_prefix="/shortlist")

COOKIE = "shortlist"
MAX_ITEMS = 20
COOKIE_SECONDS = 24 * 60 * 60  # a shared computer forgets the list by the next day


def parse_ids(raw: str | None, separators: str = ".,") -> list[str]:
    """Listing ids from a cookie or ``?ids=``: well-formed, unique, at most MAX_ITEMS."""
    if not raw:
        return []
    text = raw
    for sep in separators[1:]:
        text = text.replace(sep, separators[0])
    found: list[str] = []
    for part in text.split(separators[0]):
        part = part.strip().lower()
        if ID_PATTERN.match(part) and len(part) <= 100 and part not in found:
            found.append(part)
    return found[:MAX_ITEMS]


def cookie_ids() -> list[str]:
    return parse_ids(request.cookies.get(COOKIE))


def current_ids() -> tuple[list[str], bool]:
    """The ids to show, and whether they came from a shared link (``?ids=``)."""
    if "ids" in request.args:
        return parse_ids(request.args.get("ids")), True
    return cookie_ids(), False


def store(response: Response, ids: list[str]) -> Response:
    if ids:
        response.set_cookie(
            COOKIE,
            ".".join(ids[:MAX_ITEMS]),
            max_age=COOKIE_SECONDS,
            httponly=True,
            samesite="Lax",
            secure=request.is_secure,
            path="/",
        )
    else:
        response.delete_cookie(COOKIE, path="/", samesite="Lax", httponly=True)
    return response


def safe_next(target: str | None, fallback: str) -> str:
    """Only a path on this site: never redirect to another site (open redirects)."""
    if not target:
        return fallback
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return fallback
    if "\\" in target or any(ord(ch) < 32 for ch in target):
        return fallback
    return target


def same_site_request() -> bool:
    """Refuse a POST sent from another website (a simple guard against CSRF)."""
    fetch_site = request.headers.get("Sec-Fetch-Site")
    if fetch_site and fetch_site not in ("same-origin", "none"):
        return False
    origin = request.headers.get("Origin")
    if origin and origin != "null":
        return urlsplit(origin).netloc == request.host
    return True


def wants_json() -> bool:
    best = request.accept_mimetypes.best_match(["application/json", "text/html"])
    return (
        best == "application/json"
        and request.accept_mimetypes[best] > (request.accept_mimetypes["text/html"])
    )


def _change(add: bool) -> Response:
    if not same_site_request():
        abort(403)
    listing_id = (request.form.get("id") or "").strip().lower()
    if not ID_PATTERN.match(listing_id) or live().listing(listing_id) is None:
        abort(404)
    ids = [item for item in cookie_ids() if item != listing_id]
    full = False
    if add:
        if len(ids) >= MAX_ITEMS:
            full = True
        else:
            ids.append(listing_id)
            if listing_id not in cookie_ids():  # a first add, not a repeat
                count_listings([listing_id], "shortlisted")
    if wants_json():
        response = jsonify(
            {"ids": ids, "count": len(ids), "in_shortlist": add and not full, "full": full}
        )
    else:
        target = safe_next(request.form.get("next"), url_for("shortlist.show"))
        response = redirect(target, code=303)
    return store(response, ids)


@bp.post("/add")
def add() -> Response:
    return _change(add=True)


@bp.post("/remove")
def remove() -> Response:
    return _change(add=False)


@bp.post("/clear")
def clear() -> Response:
    if not same_site_request():
        abort(403)
    return store(redirect(url_for("shortlist.show"), code=303), [])


@bp.post("/keep")
def keep() -> Response:
    """Make a shared list (``?ids=``) this browser's own shortlist."""
    if not same_site_request():
        abort(403)
    ids = [i for i in parse_ids(request.form.get("ids")) if live().listing(i) is not None]
    return store(redirect(url_for("shortlist.show"), code=303), ids)


def _listings(ids: list[str]) -> tuple[list[Listing], list[str]]:
    """Listings still in the directory, and the ids that are no longer there."""
    directory = live()
    snapshot = directory.snapshot()
    found, missing = [], []
    for listing_id in ids:
        listing = directory.listing(listing_id, snapshot=snapshot)
        if listing is None:
            missing.append(listing_id)
        else:
            found.append(listing)
    return found, missing


def qr_svg(url: str, label: str) -> Markup:
    """An inline SVG QR code for ``url``: no image request, prints sharply at any size."""
    code = segno.make(url, error="m")
    svg = code.svg_inline(scale=1, omitsize=True, svgclass="sp-qr__code", lineclass=None)
    svg = svg.replace("<svg ", f'<svg role="img" aria-label="{escape(label)}" ', 1)
    return Markup(svg)  # noqa: S704 - segno's own output, with an escaped label


def _ids_query(listings: list[Listing]) -> str:
    return ",".join(listing.id for listing in listings)


@bp.get("/")
def show() -> str:
    ids, shared = current_ids()
    listings, missing = _listings(ids)
    directory = live()
    moment = now()
    summaries = [summarise(item, directory.vocabulary, moment) for item in listings]
    share_ids = _ids_query(listings)
    return render_template(
        "shortlist.html",
        summaries=summaries,
        missing=missing,
        shared=shared,
        share_ids=share_ids,
        share_url=public_url("shortlist.show", ids=share_ids) if listings else "",
        in_cookie=set(cookie_ids()),
    )


@bp.get("/handout")
def handout() -> str:
    ids, shared = current_ids()
    listings, missing = _listings(ids)
    count_listings([listing.id for listing in listings], "handout")
    moment = now()
    directory = live()
    items = []
    for listing in listings:
        page = public_url("site.service", listing_id=listing.id)
        items.append(
            {
                "summary": summarise(listing, directory.vocabulary, moment),
                "when": wording.describe_schedule(listing),
                "next": describe_next(next_session(listing, moment), moment),
                "url": page,
                "qr": qr_svg(page, f"QR code: opens the {listing.name} page"),
            }
        )
    return render_template(
        "handout.html",
        items=items,
        missing=missing,
        shared=shared,
        share_ids=_ids_query(listings),
        made=wording.describe_date(moment.date()),
    )


def plain_text(listings: list[Listing], moment: datetime, *, short: bool = False) -> str:
    """The shortlist as plain text for an email or letter, or a short text message."""
    lines: list[str] = []
    if not short:
        lines += ["Groups and services that may help you", ""]
    for number, listing in enumerate(listings, start=1):
        page = public_url("site.service", listing_id=listing.id)
        upcoming = describe_next(next_session(listing, moment), moment)
        if short:
            parts = [listing.name]
            if upcoming:
                parts.append(f"Next: {upcoming}")
            if listing.contact.phone:
                parts.append(f"Phone {listing.contact.phone}")
            parts.append(page)
            lines.append(". ".join(parts))
            continue
        lines.append(f"{number}. {listing.name}")
        lines.append(f"Run by: {listing.organisation}")
        lines.append(f"What it is: {' '.join(listing.description.split())}")
        for when in wording.describe_schedule(listing):
            lines.append(f"When: {when}")
        if upcoming:
            lines.append(f"Next time: {upcoming}")
        for location in listing.locations:
            lines.append(f"Where: {location.name}, {location.address}, {location.postcode}")
        if not listing.locations and wording.describe_remote(listing):
            lines.append(f"Where: {wording.describe_remote(listing)}")
        lines.append(f"Cost: {wording.describe_cost_in_full(listing.cost)}")
        start = "; ".join(wording.describe_routes(listing))
        lines.append(f"How to start: {start}. {listing.access.how_to_access}".strip())
        if listing.contact.phone:
            lines.append(f"Phone: {listing.contact.phone}")
        if listing.contact.email:
            lines.append(f"Email: {listing.contact.email}")
        if listing.contact.website:
            lines.append(f"Website: {listing.contact.website}")
        lines.append(f"More details: {page}")
        lines.append("")
    return "\n".join(lines).strip() + "\n"


@bp.get("/text")
def text() -> str:
    ids, shared = current_ids()
    listings, missing = _listings(ids)
    count_listings([listing.id for listing in listings], "handout")
    moment = now()
    return render_template(
        "shortlist-text.html",
        full=plain_text(listings, moment),
        short=plain_text(listings, moment, short=True),
        count=len(listings),
        missing=missing,
        shared=shared,
        share_ids=_ids_query(listings),
    )


@bp.get("/shortlist.txt")
def text_file() -> Response:
    ids, _shared = current_ids()
    listings, _missing = _listings(ids)
    body = plain_text(listings, now()) if listings else "Your shortlist is empty.\n"
    response = Response(body, mimetype="text/plain")
    response.headers["Content-Disposition"] = 'attachment; filename="shortlist.txt"'
    return response


@bp.app_context_processor
def shortlist_helpers() -> dict[str, object]:
    """Every page knows what is on the shortlist, to show "Added" and the header count."""
    return {"shortlist_ids": cookie_ids(), "phone_href": phone_href}
