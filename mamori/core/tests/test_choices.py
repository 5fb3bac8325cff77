"""Every choice of a related object is a read through `restrict(user, VIEW)`.

These tests walk every filterset (mamori/*/filtersets.py) and every form (mamori/*/forms.py)
of the project, so an app added later, or a filter or form field added to an old one, is
checked without anyone having to remember to: a list filter or a form select that offers a
person, a risk or an asset the user may not see fails here.
"""

import datetime
import importlib

import django_filters
import pytest
from django import forms
from django.apps import apps
from django.contrib.auth.models import AnonymousUser
from django.test import RequestFactory

from mamori.core.forms import ScopedModelForm
from mamori.core.scope import VIEW

pytestmark = pytest.mark.django_db


def project_classes(module_name, base):
    """The subclasses of `base` defined in `mamori.<app>.<module_name>` of every app."""
    found = []
    for config in apps.get_app_configs():
        if not config.name.startswith("mamori."):
            continue
        try:
            module = importlib.import_module(f"{config.name}.{module_name}")
        except ModuleNotFoundError:
            continue
        found += [value for value in vars(module).values()
                  if isinstance(value, type) and issubclass(value, base)
                  and value.__module__ == module.__name__]
    return found


FILTERSETS = [cls for cls in project_classes("filtersets", django_filters.FilterSet)
              if cls._meta.model is not None]
# Model forms without a model are bases (ScopedModelForm).
FORMS = [cls for cls in project_classes("forms", forms.BaseForm)
         if getattr(getattr(cls, "_meta", None), "model", True) is not None]


def test_the_walk_finds_the_project():
    names = {cls.__name__ for cls in FILTERSETS + FORMS}
    assert {"PersonFilterSet", "RiskFilterSet", "IncidentFilterSet", "PolicyDocumentForm",
            "RiskForm", "RecoveryActionForm"} <= names


def filterset_form(cls, user):
    request = RequestFactory().get("/")
    request.user = user
    model = cls._meta.model
    return cls(None, queryset=model.objects.restrict(user, VIEW), request=request).form


def blank_form(cls, user):
    return cls(user=user) if issubclass(cls, ScopedModelForm) else cls()


def model_choice_fields(form):
    return {name: field for name, field in form.fields.items()
            if isinstance(field, forms.ModelChoiceField)}


def test_filtersets_and_forms_offer_nothing_to_a_user_who_may_see_nothing():
    # A user without roles may see no row of any scoped model: every model choice, whatever
    # its model, must come out of restrict() empty. (No data needed: restrict() answers
    # "nothing" without asking the database, while an unscoped queryset would not.)
    nobody = AnonymousUser()
    checked = 0
    for cls in FILTERSETS:
        for name, field in model_choice_fields(filterset_form(cls, nobody)).items():
            assert field.queryset.query.is_empty(), f"{cls.__name__}.{name}"
            checked += 1
    for cls in FORMS:
        for name, field in model_choice_fields(blank_form(cls, nobody)).items():
            assert field.queryset.query.is_empty(), f"{cls.__name__}.{name}"
            checked += 1
    assert checked > 30


@pytest.fixture
def world(org):
    """Records of every kind in the manager's Sales and in IT, which neither the manager nor
    staff may see, so a choice outside their view would show."""
    from mamori.assets.tests.test_asset_models import make_asset
    from mamori.controls.models import Evidence
    from mamori.controls.tests.test_control_models import make_control
    from mamori.incidents.models import RecoveryAction
    from mamori.incidents.tests.factories import make_incident
    from mamori.policies.tests.conftest import make_document, make_draft
    from mamori.risks.tests.test_risk_models import make_acceptance, make_risk
    from mamori.websec.tests.test_websec_models import make_endpoint

    for department, person, n in ((org.sales, org.people["staff"], 1),
                                  (org.it, org.people["it_staff"], 2)):
        asset = make_asset(department, f"A-{n}", custodian=person)
        control = make_control(department, f"C-{n}", owner=person)
        Evidence.objects.create(control=control, kind=Evidence.Kind.NOTE, title="note",
                                note="checked", collected_on=datetime.date(2025, 4, 1))
        risk = make_risk(department, f"R-{n}", owner=person)
        risk.assets.add(asset)
        make_acceptance(risk, org.people["ciso"])
        incident = make_incident(department, f"incident {n}", assignee=person)
        RecoveryAction.objects.create(incident=incident, title="restore", owner=person,
                                      due_on=datetime.date(2025, 5, 1))
        make_draft(make_document(department, code=f"rules-{n}"))
        make_endpoint(department, 20000 + n)
    return org


@pytest.mark.parametrize("username", ["staff", "manager", "it_staff"])
def test_every_filter_and_form_offers_only_what_the_user_may_see(world, username):
    user = world.users[username]
    offered_somewhere_hidden = []
    for cls in FILTERSETS + FORMS:
        form = filterset_form(cls, user) if cls in FILTERSETS else blank_form(cls, user)
        for name, field in model_choice_fields(form).items():
            model = field.queryset.model
            visible = set(model.objects.restrict(user, VIEW).values_list("pk", flat=True))
            offered = {obj.pk for obj in field.queryset}
            if offered - visible:
                offered_somewhere_hidden.append(f"{cls.__name__}.{name}")
    assert offered_somewhere_hidden == []


def test_no_filter_lists_a_register_that_grows_with_the_company():
    """A select of every person (or asset, risk…) is rendered on each list page: at 50,000
    people the asset list took seconds. Such filters name the record by id instead."""
    from mamori.core.filtersets import LARGE_REGISTERS, ScopedFilterSet
    from mamori.org.models import Appointment

    for cls in FILTERSETS:
        for name, filter_ in cls.base_filters.items():
            if isinstance(filter_, django_filters.ModelChoiceFilter |
                          django_filters.ModelMultipleChoiceFilter):
                model = cls._meta.model._meta.get_field(
                    filter_.field_name.split("__")[0]).related_model
                assert model._meta.label_lower not in LARGE_REGISTERS, (cls.__name__, name)

    with pytest.raises(TypeError, match="related_by_id"):
        type("OwnerChoices", (ScopedFilterSet,), {
            "Meta": type("Meta", (), {"model": Appointment, "fields": ["person"]}),
            "__module__": __name__})
