"""What continuity adds to the pages of the apps it builds on (core.views.generic's detail
panels): on an incident, the plans invoked for it and the button to invoke one; on an asset
or a contractor, its recovery and the processes that depend on it."""

from mamori.continuity.models import AssetRecovery, Dependency, PlanInvocation
from mamori.core.scope import ADD, VIEW, can


def incident_panel(view, incident) -> dict | None:
    user = view.request.user
    invocations = list(PlanInvocation.objects.restrict(user).filter(
        incident=incident).select_related("plan__document").order_by("invoked_at", "pk"))
    may_invoke = view.can_change and can(user, PlanInvocation, ADD)
    if not invocations and not may_invoke:
        return None
    return {"invocations": invocations, "may_invoke": may_invoke, "incident": incident}


def depended_on_panel(field: str):
    def panel(view, obj) -> dict | None:
        user = view.request.user
        if not can(user, Dependency, VIEW):
            return None
        dependencies = list(Dependency.objects.restrict(user).filter(**{field: obj})
                            .select_related("process").order_by("process__code")[:50])
        recovery = (AssetRecovery.objects.restrict(user).filter(asset=obj).first()
                    if field == "asset" else None)
        if not dependencies and recovery is None:
            return None
        return {"dependencies": dependencies, "recovery": recovery,
                "target": f"{field}:{obj.pk}"}

    return panel
