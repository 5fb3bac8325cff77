"""The data set of bench/scale.py: the demo company grown BENCH_SCALE times (issue 15).

At scale 10: 50,000 people in 500 more departments, 200,000 assets, 20,000 risks, 20,000
incidents (with their timelines, recovery actions, breach assessments and reports), 400
controls with their evidence, 700 TLS endpoints with their scans and findings, an
acknowledgement by every person of every published policy version they must read, 2,000
audits with 100,000 checklist items, 20,000 nonconformities with 30,000 corrective actions,
20,000 improvement actions, 40 training programmes with 2,000,000 assignments (about 1.6 M
of them completed), 50,000 quiz attempts, and 5,000,000 change-log entries.

Everything starts from `mamori demo`, so settings, frameworks, policies and logins exist. The
bulk rows are copies of the demo's own rows (a demo incident with its timeline, a demo
control with its evidence, ...) under new codes, spread over the new departments and people:
their derived fields (an asset's classification, a risk's scores, an incident's due dates, a
breach assessment's outcome) come from a row the model itself saved, so they stay consistent.
Rows are inserted without the change log (plain bulk_create); the log is then filled with
bulk rows (common.load_log_rows), so the chain does not verify: a throwaway database.
"""

import datetime
import random
from collections import defaultdict

from common import batches, load_log_rows, plain_bulk_create
from django.core.management import call_command
from django.db import connection, transaction

MARKER = "SCALE-ROOT"  # the code of the department above the new ones: "already built"
CHUNK = 2000  # roots (incidents, risks...) copied per round, with their children


def sizes(scale: float) -> dict:
    """Rows to reach at `scale` (10 = ten times the demo company)."""
    return {"departments": max(10, round(50 * scale)), "people": round(5000 * scale),
            "assets": round(20000 * scale), "risks": round(2000 * scale),
            "incidents": round(2000 * scale), "controls": max(4, round(40 * scale)),
            "endpoints": max(2, round(70 * scale)), "log": round(500_000 * scale),
            # Issue 17: audits and the improvement register.
            "audits": round(200 * scale), "checklist_items": round(10_000 * scale),
            "nonconformities": round(2000 * scale), "corrective_actions": round(3000 * scale),
            "improvement_actions": round(2000 * scale),
            # Issue 18: training (40 programmes whatever the scale; 40 assignments a person).
            "programmes": 40, "courses": 20, "assignments": round(200_000 * scale),
            "attempts": round(5000 * scale), "sessions": max(4, round(20 * scale))}


def already_built() -> bool:
    from mamori.org.models import Department

    try:
        return Department.objects.filter(code=MARKER).exists()
    except Exception:  # no tables yet
        return False


def copy_of(template, **overrides):
    """A new unsaved row with the template's column values (not its primary key)."""
    obj = type(template)()
    for field in template._meta.concrete_fields:
        if not field.primary_key:
            setattr(obj, field.attname, getattr(template, field.attname))
    for name, value in overrides.items():
        setattr(obj, name, value)
    return obj


def unique_text(field, template_value, n: int) -> str:
    suffix = f"-S{n}"
    return (str(template_value or "x")[: field.max_length - len(suffix)]) + suffix


