"""The demo company's control catalogue (policy Art 5), its evidence and its Statement of
Applicability.

About thirty-five controls across the four themes — kept mostly by 情報セキュリティ統括部 and
the IT departments, the people controls by 人事部 and the physical ones by 総務部 — each mapped
to ISO/IEC 27001:2022 Annex A and to the APPI guideline's safety-management measures, both
of which are put in the Statement of Applicability (most of Annex A applicable, two controls
excluded because the company develops no software itself).

Evidence is links and notes dated relative to today. Three implemented controls are left with
evidence that has expired — the backup restore test, the data centre's assurance report and
the half-yearly access review — so the Art 5 check "every implemented control has current
evidence" fails for exactly those.
"""

import datetime
import random
from typing import NamedTuple

from django.db import transaction
from django.utils import timezone

from mamori.assets.demo import DEMO_ACTOR, IT, OPS, SECURITY, people_by_department, pick_member
from mamori.controls.models import Control, Evidence, Framework, Requirement, Theme
from mamori.core.context import Actor, acting_as
from mamori.org.models import Appointment, Department

ISO, APPI, NIST = "iso27001-2022", "appi-safety-measures", "nist-csf-2-0"
SOA_FRAMEWORKS = (ISO, APPI)
HR, GENERAL_AFFAIRS, LEGAL, AUDIT = "D110", "D120", "D140", "D800"
# Below カード事業部 (D200), whose information manager is the demo's `manager` login.
CARD_MERCHANT_SALES, CARD_MEMBER_SERVICES, CARD_FRAUD_OFFICE = "D210", "D220", "D230"
CISO = "ciso"  # owner marker: the current CISO rather than someone picked from the department

ORG, PEOPLE = Theme.ORGANISATIONAL, Theme.PEOPLE
PHYSICAL, TECH = Theme.PHYSICAL, Theme.TECHNOLOGICAL
IMPLEMENTED, PARTIAL, PLANNED = (Control.Status.IMPLEMENTED, Control.Status.PARTIAL,
                                 Control.Status.PLANNED)
F = Control.Frequency


class Spec(NamedTuple):
    code: str
    title_ja: str
    title_en: str
    theme: str
    department: str
    status: str
    frequency: str
    iso: tuple[str, ...]
    appi: tuple[str, ...] = ()
    description: str = ""
    owner: str = ""  # CISO for the CISO; empty for someone in the department


