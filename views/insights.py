"""Insights at the edge: counting from views, the /insights page and its downloads.

Views call ``count_search`` and ``count_listings`` (one line each); both only add to the
in-memory ``Recorder`` and never raise. Reading for pages goes through a read-only store with
short timeouts, and a failing store is left alone for a while, so a locked or unreachable
database can slow or break neither a search nor a service page.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterable, Mapping
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

from flask import Blueprint, Flask, Response, current_app, render_template, request

from directory.settings import SettingError
from insights import export, report
from insights.record import Recorder, search_key, week_of
from insights.store import (
    SQLITE_BUSY_MS,
    Store,
    StoreError,
    database_url,
    default_url,
    redact,
)
from views.common import live, now, settings

if TYPE_CHECKING:
    from search.engine import SearchResponse

log = logging.getLogger(__name__)

bp = Blueprint("insights", __name__)

EXTENSION = "signpost.insights"
READ_BUSY_MS = 250  # a page waits at most this long for a locked SQLite store
GEVENT_BUSY_MS = 20  # the writer's wait when it shares an event loop with requests
READ_RETRY_SECONDS = 60.0  # after a failed read, pages skip the figures for this long
FIGURES_SECONDS = 60.0  # a service page's figures are cached this long
MAX_WEEKS = 157  # three years on one page


class Insights:
    """The app's recorder, its store's URL and a lazily opened reader."""

    def __init__(self, url: str, enabled: bool, threshold: int, flush_seconds: float) -> None:
        self.url = url
        self.enabled = enabled
        self.threshold = threshold
        self.recorder = Recorder(
            (lambda: Store.open(url, busy_ms=writer_busy_ms())) if enabled else None,
            flush_seconds=flush_seconds,
        )
        self._reader: Store | None = None
        self._reader_failed = 0.0
        self._lock = threading.Lock()
        self._figures: dict[tuple[str, str], tuple[float, dict[str, int]]] = {}

    def reader(self) -> Store:
        """A read-only store; raises StoreError (quickly) while the store is failing."""
        with self._lock:
            if self._reader is not None:
                return self._reader
            if time.monotonic() - self._reader_failed < READ_RETRY_SECONDS:
                raise StoreError("The insights store failed a moment ago.")
            try:
                # Created on first use when counting is on; only read when it is off.
                self._reader = Store.open(
                    self.url,
                    readonly=not self.enabled,
                    busy_ms=min(READ_BUSY_MS, writer_busy_ms()),
                )
            except StoreError:
                self._reader_failed = time.monotonic()
                raise
            return self._reader

    def read_failed(self, error: Exception) -> None:
        log.warning("Could not read insights: %s", error)
        with self._lock:
            self._reader_failed = time.monotonic()
            if self._reader is not None:
                self._reader.close()
                self._reader = None

    def listing_counts(self, listing_id: str, since: str) -> dict[str, int] | None:
        """One listing's counts since a week (cached briefly); None if the store fails."""
        key = (listing_id, since)
        cached = self._figures.get(key)
        if cached and time.monotonic() - cached[0] < FIGURES_SECONDS:
            return cached[1]
        try:
            counts = self.reader().one_listing_events(listing_id, since)
        except Exception as error:  # noqa: BLE001 - a service page must always render
            self.read_failed(error)
            return None
        if len(self._figures) > 5000:
            self._figures.clear()
        self._figures[key] = (time.monotonic(), counts)
        return counts


def writer_busy_ms() -> int:
    """How long the writer waits for a locked SQLite store before trying again later.

    Under gunicorn's gevent workers the writer is a greenlet sharing the worker's one OS
    thread, and SQLite's wait would hold every request in that worker: so it barely waits.
    """
    try:
        from gevent import monkey
    except ImportError:
        return SQLITE_BUSY_MS
    return GEVENT_BUSY_MS if monkey.is_module_patched("threading") else SQLITE_BUSY_MS


def settings_for(app: Flask) -> Insights:
    """The insights settings, with the store's address resolved and checked."""
    found = settings(app)
    site = found.site
    raw_url = site.database_url
    instance = found.index_dir.parent
    url = database_url(raw_url) if raw_url else default_url(instance)
    if not url.startswith(("sqlite:///", "postgresql")):
        raise SettingError(
            "SIGNPOST_DATABASE_URL must be a postgresql:// URL or an SQLite file, "
            f"not {redact(url)!r}."
        )
    return Insights(url, site.insights, site.suppress_below, site.insights_flush_seconds)


def init_app(app: Flask) -> None:
    from views import feedback

    app.extensions[EXTENSION] = settings_for(app)
    app.register_blueprint(bp)
    feedback.init_app(app)
    app.add_template_global(service_figures)
    app.add_template_global(lambda: insights().enabled, "insights_enabled")
    app.add_template_global(lambda: insights().threshold, "insights_threshold")


def insights() -> Insights:
    found: Insights = current_app.extensions[EXTENSION]
    return found


# ---- Counting (one call from each view) ---------------------------------------------------


WARM_UP_ADDRESS = "warm-up"  # serving.warm_up's requests: a worker starting, not a person


def _counting() -> bool:
    return insights().enabled and request.remote_addr != WARM_UP_ADDRESS


def count_search(response: SearchResponse, channel: str) -> None:
    """Count a search's first page: area, needs understood, found-nothing-local, top 10."""
    try:
        state = insights()
        if _counting() and response.request.page == 1:
            state.recorder.search(week_of(now()), search_key(response), channel)
    except Exception:  # noqa: BLE001 - never break a search for a count
        log.exception("Could not count a search")


