"""Property-based tests of the whole API against its own OpenAPI schema (schemathesis).

The schema is fetched from /api/schema/ through the WSGI application, exactly as a client
sees it. Every operation is then called with generated requests (valid and invalid) as an
administrator holding a real API token, against a real organisation (conftest.Org). No
request may fail with a 5xx, and every response must match what the schema says.

Each generated example runs in a savepoint that is rolled back afterwards, so every example
starts from the same organisation: a DELETE or a revoked token in one example cannot change
what the next one sees. Path ids and references in bodies (parent, department, person) are
drawn from the objects in the database as well as at random, so PUT, PATCH, DELETE and
/history/ reach real objects, and creations can succeed, instead of ending in 404 or 400.
"""

import pytest
import schemathesis
from django.core import signals
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections, transaction
from django.test import override_settings
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from rest_framework.test import APIClient
from schemathesis.core.parameters import ParameterLocation
from schemathesis.python import wsgi as schemathesis_wsgi
from schemathesis.specs.openapi.checks import (
    negative_data_rejection,
    positive_data_acceptance,
    status_code_conformance,
)

from mamori.core.models import ApiToken, ChangeLogEntry
from mamori.org.models import Appointment, Department, Person

# The Host header schemathesis' WSGI client sends.
HOST = schemathesis_wsgi.HOST

# The WSGI handler builds its middleware once, here, and SecurityMiddleware reads
# SECURE_SSL_REDIRECT when it is built: build it with plain HTTP, as conftest does for every
# test (HTTPS itself is tested in test_tls.py). The schema is loaded at collection time,
# outside any test; the schema view needs no database.
with override_settings(ALLOWED_HOSTS=[HOST], SECURE_SSL_REDIRECT=False):
    app = get_wsgi_application()
    schema = schemathesis.openapi.from_wsgi("/api/schema/", app)


# --- Path ids of real objects -------------------------------------------------------------

# Path prefix → ids of the objects in the database, set by the `admin_headers` fixture for
# each test and read whenever hypothesis draws a case (so after the fixture has run).
EXISTING_IDS: dict[str, list] = {}


def _existing_ids(path: str) -> list:
    for prefix, ids in EXISTING_IDS.items():
        if path.startswith(prefix):
            return ids
    return []


@schema.hook
def flatmap_path_parameters(context, path_parameters):
    """Half of the cases keep the random id; the others name an object that exists.

    Only integer ids are replaced: a non-integer id is a negative case and stays as it is.
    """
    path = context.operation.path
    names = [name for name, value in (path_parameters or {}).items()
             if isinstance(value, int) and not isinstance(value, bool)]
    if len(names) != 1:
        return st.just(path_parameters)
    name = names[0]

    def pick(index):
        ids = _existing_ids(path)
        return {**path_parameters, name: ids[index % len(ids)]} if ids else path_parameters

    return st.one_of(st.just(path_parameters), st.integers(min_value=0, max_value=63).map(pick))


# Body fields that refer to other objects, and the path prefix whose ids they take.
REFERENCE_FIELDS = {"parent": "/api/org/departments/{", "department": "/api/org/departments/{",
                    "person": "/api/org/people/{"}


@schema.hook
def flatmap_body(context, body):
    """Half of the bodies keep their random references; the others refer to real objects.

    Only integer values are replaced, by other integers: a value the schema allows stays
    allowed, so a positive case stays positive and a negative one stays negative.
    """
    if not isinstance(body, dict):
        return st.just(body)
    names = sorted(name for name, value in body.items() if name in REFERENCE_FIELDS
                   and isinstance(value, int) and not isinstance(value, bool))
    if not names:
        return st.just(body)

    def pick(indexes):
        replaced = dict(body)
        for name, index in zip(names, indexes, strict=True):
            ids = EXISTING_IDS.get(REFERENCE_FIELDS[name])
            if ids:
                replaced[name] = ids[index % len(ids)]
        return replaced

    indexes = st.tuples(*[st.integers(min_value=0, max_value=63)] * len(names))
    return st.one_of(st.just(body), indexes.map(pick))


# --- Checks -------------------------------------------------------------------------------

