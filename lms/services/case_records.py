"""Reading the centre's own records into cases: a customer communication record
(客户沟通记录表) or an escalation ticket (问题升级处理单), exported as CSV (UTF-8/GBK) or XLSX.
Every row becomes a case; every problem is named by row and column, and nothing is written
if any row is bad. Personal data is masked before anything is stored (lms/services/masking.py).
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from .messages import N_
from .tabular import Problem, TabularError, parse_date, read_table

MAX_CASE_ROWS = 2000

# field -> the headers exports use for it (Chinese first); "customer" and "contact" hold personal data
RECORD_FIELDS = {
    "date": ("日期", "date"), "time": ("时间", "time"), "customer": ("客户姓名", "客户昵称", "客户", "customer"),
    "contact": ("联系方式", "联系电话", "contact"), "channel": ("渠道", "沟通渠道", "channel"),
    "order_no": ("订单号", "账号", "订单号/账号", "order_no"), "issue_type": ("问题类型", "issue_type"),
    "description": ("问题描述", "description"), "solution": ("解决方案", "solution"),
    "result": ("处理结果", "结果", "result"), "agent": ("客服", "处理客服", "agent"),
    "follow_up": ("跟进情况", "跟进", "follow_up"),
}
TICKET_FIELDS = {
    "date": ("提交日期", "submitted"), "customer": ("客户", "客户姓名", "customer"),
    "summary": ("问题概述", "summary"), "severity": ("严重程度", "severity"),
    "first_handling": ("首次处理", "first_handling"), "receiver": ("接收部门/人", "接收部门", "receiver"),
    "expected": ("预计解决时间", "expected"), "actual": ("实际解决时间", "actual"),
    "solution": ("解决方案", "solution"), "satisfaction": ("客户满意度", "satisfaction"),
    "handler": ("处理人", "handler"),
}
REQUIRED = {"record": ("date", "issue_type", "description"), "ticket": ("date", "summary")}
PERSONAL = ("customer", "contact")  # masked as a whole, whatever they hold


@dataclass
class CaseRows:
    kind: str  # record | ticket
    rows: list[tuple[int, dict]] = field(default_factory=list)  # (row number, field -> text)
    problems: list[Problem] = field(default_factory=list)


def fields_of(kind: str) -> dict:
    return RECORD_FIELDS if kind == "record" else TICKET_FIELDS


def detect(headers: list[str]) -> str:
    """record or ticket: whichever set of headers fits better."""
    keys = {h.strip() for h in headers}

    def fit(fields):
        return sum(1 for names in fields.values() if keys & set(names))
    return "ticket" if fit(TICKET_FIELDS) > fit(RECORD_FIELDS) else "record"


def read_case_rows(data: bytes, filename: str, kind: str | None = None, today: dt.date | None = None) -> CaseRows:
    try:
        table = read_table(data, filename, max_rows=MAX_CASE_ROWS)
    except TabularError as exc:
        return CaseRows(kind or "record", problems=[exc.problem()])
    result = CaseRows(kind or detect(table.headers))
    fields = fields_of(result.kind)
    index = {}
    for position, header in enumerate(table.headers):
        name = next((f for f, names in fields.items() if header.strip() in names), None)
        if name and name not in index:
            index[name] = position
    missing = [fields[f][0] for f in REQUIRED[result.kind] if f not in index]
    if missing:
        result.problems.append(Problem(table.header_row, None, None, N_(
            "missing column(s) %(columns)s; if the headers look garbled, check the file's encoding"),
            {"columns": ", ".join(missing)}))
        return result
    headers = {name: table.headers[position] for name, position in index.items()}
    for row in table.rows:
        values = {name: row.values[position] for name, position in index.items() if position < len(row.values)}
        problems = []
        for name in REQUIRED[result.kind]:
            if not values.get(name):
                problems.append(Problem(row.number, headers[name], "", N_("empty")))
        when = parse_date(values.get("date", ""))
        if values.get("date") and when is None:
            problems.append(Problem(row.number, headers["date"], values["date"], N_("not a date (YYYY-MM-DD)")))
        elif when is not None and today is not None and when > today:
            problems.append(Problem(row.number, headers["date"], values["date"], N_("a date in the future")))
        if problems:
            result.problems.extend(problems)
        else:
            result.rows.append((row.number, values))
    return result
