"""The demo company's measures, security objectives and management reviews (policy Art 12),
on top of the whole demo:

- two years of values of every built-in measure, for the company and (for the measures
  kept per department) each department, with their categories: the current period computed
  by review.calculators from the demo's records; the periods before it computed from the
  demo's records of each period for the measures that count what happened in a period, and
  for those that read a state, plausible values moving towards today's (stored as Mamori
  would have recorded them, at the end of each period). Monthly, but for the incidents'
  response times and the breach reports' timeliness, read quarterly (a month often has no
  incident, and so no value);
- three measures entered by hand, each with its owner and history: the click rate of the
  quarterly phishing simulation, the half-yearly security awareness survey's score and the
  monthly share of critical vulnerabilities patched within their deadline;
- four security objectives: one achieved, one re-planned once (with its reason), two in
  progress towards target dates still to come; none late;
- last year's management review (eleven months ago, within its 12-month interval), its
  inputs frozen into a pack a week before the meeting, its minutes recorded and three
  decisions, each of which raised its improvement action: two done, the third overdue on
  purpose (so the Art 12 check that decisions are carried out fails for it alone);
- this year's review in preparation, three weeks from now.

Dates are relative to the day the demo is loaded; the texts are Japanese, as the company is.
"""

import datetime
import random
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from mamori.core.audit import one_log_append
from mamori.core.context import Actor, acting_as
from mamori.core.dates import add_months
from mamori.core.models import User
from mamori.org.models import Appointment, Department, Person
from mamori.review.models import (
    Frequency,
    ManagementReview,
    Measure,
    Measurement,
    Objective,
    ReviewDecision,
    ReviewPack,
)
from mamori.review.models.measures import MONTHS_OF, Direction, Unit, period_start

SECURITY, HR, LEGAL, CARD, IT, OPS, AUDIT = "D700", "D110", "D140", "D200", "D600", "D610", "D800"
ATTENDING = (IT, CARD, LEGAL, HR, AUDIT)  # information managers attending, besides the CISO
HISTORY_MONTHS = 24  # the current month and the 23 before it
QUARTERLY = ("incident_containment_hours", "incident_recovery_hours", "breach_reports_on_time")
MARKER = "標的型メール訓練を四半期ごとに実施し"  # the first decision of last year's review

PHISHING, SURVEY, PATCHING = "phishing-click-rate", "awareness-survey-score", "patching-within-sla"
# code → (title ja, title en, description, unit, direction, target, frequency, owner's
# department, values oldest first, the latest of the period before the current one).
MANUAL = {
    PHISHING: ("標的型メール訓練のクリック率", "Phishing simulation click rate",
               "四半期ごとの標的型メール訓練で、訓練メールのリンクを開いた従業者の割合。",
               Unit.PERCENT, Direction.LOWER, "5", Frequency.QUARTERLY, SECURITY,
               ("18.4", "16.9", "14.2", "12.8", "10.5", "9.1", "7.6", "6.8")),
    SURVEY: ("情報セキュリティ意識調査の平均点", "Security awareness survey score",
             "半期ごとの意識調査（20問、100点満点）の全従業者の平均点。",
             Unit.NUMBER, Direction.HIGHER, "80", Frequency.HALF_YEARLY, HR,
             ("68.5", "71.2", "74.6", "77.3")),
    PATCHING: ("重要な脆弱性の期限内修正率", "Critical vulnerabilities patched within SLA",
               "その月に修正期限を迎えた重要度「高」以上の脆弱性のうち、期限内に修正した割合。",
               Unit.PERCENT, Direction.HIGHER, "95", Frequency.MONTHLY, OPS,
               ("78.0", "80.5", "79.2", "82.4", "83.0", "81.7", "84.9", "86.2", "85.5", "87.8",
                "88.1", "87.4", "89.6", "90.2", "88.9", "91.3", "90.8", "92.5", "91.9", "93.0",
                "92.4", "93.8", "94.1")),
}


