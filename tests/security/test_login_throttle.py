"""Login throttling: per account (from any address, however the account is typed) and per
address (across accounts, forged X-Forwarded-For ignored), the lock lifts by itself, and no
answer tells whether an account exists."""
from __future__ import annotations

import datetime as dt
import re

import pytest

from lms.models import User
from lms.services import accounts, clock

from ..factories import csrf_token, make_user

START = dt.datetime(2026, 11, 24, 2, 0)


@pytest.fixture
def limits(app):
    clock.freeze(START)
    app.config.update(LMS_SECURITY_ACCOUNT_MAX_FAILURES=3, LMS_SECURITY_ADDRESS_MAX_FAILURES=6,
                      LMS_SECURITY_FAILURE_WINDOW_MINUTES=15, LMS_SECURITY_LOCKOUT_MINUTES=15)
    return app


def _attempt(app, account, password, address="10.0.0.1", headers=None):
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    token = csrf_token(client)
    return client.post("/login", data={"employee_no": account, "password": password, "csrf_token": token},
                       headers=headers or {})


def _visible(response, account) -> str:
    """The page without what differs anyway: the CSRF token, and the account as typed (shown back)."""
    page = re.sub(r'name="csrf_token"[^>]*value="[^"]*"|value="[^"]*"[^>]*name="csrf_token"', "",
                  response.get_data(as_text=True))
    return page.replace(f'value="{account}"', 'value="…"')


def test_the_account_locks_whatever_address_the_attempts_come_from(limits):
    user = make_user(employee_no="T100", email="t100@example.cn")
    for n in range(3):
        assert _attempt(limits, "T100", "wrong-password-1", f"10.0.1.{n}").status_code == 401
    assert _attempt(limits, "T100", "Train1ng-pass", "10.0.9.9").status_code == 429  # the right password, locked
    assert _attempt(limits, "t100", "Train1ng-pass", "10.0.9.9").status_code == 429  # case makes no new account
    assert _attempt(limits, " T100 ", "Train1ng-pass", "10.0.9.9").status_code == 429
    clock.freeze(START + dt.timedelta(minutes=16))
    assert _attempt(limits, user.employee_no, "Train1ng-pass", "10.0.9.9").status_code == 302


def test_the_e_mail_and_the_employee_no_share_one_count(limits):
    """Typing the account as its e-mail is no way around the per-account limit."""
    make_user(employee_no="T101", email="t101@example.cn")
    for account, n in (("T101", 1), ("t101@example.cn", 2), ("T101@Example.cn", 3)):
        assert _attempt(limits, account, "wrong-password-1", f"10.0.2.{n}").status_code == 401
    assert _attempt(limits, "T101", "Train1ng-pass", "10.0.2.9").status_code == 429
    assert _attempt(limits, "t101@example.cn", "Train1ng-pass", "10.0.2.9").status_code == 429


def test_the_address_locks_across_accounts_and_forged_forwarding_does_not_help(limits):
    users = [make_user(employee_no=f"T2{n:02d}") for n in range(7)]
    for n in range(6):  # six accounts, one failure each: below the account limit, at the address limit
        assert _attempt(limits, users[n].employee_no, "wrong-password-1", "10.0.3.3",
                        headers={"X-Forwarded-For": f"192.168.7.{n}"}).status_code == 401
    assert _attempt(limits, users[6].employee_no, "Train1ng-pass", "10.0.3.3",
                    headers={"X-Forwarded-For": "192.168.7.99"}).status_code == 429
    assert _attempt(limits, users[6].employee_no, "Train1ng-pass", "10.0.3.4").status_code == 302  # another address
    clock.freeze(START + dt.timedelta(minutes=16))
    assert _attempt(limits, users[5].employee_no, "Train1ng-pass", "10.0.3.3").status_code == 302


def test_a_success_does_not_clear_the_shared_address(limits):
    users = [make_user(employee_no=f"T3{n:02d}") for n in range(7)]
    for n in range(5):
        _attempt(limits, users[n].employee_no, "wrong-password-1", "10.0.4.4")
    assert _attempt(limits, users[5].employee_no, "Train1ng-pass", "10.0.4.4").status_code == 302
    _attempt(limits, users[5].employee_no, "wrong-password-1", "10.0.4.4")
    assert _attempt(limits, users[6].employee_no, "Train1ng-pass", "10.0.4.4").status_code == 429


def test_the_lock_lifts_only_once_the_lockout_has_passed(limits):
    make_user(employee_no="T400")
    for _ in range(3):
        _attempt(limits, "T400", "wrong-password-1")
    clock.freeze(START + dt.timedelta(minutes=14))
    assert _attempt(limits, "T400", "Train1ng-pass").status_code == 429
    clock.freeze(START + dt.timedelta(minutes=15, seconds=1))
    assert _attempt(limits, "T400", "Train1ng-pass").status_code == 302


def test_no_answer_tells_whether_an_account_exists(limits, conn):
    make_user(employee_no="T500")
    inactive = make_user(employee_no="T501")
    accounts.deactivate(User.get_by_id(inactive.id))
    tried = (("T500", "10.0.5.1"), ("NOBODY", "10.0.5.2"), ("T501", "10.0.5.3"), ("nobody@example.cn", "10.0.5.4"))
    wrong = [(_attempt(limits, account, "wrong-password-1", address), account) for account, address in tried]
    assert {r.status_code for r, _account in wrong} == {401}
    assert len({_visible(r, account) for r, account in wrong}) == 1  # the very same page
    assert _attempt(limits, "T501", "Train1ng-pass", "10.0.5.5").status_code == 401  # right password, inactive
    for account in ("T500", "NOBODY"):
        for n in range(3):
            _attempt(limits, account, "wrong-password-1", f"10.0.6.{n}")
    locked = [_attempt(limits, account, "Train1ng-pass", "10.0.6.9") for account in ("T500", "NOBODY")]
    assert {r.status_code for r in locked} == {429}
    assert _visible(locked[0], "T500") == _visible(locked[1], "NOBODY")