def status_code_documented_or_drf_client_error(ctx, response, case):
    """status_code_conformance, except for DRF's usual 400 and 404.

    drf-spectacular documents only the success response of each operation, so a 400 for an
    invalid body or filter, or for deleting an object others still refer to
    (ScopedModelViewSet.perform_destroy), and a 404 for an unknown id, are "undocumented".
    They are the expected answers to such requests, as is a 415 for a deliberately broken
    body DRF cannot parse at all. Anything else undocumented (401, or 403 for an
    administrator, 405, a 415 for a valid body, ...) still fails here.
    """
    if response.status_code == 404 and case.operation.path_parameters:
        return None
    if response.status_code == 400 and (case.query or case.operation.body
                                        or case.method.upper() == "DELETE"):
        return None
    if response.status_code == 415 and ParameterLocation.BODY in _negative_locations(case):
        return None
    return status_code_conformance(ctx, response, case)


def _negative_locations(case) -> set:
    meta = case.meta
    if meta is None:
        return set()
    negative = {location for location, info in meta.components.items() if info.mode.is_negative}
    location = getattr(meta.phase.data, "parameter_location", None)
    if location is not None:
        negative.add(location)
    return negative


def _body_is_only_scalar_type_confusion(case) -> bool:
    """Every way the body breaks its schema is a scalar sent for another scalar type.

    DRF's fields coerce such values on purpose: CharField takes 0 as "0", BooleanField takes
    0/1, IntegerField takes "5". So an accepted `{"name": 0}` is DRF's documented leniency.
    """
    if not isinstance(case.body, dict):
        return False
    bodies = [body for body in case.operation.body if body.media_type == case.media_type]
    if not bodies:
        return False
    errors = list(bodies[0].get_validator().iter_errors(case.body))
    return bool(errors) and all(
        type(error.kind).__name__ == "Type"
        and isinstance(error.instance, str | int | float)  # bool is an int; None is not
        and "object" not in error.kind.types and "array" not in error.kind.types
        for error in errors
    )


def _body_is_valid_once_trimmed(case) -> bool:
    """DRF's CharField strips surrounding whitespace (str.strip(), which includes control
    characters such as U+001D) before checking max_length, so a 101-character name whose
    first character is whitespace is a valid 100-character name. True when stripping every
    string value of the body, as DRF does, makes it valid."""
    if not isinstance(case.body, dict):
        return False
    bodies = [body for body in case.operation.body if body.media_type == case.media_type]
    if not bodies:
        return False
    trimmed = {key: value.strip() if isinstance(value, str) else value
               for key, value in case.body.items()}
    return trimmed != case.body and not list(bodies[0].get_validator().iter_errors(trimmed))


def negative_data_rejection_as_drf_parses(ctx, response, case):
    """negative_data_rejection, less what DRF accepts by design.

    - Only the query string is invalid: django-filter ignores an empty filter value
      (`?until=`) and the paginator falls back to its defaults for an unusable `limit` or
      `offset`; a list answered unfiltered is not a bug.
    - Only the body is invalid, and only by scalar type confusion DRF coerces (above), or by
      surrounding whitespace DRF strips before checking lengths.
    - Only the body is invalid, and it is sent as a form (urlencoded or multipart): a form
      cannot carry null, a number or an array as the whole body, and DRF reads an empty form
      field as "not given", as HTML forms mean it.
    Anything else invalid in a JSON body (a missing required field, a bad choice, a too-long
    string, a malformed date, a string where an object is due) must still be refused.
    """
    negative = _negative_locations(case)
    if negative and negative <= {ParameterLocation.QUERY}:
        return None
    if negative == {ParameterLocation.BODY} and "json" not in (case.media_type or ""):
        return None
    if negative == {ParameterLocation.BODY} and (_body_is_only_scalar_type_confusion(case)
                                                 or _body_is_valid_once_trimmed(case)):
        return None
    return negative_data_rejection(ctx, response, case)


# positive_data_acceptance is left out: a schema-valid request may still be refused with 400
# for what a JSON schema cannot say (a `parent` id that does not exist, an overlapping
# appointment, a leaving date before the joining date, a department below itself).
EXCLUDED_CHECKS = [status_code_conformance, negative_data_rejection, positive_data_acceptance]
ADDITIONAL_CHECKS = [status_code_documented_or_drf_client_error,
                     negative_data_rejection_as_drf_parses]


# --- Fixtures -----------------------------------------------------------------------------

