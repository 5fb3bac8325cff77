"""Threats, risk bands, risks and risk acceptances through the shared UI/API/scope tests
(mamori.core.testing.ScopedModelTests)."""

import datetime

import pytest

from mamori.core.testing import CisoChangesTests, ScopedModelTests, api_client
from mamori.risks import tables
from mamori.risks.models import Risk, RiskAcceptance, RiskBand, RiskMethodology, Threat


def make_risk(department, code, likelihood=2, impact=2, **fields):
    values = {"title_ja": f"リスク {code}", "title_en": f"Risk {code}",
              "threat": Threat.objects.get(code="leakage"),
              "assessed_on": datetime.date(2025, 4, 1)}
    return Risk.objects.create(code=code, department=department, likelihood=likelihood,
                               impact=impact, **{**values, **fields})


def make_acceptance(risk, person, accepted_on=datetime.date(2025, 4, 1), months=6, **fields):
    return RiskAcceptance.objects.create(
        risk=risk, accepted_by=person, accepted_on=accepted_on,
        expires_on=accepted_on + datetime.timedelta(days=30 * months),
        justification=fields.pop("justification", "対策費用が見合わない"), **fields)


class TestThreat(CisoChangesTests, ScopedModelTests):
    model = Threat
    api_path = "/api/risks/threats/"

    # The five threats of Art 5 exist in every database but are not in the change log (they
    # are part of the installation), so the rows under test are made here.
    def in_scope_object(self, org):
        return Threat.objects.create(code="phishing", name_ja="標的型攻撃メール",
                                     name_en="Phishing", harms="C")

    def out_of_scope_object(self, org):
        return Threat.objects.create(code="outage", name_ja="停電", name_en="Power outage",
                                     harms="A")

    def create_data(self, org):
        return {"code": "ransomware", "name_ja": "ランサムウェア", "name_en": "Ransomware",
                "harms": "A", "description": "暗号化による業務停止", "policy_article": ""}

    def out_of_scope_create_data(self, org):
        return {**self.create_data(org), "code": "ransomware-2"}

    def update_data(self, org, obj):
        return {"code": obj.code, "name_ja": obj.name_ja + "（改）", "name_en": obj.name_en,
                "harms": "I", "description": "updated", "policy_article": "5"}

    def make_rows(self, org, n):
        start = Threat.objects.count()
        Threat.objects.bulk_create(Threat(code=f"threat-{start + i}", name_ja=f"脅威{i}",
                                          harms="C") for i in range(n))

    def resource(self):
        return tables.ThreatResource()

    def bad_import_column(self):
        return "harms"

    def test_the_policy_threats_are_installed(self, org):
        assert set(Threat.objects.filter(policy_article="5").values_list("code", flat=True)) >= {
            "unauthorised-access", "tampering", "damage", "loss", "leakage"}
        response = org.client("staff").get(self.url("list"))
        assert len(response.context["rows"]) == 5

    def test_a_threat_in_use_is_not_deleted(self, org):
        threat = self.in_scope_object(org)
        make_risk(org.sales, "R-1", threat=threat)
        response = org.client("ciso").post(self.url("delete", threat.pk))
        assert response.status_code == 302
        assert Threat.objects.filter(pk=threat.pk).exists()
        api = api_client(org.users["ciso"]).delete(f"{self.api_path}{threat.pk}/")
        assert api.status_code == 400
        assert Threat.objects.filter(pk=threat.pk).exists()


class TestRiskBand(CisoChangesTests, ScopedModelTests):
    model = RiskBand
    api_path = "/api/risks/bands/"

    # The three default bands (1, 3, 6) are not in the change log; rows are made here.
    def in_scope_object(self, org):
        return RiskBand.objects.create(min_score=8, name_ja="極めて高い", name_en="Critical",
                                       colour="#7f1d1d")

    @pytest.fixture(autouse=True)
    def _five_by_five(self, db):
        # Scores up to 25, so the bands under test (above the default 3 x 3's 9) can exist.
        RiskMethodology.objects.update(size=5)

    def out_of_scope_object(self, org):
        return RiskBand.objects.create(min_score=5, name_ja="やや高い", name_en="Elevated",
                                       colour="#f76707")

    def create_data(self, org):
        return {"min_score": 9, "name_ja": "最大", "name_en": "Maximum", "colour": "#000000"}

    def out_of_scope_create_data(self, org):
        return {**self.create_data(org), "min_score": 10}

    def update_data(self, org, obj):
        return {"min_score": obj.min_score, "name_ja": obj.name_ja + "（改）",
                "name_en": obj.name_en, "colour": "#AA0000"}

    def make_rows(self, org, n):
        start = 100 + RiskBand.objects.count()
        RiskBand.objects.bulk_create(RiskBand(min_score=start + i, name_ja=f"帯{i}",
                                              colour="#123456") for i in range(n))

    def resource(self):
        return tables.RiskBandResource()

    def bad_import_column(self):
        return "colour"

    @pytest.mark.parametrize("colour", ["red", "#12345", "#1234567", "#12345g", ""])
    def test_a_colour_must_be_six_hex_digits(self, org, colour):
        data = {**self.create_data(org), "colour": colour}
        response = org.client("ciso").post(self.url("create"), self.form_data(data))
        assert response.status_code == 400 and "colour" in response.context["form"].errors
        api = api_client(org.users["ciso"]).post(self.api_path, data, format="json")
        assert api.status_code == 400 and "colour" in api.json()
        assert not RiskBand.objects.filter(min_score=9).exists()


