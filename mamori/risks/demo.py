"""The demo company's risk register (policy Art 5) on its assets and controls.

About forty risks across the five threats of the policy and the demo's assets, each owned by
a department (its information manager, or its most senior member where it has none), rated
on the default 3 × 3 matrix against the appetite of 3 and treated: most reduced by controls,
a cyber-insurance policy transferring the cost of a large breach, two activities given up
(avoid), and a few residual risks accepted.

Left imperfect on purpose, so the Art 5 checks show failures:

- the CISO's acceptance of the risk of data leaving through personal cloud storage expired
  a month ago and has not been renewed, so "every risk above the appetite is treated or
  accepted" fails for that risk (two other acceptances are in force);
- nobody has assessed the job applicant data (採用応募者情報), so "every asset holding
  personal information has an assessed risk" fails for that asset.
"""

import datetime
import random
from typing import NamedTuple

from django.db import transaction
from django.utils import timezone

from mamori.assets.demo import ASSETS, DEMO_ACTOR, IT, OPS, SECURITY, people_by_department
from mamori.assets.demo import MARKER as ASSET_MARKER
from mamori.assets.models import Asset
from mamori.controls.demo import CONTROLS
from mamori.controls.demo import MARKER as CONTROL_MARKER
from mamori.controls.models import Control
from mamori.core.context import Actor, acting_as
from mamori.org.models import Appointment, Department
from mamori.risks.models import Risk, RiskAcceptance, RiskMethodology, Threat

ACCESS, TAMPERING, DAMAGE = "unauthorised-access", "tampering", "damage"
LOSS, LEAKAGE = "loss", "leakage"
REDUCE, ACCEPT = Risk.Treatment.REDUCE, Risk.Treatment.ACCEPT
TRANSFER, AVOID = Risk.Treatment.TRANSFER, Risk.Treatment.AVOID
IDENTIFIED, ASSESSED = Risk.Status.IDENTIFIED, Risk.Status.ASSESSED
TREATING, CLOSED = Risk.Status.TREATING, Risk.Status.CLOSED


class Spec(NamedTuple):
    code: str
    title_ja: str
    title_en: str
    threat: str
    department: str
    assets: tuple[str, ...]
    rating: tuple[int, int]  # likelihood, impact
    treatment: str = ""
    controls: tuple[str, ...] = ()
    residual: tuple[int, int] | None = None
    status: str = ASSESSED
    vulnerability: str = ""
    plan: str = ""