def load_review_demo(seed: int) -> int:
    """Returns the number of records loaded (0 when they exist already or the demo
    organisation is missing)."""
    # Imported here, not when the app is ready: it reads every other app's records.
    from mamori.review import calculators

    if ReviewDecision.objects.filter(decision__startswith=MARKER).exists():
        return 0
    ciso_user = User.objects.filter(username="ciso").first()
    codes = {SECURITY, HR, LEGAL, CARD, IT, OPS, AUDIT}
    departments = Department.objects.in_bulk(codes, field_name="code")
    chair = (Person.objects.filter(category=Person.Category.OFFICER,
                                   status=Person.Status.ACTIVE)
             .order_by("employee_no").first())
    if ciso_user is None or len(departments) < len(codes) or chair is None:
        return 0
    managers = {a.department.code: a.person for a in Appointment.objects.current().filter(
        role=Appointment.Role.INFORMATION_MANAGER, department__code__in=codes,
    ).select_related("person", "department")}
    ciso = Appointment.objects.current().filter(role=Appointment.Role.CISO).select_related(
        "person").first()
    if ciso is None or not codes <= set(managers):
        return 0
    people = People(ciso.person, chair, managers, departments)
    rng = random.Random(seed + 2212)  # noqa: S311 -- demo data
    today = timezone.localdate()
    with acting_as(Actor(ciso_user.pk, "ciso", "command")), transaction.atomic():
        # The CISO answers for the built-in measures nobody else was given.
        loaded = Measure.objects.exclude(builtin="").filter(owner=None).update(
            owner=people.ciso)
        loaded += built_in_history(rng, today)
        manual = manual_measures(people, today)
        loaded += len(manual) + sum(m.measurements.count() for m in manual.values())
        # Last year's review before the objectives: its pack, frozen then, does not list the
        # objectives set since.
        loaded += past_review(people, today)
        loaded += objectives(people, manual, today)
        loaded += coming_review(people, today)
        # This period's values once more, now that the objectives and reviews are in: the
        # conformance per article reads their checks.
        calculators.record(today)
    return loaded


class People:
    def __init__(self, ciso, chair, managers, departments):
        self.ciso, self.chair, self.managers, self.departments = (
            ciso, chair, managers, departments)

    def member(self, code: str) -> Person:
        """A member of the department other than its head (the head when alone)."""
        return (Person.objects.filter(department=self.departments[code],
                                      category=Person.Category.EMPLOYEE,
                                      status=Person.Status.ACTIVE)
                .exclude(pk=self.managers[code].pk).order_by("employee_no").first()
                or self.managers[code])


# -- measurements ---------------------------------------------------------------------------

def period_end(period: datetime.date, months: int) -> datetime.datetime:
    """The last evening of the period of `months` months from `period`: when its value was
    taken."""
    last = add_months(period, months) - datetime.timedelta(days=1)
    return timezone.make_aware(datetime.datetime.combine(last, datetime.time(23, 30)))


