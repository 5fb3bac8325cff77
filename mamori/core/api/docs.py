"""The OpenAPI schema and Swagger UI, for signed-in users only.

The schema is the same for every reader (drf-spectacular's public schema), but generating it
takes a second or more, so it is built once per language and process and kept: anonymous
clients could otherwise keep a worker busy with it, and it maps every operation for an
attacker. It changes only with the code, i.e. at a restart.
"""

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.http import Http404
from django.utils import translation
from django.utils.translation import gettext as _
from django.views import View
from drf_spectacular.utils import extend_schema
from drf_spectacular.views import SCHEMA_KWARGS, SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.exceptions import ValidationError
from rest_framework.permissions import IsAuthenticated
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response

# Language code → the schema as data, filled on first request.
SCHEMAS: dict[str, dict] = {}


class SchemaView(SpectacularAPIView):
    permission_classes = [IsAuthenticated]

    def perform_content_negotiation(self, request, force=False):
        # DRF answers an unknown ?format= with 404, as if the schema did not exist; it is a
        # bad parameter (400, naming it, in JSON like every API error), which is what the
        # schema documents.
        try:
            return super().perform_content_negotiation(request, force=False)
        except Http404:
            if force:  # rendering that 400
                return JSONRenderer(), JSONRenderer.media_type
            formats = ", ".join(sorted({renderer.format for renderer in self.get_renderers()}))
            raise ValidationError({"format": [
                _("Unknown format; use one of: %(formats)s.") % {"formats": formats}]}) from None

    @extend_schema(**SCHEMA_KWARGS)  # the parent's, which overriding get() would drop
    def get(self, request, *args, **kwargs):
        requested = request.GET.get("lang")
        if requested is not None and requested not in dict(settings.LANGUAGES):
            # Refused rather than built: a schema for any string would be built (a second
            # or more) on every request, as none could be kept.
            raise ValidationError({"lang": [_("Unknown language; use one of: %(languages)s.")
                                            % {"languages": ", ".join(dict(settings.LANGUAGES))}]})
        language = requested or translation.get_language()
        if language not in SCHEMAS:
            response = super().get(request, *args, **kwargs)
            if response.status_code != 200:
                return response
            SCHEMAS[language] = response.data
        filename = f"{settings.SPECTACULAR_SETTINGS['TITLE']}.{request.accepted_renderer.format}"
        return Response(SCHEMAS[language],
                        headers={"Content-Disposition": f'inline; filename="{filename}"'})


class DocsView(SpectacularSwaggerSplitView):
    """Swagger UI, its start-up script served as a file (no inline script: the strict
    Content-Security-Policy holds on this page too); a visitor who is not signed in is sent
    to the login page first.

    OPTIONS is answered as Django answers it, with the allowed methods and no body: DRF's
    metadata response would be rendered with this page's HTML renderer, which has no template
    for it (a 500)."""

    permission_classes = []

    @extend_schema(exclude=True)
    def options(self, request, *args, **kwargs):
        return View.options(self, request, *args, **kwargs)

    @extend_schema(exclude=True)  # as the parent's get: a page, not an API operation
    def get(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        return super().get(request, *args, **kwargs)
