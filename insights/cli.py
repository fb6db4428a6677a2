"""``signpost report``: the insights report on the command line, offline.

It reads the store directly (a copy of the SQLite file is enough, opened read-only) and, when
a search index is at hand, the listings for names, gaps and stale listings. Small numbers are
suppressed exactly as on the /insights page.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from pathlib import Path

import click

from cli.common import data_option, index_option, settings_for
from directory.model import Listing
from directory.settings import Settings
from insights import export
from insights import report as r
from insights.store import Store, StoreError, database_url, default_url


def _date(_ctx: click.Context, _param: click.Parameter, value: str | None) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"{value!r} is not a date: write it like 2026-09-01.") from None


@click.command("report")
@click.option("--since", callback=_date, help="First day, YYYY-MM-DD. [default: 12 weeks ago]")
@click.option("--until", callback=_date, help="Last day, YYYY-MM-DD. [default: today]")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["table", "csv", "json"]),
    default="table",
    show_default=True,
)
@click.option(
    "--database",
    help="SQLite file or database URL. [env: SIGNPOST_DATABASE_URL; default: the file "
    "insights.sqlite3 beside the index]",
)
@data_option
@index_option  # the index gives service names, gaps and stale listings
@click.option("--counts-only", is_flag=True, help="Leave out the listings: the store alone.")
def report(
    since: date | None,
    until: date | None,
    fmt: str,
    database: str | None,
    data_dir: Path | None,
    index_dir: Path | None,
    counts_only: bool,
) -> None:
    """Anonymous counts of searches, signposting and feedback, small numbers suppressed.

    Works offline on a copy of the database: signpost report --database copy.sqlite3
    """
    settings = settings_for(data_dir, index_dir, SIGNPOST_DATABASE_URL=database)
    raw = settings.site.database_url
    url = database_url(raw) if raw else default_url(settings.index_dir.parent)
    today = datetime.now().date()
    until = until or today
    since = since or until - timedelta(weeks=r.DEFAULT_WEEKS - 1)
    if since > until:
        raise click.BadParameter("--since must be on or before --until.", param_hint="--since")
    threshold = settings.site.suppress_below
    try:
        store = Store.open(url, readonly=True)
    except StoreError as error:
        raise click.ClickException(str(error)) from None
    listings: list[Listing] = []
    labels: dict[str, str] = {}
    if not counts_only:
        listings, labels = _listings(settings)
    try:
        found = export.build_report(
            store,
            since=since,
            until=until,
            threshold=threshold,
            listings=listings,
            need_labels=labels,
            today=today,
            stale_months=settings.stale_months,
        )
    except Exception as error:  # noqa: BLE001 - one line, never a traceback
        raise click.ClickException(f"Could not read the counts: {error}") from None
    finally:
        store.close()
    if fmt == "json":
        click.echo(export.to_json(found), nl=False)
    elif fmt == "csv":
        click.echo(export.to_csv(found), nl=False)
    else:
        click.echo(export.to_table(found))


def _listings(settings: Settings) -> tuple[list[Listing], dict[str, str]]:
    """Listings and need labels from the index, or none (with a note) when there is none."""
    from search.live import LiveDirectory
    from search.snapshot import NoIndex

    directory = LiveDirectory(settings)
    try:
        listings = directory.listings()
        labels = {need_id: need.label for need_id, need in directory.vocabulary.needs.items()}
    except (NoIndex, OSError, ValueError) as error:
        click.echo(
            f"No search index to read ({error}): showing counts only, without service "
            "names, gaps or stale listings. Run 'signpost index' first for those.",
            err=True,
        )
        return [], {}
    return listings, labels
