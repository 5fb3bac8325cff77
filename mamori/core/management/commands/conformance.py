import json

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from mamori.core import conformance
from mamori.core.text import text_table


class Command(BaseCommand):
    @property
    def help(self):
        # Looked up when the parser is built, so the text follows the active language.
        return _("Show every policy article with the result of its checks. Exits with status 1 "
                 "when any check fails.")

    def add_arguments(self, parser):
        parser.add_argument("--json", action="store_true", help=_("print JSON"))

    def handle(self, *args, **options):
        # The command runs as the system: it lists every failing object.
        articles = conformance.evaluate(conformance.SYSTEM)
        if options["json"]:
            self.stdout.write(json.dumps(conformance.as_json(articles), ensure_ascii=False,
                                         indent=2))
        else:
            self.stdout.write(self.table(articles))
        if conformance.any_failing(articles):
            raise SystemExit(1)

    def table(self, articles) -> str:
        headers = (_("article"), _("status"), _("check"), _("measured"), _("threshold"),
                   _("failing"), _("title"))
        labels = conformance.STATUS_LABELS
        rows = []
        for article in articles:
            if not article.outcomes:
                rows.append((article.label, labels[conformance.NOT_ASSESSED], "-", "", "",
                             "", _("no checks yet")))
            for outcome in article.outcomes:
                result = outcome.result
                unit = result.unit
                rows.append((article.label, labels[result.status], outcome.check.code,
                             "" if result.value is None else f"{result.value}{unit}",
                             "" if result.threshold is None else f"{result.threshold}{unit}",
                             str(result.failing_count), outcome.check.title))
        return text_table([headers, *rows])

