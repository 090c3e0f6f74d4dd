"""Forms and labels of the golden-script library (lms.web.scripts). The field rules themselves
live in lms/services/script_pack.py, shared with the file loader; their messages are put on
the form's fields here, one under each field."""
from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import HiddenField, SelectField, SelectMultipleField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from ..i18n import gettext as _
from ..i18n import lazy_gettext as _l
from ..labels import check_label
from ..models import GoldenScript
from ..services.script_pack import FRAMES, MAX_TEXT, TOPIC_LABELS, topic_label
from .forms import choices

SCENARIO_LABELS = {"complaint": _l("complaint"), "consultation": _l("consultation"),
                   "after_sales": _l("after-sales")}
CHANNEL_LABELS = {"phone": _l("phone"), "chat": _l("online chat"), "email": _l("e-mail")}
STATUS_LABELS = {"draft": _l("draft"), "published": _l("published"), "retired": _l("retired")}
ELEMENTS = [name for frame in FRAMES.values() for name in frame]


class ScriptForm(FlaskForm):
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=200)])
    scenario = SelectField(_l("Scenario (the checker's frame)"), choices=choices(SCENARIO_LABELS.items()))
    topic = SelectField(_l("Topic"), validators=[DataRequired()])
    channel = SelectField(_l("Channel"), choices=choices(CHANNEL_LABELS.items()))
    situation = TextAreaField(_l("The situation it fits"), validators=[DataRequired(), Length(max=MAX_TEXT)])
    before = TextAreaField(_l("Before: the weak wording"), validators=[Optional(), Length(max=MAX_TEXT)])
    after = TextAreaField(_l("After: the golden wording"), validators=[DataRequired(), Length(max=MAX_TEXT)])
    elements = SelectMultipleField(_l("Frame elements it carries"), validators=[Optional()],
                                   widget=ListWidget(prefix_label=False), option_widget=CheckboxInput())
    why = TextAreaField(_l("Why it works"), validators=[Optional(), Length(max=MAX_TEXT)])
    approved_by = StringField(_l("Approved by (as shown; empty: the approving trainer)"),
                              validators=[Optional(), Length(max=100)])
    technique = HiddenField()

    def fill_choices(self) -> None:
        self.elements.choices = choices((name, check_label(name)) for name in ELEMENTS)
        topics = dict(TOPIC_LABELS)
        for (topic,) in GoldenScript.select(GoldenScript.topic).distinct().tuples():
            topics.setdefault(topic, topic_label(topic))
        self.topic.choices = choices([("", "—")] + sorted(((k, f"{v} ({k})") for k, v in topics.items()),
                                                          key=lambda kv: kv[0]))

    def data_dict(self) -> dict:
        return {name: getattr(self, name).data for name in
                ("title", "scenario", "topic", "channel", "situation", "before", "after", "elements", "why",
                 "approved_by")}


class NewProposalForm(ScriptForm):
    reason = TextAreaField(_l("Why this script is needed"), validators=[DataRequired(), Length(max=2000)])


class ImproveForm(FlaskForm):
    after = TextAreaField(_l("Your wording"), validators=[DataRequired(), Length(max=MAX_TEXT)])
    reason = TextAreaField(_l("Why it is better"), validators=[DataRequired(), Length(max=2000)])


class DecideForm(FlaskForm):
    comment = TextAreaField(_l("Comment (needed to decline)"), validators=[Optional(), Length(max=MAX_TEXT)])


def put_problems(form: FlaskForm, problems) -> None:
    """The service's (field, message, values) problems, each under its own field."""
    for name, message, args in problems:
        target = getattr(form, name, None)
        text = _(message, **args)
        if target is None:
            form.form_errors.append(f"{name}: {text}")
        else:
            target.errors = [*target.errors, text]
