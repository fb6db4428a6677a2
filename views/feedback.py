"""The one-question feedback page a handout leads to: "Did you go?".

Each service page links here ("Been to this service? Tell us"), and the handout's QR codes
open the service page, which is what a patient holding the paper expects to see first. An
answer adds one to a weekly count for that service and nothing else: no cookie is set, no
answer is kept against a person, and the form needs no JavaScript. Answers are rate-limited
per client, separately from the site-wide limit, so a script cannot stuff the counts.
"""

from __future__ import annotations

from flask import Blueprint, Flask, abort, render_template, request

from directory.model import Listing
from views.common import live, settings
from views.insights import count_listings, insights
from views.shortlist import same_site_request

bp = Blueprint("feedback", __name__, url_prefix="/feedback")

WENT = {
    "yes": "Yes",
    "not-yet": "Not yet",
    "no": "No, it wasn't right for me",
}
HELPFUL = {"yes": "Yes", "no": "No"}


def init_app(app: Flask) -> None:
    limiter = app.extensions.get("signpost.limiter")
    if limiter is not None:
        limit = settings(app).site.feedback_rate_limit
        limiter.limit(limit, methods=["POST"])(bp)
    app.register_blueprint(bp)


def _listing(listing_id: str) -> Listing:
    listing = live().listing(listing_id)
    if listing is None:
        abort(404)
    return listing


@bp.get("/<listing_id>")
def question(listing_id: str) -> str:
    return render_template("feedback.html", listing=_listing(listing_id), went=WENT)


@bp.post("/<listing_id>")
def answer(listing_id: str) -> str | tuple[str, int]:
    listing = _listing(listing_id)
    if not same_site_request():
        abort(403)
    went = request.form.get("went", "")
    if went not in WENT:
        return (
            render_template(
                "feedback.html",
                listing=listing,
                went=WENT,
                error="Choose Yes, Not yet or No",
            ),
            400,
        )
    count_listings([listing.id], f"went-{went}")
    return render_template(
        "feedback-thanks.html",
        listing=listing,
        ask_helpful=went == "yes",
        helpful=HELPFUL,
        counting=insights().enabled,
    )


@bp.post("/<listing_id>/helpful")
def helpful(listing_id: str) -> str | tuple[str, int]:
    listing = _listing(listing_id)
    if not same_site_request():
        abort(403)
    answer = request.form.get("helpful", "")
    if answer not in HELPFUL:
        return (
            render_template(
                "feedback-thanks.html",
                listing=listing,
                ask_helpful=True,
                helpful=HELPFUL,
                counting=insights().enabled,
                error="Choose Yes or No",
            ),
            400,
        )
    count_listings([listing.id], f"helpful-{answer}")
    return render_template(
        "feedback-thanks.html",
        listing=listing,
        ask_helpful=False,
        helpful=HELPFUL,
        counting=insights().enabled,
        done=True,
    )
