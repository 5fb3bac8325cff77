"""The demo company's business continuity (policy Art 10).

Five processes, each with an approved impact analysis: card authorisation (RTO 2 hours), the
contact centre, the loan-application web form, the member web site and the nightly merchant
settlement batch. They depend on demo assets (the authorisation system, the HSMs, the core
servers, the member web site), on demo contractors (the payment processor, the call-centre
company, the cloud host) and on each other (settlement needs the day's authorisations; the
loan form runs on the member web site). A business continuity plan for the card business,
published, covers authorisation and settlement. A failover exercise two months ago brought
card authorisation back in 3.5 hours against its 2-hour objective, so the Art 10 exercise
check fails on purpose for it, as does the gap check (the authorisation system has shown a
3-hour recovery; the payment processor has no alternative). An IT disaster recovery plan for
the member channels covers the web site and the contact centre, which a tabletop exercise
recovered within their objectives. The cloud host's single point of failure for the member
web site, and the settlement batch's wait for authorisation, are accepted by the CISO until
dates to come. The ransomware incident
that stopped the core servers invoked the plan for the settlement batch.
"""

import datetime
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from mamori.assets.models import Asset
from mamori.continuity import workflow
from mamori.continuity.models import (
    AssetRecovery,
    BusinessProcess,
    ContinuityPlan,
    ContinuitySettings,
    Dependency,
    Exercise,
    ExerciseResult,
    GapAcceptance,
    ImpactAnalysis,
    PlanInvocation,
    RecoveryStep,
)
from mamori.contractors.models import Contractor
from mamori.core import roles as r
from mamori.core.context import Actor, acting_as
from mamori.core.models import User
from mamori.incidents.demo import RANSOMWARE_TITLE
from mamori.incidents.models import Incident
from mamori.org.models import Department
from mamori.policies import workflow as policy_workflow
from mamori.policies.models import PolicyDocument, PolicyVersion

MARKER = "BP-AUTH"
H = Decimal

# code, ja, en, department, service, customers/financial/legal/reputation scores per horizon
# (4 h, 1 day, 3 days, 1 week), RTO, RPO, minimum service level, peak periods
PROCESSES = [
    ("BP-AUTH", "カードオーソリゼーション", "Card authorisation", "D200", True,
     ((5, 5, 5, 5), (4, 5, 5, 5), (3, 4, 5, 5), (4, 5, 5, 5)), H(2), H("0.25"),
     "承認可否の応答（スタンドイン処理を含む）", "年末年始、大型連休、月末"),
    ("BP-CALL", "コールセンター応対", "Contact-centre enquiries", "D500", True,
     ((2, 3, 4, 5), (1, 2, 3, 3), (1, 2, 3, 4), (2, 3, 4, 4)), H(24), H(24),
     "紛失・盗難受付の24時間継続", "請求書到着後の3営業日"),
    ("BP-LOANWEB", "ローン申込Webフォーム", "Loan-application web form", "D300", True,
     ((1, 2, 3, 4), (1, 2, 3, 3), (1, 1, 2, 3), (1, 2, 3, 3)), H(48), H(24),
     "申込の受付（審査は翌営業日でも可）", "賞与月"),
    ("BP-WEB", "会員向けWebサイト", "Member web site", "D220", True,
     ((2, 3, 4, 4), (1, 2, 2, 3), (1, 2, 3, 3), (2, 3, 4, 5)), H(8), H(24),
     "利用明細の照会と紛失届", "請求確定日の翌日"),
    ("BP-SETTLE", "加盟店精算バッチ", "Nightly merchant settlement", "D210", False,
     ((1, 2, 4, 5), (2, 3, 5, 5), (1, 3, 4, 5), (1, 2, 3, 4)), H(24), H(24),
     "締め日の精算処理", "月末締め"),
]

# asset code -> demonstrated recovery hours, backup interval hours
RECOVERIES = {"CB-AUTH": (H(3), H("0.25")), "IT-HSM": (H(1), H(0)),
              "IT-CORE": (H(12), H(24)), "IT-WEB": (H(6), H(24)), "CT-CTI": (H(8), H(24))}

# process, kind, target code or name, alternative, recovery hours (contractor, site, role)
DEPENDENCIES = [
    ("BP-AUTH", "asset", "CB-AUTH", "スタンドイン処理（上限額内で自動承認）", None),
    ("BP-AUTH", "asset", "IT-HSM", "第2データセンターの予備HSM", None),
    ("BP-AUTH", "contractor", "K-004", "", H(1)),
    ("BP-AUTH", "site", "第1データセンター", "第2データセンター（災害対策サイト）", H(4)),
    ("BP-CALL", "contractor", "K-001", "社内コールセンターでの縮退運用", H(24)),
    ("BP-CALL", "asset", "CT-CTI", "手動受付と折り返し対応", None),
    ("BP-CALL", "role", "コールセンター当番スーパーバイザー", "副スーパーバイザー", H(2)),
    ("BP-WEB", "asset", "IT-WEB", "静的なお知らせページ", None),
    ("BP-WEB", "contractor", "K-003", "", H(6)),
    ("BP-LOANWEB", "process", "BP-WEB", "郵送申込", None),
    ("BP-SETTLE", "asset", "IT-CORE", "災害対策サイトの基幹系", None),
    ("BP-SETTLE", "process", "BP-AUTH", "", None),
]


