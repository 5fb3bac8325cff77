from mamori.core.api.viewsets import ScopedModelSerializer
from mamori.risks.models import Risk, RiskAcceptance, RiskBand, RiskMethodology, Threat


class ThreatSerializer(ScopedModelSerializer):
    class Meta:
        model = Threat
        fields = ["id", "code", "name_ja", "name_en", "harms", "description", "policy_article"]


class RiskMethodologySerializer(ScopedModelSerializer):
    class Meta:
        model = RiskMethodology
        fields = ["id", "size", "appetite", "acceptance_months", "likelihood_levels",
                  "impact_levels"]


class RiskBandSerializer(ScopedModelSerializer):
    class Meta:
        model = RiskBand
        fields = ["id", "min_score", "name_ja", "name_en", "colour"]


class RiskSerializer(ScopedModelSerializer):
    class Meta:
        model = Risk
        fields = ["id", "code", "title_ja", "title_en", "threat", "assets", "department",
                  "owner", "vulnerability", "status", "likelihood", "impact", "inherent_score",
                  "treatment", "treatment_plan", "controls", "residual_likelihood",
                  "residual_impact", "residual_score", "current_score", "assessed_on",
                  "next_review_on"]
        read_only_fields = ["inherent_score", "residual_score", "current_score"]


class RiskAcceptanceSerializer(ScopedModelSerializer):
    class Meta:
        model = RiskAcceptance
        fields = ["id", "risk", "accepted_by", "accepted_on", "expires_on", "score_accepted",
                  "justification", "revoked_on"]
        read_only_fields = ["score_accepted"]
