"""A model that lets an import write it in bulk (`bulk_writable`: core.audit.save_in_bulk
instead of one save() per record) must have a save() that does nothing else than derive its
fields (`derive_fields`) and write its own row, logged, and a clean() that does not look at
other records of its model (a batch's rows are cleaned again before any of them is written).
These tests fail when such a model's save() gains anything more (another query, a signal
receiver, an override of save() in a new class) or when its save() or clean() is changed."""

import hashlib
import inspect

import pytest
from django.apps import apps
from django.db import models, transaction
from django.db.models.signals import post_save, pre_save

from mamori.core.audit import AuditedModel, one_log_append
from mamori.core.memo import remembering
from mamori.core.testing import query_count

# The save() and clean() of each bulk-writable model, as reviewed: the SHA-256 of their
# source. If you change one, check that save_in_bulk still writes what save() writes
# (derive_fields, then the row) and that clean() reads no other record of the model, then
# put the new digest here (or set bulk_writable = False).
REVIEWED = {
    "assets.asset": {
        "save": "fb9bdf31fffab8ee21212587118d5e8c32d05c1babfad1915577d558fb6a2451",
        "clean": "a49ae11b9c3abb869003a45bcff0aa968d2b8bd989fcf3b2ed7efbe617e30dd8",
    },
    "contractors.contractor": {
        "save": "fb9bdf31fffab8ee21212587118d5e8c32d05c1babfad1915577d558fb6a2451",
        "clean": "755dd55328df1b9487c94e153b3740ed550bce06a61bf80c646e3b66fd89c144",
    },
}


def bulk_writable_models():
    return [model for model in apps.get_models()
            if issubclass(model, AuditedModel) and model.bulk_writable]


def digest(function) -> str:
    return hashlib.sha256(inspect.getsource(function).encode()).hexdigest()


def test_the_bulk_writable_models_are_the_reviewed_ones():
    assert sorted(m._meta.label_lower for m in bulk_writable_models()) == sorted(
        REVIEWED)


@pytest.mark.parametrize("model", bulk_writable_models(), ids=lambda m: m._meta.label_lower)
def test_save_does_only_what_save_in_bulk_does(model):
    # No receiver: save_in_bulk sends no pre_save / post_save.
    assert not pre_save.has_listeners(model) and not post_save.has_listeners(model)
    # save() is the model's own (reviewed) one over AuditedModel's and Django's, nothing else.
    savers = [cls for cls in model.__mro__ if "save" in cls.__dict__]
    assert savers == [model, AuditedModel, models.Model]
    for name in ("save", "clean"):
        assert digest(getattr(model, name)) == REVIEWED[model._meta.label_lower][name], (
            f"{model._meta.label}.{name} changed: review it against core.audit.save_in_bulk")
    # The one save() in AuditedModel's hierarchy both paths build on: save() then log.
    assert "derive_fields" in inspect.getsource(model.save)


@pytest.mark.django_db
def test_an_asset_save_in_an_import_is_its_own_row_only(org):
    """Saving one asset inside an import's blocks (settings and levels already read) is one
    statement: the INSERT or the UPDATE. Anything else save() started doing would show."""
    from mamori.assets.models import Asset

    with transaction.atomic(), one_log_append(), remembering():
        asset = Asset(code="BW-1", name_ja="一括", asset_type="system", department=org.sales,
                      confidentiality=2)
        asset.derive_fields()  # reads the settings and levels once for the block
        assert query_count(asset.save) == 1
        old = Asset.objects.get(pk=asset.pk)
        asset.confidentiality = 3
        asset._audit_old = old
        assert query_count(asset.save) == 1
        assert asset.classification.code == "confidential"
