"""Continuity records through the shared UI/API/scope tests (core.testing.ScopedModelTests):
processes, dependencies, asset recoveries and exercises."""

import datetime

import pytest

from mamori.assets.models import Asset
from mamori.assets.tests.test_asset_models import make_asset
from mamori.continuity import tables
from mamori.continuity.models import AssetRecovery, BusinessProcess, Dependency, Exercise
from mamori.continuity.tests.helpers import make_process
from mamori.core.testing import ScopedModelTests

TODAY = datetime.date(2026, 11, 1)


class TestBusinessProcess(ScopedModelTests):
    model = BusinessProcess
    api_path = "/api/continuity/processes/"

    def in_scope_object(self, org):
        return make_process(org.sales_east, "BP-EAST")

    def out_of_scope_object(self, org):
        return make_process(org.it, "BP-IT")

    def create_data(self, org):
        return {"code": "BP-100", "name_ja": "受付業務", "name_en": "Intake",
                "department": org.sales.pk, "description": "申込の受付",
                "is_service": True, "is_active": True}

    def out_of_scope_create_data(self, org):
        return {**self.create_data(org), "code": "BP-101", "department": org.it.pk}

    def update_data(self, org, obj):
        return {"code": obj.code, "name_ja": obj.name_ja + "（改）", "name_en": obj.name_en,
                "department": obj.department_id, "description": "changed",
                "is_service": False, "is_active": True}

    def make_rows(self, org, n):
        start = BusinessProcess.objects.count()
        BusinessProcess.objects.bulk_create(
            BusinessProcess(code=f"ROW-{start + i:05d}", name_ja=f"業務{i}",
                            department=org.sales) for i in range(n))

    def resource(self):
        return tables.BusinessProcessResource()

    def bad_import_column(self):
        return "department"


class TestDependency(ScopedModelTests):
    model = Dependency
    api_path = "/api/continuity/dependencies/"

    @pytest.fixture(autouse=True)
    def processes(self, org):
        # Made before any test counts rows or log entries.
        make_process(org.sales, "BP-S")
        make_process(org.it, "BP-I")

    def _process(self, department, code):
        return BusinessProcess.objects.get(code=code)

    def in_scope_object(self, org):
        return Dependency.objects.create(process=self._process(org.sales, "BP-S"),
                                         kind="site", name="本社")

    def out_of_scope_object(self, org):
        return Dependency.objects.create(process=self._process(org.it, "BP-I"),
                                         kind="role", name="当番")

    def create_data(self, org):
        return {"process": self._process(org.sales, "BP-S").pk, "kind": "site",
                "asset": None, "contractor": None, "upstream": None, "name": "第2センター",
                "alternative": "在宅勤務", "recovery_hours": "4",
                "backup_interval_hours": None, "note": ""}

    def out_of_scope_create_data(self, org):
        return {**self.create_data(org), "process": self._process(org.it, "BP-I").pk}

    def update_data(self, org, obj):
        return {"process": obj.process_id, "kind": "role", "asset": None,
                "contractor": None, "upstream": None, "name": "責任者", "alternative": "",
                "recovery_hours": "8", "backup_interval_hours": None, "note": "changed"}

    def make_rows(self, org, n):
        process = self._process(org.sales, "BP-S")
        Dependency.objects.bulk_create(Dependency(process=process, kind="site",
                                                  name=f"拠点{i}") for i in range(n))

    def resource(self):
        return tables.DependencyResource()

    def bad_import_column(self):
        return "kind"


class TestAssetRecovery(ScopedModelTests):
    model = AssetRecovery
    api_path = "/api/continuity/asset-recoveries/"

    @pytest.fixture(autouse=True)
    def assets(self, org):
        make_asset(org.sales, "A-NEW")
        make_asset(org.it, "A-NEW-IT")

    def in_scope_object(self, org):
        return AssetRecovery.objects.create(asset=make_asset(org.sales, "A-IN"),
                                            recovery_hours=4, backup_interval_hours=24,
                                            demonstrated_on=TODAY)

    def out_of_scope_object(self, org):
        return AssetRecovery.objects.create(asset=make_asset(org.it, "A-OUT"),
                                            recovery_hours=4, backup_interval_hours=24,
                                            demonstrated_on=TODAY)

    def create_data(self, org):
        asset = Asset.objects.get(code="A-NEW")
        return {"asset": asset.pk, "recovery_hours": "3", "backup_interval_hours": "12",
                "demonstrated_on": "2026-10-01", "exercise": None, "note": ""}

    def out_of_scope_create_data(self, org):
        asset = Asset.objects.get(code="A-NEW-IT")
        return {**self.create_data(org), "asset": asset.pk}

    def update_data(self, org, obj):
        return {"asset": obj.asset_id, "recovery_hours": "2", "backup_interval_hours": "6",
                "demonstrated_on": "2026-10-15", "exercise": None, "note": "changed"}

    def make_rows(self, org, n):
        start = AssetRecovery.objects.count()
        for i in range(n):
            AssetRecovery.objects.create(asset=make_asset(org.sales, f"A-ROW-{start + i}"),
                                         recovery_hours=1, backup_interval_hours=1,
                                         demonstrated_on=TODAY)

    def resource(self):
        return tables.AssetRecoveryResource()

    def bad_import_column(self):
        return "recovery_hours"


class TestExercise(ScopedModelTests):
    model = Exercise
    api_path = "/api/continuity/exercises/"

    def in_scope_object(self, org):
        return Exercise.objects.create(title="机上訓練", kind="tabletop",
                                       department=org.sales, planned_on=TODAY,
                                       scenario="停電")

    def out_of_scope_object(self, org):
        return Exercise.objects.create(title="切替試験", kind="failover", department=org.it,
                                       planned_on=TODAY, scenario="DC障害")

    def create_data(self, org):
        return {"code": "", "title": "ウォークスルー", "kind": "walkthrough",
                "department": org.sales.pk, "planned_on": "2026-11-20", "held_on": None,
                "scenario": "システム停止", "plans": [], "participants": [], "findings": ""}

    def out_of_scope_create_data(self, org):
        return {**self.create_data(org), "department": org.it.pk}

    def update_data(self, org, obj):
        return {"code": obj.code, "title": obj.title + "（改）", "kind": obj.kind,
                "department": obj.department_id, "planned_on": "2026-11-21",
                "held_on": "2026-11-21", "scenario": "changed", "plans": [],
                "participants": [], "findings": "手順書に不足"}

    def make_rows(self, org, n):
        start = Exercise.objects.count()
        Exercise.objects.bulk_create(
            Exercise(code=f"EX-ROW-{start + i}", title=f"訓練{i}", kind="tabletop",
                     department=org.sales, planned_on=TODAY, scenario="x")
            for i in range(n))

    def resource(self):
        return tables.ExerciseResource()

    def bad_import_column(self):
        return "kind"
