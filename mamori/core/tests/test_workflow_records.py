"""Records written only by their workflow (`workflow_only`: acknowledgements, the change log,
conformance snapshots, incident timelines, TLS scans and findings) cannot be forged through
any door: the Django admin, the API or an import (issue 16 #12)."""

import pytest
from django.apps import apps
from django.contrib import admin
from django.test import RequestFactory

from mamori.core.admin import WorkflowRecordAdmin, is_workflow_record
from mamori.core.models import User
from mamori.core.testing import signed_in_client
from mamori.core.tests.test_import_headings import import_views
from mamori.policies.models import Acknowledgement

pytestmark = pytest.mark.django_db

@pytest.fixture
def root(db):
    """A superuser administrator, who may do anything the admin allows at all."""
    return User.objects.create_superuser("root", password="x-root-pw-1",
                                         system_role=User.SystemRole.ADMIN)


WORKFLOW_RECORDS = [m for m in apps.get_models() if is_workflow_record(m)]


def test_the_workflow_records_are_marked():
    names = {m._meta.label for m in WORKFLOW_RECORDS}
    assert {"policies.Acknowledgement", "core.ChangeLogEntry", "core.ConformanceSnapshot",
            "incidents.IncidentEntry", "websec.TlsScan", "websec.TlsFinding"} <= names


def test_every_admin_closes_workflow_records_by_their_mark():
    """Every admin derives from WorkflowRecordAdmin, so marking a model is enough; the user
    and group admins (Django's own) are the exceptions, for models that are no workflow's."""
    for model in apps.get_models():
        if not model.__module__.startswith("mamori.") or not admin.site.is_registered(model):
            continue
        model_admin = admin.site.get_model_admin(model)
        if not isinstance(model_admin, WorkflowRecordAdmin):
            assert model._meta.app_label in ("core", "auth") and not is_workflow_record(model)
            assert model._meta.model_name in ("user", "group"), model


@pytest.mark.parametrize("model", [m for m in WORKFLOW_RECORDS if admin.site.is_registered(m)],
                         ids=lambda m: m._meta.label)
def test_the_admin_shows_but_never_adds_changes_or_deletes(org, model, root):
    request = RequestFactory().get("/admin/")
    request.user = root
    model_admin = admin.site.get_model_admin(model)
    assert model_admin.has_view_permission(request)
    assert not model_admin.has_add_permission(request)
    assert not model_admin.has_change_permission(request)
    assert not model_admin.has_delete_permission(request)
    client = signed_in_client(root)
    meta = model._meta
    add = f"/admin/{meta.app_label}/{meta.model_name}/add/"
    assert client.get(add).status_code == 403
    assert client.post(add, {}).status_code == 403
    assert client.get(f"/admin/{meta.app_label}/{meta.model_name}/").status_code == 200


def test_an_acknowledgement_cannot_be_added_in_the_admin(org, root):
    response = signed_in_client(root).post("/admin/policies/acknowledgement/add/", {
        "person": org.people["staff"].pk, "version": 1,
        "content_hash": "0" * 64, "acknowledged_at_0": "2020-01-01",
        "acknowledged_at_1": "00:00:00", "ip_address": "10.0.0.1"})
    assert response.status_code == 403
    assert not Acknowledgement.objects.exists()


def test_no_import_writes_a_workflow_record():
    for name, view in import_views():
        assert not is_workflow_record(view.resource_class.model), name
        assert not is_workflow_record(view.form_class._meta.model), name


def test_the_api_offers_no_write_of_a_workflow_record_but_a_timeline_note():
    """Scans, findings, acknowledgements and snapshots are read-only in the API; a timeline
    takes notes, whose time, author and kind the server sets."""
    from django.urls import get_resolver

    def viewsets(patterns):
        for pattern in patterns:
            if hasattr(pattern, "url_patterns"):
                yield from viewsets(pattern.url_patterns)
            else:
                cls = getattr(pattern.callback, "cls", None)
                if cls is not None:
                    yield cls

    checked = set()
    for cls in set(viewsets(get_resolver().url_patterns)):
        model = getattr(cls, "model", None) or getattr(
            getattr(getattr(cls, "serializer_class", None), "Meta", None), "model", None)
        if model is None or not is_workflow_record(model):
            continue
        checked.add(model._meta.label)
        methods = {m.lower() for m in cls.http_method_names}
        writes = {action for action, method in (("update", "put"), ("partial_update", "patch"),
                                                ("destroy", "delete"), ("create", "post"))
                  if hasattr(cls, action) and method in methods}
        if model._meta.label == "incidents.IncidentEntry":
            writes.discard("create")  # a note; checked below
        assert not writes, (cls, writes)
        if "post" in methods and model._meta.label == "incidents.IncidentEntry":
            serializer = cls.serializer_class
            assert set(serializer.Meta.read_only_fields) >= {"at", "author", "kind"}
    assert "policies.Acknowledgement" in checked and "websec.TlsScan" in checked
