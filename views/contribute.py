"""/contribute: "Add your group" and "Suggest a change", for people without a GitHub account.

The form's answers become listing YAML (``directory.listing_form``) and the same validator
that checks pull requests checks it, with the same messages, each shown beside its field and
in an error summary (the NHS.UK and GOV.UK pattern). A valid listing comes back as YAML on the
page, as a download, as a prefilled GitHub "new file" link and as an email to the directory
team. Nothing is stored on the server: every step re-posts the form. POSTs have their own,
tighter rate limit.
"""

from __future__ import annotations

from datetime import date
from urllib.parse import quote, urlencode

from flask import Blueprint, Flask, Response, abort, render_template, request, url_for

from directory.listing_form import (
    MAX_SESSIONS,
    MAX_VENUES,
    Built,
    FieldError,
    ListingForm,
    blank_session,
    blank_venue,
    field_errors,
    to_yaml,
)
from directory.load import load_text
from directory.model import (
    ACCESSIBILITY,
    DAY_NAMES,
    DELIVERY,
    FREQUENCIES,
    ROUTE_LABELS,
    Listing,
)
from directory.validation import check_loaded
from views.common import live, now, settings
from views.shortlist import same_site_request

bp = Blueprint("contribute", __name__, url_prefix="/contribute")

DELIVERY_LABELS = {
    "in-person": "In person",
    "online": "Online (video call or website)",
    "phone": "By phone",
}


def init_app(app: Flask) -> None:
    """Register the form, with a per-client limit on checking (POST) tighter than the site's."""
    app.register_blueprint(bp)
    limiter = app.extensions.get("signpost.limiter")
    if limiter is not None:
        rate = settings(app).site.contribute_rate_limit
        for endpoint in ("contribute.new", "contribute.change"):
            app.view_functions[endpoint] = limiter.limit(rate, methods=["POST"])(
                app.view_functions[endpoint]
            )


def area_folders() -> list[str]:
    """The area folders that exist (data/services/<area>/), for the area question."""
    folder = live().settings.services_dir
    try:
        return sorted(p.name for p in folder.iterdir() if p.is_dir() and not p.name.startswith("."))
    except OSError:
        return []


@bp.route("", methods=["GET", "POST"], strict_slashes=False)
def new() -> str | tuple[str, int] | Response:
    """Add your group: a blank form, or the answers checked."""
    if request.method == "GET":
        form = ListingForm(venues=[blank_venue()], sessions=[blank_session()])
        form.values["status"] = "active"
        return _render(form, editing=None)
    return _post(editing=None)


@bp.route("/<listing_id>", methods=["GET", "POST"])
def change(listing_id: str) -> str | tuple[str, int] | Response:
    """Suggest a change: the published listing in the form, to correct and send."""
    listing = live().listing(listing_id)
    if listing is None:
        abort(404)
    if request.method == "GET":
        gazetteer = live().gazetteer

        def position(postcode: str) -> tuple[float, float] | None:
            place = gazetteer.lookup_postcode(postcode)
            return (place.lat, place.lon) if place is not None else None

        form = ListingForm.from_listing(listing, position)
        form.venues = form.venues or [blank_venue()]
        form.sessions = form.sessions or [blank_session()]
        return _render(form, editing=listing)
    return _post(editing=listing)


def _post(editing: Listing | None) -> str | tuple[str, int] | Response:
    if not same_site_request():
        abort(403)
    form = ListingForm.from_form(request.form, request.form.getlist)
    if editing is not None:
        form.values["listing_id"] = editing.id
        form.values["area"] = editing.area
    action = request.form.get("action", "check")
    if action == "add-venue" and len(form.venues) < MAX_VENUES:
        form.venues.append(blank_venue())
        return _render(form, editing=editing, focus=f"location-{len(form.venues) - 1}-name")
    if action == "add-session" and len(form.sessions) < MAX_SESSIONS:
        form.sessions.append(blank_session())
        return _render(form, editing=editing, focus=f"session-{len(form.sessions) - 1}-days")
    today = now().date()
    built, errors = check(form, today, editing=editing)
    if errors:
        return _render(form, editing=editing, errors=errors, built=built), 400
    if action == "download":
        return Response(
            built.text,
            mimetype="text/yaml",
            headers={
                "Content-Disposition": f'attachment; filename="{form.listing_id}.yaml"',
                "Cache-Control": "no-store",
            },
        )
    return _render(form, editing=editing, built=built, result=_result(form, built, editing))


