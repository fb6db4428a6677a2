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

from directory.settings import SettingError, Settings
from directory.stale import stale_listings
from directory.vocabulary import VocabularyError, load_vocabulary, vocabulary_path
from insights.cli import report as report_command

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


def _settings(
    data_dir: Path | None = None, index_dir: Path | None = None, **overrides: object
) -> Settings:
    """The settings, read once: options (``overrides`` by variable name) beat the environment."""
    try:
        return Settings.from_env(data_dir, index_dir, overrides=overrides)
    except SettingError as error:
        raise click.ClickException(str(error)) from None


def _vocabulary(settings: Settings):
    try:
        return load_vocabulary(vocabulary_path(settings.data_dir))
    except (OSError, VocabularyError) as error:
        raise click.ClickException(str(error)) from error


_GAZETTEER = None


def _gazetteer():
    """The deployment's gazetteer (offline; home area and online fallback from settings)."""
    global _GAZETTEER
    if _GAZETTEER is None:
        from search.live import gazetteer_for

        _GAZETTEER = gazetteer_for(_settings())
    return _GAZETTEER


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
def main() -> None:
    """Signpost: a community-asset directory for social prescribing."""


@main.command()
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

    settings = _settings(data_dir)
    vocab = _vocabulary(settings)
    urgent_files = [path for path in paths if path.name == FILE_NAME and path.is_file()]
    if not paths:
        urgent_files = [urgent_help_path(settings.data_dir)]
    urgent_ok = [_urgent_help_ok(path, vocab) for path in urgent_files]
    targets = [path for path in paths if path not in urgent_files]
    if paths and not targets:
        sys.exit(0 if all(urgent_ok) else 1)
    report = validate_paths(targets or [settings.services_dir], vocab, gazetteer=_gazetteer())
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


def _urgent_help_ok(path: Path, vocab) -> bool:
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

    settings = _settings(data_dir)
    vocab = _vocabulary(settings)
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


@main.command()
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

    settings = _settings(data_dir)
    vocab = _vocabulary(settings)
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
        gazetteer=_gazetteer(),
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


@main.command()
@data_option
@index_option
@click.option("--quiet", "-q", is_flag=True, help="No progress bar.")
def index(data_dir: Path | None, index_dir: Path | None, quiet: bool) -> None:
    """Validate every listing, then build the search index and make it live.

    If any listing is invalid nothing is changed: the live index keeps serving the last
    good build, and the problems are listed so they can be fixed.
    """
    from search.buildlock import IndexLocked, NotEnoughSpace
    from search.publish import publish

    settings = _settings(data_dir, index_dir)
    _vocabulary(settings)  # a broken needs.yaml is reported as a clear error first
    show_bar = not quiet and sys.stderr.isatty()
    bar = click.progressbar(length=0, label="Indexing", file=sys.stderr) if show_bar else None
    done = 0

    def progress(number: int, total: int) -> None:
        nonlocal done
        if bar is not None:
            bar.length = total
            bar.update(number - done)
        done = number

    try:
        published = publish(settings, _gazetteer(), progress=progress)
    except (IndexLocked, NotEnoughSpace) as error:
        raise click.ClickException(str(error)) from error
    finally:
        if bar is not None and done:
            bar.render_finish()
    if published.problems:
        for problem in published.problems:
            click.echo(str(problem))
        files = len({p.path for p in published.problems})
        click.echo(
            f"Not indexed: {files} listing file{'s' if files != 1 else ''} "
            f"{'have' if files != 1 else 'has'} problems (above). The live index was not "
            "changed. Fix them and run 'signpost index' again.",
            err=True,
        )
        sys.exit(1)
    info = published.info
    if info is None:
        click.echo(f"No listings found in {settings.services_dir}; nothing to index.", err=True)
        sys.exit(1)
    click.echo(
        f"Indexed {info.count} listings in {info.seconds:.1f}s: build {info.build_id} is now "
        f"live at {settings.index_dir}."
    )


