"""The public site's pages. Views only translate HTTP into calls to ``directory``/``search``.

Every page works without JavaScript: searches and filters are GET forms (so every search is
a link that can be shared), the shortlist is POST forms that redirect back. ``init_app``
wires the NHS.UK frontend Jinja macros, cache headers for static files and the blueprints.
"""

from __future__ import annotations

import os
from typing import Any

from flask import (
    Blueprint,
    Flask,
    abort,
    render_template,
    request,
    url_for,
)
from jinja2 import ChainableUndefined, ChoiceLoader, FileSystemLoader, PackageLoader
from werkzeug.datastructures import MultiDict

from directory import wording
from directory.languages import language_name
from directory.model import ACCESSIBILITY, Listing
from directory.places import ATTRIBUTION
from directory.schedule import describe_next, next_session
from directory.serialise import listing_from_dict
from search.coverage import describe_coverage
from search.crisis import urgent_panel
from search.request import FILTERS, parse_request
from views import contribute, coverage, present, rendering, search_page
from views.common import live, now, public_url, settings
from views.insights import count_listings, count_search
from views.shortlist_store import cookie_ids

bp = Blueprint("site", __name__)

STATIC_MAX_AGE = 365 * 24 * 60 * 60  # versioned asset URLs never change content
SEARCH_KEYS = ("q", "near", *FILTERS)


def init_app(app: Flask) -> None:
    """Set up templates, static caching and the site's blueprints on ``app``."""
    # nhsuk-frontend-jinja's macros read optional parameters as chains (params.a.b), which
    # needs ChainableUndefined; its templates come from the installed package.
    # Autoescape everything: Flask's default escapes only *.html, and the macros are *.jinja.
    app.jinja_options = {
        **app.jinja_options,
        "undefined": ChainableUndefined,
        "autoescape": True,
    }
    app.jinja_loader = ChoiceLoader(
        [
            FileSystemLoader(os.path.join(app.root_path, app.template_folder or "templates")),
            PackageLoader("nhsuk_frontend_jinja"),
        ]
    )

    def get_send_file_max_age(filename: str | None) -> int | None:
        # Asset URLs made by asset_url() carry ?v=<hash of the file>, so the browser can
        # keep them for a year; anything else is checked with the server each time.
        return STATIC_MAX_AGE if request.args.get("v") else None

    app.get_send_file_max_age = get_send_file_max_age  # type: ignore[method-assign]

    from views import shortlist

    app.register_blueprint(bp)
    app.register_blueprint(shortlist.bp)
    contribute.init_app(app)
    app.register_blueprint(coverage.bp)
    rendering.init_app(app)


@bp.app_context_processor
def helpers() -> dict[str, Any]:
    return {
        "wording": wording,
        "accessibility_labels": ACCESSIBILITY,
        "language_name": language_name,
        "data_attribution": ATTRIBUTION,
        "is_web_url": is_web_url,
    }


def is_web_url(url: str) -> bool:
    """Only http(s) links reach a page: a listing can never smuggle in a javascript: URL."""
    return url.lower().startswith(("https://", "http://"))


# ---- Search ---------------------------------------------------------------------------------


def example_searches(limit: int = 4) -> list[dict[str, str]]:
    """Example searches that find something in this directory: an everyday phrase for one
    of the commonest needs, near a town where a service for it meets (once per build)."""
    return live().snapshot().derived(f"site-examples-{limit}", lambda _: _examples(limit))


def _examples(limit: int) -> list[dict[str, str]]:
    """Walks the facet table, decoding only the listings it picks: decoding every listing to
    choose four examples held ~400 MB per worker at 100,000 listings."""
    directory = live()
    snapshot = directory.snapshot()
    table = snapshot.facets
    vocab = directory.vocabulary
    counts = directory.need_counts(snapshot=snapshot)
    area_of = {doc: area for area, docs in table.sets.get("area", {}).items() for doc in docs}
    active = table.docs("status", "active")
    found: list[dict[str, str]] = []
    used_areas: set[str] = set()
    for need_id in sorted(counts, key=lambda need: (-counts[need], need)):
        need = vocab.needs.get(need_id)
        if need is None:
            continue
        text = (need.phrases or need.words or (need.label.lower(),))[0]
        candidates = sorted(
            (doc for doc in table.docs("need", need_id) & active if table.points[doc]),
            key=lambda doc: (area_of.get(doc, ""), table.names[doc], table.ids[doc]),
        )
        for doc in candidates:
            if area_of.get(doc, "") in used_areas and len(used_areas) < 3:
                continue
            place = _friendly_place(listing_from_dict(snapshot.payload(doc)))
            found.append({"q": text, "near": place, "label": f"{text} near {place}"})
            used_areas.add(area_of.get(doc, ""))
            break
        if len(found) >= limit:
            break
    return found


