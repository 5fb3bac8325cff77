"""OpenAPI description of Mamori's token authentication."""

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