def check(
    form: ListingForm, today: date, *, editing: Listing | None = None
) -> tuple[Built, list[FieldError]]:
    """The form's YAML and every problem with it, each against its form field."""
    directory = live()
    built = to_yaml(form, today)
    listing_id = form.listing_id
    area = form.get("area")
    path = f"data/services/{area or '<area>'}/{listing_id}.yaml"
    _listing, problems = check_loaded(
        load_text(built.text, path),
        directory.vocabulary,
        listing_id=listing_id,
        area=area,
        source=path,
        gazetteer=directory.gazetteer,
        today=today,
    )
    errors = field_errors(problems, built)
    if editing is None:
        if area not in area_folders():
            errors.append(
                FieldError(
                    "area",
                    "Choose the area where the group meets, or the nearest one, so the "
                    "listing goes in the right folder.",
                )
            )
        existing = directory.listing(listing_id) if form.get("name") else None
        if existing is not None:
            errors.append(
                FieldError(
                    "name",
                    f"There is already a listing called '{existing.name}'. To change it, use "
                    "'Suggest a change' on its page; for another group, give this one its "
                    "own name.",
                )
            )
    order = {name: index for index, name in enumerate(_field_order(form))}
    errors.sort(key=lambda error: order.get(error.field, -1))
    return built, errors


def _field_order(form: ListingForm) -> list[str]:
    names = ["area", "name", "organisation", "description", "status", "needs", "age_min"]
    names += ["age_max", "groups", "eligibility", "routes", "how_to_access", "booking_required"]
    names += ["free", "amount", "cost_details", "phone", "email", "website", "delivery"]
    names += ["national", "areas_served"]
    for i in range(len(form.venues)):
        names += [f"location-{i}-{key}" for key in ("name", "address", "postcode")]
        names += [f"location-{i}-accessibility", f"location-{i}-transport"]
    for i in range(len(form.sessions)):
        names += [f"session-{i}-{key}" for key in ("days", "opens", "closes", "frequency")]
        names += [f"session-{i}-weeks", f"session-{i}-notes"]
    return names + ["bank_holidays", "languages", "reviewed_by"]


def _result(form: ListingForm, built: Built, editing: Listing | None) -> dict[str, str | None]:
    """Where a checked listing can go: GitHub (prefilled) and the directory team's email."""
    site = settings().site
    repo = site.repository_url.rstrip("/")
    branch = site.repository_branch
    path = f"data/services/{form.get('area')}/{form.listing_id}.yaml"
    github = github_edit = None
    if repo:
        if editing is None:
            github = f"{repo}/new/{quote(branch)}?" + urlencode(
                {"filename": path, "value": built.text}, quote_via=quote
            )
        else:
            github_edit = f"{repo}/edit/{quote(branch)}/{quote(path)}"
    email = directory_email()
    mail = None
    if email:
        subject = (
            f"Change to listing: {form.get('name')} ({form.listing_id})"
            if editing is not None
            else f"New listing: {form.get('name')}"
        )
        body = (
            f"Please add this listing to the directory as {path}.\n\n{built.text}"
            if editing is None
            else f"Please replace {path} with this version.\n\n{built.text}"
        )
        mail = f"mailto:{email}?" + urlencode({"subject": subject, "body": body}, quote_via=quote)
    return {"path": path, "github": github, "github_edit": github_edit, "email": mail}


def directory_email() -> str:
    """The directory team's address: SIGNPOST_DIRECTORY_EMAIL (SIGNPOST_REPORT_EMAIL, its
    older name, still works)."""
    return settings().site.team_email


def _render(
    form: ListingForm,
    *,
    editing: Listing | None,
    errors: list[FieldError] | None = None,
    built: Built | None = None,
    result: dict[str, str | None] | None = None,
    focus: str = "",
) -> str:
    vocab = live().vocabulary
    areas = area_folders()
    errors = errors or []
    by_field: dict[str, str] = {}
    for error in errors:
        if error.field and error.field not in by_field:
            by_field[error.field] = error.message
    action = (
        url_for("contribute.change", listing_id=editing.id)
        if editing is not None
        else url_for("contribute.new")
    )
    return render_template(
        "contribute.html",
        form=form,
        editing=editing,
        errors=errors,
        error_list=[
            {"text": error.message, "href": f"#{error.field or 'listing-form'}"} for error in errors
        ],
        field_error=by_field,
        built=built,
        result=result,
        action=action,
        focus=focus,
        area_options=[("", "Choose an area")] + [(a, a.replace("-", " ").title()) for a in areas],
        needs_options=[
            (need.id, need.label) for need in sorted(vocab.needs.values(), key=lambda n: n.label)
        ],
        groups=[(gid, vocab.group_label(gid)) for gid in vocab.groups],
        routes=ROUTE_LABELS,
        delivery_labels={way: DELIVERY_LABELS.get(way, way) for way in DELIVERY},
        accessibility=ACCESSIBILITY,
        day_options=list(DAY_NAMES.items()),
        frequency_options=[(value, value.capitalize()) for value in FREQUENCIES],
        max_venues=MAX_VENUES,
        max_sessions=MAX_SESSIONS,
        directory_email=directory_email(),
        repository_url=settings().site.repository_url,
    )
