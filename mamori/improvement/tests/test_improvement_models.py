"""Nonconformities, corrective actions and improvement actions through the shared
UI/API/scope tests (mamori.core.testing.ScopedModelTests), with the rules each adds: who
deletes, who owns an action, and that a closed nonconformity is changed by nobody."""

import datetime

import pytest

from mamori.core.testing import ScopedModelTests, api_client, log_entries
from mamori.improvement import tables
from mamori.improvement.models import (
    CorrectiveAction,
    ImprovementAction,
    Nonconformity,
)

DAY = datetime.date(2026, 4, 1)


def make_nc(department, title="アクセス権の棚卸し漏れ", severity="minor", **fields):
    return Nonconformity.objects.create(title=title, severity=severity, department=department,
                                        raised_on=fields.pop("raised_on", DAY), **fields)


def make_action(nc, owner, title="棚卸し手順の改訂", due_on=DAY + datetime.timedelta(days=30),
                **fields):
    return CorrectiveAction.objects.create(nonconformity=nc, title=title, owner=owner,
                                           due_on=due_on, **fields)


def rows_shown(response):
    return {obj.pk for obj, _cells in response.context["rows"]}


def api_ids(response):
    return {row["id"] for row in response.json()["results"]}


class TestNonconformity(ScopedModelTests):
    model = Nonconformity
    api_path = "/api/improvement/nonconformities/"

    def in_scope_object(self, org):
        # Raised by the information manager about their own department (self-identified).
        return make_nc(org.sales, raised_by=org.people["manager"])

    def out_of_scope_object(self, org):
        return make_nc(org.it, title="バックアップ復元テスト未実施")

    def create_data(self, org):
        return {"code": "", "title": "鍵の貸出記録の欠落", "description": "3件の記録がない",
                "severity": "minor", "source": "self_identified", "source_reference": "",
                "policy_article": "5", "requirement": "物理的セキュリティ規程 第3条",
                "department": org.sales.pk, "raised_on": "2026-04-10", "correction": "",
                "correction_done_on": None, "root_cause": ""}

    def out_of_scope_create_data(self, org):
        return {**self.create_data(org), "department": org.it.pk}

    def update_data(self, org, obj):
        return {"code": obj.code, "title": obj.title, "description": obj.description,
                "severity": obj.severity, "source": obj.source,
                "source_reference": obj.source_reference,
                "policy_article": obj.policy_article, "requirement": obj.requirement,
                "department": obj.department_id, "raised_on": obj.raised_on.isoformat(),
                "correction": "記録を補完した", "correction_done_on": "2026-04-12",
                "root_cause": "貸出簿の様式に返却欄がなかった"}

    def make_rows(self, org, n):
        start = Nonconformity.objects.count()
        Nonconformity.objects.bulk_create(
            Nonconformity(code=f"NC-T-{start + i}", title=f"不適合{i}", severity="minor",
                          department=org.sales, raised_on=DAY) for i in range(n))

    def resource(self):
        return tables.NonconformityResource()

    def bad_import_column(self):
        return "severity"

    # Only the CISO and administrators delete a nonconformity: the department answering it
    # may not make it disappear.
    def test_delete_in_scope_is_logged(self, org):
        obj = self.in_scope_object(org)
        assert org.client("manager").post(self.url("delete", obj.pk)).status_code == 404
        assert api_client(org.users["manager"]).delete(
            f"{self.api_path}{obj.pk}/").status_code == 404
        response = org.client("ciso").post(self.url("delete", obj.pk))
        assert response.status_code == 302
        assert not Nonconformity.objects.filter(pk=obj.pk).exists()
        assert log_entries(obj, "delete").count() == 1

    def test_api_create_update_delete_in_scope(self, org):
        client = api_client(org.users["manager"])
        response = client.post(self.api_path, self.create_data(org), format="json")
        assert response.status_code == 201, response.json()
        body = response.json()
        created = Nonconformity.objects.get(pk=body["id"])
        assert body["code"].startswith("NC-") and body["status"] == "open"
        assert created.raised_by == org.people["manager"]
        assert log_entries(created, "create").get().source == "api"
        response = client.patch(f"{self.api_path}{created.pk}/",
                                self.update_data(org, created), format="json")
        assert response.status_code == 200, response.json()
        assert client.delete(f"{self.api_path}{created.pk}/").status_code == 404
        ciso = api_client(org.users["ciso"])
        assert ciso.delete(f"{self.api_path}{created.pk}/").status_code == 204
        assert log_entries(created, "delete").count() == 1

    def test_numbers_are_given_per_year_and_kept(self, org):
        first, second = make_nc(org.sales), make_nc(org.sales)
        year = datetime.date.today().year
        assert (first.code, second.code) == (f"NC-{year}-0001", f"NC-{year}-0002")
        response = api_client(org.users["ciso"]).patch(
            f"{self.api_path}{first.pk}/", {"code": "NC-X"}, format="json")
        assert response.status_code == 400 and "code" in response.json()

    def test_staff_see_what_they_raised_or_own_an_action_of(self, org):
        owned = make_nc(org.it, title="owned")
        make_action(owned, org.people["staff"])
        raised = make_nc(org.it, title="raised", raised_by=org.people["staff"])
        make_nc(org.sales_east, title="their department's, not theirs")
        client = org.client("staff")
        assert rows_shown(client.get(self.url("list"))) == {owned.pk, raised.pk}
        assert api_ids(api_client(org.users["staff"]).get(self.api_path)) == {
            owned.pk, raised.pk}
        detail = client.get(self.url("detail", owned.pk))
        assert detail.status_code == 200 and detail.context["can_change"] is False
        assert client.get(self.url("update", owned.pk)).status_code == 404

    def test_a_closed_nonconformity_is_changed_by_nobody(self, org):
        nc = self.in_scope_object(org)
        Nonconformity.objects.filter(pk=nc.pk).update(status="closed")
        logged = log_entries(nc).count()
        for user in ("manager", "ciso", "admin"):
            client = org.client(user)
            assert client.get(self.url("detail", nc.pk)).context["can_change"] is False
            assert client.post(self.url("update", nc.pk), self.form_data(
                self.update_data(org, nc))).status_code == 404
            assert client.post(self.url("delete", nc.pk)).status_code == 404
            assert api_client(org.users[user]).patch(
                f"{self.api_path}{nc.pk}/", {"root_cause": "x"},
                format="json").status_code == 404
        assert log_entries(nc).count() == logged


