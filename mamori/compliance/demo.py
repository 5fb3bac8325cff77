"""The demo company's legal and regulatory register (policy Art 11).

The register Mamori ships (compliance.loader: the personal-information acts and guidelines,
the Installment Sales Act, the Money Lending Business Act, the anti-money-laundering act, the
My Number act, PCI DSS and the card-security guideline, …) is loaded, then decided as a card
issuer, acquirer and money lender would: nearly every obligation applies, with a short reason,
and is owned by the department that keeps it (情報セキュリティ統括部 the security measures and
breach reporting, 法務・コンプライアンス部 the legal duties, カード事業部 and 加盟店営業部 the card
business's, 融資事業部 and its screening and collection departments the lending ones, システム部
and システム運用課 the technical ones, 人事部 the My Number duties), and is mapped to the demo
controls that meet it. Three do not apply: the merchants' duty not to keep card data (the
company sells nothing as a merchant), and the two duties about personal data abroad (it keeps
none there).

Every obligation that applies was evaluated within its interval over the last year, mostly
compliant. Two are partially met (the card issuer's fraud measures, whose review procedure is
unfinished, and the financial guideline's technical safeguards, where the DLP does not cover
cloud storage yet; the CISO accepted the latter until the cloud DLP is in); one is not
compliant (data past its retention period is not erased, the planned C-TEC-12), found twelve
days ago, which raised its nonconformity (its plan not due yet). One obligation was last
evaluated fourteen months ago, past its 12-month interval, so the Art 11 check (a) fails on
purpose for it alone; (b) and (c) pass.

An amendment of 個人情報保護法 takes effect next quarter (a fictitious one, dated from today):
it raised impact assessments for the four obligations it affects, one of them already
assessed. An amendment of 割賦販売法 (fictitious too) took effect two months ago, all its
assessments done beforehand, so check (c) has something to pass on. The supervisors asked
for a report on the web-skimming incident (answered) and gave administrative guidance on the
lending documents (closed).
"""

import datetime
import random

from django.db import transaction
from django.utils import timezone

from mamori.compliance.models import (
    Applicability,
    ComplianceException,
    Evaluation,
    ImpactAssessment,
    LegalSource,
    Obligation,
    RegulatoryAction,
    Result,
    SourceVersion,
)
from mamori.controls.models import Control
from mamori.core import roles as r
from mamori.core.context import Actor, acting_as
from mamori.core.dates import add_months
from mamori.core.models import User
from mamori.incidents.demo import SKIMMING_TITLE
from mamori.incidents.models import Incident
from mamori.org.models import Appointment, Department, Person

SECURITY, LEGAL, HR = "D700", "D140", "D110"
CARD, MERCHANTS, MEMBERS = "D200", "D210", "D220"
LENDING, SCREENING, COLLECTION, CONTACT = "D300", "D310", "D400", "D500"
IT, OPS = "D600", "D610"

PERSONAL = "会員・債務者・従業者の個人情報を取り扱う個人情報取扱事業者であるため。"
FINANCIAL = "クレジットカードと貸金の与信事業を営む、金融分野の個人情報取扱事業者であるため。"
MY_NUMBER = ("従業者の源泉徴収と社会保険の事務で個人番号を取り扱う、個人番号関係事務実施者で"
             "あるため。")

