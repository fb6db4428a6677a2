"""Run the site in production: gunicorn workers over ``create_app()``, and quiet access logs.

A PCN's whole team and its patients may search at once, so ``signpost serve`` runs gunicorn
(several worker processes, each with a few threads) rather than Flask's development server.

Access logs are written by the app, not gunicorn, because gunicorn's default line includes
the query string: "lost my wife near CT9 1EP" in a log is health information about a person.
Signpost logs the path without the query, the status, the time taken and the index build,
which is what running the service needs.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import re
import sys
import time
import traceback
from collections.abc import Callable, Iterable
from types import TracebackType
from typing import TYPE_CHECKING, Any, TextIO

from flask import Flask, Response, g, request

from directory.settings import WORKER_CLASSES, ServeSettings

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIEnvironment

ExcInfo = tuple[type[BaseException], BaseException, TracebackType | None]
log = logging.getLogger("signpost.access")
STARTED = "signpost.started"  # the WSGI environ key holding when a request reached the app
UNROUTED = "(no such page)"  # logged instead of the path of a request that matched no route


def default_workers(cpus: int | None = None) -> int:
    """One worker per core: searches are CPU-bound Python, so more only queue for a core."""
    cpus = cpus or os.cpu_count() or 1
    return max(1, min(cpus, 8))


DEFAULT_THREADS = ServeSettings.threads  # more only contend for the GIL (bench/load.py)

# gevent workers read every connection's request in a greenlet, so a client that sends its
# headers slowly (or never) holds a few kilobytes, not one of a handful of threads: with
# gthread, four such clients stopped a default server (bench/slow_clients.py). "gthread"
# stays available through SIGNPOST_WORKER_CLASS for hosts without gevent.
DEFAULT_WORKER_CLASS = ServeSettings.worker_class
# Seconds a client has to send a whole request line and headers (and to send the next
# request on a kept-alive connection) before the connection is closed.
HEADER_TIMEOUT = 5
# Open connections each gevent worker holds at most; more wait in the kernel's queue.
WORKER_CONNECTIONS = 1000


def access_record(method: str, path: str, status: int, millis: float, build: str) -> str:
    """One JSON log line for a request, without its query string (which may say who it is)."""
    return json.dumps(
        {"method": method, "path": path, "status": status, "ms": round(millis, 1), "build": build},
        separators=(",", ":"),
    )


def init_access_log(app: Flask) -> None:
    """Log each request as ``access_record`` describes, to the ``signpost.access`` logger.

    The clock starts as the request enters the app, before any ``before_request`` hook:
    refusals made there (413 too large, 429 too many, 400 unknown host) are logged too.
    """
    inner = app.wsgi_app

    def timed(environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        environ[STARTED] = time.perf_counter()
        return inner(environ, start_response)

    app.wsgi_app = timed  # type: ignore[method-assign]
    # Flask logs a 500's traceback on the app's logger; the development server (make dev)
    # logs request lines on werkzeug's.
    keep_logs_private(app.logger, logging.getLogger("werkzeug"))

    @app.after_request
    def _log_request(response: Response) -> Response:
        started = request.environ.get(STARTED)
        if started is not None and log.isEnabledFor(logging.INFO):
            build = g.get("signpost_build") or _open_build(app)
            millis = (time.perf_counter() - started) * 1000
            # An address that matched no page may be anything someone typed into the bar.
            path = request.path if request.url_rule is not None else UNROUTED
            log.info(access_record(request.method, path, response.status_code, millis, build))
        return response


# A path's query string, in any log line: "/?q=lost+my+wife" -> "/?[query removed]".
_QUERY = re.compile(r"(/[^\s?\"']*)\?[^\s\"']*")
# Gunicorn's refusals of malformed requests quote the offending request line or header
# ("Invalid HTTP Version: 'my wife near CT9 1EP HTTP/1.1'"): keep only what kind it was.
_INVALID_REQUEST = re.compile(r"^(Invalid request from ip=[^:]*: )([^:'\"(]*)(.*)$", re.DOTALL)
WITHHELD = "(details withheld: they may quote what someone typed)"


def private(text: str) -> str:
    """A log message with nothing a visitor typed in it: no query strings, no request lines."""
    invalid = _INVALID_REQUEST.match(text)
    if invalid:
        kind = invalid.group(2).strip() or "malformed request"
        text = f"{invalid.group(1)}{kind} {WITHHELD}" if invalid.group(3) else text
    return _QUERY.sub(r"\1?[query removed]", text)


def private_traceback(exc_info: ExcInfo) -> str:
    """Where an error happened (files, lines, code) and its type, but not its message.

    An exception's message may quote a request ("could not parse 'lost my wife'"); the
    frames and the type are what is needed to find the bug.
    """
    _kind, error, trace = exc_info
    lines = ["Traceback (most recent call last):\n", *traceback.format_tb(trace)]
    seen: BaseException | None = error
    while seen is not None:
        lines.append(f"{type(seen).__module__}.{type(seen).__qualname__} {WITHHELD}\n")
        seen = seen.__cause__ or (None if seen.__suppress_context__ else seen.__context__)
    return "".join(lines).rstrip("\n")


class PrivateLogFilter(logging.Filter):
    """Rewrites each record on a logger with ``private()`` and ``private_traceback()``."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = private(record.getMessage())
        if record.exc_info and record.exc_info[1] is not None:
            message += "\n" + private_traceback(record.exc_info)
        record.msg, record.args = message, ()
        record.exc_info, record.exc_text, record.stack_info = None, None, None
        return True