CONTROLS = [
    # --- organisational ---------------------------------------------------------------------
    Spec("C-ORG-01", "情報セキュリティ基本方針と社内規程", "Security policy and internal rules",
         ORG, SECURITY, IMPLEMENTED, F.YEARLY, ("5.1", "5.4"), ("10-1", "10-2"),
         "基本方針と規程を取締役会の承認を経て公開し、年1回見直す。", CISO),
    Spec("C-ORG-02", "情報セキュリティ管理体制", "Security roles and responsibilities", ORG,
         SECURITY, IMPLEMENTED, F.YEARLY, ("5.2", "5.3"), ("10-3-1",),
         "CISOと各部の情報管理責任者を任命し、審査と承認の職務を分ける。", CISO),
    Spec("C-ORG-03", "情報資産台帳と年次棚卸", "Asset register and yearly inventory", ORG,
         SECURITY, IMPLEMENTED, F.YEARLY, ("5.9", "5.10", "5.12", "5.13"), ("10-3-3",),
         "各部が資産と格付けを台帳に登録し、毎年10月に棚卸する。"),
    Spec("C-ORG-04", "アクセス権の申請・承認・定期棚卸", "Access requests and periodic review",
         ORG, OPS, IMPLEMENTED, F.HALF_YEARLY, ("5.15", "5.16", "5.18", "8.3"), ("10-6-1",),
         "ワークフローで申請・承認し、半年ごとに各部長が権限一覧を確認する。"),
    Spec("C-ORG-05", "委託先の選定と監督", "Selecting and supervising contractors", ORG,
         SECURITY, IMPLEMENTED, F.YEARLY, ("5.19", "5.20", "5.21", "5.22"), ("10-3-2",),
         "個人データを扱う委託先を事前評価し、契約に安全管理条項を入れ、年1回点検する。"),
    Spec("C-ORG-06", "クラウドサービス利用基準", "Rules for cloud services", ORG, IT, PARTIAL,
         F.YEARLY, ("5.23",), ("10-7",),
         "利用前の審査と保存場所（国・地域）の確認。既存サービスの棚卸が途中。"),
    Spec("C-ORG-07", "インシデント対応手順とCSIRT", "Incident response and CSIRT", ORG,
         SECURITY, IMPLEMENTED, F.ON_EVENT, ("5.24", "5.25", "5.26", "5.27", "5.28"),
         ("10-3-4",),
         "CSIRTが判定・封じ込め・報告（個人情報保護委員会、経済産業省、国際ブランド）を行う。"),
    Spec("C-ORG-08", "事業継続計画とIT-BCP訓練", "Business continuity and IT-BCP exercises",
         ORG, OPS, PARTIAL, F.YEARLY, ("5.29", "5.30"), (),
         "大阪の災害対策サイトへの切替訓練。会員向けWebサイトの切替手順は未整備。"),
    Spec("C-ORG-09", "法令・契約上の要求事項の管理", "Legal and contractual requirements", ORG,
         LEGAL, IMPLEMENTED, F.YEARLY, ("5.31", "5.32", "5.33", "5.34"), ("10-2",),
         "割賦販売法・貸金業法・個人情報保護法・犯罪収益移転防止法・PCI DSSの要求事項を一覧化し、"
         "改正を追う。"),
    Spec("C-ORG-10", "内部監査とPCI DSS準拠性評価", "Internal audit and PCI DSS assessment",
         ORG, AUDIT, IMPLEMENTED, F.YEARLY, ("5.35", "5.36", "8.34"), ("10-3-5",),
         "内部監査部の年次監査と、QSAによるPCI DSS準拠性評価。"),
    Spec("C-ORG-11", "脅威情報の収集と共有", "Threat intelligence", ORG, SECURITY, IMPLEMENTED,
         F.MONTHLY, ("5.5", "5.6", "5.7"), (),
         "日本クレジット協議会、JPCERT/CC、金融ISACの情報を月次で評価する。"),
    Spec("C-ORG-12", "情報の受渡しルール", "Rules for transferring information", ORG, SECURITY,
         IMPLEMENTED, F.CONTINUOUS, ("5.14",), ("10-6-4",),
         "社外へのファイル送付は承認制の共有サービスに限る。パスワード付きZIPの送付は廃止。"),
    Spec("C-ORG-13", "運用手順書と作業記録", "Operating procedures and work records", ORG, OPS,
         IMPLEMENTED, F.MONTHLY, ("5.37", "8.6"), (),
         "基幹系の運用手順書、容量監視、作業記録の月次点検。"),
    # --- people -----------------------------------------------------------------------------
    Spec("C-PPL-01", "採用時の確認と誓約書", "Screening and undertakings at hiring", PEOPLE, HR,
         IMPLEMENTED, F.ON_EVENT, ("6.1", "6.2", "6.4", "6.6"), (),
         "経歴確認、就業規則（懲戒を含む）の説明、秘密保持誓約書の取得。"),
    Spec("C-PPL-02", "情報セキュリティ・個人情報保護研修", "Security and privacy training",
         PEOPLE, HR, IMPLEMENTED, F.YEARLY, ("6.3",), ("10-4-1",),
         "全従業者の年次eラーニングと新任者研修。派遣社員を含む。"),
    Spec("C-PPL-03", "退職・異動時の手続", "Leavers and movers", PEOPLE, HR, IMPLEMENTED,
         F.ON_EVENT, ("5.11", "6.5"), (),
         "貸与品の回収、アカウント停止の依頼、退職後の守秘義務の確認。"),
    Spec("C-PPL-04", "テレワーク規程", "Remote working rules", PEOPLE, HR, PARTIAL,
         F.YEARLY, ("6.7",), ("10-5-3",),
         "在宅勤務時の画面の覗き見防止と紙の持出し禁止。コールセンターは対象外で検討中。"),
    Spec("C-PPL-05", "標的型メール訓練と報告窓口", "Phishing exercises and reporting", PEOPLE,
         SECURITY, IMPLEMENTED, F.HALF_YEARLY, ("6.3", "6.8"), ("10-4-1",),
         "半期ごとの訓練メールと、不審メールの報告ボタン。"),
    # --- physical ---------------------------------------------------------------------------
    Spec("C-PHY-01", "入退室管理", "Entry control", PHYSICAL, GENERAL_AFFAIRS, IMPLEMENTED,
         F.CONTINUOUS, ("7.1", "7.2", "7.3", "7.6"), ("10-5-1",),
         "ICカードによる入退室管理と共連れ防止ゲート。サーバ室と書庫は生体認証。"),
    Spec("C-PHY-02", "監視カメラによる監視", "CCTV surveillance", PHYSICAL, GENERAL_AFFAIRS,
         IMPLEMENTED, F.CONTINUOUS, ("7.4",), ("10-5-1",),
         "出入口・サーバ室前・書庫を録画し、警備室で監視する。"),
    Spec("C-PHY-03", "クリアデスク・クリアスクリーン", "Clear desk and clear screen",
         PHYSICAL, GENERAL_AFFAIRS, IMPLEMENTED, F.MONTHLY, ("7.7",), ("10-5-2",),
         "終業時の書類の施錠保管と、月1回の巡回点検。"),
    Spec("C-PHY-04", "書庫・キャビネットの施錠管理", "Locked archive and cabinets", PHYSICAL,
         GENERAL_AFFAIRS, IMPLEMENTED, F.DAILY, ("7.3",), ("10-5-2",),
         "申込書・契約書の原本は書庫で保管し、鍵の貸出を記録する。"),
    Spec("C-PHY-05", "データセンターの設備管理", "Data-centre facilities", PHYSICAL, OPS,
         IMPLEMENTED, F.YEARLY, ("7.5", "7.8", "7.11", "7.12", "7.13"), ("10-5-1",),
         "免震構造、無停電電源、空調の二重化。委託先の保証報告書で毎年確認する。"),
    Spec("C-PHY-06", "記録媒体の管理と廃棄", "Media handling and disposal", PHYSICAL,
         GENERAL_AFFAIRS, IMPLEMENTED, F.ON_EVENT, ("7.10", "7.14"), ("10-5-3", "10-5-4"),
         "媒体の台帳管理、廃棄時の物理破壊または溶解処理と証明書の受領。"),
    Spec("C-PHY-07", "社外持出しPCの管理", "Laptops taken off site", PHYSICAL, OPS, PARTIAL,
         F.QUARTERLY, ("7.9",), ("10-5-2", "10-5-3"),
         "持出し申請と四半期の所在確認。営業部門の申請漏れが多い。"),
    # --- technological ----------------------------------------------------------------------
    Spec("C-TEC-01", "多要素認証", "Multi-factor authentication", TECH, OPS, IMPLEMENTED,
         F.CONTINUOUS, ("8.5", "5.17"), ("10-6-2",),
         "VPN、クラウドサービス、管理者ログインに多要素認証を必須とする。"),
    Spec("C-TEC-02", "特権ID管理", "Privileged access management", TECH, OPS, IMPLEMENTED,
         F.CONTINUOUS, ("8.2", "8.18"), ("10-6-1",),
         "特権IDは貸出制とし、作業を録画して翌日に上長が確認する。"),
    Spec("C-TEC-03", "マルウェア対策（EDR）", "Malware protection (EDR)", TECH, OPS,
         IMPLEMENTED, F.CONTINUOUS, ("8.1", "8.7"), ("10-6-3",),
         "全PC・サーバにEDRを導入し、検知は24時間監視サービスが一次対応する。"),
    Spec("C-TEC-04", "脆弱性管理とパッチ適用", "Vulnerability and patch management", TECH,
         OPS, IMPLEMENTED, F.MONTHLY, ("8.8", "8.9", "8.19"), ("10-6-3",),
         "月次の脆弱性スキャン、重要度に応じた期限内のパッチ適用、設定基準の維持。"),
    Spec("C-TEC-05", "ログ取得と監視（SIEM）", "Logging and monitoring (SIEM)", TECH, SECURITY,
         IMPLEMENTED, F.CONTINUOUS, ("8.15", "8.16", "8.17"), ("10-3-3", "10-6-3"),
         "ログを1年保存し、相関ルールで不審な振る舞いを検知する。時刻は社内NTPに同期。"),
    Spec("C-TEC-06", "バックアップと復元テスト", "Backups and restore tests", TECH, OPS,
         IMPLEMENTED, F.QUARTERLY, ("8.13", "8.14"), (),
         "日次差分・週次フルのバックアップと、四半期ごとの復元テスト。"),
    Spec("C-TEC-07", "ネットワーク分離とファイアウォール", "Network segmentation and firewalls",
         TECH, OPS, IMPLEMENTED, F.CONTINUOUS, ("8.20", "8.21", "8.22"), ("10-6-3",),
         "カード会員データ環境を他のネットワークから分離し、通信を許可リストで制御する。"),
    Spec("C-TEC-08", "暗号化と鍵管理", "Encryption and key management", TECH, OPS, IMPLEMENTED,
         F.CONTINUOUS, ("8.11", "8.24"), ("10-6-4",),
         "カード番号の暗号化とマスキング、HSMでの鍵管理、通信のTLS化。"),
    Spec("C-TEC-09", "情報漏えい対策（DLP・USB制御・Webフィルタ）",
         "Data-leak prevention (DLP, USB control, web filtering)", TECH, SECURITY, PARTIAL,
         F.CONTINUOUS, ("8.12", "8.23"), ("10-6-4",),
         "USB記憶媒体は原則禁止。DLPはメールのみ導入済みで、クラウドストレージは未対応。"),
    Spec("C-TEC-10", "変更管理とリリース前診断", "Change management and pre-release testing",
         TECH, IT, IMPLEMENTED, F.ON_EVENT, ("8.29", "8.31", "8.32", "8.33"), (),
         "変更は審査会で承認し、本番リリース前に脆弱性診断を行う。試験データは仮名化する。"),
    Spec("C-TEC-11", "委託開発の管理", "Managing outsourced development", TECH, IT,
         IMPLEMENTED, F.ON_EVENT, ("5.8", "8.25", "8.26", "8.27", "8.30"), (),
         "要件定義でセキュリティ要件を示し、委託先の設計・実装・試験を確認する。"),
    Spec("C-TEC-12", "データの保存期間管理と消去", "Retention periods and deletion", TECH, IT,
         PLANNED, F.YEARLY, ("8.10",), ("10-5-4",),
         "保存期間を過ぎた会員・債務者データを年1回消去する仕組み。来年度に導入予定。"),
    # --- the card business's own: the demo's information manager (カード事業部) keeps their
    # evidence, one of them overdue, so signing in as `manager` shows that job ------------------
    Spec("C-BIZ-01", "会員情報の照会記録の月次点検", "Monthly review of member-data lookups", ORG,
         CARD_MEMBER_SERVICES, IMPLEMENTED, F.MONTHLY, ("5.15", "8.15"), ("10-6-1",),
         "コールセンターでの会員情報の照会記録を部長が毎月点検し、業務外の照会がないか確かめる。"),
    Spec("C-BIZ-02", "加盟店申込書類の施錠保管と廃棄", "Merchant application papers: locked and "
         "shredded", PHYSICAL, CARD_MERCHANT_SALES, IMPLEMENTED, F.QUARTERLY, ("7.10", "7.14"),
         ("10-5-2", "10-5-4"),
         "加盟店の申込書類は施錠キャビネットに保管し、審査後5年で溶解処理する。四半期ごとに確認。"),
    Spec("C-BIZ-03", "不正利用検知ルールの見直し", "Reviewing the fraud-detection rules", TECH,
         CARD_FRAUD_OFFICE, PARTIAL, F.QUARTERLY, ("8.16",), (),
         "不正利用検知システムのルールを四半期ごとに見直す。誤検知の分析手順は作成中。"),
]

