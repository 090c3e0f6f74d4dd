"""The database: one peewee DatabaseProxy, bound at start-up from the configured URL."""
from __future__ import annotations

import logging
import re
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlparse

import peewee
from playhouse.pool import PooledPostgresqlDatabase

from .config import ConfigError

log = logging.getLogger(__name__)

database = peewee.DatabaseProxy()
TABLE_PREFIX = "lms_"


def _table_name(model_class) -> str:
    # Prefixed so the plugin never collides with a host application's tables.
    snake = re.sub(r"(?<!^)(?=[A-Z])", "_", model_class.__name__).lower()
    return TABLE_PREFIX + snake


class BaseModel(peewee.Model):
    class Meta:
        database = database
        table_function = _table_name
        legacy_table_names = False


def make_database(url: str, pool_size: int = 10, busy_timeout_ms: int = 5000) -> peewee.Database:
    """A peewee database for a sqlite:/// or postgresql:// URL; the error names the key."""
    parsed = urlparse(url)
    if parsed.scheme == "sqlite":
        path = unquote(parsed.path[1:] if parsed.path.startswith("/") else parsed.path)
        if url.startswith("sqlite:////"):
            path = unquote(parsed.path)
        if not path:
            raise ConfigError(f"database.url: no file in {url!r} (e.g. sqlite:///instance/lms.db)")
        if path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        # Every transaction takes the write lock at BEGIN (IMMEDIATE), waiting for it up to the
        # busy timeout (SQLite's busy handler retries with a growing backoff). A deferred one that
        # read first would instead fail at once on its first write whenever another writer had
        # committed meanwhile: under concurrent writers, "database is locked" with no wait at all.
        return peewee.SqliteDatabase(path, pragmas={
            "journal_mode": "wal",
            "foreign_keys": 1,
            "busy_timeout": busy_timeout_ms,
            "synchronous": "normal",
        }, lock_type="IMMEDIATE")
    if parsed.scheme in ("postgresql", "postgres"):
        if not parsed.path.strip("/"):
            raise ConfigError(f"database.url: no database name in {url!r}")
        params = {k: v[-1] for k, v in parse_qs(parsed.query).items()}
        return PooledPostgresqlDatabase(
            unquote(parsed.path.strip("/")),
            user=unquote(parsed.username) if parsed.username else None,
            password=unquote(parsed.password) if parsed.password else None,
            host=parsed.hostname, port=parsed.port,
            max_connections=pool_size, stale_timeout=300,
            **params,
        )
    raise ConfigError(f"database.url: unsupported scheme {parsed.scheme!r} in {url!r}; "
                      "use sqlite:///path or postgresql://user@host/db")


def bind(url: str, **kwargs) -> peewee.Database:
    """Point the proxy at the database of this URL (once per process and URL)."""
    current = database.obj
    if current is not None and getattr(current, "_lms_url", None) == url:
        return current
    if current is not None and not current.is_closed():
        current.close()
    db = make_database(url, **kwargs)
    db._lms_url = url
    database.initialize(db)
    return db


def is_postgres() -> bool:
    return isinstance(database.obj, peewee.PostgresqlDatabase)


def healthy() -> bool:
    try:
        with database.connection_context():
            database.execute_sql("SELECT 1")
        return True
    except Exception as exc:  # driver errors (psycopg2.OperationalError) are not peewee's
        log.warning("database health check failed: %s", exc)
        return False


_SQLITE_BUSY = ("database is locked", "database is busy", "database table is locked")


def unavailable(exc: BaseException) -> bool:
    """Whether a database error means "busy or unreachable: try again shortly" rather than a bug:
    SQLite still locked by another writer when the busy timeout ran out; PostgreSQL down,
    restarting or unreachable, a connection lost, the pool exhausted."""
    from playhouse.pool import MaxConnectionsExceeded

    if isinstance(exc, MaxConnectionsExceeded):
        return True
    kinds = (peewee.OperationalError, peewee.InterfaceError)
    try:
        import psycopg2

        kinds += (psycopg2.OperationalError, psycopg2.InterfaceError)  # raised unwrapped by some paths
    except ImportError:  # pragma: no cover - a dependency, but SQLite needs none of it
        pass
    if not isinstance(exc, kinds):
        return False
    if isinstance(database.obj, peewee.SqliteDatabase):
        return any(text in str(exc) for text in _SQLITE_BUSY)  # not "no such table" and other bugs
    return True


def write_transaction():
    """A transaction that will write: on SQLite the write lock is taken at BEGIN (IMMEDIATE, as
    every transaction's is: see make_database), so a transaction that read first and writes
    later never fails on a snapshot another writer made stale."""
    if isinstance(database.obj, peewee.SqliteDatabase):
        return database.obj.atomic("IMMEDIATE")
    return database.atomic()


def scratch_transaction():
    """A transaction that writes TEMP tables only (an import's staging): on SQLite a deferred
    BEGIN, which leaves the database's write lock to the real writers meanwhile."""
    if isinstance(database.obj, peewee.SqliteDatabase):
        return database.obj.atomic("DEFERRED")
    return database.atomic()
