"""WTForms (Flask-WTF: every form carries a CSRF token). Labels are lazily translated."""
from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import (BooleanField, DateField, EmailField, IntegerField, PasswordField, SelectField,
                     SelectMultipleField, StringField, TextAreaField)
from wtforms.fields.choices import SelectChoice
from wtforms.widgets import CheckboxInput, ListWidget
from wtforms.validators import DataRequired, EqualTo, InputRequired, Length, NumberRange, Optional, Regexp

from ..i18n import lazy_gettext as _l
from ..labels import ROLE_LABELS, TIER_LABELS
from ..services.content_pack import MAX_BODY_BYTES, SLUG


def choices(pairs) -> list[SelectChoice]:
    """(value, label) pairs as WTForms options."""
    return [SelectChoice(value, label) for value, label in pairs]


class PostForm(FlaskForm):
    """A form with nothing but the CSRF token, for buttons that change state (logout...)."""


class LoginForm(FlaskForm):
    employee_no = StringField(_l("Employee no. or e-mail"), validators=[DataRequired(), Length(max=254)])
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=256)])


class NewPasswordForm(FlaskForm):
    password = PasswordField(_l("New password"), validators=[DataRequired(), Length(max=256)])
    confirm = PasswordField(_l("Repeat the new password"),
                            validators=[DataRequired(), EqualTo("password", _l("The two passwords differ."))])


class ChangePasswordForm(NewPasswordForm):
    current = PasswordField(_l("Current password"), validators=[DataRequired(), Length(max=256)])


ROLE_CHOICES = choices(ROLE_LABELS.items())
TIER_CHOICES = choices([("", "—")] + list(TIER_LABELS.items()))


class UserForm(FlaskForm):
    employee_no = StringField(_l("Employee no."), validators=[
        DataRequired(), Length(max=32),
        Regexp(r"^[A-Za-z0-9_.-]+$", message=_l("Letters, digits, '.', '_' and '-' only."))])
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=100)])
    email = EmailField(_l("E-mail"), validators=[Optional(), Length(max=254)])
    hire_date = DateField(_l("Hire date"), validators=[Optional()])
    roles = SelectMultipleField(_l("Roles"), choices=ROLE_CHOICES, validators=[DataRequired()],
                                widget=ListWidget(prefix_label=False), option_widget=CheckboxInput())
    team = SelectField(_l("Team"), coerce=int, validators=[Optional()])
    tier = SelectField(_l("Tier"), choices=TIER_CHOICES, validators=[Optional()])
    locale = SelectField(_l("Language"), choices=choices([("", "—"), ("zh_CN", "中文"), ("en", "English")]),
                         validators=[Optional()])


class SiteForm(FlaskForm):
    name = StringField(_l("Site name"), validators=[DataRequired(), Length(max=100)])


class TeamForm(FlaskForm):
    site = SelectField(_l("Site"), coerce=int, validators=[DataRequired()])
    name = StringField(_l("Team name"), validators=[DataRequired(), Length(max=100)])


class ScopeForm(FlaskForm):
    role = SelectField(_l("Role"), choices=choices((r, ROLE_LABELS[r]) for r in ("trainer", "manager")))
    target = SelectField(_l("Scope"), validators=[DataRequired()])  # "site:ID" or "team:ID"


class RosterUploadForm(FlaskForm):
    file = FileField(_l("Roster file (CSV or XLSX)"), validators=[FileRequired()])
    dry_run = BooleanField(_l("Check only, change nothing"), default=True)
    deactivate_missing = BooleanField(_l("Deactivate people missing from the file"))
    credentials = SelectField(_l("For new people"), choices=choices([
        ("password", _l("generate one-time passwords")), ("invite", _l("generate invite links"))]))


class MoveDownForm(FlaskForm):
    tier = SelectField(_l("Move to tier"), validators=[DataRequired()])
    reason = StringField(_l("Reason (recorded)"), validators=[DataRequired(), Length(min=4, max=200)])