def count_listings(listing_ids: Iterable[str], event: str) -> None:
    """Count ``event`` ("opened", "shortlisted", "handout", feedback answers) per listing."""
    try:
        if _counting():
            insights().recorder.listings(week_of(now()), list(listing_ids), event)
    except Exception:  # noqa: BLE001
        log.exception("Could not count %s", event)


def service_figures(listing_id: str) -> list[str]:
    """Sentences for a service's page: "Added to 23 handouts this quarter" (suppressed)."""
    state = insights()
    if not state.enabled:
        return []
    since = week_of(report.quarter_start(now().date()))
    counts = state.listing_counts(listing_id, since)
    return report.service_summary(counts or {}, state.threshold)


# ---- The page and downloads ---------------------------------------------------------------


def parse_period(args: Mapping[str, str], today: date) -> tuple[date, date, list[str]]:
    """``since``/``until`` (YYYY-MM-DD) from the query; the last 12 weeks by default."""
    errors = []
    until = today
    since = today - timedelta(weeks=report.DEFAULT_WEEKS - 1)
    for name in ("since", "until"):
        raw = (args.get(name) or "").strip()
        if not raw:
            continue
        try:
            value = date.fromisoformat(raw[:40])
        except ValueError:
            errors.append(
                f"Enter the {'start' if name == 'since' else 'end'} date like 2026-09-01."
            )
            continue
        if name == "since":
            since = value
        else:
            until = value
    if since > until:
        errors.append("The start date must be before the end date.")
        since = until - timedelta(weeks=report.DEFAULT_WEEKS - 1)
    if (until - since).days > MAX_WEEKS * 7:
        errors.append("Choose a period of three years or less.")
        since = until - timedelta(weeks=MAX_WEEKS - 1)
    return since, until, errors


def current_report(since: date, until: date) -> export.Report:
    state = insights()
    directory = live()
    vocab = directory.vocabulary
    settings = current_app.config["SIGNPOST_SETTINGS"]
    return export.build_report(
        state.reader(),
        since=since,
        until=until,
        threshold=state.threshold,
        listings=directory.listings(),
        need_labels={need_id: need.label for need_id, need in vocab.needs.items()},
        today=now().date(),
        stale_months=settings.stale_months,
    )


def _report_or_problem() -> tuple[export.Report | None, date, date, list[str], int]:
    since, until, errors = parse_period(request.args, now().date())
    if errors:
        return None, since, until, errors, 400
    try:
        return current_report(since, until), since, until, [], 200
    except StoreError as error:
        if not insights().enabled:  # counting off and nothing ever counted: nothing to show
            return None, since, until, [], 200
        log.warning("Insights page: %s", error)
        return None, since, until, [], 503
    except Exception as error:  # noqa: BLE001 - the store failed mid-read
        insights().read_failed(error)
        return None, since, until, [], 503


@bp.get("/insights")
def page() -> tuple[str, int]:
    found, since, until, errors, status = _report_or_problem()
    return (
        render_template(
            "insights.html",
            report=found,
            since=since,
            until=until,
            errors=errors,
            unavailable=status == 503,
            enabled=insights().enabled,
            charts=charts(found) if found else {},
            query=request.query_string.decode("ascii", "replace"),
        ),
        status,
    )


def _download(kind: str) -> Response:
    found, since, until, errors, status = _report_or_problem()
    if found is None:
        message = " ".join(errors) or "The counts cannot be read just now. Try again later."
        return Response(message + "\n", status=status, mimetype="text/plain")
    name = f"signpost-insights-{since.isoformat()}-to-{until.isoformat()}.{kind}"
    body = export.to_csv(found) if kind == "csv" else export.to_json(found)
    mimetype = "text/csv" if kind == "csv" else "application/json"
    response = Response(body, mimetype=mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/insights.csv")
def download_csv() -> Response:
    return _download("csv")


@bp.get("/insights.json")
def download_json() -> Response:
    return _download("json")


# ---- Charts: bar lengths as SVG width percentages (attributes, so the CSP allows them) -----


def bar_rows(items: Iterable[tuple[str, report.Cell]]) -> list[dict[str, Any]]:
    """Label, width (0-100) and text for horizontal bars; a hidden count draws no bar."""
    items = list(items)
    largest = max((cell.sort_value for _label, cell in items), default=0) or 1
    return [
        {
            "label": label,
            "width": round(100 * cell.sort_value / largest, 1),
            "text": cell.text,
            "suppressed": cell.suppressed,
        }
        for label, cell in items
    ]


def column_heights(cells: list[report.Cell], height: int = 40) -> list[dict[str, Any]]:
    """Weekly columns for one need, scaled to the tallest week of that need."""
    largest = max((cell.sort_value for cell in cells), default=0) or 1
    count = max(len(cells), 1)
    slot = 100 / count
    return [
        {
            "x": round(index * slot, 2),
            "width": round(slot * 0.8, 2),
            "height": round(height * cell.sort_value / largest, 1),
            "suppressed": cell.suppressed,
        }
        for index, cell in enumerate(cells)
    ]


def charts(found: export.Report) -> dict[str, Any]:
    return {
        "demand": bar_rows((row.label, row.total) for row in found.demand),
        "weekly": {row.need: column_heights(row.weeks) for row in found.demand},
        "gaps": bar_rows((f"{g.label} in {g.district}", g.no_local) for g in found.gaps[:10]),
        "services": bar_rows((s.name, s.cells["handout"]) for s in found.services[:10]),
        "feedback": bar_rows(
            (label, found.feedback_overall.cells[name]) for name, label in report.FEEDBACK
        ),
        "stale": bar_rows((a.area, report.Cell(a.stale, 1)) for a in found.stale if a.stale),
    }
