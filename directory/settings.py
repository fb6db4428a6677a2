"""Every deployment setting in one typed, frozen object, read once.

A council's or charity's deployment is configured with ``SIGNPOST_*`` environment variables
(see the README's tables). ``Settings.from_env()`` reads them all once, parses each to its
type and refuses a bad value with a message naming the variable and what to write instead,
so a typo stops the app or command at start-up rather than surfacing as a 500 later.
Command-line options and ``create_app(config)`` give overrides, by the same names, that beat
the environment. The app, the views, the command line and the gunicorn workers are then
handed this object; nothing else reads ``os.environ`` for a setting.

Each setting is declared once below, as a dataclass field carrying its variable's name and
its parser, so ``Settings.names()`` lists them all (the README test checks each is
documented).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator, Mapping
from dataclasses import Field, dataclass, field, fields, replace
from pathlib import Path
from typing import Any, TypeVar

PROJECT_ROOT = Path(__file__).resolve().parent.parent

WORKER_CLASSES = ("gevent", "gthread")  # serving.py explains the choice
_ENV = "signpost.env"  # field metadata: the environment variable's name
_PARSE = "signpost.parse"  # field metadata: (name, text) -> value


def data_file(data_dir: str | os.PathLike[str] | None, name: str, bundled: Path) -> Path:
    """A data folder's own copy of ``name`` (needs.yaml, urgent-help.yaml) when it has one,
    else the copy bundled with Signpost."""
    if data_dir is not None:
        candidate = Path(data_dir) / name
        if candidate.is_file():
            return candidate
    return bundled


class SettingError(ValueError):
    """A setting holds something Signpost cannot use; the message says which and why."""


# ---------------------------------------------------------------------------- parsers
# Each takes the variable's name and its (stripped, non-empty) text.

Parser = Callable[[str, str], Any]


def _text(_name: str, value: str) -> str:
    return value


def _path(_name: str, value: str) -> Path:
    return Path(value)


def _whole(minimum: int, maximum: int | None = None, message: str = "") -> Parser:
    """A whole number from ``minimum`` (to ``maximum``); ``message`` replaces the range's."""

    def parse(name: str, value: str) -> int:
        try:
            number = int(value)
        except ValueError:
            raise SettingError(
                message.format(name=name, value=value)
                or f"{name} must be a whole number, not {value!r}."
            ) from None
        if number < minimum or (maximum is not None and number > maximum):
            raise SettingError(
                message.format(name=name, value=value)
                or (
                    f"{name} must be at least {minimum}."
                    if maximum is None
                    else f"{name} must be from {minimum} to {maximum}."
                )
            )
        return number

    return parse


def _shortlist_minutes(name: str, value: str) -> int:
    try:
        minutes = int(value)
    except ValueError:
        raise SettingError(f"{name} must be a whole number of minutes, not {value!r}.") from None
    if not 1 <= minutes <= 24 * 60:
        raise SettingError(f"{name} must be from 1 to 1440 (a day).")
    return minutes


def _at_least_one(name: str, value: str) -> int:
    if not value.isdigit() or int(value) < 1:
        raise SettingError(f"{name} must be a whole number from 1, not {value!r}.")
    return int(value)


def _seconds(name: str, value: str) -> float:
    try:
        seconds = float(value)
    except ValueError:
        seconds = -1.0
    if not 0 < seconds <= 3600:
        raise SettingError(f"{name} must be a number of seconds from 0 to 3600, not {value!r}.")
    return seconds


def _on_off(name: str, value: str) -> bool:
    switch = value.lower()
    if switch not in ("on", "off"):
        raise SettingError(f"{name} must be 'on' or 'off', not {switch!r}.")
    return switch == "on"


def _switch(name: str, value: str) -> bool:
    """on/off, also true/false, yes/no, 1/0."""
    switch = value.lower()
    if switch in ("on", "true", "yes", "1"):
        return True
    if switch in ("off", "false", "no", "0"):
        return False
    raise SettingError(f"{name} must be 'on' or 'off', not {value!r}.")


