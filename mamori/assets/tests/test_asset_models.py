"""Assets and classification levels through the shared UI/API/scope tests
(mamori.core.testing.ScopedModelTests)."""

import pytest

from mamori.assets import tables
from mamori.assets.models import Asset, AssetSettings, ClassificationLevel
from mamori.core.testing import CisoChangesTests, ScopedModelTests


def make_asset(department, code, **fields):
    values = {"name_ja": f"資産 {code}", "name_en": f"Asset {code}",
              "asset_type": Asset.Type.INFORMATION, "confidentiality": 2, "integrity": 1,
              "availability": 1}
    return Asset.objects.create(code=code, department=department, **{**values, **fields})


class TestAsset(ScopedModelTests):
    model = Asset
    api_path = "/api/assets/assets/"

    def in_scope_object(self, org):
        return make_asset(org.sales_east, "A-EAST")  # below the manager's Sales

    def out_of_scope_object(self, org):
        return make_asset(org.it, "A-IT")

    def create_data(self, org):
        return {"code": "A-100", "name_ja": "顧客台帳", "name_en": "Customer ledger",
                "asset_type": "information", "description": "営業の顧客一覧",
                "department": org.sales.pk, "custodian": None, "location": "ファイルサーバ",
                "status": "in_use", "confidentiality": 3, "integrity": 2, "availability": 2,
                "has_personal_info": True, "data_subjects": 1200,
                "has_sensitive_personal_info": False, "has_card_data": False,
                "depends_on": []}

    def out_of_scope_create_data(self, org):
        return {**self.create_data(org), "code": "A-101", "department": org.it.pk}

    def links(self, org):
        server = (Asset.objects.filter(code="A-SERVER").first()
                  or make_asset(org.sales, "A-SERVER", asset_type="hardware"))
        return {"depends_on": [server.pk]}

    def update_data(self, org, obj):
        return {"code": obj.code, "name_ja": obj.name_ja + "（改）", "name_en": obj.name_en,
                "asset_type": obj.asset_type, "description": "updated",
                "department": obj.department_id, "custodian": obj.custodian_id,
                "location": "書庫", "status": "retiring", "confidentiality": 1,
                "integrity": 1, "availability": 3, "has_personal_info": False,
                "data_subjects": None, "has_sensitive_personal_info": False,
                "has_card_data": False, "depends_on": []}

    def make_rows(self, org, n):
        start = Asset.objects.count()
        Asset.objects.bulk_create(
            Asset(code=f"ROW-{start + i:05d}", name_ja=f"資産{i}", asset_type="paper",
                  department=org.sales, custodian=org.people["staff"])
            for i in range(n))

    def resource(self):
        return tables.AssetResource()

    def bad_import_column(self):
        return "asset_type"

    def test_created_asset_is_classified(self, org):
        response = org.client("manager").post(self.url("create"),
                                              self.form_data(self.create_data(org)))
        assert response.status_code == 302
        assert Asset.objects.get(code="A-100").classification.code == "confidential"


class TestClassificationLevel(CisoChangesTests, ScopedModelTests):
    model = ClassificationLevel
    api_path = "/api/assets/classification-levels/"

    # The default levels (public 1 … top-secret 4) exist in every database but
    # are not in the change log, so the rows under test are made here, on a 1-10 scale.
    @pytest.fixture(autouse=True)
    def _ten_point_scale(self, db):
        AssetSettings.objects.update(rating_max=10)
    def _level(self, code, rating):
        return ClassificationLevel.objects.create(code=code, name_ja=f"区分{rating}",
                                                  name_en=code.title(), min_rating=rating)

    def in_scope_object(self, org):
        return self._level("level-eight", 8)

    def out_of_scope_object(self, org):
        return self._level("level-nine", 9)

    def create_data(self, org):
        return {"code": "restricted", "name_ja": "極秘", "name_en": "Restricted",
                "min_rating": 6, "handling_ja": "持出し禁止", "handling_en": "Never taken out"}

    def out_of_scope_create_data(self, org):
        return {**self.create_data(org), "code": "restricted-2", "min_rating": 7}

    def update_data(self, org, obj):
        return {"code": obj.code, "name_ja": obj.name_ja + "（改）", "name_en": obj.name_en,
                "min_rating": obj.min_rating, "handling_ja": "施錠保管",
                "handling_en": "Locked away"}

    def make_rows(self, org, n):
        start = 100 + ClassificationLevel.objects.count()
        ClassificationLevel.objects.bulk_create(
            ClassificationLevel(code=f"level-{start + i}", name_ja=f"区分{i}",
                                min_rating=start + i) for i in range(n))

    def resource(self):
        return tables.ClassificationLevelResource()

    def bad_import_column(self):
        return "min_rating"

    def test_staff_read_the_levels_and_change_none(self, org):
        level = self.in_scope_object(org)
        client = org.client("staff")
        assert client.get(self.url("detail", level.pk)).status_code == 200
        assert client.get(self.url("update", level.pk)).status_code == 404
        assert client.post(self.url("delete", level.pk)).status_code == 404
