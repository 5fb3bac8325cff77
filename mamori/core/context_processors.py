"""The navigation, organised by the policy's articles and shaped by role (issue 16 #15).

Members of staff see the few entries their part of the policy asks of them (their policies,
reporting an incident, their department's assets); the CISO, administrators, auditors and
information managers see every register, the information manager's own registers first.
Modules not built yet are listed to them (so they see where the product is going) but
disabled.
"""

from dataclasses import dataclass

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from mamori.core import middleware
from mamori.core import roles as r


@dataclass(frozen=True)
class NavItem:
    label: object
    url_name: str = ""
    articles: str = ""
    for_staff: bool = False  # also in a member of staff's (short) menu

    @property
    def url(self) -> str:
        return reverse(self.url_name) if self.url_name else ""


@dataclass(frozen=True)
class NavSection:
    label: object
    articles: str
    items: tuple[NavItem, ...]
    manager_first: bool = False  # the information manager's own registers: first in their menu


NAVIGATION = (
    NavSection(_("Policy and rules"), "1, 2, 6, 12", (
        NavItem(_("Policies and internal rules"), "policies:policydocument_list", for_staff=True),
        NavItem(_("Versions"), "policies:policyversion_list"),
        NavItem(_("Acknowledgements"), "policies:acknowledgement_list", for_staff=True),
        NavItem(_("Reviews"), "policies:policyreview_list"),
    )),
    NavSection(_("Organisation"), "2–4", (
        NavItem(_("Departments"), "org:department_list"),
        NavItem(_("People"), "org:person_list"),
        NavItem(_("Appointments"), "org:appointment_list"),
    )),
    NavSection(_("Assets, risks and controls"), "3, 5", (
        NavItem(_("Information assets"), "assets:asset_list", for_staff=True),
        NavItem(_("Risks"), "risks:risk_list"),
        NavItem(_("Heat map"), "risks:risk_heatmap"),
        NavItem(_("Risk acceptances"), "risks:riskacceptance_list"),
        NavItem(_("Controls"), "controls:control_list"),
        NavItem(_("Evidence"), "controls:evidence_list"),
        NavItem(_("Frameworks"), "controls:framework_list"),
        NavItem(_("Requirements"), "controls:requirement_list"),
        NavItem(_("Requirement mappings"), "controls:requirementmapping_list"),
    ), manager_first=True),
    NavSection(_("Risk method and classification"), "3, 5", (
        NavItem(_("Classification levels"), "assets:classificationlevel_list"),
        NavItem(_("Asset rating settings"), "assets:assetsettings_list"),
        NavItem(_("Threat catalogue"), "risks:threat_list"),
        NavItem(_("Risk methodology"), "risks:riskmethodology_list"),
        NavItem(_("Risk bands"), "risks:riskband_list"),
    )),
    NavSection(_("Incidents"), "5, 11", (
        NavItem(_("Report an incident"), "incidents:incident_create", for_staff=True),
        NavItem(_("Incidents"), "incidents:incident_list", for_staff=True),
        NavItem(_("Response times"), "incidents:incident_response_times"),
        NavItem(_("Recovery actions"), "incidents:recoveryaction_list", for_staff=True),
        NavItem(_("Breach assessments"), "incidents:breachassessment_list"),
        NavItem(_("Regulatory reports"), "incidents:regulatoryreport_list"),
        NavItem(_("Breach-reporting rules"), "incidents:breachrule_list"),
        NavItem(_("Response targets"), "incidents:responsetarget_list"),
        NavItem(_("Incident settings"), "incidents:incidentsettings_list"),
    ), manager_first=True),
    NavSection(_("Audits"), "7", (
        NavItem(_("Audit programmes"), "audits:auditprogramme_list"),
        NavItem(_("Audits"), "audits:audit_list"),
        NavItem(_("Checklist items"), "audits:checklistitem_list"),
        NavItem(_("Evidence requests"), "audits:evidencerequest_list"),
        NavItem(_("Certificates and attestations"), "audits:auditcertificate_list"),
        NavItem(_("Audit settings"), "audits:auditsettings_list"),
    )),
    NavSection(_("Education and training"), "8", (
        NavItem(_("Training programmes"), "training:programme_list"),
        NavItem(_("Training coverage"), "training:coverage"),
        NavItem(_("Training assignments"), "training:assignment_list", for_staff=True),
        NavItem(_("Completions"), "training:completion_list"),
        NavItem(_("Courses"), "training:course_list"),
        NavItem(_("Classroom sessions"), "training:classroomsession_list"),
        NavItem(_("Training settings"), "training:trainingsettings_list"),
    )),
    NavSection(_("Contractors"), "9", (
        NavItem(_("Outsourcing contractors"), "contractors:contractor_list"),
        NavItem(_("Screenings"), "contractors:screening_list"),
        NavItem(_("Contracts"), "contractors:contract_list"),
        NavItem(_("Certificates of contractors"), "contractors:certificate_list"),
        NavItem(_("Subcontracting"), "contractors:subcontracting_list"),
        NavItem(_("Portal links"), "contractors:portallink_list"),
        NavItem(_("Screening requirements"), "contractors:screeningrequirement_list"),
        NavItem(_("Tier rules"), "contractors:tierrule_list"),
        NavItem(_("Contractor settings"), "contractors:contractorsettings_list"),
    ), manager_first=True),
    NavSection(_("Business continuity"), "10", (
        NavItem(_("Business processes"), "continuity:businessprocess_list"),
        NavItem(_("Impact analyses"), "continuity:impactanalysis_list"),
        NavItem(_("Dependencies"), "continuity:dependency_list"),
        NavItem(_("Dependency impact"), "continuity:impact"),
        NavItem(_("Continuity report"), "continuity:report"),
        NavItem(_("Asset recoveries"), "continuity:assetrecovery_list"),
        NavItem(_("Gap acceptances"), "continuity:gapacceptance_list"),
        NavItem(_("Continuity plans"), "continuity:continuityplan_list"),
        NavItem(_("Recovery steps"), "continuity:recoverystep_list"),
        NavItem(_("Exercises"), "continuity:exercise_list"),
        NavItem(_("Exercise results"), "continuity:exerciseresult_list"),
        NavItem(_("Plan invocations"), "continuity:planinvocation_list"),
        NavItem(_("Continuity settings"), "continuity:continuitysettings_list"),
    ), manager_first=True),
    NavSection(_("Compliance"), "11", (
        NavItem(_("Obligations"), "compliance:obligation_list"),
        NavItem(_("Compliance evaluations"), "compliance:evaluation_list"),
        NavItem(_("Upcoming legal changes"), "compliance:upcoming"),
        NavItem(_("Compliance register report"), "compliance:report"),
        NavItem(_("Amendment impact assessments"), "compliance:impactassessment_list"),
        NavItem(_("Compliance exceptions"), "compliance:complianceexception_list"),
        NavItem(_("Regulatory actions"), "compliance:regulatoryaction_list"),
        NavItem(_("Legal sources"), "compliance:legalsource_list"),
        NavItem(_("Source versions"), "compliance:sourceversion_list"),
    ), manager_first=True),
    NavSection(_("Improvement"), "7, 12", (
        NavItem(_("Nonconformities"), "improvement:nonconformity_list"),
        NavItem(_("Corrective actions"), "improvement:correctiveaction_list", for_staff=True),
        NavItem(_("Effectiveness checks"), "improvement:effectivenesscheck_list"),
        NavItem(_("Improvement actions"), "improvement:improvementaction_list"),
        NavItem(_("Improvement settings"), "improvement:improvementsettings_list"),
    ), manager_first=True),
    NavSection(_("Management review"), "12", (
        NavItem(_("Measures dashboard"), "review:dashboard"),
        NavItem(_("Measures"), "review:measure_list"),
        NavItem(_("Measurements"), "review:measurement_list"),
        NavItem(_("Security objectives"), "review:objective_list"),
        NavItem(_("Management reviews"), "review:managementreview_list"),
        NavItem(_("Review decisions"), "review:reviewdecision_list"),
        NavItem(_("Management review settings"), "review:reviewsettings_list"),
    )),
    NavSection(_("Web systems"), "web", (
        NavItem(_("Web endpoints and TLS"), "websec:webendpoint_list"),
        NavItem(_("TLS findings"), "websec:tlsfinding_list"),
        NavItem(_("TLS scans"), "websec:tlsscan_list"),
        NavItem(_("TLS profiles"), "websec:tlsprofile_list"),
        NavItem(_("Web security settings"), "websec:websecuritysettings_list"),
    )),
)