def built_in_history(rng: random.Random, today: datetime.date) -> int:
    """The current period's values of every active built-in measure, computed now, and two
    years of periods before it: a flow measure (what happened in a period) computed from the
    demo's records of each period, as Mamori would have recorded it at the period's end; a
    stock measure (a state, which cannot be computed for a day gone by) moving towards
    today's value from a slightly worse one."""
    from mamori.review import calculators

    # Incidents are few: the company reads their response times and the breach reports'
    # timeliness over a quarter (a month often has none, and so no value).
    for measure in Measure.objects.filter(builtin__in=QUARTERLY):
        measure.frequency = Frequency.QUARTERLY
        measure.full_clean()
        measure.save()
    calculators.record(today)
    measures = list(Measure.objects.exclude(builtin="").filter(active=True)
                    .filter(builtin__in=list(calculators.BUILTINS)).order_by("code"))
    rows = []
    for measure in measures:
        step = MONTHS_OF[measure.frequency]
        current = period_start(today, measure.frequency)
        past = [add_months(current, -back * step) for back in range(1, HISTORY_MONTHS // step)]
        definition = calculators.BUILTINS[measure.builtin]
        if definition.flow:
            for period in past:
                last_day = add_months(period, step) - datetime.timedelta(days=1)
                rows += [Measurement(measure=measure, period=period,
                                     department_id=value.department_id,
                                     category=value.category, value=value.value,
                                     computed=True, measured_at=period_end(period, step))
                         for value in definition.compute(last_day, measure.frequency)
                         if measure.by_department or value.department_id is None]
            continue
        for now in measure.measurements.filter(period=current).order_by("department_id",
                                                                         "category"):
            start = starting_value(rng, now.value, measure.unit, measure.direction)
            for back, period in enumerate(past, start=1):
                share = Decimal(back) / Decimal(len(past))
                value = now.value + (start - now.value) * share + noise(rng, measure.unit,
                                                                         now.value)
                rows.append(Measurement(
                    measure=measure, period=period, department_id=now.department_id,
                    category=now.category, value=bounded(value, measure.unit), computed=True,
                    measured_at=period_end(period, step)))
    with one_log_append():
        Measurement.objects.bulk_create(rows, batch_size=500)
    return Measurement.objects.filter(measure__in=measures).count()


def starting_value(rng, current: Decimal, unit: str, direction: str) -> Decimal:
    """Where the measure stood two years ago: a little worse than now, as a company improving
    its security would have it."""
    worse = 1 if direction == Direction.LOWER else -1
    if unit == Unit.PERCENT:
        return current + worse * Decimal(rng.randint(40, 180)) / 10
    if unit == Unit.COUNT:
        if worse > 0:  # fewer now than then
            return current + rng.randint(0, 3) + (current / 2).to_integral_value()
        return current - min(current, Decimal(rng.randint(0, 3)))
    factor = Decimal(rng.randint(120, 180)) / 100  # hours, days, other numbers
    return current * factor if worse > 0 else current / factor


def noise(rng, unit: str, current: Decimal) -> Decimal:
    if unit == Unit.PERCENT:
        return Decimal(rng.randint(-15, 15)) / 10
    if unit == Unit.COUNT:
        return Decimal(rng.choice((-1, 0, 0, 0, 1)))
    return current * Decimal(rng.randint(-8, 8)) / 100


def bounded(value: Decimal, unit: str) -> Decimal:
    value = max(Decimal(0), value)
    if unit == Unit.PERCENT:
        value = min(Decimal(100), value)
    if unit == Unit.COUNT:
        return value.to_integral_value()
    return value.quantize(Decimal("0.01"))


def manual_measures(people: People, today: datetime.date) -> dict[str, Measure]:
    """The three measures entered by hand, each with its values up to the period before the
    current one (this period's is entered once it is over)."""
    made, rows = {}, []
    for code, (title_ja, title_en, description, unit, direction, target, frequency, owner,
               values) in MANUAL.items():
        measure = Measure(code=code, title_ja=title_ja, title_en=title_en,
                          description=description, unit=unit, direction=direction,
                          target=Decimal(target), frequency=frequency,
                          # The survey is HR's head's; the others a specialist's.
                          owner=people.managers[HR] if code == SURVEY else people.member(owner))
        measure.full_clean()
        measure.save()
        made[code] = measure
        step = {Frequency.MONTHLY: 1, Frequency.QUARTERLY: 3, Frequency.HALF_YEARLY: 6}[
            frequency]
        latest = add_months(period_start(today, frequency), -step)
        for back, value in enumerate(reversed(values)):
            period = add_months(latest, -back * step)
            # Entered a few days after the period ended (by now, at the latest).
            entered = add_months(period, step) + datetime.timedelta(days=4 + back % 3)
            rows.append(Measurement(
                measure=measure, period=period, value=Decimal(value), computed=False,
                measured_at=min(timezone.now(), timezone.make_aware(
                    datetime.datetime.combine(entered, datetime.time(10, 0))))))
    for row in rows:
        row.full_clean()
    with one_log_append():
        Measurement.objects.bulk_create(rows)
    return made


# -- objectives -----------------------------------------------------------------------------

def objectives(people: People, manual: dict[str, Measure], today: datetime.date) -> int:
    """One achieved, one re-planned once, two in progress; none late."""
    builtin = {m.builtin: m for m in Measure.objects.exclude(builtin="")}

    def measures(*keys):
        return [manual[k] if k in manual else builtin[k] for k in keys
                if k in manual or k in builtin]

    def objective(title, description, owner, department, target_on, keys, **fields):
        made = Objective(title=title, description=description, owner=owner,
                         department=department, target_on=target_on, **fields)
        made.full_clean()
        made.save()
        made.measures.set(measures(*keys))
        return made

    security = people.departments[SECURITY]
    objective(
        "標的型メール訓練を四半期ごとに実施する体制を整える",
        "訓練サービスの委託先を選定し、全部署で四半期ごとに訓練を実施できる体制を整える。",
        people.ciso, None, add_months(today, -4), (),
        status=Objective.Status.ACHIEVED, achieved_on=add_months(today, -5))
    replanned = objective(
        "標的型メール訓練のクリック率を5%以下にする",
        "四半期ごとの訓練と、クリック率の高い部門への追加教育で、年度末までに5%以下にする。",
        people.member(SECURITY), security, today - datetime.timedelta(days=20), (PHISHING,),
        status=Objective.Status.IN_PROGRESS)
    replanned.target_on = add_months(today, 4)
    replanned.replan_reason = ("第2四半期の訓練が訓練サービスの委託先変更で中止となり、"
                               "効果の測定が1回分遅れたため、目標日を4か月延ばす。")
    replanned.full_clean()
    replanned.save()
    # Re-planned when the cancelled simulation was known, before the first target date.
    Objective.objects.filter(pk=replanned.pk).update(
        replanned_on=today - datetime.timedelta(days=45))
    objective(
        "重要な脆弱性の期限内修正率を95%以上にする",
        "脆弱性情報の収集から修正適用までの手順を見直し、期限内の修正を定着させる。",
        people.managers[OPS], people.departments[OPS], add_months(today, 8), (PATCHING,),
        status=Objective.Status.IN_PROGRESS)
    objective(
        "公開Webサイトの通信暗号化設定をすべて推奨水準にする",
        "全ての公開エンドポイントで古いTLSを無効にし、証明書の期限切れを防ぐ。",
        people.managers[IT], people.departments[IT], add_months(today, 10),
        ("tls_endpoints_passing",), status=Objective.Status.PLANNED)
    return 4


# -- management reviews ---------------------------------------------------------------------

def attendees(people: People) -> list[Person]:
    return [people.ciso, *(people.managers[code] for code in ATTENDING)]


def title_for(day: datetime.date) -> str:
    return f"{day.year}年{day.month}月 情報セキュリティマネジメントレビュー"


LAST_FEEDBACK = (
    "・個人情報保護委員会：Webスキミング事案の報告に対し、再発防止策の実施状況の報告を求められた。\n"
    "・国際ブランド：PCI DSS 準拠の年次確認で、委託先の管理記録の提示を求められた。\n"
    "・会員アンケート：不審メールへの注意喚起をもっと分かりやすくしてほしいとの要望があった。\n"
    "・従業者：標的型メール訓練の結果を部門ごとに知りたいとの声があった。")
LAST_OPPORTUNITIES = (
    "・標的型メール訓練の頻度を上げ、クリック率の高い部門に追加教育を行う。\n"
    "・クラウドストレージへの DLP の適用範囲の拡大。\n"
    "・委託先の年次監査で、再委託先まで確認する手順の整備。")
LAST_MINUTES = (
    "社長を議長に、CISO から前回以降の情報セキュリティの状況（指標の推移、内部監査の結果、"
    "インシデント、リスク対応の状況）を報告した。標的型メール訓練のクリック率が目標に届いて"
    "いないこと、クラウドストレージが DLP の対象外であること、再委託先の確認が手順に含まれて"
    "いないことを議論し、次の3点を決定した。")
DECISIONS = (
    (ReviewDecision.Kind.IMPROVEMENT, MARKER + "、クリック率の高い部門には追加の教育を行う。",
     SECURITY, 3, "第1四半期から四半期ごとの訓練を開始し、クリック率上位3部門に追加教育を"
                  "実施した。"),
    (ReviewDecision.Kind.RESOURCES, "クラウドストレージにも DLP を適用するための予算を確保する。",
     IT, 6, "次年度予算に DLP のクラウド対応ライセンスを計上し、承認された。"),
    (ReviewDecision.Kind.POLICY,
     "委託先管理規程を改訂し、年次監査で再委託先の管理状況まで確認する手順を加える。",
     LEGAL, 10, ""),
)
COMING_FEEDBACK = (
    "・内部監査部：委託先の年次監査の手順改訂が遅れているとの指摘があった。\n"
    "・会員サービス部：不審メールに関する会員からの問い合わせが前年より減った。\n"
    "・国際ブランド：PCI DSS の新しい要件への移行計画の提出を求められている。")
COMING_OPPORTUNITIES = (
    "・意識調査の平均点が目標の80点に届いていない部門への個別の教育。\n"
    "・脆弱性の修正期限を守るための、パッチ適用の自動化。")


def past_review(people: People, today: datetime.date) -> int:
    """Held eleven months ago: frozen a week before the meeting, minutes recorded three days
    after it, three decisions (the last one's action overdue)."""
    from mamori.review import pack

    held_on = add_months(today, -11)
    review = ManagementReview(
        code=f"MR-{held_on.year}-0001" if held_on.year < today.year else "",
        title=title_for(held_on), held_on=held_on, chair=people.chair,
        feedback=LAST_FEEDBACK, opportunities=LAST_OPPORTUNITIES)
    review.full_clean()
    review.save()
    review.attendees.set(attendees(people))
    # Frozen as review.workflow.freeze does, but on the day it was: the pack covers the year
    # up to that day (its measures as measured until then; the other records as the demo
    # has them, which keeps no older state).
    frozen_on = held_on - datetime.timedelta(days=7)
    frozen_at = timezone.make_aware(datetime.datetime.combine(frozen_on, datetime.time(17, 0)))
    review.period_start = review.effective_period_start()
    ReviewPack.objects.create(review=review, data=pack.build(review, on=frozen_on),
                              frozen_at=frozen_at)
    review.status = ManagementReview.Status.FROZEN
    review.frozen_at, review.frozen_by = frozen_at, people.ciso
    review.save()
    for kind, text, code, months, outcome in DECISIONS:
        decision = ReviewDecision(review=review, kind=kind, decision=text,
                                  department=people.departments[code],
                                  owner=people.managers[code],
                                  due_on=add_months(held_on, months))
        decision.full_clean()
        decision.save()  # raises its improvement action
        if outcome:
            action = decision.action
            action.status = action.Status.DONE
            action.completed_on = decision.due_on - datetime.timedelta(days=9)
            action.outcome = outcome
            action.full_clean()
            action.save()
    review.minutes = LAST_MINUTES
    review.status = ManagementReview.Status.HELD
    review.closed_on = held_on + datetime.timedelta(days=3)
    review.save()
    return 2 + 2 * len(DECISIONS)


def coming_review(people: People, today: datetime.date) -> int:
    held_on = today + datetime.timedelta(days=21)
    review = ManagementReview(title=title_for(held_on), held_on=held_on, chair=people.chair,
                              feedback=COMING_FEEDBACK, opportunities=COMING_OPPORTUNITIES)
    review.full_clean()
    review.save()
    review.attendees.set(attendees(people))
    return 1