RISKS = [
    # --- card data --------------------------------------------------------------------------
    Spec("R-001", "会員向けWebサイトへのリスト型攻撃による不正ログイン",
         "Credential stuffing against the member web site", ACCESS, IT, ("IT-WEB", "IT-APP"),
         (3, 3), REDUCE, ("C-TEC-05", "C-TEC-04", "C-ORG-11"), (2, 3), TREATING,
         "会員のログインがIDとパスワードのみで、他社サービスと使い回されたパスワードが多い。",
         "ログイン試行の検知と遮断を強化済み。会員向けのリスクベース認証を来年度に導入する。"),
    Spec("R-002", "外部からの攻撃によるカード会員データの大量漏えい",
         "Mass leak of card-holder data through an external attack", LEAKAGE, "D200",
         ("CB-CARDDB", "IT-CORE"), (2, 3), REDUCE,
         ("C-TEC-07", "C-TEC-08", "C-TEC-04", "C-TEC-05"), (1, 3), ASSESSED,
         "カード会員データが一か所に集約され、侵入された場合の影響が大きい。",
         "カード会員データ環境の分離、カード番号の暗号化、脆弱性管理、SIEMによる監視。"),
    Spec("R-003", "決済画面の改ざんによるカード情報の窃取（Webスキミング）",
         "Card data stolen through a tampered payment page (web skimming)", LEAKAGE, IT,
         ("IT-PAYGW", "IT-WEB"), (2, 3), REDUCE, ("C-TEC-10", "C-TEC-04", "C-TEC-05"),
         (1, 3), ASSESSED, "決済画面が外部のスクリプトを読み込んでいる。",
         "スクリプトの改ざん検知、リリース前診断、変更管理。"),
    Spec("R-004", "オーソリ判定ルールの不正な変更", "Unauthorised change to authorisation rules",
         TAMPERING, "D200", ("CB-AUTH", "FP-DETECT"), (1, 3), REDUCE,
         ("C-TEC-02", "C-TEC-10"), (1, 2), ASSESSED,
         "判定ルールの変更権限を持つ担当者が少数で、相互確認に頼っている。",
         "特権IDの貸出制と、ルール変更の審査会承認。"),
    Spec("R-005", "クレジットマスター攻撃による不正利用", "Card-number guessing attacks",
         ACCESS, "D230", ("CB-AUTH", "FP-DETECT"), (3, 2), REDUCE, ("C-ORG-11", "C-TEC-05"),
         (2, 2), TREATING, "カード番号の規則性から有効な番号を推測されうる。",
         "業界の注意喚起に基づき不正検知ルールを追加。番号体系の見直しを国際ブランドと協議中。"),
    Spec("R-006", "通話録音に含まれるカード番号の漏えい",
         "Card numbers leaking from call recordings", LEAKAGE, "D500", ("CT-REC", "CT-CTI"),
         (2, 3), ACCEPT, ("C-ORG-04",), (2, 2), ASSESSED,
         "会員が電話でカード番号を読み上げ、録音に残る。",
         "録音の一時停止機能は次期CTI更改（来年度）で導入する。それまでは録音の再生権限を"
         "品質管理担当5名に限り、残るリスクをCISOが受容する。"),
    Spec("R-007", "バックアップテープの搬送中の紛失", "Backup tapes lost in transit", LOSS, OPS,
         ("IT-BACKUP",), (2, 3), REDUCE, ("C-TEC-08", "C-PHY-06"), (1, 2), ASSESSED,
         "外部保管業者への搬送で媒体が社外に出る。",
         "テープの暗号化と、搬送時の受渡し記録。"),
    Spec("R-008", "基幹系の大規模障害・データセンターの被災",
         "Major outage of the core systems or loss of the data centre", DAMAGE, OPS,
         ("IT-CORE", "IT-DCNET", "CB-AUTH", "IT-DR"), (2, 3), REDUCE,
         ("C-ORG-08", "C-TEC-06", "C-PHY-05"), (1, 3), TREATING,
         "オーソリは24時間止められず、首都直下地震の想定では東京のデータセンターが使えない。",
         "大阪の災害対策サイトへの切替訓練。会員向けWebサイトの切替手順を今年度中に整備する。"),
    Spec("R-009", "ランサムウェアによる業務停止", "Ransomware stopping the business", DAMAGE,
         SECURITY, ("IT-FILES", "IT-LAPTOP", "IT-AD"), (2, 3), REDUCE,
         ("C-TEC-03", "C-TEC-06", "C-ORG-07"), (2, 2), TREATING,
         "ファイルサーバとディレクトリがPCから到達でき、感染が広がりうる。",
         "EDR、オフラインのバックアップ、インシデント対応手順。"),
    Spec("R-010", "大規模漏えい時の損害賠償・対応費用", "Cost of a large data breach", LEAKAGE,
         "D100", ("CB-CARDDB",), (2, 3), TRANSFER, (), (2, 2), ASSESSED,
         "漏えい時には会員への通知、カード再発行、国際ブランドへの補償が生じる。",
         "サイバー保険（支払限度額10億円）に加入し、費用の大部分を保険に移転する。"),
    # --- lending and screening --------------------------------------------------------------
    Spec("R-011", "与信審査システムの過剰なアクセス権", "Excessive access to credit screening",
         ACCESS, "D310", ("CS-SCREEN", "CS-INCOME"), (2, 2), REDUCE, ("C-ORG-04", "C-TEC-02"),
         (1, 2), ASSESSED, "異動者の権限が残りやすい。", "半期のアクセス権棚卸と特権ID管理。"),
    Spec("R-012", "信用情報の目的外照会", "Credit bureau look-ups for other purposes", LEAKAGE,
         "D310", ("CS-BUREAU",), (2, 3), REDUCE, ("C-TEC-05", "C-ORG-04", "C-PPL-02"), (1, 3),
         ASSESSED, "照会端末は審査担当者なら誰でも使え、照会理由は自己申告。",
         "照会ログと申込記録の突合、研修での周知（割賦販売法・貸金業法の目的外使用禁止）。"),
    Spec("R-013", "審査結果・貸付条件の不正な変更（内部不正）",
         "Insider change to screening results or loan terms", TAMPERING, "D300",
         ("CL-LOAN", "CS-SCREEN"), (1, 3), REDUCE, ("C-TEC-02", "C-ORG-02"), (1, 2), ASSESSED,
         "審査の承認者が入力も行える画面がある。", "職務の分離と特権操作の事後確認。"),
    Spec("R-014", "金銭消費貸借契約書の紛失", "Loan agreements lost", LOSS, "D300",
         ("CL-CONTRACTS",), (2, 2), REDUCE, ("C-PHY-04",), (1, 2), ASSESSED,
         "原本を審査・事務の間で持ち回る。", "書庫での保管と鍵の貸出記録。"),
    Spec("R-015", "提携ATM接続の停止", "Partner ATM link down", DAMAGE, "D300", ("CL-ATM",),
         (2, 2), REDUCE, ("C-ORG-05",), (1, 2), ASSESSED,
         "接続先の障害で借入・返済ができなくなる。", "提携先とのSLAと障害時の連絡手順。"),
    Spec("R-016", "収入証明書類の画像の漏えい", "Proof-of-income images leaking", LEAKAGE,
         "D310", ("CS-INCOME",), (2, 2), REDUCE, ("C-ORG-04", "C-TEC-09"), (1, 2), ASSESSED,
         "画像をファイルサーバに一時保存する運用がある。", "アクセス権の棚卸とDLP。"),
    Spec("R-017", "次期審査モデルの学習データの社外流出",
         "Training data of the next scoring model leaving the company", LEAKAGE, "D310",
         ("CS-MODEL",), (2, 3), AVOID, (), (1, 3), TREATING,
         "当初計画では海外のクラウドで実データを使って学習する予定だった。",
         "外部クラウドでの学習を取りやめ、社内環境で仮名化したデータのみを使う。"),
    # --- collection -------------------------------------------------------------------------
    Spec("R-018", "督促記録に含まれる病歴等の漏えい",
         "Health details in collection notes leaking", LEAKAGE, "D400",
         ("CC-NOTES", "CC-SYSTEM"), (2, 3), REDUCE, ("C-ORG-04", "C-TEC-08"), (1, 3),
         ASSESSED, "返済相談の記録に要配慮個人情報が自由記述で入る。",
         "閲覧権限の限定と、記録項目の暗号化。"),
    Spec("R-019", "入金記録の誤登録・改ざん", "Payments mis-posted or altered", TAMPERING,
         "D400", ("CC-SYSTEM",), (2, 2), REDUCE, ("C-TEC-10", "C-ORG-13"), (1, 2), ASSESSED,
         "手入力による消込がある。", "変更管理と作業記録の点検。"),
    # --- member services --------------------------------------------------------------------
    Spec("R-020", "FAX誤送信による申込書の漏えい", "Application forms sent to the wrong fax",
         LEAKAGE, "D220", ("MS-FORMS",), (3, 2), AVOID, (), (1, 2), CLOSED,
         "提携先から申込書をFAXで受け取り、不備の連絡もFAXで返していた。",
         "FAXでの書類の受付・送付を廃止し、提携先ポータルへのアップロードに一本化した。"),
    Spec("R-021", "紙の申込書の紛失・誤廃棄", "Paper forms lost or wrongly destroyed", LOSS,
         "D220", ("MS-FORMS", "MS-CHANGES"), (2, 3), REDUCE,
         ("C-PHY-04", "C-PHY-06", "C-PHY-03"), (1, 3), ASSESSED,
         "スキャン前後の原本が執務室に一時的に置かれる。",
         "書庫での施錠保管、溶解処理の証明、クリアデスクの巡回。"),
    Spec("R-022", "本人確認書類の画像の不正閲覧", "Identity document images viewed without need",
         LEAKAGE, "D220", ("MS-KYC",), (2, 3), REDUCE, ("C-ORG-04", "C-TEC-05"), (1, 3),
         ASSESSED, "会員サービス部の全員が画像を閲覧できる。",
         "閲覧権限を本人確認担当に限定し、閲覧ログを監視する。"),
    Spec("R-023", "会員対応履歴（CRM）での共有IDの利用", "Shared accounts in the CRM", ACCESS,
         "D220", ("MS-CRM",), (2, 2), REDUCE, ("C-ORG-04", "C-TEC-01"), (1, 2), ASSESSED,
         "派遣社員の入替時に共有IDが使われていた。", "個人IDの発行と多要素認証。"),
    Spec("R-024", "利用明細書の誤封入（委託先）", "Statements put in the wrong envelope",
         LEAKAGE, "D200", ("CB-STATEMENT",), (2, 2), REDUCE, ("C-ORG-05",), (1, 2), ASSESSED,
         "印刷・封入を委託先の機械で行う。", "委託先の年次点検と封入検査の記録の確認。"),
    Spec("R-025", "マーケティング用会員リストの委託先からの漏えい",
         "Marketing list leaking from the mailing contractor", LEAKAGE, "D200",
         ("CB-MARKETING",), (2, 2), REDUCE, ("C-ORG-05", "C-ORG-12"), (1, 2), ASSESSED,
         "キャンペーンごとに会員リストを委託先へ渡す。",
         "承認制の共有サービスで受け渡し、委託先を点検する。"),
    # --- merchants --------------------------------------------------------------------------
    Spec("R-026", "退職者による加盟店情報の持出し", "Merchant data taken by a leaver", LEAKAGE,
         "D210", ("MR-MERCHANTS", "MR-SFA"), (2, 2), REDUCE, ("C-PPL-03", "C-TEC-09"), (1, 2),
         ASSESSED, "営業担当者が担当加盟店の情報を一括で出力できる。",
         "退職時の手続とDLP。"),
    Spec("R-027", "加盟店契約書の紛失", "Merchant agreements lost", LOSS, "D210",
         ("MR-CONTRACTS",), (1, 2), ACCEPT, (), None, ASSESSED,
         "原本は書庫にあり、内容はシステムにも登録済み。",
         "影響が小さく、リスク基準内のため受容する。"),
    Spec("R-028", "なりすましによる加盟店の振込先口座の変更",
         "Merchant payout account changed on a forged request", TAMPERING, "D210",
         ("MR-SETTLE", "AC-BANKING"), (2, 3), REDUCE, ("C-PPL-05", "C-ORG-02"), (1, 3),
         ASSESSED, "振込先の変更をメールで受け付けていた。",
         "変更は登録済みの連絡先への折返し確認と、経理部の承認を必須とする。"),
    # --- contact centre ---------------------------------------------------------------------
    Spec("R-029", "なりすまし電話による会員情報の聞き出し",
         "Member details obtained by impersonation on the phone", ACCESS, "D500",
         ("MS-CRM", "CT-REC"), (3, 2), REDUCE, ("C-PPL-02",), (2, 2), TREATING,
         "本人確認が氏名・生年月日・住所の口頭確認による。",
         "研修で手口を共有。ワンタイムパスコードによる本人確認を検討中。"),
    Spec("R-030", "CTIの障害による電話受付の停止", "Calls cannot be taken when the CTI fails",
         DAMAGE, "D500", ("CT-CTI",), (2, 3), ACCEPT, (), (2, 2), ASSESSED,
         "CTIサーバが単一構成。",
         "冗長化の費用（約8千万円）に対し、停止時は音声案内とWebへの誘導で影響が限られる"
         "ため、次期更改まで残るリスクをCISOが受容する。"),
    # --- head office ------------------------------------------------------------------------
    Spec("R-031", "健康診断結果の漏えい", "Health check results leaking", LEAKAGE, "D110",
         ("HR-DATA", "HR-SYSTEM"), (2, 3), REDUCE, ("C-ORG-05", "C-TEC-01", "C-ORG-04"),
         (1, 3), ASSESSED, "要配慮個人情報をクラウドサービスで保管している。",
         "委託先の点検、多要素認証、閲覧権限を産業保健スタッフに限定。"),
    Spec("R-032", "監視カメラ映像の目的外利用・流出", "CCTV footage misused or leaked",
         LEAKAGE, "D120", ("GA-CCTV",), (1, 2), REDUCE, ("C-PHY-01",), (1, 1), ASSESSED,
         "警備委託先が映像を閲覧できる。", "警備室への入室制限と閲覧記録。"),
    Spec("R-033", "書庫の水害・火災による原本の滅失",
         "Paper originals destroyed by flood or fire in the archive", DAMAGE, "D120",
         ("MS-FORMS", "CL-CONTRACTS", "MR-CONTRACTS", "CP-BOARD"), (1, 3), ACCEPT, (), None,
         ASSESSED, "書庫が地下にある。",
         "主要な書類は電子化済みで、リスク基準内のため受容する。"),
    Spec("R-034", "法人インターネットバンキングでの不正送金",
         "Fraudulent transfer through corporate internet banking", TAMPERING, "D130",
         ("AC-BANKING",), (2, 3), REDUCE, ("C-TEC-01", "C-ORG-02"), (1, 3), ASSESSED,
         "送金の承認者のPCがマルウェアに感染すると不正送金されうる。",
         "ハードウェアトークンと、起票者・承認者の分離。"),
    Spec("R-035", "苦情・紛争対応記録の漏えい", "Complaint records leaking", LEAKAGE, "D140",
         ("LC-COMPLAINTS",), (1, 2), REDUCE, ("C-ORG-04",), (1, 1), ASSESSED,
         "共有フォルダで管理している。", "フォルダの権限を法務・コンプライアンス部に限定。"),
    Spec("R-036", "公表前の経営情報の漏えい", "Unpublished business plans leaking", LEAKAGE,
         "D100", ("CP-PLAN", "CP-BOARD"), (1, 3), REDUCE, ("C-ORG-12",), (1, 2), ASSESSED,
         "提携交渉の資料を社外の専門家とやり取りする。", "承認制の共有サービスに限定。"),
    Spec("R-037", "不正利用調査記録（犯罪被害の情報）の漏えい",
         "Fraud investigation records leaking", LEAKAGE, "D230", ("FP-CASES",), (1, 3),
         REDUCE, ("C-ORG-04", "C-TEC-08"), (1, 2), ASSESSED,
         "調査担当者がファイルサーバに記録を置いている。",
         "専用フォルダへの権限の限定と暗号化。"),
    # --- IT ---------------------------------------------------------------------------------
    Spec("R-038", "社員用ノートPCの紛失・盗難", "Staff laptops lost or stolen", LOSS, OPS,
         ("IT-LAPTOP",), (3, 2), REDUCE, ("C-TEC-08", "C-PHY-07", "C-TEC-03"), (2, 1),
         ASSESSED, "営業・テレワークで社外に持ち出す。",
         "ディスク暗号化、持出し申請、遠隔消去。"),
    Spec("R-039", "VPN機器の脆弱性を突いた侵入", "Intrusion through a VPN vulnerability",
         ACCESS, OPS, ("IT-VPN", "IT-AD"), (2, 3), REDUCE, ("C-TEC-04", "C-TEC-01", "C-TEC-05"),
         (1, 3), ASSESSED, "VPN機器はインターネットに公開されている。",
         "緊急パッチの48時間以内の適用、多要素認証、接続ログの監視。"),
    Spec("R-040", "メール誤送信による個人情報の漏えい", "Personal data in mis-sent e-mail",
         LEAKAGE, SECURITY, ("IT-MAIL",), (3, 2), REDUCE, ("C-ORG-12", "C-TEC-09"), (2, 2),
         TREATING, "宛先の入力ミスが毎月数件報告される。",
         "送信保留と外部宛の確認画面を導入済み。添付ファイルの共有リンク化を進める。"),
    Spec("R-041", "個人のクラウドストレージ経由の持出し",
         "Data taken out through personal cloud storage", LEAKAGE, SECURITY,
         ("IT-FILES", "IT-LAPTOP"), (2, 3), ACCEPT, ("C-TEC-09",), (2, 2), ASSESSED,
         "DLPがクラウドストレージへのアップロードに対応していない。",
         "DLPのクラウドストレージ対応が完了するまで、Webフィルタで主要サービスを遮断した"
         "うえで残るリスクを受容する（受容期限の更新が必要）。"),
    Spec("R-042", "委託先要員による特権IDの不正使用",
         "Privileged accounts misused by contractor staff", ACCESS, OPS, ("IT-CORE", "IT-AD"),
         (2, 3), REDUCE, ("C-TEC-02", "C-ORG-05"), (1, 3), ASSESSED,
         "基幹系の運用を委託先要員が担っている。", "特権IDの貸出制と作業の録画・事後確認。"),
    Spec("R-043", "旧会員Webサイトのデータ残存", "Data left on the former member site",
         LEAKAGE, IT, ("IT-WEB-OLD",), (2, 3), REDUCE, ("C-PHY-06",), (1, 1), CLOSED,
         "移行後もサーバにデータが残っていた。",
         "サーバを廃棄し、データ消去証明書を受領した。"),
    Spec("R-044", "加盟店精算データの処理遅延", "Merchant settlement processed late", DAMAGE,
         "D210", ("MR-SETTLE",), (1, 2), status=IDENTIFIED,
         vulnerability="月末の夜間バッチが処理時間の上限に近づいている。"),
]

