"""An amendment (a source's version added after the first) raises an impact assessment for
each obligation it affects, owned by the obligation's department and due the day the
amendment takes effect, in the same transaction as the version or its choice of obligations.

A version raises nothing when no other version of the source is older (the baseline: the
first version entered, a source loaded for the first time by compliance.loader, or a past
version entered later for the record), nor when a newer version is already in force (history
entered for the record between two others: what to assess is the newer one). Any other
version with an older one is an amendment, whenever it was entered: upcoming ones in any
order, and one already in force that nothing has replaced (late, but the law the company is
under). Assessments are only ever added: an obligation taken off an amendment keeps the
assessment already made."""

from django.utils import timezone

from mamori.compliance.models import Applicability, ImpactAssessment, SourceVersion


def is_amendment(version: SourceVersion) -> bool:
    others = SourceVersion.objects.filter(source=version.source_id).exclude(pk=version.pk)
    return (others.filter(effective_on__lt=version.effective_on).exists()
            and not others.filter(effective_on__gt=version.effective_on,
                                  effective_on__lte=timezone.localdate()).exists())


def affected_obligations(version: SourceVersion):
    obligations = version.source.obligations.exclude(
        applicability=Applicability.NOT_APPLICABLE)
    if not version.affects_all:
        obligations = obligations.filter(pk__in=version.affected.values("pk"))
    return obligations


def raise_assessments(version: SourceVersion) -> int:
    """Add the missing assessments of `version`; how many were added."""
    if getattr(version, "baseline", False) or not is_amendment(version):
        return 0
    have = set(version.impact_assessments.values_list("obligation_id", flat=True))
    added = 0
    for obligation in affected_obligations(version).exclude(pk__in=have):
        ImpactAssessment(amendment=version, obligation=obligation).save()
        added += 1
    return added


def version_saved(sender, instance, raw=False, **kwargs):
    if raw:
        return
    # An assessment is due the day its amendment takes effect: a corrected date moves them.
    instance.impact_assessments.exclude(due_on=instance.effective_on).update(
        due_on=instance.effective_on)
    raise_assessments(instance)


def affected_changed(sender, instance, action, reverse=False, **kwargs):
    if action == "post_add" and not reverse:
        raise_assessments(instance)