# Each source's default: its owning department, reason and controls (an obligation of a
# source not listed here is the legal department's, under the legal-requirements control).
SOURCES = {
    "appi": (LEGAL, PERSONAL, ("C-ORG-09",)),
    "appi-rules": (SECURITY, PERSONAL, ("C-ORG-07",)),
    "ppc-guideline-general": (SECURITY, PERSONAL, ("C-ORG-01", "C-ORG-09")),
    "fsa-financial-guideline": (SECURITY, FINANCIAL, ("C-ORG-01", "C-ORG-09")),
    "fsa-financial-practice": (SECURITY, FINANCIAL, ("C-ORG-01",)),
    "card-security-guideline": (
        CARD, "クレジットカードの発行会社かつアクワイアラーとして、クレジット取引セキュリティ"
              "対策協議会の指針に従うため。", ("C-ORG-09",)),
    "pci-dss": (
        SECURITY, "カード会員データを保存・処理・伝送するカード会社として、国際ブランドとの契約で"
                  "準拠を求められているため。", ("C-ORG-10",)),
    "installment-sales-act": (
        CARD, "包括信用購入あっせん業者およびクレジットカード番号等取扱契約締結事業者として"
              "登録しているため。", ("C-ORG-09",)),
    "money-lending-act": (LENDING, "貸金業者として登録し、カードローンを提供しているため。",
                          ("C-ORG-09",)),
    "criminal-proceeds-act": (
        LEGAL, "クレジットカード事業者と貸金業者は、犯罪収益移転防止法の特定事業者にあたるため。",
        ("C-ORG-09",)),
    "my-number-act": (HR, MY_NUMBER, ("C-ORG-09",)),
    "my-number-guideline": (HR, MY_NUMBER, ("C-ORG-01",)),
    "unauthorized-access-act": (
        IT, "会員向けWebサイトなどのアクセス管理者であり、従業者にも禁止行為を周知するため。",
        ("C-TEC-01",)),
}
DEFAULT_SOURCE = (LEGAL, "法務・コンプライアンス部が当社への適用を確認したため。", ("C-ORG-09",))

# Obligations owned or mapped otherwise than their source's default: code → (department or
# None for the default, controls or () for the default).
OBLIGATIONS = {
    "APPI-22": (IT, ("C-TEC-12", "C-ORG-03")),
    "APPI-23": (SECURITY, ("C-ORG-01", "C-ORG-02", "C-TEC-05", "C-TEC-08")),
    "APPI-24": (HR, ("C-PPL-01", "C-PPL-02")),
    "APPI-25": (SECURITY, ("C-ORG-05",)),
    "APPI-26": (SECURITY, ("C-ORG-07",)),
    "APPI-32": (MEMBERS, ("C-ORG-09",)),
    "APPI-33": (MEMBERS, ("C-ORG-09",)),
    "APPI-35": (MEMBERS, ("C-ORG-09",)),
    "APPI-40": (CONTACT, ("C-ORG-09",)),
    "PPCGL-3-4-4": (None, ("C-ORG-05",)),
    "PPCGL-3-5-2": (None, ("C-ORG-07",)),
    "FINGL-2": (LEGAL, ()),
    "FINGL-3": (LEGAL, ()),
    "FINGL-5": (LEGAL, ()),
    "FINGL-9": (HR, ("C-PPL-01", "C-PPL-02")),
    "FINGL-10": (None, ("C-ORG-05",)),
    "FINGL-11": (None, ("C-ORG-07",)),
    "FINPR-AUDIT": (None, ("C-ORG-10",)),
    "FINPR-ORG": (None, ("C-ORG-02",)),
    "FINPR-TECH": (IT, ("C-TEC-01", "C-TEC-02", "C-TEC-08", "C-TEC-09")),
    "FINPR-INCIDENT": (None, ("C-ORG-07",)),
    "FINPR-STAFF": (HR, ("C-PPL-01", "C-PPL-02")),
    "FINPR-OUTSOURCE": (None, ("C-ORG-05",)),
    "CSG-PCIDSS": (SECURITY, ("C-ORG-10",)),
    "CSG-NONRETENTION": (MERCHANTS, ()),
    "CSG-EC-VULN": (MERCHANTS, ("C-ORG-09", "C-TEC-10")),
    "CSG-EC-FRAUD": (None, ("C-BIZ-03",)),
    "CSG-IC": (MERCHANTS, ()),
    "CSG-ISSUER": (None, ("C-BIZ-03",)),
    "CSG-ACQUIRER": (MERCHANTS, ()),
    "PCIDSS-1": (OPS, ("C-TEC-07",)),
    "PCIDSS-2": (OPS, ("C-TEC-04",)),
    "PCIDSS-3": (IT, ("C-TEC-08",)),
    "PCIDSS-4": (IT, ("C-TEC-08",)),
    "PCIDSS-5": (OPS, ("C-TEC-03",)),
    "PCIDSS-6": (IT, ("C-TEC-04", "C-TEC-10")),
    "PCIDSS-7": (OPS, ("C-ORG-04",)),
    "PCIDSS-8": (OPS, ("C-TEC-01", "C-TEC-02")),
    "PCIDSS-9": (None, ("C-PHY-01", "C-PHY-05")),
    "PCIDSS-10": (None, ("C-TEC-05",)),
    "PCIDSS-11": (None, ("C-TEC-04",)),
    "PCIDSS-12": (None, ("C-ORG-01", "C-ORG-10")),
    "ISSA-30-2": (None, ()),
    "ISSA-35-16": (SECURITY, ("C-TEC-08", "C-TEC-07")),
    "ISSA-35-17-2": (MERCHANTS, ()),
    "ISSA-35-17-8": (MERCHANTS, ("C-BIZ-02",)),
    "ISSA-35-17-15": (MERCHANTS, ()),
    "ISSA-49-2": (SECURITY, ("C-PPL-01", "C-PPL-02")),
    "MLBA-13": (SCREENING, ()),
    "MLBA-19": (None, ("C-PHY-04",)),
    "MLBA-21": (COLLECTION, ()),
    "MLBA-41-35": (SCREENING, ()),
    "MLBA-41-36": (SCREENING, ()),
    "MLBA-CREDIT-INFO": (SCREENING, ()),
    "APTCP-4": (SCREENING, ()),
    "MNA-12": (None, ("C-PHY-04", "C-TEC-01")),
    "MNGL-ORG": (None, ("C-ORG-02",)),
    "MNGL-PEOPLE": (None, ("C-PPL-02",)),
    "MNGL-PHYS": (None, ("C-PHY-04",)),
    "MNGL-TECH": (None, ("C-TEC-01",)),
    "MNGL-OUTSOURCE": (None, ("C-ORG-05",)),
    "MNGL-BREACH": (None, ("C-ORG-07",)),
    "UCAA-3": (None, ("C-PPL-02",)),
    "UCAA-5": (None, ("C-PPL-02",)),
    "UCAA-8": (None, ("C-TEC-01", "C-TEC-05")),
}

