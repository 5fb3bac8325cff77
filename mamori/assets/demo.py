"""The demo company's information asset register (policy Art 3 and 5).

About fifty assets of 株式会社みなとカード: the card and loan systems and the data they hold,
paper forms in the archive, call recordings, HR records with health data, the data centre and
the laptops, each owned by a department and looked after by one of its people, rated for
confidentiality, integrity and availability on the default 1–4 scale (4: card data and keys,
極秘 in the model rules), and linked to what they
run on (member web site → payment gateway → core servers).

One gap is left on purpose: the CCTV recordings belong to 総務部 (General Affairs), whose
head retired on 31 March without a successor, so the Art 3 check "every asset has a current
information manager" fails for that asset. Assets of 不正利用対策室 (Fraud Prevention Office),
which has no manager of its own either, pass: its parent カード事業部 has one. Every asset
holding personal information is rated at least 1 and so gets a label (公開 at worst), which
keeps the "personal information is classified" check passing.
"""

import random
from typing import NamedTuple

from django.db import transaction

from mamori.assets.models import Asset, AssetSettings, ClassificationLevel, classification_for
from mamori.core.context import Actor, acting_as
from mamori.org.models import Department, Person

DEMO_ACTOR = "command:demo"  # the same actor name as the demo organisation (org.demo)

IT, OPS, SECURITY = "D600", "D610", "D700"
UNMANAGED_DEPARTMENT = "D120"  # 総務部: its information manager retired (see org.demo)
UNMANAGED_ASSET = "GA-CCTV"
UNASSESSED_ASSET = "HR-RECRUIT"  # personal information that no risk covers (see risks.demo)
STAFF_LOGIN_ASSET = "MS-CRM"  # looked after by the demo's `staff` login, to show "my assets"

DC1 = "東京第1データセンター（品川）"
DC2 = "災害対策データセンター（大阪）"
HQ = "本社（港区芝浦）"
ARCHIVE = "本社地下1階 書庫"
CLOUD = "クラウド（国内リージョン）"

IN_USE, PLANNED, DISPOSED = Asset.Status.IN_USE, Asset.Status.PLANNED, Asset.Status.DISPOSED
INFO, APP, SYSTEM = Asset.Type.INFORMATION, Asset.Type.APPLICATION, Asset.Type.SYSTEM
HW, PAPER, SERVICE = Asset.Type.HARDWARE, Asset.Type.PAPER, Asset.Type.SERVICE


class Spec(NamedTuple):
    code: str
    name_ja: str
    name_en: str
    asset_type: str
    department: str
    cia: tuple[int, int, int]
    location: str = ""
    description: str = ""
    subjects: int | None = None  # people whose personal information it holds (approx.)
    personal: bool = False  # personal information, number of people not recorded
    sensitive: bool = False  # 要配慮個人情報
    card: bool = False  # card numbers (PAN) or other card data
    depends_on: tuple[str, ...] = ()
    status: str = IN_USE


