"""The report deadlines follow the facts they are derived from.

A breach assessment's outcome (the rule applied, the grounds, the due dates) depends on the
moment the company became aware, on the rule in force on that date and on the answers. When
any of them changes, the outcome is derived again at once, in the transaction of the change,
and every PPC report not yet submitted takes the new due date; the timeline says what moved
and why. Reports already submitted keep the date they were measured against.
"""

import datetime

from django.db.models import F
from django.db.models.functions import Coalesce
from django.utils.functional import lazy
from django.utils.translation import gettext as _
from django.utils.translation import override

from mamori.core.context import current_actor
from mamori.incidents import breach

# The stored parts of an outcome, in the order they are compared.
OUTCOME_FIELDS = ("rule_id", "reportable", "exempt", "grounds", "grounds_if_unencrypted",
                  "preliminary_target", "preliminary_due", "final_due")


def stored_outcome(assessment, using="default") -> dict | None:
    """The outcome as the database holds it (None for an assessment not yet stored)."""
    if assessment.pk is None:
        return None
    return type(assessment)._base_manager.using(using).filter(pk=assessment.pk).values(
        *OUTCOME_FIELDS).first()


def outcome_of(assessment) -> dict:
    return {name: getattr(assessment, name) for name in OUTCOME_FIELDS}


def acting_person():
    """The person behind the change being made (the timeline's author), if any."""
    from mamori.org.models import Person

    user_id = current_actor().user_id
    if user_id is None:
        return None
    return Person.objects.filter(user_id=user_id).first()


def follow(assessment, before: dict, reason) -> None:
    """After `assessment` was saved with a new outcome (`before`: the stored one): move the
    due dates of its PPC reports not yet submitted, draft the reports a newly reportable
    breach needs, and write what moved and why in the timeline. Call inside the transaction
    that saved the assessment."""
    from mamori.incidents.models import IncidentEntry, RegulatoryReport

    after = outcome_of(assessment)
    if after == before:
        return
    incident = assessment.incident
    moved = []
    if assessment.reportable:
        dues = {RegulatoryReport.Kind.PRELIMINARY: assessment.preliminary_due,
                RegulatoryReport.Kind.FINAL: assessment.final_due}
        for report in incident.reports.filter(recipient=RegulatoryReport.Recipient.PPC,
                                              kind__in=list(dues), submitted_on__isnull=True):
            due = dues[report.kind]
            if report.due_on != due:
                moved.append((report, report.due_on, due))
                report.due_on = due
                # A new date deserves its own reminder and, if missed, its own escalation.
                report.reminded_on = report.escalated_on = None
                report.save()
    lines = []
    for language in ("ja", "en"):
        with override(language):
            parts = [_("Deadlines derived again: %(reason)s.") % {"reason": reason}]
            for name in ("preliminary_target", "preliminary_due", "final_due"):
                if before.get(name) != after[name]:
                    parts.append(_("%(what)s: %(old)s → %(new)s.") % {
                        "what": type(assessment)._meta.get_field(name).verbose_name,
                        "old": before.get(name) or "—", "new": after[name] or "—"})
            if before.get("grounds") != after["grounds"]:
                parts.append(_("Grounds (enforcement rules Art 7): %(old)s → %(new)s.") % {
                    "old": before.get("grounds") or "—", "new": after["grounds"] or "—"})
            if before.get("reportable") and not after["reportable"]:
                parts.append(_("No longer reportable: the reports not yet submitted keep "
                               "their dates until the CISO withdraws them."))
            for report, old, new in moved:
                parts.append(_("%(report)s due %(old)s → %(new)s.") % {
                    "report": report.get_kind_display(), "old": old or "—", "new": new})
            lines.append(" ".join(str(p) for p in parts))
    IncidentEntry.objects.create(incident=incident, author=acting_person(),
                                 kind=IncidentEntry.Kind.ASSESSMENT, text="\n".join(lines))
    if assessment.reportable and not before.get("reportable"):
        from mamori.incidents.workflow import draft_items

        for kind, due in ((RegulatoryReport.Kind.PRELIMINARY, assessment.preliminary_due),
                          (RegulatoryReport.Kind.FINAL, assessment.final_due)):
            if incident.reports.filter(recipient=RegulatoryReport.Recipient.PPC,
                                       kind=kind).exists():
                continue
            report = RegulatoryReport(incident=incident, kind=kind, due_on=due,
                                      recipient=RegulatoryReport.Recipient.PPC,
                                      legal_basis=_("APPI Art 26(1); enforcement rules Art 8"))
            draft_items(report)
            report.save()