# Those that do not apply, and why.
NOT_APPLICABLE = {
    "CSG-NONRETENTION": "加盟店に求められる対策で、当社は物品やサービスを販売する加盟店ではない。"
                        "加盟店への指導はCSG-ACQUIRERで管理する。",
    "APPI-28": "外国にある第三者に個人データを提供しておらず、委託先とクラウドの保存場所も国内に"
               "限っている（C-ORG-06）。",
    "PPCGL-10-7": "外国で個人データを取り扱っていない（保存場所は国内リージョンに限っている）。",
}

# Evaluated more often than the default twelve months.
INTERVALS = {"PCIDSS-11": 3, "MLBA-21": 6}

NOT_COMPLIANT = "APPI-22"
NOT_COMPLIANT_DAYS_AGO = 12
NOT_COMPLIANT_EVIDENCE = (
    "会員管理システムと融資系の債務者データに、保存期間（完済・退会から7年）を過ぎた約12万件が"
    "残っている。消去の仕組み（C-TEC-12）は来年度導入の予定で、現在は消去していない。")
PARTIAL = {
    "CSG-ISSUER": "不正利用検知ルールは四半期ごとに見直しているが、誤検知の分析手順が未整備"
                  "（C-BIZ-03）。",
    "FINPR-TECH": "メールのDLPは導入済みだが、クラウドストレージへのアップロードは対象外"
                  "（C-TEC-09）。",
}
EXCEPTED = "FINPR-TECH"
EXCEPTION_REASON = ("クラウドストレージのDLPは来年度の予算で導入する。それまでの間、"
                    "クラウドストレージの利用は申請・承認制とする。")