def load_continuity_demo(seed: int) -> int:
    """Returns the number of processes loaded (0 when they exist already or the demo's
    organisation, assets or contractors are missing)."""
    if BusinessProcess.objects.filter(code=MARKER).exists():
        return 0
    departments = {d.code: d for d in Department.objects.filter(
        code__in={spec[3] for spec in PROCESSES} | {"D700"})}
    assets = {a.code: a for a in Asset.objects.filter(
        code__in=set(RECOVERIES) | {d[2] for d in DEPENDENCIES if d[1] == "asset"})}
    contractors = {c.code: c for c in Contractor.objects.filter(
        code__in={d[2] for d in DEPENDENCIES if d[1] == "contractor"})}
    ciso = User.objects.filter(username="ciso").first()
    if ciso is None or len(departments) < 6 or len(assets) < len(RECOVERIES) or (
            len(contractors) < 3):
        return 0
    today = timezone.localdate()
    settings = ContinuitySettings.current()
    with acting_as(Actor(ciso.pk, "ciso", "command")), transaction.atomic():
        processes = {}
        for (code, ja, en, department, service, scores, rto, rpo, minimum,
             peaks) in PROCESSES:
            process = BusinessProcess.objects.create(
                code=code, name_ja=ja, name_en=en, department=departments[department],
                is_service=service)
            processes[code] = process
            impacts = {category: {str(h): score for h, score in zip(
                settings.horizon_hours(), row, strict=True)}
                for category, row in zip(("customers", "financial", "legal", "reputation"),
                                         scores, strict=True)}
            analysis = ImpactAnalysis(
                process=process, analysed_on=today - datetime.timedelta(days=90),
                impacts=impacts, rto_hours=rto, rpo_hours=rpo,
                minimum_service_level=minimum, peak_periods=peaks)
            analysis.full_clean()
            analysis.save()
            workflow.approve(ciso, analysis)
        plan = publish_plan(ciso, departments, processes)
        recovery_plan = publish_recovery_plan(ciso, departments, processes)
        exercise = Exercise.objects.create(
            title="オーソリ系の災害対策サイト切替訓練", kind=Exercise.Kind.FAILOVER,
            department=departments["D200"], planned_on=today - datetime.timedelta(days=60),
            held_on=today - datetime.timedelta(days=60),
            scenario="第1データセンターの電源喪失を想定し、オーソリゼーションシステムを災害対策"
                     "サイトへ切り替える。",
            findings="HSMの鍵の読み込みに手順書にない作業が必要で、切替に3時間半を要した。")
        exercise.plans.add(plan)
        ExerciseResult.objects.create(exercise=exercise, process=processes["BP-AUTH"],
                                      recovered_in_hours=H("3.5"),
                                      note="目標復旧時間2時間に対し3.5時間。")
        ExerciseResult.objects.create(exercise=exercise, process=processes["BP-SETTLE"],
                                      recovered_in_hours=H(10))
        walkthrough = Exercise.objects.create(
            title="会員向けWebサイトとコールセンターの机上訓練", kind=Exercise.Kind.TABLETOP,
            department=departments["D220"], planned_on=today - datetime.timedelta(days=120),
            held_on=today - datetime.timedelta(days=120),
            scenario="クラウド事業者の東日本リージョン障害で会員向けWebサイトが停止し、"
                     "問い合わせがコールセンターに集中する。")
        walkthrough.plans.add(recovery_plan)
        ExerciseResult.objects.create(exercise=walkthrough, process=processes["BP-WEB"],
                                      recovered_in_hours=H(6))
        ExerciseResult.objects.create(exercise=walkthrough, process=processes["BP-CALL"],
                                      recovered_in_hours=H(12))
        for code, (hours, backup) in RECOVERIES.items():
            AssetRecovery.objects.create(
                asset=assets[code], recovery_hours=hours, backup_interval_hours=backup,
                demonstrated_on=exercise.held_on,
                exercise=exercise if code == "CB-AUTH" else None)
        for process, kind, target, alternative, hours in DEPENDENCIES:
            dependency = Dependency(process=processes[process], kind=kind,
                                    alternative=alternative, recovery_hours=hours)
            if kind == "asset":
                dependency.asset = assets[target]
            elif kind == "contractor":
                dependency.contractor = contractors[target]
            elif kind == "process":
                dependency.upstream = processes[target]
            else:
                dependency.name = target
            dependency.full_clean()
            dependency.save()
        invoke_for_ransomware(plan, processes)
        cloud = Dependency.objects.get(process=processes["BP-WEB"],
                                       contractor=contractors["K-003"])
        GapAcceptance.objects.create(
            dependency=cloud, gap="single_point",
            reason="クラウド事業者の複数リージョン構成で可用性を確保。代替事業者は来期検討。",
            accepted_on=today - datetime.timedelta(days=30),
            expires_on=today + datetime.timedelta(days=150),
            accepted_by_id=r.roles_for(ciso).person_id)
        settlement = Dependency.objects.get(process=processes["BP-SETTLE"],
                                            upstream=processes["BP-AUTH"])
        GapAcceptance.objects.create(
            dependency=settlement, gap="single_point",
            reason="精算は当日のオーソリデータが揃うまで待てる（最大許容停止時間72時間）。",
            accepted_on=today - datetime.timedelta(days=30),
            expires_on=today + datetime.timedelta(days=330),
            accepted_by_id=r.roles_for(ciso).person_id)
    return len(PROCESSES)


