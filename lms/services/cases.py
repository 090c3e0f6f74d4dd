"""Building review cases: from a record row, a ticket row or a form; personal data masked
before anything is stored, the original kept only when privacy.keep_original is on and only
until privacy.retention_days have passed (purge_originals removes it then)."""
from __future__ import annotations

import datetime as dt
import json

from ..db import database
from ..models import CASE_KINDS, Case, Team, User
from . import clock, masking
from .case_records import CaseRows
from .messages import N_
from .tabular import parse_date

EMOTION_RANGE = (-5, 5)
MAX_TURNS = 60


class CaseError(ValueError):
    """The case cannot be built; the message (a catalog string) says why."""


def parse_emotion(text: str) -> list[int]:
    """The customer's emotion per turn, e.g. "0, -2, -4, -1, 2": whole numbers from -5 to 5."""
    values = [part.strip() for part in (text or "").replace("，", ",").split(",") if part.strip()]
    try:
        numbers = [int(v) for v in values]
    except ValueError:
        raise CaseError(N_("the emotion curve is whole numbers from -5 to 5, separated by commas")) from None
    if any(not EMOTION_RANGE[0] <= n <= EMOTION_RANGE[1] for n in numbers) or len(numbers) > MAX_TURNS:
        raise CaseError(N_("the emotion curve is whole numbers from -5 to 5, separated by commas"))
    return numbers


def _mask_all(rules, title: str, summary: str, record: dict, ticket: dict) -> tuple[dict, dict, str, str, list]:
    """Everything of one case masked together, so a name reads the same wherever it appears."""
    combined = {**{f"record.{k}": v for k, v in record.items()}, **{f"ticket.{k}": v for k, v in ticket.items()},
                "title": title, "summary": summary}
    masked, found = masking.mask_record(combined, rules, name_fields=("record.customer", "ticket.customer"),
                                        contact_fields=("record.contact", "ticket.contact"))

    def part(prefix):
        return {k[len(prefix):]: v for k, v in masked.items() if k.startswith(prefix)}
    return part("record."), part("ticket."), masked["title"], masked["summary"], found


def build(*, title: str, kind: str, author: User | None, settings: dict, team: Team | None = None,
          record: dict | None = None, ticket: dict | None = None, summary: str = "", emotion: list[int] = (),
          today: dt.date | None = None) -> Case:
    if kind not in CASE_KINDS:
        raise CaseError(N_("a case is a highlight or a failure"))
    if not title.strip():
        raise CaseError(N_("a case needs a title"))
    rules = masking.MaskRules.from_settings(settings)
    masked_record, masked_ticket, masked_title, masked_summary, found = _mask_all(
        rules, title.strip(), summary, record or {}, ticket or {})
    keep = settings["privacy.keep_original"] and found
    today = today or clock.today()
    when = parse_date((record or ticket or {}).get("date", "") or "")
    return Case.create(
        title=masked_title[:200], kind=kind, team=team,
        occurred_on=when, channel=(record or {}).get("channel", "")[:32],
        issue_type=((record or {}).get("issue_type") or (ticket or {}).get("severity", ""))[:100],
        record=json.dumps(masked_record, ensure_ascii=False), ticket=json.dumps(masked_ticket, ensure_ascii=False),
        summary=masked_summary, emotion=json.dumps(list(emotion)), created_by=author,
        original=json.dumps({"record": record, "ticket": ticket, "summary": summary}, ensure_ascii=False)
        if keep else None,
        original_until=today + dt.timedelta(days=settings["privacy.retention_days"]) if keep else None)


def import_rows(rows: CaseRows, *, kind: str, author: User | None, settings: dict, team: Team | None = None,
                today: dt.date | None = None) -> list[Case]:
    """One case per row of a checked file, all or none."""
    assert not rows.problems, "import only a file without problems"
    made = []
    with database.atomic():
        for _number, values in rows.rows:
            if rows.kind == "record":
                title = " · ".join(v for v in (values.get("issue_type"), values.get("date")) if v)
                made.append(build(title=title, kind=kind, author=author, settings=settings, team=team, record=values,
                                  summary=values.get("description", ""), today=today))
            else:
                title = " · ".join(v for v in (values.get("severity"), values.get("summary", "")[:40]) if v)
                made.append(build(title=title, kind=kind, author=author, settings=settings, team=team, ticket=values,
                                  summary=values.get("summary", ""), today=today))
    return made


def purge_originals(day: dt.date) -> int:
    """Originals past their retention day are removed; the masked case stays."""
    return (Case.update(original=None, original_until=None)
            .where(Case.original.is_null(False) & (Case.original_until < day)).execute())