def keep_logs_private(*loggers: logging.Logger) -> None:
    """Add the ``PrivateLogFilter`` to each logger (once)."""
    for logger in loggers:
        if not any(isinstance(each, PrivateLogFilter) for each in logger.filters):
            logger.addFilter(PrivateLogFilter())


def configure_access_log(stream: TextIO | None = None, *, enabled: bool = True) -> None:
    """Send ``signpost.access`` lines to stderr (or ``stream``), where gunicorn's logs go;
    ``enabled=False`` (``SIGNPOST_ACCESS_LOG=off``) turns them off."""
    if not enabled:
        log.disabled = True
        return
    if not any(getattr(h, "_signpost", False) for h in log.handlers):
        handler = logging.StreamHandler(stream or sys.stderr)
        handler.setFormatter(logging.Formatter("%(message)s"))
        handler._signpost = True  # type: ignore[attr-defined]
        log.addHandler(handler)
    log.setLevel(logging.INFO)
    log.propagate = False


def warm_up(app: Flask) -> None:
    """Load the index, place table and templates before the first visitor, not during them.

    A worker's first page otherwise pays about a second (opening the build, the place
    table, a postcode area, compiling templates). These requests are not logged or counted
    as anyone's; with no index yet, the pages simply say so.
    """
    from search.snapshot import NoIndex

    paths = list(WARM_UP_PATHS)
    with contextlib.suppress(NoIndex, IndexError):
        paths.append(f"/services/{app.extensions['signpost.live'].snapshot().facets.ids[0]}")
    was_disabled = log.disabled
    log.disabled = True
    try:
        with app.test_client() as client:
            for path in paths:
                client.get(path, environ_base={"REMOTE_ADDR": "warm-up"})
    finally:
        log.disabled = was_disabled
    from search.live import settle_into_oldest_generation

    settle_into_oldest_generation()  # what warming made, out of the young generations


WARM_UP_PATHS = (
    "/?q=lonely&near=Margate",
    "/?q=lonely&near=CT9+1EP",
    "/needs",
    "/api/v1/services?q=debt",
)


def _open_build(app: Flask) -> str:
    """The build this process is serving (without touching the disk), for the log line."""
    snapshot = app.extensions["signpost.live"].index.current_snapshot
    return snapshot.build_id if snapshot is not None else ""


def _private_gunicorn_logger() -> type:
    from gunicorn.glogging import Logger

    class PrivateLogger(Logger):
        """Gunicorn's logger, with every error-log record passed through ``private()``."""

        def setup(self, cfg: Any) -> None:
            super().setup(cfg)
            keep_logs_private(self.error_log)

    return PrivateLogger


def _let_other_connections_in(_worker: Any, _request: Any, _environ: Any, _response: Any) -> None:
    """After each request, a gevent worker lets its other connections have a turn.

    A keep-alive client that sends its next request at once finds it already waiting, so
    without a pause the worker answers that one connection again and again while the rest
    wait: under wrk, 8 connections, a search page's p95 was 182 ms and /healthz's 954 ms
    (``bench/load_wrk.py``) though each took a few milliseconds of work.
    """
    import gevent

    gevent.sleep(0)


def run_gunicorn(
    app_factory: Callable[[], Flask],
    *,
    host: str = "127.0.0.1",
    port: int = 5000,
    workers: int | None = None,
    threads: int = DEFAULT_THREADS,
    timeout: int = 30,
    worker_class: str = DEFAULT_WORKER_CLASS,
    access_log: bool = True,
) -> None:
    """Serve ``app_factory()`` with gunicorn's gevent (or threaded) workers until interrupted.

    Each worker calls ``app_factory`` after the fork; the settings it needs travel in its
    closure (``signpost serve`` passes them there), never through ``os.environ``.
    """
    from gunicorn.app.base import BaseApplication

    if worker_class not in WORKER_CLASSES:
        raise ValueError(f"worker class must be one of {', '.join(WORKER_CLASSES)}")
    options: dict[str, Any] = {
        "bind": f"{host}:{port}",
        "workers": workers or default_workers(),
        "threads": threads,
        "worker_class": worker_class,
        "worker_connections": WORKER_CONNECTIONS,
        # gevent workers give up on a request whose headers are not all in by then.
        "keepalive": HEADER_TIMEOUT,
        "timeout": timeout,
        "graceful_timeout": timeout,
        "accesslog": None,  # the app logs requests itself, without query strings
        "errorlog": "-",
        # Malformed requests are logged without the request line they quote.
        "logger_class": _private_gunicorn_logger(),
        "loglevel": "info",
        "limit_request_line": 4094,
        "limit_request_fields": 50,
        "limit_request_field_size": 8190,
        # gunicorn's control socket (in the user's home) is not needed, and a hardened
        # systemd unit (ProtectSystem=strict) would not let it be written.
        "control_socket_disable": True,
    }
    if worker_class == "gevent":
        options["post_request"] = _let_other_connections_in

    class Application(BaseApplication):
        def load_config(self) -> None:
            for key, value in options.items():
                self.cfg.set(key, value)

        def load(self) -> Any:  # Flask (gunicorn's stubs type environs as MutableMapping)
            configure_access_log(enabled=access_log)
            app = app_factory()
            warm_up(app)
            return app

    Application().run()
