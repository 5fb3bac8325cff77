import json

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from mamori.core import conformance


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
        widths = [max(display_width(str(row[i])) for row in [headers, *rows])
                  for i in range(len(headers))]
        lines = []
        for row in [headers, *rows]:
            lines.append("  ".join(pad(str(cell), w) for cell, w in zip(row, widths, strict=True)).rstrip())
        return "\n".join(lines) + "\n"


def display_width(text: str) -> int:
    """Terminal columns: CJK characters take two."""
    import unicodedata

    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def pad(text: str, width: int) -> str:
    return text + " " * (width - display_width(text))
