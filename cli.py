"""The ``signpost`` command: validate, report, index, search and serve a folder of listings.

Each command is a thin shell over functions in ``directory`` and ``search``, so the site, the
API and the command line always give the same answers.
"""

from __future__ import annotations

import json
import sys
from datetime import date
from pathlib import Path

import click

from directory.settings import Settings
from directory.stale import stale_listings
from directory.vocabulary import VocabularyError, load_vocabulary, vocabulary_path

data_option = click.option(
    "--data",
    "data_dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="Folder holding services/ and (optionally) needs.yaml. [env: SIGNPOST_DATA]",
)
index_option = click.option(
    "--index",
    "index_dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="Folder where the search index is kept. [env: SIGNPOST_INDEX]",
)


def _settings(data_dir: Path | None, index_dir: Path | None = None) -> Settings:
    return Settings.from_env(data_dir, index_dir)


def _vocabulary(settings: Settings):
    try:
        return load_vocabulary(vocabulary_path(settings.data_dir))
    except (OSError, VocabularyError) as error:
        raise click.ClickException(str(error)) from error


def _gazetteer():
    from directory.geocode import default_gazetteer

    return default_gazetteer()


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
def main() -> None:
    """Signpost: a community-asset directory for social prescribing."""


@main.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@data_option
def validate(paths: tuple[Path, ...], data_dir: Path | None) -> None:
    """Check listing files and say exactly what to fix.

    PATHS are files or folders (default: the data folder's services/). Prints one line per
    problem as path:line:column: message, and exits 1 if there are any.
    """
    from directory.validate import validate_paths

    settings = _settings(data_dir)
    vocab = _vocabulary(settings)
    targets = list(paths) or [settings.services_dir]
    report = validate_paths(targets, vocab, gazetteer=_gazetteer())
    for problem in report.problems:
        click.echo(str(problem))
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


@main.command()
@data_option
@click.option(
    "--months",
    type=click.IntRange(min=1),
    default=None,
    help="Report listings not reviewed for this many months. "
    "[env: SIGNPOST_STALE_MONTHS; default 12]",
)
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
def stale(data_dir: Path | None, months: int | None, as_json: bool) -> None:
    """List listings whose last review is older than the limit, oldest first."""
    from directory.validate import validate_paths

    settings = _settings(data_dir)
    vocab = _vocabulary(settings)
    report = validate_paths([settings.services_dir], vocab)
    limit = months or settings.stale_months
    rows = stale_listings(report.listings, months=limit, today=date.today())
    if as_json:
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


def format_table(rows) -> str:
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


@main.command()
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

    text = json.dumps(listing_schema(_vocabulary(_settings(data_dir))), indent=2) + "\n"
    if output:
        output.write_text(text, encoding="utf-8")
    else:
        click.echo(text, nl=False)


if __name__ == "__main__":  # pragma: no cover
    main()
