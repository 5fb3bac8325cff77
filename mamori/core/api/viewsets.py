"""The generic scoped API viewset every model's API is declared over.

Reads use `restrict(user, action)`; writes run in a transaction and are re-checked against
the user's scope before commit, exactly as the UI does. Each object also has /history/.
"""

from django.core.exceptions import NON_FIELD_ERRORS, FieldDoesNotExist
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import models, transaction
from django.db.models import ProtectedError
from django.http import QueryDict
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.fields import empty
from rest_framework.relations import MANY_RELATION_KWARGS, ManyRelatedField
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.validators import UniqueValidator

from mamori.core.audit import one_user_action
from mamori.core.changelog import model_label
from mamori.core.dates import validate_plausible_date
from mamori.core.forms import unnamed_unless_visible
from mamori.core.links import LinkedIds, attach_linked_ids, linked_ids
from mamori.core.models import ChangeLogEntry
from mamori.core.plaintext import validate_no_control_characters
from mamori.core.scope import ADD, CHANGE, DELETE, VIEW, can, ensure_in_scope, sees_every_row
from mamori.core.uniqueness import errors_told_to
from mamori.core.views.generic import protected_blockers

ACTION_FOR_METHOD = {"GET": VIEW, "HEAD": VIEW, "OPTIONS": VIEW, "PUT": CHANGE,
                     "PATCH": CHANGE, "DELETE": DELETE, "POST": ADD}


class ChangeLogEntrySerializer(serializers.ModelSerializer):
    class Meta:
        model = ChangeLogEntry
        fields = ["seq", "at", "actor_id", "actor_name", "source", "request_id", "action",
                  "model", "object_id", "object_repr", "before", "after", "prev_hash", "hash"]


def request_user(field):
    request = field.context.get("request")
    return request.user if request else None


class ScopedManyRelatedField(ManyRelatedField):
    """Links to many objects, of which the user is shown (and may set) those they can see.
    Links to objects they cannot see are neither listed nor dropped when they write the list
    (see ScopedModelSerializer.update)."""

    def get_attribute(self, instance):
        if not instance.pk:
            return LinkedIds()
        visible = self.visible_ids(instance)
        return LinkedIds(pk for pk in self.all_ids(instance) if pk in visible)

    def to_representation(self, iterable):
        if isinstance(iterable, LinkedIds):
            return list(iterable)
        return super().to_representation(iterable)

    def all_ids(self, instance) -> LinkedIds:
        """Every id linked to the object: as the viewset read them for its page
        (core.links), or else from the relation itself."""
        ids = linked_ids(instance, self.source)
        if ids is None:
            ids = LinkedIds(sorted(obj.pk for obj in super().get_attribute(instance)))
        return ids

    def visible_ids(self, instance) -> set:
        """Which linked objects the user may see: one query for the whole page of a list (the
        links themselves come from the viewset, core.links), not one per row."""
        if getattr(self, "_visible", None) is None:
            page = getattr(getattr(self.parent, "parent", None), "instance", None)
            instances = list(page) if page is not None else [instance]
            linked = {pk for row in instances if row.pk for pk in self.all_ids(row)}
            model = self.child_relation.queryset.model
            user = request_user(self)
            if not linked or sees_every_row(user, model):
                self._visible = linked
            else:
                self._visible = set(model.objects.restrict(user, VIEW).filter(
                    pk__in=linked).order_by().values_list("pk", flat=True))
        return self._visible


class ScopedRelatedField(serializers.PrimaryKeyRelatedField):
    """A related object the requesting user is allowed to see, or the one the object already
    has: a PUT that leaves it as it is stays valid even when the user may not see it (an
    information manager's risk owned by a person of another department), as in the forms."""

    def get_queryset(self):
        queryset = super().get_queryset().restrict(request_user(self), VIEW)
        current = self.current_id()
        if current is not None:
            queryset = queryset | queryset.model._default_manager.filter(pk=current)
        return queryset

    def current_id(self):
        """The id the object being changed holds in this field (None when creating, or for
        the items of a many-to-many list, whose unseen links ScopedModelSerializer keeps)."""
        instance = getattr(self.parent, "instance", None)
        if not isinstance(instance, models.Model) or instance.pk is None:
            return None
        try:
            field = instance._meta.get_field(self.source)
        except FieldDoesNotExist:
            return None
        return getattr(instance, field.attname, None)

    def display_value(self, instance):
        # The browsable API's form lists the choices by name: not the current one's, unless
        # the user may see it.
        return unnamed_unless_visible(super().display_value, instance._meta.model,
                                      self.current_id(), request_user(self))(instance)

    def run_validation(self, data=empty):
        # DRF takes "" for null on relations; the schema says integer or null, so "" is refused.
        if data == "":
            self.fail("incorrect_type", data_type="str")
        return super().run_validation(data)

    @classmethod
    def many_init(cls, *args, **kwargs):
        list_kwargs = {"child_relation": cls(*args, **kwargs)}
        for key in kwargs:
            if key in MANY_RELATION_KWARGS:
                list_kwargs[key] = kwargs[key]
        return ScopedManyRelatedField(**list_kwargs)