# ISO/IEC 27001:2022 Annex A controls the company excludes, with the reason.
ISO_EXCLUDED = {
    "8.4": "ソースコードは開発委託先が保有・管理しており、当社にはソースコードのリポジトリや"
           "開発ツールがない。委託先の管理は8.30で扱う。",
    "8.28": "当社はソフトウェアを自社で開発しておらず、プログラミングはすべて委託先が行う。"
            "委託先のセキュアコーディングは8.30の委託開発の管理で求めている。",
}
ISO_APPLICABLE = {
    ORG: "リスク評価の結果と、割賦販売法・貸金業法・PCI DSSの要求から、当社の管理体制に"
         "必要と判断。",
    PEOPLE: "従業者・派遣社員が会員と債務者の個人情報を日常的に扱うため必要。",
    PHYSICAL: "本社・書庫・データセンターで紙と機器の個人情報を扱うため必要。",
    TECH: "カード会員データと融資の情報を扱う情報システムを運用しているため必要。",
}
ISO_SPECIFIC = {
    "5.23": "メール・人事給与・営業支援にクラウドサービスを利用しているため必要。",
    "8.30": "業務システムの開発をすべて外部に委託しているため必要。",
}
APPI_APPLICABLE = ("個人情報取扱事業者（クレジットカード会員・借入人の個人データを扱う）として、"
                   "ガイドラインの安全管理措置を講じる必要がある。")
