"""SCIM 2.0 endpoints (RFC 7644) under /scim/v2/, for identity providers.

Every request carries a SCIM client's bearer token; every change it makes is in the change
log under that client ("scim:<name>", source scim), and each client sees and changes only
the people it provisioned. Errors, refusals included, are RFC 7644 3.12 error bodies."""

import copy
import json

from django.db import transaction
from django.http import Http404
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.views import View
from django.views.decorators.csrf import csrf_exempt

from mamori.core.context import Actor, acting_as
from mamori.identity.models import ScimClient, ScimGroup, ScimIdentity
from mamori.identity.scim import discovery, filters, groups, patch, users
from mamori.identity.scim import protocol as p
from mamori.identity.scim.protocol import ScimError, scim_response


def _bearer_client(request) -> ScimClient:
    words = request.headers.get("Authorization", "").split()
    client = None
    if len(words) == 2 and words[0].lower() == "bearer":
        client = ScimClient.authenticated(words[1])
    if client is None:
        raise ScimError(401, _("A valid SCIM bearer token is required."))
    # Touched at most once a minute: a busy client should not write on every request.
    now = timezone.now()
    if client.last_used_at is None or (now - client.last_used_at).total_seconds() > 60:
        ScimClient.objects.filter(pk=client.pk).update(last_used_at=now)
    return client


@method_decorator(csrf_exempt, name="dispatch")
class ScimView(View):
    def dispatch(self, request, *args, **kwargs):
        try:
            self.client = _bearer_client(request)
        except ScimError as error:
            response = error.response()
            response["WWW-Authenticate"] = 'Bearer realm="mamori-scim"'
            return response
        actor = Actor(user_id=None, name=f"scim:{self.client.name}", source="scim",
                      request_id=getattr(request, "request_id", "") or None)
        with acting_as(actor):
            try:
                return super().dispatch(request, *args, **kwargs)
            except ScimError as error:
                return error.response()
            except Http404:
                return ScimError(404, _("No such resource.")).response()

    def http_method_not_allowed(self, request, *args, **kwargs):
        response = ScimError(405, _("%(method)s is not allowed here.")
                             % {"method": request.method}).response()
        response["Allow"] = ", ".join(m.upper() for m in self._allowed_methods())
        return response

    def body(self) -> dict:
        try:
            payload = json.loads(self.request.body or b"null")
        except ValueError:
            raise ScimError(400, _("The body is not JSON."), "invalidSyntax") from None
        if not isinstance(payload, dict):
            raise ScimError(400, _("The body must be a JSON object."), "invalidSyntax")
        return payload


SEARCH_REQUEST = "urn:ietf:params:scim:api:messages:2.0:SearchRequest"


def _whole(query: dict, name: str, default: int) -> int:
    raw = query.get(name)
    if raw in (None, ""):
        return default
    try:
        return int(raw)
    except (TypeError, ValueError):
        raise ScimError(400, _("%(attr)s must be a whole number.") % {"attr": name},
                        "invalidValue") from None


def _names(query: dict, parameter: str) -> set[str]:
    """Attribute names, from a query string's comma-separated list or a search body's
    list."""
    raw = query.get(parameter) or []
    listed = raw.split(",") if isinstance(raw, str) else raw
    if not isinstance(listed, list) or not all(isinstance(n, str) for n in listed):
        raise ScimError(400, _("%(attr)s must list attribute names.") % {"attr": parameter},
                        "invalidValue")
    return {name.strip().casefold() for name in listed if name.strip()}


