"""An audit's checklist, generated from its scope: one item per conformance check of the
policy articles in scope, per framework requirement and per control in scope.

Generating again after the scope changed adds what is new and removes what left the scope
only where nothing was recorded on it yet: answers, notes, evidence and the findings raised
from an item are kept.
"""

from django.db import transaction
from django.db.models import Max

from mamori.audits.models import Audit, ChecklistItem
from mamori.core import conformance

Kind = ChecklistItem.Kind


def wanted_items(audit: Audit) -> list[dict]:
    """The items the audit's scope asks for, in checklist order."""
    articles = set(audit.articles.values_list("number", flat=True))
    items = [{"kind": Kind.CHECK, "reference": check.code, "article": check.article,
              "title": str(check.title)}
             for check in conformance.checks() if check.article in articles]
    for requirement in audit.requirements.filter(is_group=False).select_related(
            "framework").order_by("framework__code", "sort_key", "pk"):
        items.append({"kind": Kind.REQUIREMENT, "reference": requirement.uid,
                      "requirement": requirement, "title": requirement.title[:300]})
    for control in audit.controls.order_by("code"):
        items.append({"kind": Kind.CONTROL, "reference": control.code, "control": control,
                      "title": control.title[:300]})
    return items


def untouched(item: ChecklistItem) -> bool:
    return (item.result == ChecklistItem.Result.NOT_AUDITED and not item.notes
            and not item.sampled_records)


def generate(audit: Audit) -> tuple[int, int]:
    """Bring the checklist in line with the scope; returns (items added, items removed)."""
    with transaction.atomic():
        audit = Audit.objects.select_for_update().get(pk=audit.pk)
        wanted = wanted_items(audit)
        keys = {(w["kind"], w["reference"]) for w in wanted}
        existing = {(i.kind, i.reference): i for i in audit.items.all()}
        removed = 0
        for key, item in existing.items():
            if (key not in keys and item.kind != Kind.OTHER and untouched(item)
                    and not item.evidence.exists() and not raised_from(item)):
                item.delete()
                removed += 1
        position = audit.items.aggregate(last=Max("position"))["last"] or 0
        added = 0
        for values in wanted:
            if (values["kind"], values["reference"]) in existing:
                continue
            position += 1
            ChecklistItem.objects.create(audit=audit, position=position, **values)
            added += 1
    return added, removed


def raised_from(item: ChecklistItem) -> bool:
    from django.contrib.contenttypes.models import ContentType

    from mamori.improvement.models import ImprovementAction, Nonconformity

    content_type = ContentType.objects.get_for_model(ChecklistItem)
    return any(model.objects.filter(source_type=content_type, source_id=item.pk).exists()
               for model in (Nonconformity, ImprovementAction))


def current_results(items) -> dict[str, tuple[str, object]]:
    """The latest result of each check among `items`, as a starting point for the auditor:
    check code -> (status, the day it was taken). Read from the daily conformance snapshot
    (one query), which a check at ten times the company would take a good part of a second to
    recompute on every page; a check with no snapshot yet (a new installation) is run now."""
    from django.db.models import OuterRef, Subquery
    from django.utils import timezone

    from mamori.core.models import ConformanceSnapshot

    codes = {item.reference for item in items if item.kind == Kind.CHECK}
    if not codes:
        return {}
    latest = ConformanceSnapshot.objects.filter(check_code=OuterRef("check_code")).order_by(
        "-day").values("day")[:1]
    found = {code: (status, day) for code, status, day in ConformanceSnapshot.objects.filter(
        check_code__in=codes, day=Subquery(latest)).values_list("check_code", "status", "day")}
    for check in conformance.checks():
        if check.code in codes and check.code not in found:
            found[check.code] = (conformance.run_check(check).status, timezone.localdate())
    return found
