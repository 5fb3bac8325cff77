"""The demo organisation: a fictitious Japanese card company to try Mamori with.

株式会社みなとカード (Minato Card Co., Ltd.) has about 500 people in 18 departments, a CISO
with a predecessor, and information managers with some history. A few records are left
imperfect on purpose, so the conformance checks have something to show:

- two departments have no current information manager (Art 3): the 不正利用対策室 was set up
  recently and nobody has been appointed yet; the head of 総務部 retired on 31 March and has
  no successor;
- three active people lack a category or a department (Art 2), as imported HR data often does.

Everything is generated from a seeded random.Random, so the same seed on the same day gives
the same company. Dates follow the Japanese fiscal year (April to March). Login passwords are
never fixed: they are generated at load time and written to `demo-logins.txt` (mode 0600) in
the data directory.
"""

import datetime
import os
import random
import secrets
from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple

from django.db import transaction
from django.utils.translation import gettext as _

from mamori.core.context import Actor, acting_as
from mamori.core.models import User
from mamori.org.demo_names import FAMILY_NAMES, FEMALE_GIVEN_NAMES, MALE_GIVEN_NAMES
from mamori.org.models import Appointment, Department, Person, today

COMPANY_JA = "株式会社みなとカード"
COMPANY_EN = "Minato Card Co., Ltd."
EMAIL_DOMAIN = "minato-card.example"
DEFAULT_SEED = 3710
LOGINS_FILE = "demo-logins.txt"
DEMO_ACTOR_NAME = "command:demo"

EMPLOYEE, EXECUTIVE = "employee", "executive_officer"


class Dept(NamedTuple):
    code: str
    name_ja: str
    name_en: str
    parent: str | None
    staff: tuple[int, int, int]  # employees (head included), dispatched, contractor staff
    head: str = EMPLOYEE  # category of the department's head
    female_share: float = 0.45
    active: bool = True


DEPARTMENTS = [
    Dept("D100", "経営企画部", "Corporate Planning", None, (12, 1, 0), EXECUTIVE),
    Dept("D110", "人事部", "Human Resources", None, (14, 2, 0), EXECUTIVE, 0.55),
    Dept("D120", "総務部", "General Affairs", None, (16, 3, 2), female_share=0.5),
    Dept("D130", "経理部", "Accounting", None, (15, 2, 0), EXECUTIVE, 0.5),
    Dept("D140", "法務・コンプライアンス部", "Legal & Compliance", None, (12, 0, 0), EXECUTIVE),
    Dept("D200", "カード事業部", "Card Business", None, (10, 1, 0), EXECUTIVE),
    Dept("D210", "加盟店営業部", "Merchant Sales", "D200", (45, 3, 0), female_share=0.35),
    Dept("D220", "会員サービス部", "Member Services", "D200", (38, 6, 0), female_share=0.6),
    Dept("D230", "不正利用対策室", "Fraud Prevention Office", "D200", (12, 2, 0)),
    Dept("D250", "ポイント企画室", "Loyalty Points Office", "D200", (0, 0, 0), active=False),
    Dept("D300", "融資事業部", "Consumer Lending", None, (10, 1, 0), EXECUTIVE),
    Dept("D310", "審査部", "Credit Screening", "D300", (30, 5, 0)),
    Dept("D400", "債権管理部", "Credit Collection", None, (45, 8, 0), EXECUTIVE, 0.4),
    Dept("D500", "コールセンター", "Contact Centre", None, (65, 20, 5), EXECUTIVE, 0.7),
    Dept("D600", "システム部", "IT Systems", None, (20, 2, 8), EXECUTIVE, 0.25),
    Dept("D610", "システム運用課", "IT Operations", "D600", (24, 4, 10), female_share=0.25),
    Dept("D700", "情報セキュリティ統括部", "Information Security Management", None, (12, 0, 0),
         EXECUTIVE, 0.3),
    Dept("D800", "内部監査部", "Internal Audit", None, (10, 0, 0)),
]
MARKER_CODE = DEPARTMENTS[0].code  # present once the demo is loaded
OFFICER_DEPT = "D100"  # the officers (取締役・監査役) sit in Corporate Planning
OFFICERS = 8

CISO_DEPT = "D700"
NOT_YET_APPOINTED = "D230"  # set up recently; nobody appointed yet
RETIRED_MANAGER = "D120"  # the head retired on 31 March; no successor yet
HANDED_OVER = "D220"  # the information manager changed on 1 April
HANDED_OVER_TO = "D500"  # where the previous manager of HANDED_OVER moved
MANAGER_LOGIN_DEPT = "D200"
AUDITOR_LOGIN_DEPT = "D800"
STAFF_LOGIN_DEPT = "D220"

