"""Where other apps' records change what training derives, in the same transaction: a
person joining, moving, changing category or leaving; an appointment (the CISO's and the
information managers' programmes); a policy acknowledged (read-and-acknowledge courses)."""

from django.db.models.signals import post_delete, post_save

from mamori.org.models import Appointment, Person
from mamori.policies.models import Acknowledgement

# What decides a person's assignments; a save of other fields only (their login account, say)
# changes none.
AUDIENCE_FIELDS = {"category", "department", "status", "joined_on", "left_on"}


def person_saved(sender, instance, raw=False, update_fields=None, **kwargs):
    if raw or (update_fields is not None and not AUDIENCE_FIELDS & set(update_fields)):
        return
    from mamori.training.assign import sync_person

    sync_person(instance)


def appointment_changed(sender, instance, raw=False, **kwargs):
    if raw:
        return
    from mamori.training.assign import sync_person

    sync_person(Person.objects.get(pk=instance.person_id))


def acknowledgement_saved(sender, instance, created, raw=False, **kwargs):
    if raw or not created:
        return
    from mamori.training.acknowledgements import complete_from

    complete_from(instance)


def connect() -> None:
    post_save.connect(person_saved, sender=Person, dispatch_uid="training-person")
    post_save.connect(appointment_changed, sender=Appointment,
                      dispatch_uid="training-appointment")
    post_delete.connect(appointment_changed, sender=Appointment,
                        dispatch_uid="training-appointment-deleted")
    post_save.connect(acknowledgement_saved, sender=Acknowledgement,
                      dispatch_uid="training-acknowledgement")
