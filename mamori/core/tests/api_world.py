"""A few records of every model the API serves, on top of the `org` fixture, so the schema
test's path ids and references reach real objects in every app (not only the organisation).

Written directly with the ORM, as small as possible: one or two rows per model, in the
departments of the fixture's users, so both the administrator and a staff member have rows
they may see and rows they may not. The installation's defaults (threats, bands, rules,
response targets, TLS profiles, settings rows) are already there after migrate.
"""

import datetime

from django.urls import resolve
from django.utils import timezone

from mamori.assets.models import Asset
from mamori.contractors.models import Contractor, ScreeningRequirement, Subcontracting
from mamori.controls.models import Control, Evidence, Framework, Requirement
from mamori.core import conformance
from mamori.core.api.views import ConformanceCheckView
from mamori.incidents import workflow as incident_workflow
from mamori.incidents.models import (
    BreachAssessment,
    Incident,
    RecoveryAction,
    RegulatoryReport,
)
from mamori.policies import workflow as policy_workflow
from mamori.policies.models import Acknowledgement, PolicyDocument, PolicyReview, PolicyVersion
from mamori.risks.models import Risk, RiskAcceptance, Threat
from mamori.websec.models import TlsFinding, TlsProfile, TlsScan, WebEndpoint

AWARE = timezone.make_aware(datetime.datetime(2025, 4, 1, 9, 0))
BODY = "# 規程\n\n## 第1条（目的） {#art-1}\n\n目的を定める。\n"