LEFT_SHARE, ON_LEAVE_SHARE = 0.035, 0.035
NUMBER_PREFIX = {"officer": "E", EXECUTIVE: "E", EMPLOYEE: "E", "dispatched": "H",
                 "contractor": "C", "": "E"}


@dataclass(frozen=True)
class DemoLogin:
    username: str
    password: str
    role: str


@dataclass
class DemoLogins:
    """The demo's login accounts; `created` is False when the demo was already loaded."""

    logins: list[DemoLogin] = field(default_factory=list)
    path: Path | None = None
    created: bool = False

    def __iter__(self):
        return iter(self.logins)

    def __len__(self):
        return len(self.logins)

    def password_for(self, username: str) -> str | None:
        return next((x.password for x in self.logins if x.username == username), None)


# --- dates --------------------------------------------------------------------------------

def fiscal_year_start(day: datetime.date) -> datetime.date:
    return datetime.date(day.year if day.month >= 4 else day.year - 1, 4, 1)


def years_before(day: datetime.date, years: int) -> datetime.date:
    return day.replace(year=day.year - years)  # only used on 1 April, never on 29 February


def random_day(rng: random.Random, start: datetime.date, end: datetime.date) -> datetime.date:
    return start + datetime.timedelta(days=rng.randint(0, max(0, (end - start).days)))


def first_of_month(rng, start: datetime.date, end: datetime.date, halves=False) -> datetime.date:
    day = random_day(rng, start, end)
    day = day.replace(day=16 if halves and day.day >= 16 else 1)
    return max(day, start)


# --- people ---------------------------------------------------------------------------------

class Generator:
    """Builds unsaved Person objects; numbers and e-mail addresses are given at the end."""

    def __init__(self, rng: random.Random, on: datetime.date):
        self.rng, self.today, self.fy = rng, on, fiscal_year_start(on)
        self.people: list[Person] = []
        self.parts: dict[int, tuple[str, str]] = {}  # id(person) -> (given latin, family latin)
        self.family_weights = [1 / (rank + 6) for rank in range(len(FAMILY_NAMES))]
        self.used_names: set[tuple[str, str]] = set()

    def name(self, birth_year: int, female: bool):
        """A family and a given name that fit the birth year, not yet used in the company
        (namesakes exist, but they would make the demo confusing)."""
        eras = {"o", "m"} if birth_year < 1970 else {"m", "y"} if birth_year >= 1990 else {"m"}
        pool = [g for g in (FEMALE_GIVEN_NAMES if female else MALE_GIVEN_NAMES) if g[3] in eras]
        while True:
            family = self.rng.choices(FAMILY_NAMES, weights=self.family_weights)[0]
            given = self.rng.choice(pool)
            if (family[0], given[0]) not in self.used_names:
                self.used_names.add((family[0], given[0]))
                return family, given

    def joined(self, category: str, senior: bool, years_ago=None) -> tuple[datetime.date, int]:
        """(joining date, estimated birth year) for a new person of `category`."""
        rng, fy = self.rng, self.fy
        if years_ago is not None:
            day = years_before(fy, years_ago)
            return day, day.year - 22
        if category in ("officer", EXECUTIVE) or senior:
            years = rng.randint(24, 36) if category == "officer" else rng.randint(18, 32)
            day = years_before(fy, years)
            return day, day.year - 22
        if category == "dispatched":
            day = first_of_month(rng, years_before(fy, 4), self.today, halves=True)
            return day, self.today.year - rng.randint(22, 55)
        if category == "contractor":
            day = first_of_month(rng, years_before(fy, 6), self.today)
            return day, self.today.year - rng.randint(24, 58)
        if rng.random() < 0.7:  # hired from university on 1 April
            day = years_before(fy, rng.choice(range(0, 38)))
            return day, day.year - 22
        day = first_of_month(rng, years_before(fy, 20), self.today)  # mid-career hire
        return day, day.year - rng.randint(26, 42)

    def person(self, category: str, dept: Department | None, *, female_share=0.45,
               senior=False, status=None, joined_on=None, years_ago=None) -> Person:
        rng = self.rng
        day, birth_year = self.joined(category, senior, years_ago)
        joined_on = joined_on or day
        family, given = self.name(birth_year, rng.random() < female_share)
        if status is None:
            roll = rng.random()
            status = (Person.Status.LEFT if roll < LEFT_SHARE
                      else Person.Status.ON_LEAVE if roll < LEFT_SHARE + ON_LEAVE_SHARE
                      else Person.Status.ACTIVE)
        left_on = None
        if status == Person.Status.LEFT:
            start = max(joined_on + datetime.timedelta(days=180), years_before(self.fy, 3))
            end = self.today - datetime.timedelta(days=1)
            if start > end:
                status = Person.Status.ACTIVE
            else:
                left_on = random_day(rng, start, end)
        person = Person(
            name=f"{family[0]} {given[0]}", name_kana=f"{family[1]} {given[1]}",
            name_latin=f"{given[2]} {family[2]}", category=category, department=dept,
            status=status, joined_on=joined_on, left_on=left_on,
        )
        self.parts[id(person)] = (given[2], family[2])
        self.people.append(person)
        return person

    def number_everyone(self) -> None:
        """Staff numbers follow joining order within each series, as HR systems issue them."""
        series: dict[str, list[Person]] = {}
        for person in self.people:
            series.setdefault(NUMBER_PREFIX[person.category], []).append(person)
        for prefix, people in series.items():
            people.sort(key=lambda p: p.joined_on)
            for n, person in enumerate(people, start=1):
                person.employee_no = f"{prefix}{n:05d}"
                given, family = self.parts[id(person)]
                suffix = f"{n:05d}" if prefix == "E" else f"{prefix.lower()}{n:05d}"
                person.email = f"{given}.{family}.{suffix}@{EMAIL_DOMAIN}".lower()


