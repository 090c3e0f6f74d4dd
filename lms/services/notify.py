"""Notifications: in the app at once; by e-mail and chat webhook through an outbox.

`notify()` writes the in-app notification and queues one outbox row per outside channel in
the same transaction, each under a unique dedup key, so the same news is never queued twice.
`deliver()` (run by a job) sends what is due: it claims a row and commits the claim before
sending, sends, then marks the row sent. A send that raises is retried with exponential
backoff, and given up after `max_attempts`. A claim found abandoned (the process died between
claiming and marking) is marked `uncertain` and never sent again: at most once, not twice.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import json
import smtplib
import ssl
import urllib.request
from email.message import EmailMessage
from email.utils import formatdate
from typing import Iterable, Protocol
from urllib.parse import urlsplit

from peewee import IntegrityError

from ..db import database
from ..models.notify import NOTIFICATION_KINDS, Notification, OutboxMessage
from . import clock, failpoints

ALL = "all"
# Longer than any live send can take (SMTP and webhook calls time out well before), so a claim
# older than this belongs to a process that is gone.
CLAIM_LEASE = dt.timedelta(minutes=10)
SMTP_TIMEOUT_SECONDS = 30
WEBHOOK_TIMEOUT_SECONDS = 10
WEBHOOK_RECIPIENT = "webhook"
TITLE_MAX = 200
ERROR_MAX = 2000


class Channel(Protocol):
    def send(self, message: OutboxMessage) -> None:
        """Deliver one message or raise; returning means the other side accepted it."""


# --- queueing -------------------------------------------------------------------------------

def notify(user, kind: str, title: str, body: str = "", link: str = "", *, settings,
           email: bool = True, webhook: bool = False, dedup_key: str | None = None) -> Notification:
    """The in-app notification for `user`, plus outbox rows for e-mail (when SMTP is configured
    and the user has an address) and the webhook (when configured and `webhook` is asked for).

    `link` is a path inside the LMS ("/learn/newcomer"), without the mount prefix; anything
    else is dropped. With `dedup_key`, a second call returns the first call's notification."""
    if kind not in NOTIFICATION_KINDS:
        raise ValueError(f"unknown notification kind {kind!r}; kinds are {', '.join(NOTIFICATION_KINDS)}")
    title = title.strip()[:TITLE_MAX]
    if not title:
        raise ValueError("a notification needs a title")
    with database.atomic():
        notification = _find_or_create(user, kind, title, body, safe_link(link), dedup_key)
        for channel, recipient in _outside_recipients(user, settings, email, webhook):
            _queue(notification, channel, recipient)
    return notification


def notify_many(kind: str, title: str, rows: list[tuple[int, str, str, str]], *, settings=None,
                email: bool = False, chunk: int = 1000) -> int:
    """In-app notifications for many agents at once (a day's tasks, a briefing's audience):
    rows of (user id, dedup key, body, link); a key already used is skipped, so a job that runs
    twice notifies once. `title` is a catalog message id, shown translated in the app. With
    `email` (and SMTP configured) each also goes out by e-mail, its subject the body (the
    content's own title). Returns how many were new."""
    if kind not in NOTIFICATION_KINDS:
        raise ValueError(f"unknown notification kind {kind!r}")
    now, added = clock.utcnow(), 0
    entries = [{"user": user_id, "kind": kind, "title": title[:TITLE_MAX], "body": body, "link": safe_link(link),
                "dedup_key": key, "created_at": now} for user_id, key, body, link in rows]
    mail = bool(email and settings is not None and settings["notifications.smtp.host"])
    with database.atomic():
        for start in range(0, len(entries), chunk):
            part = entries[start:start + chunk]
            added += Notification.insert_many(part).on_conflict_ignore().as_rowcount().execute()
            if mail:
                _queue_mail([e["dedup_key"] for e in part], now)
    return added


def _queue_mail(keys: list[str], now: dt.datetime) -> None:
    """E-mail for these notifications, to recipients with an address (queued once per key)."""
    from ..models import User

    found = (Notification.select(Notification, User.email).join(User, on=(Notification.user == User.id))
             .where(Notification.dedup_key.in_(keys) & (User.email != "") & User.active))
    rows = [{"notification": n.id, "channel": "email", "recipient": n.user.email, "subject": (n.body or n.title)[:200],
             "body": n.body, "dedup_key": outbox_key(n, "email"), "status": "pending", "attempts": 0,
             "created_at": now, "next_attempt_at": now} for n in found]
    if rows:
        OutboxMessage.insert_many(rows).on_conflict_ignore().execute()


