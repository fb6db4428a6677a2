"""The shortlist: services picked while searching, kept in the browser and never on the server.

The list lives in one browser-session cookie, ``shortlist``, for one consultation at most
(``views/shortlist_store.py``). Add and remove are small POST forms that redirect back, so they
work without JavaScript; JavaScript only saves the page reload. ``?ids=a,b`` on the shortlist
pages shows a list from a link instead, so a link worker can send or bookmark one.

From the list come the printed handout (with the link worker's note, sent in the form and
never kept), the text for a letter, an email or a text message, and a summary for the
patient's record (``views/record.py``).

CSRF: a forged POST can at worst add or remove a public service id. Even so, cross-site
POSTs are refused (Origin / Sec-Fetch-Site) and the cookie is SameSite=Lax.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast
from urllib.parse import urlsplit

import segno
from flask import (
    Blueprint,
    Flask,
    Response,
    abort,
    current_app,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask.blueprints import BlueprintSetupState
from markupsafe import Markup, escape
from werkzeug.wrappers import Response as BaseResponse

from directory import wording
from directory.model import Listing
from directory.validation import ID_PATTERN
from views.common import live, now, public_url
from views.handout_note import Note, parse_note, print_size
from views.insights import count_listings
from views.present import phone_href, summarise
from views.record import configured_codes, needs_of, summary_data, summary_text
from views.shortlist_store import (
    MAX_ITEMS,
    clear_expired,
    clears_at,
    cookie_ids,
    describe_minutes,
    max_minutes,
    max_minutes_setting,
    parse_ids,
    store,
)
from views.shortlist_text import (
    Entry,
    brief,
    describe_segments,
    how_to_start_short,
    mailto,
    make_entry,
    normal_code,
    plain_text,
    short_code,
    sms_segments,
    sms_text,
    when_lines,
    where_lines,
)

bp = Blueprint("shortlist", __name__, url_prefix="/shortlist")
HANDOUT_PLACES = 3  # venues printed in full; more are on the service's page
HANDOUT_ABOUT = 160  # characters of the description on paper; the QR code has the rest


@bp.record_once
def _set_up(state: BlueprintSetupState) -> None:
    """Check the settings when the app starts (a bad value stops it with a clear message),
    and add the short links (``/s/<code>``) that text messages use."""
    app = cast(Flask, state.app)  # typed as Flask's base App; a Flask app at run time
    max_minutes_setting(app)
    configured_codes(app)
    app.add_url_rule("/s/<code>", "short_link", short_link)
    app.after_request(clear_expired)


@bp.after_request
def _not_kept(response: Response) -> Response:
    """Shortlist pages name the services chosen, and the handout may carry the link worker's
    note: a shared computer's browser must not keep a copy on disk or in its history cache."""
    response.headers["Cache-Control"] = "no-store"
    return response


def current_ids() -> tuple[list[str], bool]:
    """The ids to show, and whether they came from a shared link (``?ids=``)."""
    if "ids" in request.args:
        return parse_ids(request.args.get("ids")), True
    return cookie_ids(), False


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


def _change(add: bool) -> BaseResponse:
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
    response: BaseResponse
    if wants_json():
        response = jsonify(
            {"ids": ids, "count": len(ids), "in_shortlist": add and not full, "full": full}
        )
    else:
        target = safe_next(request.form.get("next"), url_for("shortlist.show"))
        response = redirect(target, code=303)
    return store(response, ids)


@bp.post("/add")
def add() -> BaseResponse:
    return _change(add=True)


@bp.post("/remove")
def remove() -> BaseResponse:
    return _change(add=False)


@bp.post("/clear")
def clear() -> BaseResponse:
    """Clear the list; "Finish and clear the list" then says the computer is ready."""
    if not same_site_request():
        abort(403)
    finished = request.form.get("finish") == "1"
    target = url_for("shortlist.show", finished=1) if finished else url_for("shortlist.show")
    return store(redirect(target, code=303), [])