APPI_SPECIFIC = {
    "10-7": "会員向けメール配信と人事給与のクラウドサービスは外国の事業者が提供しており、"
            "保存国の制度を把握する必要がある。",
}

# Evidence: (title, kind, how many days ago it was collected[, the note]); how long it
# counts follows the control's frequency.
# A control's latest evidence is what shows it works; these three expired.
EXPIRED = ("C-ORG-04", "C-PHY-05", "C-TEC-06", "C-BIZ-01")
LINK, NOTE = Evidence.Kind.LINK, Evidence.Kind.NOTE
INTRANET = "https://intranet.minato-card.example/isms/evidence"
VALIDITY = {F.CONTINUOUS: 365, F.DAILY: 90, F.WEEKLY: 90, F.MONTHLY: 120, F.QUARTERLY: 150,
            F.HALF_YEARLY: 220, F.YEARLY: 400, F.ON_EVENT: 400}
EVIDENCE = {
    "C-ORG-01": [("取締役会議事録（基本方針改定の承認）", LINK, 130)],
    "C-ORG-02": [("CISO・情報管理責任者の任命通知", LINK, 230)],
    "C-ORG-03": [("情報資産棚卸の実施報告", NOTE, 50,
                  "全部署が台帳を更新し、新規登録12件、廃棄3件。総務部は情報管理責任者が不在のため"
                  "部長代理が確認した。"),
                 ("前年度の情報資産棚卸の実施報告", NOTE, 420,
                  "全部署が台帳を更新し、格付けを5件見直した。")],
    "C-ORG-04": [("アクセス権の半期棚卸の結果", LINK, 250),
                 ("前々回のアクセス権棚卸の結果", LINK, 430)],
    "C-ORG-05": [("委託先の年次点検結果一覧", LINK, 90)],
    "C-ORG-06": [("クラウドサービス利用申請の審査記録", LINK, 60)],
    "C-ORG-07": [("インシデント対応訓練の報告書", LINK, 75),
                 ("CSIRT対応記録（メール誤送信）", NOTE, 20,
                  "加盟店1社宛のメール誤送信（個人データなし）。インシデントには該当しないと判定し、"
                  "送信保留機能を設定した。")],
    "C-ORG-08": [("災害対策サイト切替訓練の結果", NOTE, 150,
                  "基幹系を大阪サイトへ4時間で切り替えた（目標6時間）。会員向けWebサイトは手順が"
                  "未整備のため対象外。")],
    "C-ORG-09": [("法令等要求事項一覧（改正反映版）", LINK, 40)],
    "C-ORG-10": [("PCI DSS準拠証明書（AOC）", LINK, 110), ("内部監査報告書", LINK, 200)],
    "C-ORG-11": [("脅威情報の月次評価メモ", NOTE, 12,
                  "クレジットマスター攻撃の注意喚起を受け、不正検知ルールを追加した。")],
    "C-ORG-12": [("ファイル共有サービスの設定画面", LINK, 100)],
    "C-ORG-13": [("運用作業記録の月次点検結果", NOTE, 25,
                  "作業記録の記入漏れ2件を指摘し、是正を確認した。")],
    "C-PPL-01": [("秘密保持誓約書の取得状況", LINK, 55)],
    "C-PPL-02": [("eラーニング受講状況（受講率97%）", LINK, 35),
                 ("前年度eラーニング受講状況", LINK, 400)],
    "C-PPL-03": [("退職者の貸与品回収チェックリスト", LINK, 15)],
    "C-PPL-05": [("標的型メール訓練の結果（開封率4.8%）", NOTE, 70,
                  "開封率4.8%（前回6.1%）、報告率62%。開封者には追加の教育を実施した。")],
    "C-PHY-01": [("入退室ログの月次確認記録", LINK, 18)],
    "C-PHY-02": [("警備室の監視日誌", LINK, 8)],
    "C-PHY-03": [("クリアデスク巡回点検の結果", NOTE, 22,
                  "施錠漏れ3件（会員サービス部2件、審査部1件）。各部長へ通知した。")],
    "C-PHY-04": [("書庫の鍵貸出簿", LINK, 3)],
    "C-PHY-05": [("データセンター事業者の保証報告書（SOC 2 Type 2）", LINK, 430)],
    "C-PHY-06": [("溶解処理証明書", LINK, 45)],
    "C-TEC-01": [("多要素認証の適用状況レポート", LINK, 30)],
    "C-TEC-02": [("特権ID貸出記録の確認結果", LINK, 10)],
    "C-TEC-03": [("EDR導入台数と検知状況", LINK, 5)],
    "C-TEC-04": [("脆弱性スキャン結果（月次）", LINK, 20), ("外部診断報告書", LINK, 160)],
    "C-TEC-05": [("SIEM相関ルールの見直し記録", NOTE, 65,
                  "相関ルール14件を見直し、誤検知の多い3件の閾値を調整した。")],
    "C-TEC-06": [("復元テストの結果", NOTE, 190,
                  "週次フルバックアップから検証環境への復元に成功した（所要3時間10分）。")],
    "C-TEC-07": [("ファイアウォールルールの半期レビュー", LINK, 85)],
    "C-TEC-08": [("鍵管理手順と鍵交換の記録", LINK, 140)],
    "C-TEC-09": [("メールDLPの検知レポート", LINK, 30)],
    "C-TEC-10": [("変更審査会の議事録", LINK, 14), ("リリース前脆弱性診断の結果", LINK, 40)],
    "C-TEC-11": [("委託先の設計レビュー記録", NOTE, 95,
                  "会員向けWebサイト改修の基本設計をレビューし、セッション管理について2件指摘した。")],
    "C-BIZ-01": [("会員情報照会記録の点検結果", NOTE, 145,
                  "照会記録2,310件を点検し、業務外の照会はなかった。")],
    "C-BIZ-02": [("書類保管キャビネットの点検記録", NOTE, 40,
                  "施錠と鍵の管理簿を確認し、溶解処理の証明書を受領した。")],
    "C-BIZ-03": [("検知ルール見直しの議事メモ", NOTE, 70,
                  "ルール8件を見直し、海外ECでの高額決済の閾値を下げた。")],
}
# How long the expired evidence counted, so that it ran out 10-40 days ago.
EXPIRED_VALIDITY = {"C-ORG-04": 220, "C-PHY-05": 400, "C-TEC-06": 150, "C-BIZ-01": 120}

