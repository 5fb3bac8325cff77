"""A few records of every model the API serves, on top of the `org` fixture, so the schema
test's path ids and references reach real objects in every app (not only the organisation).

Written directly with the ORM, as small as possible: one or two rows per model, in the
departments of the fixture's users, so both the administrator and a staff member have rows
they may see and rows they may not. The installation's defaults (threats, bands, rules,
response targets, TLS profiles, policy articles, settings rows) are already there after
migrate; the legal register is not (it is loaded by a command), so its rows are written here.
Each app's rows are made with the helpers of its own tests, and through its workflow's steps
where a record is only ever made or moved by one (a published policy, a started audit, an
approved plan, an effectiveness check, a passed quiz, an approved impact analysis).
"""

import datetime
from decimal import Decimal

from django.contrib.contenttypes.models import ContentType
from django.urls import resolve
from django.utils import timezone
from django.utils.datastructures import MultiValueDict

from mamori.assets.models import Asset
from mamori.audits import workflow as audit_workflow
from mamori.audits.models import AuditProgramme, ChecklistItem
from mamori.audits.tests.test_audit_models import make_audit, make_item
from mamori.audits.tests.test_certificates import certificate
from mamori.audits.tests.test_evidence_requests import ask
from mamori.compliance.tests.helpers import (
    days,
    evaluate,
    make_exception,
    make_obligation,
    make_source,
    make_version,
)
from mamori.compliance.tests.helpers import make_action as make_regulatory_action
from mamori.continuity import workflow as continuity_workflow
from mamori.continuity.models import (
    AssetRecovery,
    ContinuityPlan,
    Dependency,
    Exercise,
    ExerciseResult,
    GapAcceptance,
    ImpactAnalysis,
    PlanInvocation,
    RecoveryStep,
)
from mamori.continuity.tests.helpers import impacts, make_process
from mamori.contractors.models import (
    CLAUSES,
    Certificate,
    Contract,
    Contractor,
    Screening,
    ScreeningRequirement,
    Subcontracting,
)
from mamori.controls.models import Control, Evidence, Framework, Requirement
from mamori.controls.tests.test_control_models import make_framework, make_requirement
from mamori.controls.tests.test_requirement_mappings import make_mapping
from mamori.core import conformance
from mamori.core.api.views import ConformanceCheckView
from mamori.improvement import workflow as improvement_workflow
from mamori.improvement.models import ImprovementAction
from mamori.improvement.tests.test_improvement_models import make_action, make_nc
from mamori.incidents import workflow as incident_workflow
from mamori.incidents.models import (
    BreachAssessment,
    Incident,
    RecoveryAction,
    RegulatoryReport,
)
from mamori.policies import workflow as policy_workflow
from mamori.policies.models import Acknowledgement, PolicyDocument, PolicyReview, PolicyVersion
from mamori.policies.tests.conftest import make_document, make_draft, release
from mamori.review import workflow as review_workflow
from mamori.review.models import (
    ManagementReview,
    Measure,
    Measurement,
    Objective,
    ReviewDecision,
)
from mamori.risks.models import Risk, RiskAcceptance, Threat
from mamori.training import attendance, quiz
from mamori.training.models import ClassroomSession, Course
from mamori.training.tests.helpers import correct_answers, elearning_course, programme_for
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
    # A screening of the Sales East contractor (its answers made from the catalogue), and a
    # contract and a certificate of each of the two.
    Screening.objects.create(contractor=Contractor.objects.get(code="K-1"))
    for code in ("K-1", "K-2"):
        contractor = Contractor.objects.get(code=code)
        Contract.objects.create(contractor=contractor, title="業務委託契約",
                                starts_on=datetime.date(2025, 4, 1), notification_hours=24,
                                **{name: True for name, _label in CLAUSES})
        Certificate.objects.create(contractor=contractor, kind="pmark",
                                   expires_on=datetime.date(2027, 3, 31))

    # The other apps, each with the helpers of its own tests and its workflow's steps.
    build_audits(org)
    build_improvement(org)
    build_training(org)
    build_continuity(org)
    build_compliance(org)
    build_requirement_mappings(org)
    build_review(org)


