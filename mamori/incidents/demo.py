"""The demo company's incidents (policy Art 5) and the breach reports the law asked for (Art 11).

A history of six incidents at 株式会社みなとカード, each with its timeline (who did what, when),
its links to the assets, threats, risks and controls concerned, and — where personal data was
involved — its breach assessment under APPI Art 26 and the reports that followed:

- a card-loan repayment schedule e-mailed to the wrong member (顧客情報を含むメールの誤送信):
  one person, no ground of enforcement rules Art 7, so not reportable; a voluntary report to the
  Kanto Local Finance Bureau; closed;
- a sales laptop left on a train (ノートPC紛失), with 1,350 merchant representatives' details
  on it: more than 1,000 persons (ground 4) but protected by full-disk encryption, so exempt;
  closed;
- web skimming on the member site's service sign-up form (申込フォームへのWebスキミング), after
  the April 2024 amendment: card numbers typed into the company's own form taken by an injected
  script, so ground 3 alone (the information was being acquired, for a wrongful purpose: the
  other grounds speak of personal data already held, so neither the card numbers nor the 2,314
  members add grounds 2 and 4); preliminary and final reports to the PPC on time (the final
  one within the 60 days of ground 3), reports to METI (割賦販売法, card business) and to the
  Kanto Local Finance Bureau (lending), every member notified individually; closed with root
  cause and lessons learned;
- a targeted e-mail whose attachment the EDR stopped: no personal data; closed;
- ransomware stopping the lending systems (ランサムウェアによる基幹システム停止), two weeks ago
  and still open: contained, not recovered, past its recovery target and escalated to the CISO
  at once; possibly exfiltrated personal data of about 38,000 borrowers (grounds 3 and 4); the
  preliminary report is submitted, the final one not yet due;
- suspicious phone calls reported a few hours ago by the demo's `staff` login (会員サービス部),
  not yet triaged or assessed.

Left imperfect on purpose, so the Art 11 check shows a failure: the ransomware's preliminary
report to the PPC went in one day after its limit (the fifth day counting the day of awareness
as day 1) — the handlers waited for the forensic firm's first findings instead of reporting what
they knew — so "every required breach report was submitted by its due date" fails for exactly
that report. The Art 5 checks pass: the open incident past its recovery target was escalated,
and every closed incident has its root cause and lessons learned.

Dates are relative to the day the demo is loaded. The timeline, the assessments and the drafted
reports are dated when they happened: the workflow's steps (`move_to`, `record_assessment`,
`escalate`) take the moment as `at=`.
"""

import datetime
import random

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override

from mamori.assets.demo import DEMO_ACTOR, IT, OPS, SECURITY, people_by_department
from mamori.assets.models import Asset
from mamori.controls.models import Control
from mamori.core.context import Actor, acting_as
from mamori.incidents import workflow
from mamori.incidents.models import (
    BreachAssessment,
    Incident,
    IncidentEntry,
    IncidentSettings,
    RecoveryAction,
    RegulatoryReport,
    Severity,
)
from mamori.org.demo import COMPANY_JA
from mamori.org.models import Appointment, Department, Person
from mamori.risks.models import Risk, Threat

Status, Kind = Incident.Status, IncidentEntry.Kind
Notice = BreachAssessment.Notice
PPC, FSA, METI = (RegulatoryReport.Recipient.PPC, RegulatoryReport.Recipient.FSA,
                  RegulatoryReport.Recipient.METI)
PRELIMINARY, FINAL = RegulatoryReport.Kind.PRELIMINARY, RegulatoryReport.Kind.FINAL
VOLUNTARY = RegulatoryReport.Kind.VOLUNTARY
ACCESS, TAMPERING, DAMAGE = "unauthorised-access", "tampering", "damage"
LOSS, LEAKAGE = "loss", "leakage"
CARD, MERCHANTS, MEMBERS, FRAUD = "D200", "D210", "D220", "D230"
ACCOUNTING = "D130"

EMAIL_TITLE = "顧客情報を含むメールの誤送信（カードローン返済予定表）"
LAPTOP_TITLE = "ノートPC紛失（加盟店営業部、電車内での置き忘れ）"
SKIMMING_TITLE = "会員向けWebサイトの申込フォームへのWebスキミング"
PHISHING_TITLE = "標的型メールの添付ファイルの実行（EDRが遮断）"
RANSOMWARE_TITLE = "ランサムウェアによる基幹システム（融資系）の停止"
CALL_TITLE = "会員を装った不審な電話による会員情報の聞き出し"
TITLES = (EMAIL_TITLE, SKIMMING_TITLE, LAPTOP_TITLE, PHISHING_TITLE, RANSOMWARE_TITLE,
          CALL_TITLE)

# When the company became aware of each, in days before the day the demo is loaded.
EMAIL_DAYS_AGO, SKIMMING_DAYS_AGO, LAPTOP_DAYS_AGO = 290, 200, 150
PHISHING_DAYS_AGO, RANSOMWARE_DAYS_AGO = 60, 14
RANSOMWARE_REPORT_DAYS_LATE = 1  # the preliminary report went in a day after its limit