class WithNonconformities:
    """Open nonconformities of Sales and IT exist before each test, so that building the data
    of a refused write adds nothing to the change log."""

    @pytest.fixture(autouse=True)
    def _nonconformities(self, org):
        make_nc(org.sales, title="SALES", code="NC-SALES")
        make_nc(org.it, title="IT", code="NC-IT")

    def _nc(self, code):
        return Nonconformity.objects.get(code=code)


class TestCorrectiveAction(WithNonconformities, ScopedModelTests):
    model = CorrectiveAction
    api_path = "/api/improvement/corrective-actions/"

    def in_scope_object(self, org):
        return make_action(self._nc("NC-SALES"), org.people["manager"])

    def out_of_scope_object(self, org):
        return make_action(self._nc("NC-IT"), org.people["it_staff"])

    def create_data(self, org):
        return {"nonconformity": self._nc("NC-SALES").pk, "title": "貸出簿の様式改訂",
                "owner": org.people["staff"].pk, "due_on": "2026-05-15", "done_on": None,
                "notes": "総務と調整"}

    def out_of_scope_create_data(self, org):
        return {**self.create_data(org), "nonconformity": self._nc("NC-IT").pk}

    def update_data(self, org, obj):
        return {"nonconformity": obj.nonconformity_id, "title": obj.title,
                "owner": obj.owner_id, "due_on": obj.due_on.isoformat(),
                "done_on": "2026-04-20", "notes": "完了"}

    def make_rows(self, org, n):
        nc = self._nc("NC-SALES")
        CorrectiveAction.objects.bulk_create(
            CorrectiveAction(nonconformity=nc, title=f"処置{i}", owner=org.people["staff"],
                             due_on=DAY) for i in range(n))

    def resource(self):
        return tables.CorrectiveActionResource()

    def bad_import_column(self):
        return "due_on"

    def test_the_owner_records_progress_on_their_action(self, org):
        own = make_action(self._nc("NC-IT"), org.people["staff"])
        other = self.in_scope_object(org)
        client = org.client("staff")
        assert rows_shown(client.get(self.url("list"))) == {own.pk}
        assert client.get(self.url("detail", other.pk)).status_code == 404
        response = client.post(self.url("update", own.pk),
                               self.form_data(self.update_data(org, own)))
        assert response.status_code == 302, response.context["form"].errors
        own.refresh_from_db()
        assert own.done_on == datetime.date(2026, 4, 20)
        assert client.post(self.url("delete", own.pk)).status_code == 404
        assert client.get(self.url("create")).status_code == 403

    def test_a_done_date_still_to_come_is_refused(self, org):
        action = self.in_scope_object(org)
        data = {**self.update_data(org, action),
                "done_on": (datetime.date.today() + datetime.timedelta(days=2)).isoformat()}
        response = org.client("manager").post(self.url("update", action.pk),
                                              self.form_data(data))
        assert response.status_code == 400 and "done_on" in response.context["form"].errors

    def test_the_actions_of_a_closed_nonconformity_are_kept_as_they_were(self, org):
        action = self.in_scope_object(org)
        Nonconformity.objects.filter(pk=action.nonconformity_id).update(status="closed")
        for user in ("manager", "ciso"):
            client = org.client(user)
            assert client.post(self.url("update", action.pk), self.form_data(
                self.update_data(org, action))).status_code == 404
        response = org.client("ciso").post(self.url("create"),
                                           self.form_data(self.create_data(org)))
        assert response.status_code == 400 and "nonconformity" in response.context["form"].errors
        assert CorrectiveAction.objects.count() == 1


