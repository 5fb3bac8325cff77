"""SCIM 2.0's wire format (RFC 7644): its media type, its URNs and its error body."""

import json

from django.http import HttpResponse

MEDIA_TYPE = "application/scim+json"
USER = "urn:ietf:params:scim:schemas:core:2.0:User"
GROUP = "urn:ietf:params:scim:schemas:core:2.0:Group"
ENTERPRISE = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
LIST = "urn:ietf:params:scim:api:messages:2.0:ListResponse"
PATCH = "urn:ietf:params:scim:api:messages:2.0:PatchOp"
ERROR = "urn:ietf:params:scim:api:messages:2.0:Error"
SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:Schema"
RESOURCE_TYPE = "urn:ietf:params:scim:schemas:core:2.0:ResourceType"
SERVICE_PROVIDER_CONFIG = "urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig"


class ScimError(Exception):
    """A request refused with RFC 7644's error body; `scim_type` is its 3.12 keyword (say
    invalidValue, uniqueness, invalidFilter) and `detail` names the attribute at fault."""

    def __init__(self, status: int, detail: str, scim_type: str = ""):
        super().__init__(detail)
        self.status, self.detail, self.scim_type = status, str(detail), scim_type

    def response(self) -> HttpResponse:
        body = {"schemas": [ERROR], "status": str(self.status), "detail": self.detail}
        if self.scim_type:
            body["scimType"] = self.scim_type
        return scim_response(body, status=self.status)


def scim_response(body, status: int = 200, location: str = "") -> HttpResponse:
    content = b"" if body is None else json.dumps(body, ensure_ascii=False)
    response = HttpResponse(content, status=status, content_type=MEDIA_TYPE)
    if location:
        response["Location"] = location
    return response
