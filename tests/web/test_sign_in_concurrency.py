"""Signing in while another process writes (found by bench/load.py: 200 agents signing in at once on
SQLite got "database is locked")."""
import sqlite3

import pytest

from lms.db import database, is_postgres
from lms.models import LoginFailure
from lms.services import accounts

from ..factories import login, make_user


def test_sign_in_succeeds_when_another_process_writes_during_the_password_check(client, monkeypatch):
    if is_postgres():
        pytest.skip("SQLite only: a transaction that read first and writes later fails there when another "
                    "process committed in between; on PostgreSQL each statement sees the latest commits")
    user = make_user()
    check = accounts.check_password

    def check_while_another_process_writes(account, password):
        # Another gunicorn worker records a failed sign-in while this one hashes (scrypt takes ~0.1 s).
        other = sqlite3.connect(database.obj.database, timeout=5)
        with other:
            other.execute("INSERT INTO lms_login_failure (kind, key, at) "
                          "VALUES ('account', 'someone-else', '2026-11-24 01:00:00')")
        other.close()
        return check(account, password)

    monkeypatch.setattr(accounts, "check_password", check_while_another_process_writes)
    assert login(client, user).status_code == 302
    assert client.get("/").status_code == 200
    with database.connection_context():
        assert LoginFailure.select().where(LoginFailure.key == "someone-else").count() == 1
