"""The life of a version: draft → in review → approved → published → superseded.

Each step is a function that checks who may take it, changes the version in a transaction
(every change lands in the change log through the models) and returns the version. A step
that is not allowed raises PermissionDenied; one that does not fit the version's state raises
ValidationError with a message for the user.
"""

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from mamori.core import roles as r
from mamori.core.audit import one_user_action
from mamori.core.dates import add_months
from mamori.core.scope import CHANGE
from mamori.policies.markdown import extract_sections
from mamori.policies.models import PolicyDocument, PolicySection, PolicyVersion

Status = PolicyVersion.Status


def _require(version: PolicyVersion, *states: str) -> None:
    if version.status not in states:
        raise ValidationError(_("This step is not possible for a version that is %(status)s.")
                              % {"status": version.get_status_display()})


def manages(user, document: PolicyDocument) -> bool:
    """The document's owners: its department's information managers, the CISO, admins."""
    return PolicyDocument.objects.restrict(user, CHANGE).filter(pk=document.pk).exists()


def can_edit(user, version: PolicyVersion) -> bool:
    return version.status in PolicyVersion.EDITABLE and manages(user, version.document)


def can_approve(user, version: PolicyVersion) -> bool:
    """The approver the document names, or the CISO when it names none; administrators too."""
    roles = r.roles_for(user)
    if roles.has(r.ADMIN):
        return True
    approver = version.document.approver
    if approver is not None:
        return approver.user_id is not None and approver.user_id == user.pk
    return roles.has(r.CISO)


def can_move_forward(user, version: PolicyVersion) -> bool:
    """Who may return an approved or in-review version to draft, or publish an approved one:
    its approver, or the document's owners."""
    return can_approve(user, version) or manages(user, version.document)


def submit(user, version: PolicyVersion) -> PolicyVersion:
    _require(version, Status.DRAFT)
    if not can_edit(user, version):
        raise PermissionDenied
    with transaction.atomic():
        version.status = Status.IN_REVIEW
        version.submitted_at = timezone.now()
        version.save()
    return version


def return_to_draft(user, version: PolicyVersion) -> PolicyVersion:
    """The approver (or the author) sends a version in review back for changes."""
    _require(version, Status.IN_REVIEW, Status.APPROVED)
    if not can_move_forward(user, version):
        raise PermissionDenied
    with transaction.atomic():
        version.status = Status.DRAFT
        version.approved_by = None
        version.approved_at = None
        version.save()
    return version


def approve(user, version: PolicyVersion) -> PolicyVersion:
    _require(version, Status.IN_REVIEW)
    if not can_approve(user, version):
        raise PermissionDenied
    with transaction.atomic():
        version.status = Status.APPROVED
        version.approved_by = user
        version.approved_at = timezone.now()
        version.save()
    return version


def publish(user, version: PolicyVersion) -> PolicyVersion:
    """Publish an approved version: the previous one is superseded, the sections are taken
    from the text's headings, and the audience is asked to acknowledge (material change)."""
    _require(version, Status.APPROVED)
    if not can_move_forward(user, version):
        raise PermissionDenied
    document = version.document
    with transaction.atomic():
        for previous in document.versions.filter(status=Status.PUBLISHED):
            previous.status = Status.SUPERSEDED
            previous.save()
        version.status = Status.PUBLISHED
        version.published_at = timezone.now()
        version.save()
        sync_sections(version)
        if document.next_review_date is None:
            document.next_review_date = add_months(timezone.localdate(),
                                                   document.review_interval_months)
            document.save()
    return version


def new_draft(user, document: PolicyDocument, *, is_material: bool,
              change_summary: str = "") -> PolicyVersion:
    """Start the next version from the latest text (editing a published document)."""
    if not manages(user, document):
        raise PermissionDenied
    if document.versions.filter(status__in=(Status.DRAFT, Status.IN_REVIEW,
                                            Status.APPROVED)).exists():
        raise ValidationError(_("This document already has a version in preparation."))
    latest = document.versions.order_by("-number").first()
    # The draft and its audience are one change: one change-log entry.
    with transaction.atomic(), one_user_action():
        draft = PolicyVersion(
            document=document, is_material=is_material, change_summary=change_summary,
            body_ja=latest.body_ja if latest else "", body_en=latest.body_en if latest else "",
            audience=latest.audience if latest else PolicyVersion.Audience.ALL_STAFF,
            audience_categories=list(latest.audience_categories) if latest else [])
        draft.save()
        if latest:
            draft.audience_departments.set(latest.audience_departments.all())
    return draft


def sync_sections(version: PolicyVersion) -> None:
    """Create or update the document's sections from the version's headings ({#key})."""
    ja = extract_sections(version.body_ja)
    en = dict(extract_sections(version.body_en))
    existing = {s.key: s for s in version.document.sections.all()}
    for position, (key, title_ja) in enumerate(ja):
        section = existing.get(key) or PolicySection(document=version.document, key=key)
        section.title_ja, section.title_en, section.position = title_ja, en.get(key, ""), position
        section.save()


def sees_coverage(user) -> bool:
    """Coverage lists names of people: for the CISO, administrators, auditors and information
    managers (who see their own departments' people only)."""
    return r.roles_for(user).has(r.ADMIN, r.CISO, r.AUDITOR, r.INFORMATION_MANAGER)


@dataclass(frozen=True)
class Step:
    name: str
    label: object
    function: object
    allowed: object  # (user, version) -> bool
    states: tuple
    style: str = "primary"

    def done_message(self) -> str:
        return str(_("Done: %(step)s.") % {"step": self.label})


STEPS = {
    "submit": Step("submit", gettext_lazy("Submit for review"), submit, can_edit,
                   (Status.DRAFT,)),
    "approve": Step("approve", gettext_lazy("Approve"), approve, can_approve,
                    (Status.IN_REVIEW,), "success"),
    "return": Step("return", gettext_lazy("Return to draft"), return_to_draft,
                   can_move_forward,
                   (Status.IN_REVIEW, Status.APPROVED), "secondary"),
    "publish": Step("publish", gettext_lazy("Publish"), publish,
                    can_move_forward,
                    (Status.APPROVED,), "success"),
}


def available_steps(user, version: PolicyVersion) -> list[Step]:
    return [step for step in STEPS.values()
            if version.status in step.states and step.allowed(user, version)]