# Residual risks the CISO accepted and that are in force: (days ago, months it lasts). The
# acceptance of EXPIRED_ACCEPTANCE lasted as long as the methodology allows and ran out
# EXPIRED_DAYS_AGO days ago, so it was given by whoever was CISO then.
ACCEPTED = {"R-006": (45, 6), "R-030": (120, 12)}
EXPIRED_ACCEPTANCE = "R-041"
EXPIRED_DAYS_AGO = 35
REVIEW_DAYS = 365  # risks are reviewed yearly

MARKER = RISKS[0].code  # present once the demo's risks are loaded


def owners_by_department(people: dict) -> dict:
    """A risk's owner: the department's current information manager, or its most senior
    member where it has none."""
    managers = {a.department.code: a.person for a in Appointment.objects.current().filter(
        role=Appointment.Role.INFORMATION_MANAGER).select_related("department", "person")}
    return {code: managers.get(code) or (members[0] if members else None)
            for code, members in people.items()}


def ciso_on(day: datetime.date):
    appointment = (Appointment.objects.current(day).filter(role=Appointment.Role.CISO)
                   .select_related("person").first())
    return appointment.person if appointment else None


def load_risk_demo(seed: int) -> int:
    """Returns the number of risks loaded (0 when they exist already, or the demo's assets or
    controls are missing)."""
    if Risk.objects.filter(code=MARKER).exists():
        return 0
    if not (Asset.objects.filter(code=ASSET_MARKER).exists()
            and Control.objects.filter(code=CONTROL_MARKER).exists()):
        return 0
    rng = random.Random(seed + 79)  # noqa: S311 -- demo data
    today = timezone.localdate()
    departments = Department.objects.in_bulk([s.department for s in RISKS], field_name="code")
    threats = Threat.objects.in_bulk(field_name="code")
    assets = Asset.objects.in_bulk([a.code for a in ASSETS], field_name="code")
    controls = Control.objects.in_bulk([c.code for c in CONTROLS], field_name="code")
    owners = owners_by_department(people_by_department())
    terms = acceptance_terms(today)
    with acting_as(Actor(None, DEMO_ACTOR, "command")), transaction.atomic():
        created = {}
        for spec in RISKS:
            assessed = today - datetime.timedelta(days=rng.randint(20, 300))
            if spec.code in terms:  # assessed in the week before the CISO accepted it
                assessed = terms[spec.code][0] - datetime.timedelta(days=rng.randint(3, 10))
            residual = spec.residual or (None, None)
            risk = Risk(
                code=spec.code, title_ja=spec.title_ja, title_en=spec.title_en,
                threat=threats[spec.threat], department=departments[spec.department],
                owner=owners.get(spec.department), vulnerability=spec.vulnerability,
                status=spec.status, likelihood=spec.rating[0], impact=spec.rating[1],
                treatment=spec.treatment, treatment_plan=spec.plan,
                residual_likelihood=residual[0], residual_impact=residual[1],
                assessed_on=assessed,
                next_review_on=(None if spec.status == CLOSED else
                                assessed + datetime.timedelta(days=REVIEW_DAYS)))
            risk.full_clean(validate_unique=False)
            risk.save()
            risk.assets.set([assets[code] for code in spec.assets])
            if spec.controls:
                risk.controls.set([controls[code] for code in spec.controls])
            created[spec.code] = risk
        accept_residual_risks(created, terms)
    return len(created)


def acceptance_terms(today: datetime.date) -> dict[str, tuple[datetime.date, int]]:
    """Risk code -> (accepted on, days the acceptance lasts)."""
    months = RiskMethodology.current().acceptance_months
    longest = int(months * 30.44)  # the model allows round(months × 30.44) days
    terms = {code: (today - datetime.timedelta(days=days_ago), min(longest, int(lasts * 30.44)))
             for code, (days_ago, lasts) in ACCEPTED.items()}
    expired_on = today - datetime.timedelta(days=EXPIRED_DAYS_AGO)
    terms[EXPIRED_ACCEPTANCE] = (expired_on - datetime.timedelta(days=longest), longest)
    return terms


def accept_residual_risks(risks: dict, terms: dict) -> None:
    for code, (accepted_on, days) in terms.items():
        ciso = ciso_on(accepted_on)
        if ciso is None:
            continue
        risk = risks[code]
        acceptance = RiskAcceptance(
            risk=risk, accepted_by=ciso, accepted_on=accepted_on,
            expires_on=accepted_on + datetime.timedelta(days=days),
            justification=risk.treatment_plan)
        acceptance.full_clean()
        acceptance.save()