def awareness_reason(incident):
    """Lazy: the timeline entry is written in Japanese and in English, each with the reason
    in its own language."""
    at = incident.awareness.astimezone(breach.JAPAN).strftime("%Y-%m-%d %H:%M")
    return lazy(lambda: _("the company became aware at %(at)s") % {"at": at}, str)()


def follow_incident(sender, instance, raw=False, using="default", **kwargs):
    """post_save of an incident: its awareness may have moved, and the rule in force with
    it; re-derive the assessment's outcome (only when it changes)."""
    from mamori.incidents.models import BreachAssessment

    if raw or kwargs.get("created"):
        return
    assessment = BreachAssessment.objects.using(using).filter(incident=instance).first()
    if assessment is None:
        return
    assessment.incident = instance
    assessment.rederive(awareness_reason(instance), using=using)


def assessments_aware_from(day: datetime.date, using="default"):
    """Assessments whose incident's awareness falls on or after `day` (a date in Japan)."""
    from mamori.incidents.models import BreachAssessment

    start = datetime.datetime.combine(day, datetime.time(), tzinfo=breach.JAPAN)
    return (BreachAssessment.objects.using(using).select_related("incident")
            .annotate(awareness=Coalesce(F("incident__aware_at"), F("incident__noticed_at")))
            .filter(awareness__gte=start).order_by("pk"))


def rule_reason(rule):
    """Lazy, like awareness_reason: the rule named in each language of the timeline."""
    day = rule.effective_from
    return lazy(lambda: _("the breach-reporting rule %(code)s (%(rule)s) applies from "
                          "%(date)s") % {"code": rule.code, "rule": str(rule), "date": day},
                str)()


def follow_rule(rule, using="default") -> None:
    """A rule took effect (it was added, or its date was set): every assessment whose
    awareness falls on or after its date and that it now governs is derived again, its
    unsubmitted reports following; an assessment with a PPC report already submitted is not
    changed behind the CISO's back but flagged (`rule_superseded_by`), with a timeline entry.
    Call inside the transaction that saved the rule."""
    from mamori.incidents.models import BreachRule, IncidentEntry, RegulatoryReport

    governed = assessments_aware_from(rule.effective_from, using).exclude(rule=rule)
    later = (BreachRule.objects.using(using).filter(effective_from__gt=rule.effective_from)
             .order_by("effective_from").values_list("effective_from", flat=True).first())
    if later is not None:
        governed = governed.filter(awareness__lt=datetime.datetime.combine(
            later, datetime.time(), tzinfo=breach.JAPAN))
    submitted = set(RegulatoryReport.objects.using(using).filter(
        recipient=RegulatoryReport.Recipient.PPC, submitted_on__isnull=False,
        incident__assessment__in=governed.values("pk")).values_list("incident_id", flat=True))
    # Flags this rule raised on assessments it no longer governs (its date was moved) go.
    governed.model.objects.using(using).filter(rule_superseded_by=rule).exclude(
        pk__in=governed.values("pk")).update(rule_superseded_by=None)
    reason = rule_reason(rule)
    for assessment in governed:
        if assessment.incident_id not in submitted:
            assessment.rederive(reason, using=using)
            continue
        if assessment.rule_superseded_by_id == rule.pk:
            continue
        type(assessment).objects.using(using).filter(pk=assessment.pk).update(
            rule_superseded_by=rule)
        lines = []
        for language in ("ja", "en"):
            with override(language):
                lines.append(_("To review: %(reason)s, but reports on this breach were already "
                               "submitted, so the assessment keeps the rule it applied until "
                               "the CISO decides (saving the assessment again applies the new "
                               "rule).") % {"reason": reason})
        IncidentEntry.objects.using(using).create(
            incident=assessment.incident, author=acting_person(),
            kind=IncidentEntry.Kind.ASSESSMENT, text="\n".join(lines))