def build_audits(org) -> None:
    """The FY2025 programme; an internal audit of Sales East in fieldwork (its checklist
    generated from the scope, an item found nonconforming, evidence asked of the staff
    member) and an external audit of IT with its certificate."""
    programme = AuditProgramme.objects.create(
        fiscal_year=2025, objectives="全部署を監査する", approved_by=org.people["ciso"],
        approved_on=datetime.date(2025, 3, 15))
    audit = make_audit("東日本営業課 内部監査", departments=[org.sales_east],
                       lead=org.people["auditor"], programme=programme,
                       planned_start=datetime.date(2025, 6, 2),
                       planned_end=datetime.date(2025, 6, 13))
    audit.requirements.add(Requirement.objects.get(uid="test-framework:1.1"))
    audit.controls.add(Control.objects.get(code="C-1"))
    audit_workflow.start_fieldwork(org.users["ciso"], audit)  # generates the checklist
    item = make_item(audit, "X-1", result=ChecklistItem.Result.MINOR,
                     notes="退職者のアカウントが残っていた", sampled_records="2025年度の退職者 5名")
    item.evidence.add(Evidence.objects.get(title="点検記録"))
    ask(audit, org.people["staff"], item=item, due_on=datetime.date(2025, 6, 10))
    external = make_audit("ISO/IEC 27001 サーベイランス審査", departments=[org.it],
                          kind="iso_surveillance", auditing_body="認証機関",
                          planned_start=datetime.date(2026, 2, 2),
                          planned_end=datetime.date(2026, 2, 4))
    certificate(external, number="IS-0001", scope_statement="基幹システムの運用")


def build_improvement(org) -> None:
    """The audit item's nonconformity, its action done by the staff member, the plan
    approved and found effective (ready to close); an open one in IT; an improvement action
    each."""
    ciso, staff = org.users["ciso"], org.people["staff"]
    item = ChecklistItem.objects.get(reference="X-1")
    found = make_nc(org.sales_east, title="退職者アカウントの削除漏れ",
                    root_cause="退職時の手順に削除がなかった",
                    raised_on=datetime.date(2025, 6, 13), raised_by=org.people["auditor"],
                    source="audit", source_reference=f"{item.audit.code} {item.reference}",
                    source_type=ContentType.objects.get_for_model(ChecklistItem),
                    source_id=item.pk)
    make_action(found, staff, title="退職手順の改訂", due_on=datetime.date(2025, 7, 31),
                done_on=datetime.date(2025, 7, 20))
    improvement_workflow.approve_plan(ciso, found)
    improvement_workflow.record_check(ciso, found, effective=True, notes="抜取りで確認",
                                      checked_on=datetime.date(2025, 9, 1))
    other = make_nc(org.it, title="ログ保管期間の不足", severity="major")
    make_action(other, org.people["it_staff"], title="保管設定の変更")
    ImprovementAction.objects.create(
        title="朝礼での注意喚起", department=org.sales_east, owner=staff,
        raised_on=datetime.date(2025, 6, 13), due_on=datetime.date(2025, 7, 31))
    ImprovementAction.objects.create(
        title="監視項目の追加", department=org.it, raised_on=datetime.date(2025, 6, 13),
        due_on=datetime.date(2025, 9, 30))


def build_training(org) -> None:
    """An e-learning course with its quiz, assigned to everyone and passed by the staff
    member; a classroom course whose past session the IT member attended."""
    course = elearning_course("sec-basics")
    programme_for(course)
    attempt = quiz.start(org.people["staff"], course)
    quiz.submit(attempt, MultiValueDict(correct_answers(course)))
    classroom = Course.objects.create(code="cr-1", kind=Course.Kind.CLASSROOM,
                                      title_ja="集合研修", title_en="Classroom")
    starts = AWARE + datetime.timedelta(days=10)
    session = ClassroomSession.objects.create(
        course=classroom, starts_at=starts, ends_at=starts + datetime.timedelta(hours=2),
        place="大会議室")
    attendance.record(org.users["ciso"], session, org.people["it_staff"].employee_no)


