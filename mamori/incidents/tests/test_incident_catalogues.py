"""Breach-reporting rules and response targets (catalogues the CISO changes) through the shared
UI/API/scope tests, and the single row of incident settings (core.scope.SettingsScope)."""

import datetime

import pytest
from django.urls import NoReverseMatch, reverse

from mamori.core.testing import (
    CisoChangesTests,
    ScopedModelTests,
    api_client,
    log_entries,
    query_count,
)
from mamori.incidents import tables
from mamori.incidents.models import (
    BreachAssessment,
    BreachRule,
    IncidentSettings,
    ResponseTarget,
)
from mamori.incidents.tests.test_incident_models import NOTICED, api_ids, make_incident

# -- breach-reporting rules ---------------------------------------------------------------------


def test_the_amended_appi_rules_are_installed_not_logged(db):
    rules = {r.code: r for r in BreachRule.objects.all()}
    assert set(rules) == {"appi-2022", "appi-2024"}
    assert rules["appi-2022"].effective_from == datetime.date(2022, 4, 1)
    assert rules["appi-2022"].acquisition_counts_as_wrongful is False
    assert rules["appi-2024"].effective_from == datetime.date(2024, 4, 1)
    assert rules["appi-2024"].acquisition_counts_as_wrongful is True
    for rule in rules.values():
        assert (rule.preliminary_target_days, rule.preliminary_due_days, rule.final_days,
                rule.final_days_wrongful, rule.person_threshold) == (3, 5, 30, 60, 1000)
        assert not log_entries(rule).exists()


class TestBreachRule(CisoChangesTests, ScopedModelTests):
    model = BreachRule
    api_path = "/api/incidents/rules/"

    # The two rules of the amended APPI exist in every database but are not in the change log
    # (they are part of the installation), so the rows under test are made here.
    def in_scope_object(self, org):
        return BreachRule.objects.create(code="rule-2030", name_ja="2030年改正",
                                         name_en="2030 amendment",
                                         effective_from=datetime.date(2030, 4, 1))

    def out_of_scope_object(self, org):
        return BreachRule.objects.create(code="rule-2031", name_ja="2031年改正",
                                         effective_from=datetime.date(2031, 4, 1), final_days=20)

    def create_data(self, org):
        return {"code": "rule-2032", "name_ja": "2032年改正", "name_en": "2032 amendment",
                "effective_from": "2032-04-01", "preliminary_target_days": 3,
                "preliminary_due_days": 5, "final_days": 30, "final_days_wrongful": 60,
                "person_threshold": 500, "awareness_day_is_day_one": True,
                "acquisition_counts_as_wrongful": True, "legal_basis": "個人情報保護法第26条"}

    def out_of_scope_create_data(self, org):
        return {**self.create_data(org), "code": "rule-2033", "effective_from": "2033-04-01"}

    def update_data(self, org, obj):
        return {**self.create_data(org), "code": obj.code, "name_ja": obj.name_ja + "（改）",
                "effective_from": obj.effective_from.isoformat(), "final_days": 45}

    def make_rows(self, org, n):
        start = BreachRule.objects.count()
        BreachRule.objects.bulk_create(
            BreachRule(code=f"rule-{start + i}", name_ja=f"規則{i}",
                       effective_from=datetime.date(2100 + start + i, 1, 1)) for i in range(n))

    def resource(self):
        return tables.BreachRuleResource()

    def bad_import_column(self):
        return "effective_from"

    def test_everyone_reads_the_rules(self, org):
        response = org.client("staff").get(self.url("list"))
        assert len(response.context["rows"]) == 2
        assert response.context["can_add"] is False
        assert len(api_ids(api_client(org.users["staff"]).get(self.api_path))) == 2

    def test_a_rule_in_use_is_not_deleted(self, org):
        incident = make_incident(org.sales, "INC-1")
        BreachAssessment.objects.create(incident=incident)  # aware 2025: the 2024 rule
        rule = BreachRule.objects.get(code="appi-2024")
        response = org.client("ciso").post(self.url("delete", rule.pk))
        assert response.status_code == 302 and response.url == rule.get_absolute_url()
        api = api_client(org.users["ciso"]).delete(f"{self.api_path}{rule.pk}/")
        assert api.status_code == 400
        assert BreachRule.objects.filter(pk=rule.pk).exists()

    def test_the_limit_cannot_come_before_the_target(self, org):
        data = {**self.create_data(org), "preliminary_target_days": 5,
                "preliminary_due_days": 3}
        response = org.client("ciso").post(self.url("create"), self.form_data(data))
        assert response.status_code == 400
        assert "preliminary_due_days" in response.context["form"].errors
        api = api_client(org.users["ciso"]).post(self.api_path, data, format="json")
        assert api.status_code == 400 and "preliminary_due_days" in api.json()
        assert not BreachRule.objects.filter(code="rule-2032").exists()


