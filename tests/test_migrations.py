"""Schema by numbered migrations: empty -> current, re-run is a no-op, models match the schema."""
import peewee
from playhouse.schema_diff import diff_models

from lms import create_app, db
from lms.migrations import HISTORY_TABLE, pending, runner, upgrade
from lms.models import ALL_MODELS

from .conftest import PG_URL


def test_every_table_is_prefixed():
    assert all(model._meta.table_name.startswith("lms_") for model in ALL_MODELS)


def test_schema_is_current_and_matches_the_models(app):
    assert pending() == []
    assert upgrade() == []  # re-running is a no-op
    with db.database.connection_context():
        assert not diff_models(db.database.obj, ALL_MODELS), "a model changed without a migration"


def test_empty_database_to_current(tmp_path):
    if PG_URL:
        return  # the PostgreSQL session fixture itself migrates an emptied schema
    url = f"sqlite:///{tmp_path}/fresh.db"
    app = create_app(database_url=url, TESTING=True)
    with app.app_context(), db.database.connection_context():
        # Start-up alone creates nothing: only `lms db upgrade` changes the schema.
        assert db.database.get_tables() == []
    applied = upgrade()
    assert applied == [m.name for m in runner().migrations()]
    with db.database.connection_context():
        tables = set(db.database.get_tables())
    assert {m._meta.table_name for m in ALL_MODELS} | {HISTORY_TABLE} <= tables
    assert upgrade() == []


def test_unique_constraints_hold_in_the_database(conn):
    from lms.models import Site

    Site.create(name="北京中心")
    try:
        with db.database.atomic():
            Site.create(name="北京中心")
    except peewee.IntegrityError:
        pass
    else:
        raise AssertionError("duplicate site name accepted")