class TestImprovementAction(ScopedModelTests):
    model = ImprovementAction
    api_path = "/api/improvement/actions/"

    def in_scope_object(self, org):
        return ImprovementAction.objects.create(
            title="朝礼での注意喚起", department=org.sales, raised_on=DAY,
            due_on=DAY + datetime.timedelta(days=30))

    def out_of_scope_object(self, org):
        return ImprovementAction.objects.create(
            title="監視項目の追加", department=org.it, raised_on=DAY,
            due_on=DAY + datetime.timedelta(days=30))

    def create_data(self, org):
        return {"code": "", "title": "手順書の見直し", "description": "",
                "source": "audit", "source_reference": "FY2026-01",
                "department": org.sales.pk, "owner": org.people["staff"].pk,
                "raised_on": "2026-04-01", "due_on": "2026-06-30", "status": "open",
                "completed_on": None, "outcome": ""}

    def out_of_scope_create_data(self, org):
        return {**self.create_data(org), "department": org.it.pk}

    def update_data(self, org, obj):
        return {"code": obj.code, "title": obj.title, "description": obj.description,
                "source": obj.source, "source_reference": obj.source_reference,
                "department": obj.department_id, "owner": org.people["staff"].pk,
                "raised_on": obj.raised_on.isoformat(), "due_on": obj.due_on.isoformat(),
                "status": "done", "completed_on": "2026-04-20", "outcome": "実施済み"}

    def make_rows(self, org, n):
        start = ImprovementAction.objects.count()
        ImprovementAction.objects.bulk_create(
            ImprovementAction(code=f"IA-T-{start + i}", title=f"改善{i}", department=org.sales,
                              raised_on=DAY, due_on=DAY) for i in range(n))

    def resource(self):
        return tables.ImprovementActionResource()

    def bad_import_column(self):
        return "due_on"

    @pytest.mark.parametrize(("changes", "field"), [
        ({"status": "done", "completed_on": None}, "completed_on"),
        ({"status": "open", "completed_on": "2026-04-20"}, "completed_on"),
        ({"status": "declined", "completed_on": "2026-04-20", "outcome": " "}, "outcome"),
        ({"due_on": "2026-03-01"}, "due_on"),
    ])
    def test_inconsistent_completions_are_refused(self, org, changes, field):
        data = {**self.create_data(org), **changes}
        response = org.client("manager").post(self.url("create"), self.form_data(data))
        assert response.status_code == 400 and field in response.context["form"].errors
        api = api_client(org.users["manager"]).post(self.api_path, data, format="json")
        assert api.status_code == 400 and field in api.json()
        assert not ImprovementAction.objects.exists()

    def test_the_owner_sees_and_completes_their_action(self, org):
        own = self.out_of_scope_object(org)
        ImprovementAction.objects.filter(pk=own.pk).update(owner=org.people["staff"])
        self.in_scope_object(org)
        client = org.client("staff")
        assert rows_shown(client.get(self.url("list"))) == {own.pk}
        response = api_client(org.users["staff"]).patch(
            f"{self.api_path}{own.pk}/", {"status": "done", "completed_on": "2026-04-20",
                                          "outcome": "済"}, format="json")
        assert response.status_code == 200, response.json()
        assert client.post(self.url("delete", own.pk)).status_code == 404