@pytest.fixture
def wsgi_in_test_transaction():
    """Keep Django from closing the test's connection between generated requests.

    Requests go through the real WSGI handler, which calls close_old_connections when a
    request starts and finishes; inside the test transaction that would close the
    connection (PostgreSQL) and lose the organisation. Django's own test client disconnects
    the same receivers for the same reason.
    """
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.fixture
def admin_headers(org, settings, wsgi_in_test_transaction):
    """An administrator's real API token, and the ids of the organisation's objects."""
    settings.ALLOWED_HOSTS = [HOST]
    admin = org.users["admin"]
    _, raw = ApiToken.issue(admin, "schemathesis", days=1)
    ApiToken.issue(admin, "spare", days=1)
    EXISTING_IDS.clear()
    EXISTING_IDS.update({
        "/api/org/departments/{": list(Department.objects.values_list("pk", flat=True)),
        "/api/org/people/{": list(Person.objects.values_list("pk", flat=True)),
        "/api/org/appointments/{": list(Appointment.objects.values_list("pk", flat=True)),
        "/api/changelog/{": list(ChangeLogEntry.objects.values_list("seq", flat=True)),
        "/api/tokens/{": list(ApiToken.objects.filter(user=admin).values_list("pk", flat=True)),
    })
    yield {"Authorization": f"Token {raw}"}
    EXISTING_IDS.clear()


# --- Tests --------------------------------------------------------------------------------

@pytest.mark.django_db
@schema.parametrize()
@hypothesis_settings(
    max_examples=20,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                           HealthCheck.filter_too_much, HealthCheck.data_too_large],
)
def test_api_conforms_to_schema(case, admin_headers):
    with transaction.atomic():
        try:
            case.call_and_validate(headers=admin_headers, excluded_checks=EXCLUDED_CHECKS,
                                   additional_checks=ADDITIONAL_CHECKS)
        finally:
            transaction.set_rollback(True)


@pytest.mark.django_db
def test_schema_export_is_valid_openapi(org, client, settings, tmp_path):
    settings.ALLOWED_HOSTS = ["testserver"]
    client.force_login(org.users["admin"])
    response = client.get("/api/schema/", {"format": "json"})
    assert response.status_code == 200
    path = tmp_path / "openapi.json"
    path.write_bytes(response.content)

    exported = schemathesis.openapi.from_path(path)
    exported.validate()  # raises unless the document is valid OpenAPI
    assert exported.raw_schema["openapi"].startswith("3.")
    assert "tokenAuth" in exported.raw_schema["components"]["securitySchemes"]
    operations = [result.ok() for result in exported.get_all_operations()]
    assert {op.path for op in operations} >= {
        "/api/org/departments/", "/api/org/people/", "/api/org/appointments/",
        "/api/tokens/", "/api/changelog/", "/api/conformance/"}
    # Only creation returns the token itself; listing must not promise it.
    components = exported.raw_schema["components"]["schemas"]
    assert "token" not in components["ApiToken"]["properties"]
    assert "token" in components["NewApiToken"]["required"]


@pytest.mark.django_db
def test_department_cannot_be_put_below_itself(org):
    """Found by the schema test's generated PUTs: the API skipped Department.clean()."""
    _, raw = ApiToken.issue(org.users["admin"], "t", days=1)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {raw}")
    url = f"/api/org/departments/{org.company.pk}/"
    for parent in (org.company, org.sales_east):
        response = client.patch(url, {"parent": parent.pk}, format="json")
        assert response.status_code == 400, response.content
        assert "parent" in response.json()
    org.company.refresh_from_db()
    assert org.company.parent is None
    # Moving a department below an unrelated one is still allowed.
    response = client.patch(f"/api/org/departments/{org.sales_east.pk}/",
                            {"parent": org.it.pk}, format="json")
    assert response.status_code == 200, response.content


@pytest.mark.django_db
def test_huge_limit_is_capped_not_a_server_error(org):
    """Found by the schema test: ?limit=10**21 overflowed the SQL LIMIT (a 500)."""
    _, raw = ApiToken.issue(org.users["admin"], "t", days=1)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {raw}")
    for path in ("/api/org/departments/", "/api/tokens/", "/api/changelog/"):
        response = client.get(path, {"limit": 10**21})
        assert response.status_code == 200, (path, response.status_code)
        assert response.json()["results"]


@pytest.mark.django_db
def test_an_empty_string_is_not_taken_for_a_null_relation(org):
    """DRF would read "" as null on a relation; the schema says integer or null."""
    from mamori.core.testing import api_client

    person = org.people["it_staff"]
    client = api_client(org.users["admin"])
    response = client.patch(f"/api/org/people/{person.pk}/", {"department": ""}, format="json")
    assert response.status_code == 400 and "department" in response.json()
    person.refresh_from_db()
    assert person.department == org.it
