"""The demo company's outsourcing contractors (policy Art 9) and the links from the screening
requirements to its own controls (mamori.controls.demo), so the company's own level per
requirement is computed from the demo's controls.

Eight contractors, each entrusted by the department that uses it:
- a call centre handling card members' enquiries (many persons: high tier);
- a card plastic printer that embosses card numbers (card data: high);
- a cloud host of the member web site, with access to the company's systems (medium);
- a payment processor (card data: high);
- an offshore development house in Viet Nam testing with member data (foreign transfer:
  high, with the country's regime and the measures recorded);
- a document-storage company and the courier it subcontracts to;
- a printing house for direct mail whose data-protection mark has lapsed.
Every one entrusted with personal or card data was screened equal or higher before its
contract, and every contract has the required clauses. The call centre's periodic review found
one gap (logging) that the CISO accepted on a condition until a date to come; the payment
processor was screened shortly before its contract; the direct-mail printer's periodic review
is sent and half answered, and its PrivacyMark lapsed three weeks ago: the Art 9 certificate
check fails for it on purpose; the printer has sent its renewed mark through the portal, and
it waits for someone in the company to check it before it is relied on. The storage company
passes collection to the courier with the CISO's consent, so its chain shows both. The
suspicious-call incident names the call centre it came through, and an on-site audit of the
card printer is planned.

Corporate numbers are made up: a check digit is put before an invented twelve-digit base.
"""

import datetime
from typing import NamedTuple

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from mamori.assets.demo import DEMO_ACTOR
from mamori.audits.models import Audit
from mamori.contractors import portal, workflow
from mamori.contractors.corporate_number import check_digit
from mamori.contractors.models import (
    CLAUSES,
    Certificate,
    Contract,
    Contractor,
    Screening,
    ScreeningRequirement,
    Subcontracting,
)
from mamori.controls.models import Control
from mamori.core.context import Actor, acting_as
from mamori.core.models import User
from mamori.incidents.demo import CALL_TITLE
from mamori.incidents.models import Incident
from mamori.org.models import Department, Person

MARKER = "K-001"


class Spec(NamedTuple):
    code: str
    name_ja: str
    name_en: str
    base_number: str  # twelve digits; empty for a company registered abroad
    department: str
    services: str
    personal_data: bool = False
    categories: str = ""
    persons: int | None = None
    sensitive: bool = False
    card_data: bool = False
    system_access: bool = False
    country: str = "JP"
    foreign_regime: str = ""
    foreign_measures: str = ""


CONTRACTORS = [
    Spec("K-001", "株式会社みなとコンタクトサービス", "Minato Contact Services Co., Ltd.",
         "010401990011", "D500", "会員からの電話・チャット問合せ対応（夜間・休日）",
         personal_data=True, categories="会員の氏名、住所、電話番号、利用明細、通話録音",
         persons=180000, system_access=True),
    Spec("K-002", "東和カードプリント株式会社", "Towa Card Print Co., Ltd.", "010401990022",
         "D220", "クレジットカードの券面印刷、エンボス加工、封入・発送",
         personal_data=True, categories="会員の氏名、住所、カード番号、有効期限",
         persons=40000, card_data=True),
    Spec("K-003", "さくらクラウド基盤株式会社", "Sakura Cloud Platform Co., Ltd.",
         "010401990033", "D600", "会員向けWebサイトのIaaS基盤の提供と運用監視",
         system_access=True),
    Spec("K-004", "ジャパン・ペイメント・ゲートウェイ株式会社",
         "Japan Payment Gateway Co., Ltd.", "010401990044", "D210",
         "加盟店からのオーソリゼーション処理と売上データの中継",
         personal_data=True, categories="カード番号、取引金額、加盟店情報", persons=250000,
         card_data=True, system_access=True),
    Spec("K-005", "ハノイ・ソフトウェア開発有限会社", "Hanoi Software Development LLC", "",
         "D600", "会員管理システムの改修と結合テスト", personal_data=True,
         categories="テスト環境に複製した会員の氏名・連絡先（一部を仮名化）", persons=3000,
         system_access=True, country="VN",
         foreign_regime="ベトナムでは個人データ保護に関する政令（2023年施行）が個人データの"
                        "処理と国外移転を規律している。",
         foreign_measures="委託契約で当社規程と同等の安全管理措置、再委託の禁止、監査権、"
                          "終了時の削除を定め、年1回リモート監査を行う。"),
    Spec("K-006", "株式会社あけぼの文書保管", "Akebono Document Storage Inc.", "010401990066",
         "D310", "審査書類（原本）の保管、集配及び保存期間満了時の溶解処理",
         personal_data=True, categories="申込者の本人確認書類、収入証明書", persons=60000,
         sensitive=False),
    Spec("K-007", "はやて便株式会社", "Hayate Express Co., Ltd.", "010401990077", "D310",
         "保管書類の集配（K-006 からの再委託）", personal_data=True,
         categories="施錠された書類箱（中身は見ない）", persons=60000),
    Spec("K-008", "株式会社ことぶきダイレクト印刷", "Kotobuki Direct Print Co., Ltd.",
         "010401990088", "D210", "会員向けダイレクトメールの印刷と発送", personal_data=True,
         categories="会員の氏名、住所", persons=4000),
]