def validate_unique(instance) -> None:
    """The model's unique fields and constraints, checked as a model form checks them, all
    errors at once."""
    errors = {}
    for check in (instance.validate_unique, instance.validate_constraints):
        try:
            check()
        except DjangoValidationError as exc:
            exc.update_error_dict(errors)
    if errors:
        raise DjangoValidationError(errors)


def json_type_fits(field, value) -> bool:
    """Whether a JSON value has the type the schema gives the serializer field."""
    if isinstance(field, serializers.CharField):
        return isinstance(value, str)
    if isinstance(field, serializers.BooleanField):
        return isinstance(value, bool)
    if isinstance(field, serializers.IntegerField):
        return isinstance(value, int) and not isinstance(value, bool)
    if isinstance(field, ManyRelatedField):
        # A list of ids; DRF itself would take any iterable, an object's keys included.
        return isinstance(value, list)
    return True  # other fields check their own type, or have none to check


def wrong_type_message(field, value) -> str:
    if isinstance(field, ManyRelatedField):
        return field.error_messages["not_a_list"].format(input_type=type(value).__name__)
    return field.error_messages["invalid"]


class ScopedModelSerializer(serializers.ModelSerializer):
    """Related objects limited to what the user may see, dates within what Mamori can compute
    with (core.dates), and the model's own clean() and uniqueness checks run on the object as it
    would be saved (DRF does not call clean()), so the API keeps the same rules, and says the
    same about a value already taken by a record the user may not see (core.uniqueness), as
    the forms."""

    serializer_related_field = ScopedRelatedField

    def build_field(self, field_name, info, model_class, nested_depth):
        # DRF's own uniqueness validators name the holder's model whoever holds the value;
        # validate() runs the model's checks instead.
        field_class, field_kwargs = super().build_field(field_name, info, model_class,
                                                        nested_depth)
        if "validators" in field_kwargs:
            field_kwargs["validators"] = [v for v in field_kwargs["validators"]
                                          if not isinstance(v, UniqueValidator)]
        return field_class, field_kwargs

    def build_standard_field(self, field_name, model_field):
        field_class, kwargs = super().build_standard_field(field_name, model_field)
        if isinstance(model_field, models.DateField):  # a DateTimeField is one too
            kwargs["validators"] = [*kwargs.get("validators", []), validate_plausible_date]
        if isinstance(model_field, models.CharField | models.TextField):
            kwargs["validators"] = [*kwargs.get("validators", []),
                                    validate_no_control_characters]
        return field_class, kwargs

    def get_unique_together_validators(self):
        return []

    def to_internal_value(self, data):
        # DRF converts between JSON types (0 becomes "0" or False, "5" becomes 5); the schema
        # promises one type per field, and a client sending another has a bug worth telling it
        # about. Form-encoded bodies carry only text, so only a JSON body is held to it.
        if isinstance(data, dict) and not isinstance(data, QueryDict):
            wrong = {name: [wrong_type_message(field, data[name])]
                     for name, field in self.fields.items()
                     if not field.read_only and data.get(name) is not None
                     and not json_type_fits(field, data[name])}
            if wrong:
                raise serializers.ValidationError(wrong)
        return super().to_internal_value(data)

    def validate(self, attrs):
        attrs = super().validate(attrs)
        model = self.Meta.model
        names = [f.name for f in model._meta.concrete_fields if not f.primary_key]
        values = {}
        if self.instance is not None:
            values = {name: getattr(self.instance, name) for name in names}
        values.update({k: v for k, v in attrs.items() if k in names})
        candidate = model(**values)
        if self.instance is not None:
            candidate.pk = self.instance.pk
            candidate._state.adding = False  # so the uniqueness checks leave the object out
        user = request_user(self)
        try:
            candidate.clean()
        except DjangoValidationError as exc:
            raise errors_told_to(user, exc, candidate) from exc
        try:
            validate_unique(candidate)
        except DjangoValidationError as exc:
            told = errors_told_to(user, exc, candidate)
            # Keyed as DRF's own uniqueness validators keyed them.
            raise serializers.ValidationError({
                api_settings.NON_FIELD_ERRORS_KEY if name == NON_FIELD_ERRORS else name: messages
                for name, messages in told.message_dict.items()}) from exc
        return attrs

    def update(self, instance, validated_data):
        # A many-to-many list written by a user keeps the links they could not see.
        user = request_user(self)
        for name, field in self.fields.items():
            if isinstance(field, ScopedManyRelatedField) and name in validated_data:
                related = getattr(instance, name)
                unseen = related.exclude(pk__in=related.restrict(user, VIEW).values("pk"))
                validated_data[name] = [*validated_data[name], *unseen]
        return super().update(instance, validated_data)


