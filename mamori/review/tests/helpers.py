"""Records the review tests start from."""

import datetime

from django.utils import timezone

from mamori.core.dates import add_months
from mamori.review.models import ManagementReview, Measure, Objective, ReviewDecision


def days(n: int) -> datetime.date:
    """Today plus `n` days (minus, when negative)."""
    return timezone.localdate() + datetime.timedelta(days=n)


def make_review(org, *, held_on=None, attendees=("manager",), **fields) -> ManagementReview:
    review = ManagementReview.objects.create(
        title=fields.pop("title", "マネジメントレビュー"), held_on=held_on or days(-1),
        chair=org.people["ciso"], **fields)
    review.attendees.set([org.people[name] for name in attendees])
    return review


def frozen_review(org, **fields) -> ManagementReview:
    """A review whose inputs are frozen, by the CISO's step."""
    from mamori.review import workflow

    review = make_review(org, **fields)
    workflow.freeze(org.users["ciso"], review)
    review.refresh_from_db()
    return review


def make_decision(org, review, *, due_on=None, owner="manager", **fields) -> ReviewDecision:
    return ReviewDecision.objects.create(
        review=review, decision=fields.pop("decision", "教育計画を見直す"),
        department=fields.pop("department", org.sales), owner=org.people[owner],
        due_on=due_on or days(30), **fields)


def make_measure(code="phishing-click-rate", **fields) -> Measure:
    return Measure.objects.create(code=code, title_ja=fields.pop("title_ja", "訓練メール開封率"),
                                  title_en=fields.pop("title_en", "Phishing click rate"),
                                  **fields)


def make_objective(org, *, target_on=None, **fields) -> Objective:
    return Objective.objects.create(title=fields.pop("title", "全社員の受講率 95%"),
                                    owner=org.people[fields.pop("owner", "ciso")],
                                    target_on=target_on or add_months(timezone.localdate(), 6),
                                    **fields)