# Which of the demo's own controls meet each shipped screening requirement.
REQUIREMENT_CONTROLS = {
    "governance": ("C-ORG-01", "C-ORG-02"),
    "access-control": ("C-ORG-04", "C-TEC-02"),
    "authentication": ("C-TEC-01",),
    "malware": ("C-TEC-03", "C-TEC-04", "C-TEC-07"),
    "encryption": ("C-TEC-08",),
    "logging": ("C-TEC-05",),
    "staff": ("C-PPL-01", "C-PPL-02"),
    "incident-notification": ("C-ORG-07",),
    "subcontracting": ("C-ORG-05",),
    "physical": ("C-PHY-01", "C-PHY-04"),
    "secure-deletion": ("C-PHY-06", "C-TEC-12"),
    "continuity": ("C-ORG-08", "C-TEC-06"),
    "inspection": ("C-ORG-10", "C-BIZ-01"),
}


def corporate_number(base: str) -> str:
    return f"{check_digit(base)}{base}" if base else ""


def load_contractor_demo(seed: int) -> int:
    """Returns the number of contractors loaded (0 when they exist already or the demo
    organisation is missing)."""
    if Contractor.objects.filter(code=MARKER).exists():
        return 0
    departments = {d.code: d for d in Department.objects.filter(
        code__in={spec.department for spec in CONTRACTORS})}
    if len(departments) < len({spec.department for spec in CONTRACTORS}):
        return 0
    with acting_as(Actor(None, DEMO_ACTOR, "command")), transaction.atomic():
        for spec in CONTRACTORS:
            contractor = Contractor(
                code=spec.code, name_ja=spec.name_ja, name_en=spec.name_en,
                corporate_number=corporate_number(spec.base_number),
                department=departments[spec.department], status=Contractor.Status.ACTIVE,
                services=spec.services, personal_data=spec.personal_data,
                personal_data_categories=spec.categories, persons=spec.persons,
                sensitive_data=spec.sensitive, card_data=spec.card_data,
                system_access=spec.system_access, country=spec.country,
                foreign_regime=spec.foreign_regime, foreign_measures=spec.foreign_measures)
            contractor.full_clean()
            contractor.save()
        link_requirements_to_controls()
    ciso = User.objects.filter(username="ciso").first()
    if ciso is not None:
        with acting_as(Actor(ciso.pk, "ciso", "command")), transaction.atomic():
            bind_demo_contractors(ciso)
            screen_demo_contractors(ciso)
            chain_demo_contractors(ciso)
    with acting_as(Actor(None, DEMO_ACTOR, "command")), transaction.atomic():
        link_demo_records()
    return len(CONTRACTORS)


