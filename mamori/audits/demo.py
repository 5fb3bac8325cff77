"""The demo company's audits (policy Art 7) and what they found (the improvement register).

- The audit programme of the current fiscal year, approved by the CISO.
- An internal audit of IT Systems (システム部, with IT Operations below it) and Member
  Services (会員サービス部) on articles 3, 5 and 6, led by the demo's `auditor` login of the
  Internal Audit department (独立性: neither auditor belongs to an audited department),
  closed. It found:
  - a minor nonconformity on leavers' accounts (removed two weeks after people left):
    corrected, its cause found (the HR leaver notice reached IT once a month), a daily HR
    feed put in, and a check found it effective: closed;
  - a major nonconformity on laptops taken out of the office without the register showing
    whether their disks are encrypted: its plan was approved, but the corrective action —
    owned by the demo's `staff` login — is past its due date, so "no corrective action is
    overdue" fails on purpose;
  - an observation on the access review records, raised as an improvement action (done).
- A second internal audit of the Card Business (カード事業部) on articles 2, 4, 8–12 and the
  web section, planned for later in the year: until it closes, the coverage checks name the
  departments and articles no closed audit has covered yet.
- An ISO/IEC 27001 surveillance audit by a (fictitious) certification body and a PCI DSS
  assessment by a (fictitious) QSA, both closed without nonconformities, with the certificate
  and the attestation of compliance they gave; the attestation expires within two months, so
  the CISO is warned to plan the next assessment.

Dates are relative to the day the demo is loaded.
"""

import datetime

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from mamori.assets.demo import DEMO_ACTOR
from mamori.audits import checklist
from mamori.audits.models import (
    Audit,
    AuditCertificate,
    AuditProgramme,
    AuditSettings,
    ChecklistItem,
    EvidenceRequest,
    PolicyArticle,
    WorkingPaper,
)
from mamori.controls.models import Control
from mamori.core.context import Actor, acting_as
from mamori.improvement import sources
from mamori.improvement.models import (
    CorrectiveAction,
    EffectivenessCheck,
    ImprovementAction,
    Nonconformity,
    Source,
)
from mamori.org.models import Appointment, Department, Person

FIRST_TITLE = "システム部・会員サービス部 内部監査"
IT, MEMBERS, CARD, INTERNAL_AUDIT = "D600", "D220", "D200", "D800"
Result = ChecklistItem.Result


