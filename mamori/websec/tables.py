from django.utils.translation import gettext_lazy as _

from mamori.core.tables import Column, Resource, Table
from mamori.websec.models import TlsFinding, TlsProfile, TlsScan, WebEndpoint


class WebEndpointTable(Table):
    columns = [
        Column("name", link=True),
        Column("host"),
        Column("port"),
        Column("department", order_by="department__code"),
        Column("authentication_ok"),
        Column("encryption_ok"),
        Column("integrity_ok"),
        Column("days_to_expiry", _("days to certificate expiry"),
               order_by="certificate_expires_at"),
        Column("last_full_scan_at"),
    ]
    select_related = ("department",)
    default_ordering = "name"


class WebEndpointResource(Resource):
    model = WebEndpoint
    fields = ["name", "url", "server_name", "purpose", "handles_personal_info",
              "handles_card_data", "department", "profile", "client_cert_required",
              "scan_every_hours", "certificate_check_every_hours", "active"]
    key = "url"
    natural_keys = {"department": "code", "profile": "code"}
    select_related = ("department", "profile")


class TlsScanTable(Table):
    columns = [
        Column("started_at", link=True),
        Column("endpoint", order_by="endpoint__name"),
        Column("kind"),
        Column("status"),  # a scan that failed has no verdicts: its status says why
        Column("authentication_ok"),
        Column("encryption_ok"),
        Column("integrity_ok"),
        Column("profile_ok"),
    ]
    select_related = ("endpoint",)
    default_ordering = "-started_at"


class TlsScanResource(Resource):
    model = TlsScan
    fields = ["endpoint", "kind", "status", "started_at", "finished_at", "profile_code",
              "profile_version", "authentication_ok", "encryption_ok", "integrity_ok",
              "profile_ok", "certificate_expires_at", "result_sha256"]
    key = None
    natural_keys = {"endpoint": "url"}
    select_related = ("endpoint",)


class TlsFindingTable(Table):
    columns = [
        Column("endpoint", order_by="endpoint__name", link=True),
        Column("text", _("problem"), order_by="code", link=True),
        Column("promise"),
        Column("level"),
        Column("opened_at"),
        Column("closed_at"),
    ]
    select_related = ("endpoint",)
    default_ordering = "-opened_at"


class TlsFindingResource(Resource):
    model = TlsFinding
    fields = ["endpoint", "code", "promise", "level", "opened_at", "last_seen_at",
              "closed_at"]
    key = None
    natural_keys = {"endpoint": "url"}
    select_related = ("endpoint",)


class TlsProfileTable(Table):
    columns = [
        Column("code", link=True),
        Column("name", _("name"), order_by="name_ja", link=True),
        Column("source"),
        Column("version"),
    ]
    default_ordering = "code"


class TlsProfileResource(Resource):
    model = TlsProfile
    fields = ["code", "name_ja", "name_en", "source", "version", "definition"]
    key = "code"