@bp.post("/keep")
def keep() -> BaseResponse:
    """Make a shared list (``?ids=``) this browser's own shortlist, as a new list."""
    if not same_site_request():
        abort(403)
    ids = [i for i in parse_ids(request.form.get("ids")) if live().listing(i) is not None]
    return store(redirect(url_for("shortlist.show"), code=303), ids, new=True)


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


def _entries(listings: list[Listing], moment: datetime) -> list[Entry]:
    stale_months = current_app.config["SIGNPOST_SETTINGS"].stale_months
    return [
        make_entry(
            listing,
            moment,
            stale_months,
            public_url("site.service", listing_id=listing.id),
            public_url("short_link", code=short_code(listing.id)),
        )
        for listing in listings
    ]


def _show(
    note: Note | None = None, errors: list[dict[str, str]] | None = None, size: str = "large"
) -> str:
    ids, shared = current_ids()
    listings, missing = _listings(ids)
    directory = live()
    moment = now()
    months = current_app.config["SIGNPOST_SETTINGS"].stale_months
    summaries = [
        summarise(item, directory.vocabulary, moment, stale_months=months) for item in listings
    ]
    share_ids = _ids_query(listings)
    ends = None if shared else clears_at()
    return render_template(
        "shortlist.html",
        summaries=summaries,
        missing=missing,
        shared=shared,
        share_ids=share_ids,
        share_url=public_url("shortlist.show", ids=share_ids) if listings else "",
        in_cookie=set(cookie_ids()),
        note=note or Note(),
        errors=errors or [],
        size=size,
        finished=request.args.get("finished") == "1" and not listings,
        keep_for=describe_minutes(max_minutes()),
        clears_at=wording.clock(f"{ends:%H:%M}") if ends else "",
    )


@bp.get("/")
def show() -> str:
    return _show()


@bp.route("/handout", methods=["GET", "POST"])
def handout() -> str | tuple[str, int]:
    """The printable handout. A POST carries the link worker's note, shown on this page only."""
    note = Note()
    source = request.args
    if request.method == "POST":
        if not same_site_request():
            abort(403)
        note, errors = parse_note(request.form)
        if errors:
            size = print_size(request.form.get("print"))
            return _show(note, errors, size), 400
        source = request.form
    size = print_size(source.get("print"))
    ids, shared = current_ids()
    listings, missing = _listings(ids)
    count_listings([listing.id for listing in listings], "handout")
    moment = now()
    items = []
    for entry in _entries(listings, moment):
        listing = entry.listing
        where = where_lines(listing)
        items.append(
            {
                "entry": entry,
                "about": brief(listing.description, HANDOUT_ABOUT),
                "when": when_lines(listing),
                "where": where[:HANDOUT_PLACES],
                "more_places": max(len(where) - HANDOUT_PLACES, 0),
                "start": how_to_start_short(listing),
                "url": entry.url,
                # The short link makes a smaller QR code, easier to scan from paper.
                "qr": qr_svg(entry.short_url, f"QR code: opens the {listing.name} page"),
            }
        )
    return render_template(
        "handout.html",
        items=items,
        missing=missing,
        shared=shared,
        share_ids=_ids_query(listings),
        made=wording.describe_date(moment.date()),
        note=note,
        size=size,
    )


@bp.get("/text")
def text() -> str:
    ids, shared = current_ids()
    listings, missing = _listings(ids)
    count_listings([listing.id for listing in listings], "handout")
    moment = now()
    entries = _entries(listings, moment)
    full = plain_text(entries, moment.date())
    short = sms_text(entries)
    return render_template(
        "shortlist-text.html",
        full=full,
        short=short,
        short_cost=describe_segments(sms_segments(short)),
        mailto=mailto(full),
        count=len(listings),
        missing=missing,
        shared=shared,
        share_ids=_ids_query(listings),
    )


