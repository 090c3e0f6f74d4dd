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
    outcome = kpi_import.import_records(rows, source="api", name=f"api:{g.api_token.name}", today=clock.today(),
                                        skip_invalid=bool(body.get("skip_invalid")),
                                        dry_run=bool(body.get("dry_run")))
    problems = [p.as_dict() for p in outcome.problems]
    if not outcome.ok:
        return {"ok": False, "status": outcome.status, "problems_total": outcome.problems_total,
                "problems": problems}, 503 if outcome.status == "failed" else 422
    return {"ok": True, **outcome.as_dict(), "problems": problems}, 200