@main.command("search")
@click.argument("query", required=False, default="")
@click.option("--near", default="", help="Postcode, postcode district or town.")
@click.option("--radius", type=float, default=None, help="Miles from --near (default 5).")
@click.option("--free", is_flag=True, help="Free services only.")
@click.option("--step-free", is_flag=True, help="Step-free (wheelchair) access only.")
@click.option("--day", multiple=True, help="Day it runs: mon, tue, ... (repeatable).")
@click.option("--open-now", is_flag=True, help="Running right now.")
@click.option("--age", type=int, default=None, help="The person's age.")
@click.option("--access", multiple=True, help="self-referral, professional-referral or drop-in.")
@click.option("--delivery", multiple=True, help="in-person, online or phone.")
@click.option("--need", multiple=True, help="Need id from data/needs.yaml (repeatable).")
@click.option("--local-only", is_flag=True, help="Leave out online, phone and national services.")
@click.option("--exact", is_flag=True, help="Take the words as typed: no typo correction.")
@click.option("--page", type=int, default=1)
@click.option("--per-page", type=int, default=10)
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@data_option
@index_option
def search_command(
    query: str,
    near: str,
    radius,
    free,
    step_free,
    day,
    open_now,
    age,
    access,
    delivery,
    need,
    local_only,
    exact,
    page,
    per_page,
    as_json,
    data_dir,
    index_dir,
):
    """Search the index as the site does, e.g. signpost search "lonely" --near CT9."""
    from directory.urgent import UrgentHelpError, current_urgent_help
    from search.engine import NoIndex, SearchIndex, search
    from search.present import response_to_dict
    from search.request import parse_request

    settings = _settings(data_dir, index_dir)
    vocab = _vocabulary(settings)
    args = {
        "q": query,
        "near": near,
        "radius": None if radius is None else str(radius),
        "free": str(free),
        "step_free": str(step_free),
        "day": list(day),
        "open_now": str(open_now),
        "age": None if age is None else str(age),
        "access": list(access),
        "delivery": list(delivery),
        "need": list(need),
        "local_only": str(local_only),
        "exact": str(exact),
        "page": str(page),
        "per_page": str(per_page),
    }
    parsed = parse_request(args, tuple(vocab.needs))
    if parsed.errors:
        raise click.UsageError(" ".join(error.message for error in parsed.errors))
    try:
        urgent_help = current_urgent_help(settings.data_dir)
    except (OSError, UrgentHelpError) as error:
        raise click.ClickException(str(error)) from error
    try:
        response = search(
            SearchIndex(settings.index_dir),
            parsed.request,
            vocab,
            _gazetteer(),
            urgent_help=urgent_help,
        )
    except NoIndex as error:
        raise click.ClickException(str(error)) from error
    if as_json:
        click.echo(json.dumps(response_to_dict(response, vocab), indent=2))
        return
    if response.urgent:
        click.echo(format_urgent(response.urgent))
    if response.place_problem:
        click.echo(response.place_problem, err=True)
    if response.place:
        where = response.place.label + (f" ({response.place.note})" if response.place.note else "")
        click.echo(f"Near {where}, within {parsed.request.radius_miles:g} miles")
    if response.did_you_mean:
        click.echo(f"Showing results for: {response.did_you_mean}")
    if response.search_instead:
        click.echo(f"Search instead for: {response.search_instead} (add --exact)")
    if response.unclear:
        click.echo(response.unclear)
        click.echo("Browse by need with --need ID: " + ", ".join(vocab.needs))
    click.echo(f"{response.total} result{'s' if response.total != 1 else ''}")
    for hit in response.hits:
        distance = "online/phone" if hit.distance_miles is None else f"{hit.distance_miles:.1f} mi"
        served = ""
        if hit.distance_miles is None and hit.listing.areas_served and not hit.listing.locations:
            distance = "area"  # "Serves Bristol: by phone", ranked as search.ranking says
            served = "  (serves " + ", ".join(hit.listing.areas_served) + ")"
        click.echo(f"  {hit.score:6.3f}  {distance:>12}  {hit.id}  {hit.name}{served}")
    for option in response.wider:
        click.echo(f"Try: {option.description} ({option.count} found)")
    for item in response.missing:  # "No diabetes group meets on Tuesday. (Show all days: 2)"
        click.echo(item.text + (f" ({item.action}: {item.count} found)" if item.action else ""))
    if response.place and response.local_nearby == 0:
        miles = f"{parsed.request.radius_miles:g}"
        click.echo(f"No local listings within {miles} miles.")
        if response.covered_areas:
            covered = "; ".join(area.describe() for area in response.covered_areas)
            click.echo(f"Local listings cover: {covered}")


