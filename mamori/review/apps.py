from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReviewConfig(AppConfig):
    name = "mamori.review"
    label = "review"
    verbose_name = _("Management review")

    def ready(self):
        from django.db.models.signals import post_migrate

        from mamori.review.defaults import ensure_defaults

        post_migrate.connect(ensure_defaults, sender=self, dispatch_uid="review-defaults")

        from mamori.improvement import sources
        from mamori.improvement.models import Source
        from mamori.review.models import ManagementReview

        # A decision's improvement action links back to its review.
        sources.register(ManagementReview, Source.MANAGEMENT_REVIEW,
                         reference=lambda review: review.code,
                         title=lambda review: review.title)

        from mamori.core.demo import register_demo_step
        from mamori.review.demo import load_review_demo

        # After every other app's step (review is the last app): the measures are computed
        # from the whole demo, and last year's review reads it.
        register_demo_step(load_review_demo)
