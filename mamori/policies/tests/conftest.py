"""Shared helpers for the policies tests: documents, drafts and published versions built on
the `org` fixture (mamori/conftest.py)."""

import pytest

from mamori.policies import workflow
from mamori.policies.models import PolicyDocument, PolicyVersion

BODY_JA = ("# 販売規程\n\n## 第1条（目的） {#art-1}\n\n目的を定める。\n\n"
           "## 第2条（範囲） {#art-2}\n\n全従業者に適用する。\n")
BODY_EN = ("# Sales rules\n\n## Article 1 (Purpose) {#art-1}\n\nStates the purpose.\n\n"
           "## Article 2 (Scope) {#art-2}\n\nApplies to everyone.\n")


def error_messages(response) -> list[str]:
    """The error messages shown on a followed response (send HTTP_ACCEPT_LANGUAGE="en" to
    read them in English)."""
    return [str(m) for m in response.context["messages"] if m.level_tag == "error"]


def make_document(owner, code="sales-rules", kind=PolicyDocument.Kind.INTERNAL_RULE, **extra):
    return PolicyDocument.objects.create(
        code=code, kind=kind, title_ja=f"{code} 規程", title_en=f"{code} rules",
        owner_department=owner, **extra)


def make_draft(document, body_ja=BODY_JA, body_en=BODY_EN, **extra):
    return PolicyVersion.objects.create(document=document, body_ja=body_ja, body_en=body_en,
                                        **extra)


def release(version, user):
    """Submit, approve and publish `version` as `user` (the CISO or an administrator)."""
    for step in ("submit", "approve", "publish"):
        workflow.STEPS[step].function(user, version)
    version.refresh_from_db()
    return version


def published_document(org, owner=None, code="sales-rules", **extra):
    """A document with version 1 published by the CISO, audience: everyone in scope."""
    document = make_document(owner or org.sales, code=code, **extra)
    return document, release(make_draft(document), org.users["ciso"])


@pytest.fixture
def sales_doc(org):
    return make_document(org.sales)


@pytest.fixture
def published(org):
    """(document, version 1) owned by Sales, published to everyone in scope."""
    return published_document(org)
