"""``signpost validate``, ``stale``, ``review`` and ``schema``: the listing files themselves.

Thin shells over ``directory``: checking files and saying exactly what to fix, the stale
report (and its GitHub issue plan), stamping a review, and the JSON Schema for editors.
"""

from __future__ import annotations

import json
import sys
from datetime import date
from pathlib import Path

import click

from cli.common import data_option, settings_for, shared_gazetteer, vocabulary_for
from directory.stale import StaleRow, stale_listings
from directory.vocabulary import Vocabulary


@click.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@data_option
def validate(paths: tuple[Path, ...], data_dir: Path | None) -> None:
    """Check listing files and say exactly what to fix.

    PATHS are files or folders (default: the data folder's services/ and its urgent help
    file, urgent-help.yaml, which can also be named on its own). Prints one line per problem
    as path:line:column: message, and exits 1 if there are any.
    """
    from directory.urgent import FILE_NAME, urgent_help_path
    from directory.validation import validate_paths

    settings = settings_for(data_dir)
    vocab = vocabulary_for(settings)
    urgent_files = [path for path in paths if path.name == FILE_NAME and path.is_file()]
    if not paths:
        urgent_files = [urgent_help_path(settings.data_dir)]
    urgent_ok = [_urgent_help_ok(path, vocab) for path in urgent_files]
    targets = [path for path in paths if path not in urgent_files]
    if paths and not targets:
        sys.exit(0 if all(urgent_ok) else 1)
    report = validate_paths(targets or [settings.services_dir], vocab, gazetteer=shared_gazetteer())
    for problem in report.problems:
        click.echo(str(problem))
    if not all(urgent_ok) and not report.problems:
        sys.exit(1)
    if report.problems:
        files = len(report.invalid_files())
        click.echo(
            f"{len(report.problems)} problem{'s' if len(report.problems) != 1 else ''} in "
            f"{files} file{'s' if files != 1 else ''} (of {report.files} checked). "
            "Fix them and run 'signpost validate' again. The listing format is explained in "
            "CONTRIBUTING.md.",
            err=True,
        )
        sys.exit(1)
    if report.files == 0:
        click.echo("No listing files (*.yaml) found to check.", err=True)
        sys.exit(1)


def _urgent_help_ok(path: Path, vocab: Vocabulary) -> bool:
    """Check an urgent-help file (crisis words and help lines), printing its problems."""
    from directory.urgent import check_urgent_help, review_due

    # Need ids are checked against the needs.yaml beside the file: a data folder with its own
    # vocabulary and the bundled urgent help searches only the needs both know.
    same_folder = Path(vocab.source).resolve().parent == path.resolve().parent
    found, problems = check_urgent_help(path, vocab.needs if same_folder else None)
    for problem in problems:
        click.echo(str(problem))
    reminder = review_due(found, date.today()) if found else None
    if reminder:
        click.echo(reminder, err=True)  # a reminder, not a failure: the numbers still show
    if problems:
        click.echo(
            f"{len(problems)} problem{'s' if len(problems) != 1 else ''} in the urgent help "
            "file. Fix them and run 'signpost validate' again: its format is explained at "
            "the top of data/urgent-help.yaml.",
            err=True,
        )
    return not problems


@click.command()
@data_option
@click.option(
    "--months",
    type=click.IntRange(min=1),
    default=None,
    help="Report listings not reviewed for this many months. "
    "[env: SIGNPOST_STALE_MONTHS; default 12]",
)
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["table", "json", "github"]),
    default=None,
    help="github: what to do with one GitHub issue per stale listing, as JSON for "
    ".github/workflows/stale-listings.yml.",
)
@click.option(
    "--open-issues",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    default=None,
    help="With --format github: the open issues, from "
    "'gh issue list --label stale-listing --json number,title,body'.",
)
@click.option(
    "--repository-url", default=None, help="For links in issues. [env: SIGNPOST_REPOSITORY_URL]"
)
def stale(
    data_dir: Path | None,
    months: int | None,
    as_json: bool,
    output_format: str | None,
    open_issues: Path | None,
    repository_url: str | None,
) -> None:
    """List listings whose last review is older than the limit, oldest first."""
    from directory.validation import validate_paths

    settings = settings_for(data_dir)
    vocab = vocabulary_for(settings)
    report = validate_paths([settings.services_dir], vocab)
    limit = months or settings.stale_months
    rows = stale_listings(report.listings, months=limit, today=date.today())
    if output_format == "github":
        from directory.stale import issue_plan

        issues = json.loads(open_issues.read_text(encoding="utf-8")) if open_issues else []
        plan = issue_plan(
            rows,
            issues,
            months=limit,
            today=date.today(),
            repository_url=repository_url or settings.site.repository_url,
            branch=settings.site.repository_branch,
        )
        click.echo(json.dumps(plan, indent=2, ensure_ascii=False))
        if report.problems:
            click.echo(f"({len(report.invalid_files())} invalid files skipped.)", err=True)
        return
    if as_json or output_format == "json":
        click.echo(json.dumps([row.as_dict() for row in rows], indent=2))
    else:
        if not rows:
            click.echo(f"Every listing has been reviewed in the last {limit} months.")
        else:
            click.echo(format_table(rows))
            click.echo(
                f"\n{len(rows)} listing{'s' if len(rows) != 1 else ''} not reviewed in the last "
                f"{limit} months.",
                err=True,
            )
    if report.problems:
        click.echo(
            f"({len(report.invalid_files())} invalid files were skipped; run 'signpost validate'.)",
            err=True,
        )


