"""Notifications and the outbox: queued per config and never twice; sent once, retried with
backoff, given up; a process that dies between sending and marking never causes a resend."""
import datetime as dt
import json
import os
import signal
import subprocess
import sys
import textwrap
import urllib.request
from email import message_from_bytes
from email.header import decode_header, make_header

import peewee
import pytest
from playhouse.schema_diff import diff_models

from lms import db
from lms.config import load_settings
from lms.models.notify import Notification, OutboxMessage
from lms.services import clock, notify as service
from lms.services.notify import (ALL, CLAIM_LEASE, EmailChannel, WebhookChannel, WebhookError, deliver, mark_read,
                                 message_id, notify, safe_link, unread_count, webhook_payload)

from ..factories import make_user

T0 = dt.datetime(2026, 11, 24, 1, 0)
SMTP = {"notifications.smtp.host": "smtp.example.cn", "notifications.smtp.sender": "lms@example.cn"}
HOOK = {"notifications.webhook.url": "https://qyapi.example.cn/cgi-bin/webhook/send?key=secret"}


def settings(**overrides):
    return load_settings(None, overrides, environ={"LMS_CONFIG": ""})


PLAIN = settings()
WITH_SMTP = settings(**SMTP)
WITH_BOTH = settings(**SMTP, **HOOK)


class Recorder:
    """A channel that accepts everything and remembers what it was given."""

    def __init__(self):
        self.sent = []

    def send(self, message):
        self.sent.append(message.dedup_key)


class Refusing(Recorder):
    """A channel whose server is down."""

    def send(self, message):
        super().send(message)
        raise OSError("connection refused")


class ProcessDied(BaseException):
    """Stands for the process being killed: not an Exception, so nothing in deliver() catches it."""


class DiesAfterSending(Recorder):
    def send(self, message):
        super().send(message)
        raise ProcessDied()


@pytest.fixture
def agent(conn):
    clock.freeze(T0)
    return make_user(("agent",), employee_no="A1", email="chen@example.cn")


def _rows(**where):
    query = OutboxMessage.select().order_by(OutboxMessage.id)
    for name, value in where.items():
        query = query.where(getattr(OutboxMessage, name) == value)
    return list(query)


def test_the_migration_matches_the_models(conn):
    assert not diff_models(db.database.obj, [Notification, OutboxMessage])


# --- queueing ---------------------------------------------------------------------------------

def test_in_app_only_when_nothing_is_configured(agent):
    notification = notify(agent, "task", "今日微任务", "完成共情练习", "/learn/", settings=PLAIN, webhook=True)
    assert notification.read_at is None and notification.link == "/learn/"
    assert unread_count(agent) == 1
    assert _rows() == []


def test_email_when_smtp_is_configured_and_the_user_has_an_address(agent, conn):
    notification = notify(agent, "graded", "演练已评分", "得分 86", settings=WITH_SMTP)
    [row] = _rows()
    assert (row.channel, row.recipient, row.subject, row.body, row.status) == \
        ("email", "chen@example.cn", "演练已评分", "得分 86", "pending")
    assert row.dedup_key == f"graded:{notification.id}:email" and row.next_attempt_at == T0
    no_address = make_user(("agent",), employee_no="A2", email="")
    notify(no_address, "graded", "演练已评分", settings=WITH_SMTP)
    notify(agent, "graded", "不发邮件", settings=WITH_SMTP, email=False)
    assert len(_rows()) == 1


def test_webhook_only_when_asked_for_and_configured(agent):
    notify(agent, "briefing", "晨会简报", settings=settings(**HOOK))  # not asked for
    notify(agent, "briefing", "晨会简报", settings=WITH_SMTP, webhook=True)  # not configured
    assert [r.channel for r in _rows()] == ["email"]
    notification = notify(agent, "briefing", "晨会简报", "今日重点：投诉安抚", settings=WITH_BOTH, webhook=True)
    rows = _rows(notification=notification)
    assert sorted((r.channel, r.recipient) for r in rows) == [("email", "chen@example.cn"), ("webhook", "webhook")]
    assert all("secret" not in r.recipient for r in rows)  # the bot's key stays in config


def test_a_deactivated_account_gets_nothing_outside_the_app(agent):
    agent.active = False
    notify(agent, "overdue", "任务已逾期", settings=WITH_BOTH)
    assert _rows() == [] and unread_count(agent) == 1


