from django import forms
from django.utils.translation import gettext_lazy as _

from mamori.core import roles as r
from mamori.core.forms import ScopedModelForm, keep_unseen_links
from mamori.core.taskhealth import enqueue_atomically
from mamori.incidents.models import (
    BreachAssessment,
    BreachRule,
    Incident,
    IncidentSettings,
    RecoveryAction,
    RegulatoryReport,
    ResponseTarget,
)
from mamori.org.forms import DateInput


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%dT%H:%M")


DATETIMES = ("occurred_at", "noticed_at", "aware_at", "triaged_at", "contained_at",
             "recovered_at", "closed_at", "escalated_at", "assessed_at")


class LinksMixin:
    """Many-to-many choices in code order; links the user cannot see are kept on save."""

    links = ("assets", "threats", "risks", "controls", "contractors")

    def order_links(self):
        for name in self.links:
            if name in self.fields:
                field = self.fields[name]
                field.queryset = field.queryset.order_by("code")

    def clean_assets(self):
        return keep_unseen_links(self, "assets")

    def clean_threats(self):
        return keep_unseen_links(self, "threats")

    def clean_risks(self):
        return keep_unseen_links(self, "risks")

    def clean_controls(self):
        return keep_unseen_links(self, "controls")

    def clean_contractors(self):
        return keep_unseen_links(self, "contractors")


class IncidentReportForm(LinksMixin, ScopedModelForm):
    """The short form anyone fills in to report an incident."""

    class Meta:
        model = Incident
        fields = ["title", "description", "occurred_at", "noticed_at", "department", "assets",
                  "data_affected", "personal_data_suspected"]
        widgets = dict.fromkeys(DATETIMES, DateTimeInput)
        help_texts = {"department": _("The department whose information or systems are "
                                      "affected; yours if you are not sure.")}

    def limit_choices(self, user):
        self.order_links()
        person = getattr(user, "person", None)
        if person is not None and not self.instance.pk:
            self.initial.setdefault("department", person.department_id)

    def save(self, commit=True):
        if self.instance.reported_by_id is None:
            self.instance.reported_by = getattr(self.user, "person", None)
        incident = super().save(commit)
        announce(incident)
        return incident


def announce(incident) -> None:
    """Tell the people who must act on the report (incidents.tasks): the task is enqueued in
    the report's own transaction, so it commits with the report or not at all (see
    core.taskhealth.enqueue_atomically)."""
    from mamori.incidents.tasks import notify_new_incident

    enqueue_atomically(notify_new_incident, incident.pk)


class IncidentForm(LinksMixin, ScopedModelForm):
    """The handler's form: everything but the lifecycle, which moves by its own steps."""

    class Meta:
        model = Incident
        fields = ["title", "description", "occurred_at", "noticed_at", "aware_at",
                  "late_awareness_reason", "department", "severity", "threats", "assignee",
                  "assets", "data_affected", "personal_data_suspected", "risks", "controls",
                  "contractors", "root_cause", "lessons_learned"]
        widgets = dict.fromkeys(DATETIMES, DateTimeInput)

    def limit_choices(self, user):
        self.order_links()


# What the short report form leaves to the handlers: a reporter who does not handle the
# department's incidents may not set these when reporting through the API either.
LEFT_TO_HANDLERS_ON_REPORT = ("aware_at", "late_awareness_reason", "severity", "threats",
                              "assignee", "risks", "controls", "contractors", "root_cause",
                              "lessons_learned")

# What the assignee of an incident who does not handle its department changes: the facts
# they find and record while working on it, and the root cause and lessons that closing
# needs (the assignee moves the incident on, up to closing). The rest stays the handlers'
# decision: the department (whose information manager handles it: changing it would move
# the incident out of their view), the assignee (handing it over), the severity and the
# moments of noticing and awareness (they set the response targets and the legal
# deadlines), and the links into the risk register and the control catalogue.
ASSIGNEE_FIELDS = ("title", "description", "occurred_at", "assets", "data_affected",
                   "personal_data_suspected", "threats", "root_cause", "lessons_learned")


class IncidentAssigneeForm(IncidentForm):
    """The assignee's form, when they do not handle the department's incidents."""

    class Meta(IncidentForm.Meta):
        fields = [name for name in IncidentForm.Meta.fields if name in ASSIGNEE_FIELDS]


def incident_form_for(user, incident):
    """The handler's form for the incident's handlers, the assignee's for anyone else."""
    return (IncidentForm if handles_incidents(user, incident.department)
            else IncidentAssigneeForm)


def handles_incidents(user, department=None) -> bool:
    """Whether the user handles incidents (of `department`, when given): administrators and
    the CISO every department's, an information manager their departments'. A reporter or an
    assignee does not, whatever the rows of a file say."""
    roles = r.roles_for(user)
    if roles.changes_everything:
        return True
    if department is None:
        return bool(roles.managed_department_ids)
    return department.pk in roles.managed_department_ids


