"""The demo organisation (`mamori demo`, mamori.org.demo.load_demo)."""

import io
import re
import stat

import pytest
from django.contrib.auth import authenticate
from django.core.management import call_command
from django.db import transaction

from mamori.core.models import ChangeLogEntry, User
from mamori.org.conformance import department_has_manager, one_ciso, person_classified
from mamori.org.demo import EMAIL_DOMAIN, LOGINS_FILE, load_demo
from mamori.org.models import Appointment, Department, Person

pytestmark = pytest.mark.django_db

CISO = Appointment.Role.CISO
IM = Appointment.Role.INFORMATION_MANAGER


@pytest.fixture
def demo(tmp_path):
    return load_demo(tmp_path, io.StringIO())


def test_organisation_has_a_realistic_shape(demo):
    assert demo.created
    assert 12 <= Department.objects.count() <= 20
    assert 450 <= Person.objects.count() <= 550
    categories = set(Person.objects.values_list("category", flat=True))
    assert set(Person.Category.values) <= categories
    assert 6 <= Person.objects.filter(category=Person.Category.OFFICER).count() <= 10
    assert 40 <= Person.objects.filter(category=Person.Category.DISPATCHED).count() <= 80
    assert Person.objects.filter(category=Person.Category.EMPLOYEE).count() > 300

    card = Department.objects.get(name_ja="カード事業部")
    children = set(card.children.values_list("name_ja", flat=True))
    assert {"加盟店営業部", "会員サービス部"} <= children
    assert Department.objects.get(name_ja="システム運用課").parent.name_ja == "システム部"

    person = Person.objects.filter(category=Person.Category.EMPLOYEE).first()
    assert re.fullmatch(r"E\d{5}", person.employee_no)
    assert re.fullmatch(r"\S+ \S+", person.name)
    assert re.fullmatch(r"[ァ-ヶー]+ [ァ-ヶー]+", person.name_kana)
    given, family = person.name_latin.lower().split()
    assert person.email == f"{given}.{family}.{person.employee_no[1:]}@{EMAIL_DOMAIN}"
    assert EMAIL_DOMAIN.endswith(".example")

    assert Person.objects.filter(status=Person.Status.ON_LEAVE).exists()
    left = Person.objects.filter(status=Person.Status.LEFT)
    assert left.exists() and not left.filter(left_on__isnull=True).exists()
    for p in left:
        assert p.joined_on <= p.left_on


def test_officers_sit_in_corporate_planning_or_nowhere(demo):
    officers = Person.objects.filter(category=Person.Category.OFFICER)
    assert not officers.exclude(department__isnull=True).exclude(
        department__name_ja="経営企画部").exists()


def test_one_current_ciso_with_a_predecessor(demo):
    current = Appointment.objects.current().filter(role=CISO)
    assert current.count() == 1
    ciso = current.get().person
    assert ciso.category == Person.Category.EXECUTIVE_OFFICER
    assert ciso.department.name_ja == "情報セキュリティ統括部"
    assert Appointment.objects.filter(role=CISO, end_date__isnull=False).exists()
    assert one_ciso().status == "pass"


def test_information_managers_have_history_and_gaps(demo):
    current = Appointment.objects.current().filter(role=IM).exclude(
        person__status=Person.Status.LEFT)
    unmanaged = Department.objects.active().exclude(pk__in=current.values("department_id"))
    assert 1 <= unmanaged.count() <= 3
    assert department_has_manager().status == "fail"

    handed_over = [
        d for d in Department.objects.all()
        if d.appointments.filter(role=IM, end_date__isnull=False).exists()
        and current.filter(department=d).exists()
    ]
    assert handed_over
    for appointment in current.select_related("person"):
        assert appointment.person.department_id == appointment.department_id
        assert appointment.person.category in (Person.Category.EMPLOYEE,
                                               Person.Category.EXECUTIVE_OFFICER)


def test_a_few_people_are_unclassified(demo):
    result = person_classified()
    assert result.status == "fail"
    assert 2 <= result.failing_count <= 3