def announce(settings, key: str, subject: str, body: str = "") -> bool:
    """One message to the team chat webhook (when configured), e.g. a new briefing; once per key."""
    if not settings["notifications.webhook.url"]:
        return False
    now = clock.utcnow()
    return bool(OutboxMessage.insert(channel="webhook", recipient=WEBHOOK_RECIPIENT, subject=subject[:200], body=body,
                                     dedup_key=f"announce:{key}", status="pending", attempts=0, created_at=now,
                                     next_attempt_at=now).on_conflict_ignore().as_rowcount().execute())


def _find_or_create(user, kind, title, body, link, dedup_key) -> Notification:
    if dedup_key is None:
        return Notification.create(user=user, kind=kind, title=title, body=body, link=link)
    existing = Notification.get_or_none(Notification.dedup_key == dedup_key)
    if existing is not None:
        return existing
    try:
        with database.atomic():  # a savepoint: losing a race must not spoil the caller's transaction
            return Notification.create(user=user, kind=kind, title=title, body=body, link=link,
                                       dedup_key=dedup_key)
    except IntegrityError:
        return Notification.get(Notification.dedup_key == dedup_key)  # another process made it first


def _outside_recipients(user, settings, email: bool, webhook: bool) -> list[tuple[str, str]]:
    recipients = []
    # A deactivated account gets nothing outside the app; its in-app list still fills.
    if email and settings["notifications.smtp.host"] and user.email and user.active:
        recipients.append(("email", user.email))
    if webhook and settings["notifications.webhook.url"]:
        # The URL carries the bot's secret: it stays in config, never in the table.
        recipients.append(("webhook", WEBHOOK_RECIPIENT))
    return recipients


def outbox_key(notification: Notification, channel: str) -> str:
    return f"{notification.kind}:{notification.id}:{channel}"


def _queue(notification: Notification, channel: str, recipient: str) -> None:
    # ON CONFLICT DO NOTHING on the unique dedup key: queueing the same thing again is a no-op,
    # also when two processes race.
    (OutboxMessage
     .insert(notification=notification, channel=channel, recipient=recipient, subject=notification.title,
             body=notification.body, dedup_key=outbox_key(notification, channel), status="pending",
             attempts=0, created_at=clock.utcnow(), next_attempt_at=clock.utcnow())
     .on_conflict_ignore()
     .execute())


# --- reading and marking --------------------------------------------------------------------

def unread_count(user) -> int:
    return Notification.select().where((Notification.user == user) & Notification.read_at.is_null()).count()


def mark_read(user, ids: Iterable[int] | str) -> int:
    """Mark some of the user's own notifications read (ids), or all of them (ALL); returns how
    many changed. Ids of someone else's notifications change nothing."""
    condition = (Notification.user == user) & Notification.read_at.is_null()
    if isinstance(ids, str) and ids != ALL:
        raise ValueError(f"mark_read takes ids or ALL, not {ids!r}")
    if ids != ALL:
        wanted = [int(i) for i in ids]
        if not wanted:
            return 0
        condition &= Notification.id.in_(wanted)
    return Notification.update(read_at=clock.utcnow()).where(condition).execute()


def page_of(user, page: int, per_page: int = 50) -> tuple[list[Notification], bool]:
    """One page of the user's notifications, newest first, and whether another page follows."""
    rows = list(Notification.select()
                .where(Notification.user == user)
                .order_by(Notification.created_at.desc(), Notification.id.desc())
                .offset((page - 1) * per_page).limit(per_page + 1))
    return rows[:per_page], len(rows) > per_page


def safe_link(link: str | None) -> str:
    """The link if it is a plain path inside this app, else "": an absolute or protocol-relative
    URL ("https://x", "//x", "/\\x", "javascript:") would send people off-site from a trusted page."""
    link = (link or "").strip()
    if not link.startswith("/") or link.startswith("//") or "\\" in link:
        return ""
    if any(ord(ch) < 32 or ord(ch) == 127 for ch in link):
        return ""  # browsers drop tabs and newlines, which could turn "/\t/x" into "//x"
    parts = urlsplit(link)
    return link if not parts.scheme and not parts.netloc else ""