def test_the_same_thing_is_never_queued_twice(agent):
    first = notify(agent, "due_soon", "明天到期", settings=WITH_BOTH, webhook=True, dedup_key="due_soon:a-12:u-1")
    again = notify(agent, "due_soon", "明天到期", settings=WITH_BOTH, webhook=True, dedup_key="due_soon:a-12:u-1")
    assert again.id == first.id
    assert Notification.select().count() == 1 and len(_rows()) == 2
    service._queue(first, "email", agent.email)  # queueing again is a no-op...
    assert len(_rows()) == 2
    with pytest.raises(peewee.IntegrityError), db.database.atomic():  # ...and the database says so too
        OutboxMessage.create(channel="email", recipient="x@example.cn", subject="x",
                             dedup_key=f"due_soon:{first.id}:email")


def test_kind_and_link_are_checked(agent):
    with pytest.raises(ValueError):
        notify(agent, "spam", "?", settings=PLAIN)
    with pytest.raises(ValueError):
        notify(agent, "task", "  ", settings=PLAIN)
    assert notify(agent, "task", "x", link="https://evil.example/login", settings=PLAIN).link == ""


@pytest.mark.parametrize("link, kept", [
    ("/learn/newcomer", True), ("/drills/3?x=1#r", True), ("", False), ("learn", False),
    ("//evil.example/x", False), ("/\\evil.example", False), ("https://evil.example", False),
    ("javascript:alert(1)", False), ("/\t/evil.example", False), (" http://evil.example", False),
])
def test_safe_link(link, kept):
    assert safe_link(link) == (link.strip() if kept else "")


def test_mark_read_touches_only_ones_own(agent, conn):
    other = make_user(("agent",), employee_no="A2")
    mine = [notify(agent, "task", f"任务{i}", settings=PLAIN) for i in range(3)]
    theirs = notify(other, "task", "别人的", settings=PLAIN)
    assert mark_read(agent, [mine[0].id, theirs.id]) == 1
    assert unread_count(agent) == 2 and unread_count(other) == 1
    assert mark_read(agent, ALL) == 2
    assert unread_count(agent) == 0 and unread_count(other) == 1
    assert Notification.get_by_id(mine[0].id).read_at == T0


# --- delivery ---------------------------------------------------------------------------------

def test_deliver_sends_what_is_due_and_marks_it_sent(agent):
    notify(agent, "task", "今日微任务", settings=WITH_BOTH, webhook=True)
    mail, chat = Recorder(), Recorder()
    result = deliver(WITH_BOTH, channels={"email": mail, "webhook": chat}, now=T0)
    assert result["sent"] == 2 and len(mail.sent) == 1 and len(chat.sent) == 1
    assert all((r.status, r.attempts, r.sent_at) == ("sent", 1, T0) for r in _rows())
    assert deliver(WITH_BOTH, channels={"email": mail, "webhook": chat}, now=T0 + dt.timedelta(hours=1))["sent"] == 0
    assert len(mail.sent) == 1 and len(chat.sent) == 1


def test_a_channel_that_is_not_configured_leaves_its_rows_waiting(agent):
    notify(agent, "task", "今日微任务", settings=WITH_BOTH, webhook=True)
    result = deliver(WITH_BOTH, channels={"email": Recorder()}, now=T0)
    assert result["sent"] == 1
    assert [(r.channel, r.status) for r in _rows()] == [("email", "sent"), ("webhook", "pending")]


def test_a_failing_send_backs_off_then_fails(agent):
    notify(agent, "overdue", "任务已逾期", settings=WITH_SMTP)
    down = Refusing()
    now, waits = T0, []
    for attempt in range(1, 4):
        assert deliver(WITH_SMTP, channels={"email": down}, now=now, max_attempts=4)["retrying"] == 1
        [row] = _rows()
        assert (row.status, row.attempts) == ("pending", attempt) and "connection refused" in row.last_error
        waits.append(row.next_attempt_at - now)
        # Not due a minute before the backoff ends.
        assert deliver(WITH_SMTP, channels={"email": down}, now=row.next_attempt_at - dt.timedelta(minutes=1),
                       max_attempts=4)["retrying"] == 0
        now = row.next_attempt_at
    assert waits == [dt.timedelta(minutes=m) for m in (2, 4, 8)]
    assert deliver(WITH_SMTP, channels={"email": down}, now=now, max_attempts=4)["failed"] == 1
    [row] = _rows()
    assert (row.status, row.attempts, row.sent_at) == ("failed", 4, None)
    assert deliver(WITH_SMTP, channels={"email": down}, now=now + dt.timedelta(days=1))["retrying"] == 0
    assert len(down.sent) == 4


