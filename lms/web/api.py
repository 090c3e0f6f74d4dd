"""The JSON API for the contact-center platform: `/api/v1/`, bearer tokens, no cookies."""
from __future__ import annotations

from flask import Blueprint, g, request

from ..services import clock, kpi_import
from .access import api_token

bp = Blueprint("api", __name__, url_prefix="/api/v1")
MAX_ROWS_PER_PUSH = 50_000


@bp.route("/kpi", methods=["POST"])
@api_token("kpi:write")
def push_kpi():
    """Daily KPI rows: {"rows": [{"employee_no", "date", "contacts", ...}], "dry_run": false,
    "skip_invalid": false}. Checked like a file; nothing is written if a row is bad."""
    body = request.get_json(silent=True)
    if not isinstance(body, dict) or not isinstance(body.get("rows"), list):
        return {"ok": False, "error": 'expected a JSON object with a "rows" list'}, 400
    rows = body["rows"]
    if not all(isinstance(r, dict) for r in rows) or len(rows) > MAX_ROWS_PER_PUSH:
        return {"ok": False, "error": f"rows must be objects, at most {MAX_ROWS_PER_PUSH} per push"}, 400
    plan = kpi_import.plan_records(rows, f"api:{g.api_token.name}", clock.today())
    problems = [p.as_dict() for p in plan.problems]
    if plan.problems and (not body.get("skip_invalid") or not plan.rows):
        return {"ok": False, "problems": problems}, 422
    result = kpi_import.apply_plan(plan, source="api", skip_invalid=bool(body.get("skip_invalid")),
                                   dry_run=bool(body.get("dry_run")))
    return {"ok": True, **result.as_dict(), "problems": problems}, 200