def project(resource: dict, query: dict) -> dict:
    """The `attributes` / `excludedAttributes` parameters (RFC 7644 3.9), on top-level
    attributes and the extension's (named with its URN); id and schemas are always returned."""
    wanted, unwanted = _names(query, "attributes"), _names(query, "excludedAttributes")
    if not wanted and not unwanted:
        return resource
    extension_prefix = f"{p.ENTERPRISE}:".casefold()

    def keep(name: str) -> bool:
        folded = name.casefold()
        if folded in ("id", "schemas"):
            return True
        if wanted:
            return folded in wanted or any(w.startswith(folded + ".") for w in wanted)
        return folded not in unwanted

    result = {name: value for name, value in resource.items()
              if name != p.ENTERPRISE and keep(name)}
    extension = {name: value for name, value in resource.get(p.ENTERPRISE, {}).items()
                 if keep(extension_prefix + name) or (not wanted and p.ENTERPRISE.casefold()
                                                      not in unwanted and keep(name))}
    if wanted and p.ENTERPRISE.casefold() in wanted:
        extension = dict(resource.get(p.ENTERPRISE, {}))
    if extension:
        result[p.ENTERPRISE] = extension
    return result


class UsersView(ScimView):
    http_method_names = ["get", "post"]

    @staticmethod
    def kind_for(client):
        identities = (ScimIdentity.objects.filter(client=client)
                      .select_related("person__department").order_by("pk"))
        return (identities, filters.FIELDS, users.represent)

    def get(self, request):
        return listing(request.GET, [self.kind_for(self.client)])

    def post(self, request):
        identity = users.apply(self.body(), self.client)
        return scim_response(users.represent(identity), status=201,
                             location=request.build_absolute_uri(users.location(identity)))


def _filtered(kinds, text):
    """Each kind's rows under the filter; a kind whose attributes the filter does not name
    is left out of a search across kinds, and the filter refused only if no kind has them."""
    if not text:
        return [(found, represent) for found, _fields, represent in kinds]
    if not isinstance(text, str):
        raise ScimError(400, _("filter must be a string."), "invalidFilter")
    result, refusal = [], None
    for found, fields, represent in kinds:
        try:
            result.append((found.filter(filters.condition(text, fields)), represent))
        except ScimError as error:
            refusal = error
    if not result:
        raise refusal
    return result


def listing(query: dict, kinds) -> object:
    """A page (RFC 7644 3.4.2) of one kind of resource, or of several one after another
    (a search at the root), each in a fixed order."""
    found = _filtered(kinds, query.get("filter"))
    start = max(_whole(query, "startIndex", 1), 1)
    count = min(max(_whole(query, "count", 100), 0), discovery.MAX_RESULTS)
    total, page, skip = 0, [], start - 1
    for rows, represent in found:
        rows_total = rows.count()
        total += rows_total
        if count > len(page) and skip < rows_total:
            taken = list(rows[skip:skip + count - len(page)])
            page += [project(represent(row), query) for row in taken]
        skip = max(skip - rows_total, 0)
    return scim_response({"schemas": [p.LIST], "totalResults": total, "startIndex": start,
                          "itemsPerPage": len(page), "Resources": page})


class SearchView(ScimView):
    """POST .search (RFC 7644 3.4.3): a listing whose parameters come in the body, so that a
    filter naming a person stays out of the URL and the logs. Under /Users or /Groups it
    searches those; at the root, both."""

    http_method_names = ["post"]
    kinds = ("users", "groups")

    def post(self, request):
        body = self.body()
        if SEARCH_REQUEST not in (body.get("schemas") or []):
            raise ScimError(400, _("A search body is a SearchRequest message (schemas: "
                                   "%(urn)s).") % {"urn": SEARCH_REQUEST}, "invalidSyntax")
        every = {"users": UsersView.kind_for(self.client),
                 "groups": GroupsView.kind_for(self.client)}
        return listing(body, [every[name] for name in self.kinds])


