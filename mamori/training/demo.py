"""The demo company's education and training (policy Art 8):

- Mamori's model course (e-learning with its quiz), assigned every fiscal year to everyone the
  policy binds and, within 30 days of their start, to joiners;
- reading and acknowledging the basic policy, for everyone (completed by the acknowledgements
  the policies demo recorded);
- a classroom course for the information managers and the CISO, with a session held last
  month that most of them attended;
- an external (LMS) card-data course for the departments owning card data, with completions
  imported from the LMS.

Most people have completed the model course; the `staff` login has not (so it can be taken on
My page), and a few dispatched workers are overdue. Dates are relative to the day the demo is
loaded.
"""

import datetime
import random

from django.db import transaction
from django.utils import timezone

from mamori.assets.demo import DEMO_ACTOR
from mamori.core.context import Actor, acting_as
from mamori.org.models import Person
from mamori.policies.models import PolicyDocument
from mamori.training import assign
from mamori.training.model_course import load_model_course
from mamori.training.models import (
    Assignment,
    ClassroomSession,
    Completion,
    Course,
    Programme,
    TrainingSettings,
)

MARKER = "FY-ISMS-BASIC"


def load_training_demo(seed: int) -> int:
    """Returns the number of records loaded (0 when they exist already or the demo
    organisation is missing)."""
    if Programme.objects.filter(code=MARKER).exists() or not Person.objects.exists():
        return 0
    rng = random.Random(seed + 71)  # noqa: S311 -- demo data
    today = timezone.localdate()
    settings = TrainingSettings.current()
    year_start = settings.fiscal_year_start(settings.fiscal_year(today))
    with acting_as(Actor(None, DEMO_ACTOR, "command")):
        with transaction.atomic():
            basic = load_model_course() or Course.objects.get(code="ISMS-BASIC")
            courses = make_courses()
            make_programmes(basic, courses, year_start)
        assign.sync_all(today)
        loaded = Assignment.objects.count()
        with transaction.atomic():
            loaded += complete_most(rng, basic, courses, year_start, today)
    return loaded


def make_courses() -> dict:
    courses = {
        "managers": Course.objects.create(
            code="IM-BRIEFING", kind=Course.Kind.CLASSROOM,
            title_ja="情報管理責任者研修", title_en="Briefing for information managers",
            summary_ja="部門の情報資産、リスク、インシデント対応における情報管理責任者の役割。",
            summary_en="The information manager's part in the department's assets, risks "
                       "and incident response.",
            duration_minutes=90, validity_months=24),
        "card": Course.objects.create(
            code="PCI-AWARE", kind=Course.Kind.EXTERNAL,
            title_ja="カード情報取扱者研修（外部LMS）",
            title_en="Card data handling (external LMS)",
            duration_minutes=45, validity_months=12, pass_mark=70),
    }
    policy = PolicyDocument.objects.filter(code="basic-policy").first()
    if policy is not None:
        courses["policy"] = Course.objects.create(
            code="READ-BASIC-POLICY", kind=Course.Kind.ACKNOWLEDGEMENT,
            title_ja="情報セキュリティ基本方針の確認",
            title_en="Reading the basic policy", policy_document=policy,
            duration_minutes=10)
    return courses


def make_programmes(basic, courses, year_start) -> list[Programme]:
    policy_scope = [str(c) for c in Person.POLICY_SCOPE]
    made = [
        Programme.objects.create(
            code=MARKER, title_ja="情報セキュリティ基礎研修（年次）",
            title_en="Information security basics (yearly)", course=basic,
            recurrence=Programme.Recurrence.YEARLY, due_days=60, categories=policy_scope,
            starts_on=year_start),
        Programme.objects.create(
            code="JOINERS-ISMS", title_ja="入社時研修", title_en="Joiners' training",
            course=basic, recurrence=Programme.Recurrence.JOINERS, due_days=30,
            categories=policy_scope, starts_on=year_start),
        Programme.objects.create(
            code="IM-BRIEFING", title_ja="情報管理責任者・CISO研修",
            title_en="Information managers and the CISO", course=courses["managers"],
            recurrence=Programme.Recurrence.ONCE, due_days=90,
            roles=[Programme.Role.INFORMATION_MANAGER, Programme.Role.CISO],
            starts_on=year_start),
        Programme.objects.create(
            code="CARD-DATA", title_ja="カード情報取扱者研修",
            title_en="People handling card data", course=courses["card"],
            recurrence=Programme.Recurrence.YEARLY, due_days=90, handles_card_data=True,
            starts_on=year_start),
    ]
    if "policy" in courses:
        made.append(Programme.objects.create(
            code="READ-POLICY", title_ja="基本方針の確認", title_en="Reading the basic policy",
            course=courses["policy"], recurrence=Programme.Recurrence.ONCE, due_days=30,
            categories=policy_scope, starts_on=year_start))
    return made


def complete_most(rng, basic, courses, year_start, today) -> int:
    """Completions of most open assignments, and a classroom session."""
    skipped = set(Person.objects.filter(user__username="staff").values_list("pk", flat=True))
    since = max((today - year_start).days, 1)
    rows = []
    for person_id, department_id, category, code in (
            Assignment.objects.filter(status=Assignment.Status.OPEN,
                                      programme__course__in=[basic, courses["card"]])
            .values_list("person_id", "department_id", "category", "programme__course__code")
            .distinct().order_by("person_id")):
        share = 0.7 if category == Person.Category.DISPATCHED else 0.93
        if person_id in skipped or rng.random() > share:
            continue
        course = basic if code == basic.code else courses["card"]
        completion = Completion(
            person_id=person_id, course=course,
            completed_on=today - datetime.timedelta(days=rng.randrange(since)),
            score=rng.randrange(80, 101) if course == basic else rng.randrange(70, 101),
            source=Completion.Source.QUIZ if course == basic else Completion.Source.IMPORT)
        completion.derive_fields(department_id=department_id)
        rows.append(completion)
    Completion.objects.bulk_create(rows, batch_size=1000)
    session = ClassroomSession.objects.create(
        course=courses["managers"], place="本社 10階 大会議室", instructor="情報セキュリティ部",
        starts_at=timezone.now() - datetime.timedelta(days=30),
        ends_at=timezone.now() - datetime.timedelta(days=30, hours=-2))
    attended = Assignment.objects.filter(
        programme__course=courses["managers"], status=Assignment.Status.OPEN).values_list(
        "person_id", "department_id")
    for person_id, department_id in list(attended)[:-2]:  # two of them missed it
        completion = Completion(person_id=person_id, course=courses["managers"],
                                completed_on=timezone.localdate(session.starts_at),
                                source=Completion.Source.CLASSROOM, session=session)
        completion.derive_fields(department_id=department_id)
        rows.append(completion)
        completion.save()
    assign.complete_satisfied()
    return len(rows) + 1