EXCEPTION_MEASURES = "アップロードのログを情報セキュリティ統括部が週次で確認する。"
# Last evaluated fourteen months ago, past its twelve-month interval: the Art 11 check (a)
# fails on purpose for this obligation, and for no other.
OVERDUE = "MLBA-19-2"

AMENDED_SOURCES = ("appi", "installment-sales-act")
UPCOMING_AFFECTED = ("APPI-23", "APPI-26", "APPI-27", "APPI-31")
UPCOMING_ASSESSED = ("APPI-26", "漏えい等報告の判定基準が変わるため、インシデント対応手順書の"
                                "報告判定表と本人通知の文例を改訂する（C-ORG-07）。")
PAST_AFFECTED = ("ISSA-35-16", "ISSA-35-17-8", "ISSA-35-17-15")

GUIDANCE_TITLE = "貸金業の契約締結前書面の記載に関する指導"
REPORT_TITLE = "会員向けWebサイトにおけるカード番号等の漏えいのおそれに関する報告徴求"
MARKER = GUIDANCE_TITLE  # present once the demo's register is decided


def load_compliance_demo(seed: int) -> int:
    """Returns the number of obligations decided (0 when the demo's register was decided
    already, or the demo's organisation or controls are missing)."""
    from mamori.compliance.loader import load_legal_register

    ciso = User.objects.filter(username="ciso").first()
    needed = ({spec[0] for spec in (*SOURCES.values(), DEFAULT_SOURCE)}
              | {department for department, _controls in OBLIGATIONS.values() if department})
    departments = Department.objects.in_bulk(needed, field_name="code")
    controls = {c.code: c for c in Control.objects.all()}
    if ciso is None or len(departments) < len(needed) or not controls:
        return 0
    rng = random.Random(seed + 111)  # noqa: S311 -- demo data
    today = timezone.localdate()
    with acting_as(Actor(ciso.pk, "ciso", "command")), transaction.atomic():
        load_legal_register()  # the shipped register; a second load writes nothing
        if RegulatoryAction.objects.filter(title=MARKER).exists():
            return 0
        evaluators = evaluators_by_department(departments)
        obligations = decide(departments, controls)
        evaluate(obligations, evaluators, rng, today)
        accept(obligations, ciso, today)
        amend(obligations, evaluators, today)
        regulatory_actions(obligations, departments, today)
    return len(obligations)


def evaluators_by_department(departments) -> dict[str, Person]:
    """Each department's current information manager (its senior member when it has none)."""
    managers = {a.department.code: a.person for a in Appointment.objects.current().filter(
        role=Appointment.Role.INFORMATION_MANAGER, department__in=departments.values(),
    ).select_related("person", "department")}
    for code, department in departments.items():
        if code not in managers:
            managers[code] = (Person.objects.filter(department=department, status="active")
                              .order_by("joined_on", "employee_no").first())
    return managers


def decide(departments, controls) -> dict[str, Obligation]:
    """Whether each shipped obligation applies, who owns it and which controls meet it."""
    obligations = {}
    for obligation in Obligation.objects.select_related("source").order_by("code"):
        department, reason, mapped = SOURCES.get(obligation.source.code, DEFAULT_SOURCE)
        own_department, own_controls = OBLIGATIONS.get(obligation.code, (None, ()))
        department = own_department or department
        mapped = own_controls or mapped
        obligation.department = departments[department]
        obligation.interval_months = INTERVALS.get(obligation.code, 12)
        if obligation.code in NOT_APPLICABLE:
            obligation.applicability = Applicability.NOT_APPLICABLE
            obligation.applicability_reason = NOT_APPLICABLE[obligation.code]
        else:
            obligation.applicability = Applicability.APPLICABLE
            obligation.applicability_reason = reason
        obligation.full_clean(validate_unique=False)
        obligation.save(update_fields=["department", "interval_months", "applicability",
                                       "applicability_reason"])
        if obligation.applicability == Applicability.APPLICABLE:
            obligation.controls.set([controls[code] for code in mapped if code in controls])
        obligations[obligation.code] = obligation
    return obligations


