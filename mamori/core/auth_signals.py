"""MFA authenticators are allauth's models, not ours; their creation and removal are security
events, so they join the change log through signals."""

from allauth.account.signals import password_changed
from allauth.mfa.models import Authenticator
from django.db.models.signals import post_save, pre_delete
from django.dispatch import receiver

from mamori.core import changelog


def _summary(auth: Authenticator) -> dict:
    return {"user_id": auth.user_id, "type": auth.type}


@receiver(post_save, sender=Authenticator, dispatch_uid="changelog-mfa-save")
def authenticator_saved(sender, instance, created, **kwargs):
    if created:
        changelog.record("create", instance, None, _summary(instance))


@receiver(pre_delete, sender=Authenticator, dispatch_uid="changelog-mfa-delete")
def authenticator_deleted(sender, instance, **kwargs):
    changelog.record("delete", instance, _summary(instance), None)


@receiver(password_changed, dispatch_uid="clear-must-change-password")
def password_was_changed(sender, request, user, **kwargs):
    """The user chose their own password: the generated one is gone."""
    if getattr(user, "must_change_password", False):
        user.must_change_password = False
        user.save()