ASSETS = [
    # --- IT infrastructure (システム部 / システム運用課) ----------------------------------------
    Spec("IT-CORE", "基幹系サーバ", "Core system servers", SYSTEM, OPS, (4, 3, 3), DC1,
         "カード・融資の勘定系を載せた基幹サーバ群（本番系）。カード会員データ環境の中核。",
         card=True, depends_on=("IT-DCNET",)),
    Spec("IT-DCNET", "データセンターネットワーク機器", "Data-centre network equipment", SYSTEM,
         OPS, (2, 3, 3), DC1, "ファイアウォール、L3スイッチ、ロードバランサ。"),
    Spec("IT-DR", "災害対策サイト", "Disaster-recovery site", SYSTEM, OPS, (3, 3, 2), DC2,
         "基幹系の待機系。日次で本番データを複製。", card=True, depends_on=("IT-DCNET",)),
    Spec("IT-HSM", "暗号鍵管理装置（HSM）", "Hardware security modules", HW, OPS, (4, 3, 3),
         DC1, "カード番号の暗号化鍵とPINの処理に使用。", depends_on=("IT-DCNET",)),
    Spec("IT-BACKUP", "バックアップテープ", "Backup tapes", HW, OPS, (4, 2, 2),
         "外部保管業者の倉庫（川崎）",
         "基幹系の週次フルバックアップ。暗号化のうえ外部保管業者へ搬送。",
         subjects=1_200_000, card=True, depends_on=("IT-CORE",)),
    Spec("IT-AD", "社内ディレクトリ（Active Directory）", "Corporate directory (Active Directory)",
         SYSTEM, OPS, (2, 3, 3), DC1, "社員・派遣社員・委託先要員のアカウントと権限。",
         subjects=560, depends_on=("IT-DCNET",)),
    Spec("IT-MAIL", "電子メール・グループウェア", "E-mail and groupware", SERVICE, IT,
         (2, 2, 2), CLOUD, "クラウド型のメール・予定表・チャット。", personal=True,
         depends_on=("IT-AD",)),
    Spec("IT-FILES", "部門ファイルサーバ", "Departmental file server", SYSTEM, OPS, (2, 2, 2),
         DC1, "各部の共有フォルダ。申込書の画像が置かれることもある。", personal=True,
         depends_on=("IT-AD", "IT-DCNET")),
    Spec("IT-LAPTOP", "社員用ノートPC", "Staff laptops", HW, OPS, (2, 2, 2), HQ,
         "約430台。ディスク暗号化とEDRを導入済み。", personal=True, depends_on=("IT-AD",)),
    Spec("IT-VPN", "リモートアクセスVPN", "Remote-access VPN", SYSTEM, OPS, (2, 2, 3), DC1,
         "テレワーク用。多要素認証で接続。", depends_on=("IT-AD", "IT-DCNET")),
    Spec("IT-WEB-OLD", "旧会員Webサイト（2019年版）", "Former member web site (2019 edition)",
         APP, IT, (2, 2, 1), DC1, "2024年度に新サイトへ移行し、サーバとデータを消去済み。",
         subjects=700_000, status=DISPOSED),

    # --- card business systems (システム部 owns the applications) ---------------------------
    Spec("IT-WEB", "会員向けWebサイト", "Member web site", APP, IT, (3, 3, 3), DC1,
         "会員のログイン、利用明細の照会、各種変更手続。", subjects=850_000,
         depends_on=("IT-PAYGW", "IT-CORE", "IT-DCNET")),
    Spec("IT-APP", "会員スマートフォンアプリ", "Member smartphone app", APP, IT, (2, 3, 2),
         "App Store / Google Play",
         "利用通知と明細照会。会員向けWebサイトのAPIを利用。", subjects=520_000,
         depends_on=("IT-WEB",)),
    Spec("IT-PAYGW", "決済ゲートウェイ", "Payment gateway", SYSTEM, IT, (4, 3, 3), DC1,
         "EC加盟店からのオーソリ要求を受け付けて基幹系へ中継。", card=True,
         depends_on=("IT-CORE", "IT-HSM")),
    Spec("CB-AUTH", "オーソリゼーションシステム", "Card authorisation system", APP, "D200",
         (4, 3, 3), DC1, "国際ブランド網からの承認要求を24時間処理。", card=True,
         depends_on=("IT-CORE", "IT-HSM")),
    Spec("CB-CARDDB", "カード会員データベース", "Card-holder database", INFO, "D200",
         (4, 3, 3), DC1, "会員の氏名・住所・カード番号・利用履歴。", subjects=1_200_000,
         card=True, depends_on=("IT-CORE",)),
    Spec("CB-MARKETING", "マーケティング用会員リスト", "Member list for marketing", INFO,
         "D200", (2, 2, 1), HQ, "キャンペーン案内の送付先。同意を得た会員のみ抽出。",
         subjects=600_000, depends_on=("CB-CARDDB",)),
    Spec("CB-STATEMENT", "利用明細書発送データ", "Statement mailing data", INFO, "D200",
         (3, 2, 2), HQ, "印刷・封入を委託する業者へ毎月送るデータ。", subjects=400_000,
         depends_on=("CB-CARDDB",)),

    # --- merchant sales ---------------------------------------------------------------------
    Spec("MR-MERCHANTS", "加盟店情報", "Merchant information", INFO, "D210", (2, 2, 2), DC1,
         "加盟店の契約情報と代表者情報（個人事業主を含む）。", subjects=42_000,
         depends_on=("IT-CORE",)),
    Spec("MR-CONTRACTS", "加盟店契約書", "Merchant agreements", PAPER, "D210", (2, 2, 1),
         ARCHIVE, "加盟店契約書の原本。", subjects=42_000),
    Spec("MR-SFA", "営業支援システム（SFA）", "Sales force automation", SERVICE, "D210",
         (2, 2, 1), CLOUD, "加盟店への訪問・商談記録。", personal=True),
    Spec("MR-SETTLE", "加盟店精算データ", "Merchant settlement data", INFO, "D210", (2, 3, 3),
         DC1, "加盟店への立替払いの金額と振込先。", depends_on=("IT-CORE",)),

    # --- member services --------------------------------------------------------------------
    Spec("MS-FORMS", "紙の申込書", "Paper application forms", PAPER, "D220", (3, 2, 1),
         ARCHIVE, "郵送・店頭で受け付けたカード申込書の原本。保存期間は契約終了後7年。",
         subjects=180_000),
    Spec("MS-KYC", "本人確認書類の写し", "Copies of identity documents", INFO, "D220",
         (3, 2, 1), DC1,
         "運転免許証・マイナンバーカード（表面）等の画像。犯罪収益移転防止法に基づき保存。",
         subjects=950_000, depends_on=("IT-CORE",)),
    Spec(STAFF_LOGIN_ASSET, "会員対応履歴（CRM）", "Member contact history (CRM)", APP, "D220",
         (2, 2, 2), DC1, "問い合わせ・変更手続の履歴。", subjects=1_200_000,
         depends_on=("IT-CORE",)),
    Spec("MS-CHANGES", "住所変更届（紙）", "Paper change-of-address forms", PAPER, "D220",
         (2, 2, 1), "本社5階 会員サービス部 施錠キャビネット", "スキャン後3か月保管して溶解処理。",
         subjects=25_000),

    # --- fraud prevention (no manager of its own; カード事業部's covers it) ----------------
    Spec("FP-DETECT", "不正検知システム", "Fraud detection system", APP, "D230", (3, 3, 3),
         DC1, "オーソリ時にスコアを付け、疑わしい取引を保留。", card=True,
         depends_on=("CB-AUTH",)),
    Spec("FP-CASES", "不正利用調査記録", "Fraud investigation records", INFO, "D230",
         (3, 3, 2), DC1, "被害会員とのやり取り、警察への届出内容。犯罪被害の事実を含む。",
         subjects=8_500, sensitive=True, card=True, depends_on=("IT-FILES",)),

    # --- consumer lending and credit screening ----------------------------------------------
    Spec("CL-LOAN", "ローン管理システム", "Loan management system", APP, "D300", (3, 3, 3),
         DC1, "カードローン・フリーローンの契約、貸付、返済。", subjects=310_000,
         depends_on=("IT-CORE",)),
    Spec("CL-CONTRACTS", "金銭消費貸借契約書", "Loan agreements", PAPER, "D300", (3, 3, 1),
         ARCHIVE, "貸金業法に基づく契約書面の控え。", subjects=120_000),
    Spec("CL-ATM", "提携ATM接続", "Partner ATM network link", SERVICE, "D300", (2, 3, 3), DC1,
         "コンビニ・銀行ATMでの借入・返済。", depends_on=("CL-LOAN", "IT-DCNET")),
    Spec("CS-SCREEN", "与信審査システム", "Credit screening system", APP, "D310", (3, 3, 2),
         DC1, "申込内容と信用情報からスコアを算出し、審査担当者が判断。", subjects=450_000,
         depends_on=("IT-CORE", "CS-BUREAU")),
    Spec("CS-BUREAU", "信用情報機関接続端末", "Credit bureau terminals", HW, "D310", (3, 3, 2),
         "本社6階 審査部 専用室", "指定信用情報機関への照会・登録。", personal=True),
    Spec("CS-INCOME", "収入証明書類", "Proof-of-income documents", INFO, "D310", (3, 2, 1),
         DC1, "源泉徴収票・確定申告書等の画像（貸金業法の年収確認）。", subjects=95_000,
         depends_on=("CS-SCREEN",)),
    Spec("CS-MODEL", "次期審査スコアリングモデル", "Next credit-scoring model", APP, "D310",
         (3, 3, 1), CLOUD, "機械学習による審査モデル。検証中で本番未投入。", subjects=200_000,
         depends_on=("CS-SCREEN",), status=PLANNED),

    # --- credit collection ------------------------------------------------------------------
    Spec("CC-SYSTEM", "債権管理システム", "Collection system", APP, "D400", (3, 3, 2), DC1,
         "延滞債権の督促・入金管理。", subjects=65_000, depends_on=("CL-LOAN", "IT-CORE")),
    Spec("CC-NOTES", "督促・交渉記録", "Collection and negotiation notes", INFO, "D400",
         (3, 2, 2), DC1, "返済相談の記録。病気や障害による返済困難の申出を含む。",
         subjects=65_000, sensitive=True, depends_on=("CC-SYSTEM",)),

    # --- contact centre ---------------------------------------------------------------------
    Spec("CT-REC", "コールセンター通話録音", "Contact-centre call recordings", INFO, "D500",
         (3, 2, 2), DC1, "全通話を録音し2年保存。会員がカード番号を読み上げた通話を含む。",
         subjects=900_000, card=True, depends_on=("CT-CTI",)),
    Spec("CT-CTI", "CTI・通話録音システム", "CTI and call recording system", SYSTEM, "D500",
         (2, 3, 3), DC1, "着信振り分けと録音。", depends_on=("IT-DCNET",)),
    Spec("CT-FAQ", "応対マニュアル・FAQ", "Operator manual and FAQ", INFO, "D500", (2, 2, 2),
         "社内ポータル", "オペレーター向けの応対手順と想定問答。"),

    # --- head-office functions --------------------------------------------------------------
    Spec("HR-DATA", "人事データ", "HR records", INFO, "D110", (3, 3, 2), CLOUD,
         "人事記録、評価、給与、健康診断結果・ストレスチェック結果。", subjects=620,
         sensitive=True, depends_on=("HR-SYSTEM",)),
    Spec("HR-SYSTEM", "人事給与システム", "HR and payroll system", SERVICE, "D110", (3, 3, 2),
         CLOUD, "クラウド型の人事・給与・勤怠管理。", subjects=620),
    Spec(UNASSESSED_ASSET, "採用応募者情報", "Job applicant data", INFO, "D110", (2, 2, 1),
         CLOUD, "新卒・中途採用の応募書類と面接評価。採用サイト経由で受付。", subjects=1_800),
    Spec(UNMANAGED_ASSET, "監視カメラ映像", "CCTV recordings", INFO, UNMANAGED_DEPARTMENT,
         (2, 2, 1), "本社1階 警備室", "出入口・サーバ室前・書庫の映像。30日で上書き。",
         personal=True),
    Spec("AC-LEDGER", "会計システム", "Accounting system", APP, "D130", (2, 3, 2), DC1,
         "総勘定元帳と決算。", depends_on=("IT-CORE",)),
    Spec("AC-BANKING", "法人インターネットバンキング", "Corporate internet banking", SERVICE,
         "D130", (3, 3, 2), "取引銀行", "加盟店への支払と資金移動。"),
    Spec("LC-COMPLAINTS", "苦情・紛争対応記録", "Complaint and dispute records", INFO, "D140",
         (3, 2, 1), DC1, "会員・債務者からの苦情と、貸金業相談・紛争解決センターとのやり取り。",
         subjects=12_000, depends_on=("IT-FILES",)),
    Spec("LC-TERMS", "会員規約・約款（公表版）", "Published member terms and conditions", INFO,
         "D140", (1, 3, 2), "企業サイト", "公表している会員規約・ローン約款。改定履歴を含む。",
         depends_on=("CP-WEB",)),
    Spec("LC-FILINGS", "監督官庁への届出・報告", "Regulatory filings", INFO, "D140", (2, 3, 1),
         DC1, "経済産業省（割賦販売法）・財務局（貸金業法）への届出と報告。"),
    Spec("CP-WEB", "企業サイト", "Corporate web site", APP, "D100", (1, 2, 2), CLOUD,
         "会社案内、プレスリリース、IR情報。個人情報は扱わない。"),
    Spec("CP-BOARD", "取締役会議事録", "Board minutes", INFO, "D100", (3, 3, 1), ARCHIVE,
         "取締役会・経営会議の議事録と資料。"),
    Spec("CP-PLAN", "中期経営計画", "Medium-term business plan", INFO, "D100", (3, 2, 1), HQ,
         "公表前の計画と提携交渉の資料。"),
    Spec("IS-ISMS", "ISMS文書・リスク評価記録", "ISMS documents and risk records", INFO,
         SECURITY, (2, 3, 2), "Mamori", "方針・規程・リスク評価・内部監査の記録。"),
    Spec("IS-SIEM", "ログ管理基盤（SIEM）", "Log management platform (SIEM)", SYSTEM, SECURITY,
         (3, 3, 2), DC1, "サーバ・ネットワーク機器・PCのログを収集し相関分析。",
         depends_on=("IT-DCNET",)),
    Spec("IA-PAPERS", "内部監査調書", "Internal audit working papers", INFO, "D800", (3, 2, 1),
         DC1, "監査計画、調書、指摘事項と改善状況。"),
]

