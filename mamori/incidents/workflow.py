"""The steps of handling an incident. Each step writes the incident and a timeline entry in
one transaction, so the timeline is the history of what was done and by whom."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override

from mamori.core.scope import ADD, CHANGE, ensure_in_scope
from mamori.incidents.models import (
    BreachAssessment,
    Incident,
    IncidentEntry,
    RegulatoryReport,
)

Status = Incident.Status


def person_of(user):
    return getattr(user, "person", None) if user is not None else None


def add_entry(incident, user, kind, text, at=None) -> IncidentEntry:
    return IncidentEntry.objects.create(incident=incident, author=person_of(user), kind=kind,
                                        text=text, at=at or timezone.now())


def add_note(incident, user, text) -> IncidentEntry:
    text = (text or "").strip()
    if not text:
        raise ValidationError({"text": _("Write what was done or found.")})
    with transaction.atomic():
        entry = add_entry(incident, user, IncidentEntry.Kind.NOTE, text)
        ensure_in_scope(entry, user, ADD)
    return entry


def missing_for_closing(incident) -> list[str]:
    missing = []
    if not incident.root_cause.strip():
        missing.append(str(Incident._meta.get_field("root_cause").verbose_name))
    if not incident.lessons_learned.strip():
        missing.append(str(Incident._meta.get_field("lessons_learned").verbose_name))
    return missing


def move_refused(incident, status: str, at) -> str | None:
    """Why the incident cannot move to `status` at `at`, or None when it can: it moves
    forward only, closes once its root cause and lessons learned are recorded, and no stage
    is reached before the company became aware."""
    order = [Status.REPORTED] + [s for s, _f in Incident.STAGES]
    if status not in order:
        return _("Unknown status.")
    if order.index(status) <= order.index(incident.status):
        return _("An incident moves forward only: it is %(status)s already.") % {
            "status": incident.get_status_display()}
    if status == Status.CLOSED and (missing := missing_for_closing(incident)):
        return _("Record these before closing: %(fields)s.") % {"fields": ", ".join(missing)}
    if incident.awareness is not None and at < incident.awareness:
        return _("This cannot be before the company became aware.")
    return None


def next_statuses(incident, user, at=None) -> list[str]:
    """The statuses `user` may move the incident to now, in lifecycle order: the only ones
    the incident's page offers (none for someone who does not handle it)."""
    if not Incident.objects.restrict(user, CHANGE).filter(pk=incident.pk).exists():
        return []
    at = at or timezone.now()
    return [status for status, _f in Incident.STAGES
            if move_refused(incident, status, at) is None]


def move_to(incident, status: str, user, note: str = "", at=None) -> Incident:
    """Move the incident forward in its lifecycle to `status`, stamping every stage reached
    on the way (an incident contained at once was triaged then too)."""
    at = at or timezone.now()
    if (refused := move_refused(incident, status, at)) is not None:
        raise ValidationError({"status": refused})
    before = incident.get_status_display()
    with transaction.atomic():
        for stage, name in Incident.STAGES:
            if getattr(incident, name) is None:
                setattr(incident, name, at)
            if stage == status:
                break
        incident.status = status
        incident.save()
        ensure_in_scope(incident, user, CHANGE)
        text = f"{before} → {incident.get_status_display()}"
        add_entry(incident, user, IncidentEntry.Kind.STATUS,
                  f"{text}\n{note}".strip(), at=at)
    return incident


def escalate(incident, user, reason: str, at=None) -> Incident:
    with transaction.atomic():
        incident.escalated_at = at or timezone.now()
        incident.save(update_fields=["escalated_at"])
        add_entry(incident, user, IncidentEntry.Kind.ESCALATION, reason, at=at)
    return incident


