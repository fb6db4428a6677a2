"""The public site's pages. Views only translate HTTP into calls to ``directory``."""

from __future__ import annotations

from collections import defaultdict

from flask import Blueprint, abort, current_app, render_template

from directory import wording
from directory.catalogue import Catalogue
from directory.languages import language_name
from directory.model import ACCESSIBILITY

bp = Blueprint("site", __name__)


def catalogue() -> Catalogue:
    return current_app.extensions["signpost.catalogue"]


@bp.app_context_processor
def helpers() -> dict:
    return {
        "wording": wording,
        "accessibility_labels": ACCESSIBILITY,
        "language_name": language_name,
    }


@bp.get("/")
def index():
    cat = catalogue()
    by_area = defaultdict(list)
    for listing in cat.listings():
        if listing.status != "closed":
            by_area[listing.area].append(listing)
    return render_template(
        "index.html", areas=dict(sorted(by_area.items())), vocabulary=cat.vocabulary
    )


@bp.get("/services/<listing_id>")
def service(listing_id: str):
    cat = catalogue()
    listing = cat.get(listing_id)
    if listing is None:
        abort(404)
    return render_template("service.html", listing=listing, vocabulary=cat.vocabulary)
