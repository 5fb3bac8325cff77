"""Policy Art 12: the measures (KPIs) that show how information security performs, the
security objectives they track, and the management reviews that read them and decide."""

from mamori.review.models.measures import Frequency, Measure, Measurement, ReviewSettings
from mamori.review.models.objectives import Objective
from mamori.review.models.reviews import ManagementReview, ReviewDecision, ReviewPack

__all__ = ["Frequency", "ManagementReview", "Measure", "Measurement", "Objective",
           "ReviewDecision", "ReviewPack", "ReviewSettings"]