def save_assessment(assessment: BreachAssessment, user) -> BreachAssessment:
    """Save the answers, record the outcome in the timeline and draft the reports the outcome
    requires (PPC preliminary and final), or move their due dates when a re-assessment
    changes them."""
    adding = assessment._state.adding
    with transaction.atomic():
        if assessment.assessed_by_id is None:
            assessment.assessed_by = person_of(user)
        assessment.save()
        ensure_in_scope(assessment, user, ADD if adding else CHANGE)
        record_assessment(assessment, user)
    return assessment


def record_assessment(assessment: BreachAssessment, user, at=None) -> None:
    """The outcome in the timeline, and the reports it requires drafted (`at`: when, for
    records of earlier events such as the demo's history; now by default)."""
    with transaction.atomic():
        add_entry(assessment.incident, user, IncidentEntry.Kind.ASSESSMENT,
                  outcome_text(assessment), at=at)
        if assessment.reportable:
            for kind, due in ((RegulatoryReport.Kind.PRELIMINARY, assessment.preliminary_due),
                              (RegulatoryReport.Kind.FINAL, assessment.final_due)):
                ensure_report(assessment.incident, kind, due, user, at=at)


def outcome_text(assessment) -> str:
    """The outcome, in Japanese and English (the timeline is read by both)."""
    lines = []
    for language in ("ja", "en"):
        with override(language):
            if assessment.reportable:
                lines.append(_("Reportable to the PPC on grounds %(grounds)s of enforcement "
                               "rules Art 7; preliminary report by %(preliminary)s, final "
                               "report by %(final)s.") % {
                    "grounds": assessment.grounds.replace(",", ", "),
                    "preliminary": assessment.preliminary_due,
                    "final": assessment.final_due})
            elif assessment.exempt:
                lines.append(_("Not reportable: the data was protected by advanced "
                               "encryption."))
            else:
                lines.append(_("Not reportable under APPI Art 26."))
    return "\n".join(lines)


def ensure_report(incident, kind, due, user, at=None) -> RegulatoryReport:
    report = incident.reports.filter(recipient=RegulatoryReport.Recipient.PPC,
                                     kind=kind).first()
    if report is None:
        report = RegulatoryReport(incident=incident, recipient=RegulatoryReport.Recipient.PPC,
                                  kind=kind, due_on=due,
                                  legal_basis=_("APPI Art 26(1); enforcement rules Art 8"))
        draft_items(report)
        report.save()
        ensure_in_scope(report, user, ADD)
        add_entry(incident, user, IncidentEntry.Kind.REPORT,
                  _("Drafted: %(report)s, due %(due)s.") % {"report": report.get_kind_display(),
                                                             "due": due}, at=at)
    elif report.submitted_on is None and report.due_on != due:
        report.due_on = due
        report.save()
        ensure_in_scope(report, user, CHANGE)
    return report


def draft_items(report: RegulatoryReport) -> None:
    """Fill the report's empty items from what the incident records (in Japanese: the PPC's
    form is in Japanese)."""
    incident = report.incident
    assessment = BreachAssessment.objects.filter(incident=incident).first()
    with override("ja"):
        facts = {
            "summary": "\n".join(filter(None, [
                incident.title, incident.description,
                _("Occurred: %(at)s") % {
                    "at": timezone.localtime(incident.occurred_at).strftime("%Y-%m-%d %H:%M")}
                if incident.occurred_at else "",
                _("Became aware: %(at)s") % {
                    "at": timezone.localtime(incident.awareness).strftime("%Y-%m-%d %H:%M")}])),
            "data_items": (assessment.data_items if assessment else "") or incident.data_affected,
            "persons": (f"{assessment.persons_affected:,}"
                        if assessment and assessment.persons_affected is not None else ""),
            "cause": incident.root_cause,
            "recurrence_prevention": incident.lessons_learned,
        }
    for name, value in facts.items():
        if not getattr(report, name) and value:
            setattr(report, name, value)


def check_can_handle(incident, user) -> None:
    if not Incident.objects.restrict(user, CHANGE).filter(pk=incident.pk).exists():
        raise PermissionDenied