# -- response targets ---------------------------------------------------------------------------


def test_the_response_targets_are_installed_not_logged(db):
    targets = {t.severity: t for t in ResponseTarget.objects.all()}
    assert {s: (t.contain_within_hours, t.recover_within_hours) for s, t in targets.items()} == {
        "critical": (4, 24), "high": (24, 72), "medium": (72, 168), "low": (168, 720)}
    for target in targets.values():
        assert not log_entries(target).exists()


def test_an_incident_is_due_by_its_severity_s_target(org):
    incident = make_incident(org.sales, "INC-1", severity="critical")
    assert incident.contain_due_at == NOTICED + datetime.timedelta(hours=4)
    assert incident.recover_due_at == NOTICED + datetime.timedelta(hours=24)


class TestResponseTarget(CisoChangesTests, ScopedModelTests):
    """One target per severity: the installed four are removed before each test, so the rows
    under test (which the change log records) can be made."""

    model = ResponseTarget
    api_path = "/api/incidents/response-targets/"

    @pytest.fixture(autouse=True)
    def _no_installed_targets(self, db):
        ResponseTarget.objects.all().delete()

    def in_scope_object(self, org):
        return ResponseTarget.objects.create(severity="critical", contain_within_hours=2,
                                             recover_within_hours=12)

    def out_of_scope_object(self, org):
        return ResponseTarget.objects.create(severity="low", contain_within_hours=100,
                                             recover_within_hours=500)

    def create_data(self, org):
        return {"severity": "high", "contain_within_hours": 12, "recover_within_hours": 48}

    def out_of_scope_create_data(self, org):
        return {**self.create_data(org), "severity": "medium"}

    def update_data(self, org, obj):
        return {"severity": obj.severity, "contain_within_hours": obj.contain_within_hours + 1,
                "recover_within_hours": obj.recover_within_hours + 1}

    def resource(self):
        return tables.ResponseTargetResource()

    def bad_import_column(self):
        return "contain_within_hours"

    # There are four severities, so at most four rows: the query counts compare one row with
    # all four (the mixin's make_rows would add 23).
    def make_all(self):
        for severity, hours in (("medium", 50), ("high", 20), ("low", 150)):
            ResponseTarget.objects.create(severity=severity, contain_within_hours=hours,
                                          recover_within_hours=hours * 2)

    def test_list_query_count_is_constant(self, org):
        client = org.client("admin")
        client.get(self.url("list"))
        self.in_scope_object(org)
        small = query_count(lambda: client.get(self.url("list")))
        self.make_all()
        assert len(client.get(self.url("list")).context["rows"]) == 4
        assert query_count(lambda: client.get(self.url("list"))) == small

    def test_api_list_scope_and_query_count(self, org):
        inside, outside = self.in_scope_object(org), self.out_of_scope_object(org)
        ciso, reader = api_client(org.users["ciso"]), api_client(org.users["staff"])
        assert api_ids(ciso.get(self.api_path)) == {inside.pk, outside.pk}
        assert api_ids(reader.get(self.api_path)) == {inside.pk, outside.pk}
        small, small_reader = (query_count(lambda: ciso.get(self.api_path)),
                               query_count(lambda: reader.get(self.api_path)))
        ResponseTarget.objects.create(severity="medium", contain_within_hours=50,
                                      recover_within_hours=100)
        ResponseTarget.objects.create(severity="high", contain_within_hours=20,
                                      recover_within_hours=40)
        assert len(api_ids(ciso.get(self.api_path))) == 4
        assert query_count(lambda: ciso.get(self.api_path)) == small
        assert query_count(lambda: reader.get(self.api_path)) == small_reader

    def make_rows(self, org, n):
        raise AssertionError("unused: at most four rows exist")

    def test_one_target_per_severity(self, org):
        existing = self.in_scope_object(org)
        data = {**self.create_data(org), "severity": existing.severity}
        response = org.client("ciso").post(self.url("create"), self.form_data(data))
        assert response.status_code == 400 and "severity" in response.context["form"].errors
        api = api_client(org.users["ciso"]).post(self.api_path, data, format="json")
        assert api.status_code == 400 and "severity" in api.json()
        assert ResponseTarget.objects.count() == 1

    def test_recovery_cannot_be_due_before_containment(self, org):
        data = {**self.create_data(org), "contain_within_hours": 48,
                "recover_within_hours": 24}
        response = org.client("ciso").post(self.url("create"), self.form_data(data))
        assert response.status_code == 400
        assert "recover_within_hours" in response.context["form"].errors
        api = api_client(org.users["ciso"]).post(self.api_path, data, format="json")
        assert api.status_code == 400 and "recover_within_hours" in api.json()
        assert not ResponseTarget.objects.exists()

    def test_targets_are_bounded_so_incidents_can_be_saved(self, org):
        """Found by a penetration test: a target of 2,147,483,647 hours was accepted, and
        every later save of an incident of that severity failed (awareness + hours is past
        the year 9999: OverflowError)."""
        huge = {**self.create_data(org), "contain_within_hours": 2**31 - 1,
                "recover_within_hours": 2**31 - 1}
        response = org.client("ciso").post(self.url("create"), self.form_data(huge))
        assert response.status_code == 400
        assert set(response.context["form"].errors) == {"contain_within_hours",
                                                        "recover_within_hours"}
        assert "8760" in response.context["form"].errors["contain_within_hours"][0]
        api = api_client(org.users["ciso"]).post(self.api_path, huge, format="json")
        assert api.status_code == 400
        assert set(api.json()) == {"contain_within_hours", "recover_within_hours"}
        assert not ResponseTarget.objects.exists()
        year = {**self.create_data(org), "contain_within_hours": 8760,
                "recover_within_hours": 8760}
        api = api_client(org.users["ciso"]).post(self.api_path, year, format="json")
        assert api.status_code == 201, api.content
        incident = make_incident(org.sales, "INC-1", severity="high")
        assert incident.recover_due_at == NOTICED + datetime.timedelta(hours=8760)