def load_audit_demo(seed: int) -> int:
    """Returns the number of audits loaded (0 when they exist already or the demo
    organisation, its controls or its logins are missing)."""
    if Audit.objects.filter(title=FIRST_TITLE).exists():
        return 0
    departments = {d.code: d for d in Department.objects.filter(
        code__in=(IT, MEMBERS, CARD, INTERNAL_AUDIT))}
    ciso = (Appointment.objects.current().filter(role=Appointment.Role.CISO)
            .select_related("person").first())
    logins = {p.user.username: p for p in Person.objects.filter(
        user__username__in=("staff", "auditor")).select_related("user")}
    controls = {c.code: c for c in Control.objects.filter(
        code__in=("C-PPL-03", "C-PHY-07", "C-TEC-01", "C-ORG-04"))}
    if len(departments) < 4 or ciso is None or len(logins) < 2 or len(controls) < 4:
        return 0
    auditors = list(Person.objects.filter(department=departments[INTERNAL_AUDIT],
                                          status=Person.Status.ACTIVE).exclude(
        pk=logins["auditor"].pk).order_by("employee_no")[:1])
    it_people = list(Person.objects.filter(department=departments[IT],
                                           status=Person.Status.ACTIVE).order_by("employee_no"))
    today = timezone.localdate()

    def ago(days: int) -> datetime.date:
        return today - datetime.timedelta(days=days)

    articles = {a.number: a for a in PolicyArticle.objects.all()}
    settings = AuditSettings.current()
    with acting_as(Actor(None, DEMO_ACTOR, "command")), transaction.atomic():
        cisop = ciso.person
        programmes = {}

        def programme_of(day):
            year = settings.fiscal_year_of(day)
            if year not in programmes:
                programmes[year] = AuditProgramme.objects.create(
                    fiscal_year=year, approved_by=cisop,
                    approved_on=settings.fiscal_year_bounds(year)[0],
                    objectives="全部署と基本方針の全条項を年度内に内部監査でカバーする。"
                               "PCI DSS準拠性評価とISO/IEC 27001サーベイランス審査を受審する。")
            return programmes[year]

        def audit(title, kind, start_ago, length, **fields):
            start = ago(start_ago)
            return Audit.objects.create(
                title=title, kind=kind, programme=programme_of(start), planned_start=start,
                planned_end=start + datetime.timedelta(days=length), **fields)

        first = audit(FIRST_TITLE, Audit.Kind.INTERNAL, 150, 14, lead_auditor=logins["auditor"],
                      criteria="情報セキュリティ基本方針、アクセス管理規程、モバイル機器取扱規程",
                      summary="アクセス管理と物理的管理を中心に、記録の抜取りと聞き取りで確認した。",
                      conclusion="管理体制は概ね有効に運用されているが、退職者アカウントの削除と"
                                 "持出しPCの暗号化確認に不備があった。")
        first.departments.set([departments[IT], departments[MEMBERS]])
        first.articles.set([articles[n] for n in ("3", "5", "6")])
        first.controls.set(controls.values())
        first.team.set(auditors)
        checklist.generate(first)
        findings(first, controls, cisop, logins, it_people, ago)
        Audit.objects.filter(pk=first.pk).update(
            status=Audit.Status.CLOSED, fieldwork_started_on=first.planned_start,
            reporting_started_on=first.planned_end, closed_on=ago(120))

        second = audit("カード事業部 内部監査", Audit.Kind.INTERNAL, -45, 14,
                       lead_auditor=logins["auditor"],
                       criteria="情報セキュリティ基本方針、社内規程、PCI DSS v4.0.1")
        second.departments.set([departments[CARD]])
        second.articles.set([a for n, a in articles.items() if n not in ("3", "5", "6")])
        second.team.set(auditors)

        for title, kind, start_ago, body in (
                ("ISO/IEC 27001 サーベイランス審査", Audit.Kind.ISO_SURVEILLANCE, 75,
                 "（架空）日本情報セキュリティ認証機構"),
                ("PCI DSS v4.0.1 準拠性評価", Audit.Kind.PCI_DSS, 100, "（架空）QSA株式会社")):
            external = audit(title, kind, start_ago, 3, auditing_body=body,
                             criteria="ISO/IEC 27001:2022" if kind != Audit.Kind.PCI_DSS
                             else "PCI DSS v4.0.1",
                             conclusion="不適合の指摘なし。")
            external.departments.set([departments[IT], departments[CARD]])
            iso = kind == Audit.Kind.ISO_SURVEILLANCE
            AuditCertificate.objects.create(
                audit=external, kind=AuditCertificate.Kind.ISO27001 if iso
                else AuditCertificate.Kind.PCI_AOC,
                number="JQ-IS-0001234" if iso else "AOC-2026-MC-01",
                scope_statement="クレジットカード事業及び融資事業に係る情報システムの運用" if iso
                else "カード会員データ環境（会員サイト、オーソリ、決済基盤）",
                issued_on=external.planned_end,
                # The attestation is renewed yearly: due again within the warning window.
                expires_on=(external.planned_end + datetime.timedelta(days=700)) if iso
                else today + datetime.timedelta(days=60))
            Audit.objects.filter(pk=external.pk).update(
                status=Audit.Status.CLOSED, fieldwork_started_on=external.planned_start,
                reporting_started_on=external.planned_end,
                closed_on=external.planned_end + datetime.timedelta(days=10))
    return 4


