"""``signpost serve``: the site and API under gunicorn (see ``serving.py``).

The settings are read once here, from the options and the environment, and handed to each
worker in the app factory's closure: nothing is written to ``os.environ``.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click

from cli.common import data_option, index_option, settings_for

if TYPE_CHECKING:
    from flask import Flask


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", type=click.IntRange(1, 65535), default=5000, show_default=True)
@click.option(
    "--workers",
    type=click.IntRange(min=1),
    default=None,
    help="Worker processes. [env: SIGNPOST_WORKERS; default: one per CPU core, at most 8]",
)
@click.option(
    "--threads",
    type=click.IntRange(min=1),
    default=None,
    help="Threads per gthread worker. [env: SIGNPOST_THREADS; default 2]",
)
@data_option
@index_option
def serve(
    host: str,
    port: int,
    workers: int | None,
    threads: int | None,
    data_dir: Path | None,
    index_dir: Path | None,
) -> None:
    """Serve the site and API with gunicorn (for production; make run uses it too).

    Build the index first with 'signpost index'; a running server picks up each new build
    by itself, so publishing changes never needs a restart.
    """
    from search.build import current_build
    from serving import default_workers, run_gunicorn

    settings = settings_for(data_dir, index_dir, SIGNPOST_WORKERS=workers, SIGNPOST_THREADS=threads)
    if current_build(settings.index_dir) is None:
        click.echo(
            f"Warning: no index at {settings.index_dir} yet; pages will say the directory is "
            "not ready until 'signpost index' has run.",
            err=True,
        )
    workers = settings.serve.workers or default_workers()
    threads = settings.serve.threads
    worker_class = settings.serve.worker_class
    if host not in ("127.0.0.1", "localhost", "::1") and not (
        settings.site.public_url or settings.site.trusted_hosts
    ):
        click.echo(
            "Warning: neither SIGNPOST_PUBLIC_URL nor SIGNPOST_TRUSTED_HOSTS is set, so only "
            "requests for localhost or 127.0.0.1 are answered; others get 400 Bad Request.",
            err=True,
        )
    click.echo(
        f"Serving on http://{host}:{port} with {workers} {worker_class} worker(s)"
        + (f" x {threads} thread(s)." if worker_class == "gthread" else "."),
        err=True,
    )

    def factory() -> Flask:
        # Runs in each worker after the fork: the settings travel in this closure.
        from app import create_app

        return create_app({"SIGNPOST_SETTINGS": settings})

    run_gunicorn(
        factory,
        host=host,
        port=port,
        workers=workers,
        threads=threads,
        worker_class=worker_class,
        access_log=settings.serve.access_log,
    )
