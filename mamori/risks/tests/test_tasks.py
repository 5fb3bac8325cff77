"""The weekly e-mail to the keepers of risks and controls."""

import pytest
from django.core import mail

from mamori.controls.models import Control
from mamori.org.models import Person
from mamori.risks.models import Risk, Threat
from mamori.risks.tasks import send_attention_digests

pytestmark = pytest.mark.django_db


def test_each_keeper_gets_what_is_in_their_scope(org):
    Person.objects.filter(pk__in=[org.people["manager"].pk, org.people["ciso"].pk]).update(
        email="keeper@example.jp")
    Control.objects.create(code="C-IT", title_ja="IT管理策", theme="technological",
                           department=org.it, status="implemented")
    Risk.objects.create(code="R-S", title_ja="営業の漏洩", department=org.sales, likelihood=3,
                        impact=3, threat=Threat.objects.get(code="leakage"))
    assert send_attention_digests.call() == 2
    by_body = sorted(message.body for message in mail.outbox)
    manager = next(b for b in by_body if "テスト manager" in b)
    ciso = next(b for b in by_body if "テスト ciso" in b)
    assert "R-S" in manager and "C-IT" not in manager  # the IT control is not theirs
    assert "R-S" in ciso and "C-IT" in ciso
    assert "Above the appetite" in manager and "許容水準超" in manager  # both languages


def test_nothing_due_sends_nothing(org):
    Person.objects.filter(pk=org.people["manager"].pk).update(email="keeper@example.jp")
    assert send_attention_digests.call() == 0
    assert mail.outbox == []
