"""Reminders of training soon due and escalation of overdue training: once per stage, one
message per person and one digest per information manager, Japanese then English."""

import datetime

from django.core import mail
from django.utils import timezone

from mamori.org.models import Person
from mamori.training import tasks
from mamori.training.models import Assignment
from mamori.training.tests.coverage_fixtures import add_people, complete, programme


def days(n):
    return timezone.localdate() + datetime.timedelta(days=n)


def with_email(org):
    for name, person in org.people.items():
        Person.objects.filter(pk=person.pk).update(email=f"{name}@example.com")


def test_people_are_reminded_once_of_everything_due_soon(org):
    with_email(org)
    first, second = programme("first"), programme("second")
    Assignment.objects.filter(programme=first).update(due_on=days(3))
    Assignment.objects.filter(programme=second, person=org.people["staff"]).update(
        due_on=days(7))
    Assignment.objects.filter(programme=second).exclude(person=org.people["staff"]).update(
        due_on=days(20))  # beyond the 7 reminder days
    complete(first, org.people["auditor"])  # done: no reminder
    result = tasks.remind_and_escalate.call()
    assert result == {"reminded": 5, "escalated": 0}
    assert sorted(m.to[0] for m in mail.outbox) == [
        "ciso@example.com", "it_staff@example.com", "manager@example.com",
        "staff@example.com"]
    staff_mail = next(m for m in mail.outbox if m.to == ["staff@example.com"])
    assert "研修 first" in staff_mail.body and "Training second" in staff_mail.body
    assert staff_mail.body.index("研修 first") < staff_mail.body.index("Training first")
    assert Assignment.objects.filter(reminded_on=timezone.localdate()).count() == 5
    mail.outbox.clear()
    assert tasks.remind_and_escalate.call() == {"reminded": 0, "escalated": 0}
    assert mail.outbox == []


def test_overdue_training_is_escalated_once_to_the_departments_managers(org):
    with_email(org)
    made = programme()
    Assignment.objects.filter(programme=made).update(due_on=days(-1))
    complete(made, org.people["ciso"], org.people["auditor"])
    result = tasks.remind_and_escalate.call()
    assert result == {"reminded": 0, "escalated": 3}  # manager, staff, it_staff
    by_recipient = {m.to[0]: m.body for m in mail.outbox}
    # The manager answers for Sales and Sales East; IT has no manager, so the CISO is told.
    assert set(by_recipient) == {"manager@example.com", "ciso@example.com"}
    assert "テスト manager" in by_recipient["manager@example.com"]
    assert "テスト staff" in by_recipient["manager@example.com"]
    assert "Test staff" in by_recipient["manager@example.com"]  # the English half
    assert "テスト it_staff" in by_recipient["ciso@example.com"]
    assert "テスト staff" not in by_recipient["ciso@example.com"]
    assert all(m.subject.startswith("[Mamori]") for m in mail.outbox)
    mail.outbox.clear()
    assert tasks.remind_and_escalate.call() == {"reminded": 0, "escalated": 0}
    assert mail.outbox == []


def test_work_is_done_in_chunks(org, monkeypatch):
    with_email(org)
    monkeypatch.setattr(tasks, "CHUNK", 2)
    add_people(org, 5, Person.Category.EMPLOYEE, org.sales_east)
    made = programme()
    Assignment.objects.filter(programme=made).update(due_on=days(1))
    assert tasks.remind_and_escalate.call()["reminded"] == 10
    assert len(mail.outbox) == 5  # only the people with an address
    Assignment.objects.filter(programme=made).update(due_on=days(-1))
    mail.outbox.clear()
    assert tasks.remind_and_escalate.call()["escalated"] == 10
    manager_mail = [m for m in mail.outbox if m.to == ["manager@example.com"]]
    assert len(manager_mail) == 1  # one digest, whatever the chunks
    body = manager_mail[0].body
    assert body.count("追加") == 5 and body.count("Extra") == 5  # Japanese, then English
