"""The insights store: two tables of counts, a schema version and ordered migrations.

Counts are aggregated as they are written: each row is one (week, area, need) or one
(week, listing, event) with a running total, raised by an UPSERT (``count = count + n``).
There is never a row per person or per request, and no column could hold a query, an IP
address, a cookie or a user agent.

SQLite (WAL mode, under ``instance/``) by default; PostgreSQL when ``SIGNPOST_DATABASE_URL``
is set, so several app servers share one store. SQLAlchemy Core keeps the SQL the same.
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import (
    Column,
    Engine,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    bindparam,
    create_engine,
    event,
    func,
    select,
    text,
)
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import Connection, make_url
from sqlalchemy.exc import ArgumentError, IntegrityError, OperationalError, SQLAlchemyError
from sqlalchemy.schema import CreateIndex, CreateTable
from sqlalchemy.sql.elements import ColumnElement

log = logging.getLogger(__name__)

DEFAULT_FILE = "insights.sqlite3"
SQLITE_BUSY_MS = 2000  # a writer waits this long for another's lock, then gives up this flush
PG_CONNECT_SECONDS = 3
MIGRATE_ATTEMPTS = 5

# What can happen to a listing, counted per week. The feedback answers are events too.
LISTING_EVENTS = (
    "shown",  # in the first 10 results of a search
    "opened",  # its page was opened
    "shortlisted",  # added to a shortlist
    "handout",  # on a printed handout or a text/email
    "went-yes",  # feedback: "Did you go?" Yes
    "went-not-yet",  # Not yet
    "went-no",  # No, it wasn't right for me
    "helpful-yes",  # "Was it helpful?" Yes
    "helpful-no",  # No
)

metadata = MetaData()

schema_version = Table(
    "schema_version",
    metadata,
    Column("version", Integer, primary_key=True, autoincrement=False),
    Column("description", String(200), nullable=False),
    Column("applied", String(32), nullable=False),
)

search_counts = Table(
    "search_counts",
    metadata,
    Column("week", String(10), primary_key=True),  # the ISO week's Monday, 2026-11-23
    Column("district", String(8), primary_key=True),  # CT9, or none / other / unknown
    Column("need", String(64), primary_key=True),  # a need id, or none
    Column("channel", String(8), primary_key=True),  # site | api
    Column("searches", Integer, nullable=False),
    Column("no_local", Integer, nullable=False),  # searches that found no local service
)

listing_counts = Table(
    "listing_counts",
    metadata,
    Column("week", String(10), primary_key=True),
    Column("listing_id", String(100), primary_key=True),
    Column("event", String(24), primary_key=True),
    Column("count", Integer, nullable=False),
)

listing_week = Index(
    "listing_counts_by_listing", listing_counts.c.listing_id, listing_counts.c.week
)

# A service page's figures: one listing's counts by event since a week. Built once: making
# the expression cost about as much as running it (SQLAlchemy then reuses its compiled form).
ONE_LISTING = (
    select(listing_counts.c.event, func.sum(listing_counts.c.count))
    .where(
        listing_counts.c.listing_id == bindparam("listing_id"),
        listing_counts.c.week >= bindparam("since"),
    )
    .group_by(listing_counts.c.event)
)


@dataclass(frozen=True)
class Migration:
    version: int
    description: str
    apply: Callable[[Connection], None]


def _create_count_tables(conn: Connection) -> None:
    conn.execute(CreateTable(search_counts, if_not_exists=True))
    conn.execute(CreateTable(listing_counts, if_not_exists=True))


def _index_listing_figures(conn: Connection) -> None:
    conn.execute(CreateIndex(listing_week, if_not_exists=True))


# Ordered steps; a store records each one it has applied. Never edit a released step: add one.
MIGRATIONS: tuple[Migration, ...] = (
    Migration(1, "Weekly search and listing counts", _create_count_tables),
    Migration(
        2,
        "Index listing counts by listing, for each service page's figures",
        _index_listing_figures,
    ),
)
SCHEMA_VERSION = MIGRATIONS[-1].version


class StoreError(RuntimeError):
    """The store cannot be opened or used; the message says why in plain words."""


def default_url(instance_dir: str | os.PathLike[str]) -> str:
    return "sqlite:///" + str(Path(instance_dir).resolve() / DEFAULT_FILE)


def database_url(value: str) -> str:
    """A SQLAlchemy URL from a setting or option: a URL as it is, a file path made one."""
    value = value.strip()
    if "://" in value:
        if value.startswith(("postgres://", "postgresql://")):
            # Use psycopg 3 (the pinned driver) whatever the URL's scheme says.
            value = "postgresql+psycopg://" + value.split("://", 1)[1]
        return value
    return "sqlite:///" + str(Path(value).expanduser().resolve())


def _sqlite_path(url: str) -> Path | None:
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or not parsed.database:
        return None
    return Path(parsed.database)


def make_engine(url: str, *, readonly: bool = False, busy_ms: int = SQLITE_BUSY_MS) -> Engine:
    """An engine with short timeouts: a busy or missing store must fail fast, never hang."""
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise StoreError(f"Not a database URL: {url!r}.") from None
    backend = parsed.get_backend_name()
    if backend == "sqlite":
        path = _sqlite_path(url)
        if path is None:
            raise StoreError("The SQLite store needs a file path, not an in-memory database.")
        if readonly:
            uri = f"sqlite:///file:{path}?mode=ro&uri=true"
            engine = create_engine(uri, connect_args={"timeout": busy_ms / 1000})
        else:
            try:
                path.parent.mkdir(parents=True, exist_ok=True)
            except OSError as error:
                raise StoreError(f"Cannot make the folder for {path}: {error.strerror}.") from None
            engine = create_engine(url, connect_args={"timeout": busy_ms / 1000})

        @event.listens_for(engine, "connect")
        def _pragmas(dbapi_conn: Any, _record: Any) -> None:
            cursor = dbapi_conn.cursor()
            cursor.execute(f"PRAGMA busy_timeout = {int(busy_ms)}")
            if not readonly:
                # WAL: readers (the report, service pages) never wait for the writer.
                cursor.execute("PRAGMA journal_mode = WAL")
                cursor.execute("PRAGMA synchronous = NORMAL")
            cursor.close()

        return engine
    if backend == "postgresql":
        return create_engine(
            url,
            pool_pre_ping=True,
            pool_size=2,
            max_overflow=2,
            pool_timeout=PG_CONNECT_SECONDS,
            connect_args={
                "connect_timeout": PG_CONNECT_SECONDS,
                "application_name": "signpost-insights",
                # No query may hold a request (or the writer thread) for long.
                "options": f"-c statement_timeout={max(int(busy_ms), 1000)}",
            },
        )
    raise StoreError(f"Insights can be kept in SQLite or PostgreSQL, not {backend}.")


class Store:
    """One insights database. ``open()`` migrates it; ``readonly`` only checks its version."""

    def __init__(self, url: str, *, readonly: bool = False, busy_ms: int = SQLITE_BUSY_MS) -> None:
        self.url = url
        self.readonly = readonly
        self.engine = make_engine(url, readonly=readonly, busy_ms=busy_ms)
        self.dialect = self.engine.dialect.name

    @classmethod
    def open(cls, url: str, *, readonly: bool = False, busy_ms: int = SQLITE_BUSY_MS) -> Store:
        """Open (and, unless ``readonly``, create or migrate) the store at ``url``."""
        store = cls(url, readonly=readonly, busy_ms=busy_ms)
        try:
            if readonly:
                store.check_version()
            else:
                store.migrate()
        except SQLAlchemyError as error:
            store.close()
            raise StoreError(describe_error(error, url)) from error
        except StoreError:
            store.close()
            raise
        return store

    def close(self) -> None:
        self.engine.dispose()

    # ---- Schema ---------------------------------------------------------------------------

    def version(self, conn: Connection | None = None) -> int:
        if conn is None:
            with self.engine.connect() as own:
                return self.version(own)
        if not self.engine.dialect.has_table(conn, "schema_version"):
            return 0
        return int(conn.execute(select(func.max(schema_version.c.version))).scalar() or 0)

    def check_version(self) -> None:
        found = self.version()
        if found == 0:
            raise StoreError(f"{redact(self.url)} holds no Signpost insights.")
        if found > SCHEMA_VERSION:
            raise StoreError(
                f"{redact(self.url)} was written by a newer Signpost (schema {found}, this "
                f"one knows {SCHEMA_VERSION}): upgrade Signpost to read it."
            )

    def migrate(self) -> int:
        """Apply each step this store lacks, in order; safe when two servers start at once.

        PostgreSQL serialises migrations with an advisory lock. SQLite's writers can still
        collide (two processes both find version 0, or one's lock upgrade is refused): every
        step is idempotent, so the loser simply tries again and finds the work done.
        """
        for attempt in range(MIGRATE_ATTEMPTS):
            try:
                return self._migrate_once()
            except (IntegrityError, OperationalError) as error:
                collided = isinstance(error, IntegrityError) or "locked" in str(error).lower()
                if not collided or attempt == MIGRATE_ATTEMPTS - 1:
                    raise
                time.sleep(0.05 * (attempt + 1))
        raise AssertionError("unreachable")  # pragma: no cover

    def _migrate_once(self) -> int:
        with self.engine.begin() as conn:
            if self.dialect == "postgresql":
                # One server migrates at a time; the lock ends with the transaction.
                conn.execute(text("SELECT pg_advisory_xact_lock(7365912)"))
            conn.execute(CreateTable(schema_version, if_not_exists=True))
            current = self.version(conn)
            if current > SCHEMA_VERSION:
                raise StoreError(
                    f"The insights store has schema {current}, newer than this Signpost "
                    f"({SCHEMA_VERSION}). Upgrade Signpost, or point it at another store."
                )
            for step in MIGRATIONS:
                if step.version <= current:
                    continue
                step.apply(conn)
                conn.execute(
                    schema_version.insert().values(
                        version=step.version,
                        description=step.description,
                        applied=datetime.now(UTC).isoformat(timespec="seconds"),
                    )
                )
        return SCHEMA_VERSION

    # ---- Writing --------------------------------------------------------------------------

    def _insert(self, table: Table) -> Any:  # either dialect's Insert: both upsert alike
        return (pg_insert if self.dialect == "postgresql" else sqlite_insert)(table)

    def add(
        self,
        searches: Mapping[tuple[str, str, str, str], tuple[int, int]],
        listings: Mapping[tuple[str, str, str], int],
    ) -> None:
        """Add counts in one transaction: ``(week, district, need, channel) -> (n, no_local)``
        and ``(week, listing id, event) -> n``."""
        search_rows = [
            {"week": w, "district": d, "need": n, "channel": c, "searches": s, "no_local": z}
            for (w, d, n, c), (s, z) in sorted(searches.items())
        ]
        listing_rows = [
            {"week": w, "listing_id": i, "event": e, "count": n}
            for (w, i, e), n in sorted(listings.items())
        ]
        with self.engine.begin() as conn:
            if search_rows:
                stmt = self._insert(search_counts)
                stmt = stmt.on_conflict_do_update(
                    index_elements=["week", "district", "need", "channel"],
                    set_={
                        "searches": search_counts.c.searches + stmt.excluded.searches,
                        "no_local": search_counts.c.no_local + stmt.excluded.no_local,
                    },
                )
                conn.execute(stmt, search_rows)
            if listing_rows:
                stmt = self._insert(listing_counts)
                stmt = stmt.on_conflict_do_update(
                    index_elements=["week", "listing_id", "event"],
                    set_={"count": listing_counts.c.count + stmt.excluded.count},
                )
                conn.execute(stmt, listing_rows)

    # ---- Reading (sums over weeks from ``since`` to ``until``, Monday dates) ---------------

    def _between(
        self, table: Table, since: str | None, until: str | None
    ) -> list[ColumnElement[bool]]:
        conditions: list[ColumnElement[bool]] = []
        if since:
            conditions.append(table.c.week >= since)
        if until:
            conditions.append(table.c.week <= until)
        return conditions

    def searches_by_week_need(
        self, since: str | None = None, until: str | None = None
    ) -> list[tuple[str, str, int]]:
        """``(week, need, searches)`` rows, site and API together."""
        t = search_counts
        query = (
            select(t.c.week, t.c.need, func.sum(t.c.searches))
            .where(*self._between(t, since, until))
            .group_by(t.c.week, t.c.need)
            .order_by(t.c.week, t.c.need)
        )
        with self.engine.connect() as conn:
            return [(str(w), str(n), _whole(s)) for w, n, s in conn.execute(query)]

    def searches_by_area_need(
        self, since: str | None = None, until: str | None = None
    ) -> list[tuple[str, str, int, int]]:
        """``(district, need, searches, no_local)`` rows."""
        t = search_counts
        query = (
            select(t.c.district, t.c.need, func.sum(t.c.searches), func.sum(t.c.no_local))
            .where(*self._between(t, since, until))
            .group_by(t.c.district, t.c.need)
            .order_by(t.c.district, t.c.need)
        )
        with self.engine.connect() as conn:
            return [(str(d), str(n), _whole(s), _whole(z)) for d, n, s, z in conn.execute(query)]

    def listing_events(
        self,
        since: str | None = None,
        until: str | None = None,
        listing_ids: Iterable[str] | None = None,
    ) -> dict[str, dict[str, int]]:
        """``{listing id: {event: count}}`` summed over the weeks."""
        t = listing_counts
        conditions = self._between(t, since, until)
        if listing_ids is not None:
            conditions.append(t.c.listing_id.in_(list(listing_ids)))
        query = (
            select(t.c.listing_id, t.c.event, func.sum(t.c.count))
            .where(*conditions)
            .group_by(t.c.listing_id, t.c.event)
        )
        found: dict[str, dict[str, int]] = {}
        with self.engine.connect() as conn:
            for listing_id, name, count in conn.execute(query):
                found.setdefault(str(listing_id), {})[str(name)] = _whole(count)
        return found

    def one_listing_events(self, listing_id: str, since: str) -> dict[str, int]:
        """``{event: count}`` for one listing, summed over the weeks from ``since`` on: what
        ``listing_events(since, None, [listing_id])`` gives it, from a statement built once."""
        with self.engine.connect() as conn:
            rows = conn.execute(ONE_LISTING, {"listing_id": listing_id, "since": since})
            return {str(name): _whole(count) for name, count in rows}


def _whole(total: Any) -> int:
    """A SUM as an int: PostgreSQL sums integers as Decimal (SQLAlchemy types rows of a
    select of several columns as ``object``, so the value is ``Any`` here)."""
    return int(total)


def redact(url: str) -> str:
    """The URL without its password, for messages and logs."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return "the insights database"


def describe_error(error: BaseException, url: str) -> str:
    """One plain line for a log or the command line, never a traceback or a password."""
    detail = str(getattr(error, "orig", None) or error).strip().splitlines()
    first = detail[0] if detail else type(error).__name__
    return f"Cannot use the insights store {redact(url)}: {first}"


__all__ = [
    "LISTING_EVENTS",
    "SCHEMA_VERSION",
    "Store",
    "StoreError",
    "database_url",
    "default_url",
]
