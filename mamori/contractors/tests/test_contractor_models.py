"""Contractors, tier rules and screening requirements through the shared UI/API/scope tests
(mamori.core.testing.ScopedModelTests)."""

from mamori.contractors import tables
from mamori.contractors.models import Contractor, ScreeningRequirement, TierRule
from mamori.controls.tests.test_control_models import make_control
from mamori.core.testing import CisoChangesTests, ScopedModelTests

# Corporate numbers with a valid check digit (the first): made up for the tests.
NUMBER_A, NUMBER_B = "7000012050002", "9010401990011"


def make_contractor(department, code, **fields):
    values = {"name_ja": f"委託先 {code}", "name_en": f"Contractor {code}"}
    return Contractor.objects.create(code=code, department=department, **{**values, **fields})


class TestContractor(ScopedModelTests):
    model = Contractor
    api_path = "/api/contractors/contractors/"

    def in_scope_object(self, org):
        return make_contractor(org.sales_east, "K-EAST")  # below the manager's Sales

    def out_of_scope_object(self, org):
        return make_contractor(org.it, "K-IT")

    def create_data(self, org):
        return {"code": "K-100", "name_ja": "株式会社テスト受託", "name_en": "Test Services",
                "corporate_number": NUMBER_A, "department": org.sales.pk,
                "status": "active", "services": "発送代行", "contact_name": "山田 一郎",
                "contact_email": "yamada@example.com", "contact_phone": "03-0000-0000",
                "personal_data": True, "personal_data_categories": "氏名、住所",
                "persons": 1200, "sensitive_data": False, "card_data": False,
                "system_access": False, "country": "JP", "foreign_regime": "",
                "foreign_measures": ""}

    def out_of_scope_create_data(self, org):
        return {**self.create_data(org), "code": "K-101", "corporate_number": NUMBER_B,
                "department": org.it.pk}

    def update_data(self, org, obj):
        return {"code": obj.code, "name_ja": obj.name_ja + "（改）", "name_en": obj.name_en,
                "corporate_number": "", "department": obj.department_id,
                "status": "suspended", "services": "updated", "contact_name": "",
                "contact_email": "", "contact_phone": "", "personal_data": False,
                "personal_data_categories": "", "persons": None, "sensitive_data": False,
                "card_data": False, "system_access": True, "country": "JP",
                "foreign_regime": "", "foreign_measures": ""}

    def make_rows(self, org, n):
        start = Contractor.objects.count()
        Contractor.objects.bulk_create(
            Contractor(code=f"ROW-{start + i:05d}", name_ja=f"委託先{i}", department=org.sales)
            for i in range(n))

    def resource(self):
        return tables.ContractorResource()

    def bad_import_column(self):
        return "corporate_number"


class TestTierRule(CisoChangesTests, ScopedModelTests):
    model = TierRule
    api_path = "/api/contractors/tier-rules/"

    def _rule(self, code, **conditions):
        return TierRule.objects.create(code=code, name_ja=f"規則 {code}", name_en=code,
                                       tier=2, **conditions)

    def in_scope_object(self, org):
        return self._rule("rule-a", needs_card_data=True)

    def out_of_scope_object(self, org):
        return self._rule("rule-b", needs_foreign=True)

    def create_data(self, org):
        return {"code": "big-lists", "name_ja": "大量の個人情報", "name_en": "Large lists",
                "tier": 3, "needs_personal_data": True, "min_persons": 100000,
                "needs_sensitive": False, "needs_card_data": False,
                "needs_system_access": False, "needs_foreign": False}

    def out_of_scope_create_data(self, org):
        return {**self.create_data(org), "code": "big-lists-2"}

    def update_data(self, org, obj):
        return {"code": obj.code, "name_ja": obj.name_ja + "（改）", "name_en": obj.name_en,
                "tier": 1, "needs_personal_data": False, "min_persons": None,
                "needs_sensitive": True, "needs_card_data": False,
                "needs_system_access": False, "needs_foreign": False}

    def make_rows(self, org, n):
        start = TierRule.objects.count()
        TierRule.objects.bulk_create(
            TierRule(code=f"rule-{start + i}", name_ja=f"規則{i}", tier=1,
                     needs_system_access=True) for i in range(n))

    def resource(self):
        return tables.TierRuleResource()

    def bad_import_column(self):
        return "tier"


class TestScreeningRequirement(CisoChangesTests, ScopedModelTests):
    model = ScreeningRequirement
    api_path = "/api/contractors/requirements/"

    def _requirement(self, code):
        return ScreeningRequirement.objects.create(code=code, title_ja=f"要求 {code}",
                                                   title_en=code, sort_key=900)

    def in_scope_object(self, org):
        return self._requirement("req-a")

    def out_of_scope_object(self, org):
        return self._requirement("req-b")

    def create_data(self, org):
        return {"code": "remote-access", "title_ja": "リモートアクセス",
                "title_en": "Remote access", "question_ja": "VPNを使っていますか。",
                "question_en": "Is remote access through a VPN?", "min_tier": 2,
                "sort_key": 200, "appi_refs": "10-6-2", "controls": []}

    def out_of_scope_create_data(self, org):
        return {**self.create_data(org), "code": "remote-access-2"}

    def links(self, org):
        from mamori.controls.models import Control

        control = (Control.objects.filter(code="C-LINKED").first()
                   or make_control(org.it, "C-LINKED"))
        return {"controls": [control.pk]}

    def update_data(self, org, obj):
        return {"code": obj.code, "title_ja": obj.title_ja + "（改）", "title_en": obj.title_en,
                "question_ja": "改", "question_en": "changed", "min_tier": 3, "sort_key": 5,
                "appi_refs": "10-6-1, 10-6-2", "controls": []}

    def make_rows(self, org, n):
        start = ScreeningRequirement.objects.count()
        ScreeningRequirement.objects.bulk_create(
            ScreeningRequirement(code=f"req-{start + i}", title_ja=f"要求{i}")
            for i in range(n))

    def resource(self):
        return tables.ScreeningRequirementResource()

    def bad_import_column(self):
        return "min_tier"
