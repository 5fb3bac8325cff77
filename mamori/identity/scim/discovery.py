"""What the service provider says of itself (RFC 7643 5-7): its configuration, the one
resource type it serves (User, with the enterprise extension) and the attributes it keeps.

Only attributes Mamori keeps are published, so that what a client writes it reads back. The
category (userType) and the department list their accepted values as canonicalValues, which
identity providers show their administrators when mapping."""

from mamori.identity.scim import protocol as p
from mamori.org.models import Department, Person


def attribute(name, type_="string", *, multi=False, required=False, mutability="readWrite",
              returned="default", uniqueness="none", case_exact=False, sub=None,
              canonical=None, references=None, description=""):
    spec = {"name": name, "type": type_, "multiValued": multi, "description": description,
            "required": required, "caseExact": case_exact, "mutability": mutability,
            "returned": returned, "uniqueness": uniqueness}
    if sub is not None:
        spec["subAttributes"] = sub
    if canonical:
        spec["canonicalValues"] = canonical
    if references:
        spec["referenceTypes"] = references
    return spec


def user_schema() -> dict:
    return {
        "schemas": [p.SCHEMA], "id": p.USER, "name": "User",
        "description": "A person of the people register (org.Person).",
        "attributes": [
            attribute("userName", required=True, uniqueness="server",
                      description="The sign-in name; unique without regard to case."),
            attribute("name", "complex", sub=[
                attribute("formatted"), attribute("familyName"), attribute("givenName")]),
            attribute("displayName", description="The name shown in Mamori, if given."),
            attribute("userType", canonical=list(Person.Category.values),
                      description="The person's category under policy article 2."),
            attribute("active", "boolean",
                      description="false records the person as a leaver."),
            attribute("emails", "complex", multi=True, sub=[
                attribute("value"), attribute("type", canonical=["work"]),
                attribute("primary", "boolean")]),
        ],
        "meta": {"resourceType": "Schema", "location": f"/scim/v2/Schemas/{p.USER}"},
    }


def enterprise_schema() -> dict:
    departments = list(Department.objects.active().order_by("code")
                       .values_list("code", flat=True)[:1000])
    return {
        "schemas": [p.SCHEMA], "id": p.ENTERPRISE, "name": "EnterpriseUser",
        "description": "The staff number and the department.",
        "attributes": [
            attribute("employeeNumber", uniqueness="server",
                      description="The staff number (org.Person.employee_no)."),
            attribute("department", canonical=departments,
                      description="The department's code (or its name)."),
        ],
        "meta": {"resourceType": "Schema", "location": f"/scim/v2/Schemas/{p.ENTERPRISE}"},
    }


def group_schema() -> dict:
    return {
        "schemas": [p.SCHEMA], "id": p.GROUP, "name": "Group",
        "description": "A group of the identity provider's; MAMORI_GROUP_ROLES may give its "
                       "members a role.",
        "attributes": [
            attribute("displayName", required=True),
            attribute("members", "complex", multi=True, sub=[
                attribute("value", mutability="immutable"),
                attribute("$ref", "reference", mutability="immutable", references=["User"]),
                attribute("type", mutability="immutable", canonical=["User"])]),
        ],
        "meta": {"resourceType": "Schema", "location": f"/scim/v2/Schemas/{p.GROUP}"},
    }


def schemas() -> list[dict]:
    return [user_schema(), enterprise_schema(), group_schema()]


def group_resource_type() -> dict:
    return {
        "schemas": [p.RESOURCE_TYPE], "id": "Group", "name": "Group", "endpoint": "/Groups",
        "description": "Groups", "schema": p.GROUP,
        "meta": {"resourceType": "ResourceType", "location": "/scim/v2/ResourceTypes/Group"},
    }


def user_resource_type() -> dict:
    return {
        "schemas": [p.RESOURCE_TYPE], "id": "User", "name": "User", "endpoint": "/Users",
        "description": "People", "schema": p.USER,
        "schemaExtensions": [{"schema": p.ENTERPRISE, "required": False}],
        "meta": {"resourceType": "ResourceType", "location": "/scim/v2/ResourceTypes/User"},
    }


MAX_RESULTS = 1000


def service_provider_config() -> dict:
    unsupported = {"supported": False}
    return {
        "schemas": [p.SERVICE_PROVIDER_CONFIG],
        "patch": {"supported": True},
        "bulk": {"supported": False, "maxOperations": 0, "maxPayloadSize": 0},
        "filter": {"supported": True, "maxResults": MAX_RESULTS},
        "changePassword": unsupported, "sort": unsupported, "etag": unsupported,
        "authenticationSchemes": [{
            "type": "oauthbearertoken", "name": "Bearer token",
            "description": "The token an administrator issued to this SCIM client.",
            "primary": True}],
        "meta": {"resourceType": "ServiceProviderConfig",
                 "location": "/scim/v2/ServiceProviderConfig"},
    }
