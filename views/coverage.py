"""/coverage: which areas and needs the directory covers, before anyone searches.

A link worker sees at a glance that East Kent has twelve befriending groups and no debt
advice, and a commissioner sees which needs have nothing listed anywhere. The counts come
from the build (``Snapshot.coverage``), so the page costs nothing to serve.
"""

from __future__ import annotations

from flask import Blueprint, render_template

from views.common import live

bp = Blueprint("coverage", __name__)


@bp.get("/coverage")
def page() -> str:
    directory = live()
    vocab = directory.vocabulary
    coverage = directory.snapshot().coverage
    labels = {need.id: need.label for need in vocab.needs.values()}

    def missing(needs: dict[str, int]) -> list[str]:
        return sorted(label for need, label in labels.items() if need not in needs)

    def listed(needs: dict[str, int]) -> list[tuple[str, str, int]]:
        """(label, need id, services), by label."""
        return sorted((labels.get(need, need), need, count) for need, count in needs.items())

    return render_template(
        "coverage.html",
        coverage=coverage,
        labels=labels,
        missing=missing,
        listed=listed,
        nowhere=missing(coverage.needs),
    )