def findings(audit, controls, cisop, logins, it_people, ago) -> None:
    """The first audit's results and what they raised in the improvement register."""
    items = {i.reference: i for i in audit.items.all()}
    for item in items.values():
        item.result = Result.CONFORMING
        item.notes = "記録の抜取りで確認した。"
    leavers, laptops = items["C-PPL-03"], items["C-PHY-07"]
    review = items["C-ORG-04"]
    leavers.result, leavers.sampled_records = Result.MINOR, "退職者20名（社員番号）"
    leavers.notes = "20名中3名のアカウントが退職日から12〜15日後に削除されていた。"
    laptops.result, laptops.sampled_records = Result.MAJOR, "持出し中のノートPC 28台"
    laptops.notes = "9台についてディスク暗号化の有無が台帳に記録されていなかった。"
    review.result = Result.OBSERVATION
    review.notes = "棚卸しの記録はあるが、承認者の確認日が残っていない部署がある。"
    for item in items.values():
        item.save()
    EvidenceRequest.objects.create(
        audit=audit, item=leavers, asked_of=it_people[0],
        request="直近3か月の退職者とアカウント削除日の一覧",
        due_on=ago(145), status=EvidenceRequest.Status.ANSWERED,
        response="人事システムとディレクトリの突合結果を提出します。")
    WorkingPaper.objects.create(
        item=leavers, title="システム部 面談記録",
        file=ContentFile("退職者アカウントの削除手順について担当者に聞き取りを行った。\n".encode(),
                         name="interview.txt"))

    def raised(model, item, **fields):
        record = model(source_reference=f"{audit.code} {item.reference}", **fields)
        sources.link(record, item)
        record.save()
        return record

    closed = raised(
        Nonconformity, leavers, title="退職者のアカウントが退職日から約2週間削除されていなかった",
        severity=Nonconformity.Severity.MINOR, policy_article="5",
        requirement="アクセス管理規程 第5条（退職時のアカウント削除） / ISO/IEC 27001 A.5.18",
        department=it_people[0].department, raised_on=ago(140), raised_by=logins["auditor"],
        description=leavers.notes,
        correction="該当3アカウントを即日削除し、退職日以降のログインがないことを確認した。",
        correction_done_on=ago(139),
        root_cause="人事部からの退職者通知が月次の一括連絡のみで、システム部に届くまで"
                   "最長1か月かかっていた。")
    CorrectiveAction.objects.create(
        nonconformity=closed,
        title="人事システムから退職予定者を毎日連携し、退職日に自動で無効化する",
        owner=it_people[0], due_on=ago(100), done_on=ago(105),
        notes="連携バッチを本番稼働。運用手順書を改訂。")
    closed.status = Nonconformity.Status.PLANNED
    closed.plan_approved_on, closed.plan_approved_by = ago(130), cisop
    closed.save()
    EffectivenessCheck.objects.create(
        nonconformity=closed, checked_on=ago(20), verifier=cisop, effective=True,
        notes="直近3か月の退職者41名を抽出し、全員のアカウントが退職日当日に無効化されていた"
              "ことを確認した。")
    closed.status = Nonconformity.Status.CLOSED
    closed.closed_on, closed.closed_by = ago(20), cisop
    closed.save()

    late = raised(
        Nonconformity, laptops, title="持出しノートPCの暗号化状況が資産台帳で確認できない",
        severity=Nonconformity.Severity.MAJOR, policy_article="5",
        requirement="モバイル機器取扱規程 第4条 / ISO/IEC 27001 A.8.1",
        department=logins["staff"].department, raised_on=ago(140),
        raised_by=logins["auditor"], description=laptops.notes,
        correction="9台を回収して暗号化を確認し、台帳に記録した。",
        correction_done_on=ago(136),
        root_cause="持出し申請の様式に暗号化の確認欄がなく、承認者が確認していなかった。")
    CorrectiveAction.objects.create(
        nonconformity=late,
        title="持出し申請の様式に暗号化確認欄を設け、承認時の確認を必須にする",
        owner=logins["staff"], due_on=ago(10))
    late.status = Nonconformity.Status.PLANNED
    late.plan_approved_on, late.plan_approved_by = ago(125), cisop
    late.save()

    raised(ImprovementAction, review, source=Source.AUDIT,
           title="アクセス権棚卸しの承認者確認日を記録に残す", department=it_people[0].department,
           owner=it_people[0], raised_on=ago(140), due_on=ago(90),
           status=ImprovementAction.Status.DONE, completed_on=ago(95),
           outcome="棚卸し様式に承認者の確認日欄を追加した。")