def navigation_for(roles) -> tuple[NavSection, ...]:
    if not roles.user_id:
        return ()
    if roles.has(r.ADMIN, r.CISO, r.AUDITOR):
        return NAVIGATION
    if roles.has(r.INFORMATION_MANAGER):
        first = [section for section in NAVIGATION if section.manager_first]
        return (*first, *[section for section in NAVIGATION if not section.manager_first])
    sections = []
    for section in NAVIGATION:
        items = tuple(item for item in section.items if item.for_staff)
        if items:
            sections.append(NavSection(section.label, section.articles, items))  # no planned
    return tuple(sections)


def navigation(request):
    user = getattr(request, "user", None)
    roles = r.roles_for(user)
    return {
        "navigation": navigation_for(roles),
        "sees_my_page": bool(roles.user_id) and getattr(user, "person", None) is not None,
        "mamori_roles": roles,
        "sees_dashboard": roles.has(r.ADMIN, r.CISO, r.AUDITOR, r.INFORMATION_MANAGER),
        "sees_changelog": roles.has(r.ADMIN, r.CISO, r.AUDITOR),
        "sees_tasks": roles.has(r.ADMIN),
        "sees_provisioning": roles.has(r.ADMIN, r.CISO),
    }


def setup_step(request):
    """While the user still has to set something up (core.middleware.setup_step), the layout
    shows that step, the language switch and logging out, and no menu: every other page
    would send them straight back."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"setup_step": ""}
    step = middleware.setup_step(request)
    return {"setup_step": step, "setup_url": middleware.setup_url(step),
            "setup_label": middleware.setup_label(step)}