class Builder:
    def __init__(self, scale: float, seed: int = 15, say=print):
        self.size = sizes(scale)
        self.rng = random.Random(seed)
        self.say = say
        self.pools: dict = {}  # model -> list of primary keys to link to

    def pool(self, model):
        if model not in self.pools:
            self.pools[model] = list(model._base_manager.values_list("pk", flat=True))
        return self.pools[model]

    # -- copying a row with its children -------------------------------------------------

    def clone_roots(self, model, count, children=(), shift_dates=False, fresh=None):
        """`count` copies of `model`'s demo rows (cycled), each with copies of its children
        (models with a foreign key to it) and of its many-to-many links."""
        from mamori.org.models import Department, Person

        templates = list(model._base_manager.order_by("pk"))
        if not templates or count <= 0:
            return 0
        kids = {child: defaultdict(list) for child in children}
        for child in children:
            link = next(f for f in child._meta.concrete_fields
                        if f.is_relation and f.related_model is model)
            for row in child._base_manager.order_by("pk"):
                kids[child][getattr(row, link.attname)].append(row)
        m2m = {f: defaultdict(list) for f in model._meta.many_to_many}
        for field in m2m:
            through = field.remote_field.through
            source, target = field.m2m_field_name(), field.m2m_reverse_field_name()
            for a, b in through.objects.values_list(f"{source}_id", f"{target}_id"):
                m2m[field][a].append(b)
        departments = self.new_departments
        made = 0
        for first in range(0, count, CHUNK):
            numbers = range(first, min(first + CHUNK, count))
            pairs = []
            for n in numbers:
                template = templates[n % len(templates)]
                delta = datetime.timedelta(days=-self.rng.randrange(3 * 365)) if shift_dates \
                    else None
                obj = self.copy(template, n, delta, department_pool=departments)
                if fresh:
                    fresh(obj, n)
                pairs.append((template, obj, delta))
            with transaction.atomic():
                plain_bulk_create(model, [obj for _, obj, _ in pairs])
                mapped = {}  # (model, template pk) -> copy, for children naming each other
                for child in children:
                    link = next(f for f in child._meta.concrete_fields
                                if f.is_relation and f.related_model is model)
                    rows = []
                    for template, obj, delta in pairs:
                        for kid in kids[child][template.pk]:
                            copy = self.copy(kid, obj.pk, delta, keep_department=True)
                            setattr(copy, link.attname, obj.pk)
                            for field in child._meta.concrete_fields:
                                if field.is_relation and (field.related_model, getattr(
                                        kid, field.attname)) in mapped and field is not link:
                                    target = mapped[(field.related_model,
                                                     getattr(kid, field.attname))]
                                    setattr(copy, field.attname, target.get(obj.pk))
                            rows.append((kid, obj, copy))
                    plain_bulk_create(child, [copy for _, _, copy in rows])
                    for kid, obj, copy in rows:
                        mapped.setdefault((child, kid.pk), {})[obj.pk] = copy.pk
                for field, links in m2m.items():
                    through = field.remote_field.through
                    source, target = field.m2m_field_name(), field.m2m_reverse_field_name()
                    big = field.related_model in (Person, Department) or len(
                        self.pool(field.related_model)) > 200
                    rows = []
                    for template, obj, _ in pairs:
                        linked = links.get(template.pk, [])
                        if big and linked:
                            linked = self.rng.sample(self.pool(field.related_model),
                                                     min(len(linked), len(
                                                         self.pool(field.related_model))))
                        rows.extend(through(**{f"{source}_id": obj.pk, f"{target}_id": pk})
                                    for pk in set(linked))
                    through.objects.bulk_create(rows, batch_size=2000)
            made += len(pairs)
        self.pools.pop(model, None)
        return made

    def copy(self, template, n, delta=None, department_pool=None, keep_department=False):
        """A copy with new unique values, a department and people of the grown company and
        (for incidents) its dates moved by `delta`."""
        from mamori.core.models import User
        from mamori.org.models import Department, Person

        obj = copy_of(template)
        for field in template._meta.concrete_fields:
            value = getattr(template, field.attname)
            if field.primary_key or value is None:
                continue
            if field.is_relation:
                if field.related_model is User and field.one_to_one:
                    setattr(obj, field.attname, None)
                elif field.related_model is Department and not keep_department:
                    setattr(obj, field.attname, self.rng.choice(department_pool))
                elif field.related_model is Person and not keep_department:
                    setattr(obj, field.attname, self.rng.choice(self.pool(Person)))
            elif field.unique and hasattr(field, "max_length") and field.max_length:
                setattr(obj, field.attname, unique_text(field, value, n))
            elif delta is not None and isinstance(field, (datetime_field(), date_field())):
                setattr(obj, field.attname, value + delta)
        return obj

    # -- the company -----------------------------------------------------------------------

    def build_departments(self):
        """Divisions of nine sections each under a new head office below the demo's root."""
        from mamori.org.models import Appointment, Department

        root = Department.objects.filter(parent=None).order_by("pk").first()
        head = plain_bulk_create(Department, [Department(
            code=MARKER, name_ja="拡大本部", name_en="Scale head office", parent=root)])[0]
        divisions = plain_bulk_create(Department, [
            Department(code=f"SD{d:03d}", name_ja=f"拡大第{d + 1}事業部",
                       name_en=f"Scale division {d + 1}", parent=head)
            for d in range(max(1, self.size["departments"] // 10))])
        sections = plain_bulk_create(Department, [
            Department(code=f"{division.code}-{s}", name_ja=f"{division.name_ja} 第{s + 1}課",
                       name_en=f"{division.name_en} section {s + 1}", parent=division)
            for division in divisions for s in range(9)])
        self.new_departments = [d.pk for d in sections + divisions]
        self.divisions = divisions
        self.appointment_template = Appointment.objects.filter(
            role=Appointment.Role.INFORMATION_MANAGER).exclude(department=None).first()

    def build_people(self):
        from mamori.org.models import Appointment, Person

        made = self.clone_roots(Person, self.size["people"] - Person.objects.count())
        # Every new division gets its information manager (Art 3), one of its own people.
        first_of = {}
        for pk, department_id in Person.objects.filter(
                department_id__in=[d.pk for d in self.divisions]).values_list(
                "pk", "department_id"):
            first_of.setdefault(department_id, pk)
        template = self.appointment_template
        if template is not None:
            plain_bulk_create(Appointment, [
                copy_of(template, person_id=first_of[division.pk], department_id=division.pk)
                for division in self.divisions if division.pk in first_of])
        return made

    def build_acknowledgements(self):
        """Every person of each published version's audience has acknowledged it."""
        from django.utils import timezone

        from mamori.policies import coverage
        from mamori.policies.models import Acknowledgement, PolicyVersion

        made = 0
        now = timezone.now()
        for version in PolicyVersion.objects.filter(status=PolicyVersion.Status.PUBLISHED):
            done = set(version.acknowledgements.values_list("person_id", flat=True))
            since = version.published_at or now - datetime.timedelta(days=90)
            span = max(1, int((now - since).total_seconds()))
            people = [pk for pk in coverage.audience(version).values_list("pk", flat=True)
                      if pk not in done]
            for chunk in batches(people, 20000):
                plain_bulk_create(Acknowledgement, [Acknowledgement(
                    person_id=pk, version=version, content_hash=version.content_hash,
                    acknowledged_at=since + datetime.timedelta(seconds=self.rng.randrange(span)),
                    user_agent="bench") for pk in chunk])
                made += len(chunk)
        return made

    def top_up(self, model, target, parent_field, parents, make):
        """Rows of `model` until there are `target`, spread over `parents` (ids), each
        made by `make(n, parent_id)` (unsaved)."""
        missing = target - model._base_manager.count()
        if missing <= 0 or not parents:
            return 0
        for chunk in batches(range(missing), 20000):
            plain_bulk_create(model, [make(n, parents[n % len(parents)]) for n in chunk])
        return missing

    def build_audits(self):
        """Copies of the demo's audits (with their items and requests), then checklist items
        until there are as many as asked, each audit's numbered on from its own."""
        from mamori.audits.models import Audit, ChecklistItem, EvidenceRequest

        made = self.clone_roots(Audit, self.size["audits"] - Audit.objects.count(),
                                [ChecklistItem, EvidenceRequest], shift_dates=True)
        template = ChecklistItem.objects.order_by("pk").first()
        audits = list(Audit.objects.values_list("pk", flat=True))
        results = [c for c, _label in ChecklistItem.Result.choices]
        return made + self.top_up(
            ChecklistItem, self.size["checklist_items"], "audit", audits,
            lambda n, audit_id: copy_of(template, audit_id=audit_id, reference=f"S-{n}",
                                        kind=ChecklistItem.Kind.OTHER, position=1000 + n,
                                        result=results[n % len(results)]))

    def build_improvement(self):
        """Copies of the demo's nonconformities (with their actions and checks) and
        improvement actions, then corrective actions until there are as many as asked."""
        from mamori.improvement.models import (
            CorrectiveAction,
            EffectivenessCheck,
            ImprovementAction,
            Nonconformity,
        )
        from mamori.org.models import Person

        made = self.clone_roots(Nonconformity,
                                self.size["nonconformities"] - Nonconformity.objects.count(),
                                [CorrectiveAction, EffectivenessCheck], shift_dates=True)
        made += self.clone_roots(
            ImprovementAction,
            self.size["improvement_actions"] - ImprovementAction.objects.count(),
            shift_dates=True)
        template = CorrectiveAction.objects.order_by("pk").first()
        nonconformities = list(Nonconformity.objects.values_list("pk", flat=True))
        people = self.pool(Person)
        return made + self.top_up(
            CorrectiveAction, self.size["corrective_actions"], "nonconformity",
            nonconformities,
            lambda n, nc_id: copy_of(template, nonconformity_id=nc_id,
                                     owner_id=people[n % len(people)]))

    # -- training (issue 18) -----------------------------------------------------------------

    def build_training(self):
        """Courses (with questions; classroom ones with sessions), programmes up to 40 (yearly,
        once and joiners; audiences by category and department), then for each programme and
        fiscal year its assignments and the completions of most of them, two INSERT ...
        SELECTs over the programme's real audience (training.assign.audience), and quiz
        attempts. Yearly programmes get earlier fiscal years until the assignments reach
        their number."""
        from mamori.training.models import Assignment, Programme

        today = datetime.date.today()
        courses = self.training_courses()
        programmes = self.training_programmes(courses, today)
        made = 0
        for programme in programmes:
            for cycle in self.first_cycles(programme, today):
                made += self.assign_cycle(programme, cycle, today)
        target = self.size["assignments"]
        yearly = [p for p in programmes if p.recurrence == Programme.Recurrence.YEARLY]
        back = 1
        while yearly and back <= 12 and Assignment.objects.count() < target:
            for programme in yearly:
                if Assignment._base_manager.count() >= target:
                    break
                made += self.assign_cycle(programme, self.settings.fiscal_year(today) - back,
                                          today)
            back += 1
        return made + self.quiz_attempts(courses, today)

    def training_courses(self) -> list:
        from django.utils import timezone

        from mamori.training.models import ClassroomSession, Course, Question

        basic = Course.objects.filter(code="ISMS-BASIC").first() or Course.objects.order_by(
            "pk").first()
        kinds = [Course.Kind.ELEARNING, Course.Kind.ELEARNING, Course.Kind.EXTERNAL,
                 Course.Kind.CLASSROOM]
        missing = self.size["courses"] - Course.objects.count()
        new = plain_bulk_create(Course, [copy_of(
            basic, code=f"BENCH-C{n:02d}", kind=kinds[n % len(kinds)],
            title_ja=f"拡大研修 {n + 1}", title_en=f"Scale course {n + 1}",
            validity_months=[12, 24, None][n % 3], policy_document_id=None)
            for n in range(max(0, missing))])
        questions = list(Question._base_manager.filter(course=basic).order_by("position"))
        plain_bulk_create(Question, [copy_of(q, course_id=c.pk) for c in new
                                     if c.kind == Course.Kind.ELEARNING for q in questions])
        classroom = list(Course.objects.filter(kind=Course.Kind.CLASSROOM))
        now = timezone.now()
        sessions = []
        for n in range(self.size["sessions"] - ClassroomSession.objects.count()):
            starts = now - datetime.timedelta(days=self.rng.randrange(3 * 365), hours=n % 7)
            sessions.append(ClassroomSession(
                course_id=classroom[n % len(classroom)].pk, starts_at=starts,
                ends_at=starts + datetime.timedelta(hours=2), place=f"会議室 {n % 30 + 1}",
                instructor="情報セキュリティ部"))
        if classroom:
            plain_bulk_create(ClassroomSession, sessions)
        return list(Course.objects.exclude(kind=Course.Kind.ACKNOWLEDGEMENT).order_by("pk"))

    def training_programmes(self, courses, today) -> list:
        from mamori.org.models import Department, Person
        from mamori.training.models import Programme, TrainingSettings

        self.settings = TrainingSettings.current()
        year_start = self.settings.fiscal_year_start(self.settings.fiscal_year(today))
        divisions = list(Department.objects.filter(parent__code=MARKER).values_list(
            "pk", flat=True)) or list(Department.objects.values_list("pk", flat=True))
        recurrences = [Programme.Recurrence.YEARLY, Programme.Recurrence.ONCE,
                       Programme.Recurrence.JOINERS]
        policy = [str(c) for c in Person.POLICY_SCOPE]
        categories = [[], policy, ["employee"], ["employee", "dispatched"]]
        rows, links = [], []
        for n in range(self.size["programmes"] - Programme.objects.count()):
            recurrence = recurrences[n % 3]
            starts = (datetime.date(today.year - 3, 4, 1)
                      if recurrence == Programme.Recurrence.JOINERS
                      else year_start.replace(year=year_start.year - 12))
            rows.append(Programme(
                code=f"BENCH-P{n:02d}", title_ja=f"拡大研修計画 {n + 1}",
                title_en=f"Scale programme {n + 1}", course_id=courses[n % len(courses)].pk,
                recurrence=recurrence, due_days=[30, 60, 90][n % 3],
                categories=categories[n % 4], starts_on=starts,
                mandatory=n % 7 != 6))
        made = plain_bulk_create(Programme, rows)
        through = Programme.departments.through
        for n, programme in enumerate(made):
            if n % 5 >= 3:  # two in five for a few divisions (with their sections)
                links += [through(programme_id=programme.pk, department_id=pk)
                          for pk in self.rng.sample(divisions, min(3, len(divisions)))]
        through.objects.bulk_create(links, batch_size=2000)
        return list(Programme.objects.select_related("course").order_by("pk"))

    def first_cycles(self, programme, today) -> list[int]:
        from mamori.training.assign import cycle_of

        return [cycle_of(programme, today, self.settings)]

    def assign_cycle(self, programme, cycle: int, today) -> int:
        """The programme's assignments of one fiscal year (0: not yearly) for its audience
        today, and the completions of most of them (95 % in past years, 60 % this year),
        in plain SQL."""
        from mamori.training import assign
        from mamori.training.models import Assignment, Completion, Course, Programme

        settings = self.settings
        if programme.recurrence == Programme.Recurrence.YEARLY:
            day = settings.fiscal_year_start(cycle) + datetime.timedelta(days=7)
        else:
            day = programme.starts_on + datetime.timedelta(days=7)
        day = min(day, today)
        terms = assign.terms(programme, day, None, settings)
        done_on = min(today, day + datetime.timedelta(days=1 + programme.pk % 60))
        share = 60 if cycle == assign.cycle_of(programme, today, settings) else 95
        audience, params = assign.audience(programme, today).values("pk").query.sql_with_params()
        course = programme.course
        months = course.validity_months
        source = {Course.Kind.ELEARNING: "quiz", Course.Kind.CLASSROOM: "classroom",
                  Course.Kind.EXTERNAL: "import"}.get(course.kind, "acknowledgement")
        scored = course.kind in (Course.Kind.ELEARNING, Course.Kind.EXTERNAL)
        adapt = connection.ops.adapt_datefield_value
        completions, assignments = Completion._meta.db_table, Assignment._meta.db_table
        has_none = (f"NOT EXISTS (SELECT 1 FROM {assignments} a WHERE a.programme_id = %s "  # noqa: S608
                    f"AND a.cycle = %s AND a.person_id = p.id)")
        if programme.recurrence == Programme.Recurrence.JOINERS:
            due_from = f"COALESCE(p.joined_on, {'%s::date' if self.pg else '%s'})"
            due_on = (f"({due_from} + %s)" if self.pg
                      else f"date({due_from}, '+' || %s || ' days')")
            due_params = [adapt(terms["due_from"]), adapt(terms["due_from"]), programme.due_days]
        else:
            due_from, due_on = "%s", "%s"
            due_params = [adapt(terms["due_from"]), adapt(terms["due_on"])]
        valid = None
        if months:
            from mamori.training.models import add_months

            valid = add_months(done_on, months)
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {completions} (person_id, course_id, completed_on, score, source, "  # noqa: S608
                f"department_id, valid_until, note) SELECT p.id, %s, %s, "
                f"{'80 + p.id %% 21' if scored else 'NULL'}, %s, p.department_id, %s, '' "
                f"FROM org_person p WHERE p.id IN ({audience}) AND {has_none} "
                f"AND (p.id * 37 + %s * 11 + %s) %% 100 < %s",
                [course.pk, adapt(done_on), source, adapt(valid), *params, programme.pk, cycle,
                 programme.pk, cycle, share])
            # A join the planner hashes (a subquery per person was planned from the
            # statistics of a table still small, one index walk of the course each).
            found = (f"(SELECT c.person_id, MIN(c.id) AS done FROM {completions} c "  # noqa: S608
                     f"WHERE c.course_id = %s AND c.completed_on = %s GROUP BY c.person_id)")
            cursor.execute(
                f"INSERT INTO {assignments} (programme_id, person_id, department_id, category, "  # noqa: S608
                f"cycle, assigned_on, due_from, due_on, counts_from, status, completed_on, "
                f"completion_id) SELECT %s, x.id, x.department_id, x.category, %s, %s, "
                f"{due_from.replace('p.', 'x.')}, {due_on.replace('p.', 'x.')}, %s, "
                f"CASE WHEN x.done IS NULL THEN 'open' ELSE 'completed' END, "
                f"CASE WHEN x.done IS NULL THEN NULL ELSE {'%s::date' if self.pg else '%s'} END, "
                f"x.done FROM (SELECT p.id, p.department_id, p.category, p.joined_on, d.done "
                f"FROM org_person p LEFT JOIN {found} d ON d.person_id = p.id "
                f"WHERE p.id IN ({audience}) AND {has_none}) x",
                [programme.pk, cycle, adapt(terms["assigned_on"]), *due_params,
                 adapt(terms["counts_from"]), adapt(done_on), course.pk, adapt(done_on),
                 *params, programme.pk, cycle])
            return cursor.rowcount

    @property
    def pg(self) -> bool:
        return connection.vendor == "postgresql"

    def quiz_attempts(self, courses, today) -> int:
        """Submitted attempts of the e-learning courses' quizzes by people of the company."""
        from django.utils import timezone

        from mamori.org.models import Person
        from mamori.training.models import Course, QuizAttempt

        elearning = [c for c in courses if c.kind == Course.Kind.ELEARNING]
        questions = {c.pk: list(c.questions.values_list("pk", flat=True)) for c in elearning}
        missing = self.size["attempts"] - QuizAttempt.objects.count()
        if not elearning or missing <= 0:
            return 0
        people = self.pool(Person)
        now = timezone.now()

        def attempt(n):
            course = elearning[n % len(elearning)]
            started = now - datetime.timedelta(minutes=self.rng.randrange(3 * 365 * 24 * 60))
            score = self.rng.choice([60, 70, 80, 90, 100])
            return QuizAttempt(
                person_id=people[n % len(people)], course_id=course.pk, started_at=started,
                submitted_at=started + datetime.timedelta(minutes=12),
                layout=[[q, [0, 1, 2, 3]] for q in questions[course.pk]],
                answers={str(q): [0] for q in questions[course.pk]}, score=score,
                passed=score >= course.pass_mark, pass_mark=course.pass_mark,
                content_hash="0" * 64, answers_hash="1" * 64)

        for chunk in batches(range(missing), 20000):
            plain_bulk_create(QuizAttempt, [attempt(n) for n in chunk])
        return missing

    def run(self):
        from mamori.assets.models import Asset
        from mamori.controls.models import Control, Evidence
        from mamori.core.models import ChangeLogEntry
        from mamori.incidents.models import (
            BreachAssessment,
            Incident,
            IncidentEntry,
            RecoveryAction,
            RegulatoryReport,
        )
        from mamori.risks.models import Risk, RiskAcceptance
        from mamori.websec.models import TlsFinding, TlsScan, WebEndpoint

        size = self.size
        steps = [
            ("departments", self.build_departments),
            ("people", self.build_people),
            ("assets", lambda: self.clone_roots(Asset, size["assets"] - Asset.objects.count())),
            ("controls + evidence", lambda: self.clone_roots(
                Control, size["controls"] - Control.objects.count(), [Evidence])),
            ("risks + acceptances", lambda: self.clone_roots(
                Risk, size["risks"] - Risk.objects.count(), [RiskAcceptance])),
            ("incidents + timelines, actions, assessments, reports", lambda: self.clone_roots(
                Incident, size["incidents"] - Incident.objects.count(),
                [IncidentEntry, RecoveryAction, BreachAssessment, RegulatoryReport],
                shift_dates=True)),
            ("TLS endpoints + scans, findings", lambda: self.clone_roots(
                WebEndpoint, size["endpoints"] - WebEndpoint.objects.count(),
                [TlsScan, TlsFinding], fresh=fresh_endpoint)),
            ("audits + checklist items, evidence requests", self.build_audits),
            ("nonconformities + actions, checks; improvement actions",
             self.build_improvement),
            ("acknowledgements", self.build_acknowledgements),
            ("training: courses, programmes, assignments, completions, attempts",
             self.build_training),
            # Before the bulk log rows: after them the chain refuses audited writes.
            ("the benchmark's system admin", ensure_admin),
            ("change log", lambda: load_log_rows(
                max(0, size["log"] - ChangeLogEntry.objects.count()),
                object_ids=max(1000, size["assets"]))),
        ]
        from common import timed

        for label, step in steps:
            seconds, _ = timed(step)
            self.say(f"  built {label} in {seconds:.1f} s")


ADMIN = "bench-scale-admin"


def ensure_admin():
    """The system admin the pages are fetched as, with TOTP (signed in as after both)."""
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

    from mamori.core.models import User

    admin, created = User.objects.get_or_create(username=ADMIN,
                                                defaults={"system_role": "admin"})
    if created:
        TOTP.activate(admin, generate_totp_secret())
    return admin


def fresh_endpoint(endpoint, n):
    """An endpoint's address (host, port, server name) is unique: a host of its own."""
    import ipaddress

    from mamori.websec.models import parse_address

    host = endpoint.host
    try:
        ipaddress.ip_address(host)
    except ValueError:  # a name: one of its own
        endpoint.url = endpoint.url.replace(host, f"s{n}.{host}", 1)
    else:  # an address: a port of its own
        endpoint.url = f"{host}:{10000 + n % 50000}"
    endpoint.host, endpoint.port, endpoint.http_path = parse_address(endpoint.url)


def datetime_field():
    from django.db import models

    return models.DateTimeField


def date_field():
    from django.db import models

    return models.DateField


def set_autovacuum(enabled: bool):
    """PostgreSQL: autovacuum (and its ANALYZE) on or off for every Mamori table."""
    if connection.vendor != "postgresql":
        return
    from django.apps import apps

    with connection.cursor() as cursor:
        for model in apps.get_models():
            if model._meta.managed and not model._meta.proxy:
                table = connection.ops.quote_name(model._meta.db_table)
                cursor.execute(f"ALTER TABLE {table} SET (autovacuum_enabled = "
                               f"{'true' if enabled else 'false'})")
                for field in model._meta.local_many_to_many:
                    through = connection.ops.quote_name(field.remote_field.through._meta.db_table)
                    cursor.execute(f"ALTER TABLE {through} SET (autovacuum_enabled = "
                                   f"{'true' if enabled else 'false'})")


def forget_statistics() -> str:
    """Back to "straight after a bulk load": no planner statistics. SQLite: drop
    sqlite_stat1 (and reconnect, as SQLite reads it when it opens the schema). PostgreSQL:
    delete the tables' rows of pg_statistic (needs a superuser; says so otherwise)."""
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("SELECT name FROM sqlite_master WHERE name LIKE 'sqlite_stat%'")
            for (name,) in cursor.fetchall():
                cursor.execute(f"DROP TABLE IF EXISTS {name}")
        connection.close()
        return "sqlite_stat1 dropped"
    from django.apps import apps

    tables = [m._meta.db_table for m in apps.get_models()]
    tables += [f.remote_field.through._meta.db_table for m in apps.get_models()
               for f in m._meta.local_many_to_many]
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("DELETE FROM pg_statistic WHERE starelid = ANY("
                           "SELECT oid FROM pg_class WHERE relname = ANY(%s))", [tables])
            cursor.execute("UPDATE pg_class SET reltuples = -1 WHERE relname = ANY(%s)",
                           [tables])
    except Exception as exc:  # not allowed: say so, measure anyway
        return f"statistics kept ({exc.__class__.__name__}: not a superuser?)"
    return "pg_statistic rows of the tables deleted"


def build(scale: float, say=print) -> float:
    """Demo plus the bulk data; returns the seconds it took."""
    import time

    start = time.perf_counter()
    call_command("migrate", verbosity=0)
    set_autovacuum(False)
    call_command("demo", verbosity=0)
    say(f"  demo loaded in {time.perf_counter() - start:.1f} s")
    Builder(scale, say=say).run()
    return time.perf_counter() - start


def counts() -> dict:
    from django.apps import apps

    return {m._meta.label: m._base_manager.count() for m in apps.get_models()
            if m.__module__.startswith("mamori")}