# --- delivery -------------------------------------------------------------------------------

def default_channels(settings) -> dict[str, Channel]:
    """The channels that are configured; rows for the others wait until they are."""
    channels: dict[str, Channel] = {}
    if settings["notifications.smtp.host"]:
        channels["email"] = EmailChannel(settings)
    if settings["notifications.webhook.url"]:
        channels["webhook"] = WebhookChannel(settings)
    return channels


def deliver(settings, channels: dict[str, Channel] | None = None, now: dt.datetime | None = None,
            batch: int = 100, max_attempts: int = 6) -> dict:
    """Send the outbox rows that are due, one claim at a time, through `channels` (name ->
    object with send(message); default: the configured ones). `now` is naive UTC like the
    stored times. Returns counts: sent, retrying, failed, uncertain, skipped."""
    now = now or clock.utcnow()
    channels = default_channels(settings) if channels is None else channels
    counts = {"sent": 0, "retrying": 0, "failed": 0, "uncertain": 0, "skipped": 0}
    with database.connection_context():
        if database.in_transaction():
            # Each claim must be committed before its send; inside a caller's transaction it
            # would only be a savepoint, and a crash would roll the claim back and resend.
            raise RuntimeError("deliver() commits as it goes; call it outside a transaction")
        counts["uncertain"] = _give_up_abandoned_claims(now)
        for message in _due(now, list(channels), batch):
            if not _claim(message, now):
                counts["skipped"] += 1  # another deliver() took it first
                continue
            try:
                channels[message.channel].send(message)
            except Exception as exc:  # any failure to send is retried; BaseException (a kill) is not caught
                counts[_after_failure(message, exc, now, max_attempts)] += 1
                continue
            failpoints.reached("notify:after-send")
            _mark_sent(message, now)
            counts["sent"] += 1
    return counts


def _give_up_abandoned_claims(now: dt.datetime) -> int:
    # A row still `sending` after the lease was claimed by a process that died after the claim
    # and before marking the outcome. Whether the send happened is unknown; sending again could
    # deliver it twice, so we choose at-most-once: mark it uncertain and leave it for a person.
    with database.atomic():
        return (OutboxMessage
                .update(status="uncertain",
                        last_error="the sending process stopped before recording the outcome; not resent")
                .where((OutboxMessage.status == "sending") & (OutboxMessage.claimed_at < now - CLAIM_LEASE))
                .execute())


def _due(now: dt.datetime, channels: list[str], batch: int) -> list[OutboxMessage]:
    if not channels:
        return []
    return list(OutboxMessage.select()
                .where((OutboxMessage.status == "pending") & (OutboxMessage.next_attempt_at <= now)
                       & OutboxMessage.channel.in_(channels))
                .order_by(OutboxMessage.next_attempt_at, OutboxMessage.id)
                .limit(batch))


def _claim(message: OutboxMessage, now: dt.datetime) -> bool:
    """pending -> sending, committed before the send; False when someone else claimed it."""
    with database.atomic():
        claimed = (OutboxMessage
                   .update(status="sending", claimed_at=now, attempts=OutboxMessage.attempts + 1)
                   .where((OutboxMessage.id == message.id) & (OutboxMessage.status == "pending"))
                   .execute())
    if claimed:
        message.status, message.claimed_at, message.attempts = "sending", now, message.attempts + 1
    return bool(claimed)


def _mark_sent(message: OutboxMessage, now: dt.datetime) -> None:
    with database.atomic():
        (OutboxMessage.update(status="sent", sent_at=now, last_error="")
         .where((OutboxMessage.id == message.id) & (OutboxMessage.status == "sending")).execute())


def _after_failure(message: OutboxMessage, exc: Exception, now: dt.datetime, max_attempts: int) -> str:
    """Back to pending after 2, 4, 8... minutes, or failed once the attempts are spent.
    (A send that raised may still have arrived, e.g. a timeout after the server took the mail;
    the e-mail's fixed Message-ID lets the server and mail clients drop such a repeat.)"""
    error = f"{type(exc).__name__}: {exc}"[:ERROR_MAX]
    if message.attempts >= max_attempts:
        changes = {"status": "failed", "last_error": error}
        outcome = "failed"
    else:
        changes = {"status": "pending", "last_error": error,
                   "next_attempt_at": now + dt.timedelta(minutes=2 ** message.attempts)}
        outcome = "retrying"
    with database.atomic():
        (OutboxMessage.update(**changes)
         .where((OutboxMessage.id == message.id) & (OutboxMessage.status == "sending")).execute())
    return outcome