def test_a_retry_that_succeeds_is_sent_once(agent):
    notify(agent, "graded", "演练已评分", settings=WITH_SMTP)
    deliver(WITH_SMTP, channels={"email": Refusing()}, now=T0)
    working = Recorder()
    assert deliver(WITH_SMTP, channels={"email": working}, now=T0 + dt.timedelta(minutes=2))["sent"] == 1
    [row] = _rows()
    assert (row.status, row.attempts, len(working.sent)) == ("sent", 2, 1)


def test_a_crash_between_sending_and_marking_never_sends_again(agent):
    notify(agent, "task", "今日微任务", settings=WITH_SMTP)
    dying = DiesAfterSending()
    with pytest.raises(ProcessDied):
        deliver(WITH_SMTP, channels={"email": dying}, now=T0)
    [row] = _rows()
    assert (row.status, row.attempts, row.claimed_at) == ("sending", 1, T0)  # the claim was committed
    # Still within the lease: the row is claimed, so nobody touches it.
    later = T0 + dt.timedelta(minutes=5)
    assert deliver(WITH_SMTP, channels={"email": dying}, now=later) == \
        {"sent": 0, "retrying": 0, "failed": 0, "uncertain": 0, "skipped": 0}
    # After the lease: the claim is abandoned; it is marked uncertain, not resent.
    result = deliver(WITH_SMTP, channels={"email": dying}, now=T0 + CLAIM_LEASE + dt.timedelta(seconds=1))
    assert result["uncertain"] == 1 and result["sent"] == 0
    [row] = _rows()
    assert row.status == "uncertain" and "not resent" in row.last_error
    assert dying.sent == [row.dedup_key]  # sent exactly once, ever


def test_a_killed_process_leaves_an_uncertain_row_not_a_resend(agent, database_url, tmp_path):
    """The same, with a real SIGKILL right after the send (failpoint notify:after-send)."""
    notify(agent, "task", "今日微任务", settings=WITH_SMTP)
    log = tmp_path / "sent.log"
    script = textwrap.dedent(f"""
        import datetime as dt

        from lms import db
        from lms.config import load_settings
        from lms.services.notify import deliver

        class Logged:
            def send(self, message):
                with open({str(log)!r}, "a") as out:
                    out.write(message.dedup_key + "\\n")

        db.bind({database_url!r})
        deliver(load_settings(None, {SMTP!r}), channels={{"email": Logged()}},
                now=dt.datetime.fromisoformat({T0.isoformat()!r}))
    """)
    killed = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120,
                            env={**os.environ, "LMS_FAILPOINTS": "notify:after-send"})
    assert killed.returncode == -signal.SIGKILL, killed.stderr
    assert log.read_text().splitlines() == [_rows()[0].dedup_key]
    assert _rows()[0].status == "sending"
    again = Recorder()
    result = deliver(WITH_SMTP, channels={"email": again}, now=T0 + CLAIM_LEASE + dt.timedelta(minutes=1))
    assert result["uncertain"] == 1 and again.sent == [] and _rows()[0].status == "uncertain"


def test_deliver_refuses_to_run_inside_a_transaction(agent):
    with pytest.raises(RuntimeError), db.database.atomic():
        deliver(WITH_SMTP, channels={"email": Recorder()}, now=T0)


# --- channels ---------------------------------------------------------------------------------

@pytest.mark.parametrize("kind, expected", [
    ("wecom", {"msgtype": "text", "text": {"content": "晨会简报\n今日重点"}}),
    ("dingtalk", {"msgtype": "text", "text": {"content": "晨会简报\n今日重点"}}),
    ("feishu", {"msg_type": "text", "content": {"text": "晨会简报\n今日重点"}}),
    ("generic", {"title": "晨会简报", "text": "今日重点"}),
])
def test_webhook_payload_per_kind(kind, expected):
    assert webhook_payload(kind, "晨会简报", "今日重点") == expected