def _worker_class(name: str, value: str) -> str:
    if value not in WORKER_CLASSES:
        raise SettingError(f"{name} must be one of {', '.join(WORKER_CLASSES)}, not {value!r}.")
    return value


T = TypeVar("T")


def _setting(env: str, default: T, parse: Parser = _text) -> T:
    """A field read from ``env`` with ``parse``; unset or empty keeps ``default``."""
    made: T = field(default=default, metadata={_ENV: env, _PARSE: parse})
    return made


# ---------------------------------------------------------------------------- the settings


@dataclass(frozen=True)
class SiteSettings:
    """What the website shows and how it protects itself (views/, app.py)."""

    service_name: str = _setting("SIGNPOST_SERVICE_NAME", "Signpost")
    organisation_name: str = _setting("SIGNPOST_ORGANISATION_NAME", "")
    logo: str = _setting("SIGNPOST_LOGO", "")  # "nhs", or an image URL/path
    directory_email: str = _setting("SIGNPOST_DIRECTORY_EMAIL", "")
    report_email: str = _setting("SIGNPOST_REPORT_EMAIL", "")  # directory_email's older name
    repository_url: str = _setting("SIGNPOST_REPOSITORY_URL", "")
    repository_branch: str = _setting("SIGNPOST_REPOSITORY_BRANCH", "main")
    public_url: str = _setting("SIGNPOST_PUBLIC_URL", "")
    trusted_hosts: str = _setting("SIGNPOST_TRUSTED_HOSTS", "")
    proxy_count: int = _setting("SIGNPOST_PROXY_COUNT", 0, _whole(0))
    map_tiles: str = _setting("SIGNPOST_MAP_TILES", "")
    # Generous, because a whole PCN team often shares one public IP address; per client.
    rate_limit: str = _setting("SIGNPOST_RATE_LIMIT", "600 per minute;60 per second")
    rate_limit_storage: str = _setting("SIGNPOST_RATE_LIMIT_STORAGE", "")  # "": SQLite file
    feedback_rate_limit: str = _setting("SIGNPOST_FEEDBACK_RATE_LIMIT", "20 per hour;5 per minute")
    contribute_rate_limit: str = _setting(
        "SIGNPOST_CONTRIBUTE_RATE_LIMIT", "10 per minute;60 per hour"
    )
    snomed_codes: str = _setting("SIGNPOST_SNOMED_CODES", "")  # checked by views/record.py
    shortlist_max_minutes: int = _setting("SIGNPOST_SHORTLIST_MAX_MINUTES", 60, _shortlist_minutes)
    insights: bool = _setting("SIGNPOST_INSIGHTS", True, _on_off)
    database_url: str = _setting("SIGNPOST_DATABASE_URL", "")  # checked by views/insights.py
    suppress_below: int = _setting("SIGNPOST_SUPPRESS_BELOW", 5, _at_least_one)
    insights_flush_seconds: float = _setting("SIGNPOST_INSIGHTS_FLUSH_SECONDS", 5.0, _seconds)

    @property
    def team_email(self) -> str:
        """The directory team's address (``report_email``, its older name, still works)."""
        return self.directory_email or self.report_email


@dataclass(frozen=True)
class ServeSettings:
    """How ``signpost serve`` runs gunicorn (serving.py)."""

    workers: int | None = _setting("SIGNPOST_WORKERS", None, _whole(1))  # None: one per core
    threads: int = _setting("SIGNPOST_THREADS", 2, _whole(1))
    worker_class: str = _setting("SIGNPOST_WORKER_CLASS", "gevent", _worker_class)
    access_log: bool = _setting("SIGNPOST_ACCESS_LOG", True, _switch)


