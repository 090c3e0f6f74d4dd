"""Admin pages: users, their roles, team, tier and scopes; sites and teams; sign-in resets."""
from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from peewee import IntegrityError, fn

from ..db import database
from ..i18n import gettext as _
from ..labels import role_label
from ..models import RoleScope, Site, Team, User, prime_roles
from ..services import accounts
from .access import current_user, requires
from .forms import PostForm, ScopeForm, SiteForm, TeamForm, UserForm, choices

bp = Blueprint("admin", __name__, url_prefix="/admin")
PAGE_SIZE = 50


def _team_choices():
    teams = Team.select(Team, Site).join(Site).where(Team.active == True).order_by(Site.name, Team.name)  # noqa: E712
    return choices([(0, "—")] + [(t.id, f"{t.site.name} / {t.name}") for t in teams])


def _get_user(user_id: int) -> User:
    user = User.get_or_none(User.id == user_id)
    if user is None:
        abort(404)
    return user


@bp.route("/users")
@requires("admin")
def users():
    q = request.args.get("q", "").strip()
    show = request.args.get("show", "active")
    query = User.select()
    if q:
        like = f"%{q}%"
        query = query.where(User.employee_no.contains(q) | User.name.contains(q)
                            | (fn.LOWER(User.email) ** like.lower()))
    if show == "active":
        query = query.where(User.active == True)  # noqa: E712
    elif show == "inactive":
        query = query.where(User.active == False)  # noqa: E712
    page = max(request.args.get("page", 1, type=int), 1)
    rows = prime_roles(list(query.order_by(User.employee_no).paginate(page, PAGE_SIZE)))
    return render_template("lms/admin/users.html", users=rows, q=q, show=show, page=page,
                           has_next=len(rows) == PAGE_SIZE, post_form=PostForm())


def _apply_user_form(form: UserForm, user: User | None) -> User:
    team = Team.get_or_none(Team.id == form.team.data) if form.team.data else None
    roles = set(form.roles.data)
    actor = current_user()
    if user is None:
        user = accounts.create_user(
            employee_no=form.employee_no.data.strip(), name=form.name.data.strip(),
            email=(form.email.data or "").strip().lower(), hire_date=form.hire_date.data, roles=roles,
            team=team, tier=form.tier.data or None, locale=form.locale.data or None, actor=actor)
        return user
    user.name = form.name.data.strip()
    user.email = (form.email.data or "").strip().lower()
    user.hire_date = form.hire_date.data
    user.locale = form.locale.data or None
    user.save()
    accounts.set_roles(user, roles)
    accounts.set_team(user, team)
    if form.tier.data:
        accounts.set_tier(user, form.tier.data, reason="set by an admin", actor=actor)
    elif "agent" in roles and not user.tier:
        accounts.set_tier(user, "newcomer", effective_on=user.hire_date, reason="placement", actor=actor)
    accounts.audit("account.update", user.employee_no, actor, roles=sorted(roles))
    return user


@bp.route("/users/new", methods=["GET", "POST"])
@bp.route("/users/<int:user_id>", methods=["GET", "POST"])
@requires("admin")
def user_edit(user_id=None):
    user = _get_user(user_id) if user_id else None
    form = UserForm(obj=user)
    form.team.choices = _team_choices()
    if user is not None and request.method == "GET":
        form.roles.data = sorted(user.role_names)
        team = accounts.current_team(user)
        form.team.data = team.id if team else 0
        form.tier.data = user.tier or ""
        form.locale.data = user.locale or ""
    if user is not None:
        form.employee_no.render_kw = {"readonly": True}
    status = 200
    if form.validate_on_submit():
        if user is not None and form.employee_no.data.strip() != user.employee_no:
            form.employee_no.errors.append(_("The employee no. cannot be changed."))
        else:
            try:
                with database.atomic():
                    saved = _apply_user_form(form, user)
            except (accounts.AccountError, IntegrityError) as exc:
                flash(_("Not saved: %(reason)s", reason=str(exc)), "error")
            else:
                flash(_("Saved %(name)s.", name=saved.name), "info")
                return redirect(url_for("lms.admin.user_edit", user_id=saved.id))
        status = 400
    elif request.method == "POST":
        status = 400
    scopes = []
    if user is not None:
        scopes = list(RoleScope.select().where(RoleScope.user == user))
    scope_form = ScopeForm()
    scope_form.target.choices = _scope_choices()
    return render_template("lms/admin/user_edit.html", form=form, user=user, scopes=scopes,
                           scope_form=scope_form, post_form=PostForm()), status


def _scope_choices():
    pairs = []
    for site in Site.select().where(Site.active == True).order_by(Site.name):  # noqa: E712
        pairs.append((f"site:{site.id}", _("%(site)s (whole site)", site=site.name)))
        for team in site.teams.where(Team.active == True).order_by(Team.name):  # noqa: E712
            pairs.append((f"team:{team.id}", f"{site.name} / {team.name}"))
    return choices(pairs)