def _friendly_place(listing: Listing) -> str:
    """A town the gazetteer knows, else the postcode district ('CT9')."""
    location = listing.locations[0]
    town = present.town_of(location)
    if town and live().gazetteer.resolve(town) is not None:
        return town
    return location.postcode.split()[0] if " " in location.postcode else location.postcode


def render_search(
    args: MultiDict[str, str], *, need_page: str | None = None
) -> str | tuple[str, int]:
    """Run the search in ``args`` and render the results page (400 for bad parameters)."""
    directory = live()
    vocab = directory.vocabulary
    parsed = parse_request(args, tuple(vocab.needs))
    pairs = present.query_pairs(args)
    searched = any(key in args and any(v.strip() for v in args.getlist(key)) for key in SEARCH_KEYS)
    base = url_for("site.index")
    context: dict[str, Any] = {
        "pairs": pairs,
        "searched": searched,
        "need_page": vocab.needs.get(need_page) if need_page else None,
        "examples": example_searches(),
        "base": base,
        "q": (args.get("q") or "")[:200],
        "near": (args.get("near") or "")[:100],
    }
    if parsed.errors:
        # A crisis named in a search with a bad filter still gets urgent help first.
        place = directory.gazetteer.resolve(parsed.request.near) if parsed.request.near else None
        context["urgent"] = urgent_panel(
            parsed.request.text, directory.urgent_help, vocab, place.country if place else ""
        )
        context["errors"] = present.friendly_errors(parsed.errors)
        # One message a parameter (friendly_errors keeps the first), shown beside its field.
        context["field_errors"] = {error["param"]: error["text"] for error in context["errors"]}
        filters = present.build_filters(None, parsed.request, pairs, vocab)
        context["filters"] = filters
        context["filter_form"] = search_page.filter_form(
            filters,
            context["field_errors"],
            with_place=bool(context["near"]),
            radius_choices=present.RADIUS_CHOICES,
        )
        return render_template("index.html", response=None, **context), 400

    moment = now()
    response = directory.search(parsed.request, now=moment)
    count_search(response, "site")
    filters = present.build_filters(response, parsed.request, pairs, vocab)
    stale_months = directory.settings.stale_months
    context.update(
        response=response,
        urgent=response.urgent,
        results=search_page.cards(
            (present.summarise_hit(hit, vocab, moment, stale_months) for hit in response.hits),
            url_for("site.service", listing_id="-")[:-1],
            request.full_path.rstrip("?"),
            cookie_ids(),
        ),
        filters=filters,
        field_errors={},
        filter_form=search_page.filter_form(
            filters,
            {},
            with_place=bool(context["near"] and response.place),
            radius_choices=present.RADIUS_CHOICES,
        ),
        shortlist_add=url_for("shortlist.add"),
        shortlist_remove=url_for("shortlist.remove"),
        pagination=present.build_pagination(response, pairs),
        wider=[
            (option, base + present.wider_link(pairs, option.changes)) for option in response.wider
        ],
        suggestion_links=[
            (name, base + "?" + present.change_query(pairs, set_={"near": name}))
            for name in response.place_suggestions
        ],
        corrected_link=(
            base + "?" + present.change_query(pairs, set_={"q": response.did_you_mean})
            if response.did_you_mean
            else None
        ),
        search_instead_link=(
            base
            + "?"
            + present.change_query(pairs, set_={"q": response.search_instead, "exact": "true"})
            if response.search_instead
            else None
        ),
        stated_needs=[vocab.need_label(need) for need in response.interpretation.stated_needs],
        # "No diabetes group meets on Tuesday." with a link that lifts that filter.
        missing=[
            (item, base + present.wider_link(pairs, item.changes) if item.changes else None)
            for item in response.missing
        ],
        covered=describe_coverage(response.covered_areas),
        page_missing=parsed.request.page > response.pages,
        first_page=base + "?" + present.change_query(pairs),
    )
    return render_template("index.html", **context)


