"""One user action, one change-log entry per object it changed (core.audit.one_user_action).

A form save of a risk saves the row and then sets its assets and controls, each a write of
its own; inside `one_user_action` these are merged into one entry per object, the chain stays
valid, and what a savepoint undid is not logged. Runs on SQLite and on PostgreSQL.
"""

import contextlib

import pytest
from django.db import IntegrityError, transaction

from mamori.assets.tests.test_asset_models import make_asset
from mamori.controls.tests.test_control_models import make_control
from mamori.core import changelog
from mamori.core.audit import one_user_action
from mamori.core.models import ChangeLogEntry
from mamori.core.testing import log_entries
from mamori.risks.models import Risk
from mamori.risks.tests.test_risk_models import make_risk

pytestmark = pytest.mark.django_db


def test_a_create_with_links_and_a_second_save_is_one_create(org):
    asset, control = make_asset(org.sales, "A-1"), make_control(org.sales, "C-1")
    with transaction.atomic(), one_user_action():
        risk = make_risk(org.sales, "R-1", likelihood=2, impact=2)
        risk.assets.set([asset])
        risk.controls.set([control])
        risk.likelihood = 3
        risk.save()
    entry = log_entries(risk).get()
    assert entry.action == "create"
    assert entry.before is None
    assert (entry.after["likelihood"], entry.after["inherent_score"]) == (3, 6)
    assert (entry.after["assets"], entry.after["controls"]) == ([asset.pk], [control.pk])
    assert changelog.verify().ok


def test_updates_are_one_update_from_the_first_before_to_the_last_after(org):
    risk = make_risk(org.sales, "R-1", likelihood=2, impact=2)
    asset = make_asset(org.sales, "A-1")
    with transaction.atomic(), one_user_action():
        risk.likelihood = 3
        risk.save()
        risk.assets.set([asset])
        risk.likelihood = 4
        risk.save()
    entry = log_entries(risk, "update").get()
    assert (entry.before["likelihood"], entry.after["likelihood"]) == (2, 4)
    assert (entry.before["assets"], entry.after["assets"]) == ([], [asset.pk])
    assert changelog.verify().ok


def test_changes_that_end_as_they_began_write_nothing(org):
    risk = make_risk(org.sales, "R-1")
    asset = make_asset(org.sales, "A-1")
    logged = ChangeLogEntry.objects.count()
    with transaction.atomic(), one_user_action():
        risk.assets.set([asset])
        risk.assets.set([])
        risk.title_ja = "一時"
        risk.save()
        risk.title_ja = "リスク R-1"
        risk.save()
    assert ChangeLogEntry.objects.count() == logged


def test_only_changed_links_when_no_field_changed(org):
    risk = make_risk(org.sales, "R-1")
    first, second = make_asset(org.sales, "A-1"), make_asset(org.sales, "A-2")
    control = make_control(org.sales, "C-1")
    with transaction.atomic(), one_user_action():
        risk.assets.set([first])
        risk.assets.set([first, second])
        risk.controls.set([control])
        risk.controls.set([])
    entry = log_entries(risk, "update").get()
    assert (entry.before, entry.after) == ({"assets": []}, {"assets": [first.pk, second.pk]})


def test_each_object_keeps_its_own_entry_and_a_deletion_stays(org):
    with transaction.atomic(), one_user_action():
        kept = make_risk(org.sales, "R-1")
        kept.assets.set([make_asset(org.sales, "A-1")])
        gone = make_risk(org.sales, "R-2")
        gone_pk = gone.pk
        gone.delete()
    assert [e.action for e in log_entries(kept)] == ["create"]
    assert list(ChangeLogEntry.objects.filter(model="risks.risk", object_id=str(gone_pk))
                .order_by("seq").values_list("action", flat=True)) == ["create", "delete"]
    assert changelog.verify().ok


def test_a_save_undone_by_its_savepoint_is_not_logged(org):
    make_risk(org.sales, "R-1")
    with transaction.atomic(), one_user_action():
        with contextlib.suppress(IntegrityError):
            make_risk(org.sales, "R-1")  # the code is taken: the savepoint rolls it back
        kept = make_risk(org.sales, "R-2")
    assert Risk.objects.filter(code="R-1").count() == 1
    assert ChangeLogEntry.objects.filter(model="risks.risk", action="create").count() == 2
    assert [e.action for e in log_entries(kept)] == ["create"]
    assert changelog.verify().ok


def test_an_admin_save_with_links_is_one_entry(org):
    from django.urls import reverse

    admin = org.users["admin"]
    admin.is_staff = admin.is_superuser = True  # the admin site's
    admin.save()
    asset = make_asset(org.sales, "A-1")
    risk = make_risk(org.sales, "R-1")
    logged = log_entries(risk).count()
    url = reverse("admin:risks_risk_change", args=[risk.pk])
    form = org.client("admin").get(url).context["adminform"].form
    data = {name: form[name].value() for name in form.fields}
    data = {k: "" if v is None else v for k, v in data.items()}
    data.update(assets=str(asset.pk), title_ja="名称変更")
    response = org.client("admin").post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    [entry] = log_entries(risk).order_by("seq")[logged:]
    assert entry.action == "update"
    assert (entry.before["assets"], entry.after["assets"]) == ([], [asset.pk])
    assert entry.after["title_ja"] == "名称変更"
