"""OpenAPI description of Mamori's token authentication."""

from django.conf import settings
from drf_spectacular.extensions import OpenApiAuthenticationExtension


class HashedTokenScheme(OpenApiAuthenticationExtension):
    target_class = "mamori.core.api.authentication.HashedTokenAuthentication"
    name = "tokenAuth"

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": "Personal API token, sent as `Token <token>` (create one under "
                           "My page → API tokens, or with `mamori token create`).",
        }


class GatedSessionScheme(OpenApiAuthenticationExtension):
    target_class = "mamori.core.api.authentication.GatedSessionAuthentication"
    name = "cookieAuth"

    def get_security_definition(self, auto_schema):
        return {"type": "apiKey", "in": "cookie", "name": settings.SESSION_COOKIE_NAME,
                "description": "A signed-in browser session (used by Swagger UI); refused "
                               "until the session has passed the second factor where one is "
                               "required."}


ERROR_COMPONENT = {
    "type": "object",
    "description": "An error: `detail` for most, or the invalid fields with their messages.",
    "properties": {"detail": {"type": "string"}},
    "additionalProperties": True,
}
ERROR_RESPONSES = {
    "400": "Invalid input (the fields with their messages), or a delete refused because other "
           "records refer to the object.",
    "401": "Not authenticated, or the token is invalid, expired or revoked.",
    "403": "Outside your role or scope.",
    "404": "Not found within your scope.",
    "415": "The body is not JSON (`Content-Type: application/json`).",
}


def error_codes(path: str, method: str, operation: dict) -> list[str]:
    """The error statuses the operation really answers with (DRF's and ours)."""
    codes = ["401", "403"]
    has_query = any(p.get("in") == "query" for p in operation.get("parameters", []))
    if method != "get" or has_query:
        codes.append("400")  # an invalid body, or an invalid filter value
    if "{" in path:
        codes.append("404")
    if "requestBody" in operation:
        codes.append("415")  # the API parses JSON only
    return codes


def add_error_responses(result, generator, request, public):
    """Post-processing hook: document the error responses every operation can give, so
    clients (and schemathesis) know them."""
    result.setdefault("components", {}).setdefault("schemas", {})["Error"] = ERROR_COMPONENT
    reference = {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
    for path, operations in result.get("paths", {}).items():
        for method, operation in operations.items():
            if method not in {"get", "post", "put", "patch", "delete"}:
                continue
            responses = operation.setdefault("responses", {})
            for code in error_codes(path, method, operation):
                responses.setdefault(code, {"description": ERROR_RESPONSES[code],
                                            "content": reference})
    return result
