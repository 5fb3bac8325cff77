from pathlib import Path

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from mamori.core.changelog import ChainBroken, configured_anchor, verify, verify_anchor
from mamori.core.reconcile import (
    DELETED_IN_LOG,
    DIFFERS,
    MISSING,
    NO_ENTRY,
    PREDATES_LOG,
    reconcile,
)


class Command(BaseCommand):
    @property
    def help(self):
        # Looked up when the parser is built, so the text follows the active language.
        return _("Recompute the change-log hash chain and its signed checkpoint, and check the "
                 "heads anchored outside the database. Exits with status 0 when intact, 1 "
                 "naming the first broken entry otherwise.")

    def add_arguments(self, parser):
        parser.add_argument(
            "--anchor", metavar="FILE", type=Path,
            help=_("Check the heads anchored in FILE (default: MAMORI_LOG_ANCHOR_FILE, when "
                   "it exists)."))
        parser.add_argument(
            "--reconcile", action="store_true",
            help=_("Also compare every audited record with its newest change-log entries and "
                   "list the records changed without passing through Mamori (status 1 when "
                   "there are any)."))

    def handle(self, *args, anchor=None, reconcile=False, **options):
        try:
            self.check_chain(anchor)
        except ChainBroken as exc:  # the key is missing
            self.fail(str(exc))
        if reconcile and not self.reconcile():
            raise SystemExit(1)

    def fail(self, problem: str):
        self.stderr.write(_("change log BROKEN: %(problem)s") % {"problem": problem})
        raise SystemExit(1)

    def check_chain(self, anchor):
        verdict = verify()
        if not verdict.ok:
            self.fail(verdict.problem)
        self.stdout.write(_("change log intact: %(n)s entries verified") % {
            "n": verdict.checked})
        anchor = anchor or configured_anchor()
        if anchor is None:
            return
        verdict = verify_anchor(anchor)
        if not verdict.ok:
            self.fail(verdict.problem)
        self.stdout.write(_("anchor %(file)s: %(n)s anchored heads are in the chain") % {
            "file": anchor, "n": verdict.checked})

    def reconcile(self) -> bool:
        found = reconcile()
        seeds = [d for d in found if d.kind == PREDATES_LOG]
        differences = [d for d in found if d.kind != PREDATES_LOG]
        if seeds:
            self.stdout.write(_("reconcile: %(n)s records predate the change log (seeded by "
                                "migrations): %(records)s") % {
                "n": len(seeds),
                "records": ", ".join(f"{d.model} {d.object_id}" for d in seeds)})
        texts = {
            NO_ENTRY: _("%(model)s %(id)s: no change-log entry (inserted without Mamori)"),
            DELETED_IN_LOG: _("%(model)s %(id)s: exists, but its newest entry deletes it"),
            MISSING: _("%(model)s %(id)s: its entries say it exists, but it is gone (deleted "
                       "without Mamori)"),
            DIFFERS: _("%(model)s %(id)s: differs from its newest entry in %(fields)s"),
        }
        for difference in differences:
            self.stderr.write(texts[difference.kind] % {
                "model": difference.model, "id": difference.object_id,
                "fields": ", ".join(difference.fields)})
        if differences:
            self.stderr.write(_("reconcile: %(n)s records differ from the change log") % {
                "n": len(differences)})
            return False
        self.stdout.write(_("reconcile: every audited record matches the change log"))
        return True