@bp.get("/")
def index() -> str | tuple[str, int]:
    return render_search(request.args.copy())


@bp.get("/needs")
def needs() -> str:
    directory = live()
    counts = directory.need_counts()
    categories = present.need_categories(directory.vocabulary, counts)
    base = url_for("site.need", need_id="-")[:-1]
    return render_template(
        "needs.html",
        categories=categories,
        links={
            need.id: search_page.under(base, need.id)
            for category in categories
            for need in category.needs
        },
    )


@bp.get("/needs/<need_id>")
def need(need_id: str) -> str | tuple[str, int]:
    vocab = live().vocabulary
    if need_id not in vocab.needs:
        abort(404)
    args = request.args.copy()
    if need_id not in args.getlist("need"):
        args.add("need", need_id)
    return render_search(args, need_page=need_id)


# ---- One service ------------------------------------------------------------------------------


@bp.get("/services/<listing_id>")
def service(listing_id: str) -> str:
    directory = live()
    listing = directory.listing(listing_id)
    if listing is None:
        abort(404)
    moment = now()
    count_listings([listing.id], "opened")
    site = settings().site
    page_url = public_url("site.service", listing_id=listing.id)
    report = present.report_links(
        listing,
        page_url,
        site.repository_url,
        contribute.directory_email(),  # the directory team, never the group itself
        site.repository_branch,
    )
    locations = [
        {
            "location": location,
            "features": present.features_of(listing, location),
            "maps": present.map_links(location),
        }
        for location in listing.locations
    ]
    need_base = url_for("site.need", need_id="-")[:-1]
    return render_template(
        "service.html",
        listing=listing,
        need_links={need: search_page.under(need_base, need) for need in listing.needs},
        vocabulary=directory.vocabulary,
        summary=present.summarise(
            listing, directory.vocabulary, moment, stale_months=directory.settings.stale_months
        ),
        next_words=describe_next(next_session(listing, moment), moment),
        schedule=wording.describe_schedule(listing),
        locations=locations,
        report=report,
        back=_back_link(),
        map_tiles=tile_template(site.map_tiles),
        ages=wording.describe_ages(listing.who_for),
        groups=[directory.vocabulary.group_label(group) for group in listing.who_for.groups],
    )


def tile_template(setting: str) -> str:
    """Map tile URLs from SIGNPOST_MAP_TILES (an origin the Content-Security-Policy allows,
    like https://tile.openstreetmap.org); empty means no small map, only map links."""
    origin = setting.strip().rstrip("/")
    if not origin.startswith("https://"):
        return ""
    return origin + "/{z}/{x}/{y}.png"


def _back_link() -> str:
    """Back to the search that led here (same site only), else to the home page."""
    referrer = request.referrer or ""
    root = request.host_url.rstrip("/")
    if referrer.startswith(root + "/"):
        path = referrer[len(root) :]
        if path == "/" or path.startswith(("/?", "/needs", "/shortlist")):
            return path
    return url_for("site.index")


# ---- Information pages ------------------------------------------------------------------------

PAGES = {
    "about": "pages/about.html",
    "accessibility": "pages/accessibility.html",
    "privacy": "pages/privacy.html",
    "data-sources": "pages/data-sources.html",
}


@bp.get("/about")
def about() -> str:
    return render_template(PAGES["about"])


@bp.get("/accessibility")
def accessibility() -> str:
    return render_template(PAGES["accessibility"])


@bp.get("/privacy")
def privacy() -> str:
    return render_template(PAGES["privacy"])


@bp.get("/urgent-help")
def urgent_help() -> str:
    """Every urgent help number, by nation: the "Need help now?" link on every page."""
    found = live().urgent_help
    return render_template(
        "pages/urgent-help.html",
        groups=found.groups(),
        lines=found.lines,
        last_reviewed=found.last_reviewed,
    )


@bp.get("/data-sources")
def data_sources() -> str:
    # The build's own count: decoding every listing to count them took 1.6-2.5 s at 10,000.
    return render_template(PAGES["data-sources"], listing_count=live().snapshot().count)