class FakeResponse:
    def __init__(self, body=b'{"errcode": 0, "errmsg": "ok"}'):
        self.body = body

    def read(self, limit=-1):
        return self.body

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


@pytest.fixture
def posted(monkeypatch):
    calls = []

    def fake_urlopen(request, timeout=None):
        calls.append({"url": request.full_url, "method": request.get_method(), "timeout": timeout,
                      "type": request.get_header("Content-type"), "json": json.loads(request.data.decode("utf-8"))})
        return FakeResponse(calls_answer[0])

    calls_answer = [b'{"errcode": 0, "errmsg": "ok"}']
    monkeypatch.setattr(urllib.request, "urlopen", fake_urlopen)
    return calls, calls_answer


@pytest.mark.parametrize("kind", ["wecom", "dingtalk", "feishu", "generic"])
def test_webhook_channel_posts_json(agent, posted, kind):
    calls, _answer = posted
    hook = settings(**HOOK, **{"notifications.webhook.kind": kind})
    notify(agent, "briefing", "晨会简报", "今日重点", settings=hook, webhook=True)
    assert deliver(hook, now=T0)["sent"] == 1  # the configured channels, built from the settings
    [call] = calls
    assert call["url"] == HOOK["notifications.webhook.url"] and call["method"] == "POST"
    assert call["type"].startswith("application/json") and 0 < call["timeout"] <= 30
    assert call["json"] == webhook_payload(kind, "晨会简报", "今日重点")


def test_a_webhook_refusal_in_the_answer_is_a_failed_send(agent, posted):
    _calls, answer = posted
    answer[0] = b'{"errcode": 45009, "errmsg": "api freq out of limit"}'
    notify(agent, "briefing", "晨会简报", settings=settings(**HOOK), webhook=True)
    assert deliver(settings(**HOOK), now=T0)["retrying"] == 1
    [row] = _rows()
    assert row.status == "pending" and "45009" in row.last_error and WebhookError.__name__ in row.last_error


def test_webhook_url_must_be_http():
    with pytest.raises(ValueError):
        WebhookChannel(settings(**{"notifications.webhook.url": "file:///etc/passwd"}))


class FakeSMTP:
    instances = []

    def __init__(self, host, port, timeout=None):
        self.address, self.timeout, self.calls, self.sent = (host, port), timeout, [], []
        FakeSMTP.instances.append(self)

    def starttls(self, context=None):
        self.calls.append("starttls")

    def login(self, username, password):
        self.calls.append(("login", username, password))

    def send_message(self, message):
        self.calls.append("send")
        self.sent.append(message_from_bytes(message.as_bytes()))

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.calls.append("quit")
        return False


@pytest.fixture
def fake_smtp(monkeypatch):
    import smtplib

    FakeSMTP.instances = []
    monkeypatch.setattr(smtplib, "SMTP", FakeSMTP)
    return FakeSMTP.instances


def test_email_uses_starttls_login_and_a_stable_message_id(agent, fake_smtp):
    config = settings(**SMTP, **{"notifications.smtp.port": 2525, "notifications.smtp.username": "lms-bot",
                                 "notifications.smtp.password": "pw"})
    notify(agent, "graded", "演练已评分", "得分 86", settings=config)
    assert deliver(config, now=T0)["sent"] == 1
    [server] = fake_smtp
    assert server.address == ("smtp.example.cn", 2525) and server.timeout
    assert server.calls == ["starttls", ("login", "lms-bot", "pw"), "send", "quit"]
    [mail] = server.sent
    [row] = _rows()
    assert mail["To"] == "chen@example.cn" and mail["From"] == "lms@example.cn"
    assert str(make_header(decode_header(mail["Subject"]))) == "演练已评分"
    assert mail["Message-ID"] == message_id(row.dedup_key, "example.cn")
    assert mail.get_payload(decode=True).decode("utf-8").strip() == "得分 86"
    # Every attempt at the same row carries the same Message-ID, so a server can drop a repeat.
    assert EmailChannel(config).compose(row)["Message-ID"] == mail["Message-ID"]


def test_email_without_starttls_or_login(agent, fake_smtp):
    config = settings(**SMTP, **{"notifications.smtp.starttls": False})
    notify(agent, "task", "今日微任务", settings=config)
    deliver(config, now=T0)
    assert fake_smtp[0].calls == ["send", "quit"]