class UserView(ScimView):
    http_method_names = ["get", "put", "patch", "delete"]

    def identity(self, scim_id, lock=False):
        found = ScimIdentity.objects.filter(client=self.client, scim_id=scim_id)
        if lock:
            # of=self: PostgreSQL locks no row through the department's outer join.
            found = found.select_for_update(of=("self",))
        identity = found.select_related("person__department").first()
        if identity is None:
            raise ScimError(404, _("No User has the id %(id)s.") % {"id": scim_id})
        return identity

    def get(self, request, scim_id):
        return scim_response(project(users.represent(self.identity(scim_id)), request.GET))

    def put(self, request, scim_id):
        payload = self.body()
        with transaction.atomic():
            identity = users.apply(payload, self.client, self.identity(scim_id, lock=True))
        return scim_response(users.represent(identity))

    def patch(self, request, scim_id):
        body = self.body()
        # The identity is locked while its representation is read, patched and stored, so
        # two PATCHes of one person at once apply one after the other.
        with transaction.atomic():
            identity = self.identity(scim_id, lock=True)
            resource = patch.apply(copy.deepcopy(users.represent(identity)), body)
            identity = users.apply(resource, self.client, identity)
        return scim_response(users.represent(identity))

    def delete(self, request, scim_id):
        with transaction.atomic():
            users.deprovision(self.identity(scim_id, lock=True))
        return scim_response(None, status=204)


class GroupsView(ScimView):
    http_method_names = ["get", "post"]

    @staticmethod
    def kind_for(client):
        found = (ScimGroup.objects.filter(client=client).order_by("pk")
                 .prefetch_related("memberships__identity"))
        return (found, filters.GROUP_FIELDS, groups.represent)

    def get(self, request):
        return listing(request.GET, [self.kind_for(self.client)])

    def post(self, request):
        group = groups.apply(self.body(), self.client)
        return scim_response(groups.represent(group), status=201,
                             location=request.build_absolute_uri(groups.location(group)))


class GroupView(ScimView):
    http_method_names = ["get", "put", "patch", "delete"]

    def group(self, scim_id, lock=False):
        found = ScimGroup.objects.filter(client=self.client, scim_id=scim_id)
        if lock:
            found = found.select_for_update()
        group = found.prefetch_related("memberships__identity").first()
        if group is None:
            raise ScimError(404, _("No Group has the id %(id)s.") % {"id": scim_id})
        return group

    def get(self, request, scim_id):
        return scim_response(project(groups.represent(self.group(scim_id)), request.GET))

    def put(self, request, scim_id):
        payload = self.body()
        with transaction.atomic():
            group = groups.apply(payload, self.client, self.group(scim_id, lock=True))
        return scim_response(groups.represent(self.group(group.scim_id)))

    def patch(self, request, scim_id):
        body = self.body()
        with transaction.atomic():
            group = self.group(scim_id, lock=True)
            resource = patch.apply(copy.deepcopy(groups.represent(group)), body)
            group = groups.apply(resource, self.client, group)
        return scim_response(groups.represent(self.group(group.scim_id)))

    def delete(self, request, scim_id):
        with transaction.atomic():
            groups.remove(self.group(scim_id, lock=True))
        return scim_response(None, status=204)


class ServiceProviderConfigView(ScimView):
    http_method_names = ["get"]

    def get(self, request):
        return scim_response(discovery.service_provider_config())


class ResourceTypesView(ScimView):
    http_method_names = ["get"]

    def get(self, request, name=None):
        types = [discovery.user_resource_type(), discovery.group_resource_type()]
        if name is None:
            return _list(types)
        for resource_type in types:
            if resource_type["id"] == name:
                return scim_response(resource_type)
        raise ScimError(404, _("No resource type %(name)s.") % {"name": name})


class SchemasView(ScimView):
    http_method_names = ["get"]

    def get(self, request, urn=None):
        schemas = discovery.schemas()
        if urn is None:
            return _list(schemas)
        for schema in schemas:
            if schema["id"] == urn:
                return scim_response(schema)
        raise ScimError(404, _("No schema %(urn)s.") % {"urn": urn})


def _list(resources: list) -> object:
    return scim_response({"schemas": [p.LIST], "totalResults": len(resources),
                          "startIndex": 1, "itemsPerPage": len(resources),
                          "Resources": resources})


class NotFoundView(ScimView):
    """Any other path under /scim/v2/: a SCIM 404, not the site's page."""

    http_method_names = ["get", "post", "put", "patch", "delete"]

    def get(self, request, *args, **kwargs):
        raise ScimError(404, _("No such endpoint."))

    post = put = patch = delete = get
