"""The records a nonconformity or an improvement action can be raised from.

`improvement` depends only on core and org, so the apps whose records raise findings register
their models here when they start (incidents: an incident's lessons learned; audits,
exercises and reviews as they land). The create page of a record raised from another
(`/improvement/nonconformities/new/from/incidents.incident/42/`) starts with its kind,
reference and department, and the saved record links to its source.
"""

from dataclasses import dataclass
from functools import reduce
from operator import or_

from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils.translation import gettext as _

from mamori.core.scope import VIEW


@dataclass(frozen=True)
class SourceKind:
    kind: str  # a Source value
    reference: object  # (record) -> str shown as the reference, e.g. its number
    department: object  # (record) -> the Department responsible, or None
    title: object  # (record) -> a starting title
    more: object  # (record) -> more starting values of the form ({"severity": …})
    # (roles) -> a Q of the source records an auditor writes (their audits' items), whose
    # findings they raise and change; None for sources auditors do not write.
    written_by: object = None
    # (record) -> the id of the person who verifies and closes what was raised from it
    # besides the CISO (an audit's lead auditor), or None.
    verifier: object = None


_SOURCES: dict[str, SourceKind] = {}


def register(model, kind: str, *, reference=str, department=None, title=None,
             extra=None, written_by=None, verifier=None) -> None:
    _SOURCES[model._meta.label_lower] = SourceKind(
        kind, reference, department or (lambda record: None), title or (lambda record: ""),
        extra or (lambda record: {}), written_by, verifier)


def verifier_of(obj) -> int | None:
    """Who besides the CISO verifies and closes `obj` (a nonconformity): the verifier its
    source names, e.g. the lead auditor of the audit it was found in."""
    record = obj.source_object()
    kind = _SOURCES.get(record._meta.label_lower) if record is not None else None
    return kind.verifier(record) if kind is not None and kind.verifier else None


def writes(user, record) -> bool:
    """Whether `user` is an auditor who writes `record` (an item of an audit they are on),
    and so raises findings from it."""
    from mamori.core import roles as r

    kind = _SOURCES.get(record._meta.label_lower)
    roles = r.roles_for(user)
    if kind is None or kind.written_by is None or not roles.has(r.AUDITOR) or (
            roles.person_id is None):
        return False
    return type(record)._base_manager.filter(kind.written_by(roles), pk=record.pk).exists()


def raised_by_auditor(roles) -> Q | None:
    """The records (nonconformities, improvement actions) raised from source records the
    auditor writes: the findings of the audits they lead or are on the team of."""
    parts = []
    for label, kind in _SOURCES.items():
        written = kind.written_by(roles) if kind.written_by else None
        if written is None:
            continue
        model = apps.get_model(label)
        parts.append(Q(source_type=ContentType.objects.get_for_model(model),
                       source_id__in=model._base_manager.filter(written).values("pk")))
    return reduce(or_, parts) if parts else None


def resolve(label: str, pk: int, user):
    """The source record `label` (e.g. incidents.incident) and `pk` name, if its model is
    registered and the user may see it; ValidationError otherwise (the same message whether
    it is missing or hidden)."""
    kind = _SOURCES.get(label)
    if kind is None:
        raise ValidationError(_("The record this was raised from is not known."))
    model = apps.get_model(label)
    record = model.objects.restrict(user, VIEW).filter(pk=pk).first()
    if record is None:
        raise ValidationError(_("The record this was raised from is not known."))
    return record, kind


def link(obj, record) -> None:
    """Point `obj` (a nonconformity or an improvement action) at its source record."""
    obj.source_type = ContentType.objects.get_for_model(type(record))
    obj.source_id = record.pk
    obj.source = _SOURCES[record._meta.label_lower].kind


def initial_for(record, kind: SourceKind) -> dict:
    department = kind.department(record)
    return {"source": kind.kind, "source_reference": kind.reference(record),
            "department": department.pk if department else None, "title": kind.title(record),
            **kind.more(record)}


def raised_from_context(user, record) -> dict:
    """For a source record's page: the buttons raising a nonconformity or an improvement
    action from it (only for those who may add one), and what was raised from it that the
    user may see."""
    from django.urls import reverse
    from django.utils.translation import gettext_lazy

    from mamori.core.scope import ADD, can
    from mamori.improvement.models import ImprovementAction, Nonconformity

    content_type = ContentType.objects.get_for_model(type(record))
    source = (record._meta.label_lower, record.pk)
    links = [(label, reverse(url_name, args=source), model._meta.model_name)
             for model, url_name, label in (
                 (Nonconformity, "improvement:nonconformity_raise",
                  gettext_lazy("Raise a nonconformity")),
                 (ImprovementAction, "improvement:improvementaction_raise",
                  gettext_lazy("Raise an improvement action")))
             if can(user, model, ADD) or writes(user, record)]
    raised = [obj for model in (Nonconformity, ImprovementAction)
              for obj in model.objects.restrict(user).filter(
                  source_type=content_type, source_id=record.pk).order_by("code")[:50]]
    return {"raise_links": links, "raised_records": raised}
