"""What the benchmarks share: a throwaway database of either kind, and counting statements."""
from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
import time

PG_SERVER = "postgresql://postgres@127.0.0.1:5432/"


@contextlib.contextmanager
def throwaway_database(kind: str, prefix: str):
    """The URL of a fresh database (a temporary SQLite file, or lms_bench_<prefix>_<pid> on the
    local PostgreSQL server), removed afterwards with every connection closed."""
    from lms.db import database

    workdir = tempfile.mkdtemp(prefix=f"lms-bench-{prefix}-")
    name, admin = f"lms_bench_{prefix}_{os.getpid()}", None
    if kind == "postgresql":
        import psycopg2

        admin = psycopg2.connect(PG_SERVER + "postgres")
        admin.autocommit = True
        admin.cursor().execute(f"CREATE DATABASE {name}")
    try:
        yield PG_SERVER + name if admin else f"sqlite:///{workdir}/bench.db"
    finally:
        if hasattr(database.obj, "close_all"):
            database.obj.close_all()  # a pool keeps connections open; DROP DATABASE needs none
        elif database.obj is not None:
            database.close()
        if admin is not None:
            admin.cursor().execute(f"DROP DATABASE IF EXISTS {name}")
        shutil.rmtree(workdir, ignore_errors=True)


def counted(step):
    """(seconds, statements sent through peewee, result) of running `step`."""
    from lms.db import database

    count = 0
    original = database.obj.execute_sql

    def counting(sql, params=None, *args, **kwargs):
        nonlocal count
        count += 1
        return original(sql, params, *args, **kwargs)

    database.obj.execute_sql = counting
    try:
        started = time.perf_counter()
        result = step()
        return time.perf_counter() - started, count, result
    finally:
        del database.obj.execute_sql