def build(org) -> None:
    ciso, staff = org.users["ciso"], org.people["staff"]
    # Policies: a published document everyone acknowledges, with a review and a draft.
    document = PolicyDocument.objects.create(
        code="rules", kind=PolicyDocument.Kind.INTERNAL_RULE, title_ja="規程",
        owner_department=org.sales)
    published = PolicyVersion.objects.create(document=document, body_ja=BODY, body_en=BODY)
    for step in ("submit", "approve", "publish"):
        policy_workflow.STEPS[step].function(ciso, published)
    published.refresh_from_db()
    Acknowledgement.objects.create(person=org.people["manager"], version=published,
                                   content_hash=published.content_hash)
    PolicyReview.objects.create(document=document, reviewer=org.people["ciso"],
                                outcome=PolicyReview.Outcome.NO_CHANGE, reasons=["business"],
                                next_review_date=datetime.date(2026, 4, 1))
    other = PolicyDocument.objects.create(
        code="it-rules", kind=PolicyDocument.Kind.STANDARD, title_ja="IT 基準",
        owner_department=org.it)
    PolicyVersion.objects.create(document=other, body_ja=BODY)

    # Assets, controls with evidence, a small framework, risks and an acceptance.
    asset = Asset.objects.create(code="A-1", name_ja="顧客名簿", asset_type="information",
                                 department=org.sales_east, custodian=staff)
    Asset.objects.create(code="A-2", name_ja="基幹システム", asset_type="system",
                         department=org.it)
    control = Control.objects.create(code="C-1", title_ja="アクセス権の見直し",
                                     theme="technological", department=org.sales, owner=staff)
    Control.objects.create(code="C-2", title_ja="バックアップ", theme="technological",
                           department=org.it)
    Evidence.objects.create(control=control, kind=Evidence.Kind.NOTE, title="点検記録",
                            note="確認済み", collected_on=datetime.date(2025, 4, 1))
    framework = Framework.objects.create(code="test-framework", name_ja="試験枠組み",
                                         in_soa=True)
    group = Requirement.objects.create(framework=framework, ref="1", uid="test-framework:1",
                                       title_ja="組織", is_group=True)
    requirement = Requirement.objects.create(framework=framework, ref="1.1", parent=group,
                                             uid="test-framework:1.1", title_ja="方針")
    requirement.controls.add(control)
    threat = Threat.objects.order_by("pk").first()
    risk = Risk.objects.create(code="R-1", title_ja="名簿の漏えい", threat=threat,
                               department=org.sales_east, owner=staff, likelihood=3, impact=3)
    risk.assets.add(asset)
    risk.controls.add(control)
    Risk.objects.create(code="R-2", title_ja="停止", threat=threat, department=org.it,
                        likelihood=1, impact=1)
    RiskAcceptance.objects.create(risk=risk, accepted_by=org.people["ciso"],
                                  accepted_on=datetime.date(2025, 4, 1),
                                  expires_on=datetime.date(2026, 3, 31), justification="費用")

    # Incidents: one reported by the staff member, one assigned to them, one in IT; the
    # timeline, an action, a reportable assessment (which drafts the PPC reports).
    reported = Incident.objects.create(title="誤送信", department=org.sales_east,
                                       reported_by=staff, noticed_at=AWARE)
    Incident.objects.create(title="紛失", department=org.sales, assignee=staff,
                            noticed_at=AWARE)
    Incident.objects.create(title="障害", department=org.it, noticed_at=AWARE)
    incident_workflow.add_entry(reported, ciso, "note", "受付")
    RecoveryAction.objects.create(incident=reported, title="再送の停止", owner=staff,
                                  due_on=datetime.date(2025, 4, 3))
    assessment = BreachAssessment(incident=reported, personal_data=True, sensitive=True,
                                  persons_affected=10)
    incident_workflow.save_assessment(assessment, ciso)
    RegulatoryReport.objects.create(incident=reported, recipient=RegulatoryReport.Recipient.FSA,
                                    kind=RegulatoryReport.Kind.PRELIMINARY,
                                    due_on=datetime.date(2025, 4, 5))

    # Web systems: an endpoint in Sales East (nothing listens on its port), a scan of it
    # and an open finding.
    endpoint = WebEndpoint.objects.create(
        name="会員サイト", url="https://127.0.0.1:9/", department=org.sales_east,
        profile=TlsProfile.objects.order_by("pk").first())
    now = timezone.now()
    scan = TlsScan.objects.create(
        endpoint=endpoint, kind=TlsScan.Kind.FULL, status=TlsScan.Status.DONE,
        started_at=now, finished_at=now, profile_code=endpoint.profile.code,
        authentication_ok=True, encryption_ok=False, integrity_ok=True, profile_ok=False,
        result={}, result_sha256="0" * 64)
    TlsFinding.objects.create(endpoint=endpoint, key="enc.protocol:TLSv1.0",
                              code="enc.protocol", promise="encryption", level="fail",
                              opened_at=now, last_seen_at=now, opened_by_scan=scan)

    # Contractors: one entrusted by Sales East with card data, one by IT; the shipped
    # screening requirements, one linked to the control above.
    Contractor.objects.create(code="K-1", name_ja="委託先", department=org.sales_east,
                              personal_data=True, card_data=True)
    Contractor.objects.create(code="K-2", name_ja="保守", department=org.it,
                              system_access=True)
    Subcontracting.objects.create(
        contractor=Contractor.objects.get(code="K-1"), work="発送",
        subcontractor=Contractor.objects.create(code="K-3", name_ja="再委託先",
                                                department=org.sales_east))
    ScreeningRequirement.objects.order_by("pk").first().controls.add(
        Control.objects.order_by("pk").first())


def existing_ids(schema) -> dict[str, list]:
    """Path template ("/api/org/people/{id}/") → the lookup values of its model's rows, for
    every operation with a path parameter: the model is the one the URL's view serves."""
    ids = {}
    for result in schema.get_all_operations():
        path = result.ok().path
        if "{" not in path or path in ids:
            continue
        view = resolve(path.split("{")[0] + "1/").func
        viewset = view.cls
        if viewset is ConformanceCheckView:  # a check's code, not a row's
            ids[path] = [check.code for check in conformance.checks()]
            continue
        model = viewset.serializer_class.Meta.model
        lookup = getattr(viewset, "lookup_field", "pk")
        ids[path] = list(model.objects.order_by("pk").values_list(lookup, flat=True))
    return ids