def evaluate(obligations, evaluators, rng, today) -> None:
    """An evaluation of each obligation that applies within its interval (every quarter's of
    the one evaluated quarterly), the overdue one fourteen months ago."""
    for code, obligation in obligations.items():
        if obligation.applicability != Applicability.APPLICABLE:
            continue
        evaluator = evaluators[obligation.department.code]
        interval_days = obligation.interval_months * 30
        if code == OVERDUE:
            dates = [add_months(today, -14)]
        elif code == NOT_COMPLIANT:
            # Lately: the nonconformity it raises is within the days its plan is due in, so
            # the Art 7 checks keep the verdicts the improvement demo gives them.
            dates = [today - datetime.timedelta(days=NOT_COMPLIANT_DAYS_AGO)]
        elif obligation.interval_months < 12:
            latest = rng.randint(10, interval_days - 20)
            count = 12 // obligation.interval_months
            dates = [today - datetime.timedelta(days=latest + n * interval_days)
                        for n in range(count)]
        else:
            dates = [today - datetime.timedelta(days=rng.randint(15, 330))]
        mapped = ", ".join(obligation.controls.order_by("code").values_list("code", flat=True))
        for n, day in enumerate(sorted(dates)):
            is_latest = n == len(dates) - 1
            result, evidence = Result.COMPLIANT, (
                f"手順書と直近の運用記録（{mapped}）を確認し、{obligation.article}の求めを満たして"
                "いることを確かめた。")
            if is_latest and code == NOT_COMPLIANT:
                result, evidence = Result.NOT_COMPLIANT, NOT_COMPLIANT_EVIDENCE
            elif is_latest and code in PARTIAL:
                result, evidence = Result.PARTIAL, PARTIAL[code]
            evaluation = Evaluation(obligation=obligation, result=result, evaluated_on=day,
                                    evaluator=evaluator, evidence=evidence)
            evaluation.full_clean()
            evaluation.save()  # a "not compliant" one raises its nonconformity


def accept(obligations, ciso, today) -> None:
    """The CISO accepts the partial technical safeguards until the cloud DLP is in."""
    obligation = obligations.get(EXCEPTED)
    if obligation is None:
        return
    accepted_on = today - datetime.timedelta(days=40)
    exception = ComplianceException(
        obligation=obligation, reason=EXCEPTION_REASON,
        compensating_measures=EXCEPTION_MEASURES, accepted_on=accepted_on,
        expires_on=accepted_on + datetime.timedelta(days=300),
        accepted_by_id=r.roles_for(ciso).person_id)
    exception.full_clean()
    exception.save()


def next_quarter(today: datetime.date) -> datetime.date:
    """The first day of the next calendar quarter."""
    return add_months(today.replace(day=1), 3 - (today.month - 1) % 3)


def amend(obligations, evaluators, today) -> None:
    """An amendment of 個人情報保護法 next quarter (one of its four assessments done) and one of
    割賦販売法 in force for two months (its three assessments done before it took effect)."""
    sources = LegalSource.objects.in_bulk(AMENDED_SOURCES, field_name="code")
    effective = next_quarter(today)
    if "appi" in sources:
        upcoming = add_version(
            sources["appi"], f"{effective.year}年{effective.month}月施行の改正（デモ）", effective,
            today - datetime.timedelta(days=45),
            "漏えい等報告の対象の見直しと、個人関連情報の第三者提供の規律の強化（デモ用の架空の"
            "改正）。",
            "Which breaches must be reported, and stricter rules on providing person-related "
            "information (a fictitious amendment for the demo).",
            [obligations[code] for code in UPCOMING_AFFECTED if code in obligations])
        code, text = UPCOMING_ASSESSED
        assess(upcoming, obligations.get(code), ImpactAssessment.Status.CHANGES, text, today)
    if "installment-sales-act" in sources:
        in_force = today - datetime.timedelta(days=60)
        past = add_version(
            sources["installment-sales-act"],
            f"{in_force.year}年{in_force.month}月施行の改正（デモ）", in_force,
            in_force - datetime.timedelta(days=200),
            "加盟店調査の記録項目の追加と、不正利用対策の報告の新設（デモ用の架空の改正）。",
            "More to record when checking merchants, and a new report on fraud prevention (a "
            "fictitious amendment for the demo).",
            [obligations[code] for code in PAST_AFFECTED if code in obligations])
        for obligation in obligations.values():
            if obligation.code in PAST_AFFECTED:
                changes = obligation.code == "ISSA-35-17-8"
                assess(past, obligation, ImpactAssessment.Status.CHANGES if changes
                       else ImpactAssessment.Status.NO_CHANGE,
                       "加盟店調査票に新しい記録項目を追加し、加盟店営業部の手順書を改訂した。"
                       if changes else "現行の手順で新しい要求を満たしている。",
                       in_force - datetime.timedelta(days=20))


