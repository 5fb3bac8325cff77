"""SCIM conformance as an independent tester sees it: scim2-tester (python-scim) runs its
discovery, create, read, replace, PATCH and delete checks against Mamori's real WSGI
application, in this process and database."""

import pytest
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from scim2_client.engines.wsgi import WSGISCIMClient
from scim2_tester import Status, check_server

from mamori.identity.models import ScimClient

pytestmark = pytest.mark.django_db


@pytest.fixture
def in_test_transaction():
    """The WSGI handler closes database connections at the start and end of each request;
    the test's database lives in its transaction, so (as Django's test client does) the
    requests here leave the connection open."""
    for signal in (request_started, request_finished):
        signal.disconnect(close_old_connections)
    yield
    for signal in (request_started, request_finished):
        signal.connect(close_old_connections)


def test_scim2_tester_finds_no_error(org, in_test_transaction):
    _client, token = ScimClient.issue("tester")
    client = WSGISCIMClient(get_wsgi_application(), base_url="http://localhost/scim/v2",
                            headers={"Authorization": f"Bearer {token}"})
    results = check_server(client)
    failures = [f"{r.title}: {r.reason}" for r in results if r.status == Status.ERROR]
    assert results and not failures, "\n".join(failures)
    # It did reach the users, not only the discovery endpoints.
    assert any(r.title.startswith("object_creation") and r.status == Status.SUCCESS
               for r in results)
