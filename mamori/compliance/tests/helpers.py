"""Records the compliance tests build on the conftest organisation (Sales with its
information manager, Sales East below it, IT outside the manager's scope)."""

import datetime

from django.utils import timezone

from mamori.compliance.models import (
    ComplianceException,
    Evaluation,
    LegalSource,
    Obligation,
    RegulatoryAction,
    SourceVersion,
)


def today() -> datetime.date:
    return timezone.localdate()


def days(n: int) -> datetime.date:
    """`n` days from today (negative: ago)."""
    return today() + datetime.timedelta(days=n)


def make_source(code, **fields):
    values = {"kind": "law", "title_ja": f"法令 {code}", "title_en": f"Act {code}",
              "short_name": code.upper()}
    return LegalSource.objects.create(code=code, **{**values, **fields})


def make_version(source, version, effective_on, **fields):
    return SourceVersion.objects.create(source=source, version=version,
                                        effective_on=effective_on, **fields)


def make_obligation(source, code, department=None, applicability="applicable", **fields):
    values = {"title_ja": f"義務 {code}", "title_en": f"Obligation {code}",
              "article": f"第{len(code)}条",
              "applicability_reason": "" if applicability == "undecided" else "当社は貸金業者"}
    return Obligation.objects.create(code=code, source=source, department=department,
                                     applicability=applicability, **{**values, **fields})


def evaluate(obligation, evaluator, result="compliant", evaluated_on=None, **fields):
    values = {"evidence": "台帳を確認した"}
    return Evaluation.objects.create(obligation=obligation, evaluator=evaluator, result=result,
                                     evaluated_on=evaluated_on or today(),
                                     **{**values, **fields})


def make_exception(obligation, accepted_on=None, expires_on=None, **fields):
    accepted_on = accepted_on or today()
    return ComplianceException.objects.create(
        obligation=obligation, reason="システム更改まで手作業で補う",
        accepted_on=accepted_on,
        expires_on=expires_on or accepted_on + datetime.timedelta(days=180), **fields)


def make_action(department, title="報告徴求", **fields):
    values = {"kind": "report_request", "regulator": "関東財務局",
              "description": "個人情報の管理状況の報告", "received_on": today()}
    return RegulatoryAction.objects.create(title=title, department=department,
                                           **{**values, **fields})