class TestRisk(ScopedModelTests):
    model = Risk
    api_path = "/api/risks/risks/"

    def in_scope_object(self, org):
        return make_risk(org.sales_east, "R-EAST")

    def out_of_scope_object(self, org):
        return make_risk(org.it, "R-IT")

    def create_data(self, org):
        return {"code": "R-100", "title_ja": "顧客台帳の漏洩", "title_en": "Customer data leak",
                "threat": Threat.objects.get(code="leakage").pk, "assets": [],
                "department": org.sales.pk, "owner": org.people["manager"].pk,
                "vulnerability": "持出し制限がない", "status": "assessed", "likelihood": 2,
                "impact": 3, "treatment": "reduce", "treatment_plan": "DLPの導入",
                "controls": [], "residual_likelihood": 1, "residual_impact": 2,
                "assessed_on": "2025-04-01", "next_review_on": "2026-04-01"}

    def out_of_scope_create_data(self, org):
        return {**self.create_data(org), "code": "R-101", "department": org.it.pk,
                "owner": None}

    def links(self, org):
        from mamori.assets.models import Asset
        from mamori.assets.tests.test_asset_models import make_asset
        from mamori.controls.models import Control
        from mamori.controls.tests.test_control_models import make_control

        asset = Asset.objects.filter(code="A-LEDGER").first() or make_asset(org.sales,
                                                                            "A-LEDGER")
        control = Control.objects.filter(code="C-DLP").first() or make_control(org.sales,
                                                                               "C-DLP")
        return {"assets": [asset.pk], "controls": [control.pk]}

    def update_data(self, org, obj):
        return {"code": obj.code, "title_ja": obj.title_ja + "（改）", "title_en": obj.title_en,
                "threat": obj.threat_id, "assets": [], "department": obj.department_id,
                "owner": None, "vulnerability": "再評価", "status": "treating",
                "likelihood": 3, "impact": 3, "treatment": "reduce", "treatment_plan": "",
                "controls": [], "residual_likelihood": 2, "residual_impact": 1,
                "assessed_on": "2025-05-01", "next_review_on": None}

    def make_rows(self, org, n):
        start = Risk.objects.count()
        threat = Threat.objects.get(code="loss")
        Risk.objects.bulk_create(
            Risk(code=f"ROW-{start + i:05d}", title_ja=f"リスク{i}", threat=threat,
                 department=org.sales, owner=org.people["staff"], likelihood=1 + i % 3,
                 impact=1 + (i // 3) % 3) for i in range(n))

    def resource(self):
        return tables.RiskResource()

    def bad_import_column(self):
        return "treatment"

    def test_the_risk_owner_sees_the_risk_but_cannot_change_it(self, org):
        risk = make_risk(org.it, "R-OWNED", owner=org.people["staff"])
        client = org.client("staff")
        assert client.get(self.url("detail", risk.pk)).status_code == 200
        assert client.post(self.url("update", risk.pk),
                           self.form_data(self.update_data(org, risk))).status_code == 404
        other = self.in_scope_object(org)  # in the staff member's department, not theirs
        assert client.get(self.url("detail", other.pk)).status_code == 404


class WithRisks:
    """A Sales risk and an IT risk exist before each test, so that building the data of a
    refused write adds nothing to the change log."""

    @pytest.fixture(autouse=True)
    def _risks(self, org):
        make_risk(org.sales_east, "R-EAST", likelihood=3, impact=3)
        make_risk(org.it, "R-IT", likelihood=3, impact=2)

    def _risk(self, code):
        return Risk.objects.get(code=code)


class TestRiskAcceptance(WithRisks, CisoChangesTests, ScopedModelTests):
    """Only the CISO accepts a residual risk; the manager reads the acceptances of their
    departments' risks (so the reader sees the Sales one, not the IT one)."""

    model = RiskAcceptance
    api_path = "/api/risks/acceptances/"
    no_permission_user = "admin"  # administrators read acceptances but do not accept

    def reader_sees(self, which):
        return which == "inside"

    def in_scope_object(self, org):
        return make_acceptance(self._risk("R-EAST"), org.people["ciso"])

    def out_of_scope_object(self, org):
        return make_acceptance(self._risk("R-IT"), org.people["ciso"])

    def create_data(self, org):
        return {"risk": self._risk("R-EAST").pk, "accepted_by": org.people["ciso"].pk,
                "accepted_on": "2025-04-01", "expires_on": "2026-03-31",
                "justification": "代替策で運用し、次年度に再評価する", "revoked_on": None}

    def out_of_scope_create_data(self, org):
        return {**self.create_data(org), "risk": self._risk("R-IT").pk}

    def update_data(self, org, obj):
        return {"risk": obj.risk_id, "accepted_by": obj.accepted_by_id,
                "accepted_on": obj.accepted_on.isoformat(),
                "expires_on": obj.expires_on.isoformat(),
                "justification": obj.justification, "revoked_on": "2025-06-30"}

    def make_rows(self, org, n):
        risk = self._risk("R-IT")
        start = datetime.date(2025, 1, 1)
        RiskAcceptance.objects.bulk_create(
            RiskAcceptance(risk=risk, accepted_by=org.people["ciso"],
                           accepted_on=start + datetime.timedelta(days=i),
                           expires_on=start + datetime.timedelta(days=100 + i),
                           justification=f"理由{i}", score_accepted=6) for i in range(n))

    def resource(self):
        return tables.RiskAcceptanceResource()

    def bad_import_column(self):
        return "expires_on"

    def test_detail_and_history(self, org):
        super().test_detail_and_history(org)
        inside, outside = RiskAcceptance.objects.order_by("pk")[:2]
        client = org.client(self.reader)
        assert client.get(self.url("detail", inside.pk)).status_code == 200
        assert client.get(self.url("detail", outside.pk)).status_code == 404
        client = org.client("it_staff")
        assert client.get(self.url("detail", inside.pk)).status_code == 404
