import json

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from mamori.core import conformance
from mamori.core.text import text_table


class Command(BaseCommand):
    help = _("Show every policy article with the result of its checks. Exits with status 1 "
             "when any check fails.")

    def add_arguments(self, parser):
        parser.add_argument("--json", action="store_true", help=_("print JSON"))

    def handle(self, *args, **options):
        articles = conformance.evaluate()
        if options["json"]:
            self.stdout.write(json.dumps(conformance.as_json(articles), ensure_ascii=False,
                                         indent=2))
        else:
            self.stdout.write(self.table(articles))
        if conformance.any_failing(articles):
            raise SystemExit(1)

    def table(self, articles) -> str:
        headers = (_("article"), _("status"), _("check"), _("measured"), _("threshold"),
                   _("failing"))
        rows = []
        for article in articles:
            if not article.outcomes:
                rows.append((article.label, conformance.NOT_APPLICABLE,
                             _("no checks yet"), "", "", ""))
            for outcome in article.outcomes:
                result = outcome.result
                rows.append((article.label, result.status, outcome.check.code,
                             "" if result.value is None else str(result.value),
                             "" if result.threshold is None else str(result.threshold),
                             str(result.failing_count)))
        return text_table([headers, *rows])