class ScopedModelViewSet(viewsets.ModelViewSet):
    model = None
    select_related: tuple[str, ...] = ()
    # `?ordering=` takes the fields the serializer shows (core.api.ordering).
    ordering_fields = None
    # Many-to-many fields the serializer lists: their ids are read for a whole page (or the
    # one object shown) from the link tables (core.links) rather than prefetched.
    linked_fields: tuple[str, ...] = ()

    def get_queryset(self):
        action_name = ACTION_FOR_METHOD.get(self.request.method, VIEW)
        if action_name == ADD:
            action_name = VIEW
        if self.action == "history":
            action_name = VIEW
        return self.model.objects.restrict(self.request.user, action_name).select_related(
            *self.select_related).order_by("pk")

    def known_count(self) -> int | None:
        """How many rows the filtered list has, when the model keeps it somewhere cheaper to
        read than counting them (a tally; the list pages' ScopedListView.known_count); None:
        the pagination counts them."""
        return None

    def list_filterset(self):
        """The list's filters as the request gives them (for known_count)."""
        return self.filterset_class(self.request.query_params or None,
                                    queryset=self.model.objects.none(), request=self.request)

    def paginate_queryset(self, queryset):
        page = super().paginate_queryset(queryset)
        if page is not None:
            attach_linked_ids(page, self.linked_fields)
        return page

    def retrieve(self, request, *args, **kwargs):
        instance = self.get_object()
        attach_linked_ids([instance], self.linked_fields)
        return Response(self.get_serializer(instance).data)

    def create(self, request, *args, **kwargs):
        # Refuse before validating: a user who may create nothing learns nothing from errors.
        if not can(request.user, self.model, ADD):
            raise exceptions.PermissionDenied()
        return super().create(request, *args, **kwargs)

    def perform_create(self, serializer):
        self._save_in_scope(serializer, ADD)

    def perform_update(self, serializer):
        self._save_in_scope(serializer, CHANGE)

    def _save_in_scope(self, serializer, action_name):
        from django.core.exceptions import PermissionDenied

        try:
            # One request, one change-log entry per object it changed.
            with transaction.atomic(), one_user_action():
                obj = serializer.save()
                ensure_in_scope(obj, self.request.user, action_name)
        except PermissionDenied as exc:
            raise exceptions.PermissionDenied(str(exc)) from exc

    def perform_destroy(self, instance):
        try:
            with transaction.atomic():
                instance.delete()
        except ProtectedError as exc:
            blockers = protected_blockers(exc)
            raise exceptions.ValidationError({"detail": _(
                "This cannot be deleted while other records refer to it: %(blockers)s")
                % {"blockers": blockers}}) from exc

    @extend_schema(responses=ChangeLogEntrySerializer(many=True))
    @action(detail=True, methods=["get"], pagination_class=None, filter_backends=[])
    def history(self, request, pk=None):
        obj = self.get_object()
        entries = ChangeLogEntry.objects.filter(
            model=model_label(self.model), object_id=str(obj.pk)).order_by("seq")[:1000]
        return Response(ChangeLogEntrySerializer(entries, many=True).data)