# --- channels -------------------------------------------------------------------------------

def message_id(dedup_key: str, domain: str) -> str:
    """The same Message-ID for every attempt at one outbox row."""
    digest = hashlib.sha256(dedup_key.encode("utf-8")).hexdigest()[:32]
    return f"<lms.{digest}@{domain}>"


class EmailChannel:
    """SMTP: STARTTLS when configured, a login when a username is set."""

    def __init__(self, settings):
        self.host = settings["notifications.smtp.host"]
        self.port = settings["notifications.smtp.port"]
        self.username = settings["notifications.smtp.username"]
        self.password = settings["notifications.smtp.password"]
        self.starttls = settings["notifications.smtp.starttls"]
        self.sender = settings["notifications.smtp.sender"] or self.username or f"lms@{self.host}"

    def compose(self, message: OutboxMessage) -> EmailMessage:
        mail = EmailMessage()
        mail["From"] = self.sender
        mail["To"] = message.recipient
        mail["Subject"] = message.subject
        mail["Date"] = formatdate(usegmt=True)
        domain = self.sender.rpartition("@")[2] or self.host
        mail["Message-ID"] = message_id(message.dedup_key, domain)
        mail.set_content(message.body or message.subject)
        return mail

    def send(self, message: OutboxMessage) -> None:
        mail = self.compose(message)
        # smtplib.SMTP is looked up at call time, so a test can put a fake server in its place.
        with smtplib.SMTP(self.host, self.port, timeout=SMTP_TIMEOUT_SECONDS) as smtp:
            if self.starttls:
                smtp.starttls(context=ssl.create_default_context())
            if self.username:
                smtp.login(self.username, self.password)
            smtp.send_message(mail)


class WebhookError(Exception):
    """The chat service answered, but refused the message."""


def webhook_payload(kind: str, subject: str, body: str) -> dict:
    """The JSON body each chat service expects for a plain text message."""
    text = f"{subject}\n{body}".strip()
    if kind in ("wecom", "dingtalk"):
        return {"msgtype": "text", "text": {"content": text}}
    if kind == "feishu":
        return {"msg_type": "text", "content": {"text": text}}
    return {"title": subject, "text": body}


class WebhookChannel:
    """A JSON POST to the configured group-bot URL (企业微信, 钉钉, 飞书 or a generic receiver)."""

    def __init__(self, settings):
        self.url = settings["notifications.webhook.url"]
        self.kind = settings["notifications.webhook.kind"]
        if urlsplit(self.url).scheme not in ("http", "https"):
            # urllib would also open file: and ftp: URLs; a webhook is only ever http(s).
            raise ValueError("notifications.webhook.url must be an http(s) URL")

    def send(self, message: OutboxMessage) -> None:
        data = json.dumps(webhook_payload(self.kind, message.subject, message.body), ensure_ascii=False)
        request = urllib.request.Request(self.url, data=data.encode("utf-8"), method="POST",
                                         headers={"Content-Type": "application/json; charset=utf-8"})
        with urllib.request.urlopen(request, timeout=WEBHOOK_TIMEOUT_SECONDS) as response:
            answer = response.read(65536)
        _check_answer(answer)


def _check_answer(answer: bytes) -> None:
    # WeCom and DingTalk answer HTTP 200 with {"errcode": N}, Feishu with {"code": N}: a refusal
    # (bad key, rate limit) shows only there, and must count as a failed send so it is retried.
    try:
        result = json.loads(answer.decode("utf-8") or "null")
    except (UnicodeDecodeError, ValueError):
        return  # a generic receiver may answer anything; its HTTP status already said OK
    if not isinstance(result, dict):
        return
    for field in ("errcode", "code", "StatusCode"):
        if result.get(field) not in (None, 0):
            detail = result.get("errmsg") or result.get("msg") or result.get("StatusMessage") or ""
            raise WebhookError(f"{field} {result[field]}: {detail}"[:ERROR_MAX])