# Curriculum authoring (lms.web.authoring)
ACTIVITY_KIND_LABELS = {"lesson": _l("lesson"), "quiz": _l("quiz"), "drill": _l("drill")}
_SLUG_RULES = [DataRequired(), Length(max=64),
               Regexp(SLUG.pattern, message=_l("Lower-case letters, digits and '-' only, starting with a "
                                               "letter or digit."))]


class TrackForm(FlaskForm):
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=200)])
    summary = TextAreaField(_l("Summary"), validators=[Length(max=2000)])
    weeks = IntegerField(_l("Planned weeks"), validators=[Optional(), NumberRange(1, 52)])


class NewTrackForm(TrackForm):
    slug = StringField(_l("Slug (fixed once created)"), validators=_SLUG_RULES)
    tier = SelectField(_l("Tier"), validators=[DataRequired()])


class ModuleForm(FlaskForm):
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=200)])
    summary = TextAreaField(_l("Summary"), validators=[Length(max=2000)])
    week = IntegerField(_l("Week of the plan"), validators=[Optional(), NumberRange(1, 52)])
    prerequisites = SelectMultipleField(_l("Prerequisites"), choices=[], validators=[Optional()],
                                        widget=ListWidget(prefix_label=False), option_widget=CheckboxInput())


class NewModuleForm(ModuleForm):
    slug = StringField(_l("Slug (fixed once created)"), validators=_SLUG_RULES)


class ActivityForm(FlaskForm):
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=200)])
    minutes = IntegerField(_l("Minutes"), default=5, validators=[InputRequired(), NumberRange(1, 600)])
    required = BooleanField(_l("Required to pass"), default=True)
    body = TextAreaField(_l("Body (Markdown)"), validators=[Length(max=MAX_BODY_BYTES)])
    ref = StringField(_l("Runs (quiz or drill name)"), validators=[Length(max=64)])


class NewActivityForm(ActivityForm):
    slug = StringField(_l("Slug (fixed once created)"), validators=_SLUG_RULES)
    kind = SelectField(_l("Kind"), choices=choices(ACTIVITY_KIND_LABELS.items()))


class PreviewForm(FlaskForm):
    body = TextAreaField(validators=[Length(max=MAX_BODY_BYTES)])


class MoveForm(FlaskForm):
    direction = SelectField(choices=choices([("up", _l("up")), ("down", _l("down"))]))


class PublishForm(FlaskForm):
    published = SelectField(choices=choices([("1", _l("publish")), ("0", _l("unpublish"))]))


class KpiUploadForm(FlaskForm):
    file = FileField(_l("KPI file (CSV or XLSX)"), validators=[FileRequired()])
    mapping = SelectField(_l("Column names"), choices=choices([
        ("", _l("recognise from the headers")), ("canonical", "employee_no, date, contacts …"),
        ("zh", "工号, 日期, 接待量 …")]))
    dry_run = BooleanField(_l("Check only, change nothing"), default=True)
    skip_invalid = BooleanField(_l("Import the good rows and skip the bad ones"))


