"""The agent's personal learning path: what is recommended, why, and what is done."""
from __future__ import annotations

from flask import Blueprint, current_app, render_template

from ..services import learning_path
from .access import current_user, requires

bp = Blueprint("path", __name__, url_prefix="/path")


@bp.route("/")
@requires("agent")
def index():
    user = current_user()
    recs = learning_path.recommendations(user, current_app.extensions["lms"].settings)
    return render_template("lms/path/index.html", recs=recs)
