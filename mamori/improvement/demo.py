"""The demo company's improvement register (policy Art 7 and 12).

Until the audits app lands, the internal audit of FY2026 is named by its reference only:

- a minor nonconformity from that audit in IT Systems (システム部): leavers' accounts removed
  two weeks after they left; corrected, its cause found (the HR leaver notice reached IT once
  a month), a daily HR feed put in, and a check three months later found it effective: closed;
- a major nonconformity from the same audit in Member Services (会員サービス部): laptops taken
  out of the office without the asset register showing whether their disks are encrypted. Its
  plan was approved, but the corrective action — owned by the demo's `staff` login — is past
  its due date, so "no corrective action is overdue" fails on purpose;
- a minor nonconformity the Card Business's information manager (the `manager` login) raised
  about their own department a few days ago: cause and plan still to come, not yet late;
- improvement actions: one from the web-skimming incident's lessons (a Content Security Policy
  on every web site), linked to that incident when the incident demo is loaded, and one from
  an audit observation, done.

Dates are relative to the day the demo is loaded.
"""

import datetime

from django.db import transaction
from django.utils import timezone

from mamori.assets.demo import DEMO_ACTOR
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

AUDIT_REFERENCE = "内部監査 FY2026-01"
MARKER = "退職者のアカウントが退職日から約2週間削除されていなかった"
IT, MEMBERS, CARD = "D600", "D220", "D200"
SKIMMING_TITLE = "会員向けWebサイトの申込フォームへのWebスキミング"


def load_improvement_demo(seed: int) -> int:
    """Returns the number of records loaded (0 when they exist already or the demo
    organisation is missing)."""
    if Nonconformity.objects.filter(title=MARKER).exists():
        return 0
    departments = {d.code: d for d in Department.objects.filter(code__in=(IT, MEMBERS, CARD))}
    ciso = (Appointment.objects.current().filter(role=Appointment.Role.CISO)
            .select_related("person").first())
    logins = {p.user.username: p for p in Person.objects.filter(
        user__username__in=("staff", "manager")).select_related("user")}
    if len(departments) < 3 or ciso is None or len(logins) < 2:
        return 0
    it_people = list(Person.objects.filter(department=departments[IT],
                                           status=Person.Status.ACTIVE).order_by("employee_no"))
    if not it_people:
        return 0
    today = timezone.localdate()

    def ago(days: int) -> datetime.date:
        return today - datetime.timedelta(days=days)

    with acting_as(Actor(None, DEMO_ACTOR, "command")), transaction.atomic():
        cisop = ciso.person
        closed = Nonconformity.objects.create(
            title=MARKER, severity=Nonconformity.Severity.MINOR, source=Source.AUDIT,
            source_reference=AUDIT_REFERENCE, policy_article="5",
            requirement="アクセス管理規程 第5条（退職時のアカウント削除） / ISO/IEC 27001 A.5.18",
            department=departments[IT], raised_on=ago(150), raised_by=cisop,
            description="標本20件のうち3件で、退職日から12〜15日後にアカウントが削除されていた。",
            correction="該当3アカウントを即日削除し、退職日以降のログインがないことを確認した。",
            correction_done_on=ago(149),
            root_cause="人事部からの退職者通知が月次の一括連絡のみで、システム部に届くまで"
                       "最長1か月かかっていた。")
        CorrectiveAction.objects.create(
            nonconformity=closed,
            title="人事システムから退職予定者を毎日連携し、退職日に自動で無効化する",
            owner=it_people[0], due_on=ago(100), done_on=ago(105),
            notes="連携バッチを本番稼働。運用手順書を改訂。")
        closed.status = Nonconformity.Status.PLANNED
        closed.plan_approved_on, closed.plan_approved_by = ago(140), cisop
        closed.save()
        EffectivenessCheck.objects.create(
            nonconformity=closed, checked_on=ago(20), verifier=cisop, effective=True,
            notes="直近3か月の退職者41名を抽出し、全員のアカウントが退職日当日に無効化されていた"
                  "ことを確認した。")
        closed.status = Nonconformity.Status.CLOSED
        closed.closed_on, closed.closed_by = ago(20), cisop
        closed.save()

        late = Nonconformity.objects.create(
            title="持出しノートPCの暗号化状況が資産台帳で確認できない",
            severity=Nonconformity.Severity.MAJOR, source=Source.AUDIT,
            source_reference=AUDIT_REFERENCE, policy_article="5",
            requirement="モバイル機器取扱規程 第4条 / ISO/IEC 27001 A.8.1",
            department=departments[MEMBERS], raised_on=ago(60), raised_by=cisop,
            description="持出し中のノートPC 28台のうち9台について、ディスク暗号化の有無が台帳に"
                        "記録されておらず、確認もされていなかった。",
            correction="9台を回収して暗号化を確認し、台帳に記録した。",
            correction_done_on=ago(55),
            root_cause="持出し申請の様式に暗号化の確認欄がなく、承認者が確認していなかった。")
        CorrectiveAction.objects.create(
            nonconformity=late,
            title="持出し申請の様式に暗号化確認欄を設け、承認時の確認を必須にする",
            owner=logins["staff"], due_on=ago(10))
        late.status = Nonconformity.Status.PLANNED
        late.plan_approved_on, late.plan_approved_by = ago(45), cisop
        late.save()

        Nonconformity.objects.create(
            title="加盟店向け資料の保管庫が施錠されていない時間帯があった",
            severity=Nonconformity.Severity.MINOR, source=Source.SELF_IDENTIFIED,
            policy_article="5", requirement="物理的セキュリティ規程 第3条",
            department=departments[CARD], raised_on=ago(3), raised_by=logins["manager"],
            description="昼休みの1時間、保管庫が解錠されたまま無人になっていた。")

        csp = ImprovementAction(
            title="全ての会員向けWebサイトにContent Security Policyを設定する",
            description="Webスキミングの教訓：決済画面以外のページにも外部スクリプトの読込み"
                        "制限を広げる。",
            source=Source.INCIDENT, source_reference="Webスキミング",
            department=departments[IT], owner=it_people[-1], raised_on=ago(30),
            due_on=today + datetime.timedelta(days=60))
        incident = _incident(SKIMMING_TITLE)
        if incident is not None:
            sources.link(csp, incident)
            csp.source_reference = incident.code
        csp.save()
        ImprovementAction.objects.create(
            title="情報セキュリティ研修の資料に最新の標的型メールの例を加える",
            source=Source.AUDIT, source_reference=AUDIT_REFERENCE, department=departments[IT],
            owner=it_people[0], raised_on=ago(150), due_on=ago(90),
            status=ImprovementAction.Status.DONE, completed_on=ago(95),
            outcome="2026年度の研修資料に3例を追加した。")
    return 6


def _incident(title: str):
    from django.apps import apps

    if not apps.is_installed("mamori.incidents"):
        return None
    return apps.get_model("incidents", "Incident").objects.filter(title=title).first()
