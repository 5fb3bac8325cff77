from django.contrib import admin

from mamori.core.admin import ScopedAdmin
from mamori.websec.models import TlsProfile, WebEndpoint, WebSecuritySettings


@admin.register(WebEndpoint)
class WebEndpointAdmin(ScopedAdmin):
    list_display = ("name", "host", "port", "department", "authentication_ok",
                    "encryption_ok", "integrity_ok")


@admin.register(TlsProfile)
class TlsProfileAdmin(ScopedAdmin):
    list_display = ("code", "name_ja", "version")


@admin.register(WebSecuritySettings)
class WebSecuritySettingsAdmin(ScopedAdmin):
    list_display = ("expiry_warning_days", "control")