def publish_recovery_plan(ciso, departments, processes) -> ContinuityPlan:
    document = PolicyDocument.objects.create(
        code="drp-member-channels", kind=PolicyDocument.Kind.RECOVERY_PLAN,
        title_ja="会員チャネル IT災害復旧計画",
        title_en="Member channels IT disaster recovery plan",
        owner_department=departments["D220"])
    version = PolicyVersion.objects.create(
        document=document, audience=PolicyVersion.Audience.DEPARTMENTS,
        body_ja="# 目的\n\n会員向けWebサイトとコールセンターを目標復旧時間内に復旧する。\n",
        body_en="# Purpose\n\nRecover the member web site and the contact centre within their "
                "recovery time objectives.\n",
        change_summary="初版")
    version.audience_departments.set([departments["D220"], departments["D500"]])
    for step in ("submit", "approve", "publish"):
        policy_workflow.STEPS[step].function(ciso, version)
    plan = ContinuityPlan.objects.create(
        document=document,
        activation_criteria="会員向けWebサイトの停止が1時間を超える見込みのとき、会員サービス部長が"
                            "発動を判断する。",
        call_tree="会員サービス部長 → システム部長 → クラウド事業者 → コールセンター長")
    plan.processes.set([processes["BP-WEB"], processes["BP-CALL"]])
    return plan


def invoke_for_ransomware(plan, processes) -> None:
    """The ransomware incident stopped the core servers the settlement batch runs on: the
    card business's plan was invoked an hour after it was noticed."""
    incident = Incident.objects.filter(title=RANSOMWARE_TITLE).first()
    if incident is None:
        return
    invocation = PlanInvocation.objects.create(
        incident=incident, plan=plan, invoked_at=incident.noticed_at + datetime.timedelta(
            hours=1), note="精算バッチを災害対策サイトの基幹系で実行する。")
    invocation.processes.set([processes["BP-SETTLE"]])


def publish_plan(ciso, departments, processes) -> ContinuityPlan:
    document = PolicyDocument.objects.create(
        code="bcp-card-business", kind=PolicyDocument.Kind.CONTINUITY_PLAN,
        title_ja="カード事業 事業継続計画", title_en="Card business continuity plan",
        owner_department=departments["D200"])
    version = PolicyVersion.objects.create(
        document=document, audience=PolicyVersion.Audience.DEPARTMENTS,
        body_ja="# 目的\n\nカード事業の重要業務を目標復旧時間内に再開する。\n\n"
                "# 発動\n\nオーソリゼーションの停止が30分を超える見込みのとき、"
                "カード事業部長が発動する。\n",
        body_en="# Purpose\n\nResume the card business's critical processes within their "
                "recovery time objectives.\n\n# Invocation\n\nThe head of Card Business "
                "invokes the plan when authorisation is expected to stop for more than 30 "
                "minutes.\n",
        change_summary="初版")
    version.audience_departments.set([departments["D200"], departments["D210"]])
    for step in ("submit", "approve", "publish"):
        policy_workflow.STEPS[step].function(ciso, version)
    plan = ContinuityPlan.objects.create(
        document=document,
        activation_criteria="オーソリゼーションの停止が30分を超える見込みのとき、カード事業部長が"
                            "発動を判断する（不在時はCISO）。",
        call_tree="カード事業部長 → システム運用課長 → 決済代行会社の障害窓口 → 加盟店営業部長")
    plan.processes.set([processes["BP-AUTH"], processes["BP-SETTLE"]])
    for position, (action, role, hours) in enumerate((
            ("スタンドイン処理への切替を確認する", "システム運用課 当番", H("0.5")),
            ("災害対策サイトのオーソリゼーションシステムを起動する", "システム運用課長", H(2)),
            ("加盟店へ遅延の可能性を案内する", "加盟店営業部", H(4))), start=1):
        RecoveryStep.objects.create(plan=plan, process=processes["BP-AUTH"],
                                    position=position, action=action, role=role,
                                    within_hours=hours)
    return plan
