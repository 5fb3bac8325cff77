"""An identity provider sends requests in parallel (Entra ID provisions in several threads, and
retries). Real threads, through the real views: the same person sent twice at once is created
once, the other request told 409; different people all land; nothing half-written."""

import json

import pytest
from django.test import Client

from mamori.core.testing import concurrent_writes_possible, run_at_once
from mamori.identity.models import ScimClient, ScimIdentity
from mamori.identity.scim import protocol as p
from mamori.org.models import Person

WRITERS = 8


def body(user_name, number):
    return json.dumps({"schemas": [p.USER, p.ENTERPRISE], "userName": user_name,
                       "displayName": f"並行 {number}", "userType": "employee",
                       p.ENTERPRISE: {"employeeNumber": number, "department": "D100"}})


@pytest.mark.django_db(transaction=True)
def test_simultaneous_creates_land_once_each(org):
    concurrent_writes_possible()
    _client, token = ScimClient.issue("entra")
    statuses = {}

    def create(n):
        # Half the threads send the same person; the others one person each.
        user_name, number = ("same@example.jp", "E9000") if n % 2 else (
            f"user{n}@example.jp", f"E{9100 + n}")
        response = Client().post("/scim/v2/Users", data=body(user_name, number),
                                 content_type=p.MEDIA_TYPE,
                                 HTTP_AUTHORIZATION=f"Bearer {token}")
        statuses[n] = response.status_code

    assert not run_at_once(create, WRITERS)
    same = sorted(status for n, status in statuses.items() if n % 2)
    assert same == [201] + [409] * (WRITERS // 2 - 1), statuses
    assert all(status == 201 for n, status in statuses.items() if not n % 2), statuses
    assert Person.objects.filter(employee_no="E9000").count() == 1
    assert ScimIdentity.objects.count() == WRITERS // 2 + 1
    # Every identity has its person and login account: nothing half-written.
    for identity in ScimIdentity.objects.select_related("person__user"):
        assert identity.person.user.username == identity.user_name