def build_continuity(org) -> None:
    """A Sales East process with an approved impact analysis, depending on its asset (whose
    recovery an exercise showed, its gap accepted), recovered by a published plan that an
    incident invoked; an IT process with a draft analysis and a recovery plan."""
    ciso = org.users["ciso"]
    asset = Asset.objects.get(code="A-1")
    process = make_process(org.sales_east, "BP-1", is_service=True)
    it_process = make_process(org.it, "BP-2")
    analysis = ImpactAnalysis.objects.create(process=process, impacts=impacts(24),
                                             rto_hours=Decimal(8), rpo_hours=Decimal(4))
    continuity_workflow.approve(ciso, analysis)
    ImpactAnalysis.objects.create(process=it_process, impacts=impacts(72),
                                  rto_hours=Decimal(24), rpo_hours=Decimal(24))
    on_asset = Dependency.objects.create(process=process, kind=Dependency.Kind.ASSET,
                                         asset=asset)
    Dependency.objects.create(process=it_process, kind=Dependency.Kind.SITE, name="データセンター",
                              alternative="予備拠点", recovery_hours=Decimal(12))
    document = make_document(org.sales, code="bcp-sales",
                             kind=PolicyDocument.Kind.CONTINUITY_PLAN)
    release(make_draft(document), ciso)
    plan = ContinuityPlan.objects.create(document=document,
                                         activation_criteria="本社が使えないとき、部長が判断")
    plan.processes.add(process)
    ContinuityPlan.objects.create(
        document=make_document(org.it, code="drp-it", kind=PolicyDocument.Kind.RECOVERY_PLAN),
        activation_criteria="基幹システムの停止が4時間を超えるとき")
    RecoveryStep.objects.create(plan=plan, process=process, action="代替拠点へ移る",
                                role="営業部長", within_hours=Decimal(4))
    held = datetime.date(2025, 5, 15)
    exercise = Exercise.objects.create(title="切替訓練", kind=Exercise.Kind.TABLETOP,
                                       department=org.sales_east, planned_on=held,
                                       held_on=held, scenario="本社の停電")
    exercise.plans.add(plan)
    exercise.participants.add(org.people["staff"])
    ExerciseResult.objects.create(exercise=exercise, process=process,
                                  recovered_in_hours=Decimal(6))
    AssetRecovery.objects.create(asset=asset, recovery_hours=Decimal(6),
                                 backup_interval_hours=Decimal(24), demonstrated_on=held,
                                 exercise=exercise)
    GapAcceptance.objects.create(dependency=on_asset, gap="rpo", reason="来期に更改する",
                                 accepted_on=datetime.date(2025, 6, 1),
                                 expires_on=datetime.date(2026, 5, 31),
                                 accepted_by=org.people["ciso"])
    invocation = PlanInvocation.objects.create(
        incident=Incident.objects.get(title="誤送信"), plan=plan,
        invoked_at=AWARE + datetime.timedelta(hours=1), invoked_by=org.people["ciso"])
    invocation.processes.add(process)


def build_compliance(org) -> None:
    """A source with its baseline version, an obligation of Sales East (evaluated, linked to
    a control, concerned by a regulatory action about the incident) and one of IT (partly
    met, its exception accepted); an amendment in force in 90 days raises an impact
    assessment of each."""
    source = make_source("appi", title_ja="個人情報の保護に関する法律",
                         title_en="Act on the Protection of Personal Information",
                         short_name="個人情報保護法")
    make_version(source, "平成15年法律第57号", datetime.date(2005, 4, 1))
    mine = make_obligation(source, "APPI-23", org.sales_east, article="第23条")
    mine.controls.add(Control.objects.get(code="C-1"))
    theirs = make_obligation(source, "APPI-26", org.it, article="第26条")
    evaluate(mine, org.people["manager"], evaluated_on=datetime.date(2025, 5, 1))
    evaluate(theirs, org.people["it_staff"], result="partial",
             evaluated_on=datetime.date(2025, 5, 1), evidence="暗号化されていない媒体がある")
    make_exception(theirs, accepted_on=datetime.date(2025, 5, 10),
                   accepted_by=org.people["ciso"])
    make_version(source, "令和8年改正", days(90), promulgated_on=days(-30))
    action = make_regulatory_action(org.sales_east, received_on=datetime.date(2025, 4, 8),
                                    response_due_on=datetime.date(2025, 4, 30))
    action.obligations.add(mine)
    action.incidents.add(Incident.objects.get(title="誤送信"))


def build_requirement_mappings(org) -> None:
    """The small framework's requirement mapped to one of a second framework."""
    other = make_framework("other-framework")
    make_mapping(Requirement.objects.get(uid="test-framework:1.1"),
                 make_requirement(other, "A.5.1"), relationship="subset", strength=6)


def build_review(org) -> None:
    """A manual measure the staff member owns, measured for the company and for Sales East
    (a built-in one is measured when the review is frozen); an objective of Sales East; last
    review, frozen by the CISO's step, with a decision (raising its improvement action); the
    next review in preparation."""
    drills = Measure.objects.create(code="drills", title_ja="訓練の実施率", by_department=True,
                                    target=Decimal(90), owner=org.people["staff"])
    for department in (None, org.sales_east):
        Measurement.objects.create(measure=drills, department=department,
                                   period=datetime.date(2025, 3, 1), value=Decimal("87.5"))
    objective = Objective.objects.create(title="訓練の実施率 90%", owner=org.people["manager"],
                                         department=org.sales_east,
                                         target_on=datetime.date(2026, 3, 31))
    objective.measures.add(drills)
    last = ManagementReview.objects.create(title="2025 年度 マネジメントレビュー",
                                           held_on=datetime.date(2025, 4, 1),
                                           chair=org.people["ciso"])
    last.attendees.set([org.people["manager"], org.people["staff"]])
    review_workflow.freeze(org.users["ciso"], last)
    ReviewDecision.objects.create(review=last, decision="教育計画を見直す",
                                  department=org.sales_east, owner=org.people["staff"],
                                  due_on=datetime.date(2026, 3, 31))
    ManagementReview.objects.create(title="2026 年度 マネジメントレビュー",
                                    held_on=datetime.date(2026, 4, 1),
                                    chair=org.people["ciso"])


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