def add_version(source, label, effective_on, promulgated_on, summary_ja, summary_en,
                affected) -> SourceVersion:
    version = SourceVersion(source=source, version=label, effective_on=effective_on,
                            promulgated_on=promulgated_on, summary_ja=summary_ja,
                            summary_en=summary_en, affects_all=False)
    version.full_clean()
    version.save()
    version.affected.add(*affected)  # raises an impact assessment for each
    return version


def assess(version, obligation, status, text, on) -> None:
    if obligation is None:
        return
    assessment = version.impact_assessments.filter(obligation=obligation).first()
    if assessment is None:
        return
    assessment.status, assessment.assessment, assessment.assessed_on = status, text, on
    assessment.full_clean()
    assessment.save()


def regulatory_actions(obligations, departments, today) -> None:
    """A request for a report on the web-skimming incident, answered; administrative guidance
    on the lending documents, closed."""
    incident = Incident.objects.filter(title=SKIMMING_TITLE).first()
    received = (timezone.localdate(incident.noticed_at) if incident else
                today - datetime.timedelta(days=180)) + datetime.timedelta(days=7)
    received = min(received, today)
    report = RegulatoryAction(
        kind=RegulatoryAction.Kind.REPORT_REQUEST, title=REPORT_TITLE,
        regulator="経済産業省 商務・サービスグループ 商取引監督課",
        reference="割賦販売法第40条に基づく報告徴求（デモ）", received_on=received,
        description="会員向けWebサイトの申込フォームが改ざんされ、入力されたカード番号等が外部に送信"
                    "されたおそれについて、発生経緯、影響範囲、再発防止策の報告を求められた。",
        department=departments[SECURITY],
        response_due_on=received + datetime.timedelta(days=30),
        responded_on=min(today, received + datetime.timedelta(days=21)),
        response="改ざんの経緯、影響を受けた会員数、カードの差替えと不正利用のモニタリング、"
                 "フォームの改ざん検知の導入を報告した。",
        status=RegulatoryAction.Status.RESPONDED)
    report.full_clean()
    report.save()
    report.obligations.set([obligations[code] for code in ("ISSA-35-16", "APPI-26")
                            if code in obligations])
    if incident is not None:
        report.incidents.set([incident])
    received = today - datetime.timedelta(days=240)
    guidance = RegulatoryAction(
        kind=RegulatoryAction.Kind.GUIDANCE, title=GUIDANCE_TITLE,
        regulator="関東財務局 理財部", reference="立入検査後の指導（デモ）", received_on=received,
        description="カードローンの契約締結前書面で、返済期間と返済回数の記載が分かりにくいとの指導を"
                    "受けた。",
        department=departments[LENDING], response_due_on=received + datetime.timedelta(days=30),
        responded_on=received + datetime.timedelta(days=25),
        response="書面の様式を改訂し、返済期間と返済回数を表形式で記載した。改訂版の運用開始を"
                 "報告し、指導は終了した。",
        status=RegulatoryAction.Status.CLOSED)
    guidance.full_clean()
    guidance.save()
    guidance.obligations.set([obligations[code] for code in ("MLBA-16-2", "MLBA-17")
                              if code in obligations])
