"""Upload limits on every upload route: a file over MAX_CONTENT_LENGTH gets 413 and a page that
says so (never a 500), a file of the wrong type (a program renamed .csv, a picture as a KPI
file, a script as a screenshot ...) a clear error; and nothing is written either way.

The upload routes are found, not listed by hand: every page is read for forms that send files
(multipart/form-data), and each must have an entry in UPLOADS."""
from __future__ import annotations

import io

import pytest

from lms.db import database
from lms.models import KpiImport

from ..factories import client_for, csrf_token
from .pages import forms_on
from .routes import changed_tables
from .world import PNG, build, path_of, snapshot

EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + bytes(range(256)) * 4
ZIP_NOT_XLSX = b"PK\x03\x04" + b"\x00" * 200
SVG_SCRIPT = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'
HTML = b"<html><body><script>alert(1)</script></body></html>"

# endpoint -> (role, form fields besides the file, the page with the form, wrong-type files)
UPLOADS = {
    "lms.kpi.upload": ("trainer", {"mapping": "", "dry_run": ""}, "/kpi/import",
                       [(EXE, "kpi.csv"), (PNG, "kpi.csv"), (PNG, "kpi.png"), (ZIP_NOT_XLSX, "kpi.xlsx"),
                        (b"", "kpi.csv")]),
    "lms.roster.upload": ("admin", {"dry_run": "", "credentials": "password"}, "/admin/roster",
                          [(EXE, "roster.csv"), (PNG, "roster.csv"), (EXE, "roster.exe"), (ZIP_NOT_XLSX, "roster.xlsx"),
                           (b"", "roster.csv")]),
    "lms.cases.upload": ("trainer", {"kind": "failure"}, "/cases/import",
                         [(EXE, "records.csv"), (PNG, "records.csv"), (ZIP_NOT_XLSX, "records.xlsx"),
                          (b"", "records.csv")]),
    "lms.cases.attach": ("trainer", {}, None,
                         [(EXE, "call.png"), (EXE, "call.exe"), (SVG_SCRIPT, "shot.png"), (SVG_SCRIPT, "shot.svg"),
                          (HTML, "shot.jpg"), (b"plain text", "call.mp3"), (PNG, "shot.jpg"), (b"", "shot.png")]),
}
# How a page says a file was refused: a flashed error, an error under the field, or the problem report.
REFUSED = ("lms-flash-error", "lms-error", "Nothing was written")
# A rejected KPI upload is itself recorded (README: every attempt is kept with its status).
RECORDED_ATTEMPTS = {"KpiImport"}


def _rules_by_endpoint(app):
    return {r.endpoint: r for r in app.url_map.iter_rules() if r.endpoint.startswith("lms.")}


def test_every_upload_form_is_in_the_table(app):
    world = build(app)
    rules = _rules_by_endpoint(app)
    adapter = app.url_map.bind("localhost")
    found = set()
    client = client_for(app, world["admin"])  # an admin passes every role check: sees every upload form
    for rule in rules.values():
        if "GET" not in rule.methods or rule.endpoint == "lms.static":
            continue
        page = client.get(path_of(rule, world))
        if page.mimetype != "text/html":
            continue
        for form in forms_on(page.get_data(as_text=True)):
            if form.enctype == "multipart/form-data" or form.files:
                target = form.action or path_of(rule, world)
                found.add(adapter.match(target, method="POST")[0])
    assert found == set(UPLOADS), f"upload routes without an UPLOADS entry: {found - set(UPLOADS)}; " \
                                  f"stale: {set(UPLOADS) - found}"


def _post(client, path, fields, data, name, token):
    return client.post(path, data={"csrf_token": token, **fields, "file": (io.BytesIO(data), name)},
                       content_type="multipart/form-data")


@pytest.mark.parametrize("endpoint", sorted(UPLOADS))
def test_uploads_over_the_limit_and_of_the_wrong_type_are_refused_clearly(app, endpoint):
    world = build(app)
    role, fields, page, wrong = UPLOADS[endpoint]
    rule = _rules_by_endpoint(app)[endpoint]
    path = path_of(rule, world)
    client = client_for(app, world["admin"] if role == "admin" else world["home"][role])
    token = csrf_token(client, page or f"/cases/{world['home']['case'].id}")
    failures = []

    app.config["MAX_CONTENT_LENGTH"] = 4096
    before = snapshot()
    response = _post(client, path, fields, b"employee_no,date\n" + b"x" * 8192, "big.csv", token)
    body = response.get_data(as_text=True)
    if response.status_code != 413 or "too large" not in body:
        failures.append(f"oversize: {response.status_code}, the page says {body[-300:]!r}")
    if changed_tables(before, snapshot()):
        failures.append(f"oversize wrote {changed_tables(before, snapshot())}")
    app.config["MAX_CONTENT_LENGTH"] = 10 * 1024 * 1024

    for data, name in wrong:
        before = snapshot()
        response = _post(client, path, fields, data, name, token)
        if response.status_code in (302, 303):  # the case page or the import's page shows the refusal
            response = client.get(response.headers["Location"])
        body = response.get_data(as_text=True)
        changed = set(changed_tables(before, snapshot())) - RECORDED_ATTEMPTS
        if response.status_code >= 500 or changed:
            failures.append(f"{name} ({data[:8]!r}): {response.status_code}, wrote {sorted(changed)}")
        elif not any(sign in body for sign in REFUSED):
            failures.append(f"{name} ({data[:8]!r}): {response.status_code} without an error message")
    with database.connection_context():
        assert all(r.status in ("rejected", "failed") for r in KpiImport.select().where(KpiImport.actor ==
                                                                                          world["home"]["trainer"])
                   .where(KpiImport.id > world["far"]["kpi_import"].id))
    assert not failures, "\n".join(failures)