def format_urgent(panel) -> str:
    """The urgent-help panel as text, printed before any result."""
    rule = "=" * 60
    lines = [rule, "GET HELP NOW"]
    lines += [topic.advice for topic in panel.topics]
    for group in panel.groups:
        lines.append(f"{group.label}:")
        for line in group.lines:
            ways = [f"call {line.call}"] if line.call else []
            if line.text:
                ways.append(f"text {line.text_word} to {line.text}")
            lines.append(f"  {line.name}: {' or '.join(ways)}. {line.about}")
    lines.append(rule)
    return "\n".join(lines)


@main.command()
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
def serve(host, port, workers, threads, data_dir, index_dir) -> None:
    """Serve the site and API with gunicorn (for production; make run uses it too).

    Build the index first with 'signpost index'; a running server picks up each new build
    by itself, so publishing changes never needs a restart.
    """
    from search.build import current_build
    from serving import default_workers, run_gunicorn

    settings = _settings(data_dir, index_dir, SIGNPOST_WORKERS=workers, SIGNPOST_THREADS=threads)
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

    def factory():
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


@main.command()
@click.argument("place")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def geocode(place: str, as_json: bool) -> None:
    """Show where a postcode, district or town resolves to (offline)."""
    gazetteer = _gazetteer()
    found = gazetteer.resolve(place)
    if found is None:
        suggestions = list(gazetteer.suggest(place))
        hint = f" Did you mean: {', '.join(suggestions)}?" if suggestions else ""
        raise click.ClickException(f"Could not find '{place}'.{hint}")
    if as_json:
        from dataclasses import asdict

        click.echo(json.dumps(asdict(found), indent=2))
        return
    click.echo(f"{found.label}: {found.lat:.5f}, {found.lon:.5f} ({found.kind})")
    if found.note:
        click.echo(found.note)


# --------------------------------------------------------------------------- open data


def _export_listings(settings: Settings, vocab):
    """The listings to export: the live index if built, else the validated data folder."""
    from search.build import locate
    from search.engine import NoIndex
    from search.live import LiveDirectory

    try:
        directory = LiveDirectory(settings, _gazetteer())
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

    gazetteer = _gazetteer()
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


@main.command()
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

    settings = _settings(data_dir, index_dir)
    vocab = _vocabulary(settings)
    listings = _export_listings(settings, vocab)
    if fmt == "csv":
        text = listings_to_csv(listings, vocab)
    else:
        gazetteer = _gazetteer()

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


@main.command("import")
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

    settings = _settings(data_dir)
    vocab = _vocabulary(settings)
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
            gazetteer=_gazetteer(),
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


def _report_import(plans: list, vocab, dry_run: bool) -> int:
    """Print each listing's notes, changes and validation problems; return how many are bad."""
    from directory.validation import validate_file

    gazetteer = _gazetteer()
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


def _import_summary(plans: list, folder: Path, invalid: int, dry_run: bool) -> None:
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


main.add_command(report_command)  # signpost report: insights/cli.py


if __name__ == "__main__":  # pragma: no cover
    main()