MARKER = CONTROLS[0].code  # present once the demo's controls are loaded


def current_ciso():
    appointment = (Appointment.objects.current().filter(role=Appointment.Role.CISO)
                   .select_related("person").first())
    return appointment.person if appointment else None


def load_control_demo(seed: int) -> int:
    """Returns the number of controls loaded (0 when they exist already or the demo
    organisation is missing)."""
    if Control.objects.filter(code=MARKER).exists():
        return 0
    departments = Department.objects.in_bulk([s.department for s in CONTROLS],
                                             field_name="code")
    if len(departments) < len({s.department for s in CONTROLS}):
        return 0
    rng = random.Random(seed + 53)  # noqa: S311 -- demo data
    today = timezone.localdate()
    people = people_by_department()
    ciso = current_ciso()
    with acting_as(Actor(None, DEMO_ACTOR, "command")), transaction.atomic():
        controls = []
        for spec in CONTROLS:
            members = people.get(spec.department, [])
            owner = ciso if spec.owner == CISO else (
                members[0] if members and rng.random() < 0.4 else pick_member(members, rng))
            control = Control(code=spec.code, title_ja=spec.title_ja, title_en=spec.title_en,
                              description=spec.description, theme=spec.theme,
                              department=departments[spec.department], owner=owner,
                              status=spec.status, frequency=spec.frequency)
            control.full_clean(validate_unique=False)
            controls.append(control)
        created = {c.code: c for c in Control.objects.bulk_create(controls)}
        add_evidence(created, people, today, rng)
        from mamori.controls.frameworks import load_builtin_frameworks

        load_builtin_frameworks()  # safe to repeat: they may be loaded already
        map_requirements(created)
    return len(created)