@dataclass(frozen=True)
class Settings:
    """Where the listings and the index live, and every other deployment choice."""

    data_dir: Path = field(
        default_factory=lambda: PROJECT_ROOT / "data",
        metadata={_ENV: "SIGNPOST_DATA", _PARSE: _path},
    )
    index_dir: Path = field(
        default_factory=lambda: PROJECT_ROOT / "instance" / "index",
        metadata={_ENV: "SIGNPOST_INDEX", _PARSE: _path},
    )
    stale_months: int = _setting("SIGNPOST_STALE_MONTHS", 12, _whole(1))
    geocoder: str | None = _setting("SIGNPOST_GEOCODER", None)  # "nominatim"; None: offline
    geocoder_user_agent: str = _setting("SIGNPOST_GEOCODER_USER_AGENT", "")
    home_area: str | None = _setting("SIGNPOST_HOME_AREA", None)  # e.g. "CT9" ("Minster")
    postcode_cache: Path | None = _setting("SIGNPOST_POSTCODE_CACHE", None, _path)
    site: SiteSettings = field(default_factory=SiteSettings)
    serve: ServeSettings = field(default_factory=ServeSettings)

    @property
    def services_dir(self) -> Path:
        return self.data_dir / "services"

    @classmethod
    def from_env(
        cls,
        data_dir: str | os.PathLike[str] | None = None,
        index_dir: str | os.PathLike[str] | None = None,
        *,
        overrides: Mapping[str, object] | None = None,
        environ: Mapping[str, str] | None = None,
    ) -> Settings:
        """The environment's settings (``os.environ`` unless ``environ``), then ``overrides``
        by variable name (command-line options, ``create_app`` config), then the folders.

        Raises ``SettingError`` for the first value that cannot be used.
        """
        env = os.environ if environ is None else environ
        folders = {"SIGNPOST_DATA": data_dir, "SIGNPOST_INDEX": index_dir}
        return (
            cls()
            .updated({name: env[name] for name in cls.names() if name in env})
            .updated(overrides or {})
            .updated(folders)
        )

    def updated(self, values: Mapping[str, object]) -> Settings:
        """A copy with ``values`` (by variable name) parsed in; None or "" leaves one as is."""
        return _updated(self, values)

    @classmethod
    def names(cls) -> list[str]:
        """Every ``SIGNPOST_*`` variable a deployment can set, in declaration order."""
        return [name for name, _path_to in _leaves(cls)]


# ---------------------------------------------------------------------------- reading

S = TypeVar("S")


def _leaves(cls: type, trail: tuple[str, ...] = ()) -> Iterator[tuple[str, tuple[str, ...]]]:
    """(variable name, attribute path) for each setting of ``cls`` and its groups."""
    for item in fields(cls):
        if _ENV in item.metadata:
            yield item.metadata[_ENV], (*trail, item.name)
        else:
            yield from _leaves(_group_type(item), (*trail, item.name))


def _group_type(item: Field[Any]) -> type:
    factory = item.default_factory
    assert callable(factory), f"{item.name} is neither a setting nor a group of settings"
    made = factory()
    return type(made)


def _field(cls: type, name: str) -> Field[Any]:
    return next(item for item in fields(cls) if item.name == name)


def _updated(settings: S, values: Mapping[str, object]) -> S:
    changes: dict[str, Any] = {}
    groups: dict[str, dict[str, object]] = {}
    for name, trail in _leaves(type(settings)):
        raw = values.get(name)
        if raw is None:
            continue
        text = str(raw).strip()
        if not text:
            continue
        if len(trail) == 1:
            parse: Parser = _field(type(settings), trail[0]).metadata[_PARSE]
            changes[trail[0]] = parse(name, text)
        else:
            groups.setdefault(trail[0], {})[name] = text
    for group, group_values in groups.items():
        changes[group] = _updated(getattr(settings, group), group_values)
    return replace(settings, **changes) if changes else settings  # type: ignore[type-var]