def test_logins_file_and_accounts(demo, tmp_path):
    path = tmp_path / LOGINS_FILE
    assert demo.path == path
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert {x.username for x in demo} == {"admin", "ciso", "manager", "auditor", "staff"}

    saved = {line.split("\t")[0]: line.split("\t")[1]
             for line in path.read_text().splitlines() if not line.startswith("#")}
    assert saved == {x.username: x.password for x in demo}
    assert len(set(saved.values())) == len(saved)
    assert all(len(password) >= 16 for password in saved.values())
    admin = authenticate(username="admin", password=saved["admin"])
    assert admin is not None
    assert admin.is_staff and admin.is_superuser
    assert admin.system_role == User.SystemRole.ADMIN
    assert authenticate(username="admin", password="admin") is None

    ciso = User.objects.get(username="ciso")
    assert Appointment.objects.current().get(role=CISO).person.user == ciso
    manager = Person.objects.get(user__username="manager")
    assert Appointment.objects.current().filter(
        role=IM, person=manager, department__name_ja="カード事業部").exists()
    auditor = Person.objects.get(user__username="auditor")
    assert auditor.user.system_role == User.SystemRole.AUDITOR
    assert auditor.department.name_ja == "内部監査部"
    staff = Person.objects.get(user__username="staff")
    assert staff.category == Person.Category.EMPLOYEE
    assert not staff.appointments.exists()
    assert not (staff.user.is_staff or staff.user.is_superuser)


def test_passwords_are_generated_anew_for_each_load(tmp_path):
    with transaction.atomic():
        first = load_demo(tmp_path / "first", io.StringIO())
        transaction.set_rollback(True)
    assert not Person.objects.exists()
    second = load_demo(tmp_path / "second", io.StringIO())
    assert second.created
    for username in ("admin", "ciso", "manager", "auditor", "staff"):
        assert first.password_for(username) != second.password_for(username)


def test_loading_twice_changes_nothing(demo, tmp_path):
    people, entries = Person.objects.count(), ChangeLogEntry.objects.count()
    again = load_demo(tmp_path, io.StringIO())
    assert not again.created
    assert Person.objects.count() == people
    assert ChangeLogEntry.objects.count() == entries
    assert again.logins == demo.logins


def test_change_log_names_the_command(demo):
    entries = ChangeLogEntry.objects.filter(actor_name="command:demo")
    assert entries.filter(model="org.person", action="create").count() == Person.objects.count()
    assert entries.filter(model="org.department").exists()
    assert entries.filter(model="org.appointment").exists()
    assert entries.filter(model="core.user").count() >= 5
    assert set(entries.values_list("source", flat=True)) == {"command"}
    assert not ChangeLogEntry.objects.exclude(actor_name="command:demo").exists()


def test_demo_command_prints_the_logins(tmp_path, settings):
    settings.DATA_DIR = tmp_path
    out = io.StringIO()
    call_command("demo", stdout=out)
    text = out.getvalue()
    saved = (tmp_path / LOGINS_FILE).read_text()
    admin_password = next(line.split("\t")[1] for line in saved.splitlines()
                          if line.startswith("admin\t"))
    assert admin_password in text
    assert "https://127.0.0.1:8443/" in text
    assert "TOTP" in text


def test_the_closing_hint_gives_the_address_served():
    from mamori.org.management.commands.demo import address, serve_command

    assert address("127.0.0.1:8443") == "https://127.0.0.1:8443/"
    assert address("[::1]:9443") == "https://[::1]:9443/"
    assert address("mamori.example.jp:443") == "https://mamori.example.jp:443/"
    everywhere = "0.0.0.0"  # noqa: S104 (what a user may bind to; nothing listens here)
    assert "9000" in address(f"{everywhere}:9000")
    assert everywhere not in address(f"{everywhere}:9000")
    assert serve_command("127.0.0.1:8443") == "mamori serve"
    assert serve_command(f"{everywhere}:9000") == f"mamori serve --bind {everywhere}:9000"
