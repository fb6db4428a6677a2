"""The public site's pages. Views only translate HTTP into calls to ``directory``."""

from __future__ import annotations

from collections import defaultdict

from flask import Blueprint, abort, current_app, render_template

from directory import wording
from directory.languages import language_name
from directory.model import ACCESSIBILITY
from search.live import LiveDirectory

bp = Blueprint("site", __name__)


def live() -> LiveDirectory:
    return current_app.extensions["signpost.live"]


@bp.app_context_processor
def helpers() -> dict:
    return {
        "wording": wording,
        "accessibility_labels": ACCESSIBILITY,
        "language_name": language_name,
    }


@bp.get("/")
def index():
    directory = live()
    by_area = defaultdict(list)
    for listing in directory.listings():
        if listing.status != "closed":
            by_area[listing.area].append(listing)
    return render_template(
        "index.html", areas=dict(sorted(by_area.items())), vocabulary=directory.vocabulary
    )


@bp.get("/services/<listing_id>")
def service(listing_id: str):
    directory = live()
    listing = directory.listing(listing_id)
    if listing is None:
        abort(404)
    return render_template("service.html", listing=listing, vocabulary=directory.vocabulary)