@dataclass
class Organisation:
    departments: dict[str, Department]
    heads: dict[str, Person]
    officers: list[Person]
    former_manager: Person  # information manager of HANDED_OVER until 31 March
    staff_by_dept: dict[str, list[Person]]


def create_departments() -> dict[str, Department]:
    created: dict[str, Department] = {}
    for d in DEPARTMENTS:
        created[d.code] = Department.objects.create(
            code=d.code, name_ja=d.name_ja, name_en=d.name_en,
            parent=created[d.parent] if d.parent else None, is_active=d.active,
        )
    return created


def generate_people(gen: Generator, departments: dict[str, Department]) -> Organisation:
    heads, staff_by_dept = {}, {}
    officers = [gen.person("officer", departments[OFFICER_DEPT], female_share=0.15,
                           status=Person.Status.ACTIVE) for _ in range(OFFICERS)]
    for d in DEPARTMENTS:
        dept = departments[d.code]
        employees, dispatched, contractors = d.staff
        if d.active and employees:
            retired = d.code == RETIRED_MANAGER
            heads[d.code] = gen.person(
                d.head, dept, female_share=d.female_share / 2, senior=True,
                status=Person.Status.LEFT if retired else Person.Status.ACTIVE,
                years_ago=38 if retired else None,
            )
            if retired:  # 定年退職 at the end of the last fiscal year
                heads[d.code].left_on = gen.fy - datetime.timedelta(days=1)
        regular = max(0, employees - (1 if d.head == EMPLOYEE else 0))
        members = [gen.person(EMPLOYEE, dept, female_share=d.female_share) for _ in range(regular)]
        members += [gen.person("dispatched", dept, female_share=d.female_share)
                    for _ in range(dispatched)]
        members += [gen.person("contractor", dept, female_share=d.female_share / 2)
                    for _ in range(contractors)]
        staff_by_dept[d.code] = members
    former = gen.person(EMPLOYEE, departments[HANDED_OVER_TO], senior=True,
                        status=Person.Status.ACTIVE)
    add_unclassified(gen, departments)
    return Organisation(departments, heads, officers, former, staff_by_dept)


def add_unclassified(gen: Generator, departments: dict[str, Department]) -> None:
    """Three active people as HR data often has them: no category, or no department yet."""
    this_month = gen.today.replace(day=1)
    active = Person.Status.ACTIVE
    gen.person("", departments["D500"], female_share=0.7, status=active)
    gen.person(EMPLOYEE, None, status=active, joined_on=this_month)
    gen.person("dispatched", None, status=active, joined_on=this_month)


# --- appointments ---------------------------------------------------------------------------

def appoint(person, role, start, end=None, department=None, note="") -> Appointment:
    appointment = Appointment(person=person, role=role, department=department,
                              start_date=start, end_date=end, note=note)
    appointment.full_clean()  # no overlapping posts, dates in order
    appointment.save()
    return appointment


def create_appointments(org: Organisation, rng: random.Random, fy: datetime.date) -> int:
    ciso, im = Appointment.Role.CISO, Appointment.Role.INFORMATION_MANAGER
    last_day = fy - datetime.timedelta(days=1)
    ciso_since = years_before(fy, 1)
    appoint(org.officers[2], ciso, years_before(fy, 5), ciso_since - datetime.timedelta(days=1),
            note="取締役就任に伴い退任")
    appoint(org.heads[CISO_DEPT], ciso, ciso_since, note="取締役会決議により選任")
    count = 2
    for d in DEPARTMENTS:
        head, dept = org.heads.get(d.code), org.departments[d.code]
        if head is None or d.code == NOT_YET_APPOINTED:
            continue
        if d.code == RETIRED_MANAGER:
            appoint(head, im, years_before(fy, 6), last_day, dept, note="定年退職により退任")
        elif d.code == HANDED_OVER:
            appoint(org.former_manager, im, years_before(fy, 4), last_day, dept,
                    note="コールセンターへの異動に伴い退任")
            appoint(head, im, fy, None, dept, note="前任者の異動に伴い選任")
            count += 1
        else:
            since = ciso_since if d.code == CISO_DEPT else years_before(fy, rng.randint(0, 4))
            appoint(head, im, max(since, head.joined_on), None, dept)
        count += 1
    return count