@bp.route("/users/<int:user_id>/scopes", methods=["POST"])
@requires("admin")
def scope_add(user_id):
    user = _get_user(user_id)
    form = ScopeForm()
    form.target.choices = _scope_choices()
    if not form.validate_on_submit():
        if "csrf_token" in form.errors:
            abort(400)  # not a form mistake: the post did not come from our page
        flash(_("Choose a role and a team or site."), "error")
        return redirect(url_for("lms.admin.user_edit", user_id=user.id)), 303
    kind, _sep, ident = form.target.data.partition(":")
    if kind == "site":
        site_id, team_id = int(ident), None
    else:
        team = Team.get_by_id(int(ident))
        site_id, team_id = team.site_id, team.id
    if form.role.data not in user.role_names:
        flash(_("Give the user the %(role)s role first.", role=role_label(form.role.data)), "error")
    else:
        same = ((RoleScope.user == user) & (RoleScope.role == form.role.data) & (RoleScope.site == site_id)
                & (RoleScope.team.is_null() if team_id is None else RoleScope.team == team_id))
        if not RoleScope.select().where(same).exists():
            RoleScope.create(user=user, role=form.role.data, site=site_id, team=team_id)
        accounts.audit("account.scope_add", user.employee_no, current_user(), scope=form.target.data)
        flash(_("Scope added."), "info")
    return redirect(url_for("lms.admin.user_edit", user_id=user.id)), 303


@bp.route("/users/<int:user_id>/scopes/<int:scope_id>/delete", methods=["POST"])
@requires("admin")
def scope_delete(user_id, scope_id):
    user = _get_user(user_id)
    if not PostForm().validate_on_submit():
        abort(400)
    deleted = RoleScope.delete().where((RoleScope.id == scope_id) & (RoleScope.user == user)).execute()
    if not deleted:
        abort(404)
    accounts.audit("account.scope_remove", user.employee_no, current_user(), scope_id=scope_id)
    flash(_("Scope removed."), "info")
    return redirect(url_for("lms.admin.user_edit", user_id=user.id)), 303


@bp.route("/users/<int:user_id>/reset", methods=["POST"])
@requires("admin")
def user_reset(user_id):
    """A new one-time password or a link; shown once on the next page, never stored in clear."""
    user = _get_user(user_id)
    if not PostForm().validate_on_submit() or not user.active:
        abort(400)
    with database.atomic():
        if request.form.get("kind") == "link":
            token = accounts.issue_link_token(user, current_app.config["LMS_SECURITY_INVITE_TTL_HOURS"],
                                              purpose="reset", actor=current_user())
            secret = url_for("lms.auth.redeem_link", token=token, _external=True)
            kind = "link"
        else:
            secret = accounts.issue_initial_password(user, actor=current_user())
            kind = "password"
    return render_template("lms/admin/credential.html", user=user, kind=kind, secret=secret)


@bp.route("/users/<int:user_id>/active", methods=["POST"])
@requires("admin")
def user_active(user_id):
    user = _get_user(user_id)
    if not PostForm().validate_on_submit():
        abort(400)
    if user.id == current_user().id:
        flash(_("You cannot deactivate yourself."), "error")
    elif user.active:
        accounts.deactivate(user, actor=current_user())
        flash(_("%(name)s is deactivated; their history is kept.", name=user.name), "info")
    else:
        accounts.reactivate(user, actor=current_user())
        flash(_("%(name)s is active again.", name=user.name), "info")
    return redirect(url_for("lms.admin.user_edit", user_id=user.id)), 303


@bp.route("/org", methods=["GET"])
@requires("admin")
def org():
    sites = list(Site.select().order_by(Site.name))
    teams = list(Team.select(Team, Site).join(Site).order_by(Site.name, Team.name))
    team_form = TeamForm()
    team_form.site.choices = choices((s.id, s.name) for s in sites if s.active)
    return render_template("lms/admin/org.html", sites=sites, teams=teams, site_form=SiteForm(),
                           team_form=team_form, post_form=PostForm())


@bp.route("/sites", methods=["POST"])
@requires("admin")
def site_create():
    form = SiteForm()
    if form.validate_on_submit():
        name = form.name.data.strip()
        if Site.get_or_none(Site.name == name):
            flash(_("A site named %(name)s already exists.", name=name), "error")
        else:
            Site.create(name=name)
            accounts.audit("org.site_create", name, current_user())
            flash(_("Site %(name)s created.", name=name), "info")
    elif "csrf_token" in form.errors:
        abort(400)  # not a form mistake: the post did not come from our page
    else:
        flash(_("Give the site a name (at most 100 characters)."), "error")
    return redirect(url_for("lms.admin.org")), 303


@bp.route("/teams", methods=["POST"])
@requires("admin")
def team_create():
    form = TeamForm()
    form.site.choices = choices((s.id, s.name) for s in Site.select())
    if form.validate_on_submit():
        name = form.name.data.strip()
        if Team.get_or_none((Team.site == form.site.data) & (Team.name == name)):
            flash(_("That site already has a team named %(name)s.", name=name), "error")
        else:
            Team.create(site=form.site.data, name=name)
            accounts.audit("org.team_create", name, current_user(), site=form.site.data)
            flash(_("Team %(name)s created.", name=name), "info")
    elif "csrf_token" in form.errors:
        abort(400)  # not a form mistake: the post did not come from our page
    else:
        flash(_("Choose a site and give the team a name."), "error")
    return redirect(url_for("lms.admin.org")), 303


@bp.route("/<kind>/<int:ident>/active", methods=["POST"])
@requires("admin")
def org_active(kind, ident):
    model = {"site": Site, "team": Team}.get(kind)
    if model is None:
        abort(404)
    if not PostForm().validate_on_submit():
        abort(400)
    row = model.get_or_none(model.id == ident)
    if row is None:
        abort(404)
    row.active = not row.active
    row.save()
    accounts.audit(f"org.{kind}_{'activate' if row.active else 'deactivate'}", row.name, current_user())
    return redirect(url_for("lms.admin.org")), 303
