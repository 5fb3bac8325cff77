"""One filterset per model, shared by the list pages and the API."""

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from mamori.core.filtersets import ScopedFilterSet, VisibleIdFilter, WholeNumberFilter
from mamori.websec.models import TlsFinding, TlsProfile, TlsScan, WebEndpoint


class WebEndpointFilterSet(ScopedFilterSet):
    q = django_filters.CharFilter(method="search", label=_("Search"))
    failing = django_filters.BooleanFilter(method="filter_failing",
                                           label=_("Fails a promise"))
    expires_within = WholeNumberFilter(method="filter_expiry", min_value=0, max_value=3650,
                                       label=_("Certificate expires within (days)"))

    class Meta:
        model = WebEndpoint
        fields = ["department", "purpose", "profile", "handles_personal_info",
                  "handles_card_data", "active"]

    def search(self, queryset, name, value):
        return queryset.filter(Q(name__icontains=value) | Q(host__icontains=value))

    def filter_failing(self, queryset, name, value):
        failing = (Q(authentication_ok=False) | Q(encryption_ok=False)
                   | Q(integrity_ok=False))
        return queryset.filter(failing) if value else queryset.exclude(failing)

    def filter_expiry(self, queryset, name, value):
        import datetime

        from django.utils import timezone

        return queryset.filter(certificate_expires_at__lte=timezone.now()
                               + datetime.timedelta(days=value))


class TlsScanFilterSet(ScopedFilterSet):
    endpoint = VisibleIdFilter(field_name="endpoint", label=_("endpoint"))

    class Meta:
        model = TlsScan
        fields = ["kind", "status", "authentication_ok", "encryption_ok", "integrity_ok"]


class TlsFindingFilterSet(ScopedFilterSet):
    endpoint = VisibleIdFilter(field_name="endpoint", label=_("endpoint"))
    open = django_filters.BooleanFilter(field_name="closed_at", lookup_expr="isnull",
                                        label=_("Open"))

    class Meta:
        model = TlsFinding
        fields = ["promise", "level", "code"]


class TlsProfileFilterSet(ScopedFilterSet):
    class Meta:
        model = TlsProfile
        fields = ["code"]
