"""Versions of one document saved at the same moment get distinct numbers (issue 12: every
"next number" is taken under a lock, see core.counters)."""

import pytest

from mamori.core.testing import concurrent_writes_possible, run_at_once
from mamori.policies.models import PolicyVersion
from mamori.policies.tests.conftest import make_document, make_draft

WRITERS = 8


@pytest.mark.django_db(transaction=True)
def test_versions_saved_at_once_are_numbered_one_to_n(org):
    concurrent_writes_possible()
    document = make_document(org.sales_east)
    errors = run_at_once(lambda n: make_draft(document, body_ja=f"版 {n}"), WRITERS)
    assert errors == []
    numbers = sorted(PolicyVersion.objects.filter(document=document)
                     .values_list("number", flat=True))
    assert numbers == list(range(1, WRITERS + 1))