# -- the settings row ---------------------------------------------------------------------------

SETTINGS_API = "/api/incidents/settings/"


def settings_row():
    return IncidentSettings.objects.get()


def test_one_settings_row_exists_and_its_list_redirects_to_it(org):
    row = settings_row()
    assert (row.team_email, row.reminder_days) == ("", 1)
    assert not log_entries(row).exists()
    response = org.client("staff").get(reverse("incidents:incidentsettings_list"))
    assert response.status_code == 302
    assert response["Location"] == row.get_absolute_url()


@pytest.mark.parametrize("username", ["staff", "it_staff", "manager", "auditor", "ciso"])
def test_everyone_reads_the_settings(org, username):
    row = settings_row()
    response = org.client(username).get(reverse("incidents:incidentsettings_detail",
                                                args=[row.pk]))
    assert response.status_code == 200
    assert response.context["can_change"] is (username == "ciso")
    assert response.context["can_delete"] is False
    [(_t, targets), (_r, rules)] = response.context["related_lists"]
    assert len(targets) == 4 and len(rules) == 2
    api = api_client(org.users[username]).get(SETTINGS_API)
    assert [r["id"] for r in api.json()["results"]] == [row.pk]


@pytest.mark.parametrize("username", ["manager", "staff", "auditor"])
def test_others_cannot_change_the_settings(org, username):
    row = settings_row()
    client = org.client(username)
    url = reverse("incidents:incidentsettings_update", args=[row.pk])
    data = {"team_email": "csirt@example.com", "reminder_days": 3}
    assert client.get(url).status_code == 404
    assert client.post(url, data).status_code == 404
    api = api_client(org.users[username])
    assert api.patch(f"{SETTINGS_API}{row.pk}/", data, format="json").status_code in (403, 404)
    assert (settings_row().team_email, settings_row().reminder_days) == ("", 1)
    assert not log_entries(row).exists()


