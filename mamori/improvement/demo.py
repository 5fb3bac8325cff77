"""The demo company's improvement register (policy Art 7 and 12), besides what its audits found
(mamori.audits.demo raises those):

- a minor nonconformity the Card Business's information manager (the `manager` login) raised
  about their own department a few days ago: cause and plan still to come, not yet late;
- an improvement action from the web-skimming incident's lessons (a Content Security Policy on
  every web site), linked to that incident when the incident demo is loaded.

Dates are relative to the day the demo is loaded.
"""

import datetime

from django.db import transaction
from django.utils import timezone

from mamori.assets.demo import DEMO_ACTOR
from mamori.core.context import Actor, acting_as
from mamori.improvement import sources
from mamori.improvement.models import ImprovementAction, Nonconformity, Source
from mamori.org.models import Department, Person

MARKER = "加盟店向け資料の保管庫が施錠されていない時間帯があった"
IT, CARD = "D600", "D200"
SKIMMING_TITLE = "会員向けWebサイトの申込フォームへのWebスキミング"


def load_improvement_demo(seed: int) -> int:
    """Returns the number of records loaded (0 when they exist already or the demo
    organisation is missing)."""
    if Nonconformity.objects.filter(title=MARKER).exists():
        return 0
    departments = {d.code: d for d in Department.objects.filter(code__in=(IT, CARD))}
    manager = Person.objects.filter(user__username="manager").first()
    if len(departments) < 2 or manager is None:
        return 0
    it_people = list(Person.objects.filter(department=departments[IT],
                                           status=Person.Status.ACTIVE).order_by("employee_no"))
    if not it_people:
        return 0
    today = timezone.localdate()

    def ago(days: int) -> datetime.date:
        return today - datetime.timedelta(days=days)

    with acting_as(Actor(None, DEMO_ACTOR, "command")), transaction.atomic():
        Nonconformity.objects.create(
            title=MARKER,
            severity=Nonconformity.Severity.MINOR, source=Source.SELF_IDENTIFIED,
            policy_article="5", requirement="物理的セキュリティ規程 第3条",
            department=departments[CARD], raised_on=ago(3), raised_by=manager,
            description="昼休みの1時間、保管庫が解錠されたまま無人になっていた。")

        csp = ImprovementAction(
            title="全ての会員向けWebサイトにContent Security Policyを設定する",
            description="Webスキミングの教訓：決済画面以外のページにも外部スクリプトの読込み"
                        "制限を広げる。",
            source=Source.INCIDENT, source_reference="Webスキミング",
            department=departments[IT], owner=it_people[-1], raised_on=ago(30),
            due_on=today + datetime.timedelta(days=60))
        incident = _incident(SKIMMING_TITLE)
        if incident is not None:
            sources.link(csp, incident)
            csp.source_reference = incident.code
        csp.save()
    return 2


def _incident(title: str):
    from django.apps import apps

    if not apps.is_installed("mamori.incidents"):
        return None
    return apps.get_model("incidents", "Incident").objects.filter(title=title).first()