@click.command()
@click.argument("listing_id", metavar="ID")
@click.option("--by", "by", default=None, help='Who checked it, e.g. "Thanet Link Workers".')
@click.option(
    "--date", "on", default=None, help="The day it was checked (default today), YYYY-MM-DD."
)
@data_option
def review(listing_id: str, by: str | None, on: str | None, data_dir: Path | None) -> None:
    """Stamp a listing as checked: today's date in last_reviewed, and reviewed_by (--by).

    Edits only those two lines of the file, keeping its comments and layout, and only
    when the result is a valid listing.
    """
    from directory.review import ReviewError, stamp_review
    from directory.validation import check_loaded, find_listing_files, parse_date

    settings = settings_for(data_dir)
    vocab = vocabulary_for(settings)
    files, _missing = find_listing_files([settings.services_dir])
    matches = [path for path in files if path.stem == listing_id]
    if not matches:
        raise click.ClickException(
            f"No listing called '{listing_id}' in {settings.services_dir}. The id is the file "
            "name without .yaml; 'signpost stale' lists ids."
        )
    path = matches[0]
    day = date.today()
    if on:
        parsed, message = parse_date(on)
        if message or parsed is None:
            raise click.ClickException(message or f"'{on}' is not a date.")
        day = parsed
    if day > date.today():
        raise click.ClickException("The review date cannot be in the future.")
    original = path.read_bytes().decode("utf-8", errors="strict")
    try:
        stamped = stamp_review(original, day, by)
    except ReviewError as error:
        raise click.ClickException(f"{path}: {error}") from None
    from directory.load import display_path, load_text

    shown = display_path(path)
    loaded = load_text(stamped.text, shown)
    _listing, problems = check_loaded(
        loaded,
        vocab,
        listing_id=path.stem,
        area=path.parent.name,
        source=shown,
        gazetteer=shared_gazetteer(),
    )
    if problems:
        for problem in problems:
            click.echo(str(problem))
        raise click.ClickException(
            "Not stamped: the listing has problems. Fix them (and check it with the group), "
            "then run 'signpost review' again."
        )
    temporary = path.with_name(f".{path.name}.review.tmp")
    temporary.write_bytes(stamped.text.encode("utf-8"))
    temporary.replace(path)
    who = f" by {by}" if by else ""
    click.echo(f"{shown}: reviewed {day.isoformat()}{who}.")


def format_table(rows: list[StaleRow]) -> str:
    headers = ("Listing", "Last reviewed", "Months ago", "Reviewed by", "File")
    table = [headers] + [
        (row.id, row.last_reviewed.isoformat(), str(row.months_ago), row.reviewed_by, row.path)
        for row in rows
    ]
    widths = [max(len(line[i]) for line in table) for i in range(len(headers))]
    lines = [
        "  ".join(cell.ljust(widths[i]) for i, cell in enumerate(line)).rstrip() for line in table
    ]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


@click.command()
@data_option
@click.option(
    "--output",
    "-o",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write to this file instead of printing.",
)
def schema(data_dir: Path | None, output: Path | None) -> None:
    """Print the JSON Schema for listings (for editors that check YAML as you type)."""
    from directory.schema import listing_schema

    text = json.dumps(listing_schema(vocabulary_for(settings_for(data_dir))), indent=2) + "\n"
    if output:
        output.write_text(text, encoding="utf-8")
    else:
        click.echo(text, nl=False)
