"""An address already registered by an endpoint the user may not see is refused with the
neutral sentence of core.uniqueness, on the form and in the API; one the user may see gets
the endpoint's own message."""

import pytest
from django.urls import reverse
from django.utils import translation

from mamori.core.testing import api_client
from mamori.core.uniqueness import IN_USE
from mamori.websec.models import WebEndpoint
from mamori.websec.tests.test_websec_models import intermediate, make_endpoint

pytestmark = pytest.mark.django_db
REGISTERED = "An endpoint with this address and server name is already registered."


def endpoint(org, port):
    return {"name": "資料請求フォーム", "url": f"https://127.0.0.1:{port}/form/",
            "server_name": "localhost", "purpose": "application_form",
            "department": org.sales.pk, "profile": intermediate().pk,
            "scan_every_hours": 24, "certificate_check_every_hours": 1}


def errors(org, port):
    client = org.client("manager")
    form = client.post(reverse("websec:webendpoint_create"), endpoint(org, port),
                       HTTP_ACCEPT_LANGUAGE="en")
    assert form.status_code == 400
    api = api_client(org.users["manager"]).post(
        "/api/websec/endpoints/", endpoint(org, port), format="json", HTTP_ACCEPT_LANGUAGE="en")
    assert api.status_code == 400
    return [str(e) for e in form.context["form"].errors["url"]], api.json()["url"]


def test_an_address_held_out_of_view_is_refused_without_naming_the_endpoint(org):
    make_endpoint(org.it, 21003, name="人事システム")
    with translation.override("en"):
        neutral = str(IN_USE)
    assert errors(org, 21003) == ([neutral], [neutral])
    assert WebEndpoint.objects.count() == 1


def test_an_address_the_user_may_see_gets_the_endpoints_message(org):
    make_endpoint(org.sales, 21004)
    assert errors(org, 21004) == ([REGISTERED], [REGISTERED])