def add_evidence(controls: dict, people: dict, today: datetime.date, rng) -> None:
    rows = []
    for code, items in EVIDENCE.items():
        control = controls[code]
        collector = pick_member(people.get(control.department.code, []), rng)
        for n, (title, kind, days_ago, *note) in enumerate(items):
            collected = today - datetime.timedelta(days=days_ago)
            days = EXPIRED_VALIDITY.get(code) or VALIDITY[control.frequency]
            if code not in EXPIRED and n == 0 and collected + datetime.timedelta(days) <= today:
                raise ValueError(f"demo evidence of {code} would have expired")  # a data slip
            slug = f"{code.lower()}-{n + 1}"
            evidence = Evidence(
                control=control, kind=kind, title=title, collected_on=collected,
                expires_on=collected + datetime.timedelta(days=days), collected_by=collector,
                url=f"{INTRANET}/{slug}" if kind == LINK else "",
                note=note[0] if note else "")
            evidence.full_clean()
            rows.append(evidence)
    Evidence.objects.bulk_create(rows)


def map_requirements(controls: dict) -> None:
    """Link each control to its ISO and APPI requirements, decide applicability and put the
    two frameworks in the Statement of Applicability."""
    frameworks = Framework.objects.in_bulk(SOA_FRAMEWORKS, field_name="code")
    if len(frameworks) < len(SOA_FRAMEWORKS):
        return  # the built-in frameworks are not loaded
    requirements = {(r.framework.code, r.ref): r for r in
                    Requirement.objects.filter(framework__in=frameworks.values())
                    .select_related("framework")}
    for spec in CONTROLS:
        keys = [(ISO, ref) for ref in spec.iso] + [(APPI, ref) for ref in spec.appi]
        # A ref the loaded catalogue lacks (an organisation's own edition) is left out.
        controls[spec.code].requirements.set(
            [requirements[key] for key in keys if key in requirements])
    decided = []
    for (code, ref), requirement in requirements.items():
        if requirement.is_group or requirement.applicable is not None:
            continue
        if code == ISO:
            excluded = ref in ISO_EXCLUDED
            requirement.applicable = not excluded
            requirement.justification = (ISO_EXCLUDED.get(ref) or ISO_SPECIFIC.get(ref)
                                         or ISO_APPLICABLE.get(requirement.theme, ""))
        else:
            requirement.applicable = True
            requirement.justification = APPI_SPECIFIC.get(ref, APPI_APPLICABLE)
        decided.append(requirement)
    Requirement.objects.bulk_update(decided, ["applicable", "justification"])
    for framework in frameworks.values():
        if not framework.in_soa:
            framework.in_soa = True
            framework.save()