@bp.get("/shortlist.txt")
def text_file() -> Response:
    ids, _shared = current_ids()
    listings, _missing = _listings(ids)
    moment = now()
    body = plain_text(_entries(listings, moment), moment.date()) if listings else ""
    response = Response(body or "Your shortlist is empty.\n", mimetype="text/plain")
    response.headers["Content-Disposition"] = 'attachment; filename="shortlist.txt"'
    return response


@dataclass
class Summary:
    entries: list[Entry]
    offered: list[tuple[str, str]]  # every need the listed services meet: (id, label)
    chosen: list[str]  # the needs ticked as discussed
    data: dict[str, Any]
    text: str
    missing: list[str]
    shared: bool


def _summary(chosen: list[str] | None) -> Summary:
    """The record summary; ``chosen`` narrows the needs discussed (None: every need offered)."""
    ids, shared = current_ids()
    listings, missing = _listings(ids)
    moment = now()
    entries = _entries(listings, moment)
    offered = needs_of(entries, live().vocabulary)
    picked = [i for i, _label in offered] if chosen is None else chosen
    needs = [(need, label) for need, label in offered if need in picked]
    codes = configured_codes()
    return Summary(
        entries,
        offered,
        picked,
        summary_data(entries, needs, moment.date(), codes),
        summary_text(entries, needs, moment.date(), codes),
        missing,
        shared,
    )


@bp.route("/summary", methods=["GET", "POST"])
def summary() -> str:
    """The summary for the patient's record, as text to copy. The link worker may untick
    needs that were not talked about (a POST: the choice is not kept either)."""
    chosen = None
    if request.method == "POST":
        if not same_site_request():
            abort(403)
        chosen = request.form.getlist("need")
    found = _summary(chosen)
    return render_template(
        "shortlist-summary.html",
        count=len(found.entries),
        summary=found.text,
        codes=found.data["codes"],
        offered=found.offered,
        chosen=found.chosen,
        missing=found.missing,
        shared=found.shared,
        share_ids=",".join(entry.listing.id for entry in found.entries),
    )


@bp.get("/summary.json")
def summary_json() -> Response | tuple[Response, int]:
    """The same summary as JSON, for a clinical system to read (``?need=`` narrows the needs)."""
    chosen = request.args.getlist("need") or None
    found = _summary(chosen)
    offered = {need for need, _label in found.offered}
    unknown = [need for need in chosen or [] if need not in offered]
    if unknown:
        message = (
            f"need {unknown[0]!r} is not met by any service on this list. "
            f"Choose from: {', '.join(sorted(offered)) or 'none'}."
        )
        return jsonify({"error": {"status": 400, "message": message}}), 400
    response = jsonify({**found.data, "text": found.text, "missing": found.missing})
    response.headers["Cache-Control"] = "no-store"
    return response


_SHORT_CODES: dict[str, dict[str, str]] = {}


def short_link(code: str) -> BaseResponse:
    """``/s/<code>``: the short link in a text message, to a service's page."""
    code = normal_code(code)
    snapshot = live().snapshot()
    codes = _SHORT_CODES.get(snapshot.build_id)
    if codes is None:
        codes = {short_code(listing_id): listing_id for listing_id in snapshot.facets.ids}
        _SHORT_CODES.clear()  # one table, for the build being served
        _SHORT_CODES[snapshot.build_id] = codes
    listing_id = codes.get(code)
    if listing_id is None:
        abort(404)
    return redirect(url_for("site.service", listing_id=listing_id), code=301)


@bp.app_context_processor
def shortlist_helpers() -> dict[str, object]:
    """Every page knows what is on the shortlist, to show "Added" and the header count, and
    how long a list lasts (the privacy notice says so)."""
    return {
        "shortlist_ids": cookie_ids(),
        "phone_href": phone_href,
        "shortlist_keep_for": describe_minutes(max_minutes()),
    }