class IncidentImportForm(ScopedModelForm):
    """Rows of a file (e.g. the spreadsheet kept before Mamori): the lifecycle's dates come
    from the file; links are kept as they are. Only the handlers import, for the departments
    they handle: the file sets what the report form does not (status, dates, assignee)."""

    class Meta:
        model = Incident
        fields = ["code", "title", "description", "occurred_at", "noticed_at", "aware_at",
                  "late_awareness_reason", "reported_by", "department", "data_affected",
                  "personal_data_suspected",
                  "severity", "status", "assignee", "triaged_at", "contained_at",
                  "recovered_at", "closed_at", "escalated_at", "root_cause",
                  "lessons_learned"]

    def clean(self):
        cleaned = super().clean()
        department = cleaned.get("department")
        if department is not None and not handles_incidents(self.user, department):
            self.add_error("department", _("The change would fall outside your scope."))
        # A row updating an incident needs its handler too: the assignee of another
        # department's incident must not move it away through a file.
        if self.instance.pk and not handles_incidents(self.user, self.instance.department):
            self.add_error("department", _("Left to the incident's handlers."))
        status = cleaned.get("status")
        order = [s for s, _f in Incident.STAGES]
        if status in order:
            for stage, name in Incident.STAGES[:order.index(status) + 1]:
                if not cleaned.get(name):
                    self.add_error(name, _("Give the date the incident was %(status)s.") % {
                        "status": Incident.Status(stage).label.lower()})
        return cleaned


class NoteForm(forms.Form):
    text = forms.CharField(label=_("Note"), widget=forms.Textarea(attrs={"rows": 3}))


class TransitionForm(forms.Form):
    status = forms.ChoiceField(label=_("Move to"), choices=Incident.Status.choices[1:])
    note = forms.CharField(label=_("Note"), required=False,
                           widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, statuses=None, **kwargs):
        """`statuses`: the only ones to offer (workflow.next_statuses), the first chosen."""
        super().__init__(*args, **kwargs)
        if statuses is not None:
            labels = dict(Incident.Status.choices)
            self.fields["status"].choices = [(s, labels[s]) for s in statuses]
            self.initial.setdefault("status", statuses[0] if statuses else None)


class RecoveryActionForm(ScopedModelForm):
    class Meta:
        model = RecoveryAction
        fields = ["incident", "title", "owner", "due_on", "done_on", "notes"]
        widgets = {"due_on": DateInput, "done_on": DateInput}
        # The owner of an action changes it without seeing its incident: ScopedModelForm keeps
        # the incident (unnamed) as it is.


class BreachAssessmentForm(ScopedModelForm):
    class Meta:
        model = BreachAssessment
        fields = ["incident", "personal_data", "sensitive", "financial_damage",
                  "wrongful_purpose", "being_acquired", "held_data_also_affected",
                  "persons_affected", "encrypted",
                  "data_items", "person_notice", "person_notice_on"]
        widgets = {"person_notice_on": DateInput}

    def limit_choices(self, user):
        roles = r.roles_for(user)
        if roles.person_id and not self.instance.pk:
            self.instance.assessed_by_id = roles.person_id


class RegulatoryReportForm(ScopedModelForm):
    class Meta:
        model = RegulatoryReport
        fields = ["incident", "recipient", "recipient_name", "legal_basis", "kind", "due_on",
                  "submitted_on", *RegulatoryReport.ITEMS]
        widgets = {"due_on": DateInput, "submitted_on": DateInput}


class BreachRuleForm(ScopedModelForm):
    class Meta:
        model = BreachRule
        fields = ["code", "name_ja", "name_en", "effective_from", "preliminary_target_days",
                  "preliminary_due_days", "final_days", "final_days_wrongful",
                  "person_threshold", "awareness_day_is_day_one",
                  "acquisition_counts_as_wrongful", "legal_basis"]
        widgets = {"effective_from": DateInput}


class BreachRuleEditForm(BreachRuleForm):
    """The edit page's form: for a rule that assessments applied, the date and the numbers
    are shown but not offered (a change of law is a new rule); the names and the legal basis
    can still be corrected. (A file import is refused on the model instead, rather than have
    its values ignored.)"""

    def limit_choices(self, user):
        if self.instance.pk and self.instance.in_use():
            for name in BreachRule.FROZEN_FIELDS:
                if name in self.fields:
                    self.fields[name].disabled = True
                    self.fields[name].help_text = _(
                        "Assessments applied this rule: a change of the law is a new rule.")


class ResponseTargetForm(ScopedModelForm):
    class Meta:
        model = ResponseTarget
        fields = ["severity", "contain_within_hours", "recover_within_hours"]


class IncidentSettingsForm(ScopedModelForm):
    class Meta:
        model = IncidentSettings
        fields = ["team_email", "reminder_days", *IncidentSettings.COMPANY_FIELDS]