MARKER = ASSETS[0].code  # present once the demo's assets are loaded


def people_by_department() -> dict[str, list[Person]]:
    """Active people of each department (by department code), most senior first."""
    people: dict[str, list[Person]] = {}
    for person in (Person.objects.filter(status=Person.Status.ACTIVE, department__isnull=False)
                   .exclude(category="").select_related("department", "user")
                   .order_by("joined_on", "employee_no")):
        people.setdefault(person.department.code, []).append(person)
    return people


def pick_member(people: list[Person], rng: random.Random) -> Person | None:
    """One of a department's ordinary staff (employees if it has any), not its head."""
    employees = [p for p in people[1:] if p.category == Person.Category.EMPLOYEE]
    pool = employees or people
    return rng.choice(pool) if pool else None


def load_asset_demo(seed: int) -> int:
    """Returns the number of assets loaded (0 when they exist already or the demo
    organisation is missing)."""
    if Asset.objects.filter(code=MARKER).exists():
        return 0
    departments = Department.objects.in_bulk([s.department for s in ASSETS],
                                             field_name="code")
    if len(departments) < len({s.department for s in ASSETS}):
        return 0
    rng = random.Random(seed + 31)  # noqa: S311 -- demo data
    people = people_by_department()
    levels = list(ClassificationLevel.objects.order_by("-min_rating"))
    basis = AssetSettings.current().classification_basis
    with acting_as(Actor(None, DEMO_ACTOR, "command")), transaction.atomic():
        assets = []
        for spec in ASSETS:
            custodian = pick_member(people.get(spec.department, []), rng)
            if spec.code == STAFF_LOGIN_ASSET:
                custodian = next((p for p in people.get(spec.department, [])
                                  if p.user and p.user.username == "staff"), custodian)
            asset = Asset(
                code=spec.code, name_ja=spec.name_ja, name_en=spec.name_en,
                asset_type=spec.asset_type, description=spec.description,
                department=departments[spec.department], custodian=custodian,
                location=spec.location, status=spec.status,
                confidentiality=spec.cia[0], integrity=spec.cia[1], availability=spec.cia[2],
                has_personal_info=spec.personal or spec.subjects is not None,
                data_subjects=spec.subjects, has_sensitive_personal_info=spec.sensitive,
                has_card_data=spec.card)
            asset.full_clean(validate_unique=False)  # the demo's data is checked like a form's
            asset.classification = classification_for(asset, levels, basis)
            assets.append(asset)
        created = {a.code: a for a in Asset.objects.bulk_create(assets)}
        for spec in ASSETS:
            if spec.depends_on:
                created[spec.code].depends_on.set([created[code] for code in spec.depends_on])
    return len(created)
