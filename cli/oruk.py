"""``signpost export`` and ``import``: the directory as open data, and Open Referral UK in.

Export writes Open Referral UK (HSDS 3.0) JSON or CSV from the live index (else the validated
data folder); import turns an HSDS export into listing files, checked by the real validator.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from cli.common import data_option, index_option, settings_for, shared_gazetteer, vocabulary_for
from directory.settings import Settings
from directory.vocabulary import Vocabulary

if TYPE_CHECKING:
    from directory.model import Listing
    from directory.oruk import Planned


def _export_listings(settings: Settings, vocab: Vocabulary) -> list[Listing]:
    """The listings to export: the live index if built, else the validated data folder."""
    from search.build import locate
    from search.live import LiveDirectory
    from search.snapshot import NoIndex

    try:
        directory = LiveDirectory(settings, shared_gazetteer())
        snapshot = directory.snapshot()
        listings = directory.listings(snapshot=snapshot)
        click.echo(
            f"Exporting {len(listings)} listings from the search index (build "
            f"{snapshot.build_id}).",
            err=True,
        )
        return listings
    except NoIndex:
        pass
    from directory.validation import validate_paths

    gazetteer = shared_gazetteer()
    report = validate_paths([settings.services_dir], vocab, gazetteer=gazetteer)
    listings, problems = locate(report.listings, gazetteer)
    listings.sort(key=lambda item: (item.area, item.name.lower(), item.id))
    click.echo(
        f"No search index at {settings.index_dir}: exporting {len(listings)} listings "
        f"validated from {settings.services_dir}.",
        err=True,
    )
    skipped = len(report.invalid_files()) + len(problems)
    if skipped:
        click.echo(
            f"{skipped} listing{'s' if skipped != 1 else ''} with problems left out; run "
            "'signpost validate' to see them.",
            err=True,
        )
    return listings


@click.command()
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["oruk", "csv"]),
    required=True,
    help="oruk: Open Referral UK (HSDS 3.0) JSON; csv: one row per service.",
)
@click.option(
    "--output",
    "-o",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write to this file instead of printing.",
)
@click.option(
    "--base-url",
    default=None,
    help="The public site's address, for links to service pages (e.g. "
    "https://signpost.example.org). [env: SIGNPOST_PUBLIC_URL]",
)
@data_option
@index_option
def export(
    fmt: str,
    output: Path | None,
    base_url: str | None,
    data_dir: Path | None,
    index_dir: Path | None,
) -> None:
    """Write the whole directory as open data, for councils, NHS systems and spreadsheets.

    Reads the live search index when one is built (what the site is showing), otherwise
    validates the data folder and exports the listings that pass.
    """
    from directory.oruk import directory_to_hsds, listings_to_csv

    settings = settings_for(data_dir, index_dir)
    vocab = vocabulary_for(settings)
    listings = _export_listings(settings, vocab)
    if fmt == "csv":
        text = listings_to_csv(listings, vocab)
    else:
        gazetteer = shared_gazetteer()

        def region(postcode: str) -> str:
            place = gazetteer.lookup_postcode(postcode)
            return place.country if place is not None else ""

        base = base_url if base_url is not None else settings.site.public_url
        document = directory_to_hsds(listings, vocab, base_url=base, region_for=region)
        text = json.dumps(document, indent=2, ensure_ascii=False) + "\n"
        missing = sum(1 for service in document["contents"] if "url" not in service)
        if missing:
            click.echo(
                f"{missing} service{'s have' if missing != 1 else ' has'} no website, so no "
                "url (the Open Referral UK profile asks for one): give --base-url to link "
                "them to their Signpost pages.",
                err=True,
            )
    if output:
        # A byte-order mark lets Excel open the CSV as UTF-8 (so "£" stays "£").
        encoding = "utf-8-sig" if fmt == "csv" else "utf-8"
        output.write_text(text, encoding=encoding, newline="")
        click.echo(f"Wrote {len(listings)} services to {output}.", err=True)
    else:
        click.echo(text, nl=False)


@click.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["oruk"]),
    required=True,
    help="oruk: Open Referral UK / HSDS 3.0 JSON (a page, a list of services or one service).",
)
@click.option(
    "--output-dir",
    required=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="Folder for the listing files, e.g. data/services.",
)
@click.option(
    "--area",
    default=None,
    help="Area folder to put them in under --output-dir, e.g. leeds (lowercase, hyphens).",
)
@click.option(
    "--force",
    is_flag=True,
    help="Also update listing files that have edits not yet committed to git.",
)
@click.option(
    "--dry-run", is_flag=True, help="Show what would be written and changed; write nothing."
)
@click.option(
    "--reviewed-by",
    default=None,
    help="Who the listings' reviewed_by should name (default: what a Signpost export says, "
    "else 'Imported from Open Referral UK data').",
)
@data_option
def import_command(
    file: Path,
    fmt: str,
    output_dir: Path,
    area: str | None,
    force: bool,
    dry_run: bool,
    reviewed_by: str | None,
    data_dir: Path | None,
) -> None:
    """Turn an Open Referral UK / HSDS JSON export into listing files, one per service.

    Each file is written in the listing format with '# guessed:' comments on values the data
    did not give, then checked with the real validator. Importing again updates the same
    files in place and lists every field it changed; files with edits not yet committed to
    git are left alone unless --force. Exits 1 if any listing it wrote is invalid.
    """
    from datetime import date

    from directory.oruk import (
        DEFAULT_REVIEWED_BY,
        NotHSDSError,
        apply_plan,
        import_document,
        plan_import,
        uncommitted_files,
    )
    from directory.validation import ID_PATTERN, find_listing_files

    settings = settings_for(data_dir)
    vocab = vocabulary_for(settings)
    if area is not None and not ID_PATTERN.match(area):
        raise click.BadParameter(
            "use lowercase letters, numbers and hyphens, e.g. east-kent.", param_hint="--area"
        )
    document = _read_json(file)
    try:
        result = import_document(
            document,
            vocab,
            today=date.today(),
            reviewed_by=reviewed_by or DEFAULT_REVIEWED_BY,
            keep_reviewer=reviewed_by is None,
            gazetteer=shared_gazetteer(),
        )
    except NotHSDSError as error:
        raise click.ClickException(f"{file}: {error}") from error
    except RecursionError:
        raise click.ClickException(f"{file} is nested too deeply to be HSDS data.") from None
    for problem in result.problems:
        click.echo(f"{file}: {problem}", err=True)
    folder = output_dir / area if area else output_dir
    existing, _missing = find_listing_files([settings.services_dir, output_dir])
    changed = uncommitted_files(output_dir) if output_dir.is_dir() else None
    plans = plan_import(result.listings, folder, existing, vocab, force=force, uncommitted=changed)
    if not dry_run:
        apply_plan(plans)
    invalid = _report_import(plans, vocab, dry_run)
    _import_summary(plans, folder, invalid, dry_run)
    if invalid:
        sys.exit(1)


def _read_json(file: Path) -> object:
    try:
        return json.loads(file.read_text(encoding="utf-8-sig"))
    except UnicodeDecodeError as error:
        raise click.ClickException(f"{file} is not UTF-8 text: {error.reason}.") from error
    except json.JSONDecodeError as error:
        raise click.ClickException(
            f"{file} is not valid JSON (line {error.lineno}, column {error.colno}: {error.msg})."
        ) from error
    except RecursionError:
        raise click.ClickException(
            f"{file} is nested too deeply to be HSDS data (hundreds of levels of brackets)."
        ) from None


def _report_import(plans: list[Planned], vocab: Vocabulary, dry_run: bool) -> int:
    """Print each listing's notes, changes and validation problems; return how many are bad."""
    from directory.validation import validate_file

    gazetteer = shared_gazetteer()
    invalid = 0
    would = "would be " if dry_run else ""
    for plan in plans:
        for message in plan.item.messages():
            click.echo(message)
        if plan.action == "blocked":
            click.echo(
                f"{plan.path}: not updated: it has edits not yet committed to git. Commit or "
                f"undo them, or use --force. The import would change: {'; '.join(plan.changes)}",
                err=True,
            )
        elif plan.action == "update":
            click.echo(f"{plan.path}: {would}updated: {'; '.join(plan.changes)}", err=True)
        if not plan.writes or dry_run:
            continue
        _listing, problems = validate_file(plan.path, vocab, gazetteer=gazetteer)
        invalid += bool(problems)
        for problem in problems:
            click.echo(str(problem))
    return invalid


def _import_summary(plans: list[Planned], folder: Path, invalid: int, dry_run: bool) -> None:
    from collections import Counter

    actions = Counter(plan.action for plan in plans)
    guessed = Counter(
        need for plan in plans if "needs" in plan.item.guesses for need in plan.item.data["needs"]
    )
    if guessed:
        shown = ", ".join(f"{need} {count}" for need, count in guessed.most_common())
        click.echo(f"Needs guessed from names and descriptions (check them): {shown}.", err=True)
    verb = "Would write" if dry_run else "Wrote"
    parts = [f"{verb} {actions['new']} new listing{'s' if actions['new'] != 1 else ''}"]
    parts.append(f"{'would update' if dry_run else 'updated'} {actions['update']}")
    parts.append(f"{actions['unchanged']} unchanged")
    if actions["blocked"]:
        parts.append(f"{actions['blocked']} not updated (edits not yet committed)")
    tail = (
        f"; {invalid} need{'s' if invalid == 1 else ''} fixing (above)."
        if invalid
        else ". Check the lines marked '# guessed', then run 'signpost validate'."
    )
    click.echo(", ".join(parts) + f" in {folder}" + tail, err=True)