# --- logins ---------------------------------------------------------------------------------

def ordinary_member(org: Organisation, code: str) -> Person:
    return next(p for p in org.staff_by_dept[code]
                if p.category == EMPLOYEE and p.status == Person.Status.ACTIVE)


def create_logins(org: Organisation) -> list[DemoLogin]:
    ciso, manager = org.heads[CISO_DEPT], org.heads[MANAGER_LOGIN_DEPT]
    auditor = ordinary_member(org, AUDITOR_LOGIN_DEPT)
    staff = ordinary_member(org, STAFF_LOGIN_DEPT)
    depts = org.departments
    specs = [
        ("admin", None, User.SystemRole.ADMIN,
         _("Administrator (also the Django admin)")),
        ("ciso", ciso, User.SystemRole.STAFF,
         _("CISO: %(name)s") % {"name": ciso}),
        ("manager", manager, User.SystemRole.STAFF,
         _("Information manager of %(department)s: %(name)s")
         % {"department": depts[MANAGER_LOGIN_DEPT], "name": manager}),
        ("auditor", auditor, User.SystemRole.AUDITOR,
         _("Auditor in %(department)s: %(name)s")
         % {"department": depts[AUDITOR_LOGIN_DEPT], "name": auditor}),
        ("staff", staff, User.SystemRole.STAFF,
         _("Staff member in %(department)s: %(name)s")
         % {"department": depts[STAFF_LOGIN_DEPT], "name": staff}),
    ]
    logins = []
    for username, person, system_role, role in specs:
        password = secrets.token_urlsafe(12)
        is_admin = system_role == User.SystemRole.ADMIN
        family, _space, given = person.name.partition(" ") if person else ("", "", "")
        user = User.objects.create_user(
            username, email=person.email if person else "", password=password,
            first_name=given, last_name=family, system_role=system_role,
            is_staff=is_admin, is_superuser=is_admin,
        )
        if person is not None:
            person.user = user
            person.save(update_fields=["user"])
        logins.append(DemoLogin(username, password, str(role)))
    return logins


def write_logins(path: Path, logins: list[DemoLogin]) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.fchmod(fd, 0o600)  # also when the file was already there with looser rights
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(f"# {COMPANY_JA} ({COMPANY_EN}): Mamori demo logins. Keep this file "
                     "private.\n# username\tpassword\trole\n")
        for login in logins:
            handle.write(f"{login.username}\t{login.password}\t{login.role}\n")


def read_logins(path: Path) -> list[DemoLogin]:
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except FileNotFoundError:
        return []
    return [DemoLogin(*line.split("\t", 2)) for line in lines
            if line.strip() and not line.startswith("#") and line.count("\t") >= 2]


# --- entry point ----------------------------------------------------------------------------

def say(stdout, message: str) -> None:
    if stdout is not None:
        stdout.write(message + "\n")


def load_demo(data_dir: Path, stdout=None, seed: int = DEFAULT_SEED) -> DemoLogins:
    """Create the demo organisation once; later calls return the logins saved the first time."""
    data_dir = Path(data_dir)
    data_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
    path = data_dir / LOGINS_FILE
    if Department.objects.filter(code=MARKER_CODE).exists():
        say(stdout, _("The demo organisation is already loaded; nothing was changed."))
        return DemoLogins(read_logins(path), path, created=False)

    say(stdout, _("Creating the demo organisation %(company)s…") % {"company": COMPANY_JA})
    rng = random.Random(seed)  # noqa: S311 -- demo data, not secrets (passwords use secrets)
    actor = Actor(user_id=None, name=DEMO_ACTOR_NAME, source="command")
    with acting_as(actor), transaction.atomic():
        if Department.objects.select_for_update().filter(code=MARKER_CODE).exists():
            return DemoLogins(read_logins(path), path, created=False)  # a parallel load won
        gen = Generator(rng, today())
        departments = create_departments()
        org = generate_people(gen, departments)
        gen.number_everyone()
        Person.objects.bulk_create(gen.people)
        appointments = create_appointments(org, rng, gen.fy)
        logins = create_logins(org)
        write_logins(path, logins)  # inside the transaction: no file, no demo
    say(stdout, _("Created %(departments)d departments, %(people)d people, %(appointments)d "
                  "appointments and %(logins)d logins.") % {
        "departments": len(departments), "people": len(gen.people),
        "appointments": appointments, "logins": len(logins)})
    return DemoLogins(logins, path, created=True)
