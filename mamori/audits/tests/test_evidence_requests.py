"""Evidence requests: the audit team asks, the one asked sees it on My page and answers it
(and nothing else), each new request is e-mailed once, each overdue one escalated once to
the lead auditor; through the shared UI/API/scope tests as well."""

import datetime

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from mamori.audits import tables
from mamori.audits.models import EvidenceRequest
from mamori.audits.tasks import send_requests_and_escalate
from mamori.audits.tests.test_audit_models import WithTwoAudits, make_audit
from mamori.controls.models import Evidence
from mamori.controls.tests.test_control_models import make_control
from mamori.core.testing import ScopedModelTests, api_client, log_entries
from mamori.org.models import Person

DUE = datetime.date(2026, 7, 15)


def ask(audit, person, due_on=DUE, **fields):
    return EvidenceRequest.objects.create(audit=audit, asked_of=person,
                                          request=fields.pop("request", "アクセス権棚卸しの記録"),
                                          due_on=due_on, **fields)


class TestEvidenceRequest(WithTwoAudits, ScopedModelTests):
    model = EvidenceRequest
    api_path = "/api/audits/requests/"

    def in_scope_object(self, org):
        return ask(self._audit("AUD-MINE"), org.people["it_staff"])

    def out_of_scope_object(self, org):
        return ask(self._audit("AUD-OTHER"), org.people["staff"])

    def create_data(self, org):
        return {"audit": self._audit("AUD-MINE").pk, "item": None,
                "asked_of": org.people["it_staff"].pk, "request": "バックアップの復元記録",
                "due_on": "2026-07-20", "status": "open", "response": ""}

    def out_of_scope_create_data(self, org):
        return {**self.create_data(org), "audit": self._audit("AUD-OTHER").pk}

    def update_data(self, org, obj):
        return {**self.create_data(org), "audit": obj.audit_id, "due_on": "2026-07-31"}

    def make_rows(self, org, n):
        audit = self._audit("AUD-OTHER")
        EvidenceRequest.objects.bulk_create(
            EvidenceRequest(audit=audit, asked_of=org.people["staff"], request=f"記録{i}",
                            due_on=DUE) for i in range(n))

    def resource(self):
        return tables.EvidenceRequestResource()

    def bad_import_column(self):
        return "due_on"

    def test_auditor_reads_everything_changes_nothing(self, org):
        """Replaced: the auditor asks for their own audit only."""
        mine, other = self.in_scope_object(org), self.out_of_scope_object(org)
        client = org.client("auditor")
        assert client.get(self.url("detail", mine.pk)).context["can_change"] is True
        assert client.get(self.url("detail", other.pk)).context["can_change"] is False
        assert client.post(self.url("delete", other.pk)).status_code == 404

    def test_the_one_asked_answers_and_changes_nothing_else(self, org):
        # Asked of the information manager of Sales, who keeps Sales' evidence.
        asked = ask(self._audit("AUD-OTHER"), org.people["manager"])
        control = make_control(org.sales_east, "C-9")
        mine = Evidence.objects.create(control=control, kind="note", title="棚卸し記録",
                                       note="確認済み")
        hidden = Evidence.objects.create(control=make_control(org.it, "C-8"), kind="note",
                                         title="IT", note="x")
        client = org.client("manager")
        page = client.get(self.url("detail", asked.pk))
        assert page.context["can_answer"] is True and page.context["can_change"] is False
        assert client.get(self.url("update", asked.pk)).status_code == 404
        url = reverse("audits:evidencerequest_answer", args=[asked.pk])
        assert client.post(url, {"response": "  "}).status_code == 400
        response = client.post(url, {"response": "4月分の記録を添付します",
                                     "evidence": [mine.pk]})
        assert response.status_code == 302
        asked.refresh_from_db()
        assert asked.status == "answered" and asked.answered_on == timezone.localdate()
        assert list(asked.evidence.all()) == [mine]
        entry = log_entries(asked, "update").get()
        assert entry.actor_name == "manager"
        # Answered: no more answering; and nobody else answers.
        assert client.get(url).status_code == 403
        other = ask(self._audit("AUD-MINE"), org.people["it_staff"])
        assert client.get(reverse("audits:evidencerequest_answer",
                                  args=[other.pk])).status_code == 404
        response = api_client(org.users["it_staff"]).post(
            f"{self.api_path}{other.pk}/answer/", {"response": "x", "evidence": [hidden.pk]},
            format="json")
        assert response.status_code == 400  # evidence they cannot see
        response = api_client(org.users["it_staff"]).post(
            f"{self.api_path}{other.pk}/answer/", {"response": "復元テストの記録です"},
            format="json")
        assert response.status_code == 200 and response.json()["status"] == "answered"


@pytest.mark.django_db
def test_asked_once_escalated_once(org):
    for name, address in (("it_staff", "it@example.jp"), ("auditor", "audit@example.jp")):
        Person.objects.filter(pk=org.people[name].pk).update(email=address)
    audit = make_audit(departments=[org.it], lead=org.people["auditor"])
    today = timezone.localdate()
    late = ask(audit, org.people["it_staff"], due_on=today - datetime.timedelta(days=1))
    ask(audit, org.people["it_staff"], due_on=today + datetime.timedelta(days=5),
        request="ログの保存設定")
    counts = send_requests_and_escalate.call()
    assert counts == {"asked": 2, "escalated": 1}
    to = sorted(tuple(m.to) for m in mail.outbox)
    assert to == [("audit@example.jp",), ("it@example.jp",), ("it@example.jp",)]
    overdue = next(m for m in mail.outbox if m.to == ["audit@example.jp"])
    assert late.get_absolute_url() in overdue.body and "----" in overdue.body  # ja, then en
    assert send_requests_and_escalate.call() == {"asked": 0, "escalated": 0}
    assert len(mail.outbox) == 3
    late.refresh_from_db()
    assert late.escalated_on == today and late.notified_on == today
    page = org.client("auditor").get(reverse("core:my_page"))
    panel = next(p for t, p in page.context["panels"] if t == "audits/_my_page.html")
    assert panel["late"] == [late]
    page = org.client("it_staff").get(reverse("core:my_page"))
    panel = next(p for t, p in page.context["panels"] if t == "audits/_my_page.html")
    assert len(panel["asked"]) == 2