class BriefingForm(FlaskForm):
    """A briefing with up to three check questions (prompt, one choice per line, the right one)."""
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=200)])
    body = TextAreaField(_l("Text (Markdown)"), validators=[DataRequired(), Length(max=20000)])
    tiers = SelectMultipleField(_l("Tiers (none: every tier)"), choices=choices(list(TIER_LABELS.items())),
                                validators=[Optional()],
                                widget=ListWidget(prefix_label=False), option_widget=CheckboxInput())
    teams = SelectMultipleField(_l("Teams (none: all of yours)"), coerce=int, choices=[], validators=[Optional()],
                                widget=ListWidget(prefix_label=False), option_widget=CheckboxInput())
    deadline = DateField(_l("Acknowledge by"), validators=[DataRequired()])
    q1_prompt = StringField(_l("Check question 1 (optional)"), validators=[Optional(), Length(max=300)])
    q1_choices = TextAreaField(_l("Choices, one per line"), validators=[Optional(), Length(max=1000)])
    q1_answer = IntegerField(_l("Number of the right choice"), validators=[Optional(), NumberRange(1, 8)])
    q2_prompt = StringField(_l("Check question 2 (optional)"), validators=[Optional(), Length(max=300)])
    q2_choices = TextAreaField(_l("Choices, one per line"), validators=[Optional(), Length(max=1000)])
    q2_answer = IntegerField(_l("Number of the right choice"), validators=[Optional(), NumberRange(1, 8)])
    q3_prompt = StringField(_l("Check question 3 (optional)"), validators=[Optional(), Length(max=300)])
    q3_choices = TextAreaField(_l("Choices, one per line"), validators=[Optional(), Length(max=1000)])
    q3_answer = IntegerField(_l("Number of the right choice"), validators=[Optional(), NumberRange(1, 8)])

    def questions(self) -> list[dict]:
        found = []
        for n in (1, 2, 3):
            prompt = (getattr(self, f"q{n}_prompt").data or "").strip()
            if prompt:
                choices = [c.strip() for c in (getattr(self, f"q{n}_choices").data or "").splitlines() if c.strip()]
                answer = getattr(self, f"q{n}_answer").data
                found.append({"prompt": prompt, "choices": choices, "answer": (answer or 0) - 1})
        return found


class CaseForm(FlaskForm):
    """A case by hand: a title, highlight or failure, the summary or transcript, the emotion curve."""
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=200)])
    kind = SelectField(_l("Kind"), choices=choices([("failure", _l("failure")), ("highlight", _l("highlight"))]))
    team = SelectField(_l("Team"), coerce=int, validators=[Optional()])
    customer = StringField(_l("Customer's name (masked wherever it appears)"), validators=[Optional(), Length(max=50)])
    summary = TextAreaField(_l("Transcript or summary"), validators=[DataRequired(), Length(max=20000)])
    emotion = StringField(_l("Customer emotion per turn (-5 to 5, commas)"), validators=[Optional(), Length(max=400)])


class CaseImportForm(FlaskForm):
    file = FileField(_l("Records (CSV or XLSX)"), validators=[FileRequired()])
    kind = SelectField(_l("Kind"), choices=choices([("failure", _l("failure")), ("highlight", _l("highlight"))]))
    team = SelectField(_l("Team"), coerce=int, validators=[Optional()])


class ReviewSetForm(FlaskForm):
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=200)])
    week = DateField(_l("Week of (any day; the Monday is used)"), validators=[DataRequired()])
    due_on = DateField(_l("Due"), validators=[DataRequired()])
    cases = SelectMultipleField(_l("Cases (3 to 5)"), coerce=int, choices=[], validators=[DataRequired()],
                                widget=ListWidget(prefix_label=False), option_widget=CheckboxInput())
    tiers = SelectMultipleField(_l("Tiers (none: every tier)"), choices=choices(list(TIER_LABELS.items())),
                                validators=[Optional()], widget=ListWidget(prefix_label=False),
                                option_widget=CheckboxInput())
    teams = SelectMultipleField(_l("Teams (none: all of yours)"), coerce=int, choices=[], validators=[Optional()],
                                widget=ListWidget(prefix_label=False), option_widget=CheckboxInput())


class CoachingForm(FlaskForm):
    mentee = SelectField(_l("Mentee"), coerce=int)
    held_on = DateField(_l("Date"), validators=[DataRequired()])
    topic = StringField(_l("Topic"), validators=[DataRequired(), Length(max=200)])
    skill = SelectField(_l("Skill"), validators=[Optional()])
    notes = TextAreaField(_l("Notes"), validators=[Optional(), Length(max=4000)])
    action = TextAreaField(_l("Agreed action"), validators=[Optional(), Length(max=2000)])
    follow_up_on = DateField(_l("Follow up on"), validators=[Optional()])
