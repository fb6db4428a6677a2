"""``signpost index``, ``search`` and ``geocode``: build the index and ask it what the site asks.

The same ``search()`` the site and API call, so the command line gives the same answers.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from cli.common import data_option, index_option, settings_for, shared_gazetteer, vocabulary_for
from directory.urgent import UrgentPanel

if TYPE_CHECKING:
    from directory.vocabulary import Vocabulary
    from search.engine import SearchResponse
    from search.request import SearchRequest


@click.command()
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

    settings = settings_for(data_dir, index_dir)
    vocabulary_for(settings)  # a broken needs.yaml is reported as a clear error first
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
        published = publish(settings, shared_gazetteer(), progress=progress)
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


@click.command("search")
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
    radius: float | None,
    free: bool,
    step_free: bool,
    day: tuple[str, ...],
    open_now: bool,
    age: int | None,
    access: tuple[str, ...],
    delivery: tuple[str, ...],
    need: tuple[str, ...],
    local_only: bool,
    exact: bool,
    page: int,
    per_page: int,
    as_json: bool,
    data_dir: Path | None,
    index_dir: Path | None,
) -> None:
    """Search the index as the site does, e.g. signpost search "lonely" --near CT9."""
    from directory.urgent import UrgentHelpError, current_urgent_help
    from search.engine import search
    from search.request import parse_request
    from search.response_dict import response_to_dict
    from search.snapshot import NoIndex, SearchIndex

    settings = settings_for(data_dir, index_dir)
    vocab = vocabulary_for(settings)
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
            shared_gazetteer(),
            urgent_help=urgent_help,
        )
    except NoIndex as error:
        raise click.ClickException(str(error)) from error
    if as_json:
        click.echo(json.dumps(response_to_dict(response, vocab), indent=2))
        return
    echo_response(response, parsed.request, vocab)


def echo_response(response: SearchResponse, request: SearchRequest, vocab: Vocabulary) -> None:
    """The search as text: urgent help first, then where, the results and what else to try."""
    if response.urgent:
        click.echo(format_urgent(response.urgent))
    if response.place_problem:
        click.echo(response.place_problem, err=True)
    if response.place:
        where = response.place.label + (f" ({response.place.note})" if response.place.note else "")
        click.echo(f"Near {where}, within {request.radius_miles:g} miles")
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
        miles = f"{request.radius_miles:g}"
        click.echo(f"No local listings within {miles} miles.")
        if response.covered_areas:
            covered = "; ".join(area.describe() for area in response.covered_areas)
            click.echo(f"Local listings cover: {covered}")


def format_urgent(panel: UrgentPanel) -> str:
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


@click.command()
@click.argument("place")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def geocode(place: str, as_json: bool) -> None:
    """Show where a postcode, district or town resolves to (offline)."""
    gazetteer = shared_gazetteer()
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