MARKER = SKIMMING_TITLE  # present once the demo's incidents are loaded

PPC_NAME = "個人情報保護委員会"
PPC_BASIS = "個人情報保護法第26条第1項、同法施行規則第8条"
METI_NAME = "経済産業省 商務・サービスグループ 商取引監督課"
METI_BASIS = "割賦販売法第35条の16（クレジットカード番号等の適切な管理）に係る事故の報告"
FSA_NAME = "関東財務局"
FSA_BASIS = ("金融分野における個人情報保護に関するガイドライン第11条、"
             "貸金業者向けの総合的な監督指針（個人情報の管理）")
TEAM_EMAIL = "csirt@minato-card.example"
# The reporting company's particulars on the PPC's report form (fictitious).
COMPANY_ADDRESS = "東京都港区海岸一丁目2番3号"
COMPANY_REPRESENTATIVE = "代表取締役社長 港 一郎"
CONTACT_PHONE = "03-5555-0100"


def jdate(day: datetime.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


class Demo:
    """What the incidents are written with: the people, the links, the clock."""

    def __init__(self, seed: int, ciso: Person):
        self.rng = random.Random(seed + 97)  # noqa: S311 -- demo data
        self.today = timezone.localdate()
        self.now = timezone.now()
        self.ciso = ciso
        self.user = ciso.user  # the CISO handles every incident, so may take every step
        self.people = people_by_department()
        self.departments = Department.objects.in_bulk(field_name="code")
        self.assets = Asset.objects.in_bulk(field_name="code")
        self.threats = Threat.objects.in_bulk(field_name="code")
        self.risks = Risk.objects.in_bulk(field_name="code")
        self.controls = Control.objects.in_bulk(field_name="code")
        self.last_number: dict[int, int] = {}

    # --- time ---------------------------------------------------------------------------------

    def day(self, days_ago: int) -> datetime.date:
        return self.today - datetime.timedelta(days=days_ago)

    def at(self, day: datetime.date, hhmm: str, days_later: int = 0) -> datetime.datetime:
        hour, minute = (int(part) for part in hhmm.split(":"))
        moment = datetime.datetime.combine(day + datetime.timedelta(days=days_later),
                                           datetime.time(hour, minute))
        return timezone.make_aware(moment)

    # --- people -------------------------------------------------------------------------------

    def member(self, department: str, on: datetime.date) -> Person | None:
        """One of the department's ordinary staff who had joined by then (not its head)."""
        members = self.people.get(department, [])
        pool = [p for p in members[1:] if p.category == Person.Category.EMPLOYEE
                and (p.joined_on is None or p.joined_on <= on)] or members
        return self.rng.choice(pool) if pool else None

    def manager(self, department: str, on: datetime.date) -> Person | None:
        """The department's information manager on the day, or its head."""
        appointment = (Appointment.objects.current(on)
                       .filter(role=Appointment.Role.INFORMATION_MANAGER,
                               department__code=department).select_related("person").first())
        if appointment is not None:
            return appointment.person
        members = self.people.get(department, [])
        return members[0] if members else None

    def staff_login(self, on: datetime.date) -> Person | None:
        """The demo's `staff` login (会員サービス部), when they had joined by then."""
        person = Person.objects.filter(user__username="staff").first()
        if person is None or (person.joined_on and person.joined_on > on):
            return None
        return person

    # --- records ------------------------------------------------------------------------------

    def code(self, year: int) -> str:
        """The next number of the year, leaving gaps for the incidents the demo does not
        show (a year has more than six)."""
        number = self.last_number.get(year, 0)
        while True:
            number += self.rng.randint(1, 4)
            code = f"INC-{year}-{number:04d}"
            if not Incident.objects.filter(code=code).exists():
                break
        self.last_number[year] = number
        return code

    def incident(self, *, title, department, noticed_at, reported_by, severity,
                 description="", occurred_at=None, assignee=None, data_affected="",
                 personal_data_suspected=False, assets=(), threats=(), risks=(),
                 controls=()) -> Incident:
        incident = Incident(
            code=self.code(timezone.localtime(noticed_at).year), title=title,
            description=description, occurred_at=occurred_at, noticed_at=noticed_at,
            reported_by=reported_by, department=self.departments[department],
            data_affected=data_affected, personal_data_suspected=personal_data_suspected,
            severity=severity, assignee=assignee)
        incident.full_clean()
        incident.save()
        for name, codes, known in (("assets", assets, self.assets),
                                   ("threats", threats, self.threats),
                                   ("risks", risks, self.risks),
                                   ("controls", controls, self.controls)):
            linked = [known[code] for code in codes if code in known]
            if linked:
                getattr(incident, name).set(linked)
        self.notified(incident, noticed_at + datetime.timedelta(minutes=1))
        return incident

    def notified(self, incident, at) -> None:
        """What `tasks.notify_new_incident` records once the report has gone out."""
        people = [self.ciso, self.manager(incident.department.code,
                                          timezone.localtime(at).date()), incident.assignee]
        recipients = sorted({p.email for p in people if p and p.email} | {TEAM_EMAIL})
        text = _("Reported to: %(recipients)s") % {"recipients": ", ".join(recipients)}
        self.entry(incident, at, None, Kind.NOTIFICATION, text)

    def entry(self, incident, at, author, kind, text) -> IncidentEntry:
        return IncidentEntry.objects.create(incident=incident, at=at, author=author, kind=kind,
                                            text=text)

    def note(self, incident, at, author, text) -> IncidentEntry:
        return self.entry(incident, at, author, Kind.NOTE, text)

    def move(self, incident, status, at, note="") -> None:
        workflow.move_to(incident, status, self.user, note, at=at)

    def escalate(self, incident, at, author, reason) -> None:
        workflow.escalate(incident, author.user if author else None, reason, at=at)

    def close(self, incident, at, root_cause, lessons, note="") -> None:
        incident.root_cause, incident.lessons_learned = root_cause, lessons
        incident.full_clean()
        incident.save()
        self.move(incident, Status.CLOSED, at, note)

    def assess(self, incident, at, **answers) -> BreachAssessment:
        """`workflow.save_assessment` as of `at`: the answers saved, the outcome in the
        timeline and, when reportable, the PPC's preliminary and final reports drafted."""
        assessment = BreachAssessment(incident=incident, assessed_by=self.ciso, assessed_at=at,
                                      **answers)
        assessment.full_clean()
        assessment.save()
        workflow.record_assessment(assessment, self.user, at=at)
        incident.reports.filter(recipient=PPC).update(recipient_name=PPC_NAME,
                                                      legal_basis=PPC_BASIS)
        return assessment

    def report(self, incident, kind, *, recipient=PPC, due_on=None, **fields):
        """A report submitted or updated: the PPC's drafted one, or another regulator's."""
        report = incident.reports.filter(recipient=recipient, kind=kind).first()
        if report is None:
            names = {PPC: (PPC_NAME, PPC_BASIS), METI: (METI_NAME, METI_BASIS),
                     FSA: (FSA_NAME, FSA_BASIS)}[recipient]
            report = RegulatoryReport(incident=incident, recipient=recipient, kind=kind,
                                      due_on=due_on, recipient_name=names[0],
                                      legal_basis=names[1])
            workflow.draft_items(report)
        for name, value in fields.items():
            setattr(report, name, value)
        report.full_clean()
        report.save()
        return report

    def action(self, incident, title, owner, due_on, done_on=None, notes="") -> None:
        action = RecoveryAction(incident=incident, title=title, owner=owner, due_on=due_on,
                                done_on=done_on, notes=notes)
        action.full_clean()
        action.save()


def load_incident_demo(seed: int) -> int:
    """Returns the number of incidents loaded (0 when they exist already or the demo
    organisation is missing)."""
    if Incident.objects.filter(title=MARKER).exists():
        return 0
    needed = {CARD, MERCHANTS, MEMBERS, FRAUD, ACCOUNTING, IT, OPS, SECURITY}
    if Department.objects.filter(code__in=needed).count() < len(needed):
        return 0
    appointment = (Appointment.objects.current().filter(role=Appointment.Role.CISO)
                   .select_related("person__user").first())
    if appointment is None or appointment.person.user is None:
        return 0
    # The company's own records are in Japanese, the timeline's status lines too.
    with acting_as(Actor(None, DEMO_ACTOR, "command")), transaction.atomic(), override("ja"):
        demo = Demo(seed, appointment.person)
        settings = IncidentSettings.current()
        if settings.pk and not settings.team_email:
            settings.team_email = TEAM_EMAIL
        if settings.pk and not settings.company_name:
            ciso = appointment.person
            settings.company_name = COMPANY_JA
            settings.company_address = COMPANY_ADDRESS
            settings.company_representative = COMPANY_REPRESENTATIVE
            settings.contact_name = ciso.name
            settings.contact_department = ciso.department.name_ja if ciso.department else ""
            settings.contact_phone = CONTACT_PHONE
            settings.contact_email = TEAM_EMAIL
        if settings.pk:
            settings.save()
        for story in (misdirected_email, web_skimming, lost_laptop, targeted_email,
                      ransomware, suspicious_call):
            story(demo)
    return len(TITLES)


# --- the incidents, oldest first ------------------------------------------------------------

def misdirected_email(demo: Demo) -> None:
    aware = demo.day(EMAIL_DAYS_AGO)
    reporter = demo.member(MEMBERS, aware)
    manager = demo.manager(MEMBERS, aware)
    incident = demo.incident(
        title=EMAIL_TITLE, department=MEMBERS, severity=Severity.LOW,
        occurred_at=demo.at(aware, "15:12"), noticed_at=demo.at(aware, "15:20"),
        reported_by=reporter, assignee=manager,
        description="カードローン（キャッシング）利用中の会員1名に送るべき返済予定表（PDF）を、"
                    "宛先のオートコンプリートで表示された同姓の別の会員のメールアドレスへ送信した。",
        data_affected="会員1名の氏名、会員番号、借入残高、返済予定日と返済額",
        personal_data_suspected=True, assets=("IT-MAIL", "MS-CRM"), threats=(LEAKAGE,),
        risks=("R-040",), controls=("C-ORG-12", "C-TEC-09"))
    demo.note(incident, demo.at(aware, "15:25"), reporter,
              "送信直後に宛先の誤りに気付いた。添付ファイルにパスワードは設定していない。"
              "送信保留の時間内に取り消せなかった。")
    demo.move(incident, Status.TRIAGED, demo.at(aware, "15:50"),
              "重大度「低」。会員サービス部の情報管理責任者が対応する。")
    demo.note(incident, demo.at(aware, "16:30"), manager,
              "誤送信先の会員へ電話で連絡して事情を説明し、メールと添付ファイルの削除を依頼した。")
    demo.move(incident, Status.CONTAINED, demo.at(aware, "16:40"),
              "誤送信先の会員が削除に応じた。")
    demo.entry(incident, demo.at(aware, "17:10"), manager, Kind.NOTICE,
               "本来の宛先の会員へ電話で経緯を説明して謝罪し、返済予定表を会員向けWebサイトで"
               "改めて案内した。")
    demo.note(incident, demo.at(aware, "10:30", 1), manager,
              "誤送信先の会員から削除した旨の確認書を受領した。転送や保存はしていないとのこと。")
    demo.move(incident, Status.RECOVERED, demo.at(aware, "10:35", 1))
    demo.assess(incident, demo.at(aware, "14:00", 1), personal_data=True, persons_affected=1,
                data_items="氏名、会員番号、借入残高、返済予定日・返済額",
                person_notice=Notice.INDIVIDUAL, person_notice_on=aware)
    submitted = aware + datetime.timedelta(days=3)
    demo.report(
        incident, VOLUNTARY, recipient=FSA, submitted_on=submitted,
        persons="1",
        cause="外部宛メールの宛先をオートコンプリートで選択し、送信前の確認が不十分だった。",
        secondary_damage="誤送信先で削除されたことを確認しており、二次被害のおそれは低い。",
        response_to_persons="本人へ電話で謝罪した。誤送信先からは削除の確認書を受領した。",
        public_announcement="影響が本人1名に限られるため公表しない。",
        recurrence_prevention="会員サービス部の外部宛メールにも送信保留と宛先確認画面を適用する。",
        other_matters="個人情報保護法第26条の報告対象には当たらないが、貸金業に係る会員の情報の"
                      "ため監督当局へ報告する。")
    demo.entry(incident, demo.at(aware, "11:00", 3), manager, Kind.REPORT,
               f"{FSA_NAME}へ任意の報告を提出した（{jdate(submitted)}）。")
    it_member = demo.member(IT, aware)
    demo.action(incident, "外部宛メールの送信保留（5分）と宛先確認画面を会員サービス部に適用",
                it_member, aware + datetime.timedelta(days=14),
                aware + datetime.timedelta(days=9))
    demo.action(incident, "会員への書類送付を会員向けWebサイトのメッセージ機能に一本化", manager,
                aware + datetime.timedelta(days=60), aware + datetime.timedelta(days=52),
                "メールでの添付送付は廃止。例外は部長の承認制とした。")
    demo.close(
        incident, demo.at(aware, "17:00", 14),
        "外部宛メールの宛先をオートコンプリートで選択し、送信前に宛先を確認しなかった。返済予定表を"
        "パスワードのないPDFで添付していた。送信保留は設定されていたが、会員サービス部は対象外だった。",
        "送信保留と宛先確認画面を全部署に適用した。会員への個別の書類はメールで送らず、会員向け"
        "Webサイトのメッセージ機能で案内する。月次の部内会議で事例として共有した。",
        "再発防止策の実施を確認し、終結とする。")


def web_skimming(demo: Demo) -> None:
    aware = demo.day(SKIMMING_DAYS_AGO)
    reporter = demo.member(FRAUD, aware)
    csirt = demo.member(SECURITY, aware)
    it_member = demo.member(IT, aware)
    persons = 2314
    incident = demo.incident(
        title=SKIMMING_TITLE, department=CARD, severity=Severity.CRITICAL,
        occurred_at=demo.at(aware, "03:12", -23), noticed_at=demo.at(aware, "10:15"),
        reported_by=reporter, assignee=csirt,
        description="会員向けWebサイトの「Web会員サービス利用申込」フォームが読み込む外部事業者の"
                    "アクセス解析タグが改ざんされ、会員が入力したカード番号・有効期限・セキュリティ"
                    "コード等が外部のドメインへ送信されていた。",
        data_affected="申込フォームに入力された氏名、カード番号、有効期限、セキュリティコード、"
                      "生年月日、電話番号、メールアドレス",
        personal_data_suspected=True, assets=("IT-WEB", "IT-PAYGW", "CB-CARDDB"),
        threats=(TAMPERING, LEAKAGE), risks=("R-003", "R-010"),
        controls=("C-TEC-10", "C-TEC-04", "C-TEC-05", "C-ORG-07", "C-TEC-11"))
    demo.note(incident, demo.at(aware, "10:40"), reporter,
              "不正検知システムで、直近3週間にWeb会員サービスへ登録した会員のカードに海外EC"
              "サイトでの不正利用が集中している。共通点は会員向けWebサイトの利用申込フォームのみ。")
    demo.move(incident, Status.TRIAGED, demo.at(aware, "11:30"),
              "重大度「重大」。CSIRTが調査を開始し、カード事業部と情報セキュリティ統括部で対応する。")
    demo.note(incident, demo.at(aware, "13:50"), csirt,
              "申込フォームが読み込む外部事業者配信のアクセス解析タグに、入力値を外部ドメインへ"
              "送信するコードが追加されていることを確認した。改ざんは"
              f"{jdate(aware - datetime.timedelta(days=23))}の未明と推定。")
    demo.move(incident, Status.CONTAINED, demo.at(aware, "14:05"),
              "申込フォームを停止し、当該タグを削除した。外部ドメインへの通信をWAFとプロキシで"
              "遮断した。")
    demo.note(incident, demo.at(aware, "15:00"), demo.ciso,
              "国際ブランドと警察（サイバー犯罪相談窓口）へ連絡した。カード事業部長と協議し、"
              "対象会員のカードを差し替え、不正利用分は会員に請求しない方針を決定した。")
    demo.note(incident, demo.at(aware, "09:30", 1), csirt,
              "WAFのログから、改ざん期間中に申込フォームへ入力した会員2,314人を特定した。")
    assessment = demo.assess(
        incident, demo.at(aware, "10:00", 1), personal_data=True, financial_damage=True,
        wrongful_purpose=True, being_acquired=True, persons_affected=persons,
        data_items="氏名、カード番号、有効期限、セキュリティコード、生年月日、電話番号、"
                   "メールアドレス")
    preliminary = {
        "cause": "会員向けWebサイトの申込フォームが読み込む外部事業者のアクセス解析タグが"
                 "第三者に改ざんされ、入力された情報を外部へ送信するコードが追加された"
                 "（調査中）。",
        "secondary_damage": "対象カードのうち37枚で海外ECサイトでの不正利用"
                            "（計1,284,600円）を確認した。",
        "response_to_persons": "対象会員へ個別に通知し、カードを差し替える。不正利用分は"
                               "会員に請求しない。",
        "public_announcement": f"{jdate(aware + datetime.timedelta(days=6))}に当社"
                               "ホームページで公表する予定。",
        "recurrence_prevention": "申込フォームを停止して不正なコードを削除した。外部"
                                 "スクリプトの棚卸を行っている。",
        "other_matters": "警察、国際ブランド、経済産業省、関東財務局へ連絡済み。",
    }
    sent = aware + datetime.timedelta(days=2)
    demo.report(incident, PRELIMINARY, submitted_on=sent, **preliminary)
    demo.report(incident, PRELIMINARY, recipient=METI, due_on=assessment.preliminary_due,
                submitted_on=sent, **preliminary)
    demo.report(incident, VOLUNTARY, recipient=FSA, submitted_on=sent, **preliminary)
    demo.entry(incident, demo.at(aware, "17:00", 2), demo.ciso, Kind.REPORT,
               f"{PPC_NAME}へ速報を提出した（漏えい等報告フォーム）。同じ内容を{METI_NAME}と"
               f"{FSA_NAME}へ報告した。")
    demo.move(incident, Status.RECOVERED, demo.at(aware, "11:00", 3),
              "外部スクリプトを自社配信に切り替え、CSPとSRIを設定したうえで申込フォームを再開した。")
    noticed_on = aware + datetime.timedelta(days=6)
    demo.entry(incident, demo.at(aware, "15:00", 6), demo.manager(CARD, aware), Kind.NOTICE,
               f"対象会員{persons:,}人へ個別にメールと書面で通知し、当社ホームページで公表した。"
               "カードの差替えを開始した。")
    assessment.person_notice, assessment.person_notice_on = Notice.INDIVIDUAL, noticed_on
    assessment.full_clean()
    assessment.save()
    demo.note(incident, demo.at(aware, "16:00", 21), demo.manager(CARD, aware),
              f"カードの差替えが完了した（{persons:,}枚）。不正利用の被害は全額を当社が負担した。")
    demo.note(incident, demo.at(aware, "14:00", 45), csirt,
              "フォレンジック調査報告書を受領した。タグ配信事業者の管理画面への不正ログイン"
              "（多要素認証なし）によりタグが改ざんされた。当社のシステムへの侵入の痕跡はない。")
    root_cause = ("申込フォームが外部事業者の配信するスクリプトをそのまま読み込んでおり、配信元の"
                  "管理画面への不正ログインでスクリプトが改ざんされた。当社には外部スクリプトの"
                  "改ざんを検知する仕組みがなく、委託先ではない配信事業者のセキュリティを確認して"
                  "いなかった。")
    lessons = ("決済・申込画面では外部スクリプトを読み込まず、必要なものは自社から配信してSRIで"
               "固定する。CSPで送信先を限定し、画面の改ざん検知サービスを導入した。タグの配信"
               "事業者も委託先と同じく選定時と年1回のセキュリティ確認の対象にした。不正検知の"
               "集中傾向を情報セキュリティ統括部へ即日共有する手順を定めた。")
    final = {
        "cause": root_cause,
        "secondary_damage": "不正利用は41枚、計1,412,300円。全額を当社が負担し、会員への"
                            "請求は取り消した。",
        "response_to_persons": f"{jdate(noticed_on)}に対象会員{persons:,}人へ個別に通知し、"
                               "カードを差し替えた。専用の問合せ窓口を設けた。",
        "public_announcement": f"{jdate(noticed_on)}に当社ホームページで公表した。",
        "recurrence_prevention": lessons,
        "other_matters": "警察へ被害を相談済み。国際ブランドへ調査結果を報告した。",
    }
    sent = aware + datetime.timedelta(days=50)
    demo.report(incident, FINAL, submitted_on=sent, **final)
    demo.report(incident, FINAL, recipient=METI, due_on=assessment.final_due, submitted_on=sent,
                **final)
    demo.entry(incident, demo.at(aware, "16:30", 50), demo.ciso, Kind.REPORT,
               f"{PPC_NAME}へ確報を提出した（期限 {jdate(assessment.final_due)}）。"
               f"{METI_NAME}へも確報を提出した。")
    demo.action(incident, "申込・決済画面の外部スクリプトの棚卸と不要なタグの削除", it_member,
                aware + datetime.timedelta(days=5), aware + datetime.timedelta(days=4))
    demo.action(incident, "CSP（Content-Security-Policy）とSRIの設定", it_member,
                aware + datetime.timedelta(days=30), aware + datetime.timedelta(days=27))
    demo.action(incident, "申込・決済画面の改ざん検知サービスの導入", demo.member(IT, aware),
                aware + datetime.timedelta(days=60), aware + datetime.timedelta(days=58))
    demo.action(incident, "対象会員のカード差替えと不正利用分の請求取消",
                demo.staff_login(aware) or demo.member(MEMBERS, aware),
                aware + datetime.timedelta(days=21), aware + datetime.timedelta(days=21))
    demo.action(incident, "タグ配信事業者を委託先の選定・年次点検の対象に追加", csirt,
                aware + datetime.timedelta(days=75), aware + datetime.timedelta(days=70))
    demo.close(incident, demo.at(aware, "17:00", 80), root_cause, lessons,
               "再発防止策の完了を確認し、CISOが終結を承認した。")


def lost_laptop(demo: Demo) -> None:
    aware = demo.day(LAPTOP_DAYS_AGO)
    reporter = demo.member(MERCHANTS, aware)
    operator = demo.member(OPS, aware)
    incident = demo.incident(
        title=LAPTOP_TITLE, department=MERCHANTS, severity=Severity.MEDIUM,
        occurred_at=demo.at(aware, "21:30"), noticed_at=demo.at(aware, "22:10"),
        reported_by=reporter, assignee=operator,
        description="帰宅途中の電車内で、社用ノートPCを入れた鞄を網棚に置き忘れた。鉄道会社の"
                    "忘れ物窓口と警察に届け出たが、見つかっていない。",
        data_affected="ノートPC1台（ディスク暗号化済み）。加盟店の代表者情報のExcelファイル",
        personal_data_suspected=True, assets=("IT-LAPTOP", "MR-MERCHANTS", "MR-SFA"),
        threats=(LOSS,), risks=("R-038", "R-026"), controls=("C-TEC-08", "C-PHY-07"))
    demo.note(incident, demo.at(aware, "22:25"), reporter,
              "鉄道会社の忘れ物窓口と最寄りの警察署に届け出た。PCはシャットダウンしていた。")
    demo.move(incident, Status.TRIAGED, demo.at(aware, "09:00", 1),
              "重大度「中」。システム運用課が端末の状態を確認する。")
    demo.note(incident, demo.at(aware, "09:35", 1), operator,
              "資産管理台帳で当該PCのディスク暗号化（TPMとPINによる起動時認証）が有効であることを"
              "確認した。遠隔ロックと消去を指示し、利用者のアカウントを一時停止した。")
    demo.move(incident, Status.CONTAINED, demo.at(aware, "09:45", 1))
    demo.note(incident, demo.at(aware, "11:00", 1), reporter,
              "PCには営業支援システムから出力した加盟店の代表者情報（約1,350人分）のExcel"
              "ファイルが保存されていた。")
    demo.assess(incident, demo.at(aware, "14:00", 1), personal_data=True, persons_affected=1350,
                encrypted=True, data_items="加盟店の代表者の氏名、住所、電話番号、生年月日",
                person_notice=Notice.NOT_REQUIRED)
    demo.move(incident, Status.RECOVERED, demo.at(aware, "10:00", 3),
              "代替PCを貸与し、業務を再開した。PCは発見されていない。")
    demo.action(incident, "営業支援システムからの一括出力を部長の承認制に変更",
                demo.member(IT, aware), aware + datetime.timedelta(days=30),
                aware + datetime.timedelta(days=26))
    demo.action(incident, "営業用PCへのファイル保存を禁止し、クラウドの共有フォルダに限定",
                operator, aware + datetime.timedelta(days=45), aware + datetime.timedelta(days=40))
    demo.close(
        incident, demo.at(aware, "17:00", 20),
        "業務終了後に社用PCを持ったまま帰宅し、電車内に置き忘れた。営業支援システムから出力した"
        "加盟店の代表者情報をPC本体に保存していた。",
        "ディスク暗号化と起動時認証により漏えいには至らず、報告対象から除外された。個人情報を含む"
        "ファイルはPC本体に保存せず、一括出力は承認制とする。持出しPCの所在確認を月次にした。",
        "端末の遠隔消去の完了を確認し、終結とする。")


def targeted_email(demo: Demo) -> None:
    aware = demo.day(PHISHING_DAYS_AGO)
    reporter = demo.member(ACCOUNTING, aware)
    operator = demo.member(OPS, aware)
    incident = demo.incident(
        title=PHISHING_TITLE, department=ACCOUNTING, severity=Severity.MEDIUM,
        occurred_at=demo.at(aware, "09:02"), noticed_at=demo.at(aware, "09:05"),
        reported_by=reporter, assignee=operator,
        description="取引先を装ったメールの添付ファイル（請求書.zip）を開いたところ、EDRの警告が"
                    "表示された。",
        data_affected="経理部の社員用ノートPC1台", assets=("IT-LAPTOP", "IT-MAIL"),
        threats=(ACCESS,), risks=("R-009",), controls=("C-TEC-03", "C-PPL-05"))
    demo.move(incident, Status.TRIAGED, demo.at(aware, "09:30"), "重大度「中」。")
    demo.note(incident, demo.at(aware, "09:38"), operator,
              "EDRが添付ファイル内の実行ファイルを遮断し、端末を自動隔離していた。外部への通信は"
              "確認されない。同じメールが他に6人へ届いており、メールゲートウェイで削除した。")
    demo.move(incident, Status.CONTAINED, demo.at(aware, "09:40"))
    demo.move(incident, Status.RECOVERED, demo.at(aware, "15:00"),
              "端末を初期化して返却した。")
    demo.close(
        incident, demo.at(aware, "17:00", 7),
        "実在する取引先の担当者名を騙る標的型メール。件名と署名が本物と同じで、受信者が見分け"
        "られなかった。",
        "不審メールの報告ボタンが使われ、EDRとあわせて被害を防げた。訓練メールに請求書を装う手口を"
        "追加し、外部からのZIP添付はメールゲートウェイで隔離する設定にした。")


def ransomware(demo: Demo) -> None:
    aware = demo.day(RANSOMWARE_DAYS_AGO)
    reporter = demo.member(OPS, aware)
    csirt = demo.member(SECURITY, aware)
    persons = 38000
    incident = demo.incident(
        title=RANSOMWARE_TITLE, department=OPS, severity=Severity.CRITICAL,
        occurred_at=demo.at(aware, "01:58"), noticed_at=demo.at(aware, "02:40"),
        reported_by=reporter, assignee=csirt,
        description="深夜、EDRとSIEMが融資系サーバ群での大量のファイル暗号化を検知した。ローン管理"
                    "システムと債権管理システムが停止し、新規の貸付と返済の受付ができない。"
                    "カードのオーソリと会員向けWebサイトは別セグメントのため影響なし。",
        data_affected="ローン管理システム・債権管理システムのデータ（借入人の氏名、住所、電話番号、"
                      "生年月日、借入残高、返済口座）。ファイルサーバ上の収入証明書類の画像。",
        personal_data_suspected=True,
        assets=("IT-CORE", "CL-LOAN", "CC-SYSTEM", "IT-FILES", "IT-AD", "IT-VPN"),
        threats=(ACCESS, DAMAGE, LEAKAGE), risks=("R-009", "R-039", "R-008"),
        controls=("C-TEC-03", "C-TEC-06", "C-TEC-04", "C-ORG-07", "C-ORG-08"))
    demo.note(incident, demo.at(aware, "02:55"), reporter,
              "EDRが融資系サーバ3台でファイルの一括暗号化を検知し、当該サーバを自動隔離した。"
              "ローン管理システムと債権管理システムが応答しない。")
    demo.move(incident, Status.TRIAGED, demo.at(aware, "03:10"),
              "重大度「重大」。CSIRTを招集した。")
    demo.escalate(incident, demo.at(aware, "03:30"), csirt,
                  "CISOへエスカレーションした。CISOを本部長とする対策本部を設置する。")
    demo.note(incident, demo.at(aware, "06:00"), csirt,
              "ランサムノートに「データを窃取した。公開されたくなければ連絡せよ」との記載がある。"
              "前日夜にファイルサーバから外部への大容量の通信があったことをSIEMで確認した。")
    demo.move(incident, Status.CONTAINED, demo.at(aware, "15:00", 1),
              "感染した融資系サーバ12台を隔離し、侵入経路と疑われるVPN機器を停止した。ドメイン"
              "管理者の認証情報をすべて変更した。")
    demo.note(incident, demo.at(aware, "16:00", 1), demo.ciso,
              "警察（サイバー犯罪対策課）に相談した。身代金は支払わない方針を取締役会に報告した。")
    assessment = demo.assess(
        incident, demo.at(aware, "10:00", 2), personal_data=True, wrongful_purpose=True,
        persons_affected=persons,
        data_items="借入人の氏名、住所、電話番号、生年月日、借入残高、返済口座（推定。"
                   "流出範囲は調査中）")
    demo.note(incident, demo.at(aware, "11:00", 3), csirt,
              "外部のフォレンジック事業者が調査を開始した。流出したファイルの特定には2〜3週間を"
              "要する見込み。")
    sent = assessment.preliminary_due + datetime.timedelta(days=RANSOMWARE_REPORT_DAYS_LATE)
    demo.report(
        incident, PRELIMINARY, submitted_on=sent,
        cause="VPN機器の脆弱性を悪用した不正アクセスとランサムウェアによる暗号化（調査中）。",
        secondary_damage="現時点で、流出したデータの公開や悪用は確認されていない。",
        response_to_persons="流出の範囲を特定したうえで、対象となる借入人へ個別に通知する。",
        public_announcement=f"{jdate(aware + datetime.timedelta(days=3))}に当社ホームページで"
                            "システム障害として第一報を公表した。",
        recurrence_prevention="VPN機器の停止と更新、全アカウントのパスワード変更、特権IDの棚卸。",
        other_matters="警察に相談済み。")
    demo.entry(incident, demo.at(aware, "17:30", 5), demo.ciso, Kind.REPORT,
               f"{PPC_NAME}へ速報を提出した。期限（{jdate(assessment.preliminary_due)}）を"
               "1日過ぎた。流出の有無についてフォレンジック事業者の初期所見を待ったため。")
    demo.note(incident, demo.at(aware, "18:00", 5), demo.ciso,
              "速報は判明している事項だけで期限内に提出し、判明した事項は追加の報告で補うべき"
              "だった。インシデント対応手順書に明記する。")
    demo.note(incident, demo.at(aware, "09:00", 8), reporter,
              "災害対策サイトで返済の受付を再開した。新規の貸付は停止を続ける。")
    demo.note(incident, demo.at(aware, "15:00", 12), csirt,
              "フォレンジック調査の中間報告：侵入口はVPN機器の既知の脆弱性（修正パッチ未適用）。"
              "流出したファイルの特定を続けている。")
    demo.action(incident, "VPN機器のファームウェア更新と接続用の認証情報の再発行", reporter,
                aware + datetime.timedelta(days=2), aware + datetime.timedelta(days=2))
    demo.action(incident, "全アカウントのパスワード変更と特権IDの棚卸", demo.member(OPS, aware),
                aware + datetime.timedelta(days=4), aware + datetime.timedelta(days=5))
    demo.action(incident, "バックアップからの融資系サーバの復元と整合性の確認",
                demo.member(OPS, aware), demo.today + datetime.timedelta(days=5))
    demo.action(incident, "フォレンジック調査による流出範囲の特定", csirt,
                demo.today + datetime.timedelta(days=10))
    demo.action(incident, "対象となる借入人への通知と問合せ窓口の準備",
                demo.manager("D300", aware) if "D300" in demo.departments else csirt,
                demo.today + datetime.timedelta(days=14))


def suspicious_call(demo: Demo) -> None:
    """Reported by the demo's `staff` login, so they have an open report of their own."""
    noticed = (demo.now - datetime.timedelta(hours=3)).replace(second=0, microsecond=0)
    day = timezone.localtime(noticed).date()
    reporter = demo.staff_login(day) or demo.member(MEMBERS, day)
    demo.incident(
        title=CALL_TITLE, department=MEMBERS, severity=Severity.MEDIUM,
        noticed_at=noticed, reported_by=reporter,
        description="コールセンターから転送された、会員本人を名乗る電話で、登録住所と最近の利用"
                    "状況を聞き出そうとする問合せが続けて3件あった。いずれも本人確認で回答を断った"
                    "が、1件は生年月日まで一致していた。",
        data_affected="会員の氏名・生年月日（発信者が事前に把握していた可能性）",
        personal_data_suspected=True, assets=("MS-CRM", "CT-REC"), threats=(ACCESS,),
        risks=("R-029",), controls=("C-PPL-02",))
