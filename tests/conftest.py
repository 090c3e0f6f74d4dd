"""Test fixtures: the schema is migrated once per session, then each test gets it empty.

SQLite: a migrated template file is copied for every test. PostgreSQL (when
LMS_TEST_DATABASE_URL is set): the schema is rebuilt once, then tables are truncated.
"""
from __future__ import annotations

import os
import shutil

import pytest

from lms import create_app, db
from lms.migrations import HISTORY_TABLE, upgrade
from lms.services import accounts, clock

PG_URL = os.environ.get("LMS_TEST_DATABASE_URL")
TEST_PASSWORD = "Train1ng-pass"
TEST_SECRET = "test-secret-key-that-is-long-enough"

# Hashing strength is not under test here; a cheap method keeps hundreds of users fast.
accounts.PASSWORD_METHOD = "pbkdf2:sha256:1000"


@pytest.fixture(scope="session", autouse=True)
def hermetic_environment(tmp_path_factory):
    """No developer config file or LMS_* variable leaks into the tests."""
    saved = {k: v for k, v in os.environ.items() if k.startswith("LMS_")}
    for key in saved:
        if key != "LMS_TEST_DATABASE_URL":
            del os.environ[key]
    empty = tmp_path_factory.mktemp("config") / "empty.toml"
    empty.write_text("")
    os.environ["LMS_CONFIG"] = str(empty)
    yield
    os.environ.pop("LMS_CONFIG", None)
    os.environ.update(saved)


def _reset_postgres(url):
    database = db.bind(url)
    with database.connection_context():
        database.execute_sql("DROP SCHEMA public CASCADE")
        database.execute_sql("CREATE SCHEMA public")


@pytest.fixture(scope="session")
def migrated_template(tmp_path_factory, hermetic_environment):
    if PG_URL:
        _reset_postgres(PG_URL)
        upgrade()
        return PG_URL
    path = tmp_path_factory.mktemp("template") / "template.db"
    db.bind(f"sqlite:///{path}")
    upgrade()
    db.database.close()
    return path


def _truncate_all(url):
    database = db.bind(url)
    with database.connection_context():
        tables = [t for t in database.get_tables() if t.startswith("lms_") and t != HISTORY_TABLE]
        if tables:
            database.execute_sql(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE")


@pytest.fixture
def database_url(migrated_template, tmp_path):
    if PG_URL:
        _truncate_all(PG_URL)
        return PG_URL
    target = tmp_path / "lms.db"
    shutil.copyfile(migrated_template, target)
    return f"sqlite:///{target}"


@pytest.fixture
def app(database_url, tmp_path):
    app = create_app(database_url=database_url, secret_key=TEST_SECRET, TESTING=True,
                     paths_uploads=str(tmp_path / "uploads"))
    yield app
    clock.freeze(None)
    if not db.database.is_closed():
        db.database.close()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def conn(app):
    """An open connection for tests that work with models directly."""
    with db.database.connection_context():
        yield db.database
