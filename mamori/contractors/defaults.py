"""The starting settings, tier rules and screening requirements, created once after `migrate`
(and after a test flush) when none exist. Mamori's own wording; later changes are the
organisation's own and are logged like any change."""

from django.apps import apps as global_apps
from django.db import transaction

HIGH, MEDIUM, LOW = 3, 2, 1

# code, name ja, name en, tier, conditions
DEFAULT_TIER_RULES = [
    ("card-data", "カード情報の委託", "Entrusted with card data", HIGH,
     {"needs_card_data": True}),
    ("sensitive-data", "要配慮個人情報の委託", "Entrusted with sensitive personal information",
     HIGH, {"needs_sensitive": True}),
    ("many-persons", "5,000人以上の個人情報の委託",
     "Personal information of 5,000 persons or more", HIGH,
     {"needs_personal_data": True, "min_persons": 5000}),
    ("foreign-personal-data", "個人情報の外国での取扱い",
     "Personal information processed outside Japan", HIGH,
     {"needs_personal_data": True, "needs_foreign": True}),
    ("personal-data", "個人情報の委託", "Entrusted with personal information", MEDIUM,
     {"needs_personal_data": True}),
    ("system-access", "当社システムへのアクセス", "Access to the company's systems", MEDIUM,
     {"needs_system_access": True}),
]

# code, title ja, title en, question ja, question en, asked from tier, APPI references
DEFAULT_REQUIREMENTS = [
    ("governance", "安全管理の体制と規程", "Security organisation and rules",
     "情報セキュリティの責任者を置き、個人情報の取扱いを定めた社内規程を整備していますか。",
     "Is someone accountable for information security, and are there internal rules for "
     "handling personal information?", LOW, "10-1 10-2 10-3-1"),
    ("access-control", "アクセス権限の管理", "Access control",
     "委託業務の情報にアクセスできる者を業務上必要な者に限り、権限を定期的に見直していますか。",
     "Is access to the entrusted information limited to those whose work needs it, and are "
     "access rights reviewed regularly?", LOW, "10-6-1"),
    ("authentication", "利用者の識別と認証", "Identification and authentication",
     "利用者を個人単位で識別し、外部からの接続や管理者権限には多要素認証を用いていますか。",
     "Is every user identified individually, with multi-factor authentication for remote and "
     "administrative access?", MEDIUM, "10-6-2"),
    ("malware", "不正アクセス・マルウェア対策", "Protection against intrusion and malware",
     "ファイアウォール、マルウェア対策、脆弱性の修正を継続して行っていますか。",
     "Are firewalls, malware protection and the patching of vulnerabilities kept up?", LOW,
     "10-6-3"),
    ("encryption", "暗号化", "Encryption",
     "委託された情報を保存時及び通信時に暗号化していますか。",
     "Is the entrusted information encrypted when stored and when sent?", MEDIUM, "10-6-4"),
    ("logging", "ログの取得と監視", "Logging and monitoring",
     "委託された情報へのアクセスや操作の記録を取得し、保管し、定期的に確認していますか。",
     "Are accesses to and operations on the entrusted information logged, kept and reviewed "
     "regularly?", MEDIUM, "10-3-3"),
    ("staff", "従業者の監督と教育", "Supervision and training of staff",
     "従業者と秘密保持を約し、情報セキュリティの教育を定期的に行っていますか。",
     "Are staff bound to confidentiality and trained in information security regularly?",
     LOW, "10-4-1"),
    ("incident-notification", "事故の報告", "Incident notification",
     "漏えい等の事故又はそのおそれを知ったとき、当社に速やかに（24時間以内に）報告する手順がありますか。",
     "Is there a procedure to tell the company promptly (within 24 hours) of a leak or other "
     "incident, or the likelihood of one?", LOW, "10-3-4"),
    ("subcontracting", "再委託の管理", "Control of subcontracting",
     "再委託の前に当社の承認を得て、再委託先にも同等の管理を求めていますか。",
     "Is the company's approval obtained before subcontracting, and are subcontractors held "
     "to the same measures?", MEDIUM, ""),
    ("physical", "物理的セキュリティ", "Physical security",
     "情報を取り扱う区域への入退室を管理し、機器や書類の盗難・紛失を防いでいますか。",
     "Is entry to the areas where the information is handled controlled, and are devices and "
     "papers protected against theft and loss?", MEDIUM, "10-5-1 10-5-2 10-5-3"),
    ("secure-deletion", "安全な削除と廃棄", "Secure deletion and disposal",
     "委託終了時や不要になったときに、情報を復元できない方法で削除・廃棄し、その記録を残していますか。",
     "When the work ends or the information is no longer needed, is it deleted or destroyed "
     "beyond recovery, with a record kept?", LOW, "10-5-4"),
    ("continuity", "事業継続", "Business continuity",
     "障害や災害の際に委託業務を継続・復旧する計画を持ち、訓練していますか。",
     "Is there a plan, exercised, to keep the entrusted work going or restore it after a "
     "failure or disaster?", HIGH, ""),
    ("inspection", "点検と監査", "Inspection and audit",
     "取扱状況を定期的に点検し、当社による監査を受け入れていますか。",
     "Is the handling of the information inspected regularly, and does the contractor accept "
     "audits by the company?", HIGH, "10-3-5"),
]


def ensure_defaults(sender=None, using="default", apps=global_apps, **kwargs):
    # Historical models: the starting configuration is part of the installation (like the
    # schema), so it is not a change in the log; every later change to it is.
    TierRule = apps.get_model("contractors", "TierRule")
    ContractorSettings = apps.get_model("contractors", "ContractorSettings")
    ScreeningRequirement = apps.get_model("contractors", "ScreeningRequirement")
    with transaction.atomic(using=using):
        if not ContractorSettings.objects.using(using).exists():
            ContractorSettings.objects.using(using).create()
        if not TierRule.objects.using(using).exists():
            TierRule.objects.using(using).bulk_create(
                TierRule(code=code, name_ja=ja, name_en=en, tier=tier, **conditions)
                for code, ja, en, tier, conditions in DEFAULT_TIER_RULES)
        if not ScreeningRequirement.objects.using(using).exists():
            ScreeningRequirement.objects.using(using).bulk_create(
                ScreeningRequirement(code=code, title_ja=title_ja, title_en=title_en,
                                     question_ja=question_ja, question_en=question_en,
                                     min_tier=tier, appi_refs=refs, sort_key=10 * place)
                for place, (code, title_ja, title_en, question_ja, question_en, tier, refs)
                in enumerate(DEFAULT_REQUIREMENTS, start=1))
