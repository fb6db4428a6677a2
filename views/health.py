"""``/healthz``: is this server able to answer searches, and from which build?

Load balancers and monitoring poll it; it reports the live index build so a deployment can
check that every server behind the balancer serves the same commit's data.
"""

from __future__ import annotations

from flask import Blueprint, Response, current_app, g, jsonify

from search.snapshot import NoIndex

bp = Blueprint("health", __name__)


@bp.get("/healthz")
def healthz() -> Response:
    live = current_app.extensions["signpost.live"]
    try:
        snapshot = live.snapshot()
    except NoIndex:
        response = jsonify({"status": "no-index", "build_id": None, "listings": 0})
        response.status_code = 503
    else:
        g.signpost_build = snapshot.build_id
        response = jsonify(
            {
                "status": "ok",
                "build_id": snapshot.build_id,
                "built": snapshot.created,
                "listings": snapshot.count,
            }
        )
    response.headers["Cache-Control"] = "no-store"
    return response