def screen_demo_contractors(ciso) -> None:
    today = timezone.localdate()
    by_code = {c.code: c for c in Contractor.objects.filter(code__in=("K-001", "K-004",
                                                                       "K-008"))}
    with transaction.atomic():
        processor = Screening.objects.create(
            contractor=by_code["K-004"], requested_on=today - datetime.timedelta(days=60),
            due_on=today - datetime.timedelta(days=30), note="PCI DSS 準拠の確認を含む")
        _answer_all(processor, lambda answer: 3, "PCI DSS v4.0.1 の準拠証明書(AOC)で確認")
        workflow.assess(ciso, processor)
        _assessed_days_ago(processor, 40)  # before its contract started, 30 days ago

        call_centre = Screening.objects.create(
            contractor=by_code["K-001"], kind=Screening.Kind.PERIODIC,
            requested_on=today - datetime.timedelta(days=45),
            due_on=today - datetime.timedelta(days=15))
        _answer_all(call_centre, lambda answer: 1 if answer.requirement.code == "logging"
                    else 3, "年次の外部監査報告書で確認")
        workflow.assess(ciso, call_centre)
        gap = call_centre.answers.filter(requirement__code="logging").first()
        if gap is not None and gap.their_level < (gap.our_level or 0):
            workflow.accept_gap(
                ciso, gap, condition="通話録音システムの操作ログを月次で当社に提出すること",
                expires_on=today + datetime.timedelta(days=120))

        printer = Screening.objects.create(
            contractor=by_code["K-008"], kind=Screening.Kind.PERIODIC,
            requested_on=today - datetime.timedelta(days=5),
            due_on=today + datetime.timedelta(days=25))
        link, _token = portal.issue(ciso, printer)  # the link itself is not kept
        with acting_as(portal.actor_for(link, "")):
            for index, answer in enumerate(printer.answers.all()):
                if index % 2 == 0:
                    answer.their_level, answer.their_comment = 2, "社内規程で定めている"
                    answer.save()
            Certificate.objects.create(
                contractor=by_code["K-008"], kind=Certificate.Kind.PMARK,
                number="10824321(04)", issuer="JIPDEC", submitted_through=link,
                issued_on=today - datetime.timedelta(days=2),
                expires_on=today + datetime.timedelta(days=728), relied_on=False,
                file=ContentFile(MINIMAL_PDF, name="privacymark-2026.pdf"))


# The smallest well-formed PDF (one empty page), standing in for a scanned certificate.
MINIMAL_PDF = (b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
               b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
               b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>>endobj\n"
               b"trailer<</Root 1 0 R>>\n%%EOF\n")


def chain_demo_contractors(ciso) -> None:
    """The storage company passes collection to the courier, with the CISO's consent."""
    storage, courier = (Contractor.objects.get(code=code) for code in ("K-006", "K-007"))
    link = Subcontracting.objects.create(
        contractor=storage, subcontractor=courier, work="保管書類の集配",
        information="保管箱の識別番号と集配先の住所（会員情報は箱の中のみ）",
        requested_on=timezone.localdate() - datetime.timedelta(days=250))
    workflow.decide_subcontracting(ciso, link, approve=True,
                                   note="集配車両の施錠と受渡記録を条件とする")


def link_demo_records() -> None:
    """The incident that came through the call centre names it; an on-site audit of the card
    printer is planned by the internal audit department."""
    call_centre = Contractor.objects.get(code="K-001")
    for incident in Incident.objects.filter(title=CALL_TITLE):
        incident.contractors.add(call_centre)
    auditor = Person.objects.filter(user__username="auditor").first()
    start = timezone.localdate() + datetime.timedelta(days=75)
    audit = Audit.objects.create(
        title="カード製造委託先の実地監査", kind=Audit.Kind.CONTRACTOR,
        auditing_body="内部監査室", lead_auditor=auditor,
        criteria="委託契約の安全管理条項、PCI DSS v4.0.1 のカード製造に関する要件",
        planned_start=start, planned_end=start + datetime.timedelta(days=2))
    audit.contractors.add(Contractor.objects.get(code="K-002"))


