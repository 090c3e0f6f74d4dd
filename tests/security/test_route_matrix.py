"""A test of the route x role matrix: the check in tests/web/test_access.py fails for a
throwaway route added without an access entry, for one whose declared rule differs from its
entry, and for one that declares no rule at all; and it passes once the table agrees. The
IDOR table is held to the URL map likewise: a new route with an id fails until it is probed."""
from __future__ import annotations

import pytest
from flask import Blueprint

import lms.web
from lms import create_app
from lms.web.access import public, requires

from ..conftest import TEST_SECRET
from ..web.test_access import ACCESS, access_table_problems
from .test_idor import IDOR, NO_FOREIGN_OBJECT, idor_table_problems


def _app_with_throwaway_routes(monkeypatch, database_url, tmp_path):
    """A fresh standalone app whose LMS blueprint carries one more child, as a new feature would."""
    throwaway = Blueprint("throwaway", __name__, url_prefix="/throwaway")

    @throwaway.route("/open")
    @requires("trainer")
    def trainers_page():
        return "for trainers"

    @throwaway.route("/forgotten")
    def undeclared():  # no @public / @signed_in / @requires
        return "anyone"

    @throwaway.route("/things/<int:thing_id>")
    @requires("trainer")
    def thing(thing_id):
        return f"thing {thing_id}"

    @throwaway.route("/hello")
    @public
    def hello():
        return "hello"

    real = lms.web.create_blueprint

    def create_blueprint():
        bp = real()
        bp.register_blueprint(throwaway)
        return bp

    monkeypatch.setattr(lms.web, "create_blueprint", create_blueprint)
    return create_app(database_url=database_url, secret_key=TEST_SECRET, TESTING=True,
                      paths_uploads=str(tmp_path / "uploads"))


@pytest.fixture
def fresh_app(monkeypatch, database_url, tmp_path):
    return _app_with_throwaway_routes(monkeypatch, database_url, tmp_path)


def test_a_route_without_an_entry_fails_the_check(fresh_app):
    problems = access_table_problems(fresh_app, ACCESS)
    assert "route without an access entry: lms.throwaway.trainers_page" in problems
    assert "route without an access entry: lms.throwaway.thing" in problems
    assert "route without an access entry: lms.throwaway.hello" in problems


def test_a_declared_rule_that_differs_from_its_entry_fails_the_check(fresh_app):
    table = {**ACCESS, "lms.throwaway.trainers_page": ("manager",), "lms.throwaway.hello": "public",
             "lms.throwaway.undeclared": "public", "lms.throwaway.thing": ("trainer",)}
    problems = access_table_problems(fresh_app, table)
    assert problems == [
        "lms.throwaway.trainers_page declares roles ('trainer',), the table says ('manager',)",
        "lms.throwaway.undeclared declares no access rule (@public, @signed_in, @requires, @api_token)"]


def test_the_check_passes_once_the_table_agrees(fresh_app):
    table = {**ACCESS, "lms.throwaway.trainers_page": ("trainer",), "lms.throwaway.hello": "public",
             "lms.throwaway.thing": ("trainer",)}
    fresh_app.view_functions["lms.throwaway.undeclared"] = public(fresh_app.view_functions["lms.throwaway.undeclared"])
    table["lms.throwaway.undeclared"] = "public"
    assert access_table_problems(fresh_app, table) == []


def test_a_removed_or_stale_entry_fails_the_check(app):
    assert access_table_problems(app, ACCESS) == []
    assert access_table_problems(app, {k: v for k, v in ACCESS.items() if k != "lms.home.index"}) == [
        "route without an access entry: lms.home.index"]
    assert access_table_problems(app, {**ACCESS, "lms.gone": "public"}) == ["stale access entry: lms.gone"]


def test_a_new_route_with_an_id_fails_the_idor_check_until_probed(fresh_app, monkeypatch):
    """The IDOR table (tests/security/test_idor.py) is held to the URL map the same way."""
    assert idor_table_problems(fresh_app) == ["no IDOR probe for /throwaway/things/<int:thing_id> (add it to IDOR)"]
    monkeypatch.setitem(IDOR, "/throwaway/things/<int:thing_id>", ("trainer",))
    assert idor_table_problems(fresh_app) == []
    monkeypatch.setitem(NO_FOREIGN_OBJECT, "/gone/<int:x>", "a stale entry")
    assert idor_table_problems(fresh_app) == ["IDOR entry for a rule that no longer exists: /gone/<int:x>"]


def test_the_throwaway_route_really_is_served(fresh_app):
    """The fresh app serves the routes the check complains about (so the check sees real routes)."""
    client = fresh_app.test_client()
    assert client.get("/throwaway/hello").get_data(as_text=True) == "hello"
    assert client.get("/throwaway/open").status_code == 302  # to the sign-in page