def test_nobody_adds_or_deletes_a_settings_row(org):
    for action in ("create", "delete", "import", "bulk_delete"):
        with pytest.raises(NoReverseMatch):
            reverse(f"incidents:incidentsettings_{action}",
                    args=[1] if action == "delete" else [])
    row = settings_row()
    for username in ("ciso", "admin"):
        api = api_client(org.users[username])
        assert api.post(SETTINGS_API, {"reminder_days": 2}, format="json").status_code == 405
        assert api.delete(f"{SETTINGS_API}{row.pk}/").status_code == 405
        page = org.client(username).get(row.get_absolute_url())
        assert page.context["can_delete"] is False and page.context["can_add"] is False
    assert IncidentSettings.objects.count() == 1


def test_ciso_changes_the_settings_and_it_is_logged(org):
    row = settings_row()
    response = org.client("ciso").post(
        reverse("incidents:incidentsettings_update", args=[row.pk]),
        {"team_email": "csirt@example.com", "reminder_days": 3})
    assert response.status_code == 302
    assert (settings_row().team_email, settings_row().reminder_days) == (
        "csirt@example.com", 3)
    entry = log_entries(row, "update").get()
    assert (entry.actor_name, entry.source) == ("ciso", "ui")
    assert {name for name, _b, _a in entry.changes()} == {"team_email", "reminder_days"}


def test_admin_changes_the_settings_through_the_api(org):
    row = settings_row()
    response = api_client(org.users["admin"]).patch(f"{SETTINGS_API}{row.pk}/",
                                                    {"reminder_days": 2}, format="json")
    assert response.status_code == 200, response.json()
    assert log_entries(row, "update").get().source == "api"


def test_an_invalid_team_address_is_refused(org):
    row = settings_row()
    response = org.client("ciso").post(
        reverse("incidents:incidentsettings_update", args=[row.pk]),
        {"team_email": "not an address", "reminder_days": 1})
    assert response.status_code == 400 and "team_email" in response.context["form"].errors
    api = api_client(org.users["ciso"]).patch(f"{SETTINGS_API}{row.pk}/",
                                              {"team_email": "x@"}, format="json")
    assert api.status_code == 400 and "team_email" in api.json()
    assert not log_entries(row).exists()


def test_the_settings_page_is_read_with_few_queries(org):
    """The related lists (targets and rules) do not grow the page's queries per row."""
    row = settings_row()
    client = org.client("staff")
    client.get(row.get_absolute_url())
    small = query_count(lambda: client.get(row.get_absolute_url()))
    BreachRule.objects.create(code="rule-2030", name_ja="x",
                              effective_from=datetime.date(2030, 1, 1))
    [_targets, (_label, rules)] = client.get(row.get_absolute_url()).context["related_lists"]
    assert len(rules) == 3
    assert query_count(lambda: client.get(row.get_absolute_url())) == small