def _assessed_days_ago(screening, days: int) -> None:
    """The demo's history: assessed then, not today."""
    day = timezone.localdate() - datetime.timedelta(days=days)
    Screening.objects.filter(pk=screening.pk).update(assessed_on=day, answered_on=day)


def _answer_all(screening, level_of, comment) -> None:
    for answer in screening.answers.select_related("requirement"):
        answer.their_level, answer.their_comment = level_of(answer), comment
        answer.save()


def link_requirements_to_controls() -> None:
    controls = {c.code: c for c in Control.objects.filter(
        code__in={code for codes in REQUIREMENT_CONTROLS.values() for code in codes})}
    for requirement in ScreeningRequirement.objects.filter(code__in=REQUIREMENT_CONTROLS):
        linked = [controls[code] for code in REQUIREMENT_CONTROLS[requirement.code]
                  if code in controls]
        if linked:
            requirement.controls.add(*linked)


# Contracts (start, renewal) and certificates (kind, number, issuer, expiry in days from
# today; negative: lapsed) of the demo's contractors; every entrusted one was screened first.
CONTRACTS = {
    "K-001": ("コールセンター業務委託契約", -300), "K-002": ("カード製造委託契約", -200),
    "K-003": ("IaaS利用契約", -500), "K-004": ("決済代行業務委託契約", -30),
    "K-005": ("システム開発委託契約（準委任）", -150), "K-006": ("文書保管・廃棄委託契約", -250),
    "K-007": ("集配業務再委託に関する覚書", -240), "K-008": ("DM印刷・発送委託契約", -280),
}
CERTIFICATES = [
    ("K-001", "iso27001", "IS 700123", "民間認証機関", 400),
    ("K-002", "pci_dss", "AOC-2026-0412", "QSA", 180),
    ("K-004", "pci_dss", "AOC-2026-0077", "QSA", 300),
    ("K-006", "pmark", "10861234(05)", "JIPDEC", 500),
    # Lapsed three weeks ago and not renewed: the Art 9 certificate check fails for it.
    ("K-008", "pmark", "10824321(03)", "JIPDEC", -21),
]
# Screened once, at selection, before their contracts (days ago), all equal or higher.
SELECTION_SCREENINGS = {"K-001": 330, "K-002": 230, "K-005": 180, "K-006": 280,
                        "K-007": 260, "K-008": 300}


def bind_demo_contractors(ciso) -> None:
    today = timezone.localdate()
    contractors = {c.code: c for c in Contractor.objects.filter(code__in=CONTRACTS)}
    for code, days_ago in SELECTION_SCREENINGS.items():
        screening = Screening.objects.create(
            contractor=contractors[code], requested_on=today - datetime.timedelta(
                days=days_ago + 20))
        _answer_all(screening, lambda answer: 3, "自己点検結果と規程類の写しで確認")
        workflow.assess(ciso, screening)
        _assessed_days_ago(screening, days_ago)
    for code, (title, start) in CONTRACTS.items():
        contract = Contract(
            contractor=contractors[code], title=title,
            starts_on=today + datetime.timedelta(days=start),
            signed_on=today + datetime.timedelta(days=start - 7),
            renewal=Contract.Renewal.AUTOMATIC, notification_hours=24,
            **{name: True for name, _label in CLAUSES},
            clause_foreign_transfer=contractors[code].is_foreign)
        contract.full_clean()
        contract.save()
    for code, kind, number, issuer, expiry in CERTIFICATES:
        Certificate.objects.create(
            contractor=contractors[code], kind=kind, number=number, issuer=issuer,
            expires_on=today + datetime.timedelta(days=expiry),
            issued_on=today + datetime.timedelta(days=expiry - 730))
