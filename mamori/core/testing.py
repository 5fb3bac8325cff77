"""Shared test mixins: every model's UI and API under three users.

A test class for a model declares its data and inherits these tests:

    class TestPerson(ScopedModelTests):
        model = Person
        in_scope_user = "manager"        # may change `in_scope_object`
        no_permission_user = "staff"     # may create nothing
        def in_scope_object(self, org): ...
        def out_of_scope_object(self, org): ...   # the in-scope user may not change it
        def create_data(self, org): ...           # valid form/API data, within scope
        def out_of_scope_create_data(self, org): ...  # valid data, outside the user's scope
        def update_data(self, org, obj): ...
        def make_rows(self, org, n): ...           # n more rows, for query-count tests

The tests assert what users see, that writes are logged in the change log, that writes out of
scope are refused and leave nothing behind, and that list pages and endpoints run a constant
number of queries as rows grow.
"""

import csv
import io
import threading

import pytest
from django.core.exceptions import FieldDoesNotExist
from django.core.validators import MaxLengthValidator
from django.db import connection, connections, models, transaction
from django.urls import NoReverseMatch, resolve, reverse

from mamori.core.changelog import model_label
from mamori.core.formulas import could_be_formula, quote
from mamori.core.models import ApiToken, ChangeLogEntry
from mamori.core.roles import forget_roles


def signed_in_client(user, *, second_factor: bool = True):
    """A test client signed in as `user`. With `second_factor`, a user who must use one (the
    CISO, administrators) gets a TOTP device and a session that has passed it, as after a real
    login with password and code; without, the session is as if the code had been skipped."""
    from allauth.mfa.models import Authenticator
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
    from django.test import Client

    from mamori.core import mfa

    client = Client()
    client.force_login(user)
    if second_factor and mfa.requires_second_factor(user):
        if not Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists():
            TOTP.activate(user, generate_totp_secret())
        session = client.session
        mfa.record_second_factor(session, user)
        session.save()
    # Roles are cached on the user object; a test may appoint or end someone afterwards.
    forget_roles(user)
    return client

# Texts a spreadsheet would take for formulas (and one already beginning with the quote that
# marks them), as someone could type them into any text field.
FORMULA_TEXTS = ['=HYPERLINK("http://x","y")', "+1", "-2+3", "@SUM(A1)", "\t=1+2",
                 "'=quoted", "＝1+1"]


def api_client(user):
    from rest_framework.test import APIClient

    _token, raw = ApiToken.issue(user, "test", 1)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {raw}")
    return client


def log_entries(obj, action=None):
    entries = ChangeLogEntry.objects.filter(model=model_label(type(obj)), object_id=str(obj.pk))
    return entries.filter(action=action) if action else entries


def postgresql_plan(sql: str, params=None, off=()) -> str:
    """PostgreSQL's plan for `sql` (EXPLAIN), with the planner's methods named in `off`
    (e.g. "enable_seqscan") switched off for this transaction only: a plan that still uses
    them means nothing else can serve the query. A caller outside a transaction gets one."""
    with transaction.atomic(), connection.cursor() as cursor:
        for setting in off:
            cursor.execute(f"SET LOCAL {setting} = off")
        cursor.execute("EXPLAIN " + sql, params)
        return "\n".join(row[0] for row in cursor.fetchall())


def query_count(callable_) -> int:
    """Queries run by `callable_` (counted by a wrapper, so the size of Django's debug query
    log, which keeps only the last 9,000, does not matter)."""
    count = 0

    def counter(execute, sql, params, many, context):
        nonlocal count
        count += 1
        return execute(sql, params, many, context)

    with connection.execute_wrapper(counter):
        callable_()
    return count


@pytest.mark.django_db
class ScopedModelTests:
    model = None
    in_scope_user = "manager"
    no_permission_user = "staff"
    out_of_scope_visible = False  # True where every user may read every row
    api_path = ""  # e.g. "/api/org/people/"

    # -- declared by each test class -------------------------------------------------------

    def in_scope_object(self, org):
        raise NotImplementedError

    def out_of_scope_object(self, org):
        raise NotImplementedError

    def create_data(self, org) -> dict:
        raise NotImplementedError

    def out_of_scope_create_data(self, org) -> dict:
        raise NotImplementedError

    def update_data(self, org, obj) -> dict:
        raise NotImplementedError

    def make_rows(self, org, n: int) -> None:
        raise NotImplementedError

    # -- helpers ----------------------------------------------------------------------------

    def url(self, action, *args):
        opts = self.model._meta
        return reverse(f"{opts.app_label}:{opts.model_name}_{action}", args=args)

    def form_data(self, data: dict) -> dict:
        return {k: ("" if v is None else v) for k, v in data.items()}

    # -- UI -----------------------------------------------------------------------------------

    def test_list_shows_only_scope(self, org):
        inside, outside = self.in_scope_object(org), self.out_of_scope_object(org)
        response = org.client(self.in_scope_user).get(self.url("list") + "?sort=pk")
        assert response.status_code == 200
        shown = {obj.pk for obj, _cells in response.context["rows"]}
        assert inside.pk in shown
        assert (outside.pk in shown) == self.out_of_scope_visible

    def test_detail_and_history(self, org):
        inside, outside = self.in_scope_object(org), self.out_of_scope_object(org)
        client = org.client(self.in_scope_user)
        assert client.get(self.url("detail", inside.pk)).status_code == 200
        history = client.get(self.url("history", inside.pk))
        assert history.status_code == 200
        assert [e.action for e in history.context["entries"]][-1] == "create"
        expected = 200 if self.out_of_scope_visible else 404
        assert client.get(self.url("detail", outside.pk)).status_code == expected

    def test_create_in_scope_is_logged(self, org):
        before = self.model.objects.count()
        response = org.client(self.in_scope_user).post(
            self.url("create"), self.form_data(self.create_data(org)))
        assert response.status_code == 302, getattr(response, "context", {}) and response.context[
            "form"].errors
        assert self.model.objects.count() == before + 1
        created = self.model.objects.order_by("-pk").first()
        entry = log_entries(created, "create").get()
        assert entry.actor_name == self.in_scope_user
        assert entry.source == "ui"

    def test_create_out_of_scope_is_refused_and_nothing_written(self, org):
        client = org.client(self.in_scope_user)
        before = self.model.objects.count()
        log_before = ChangeLogEntry.objects.count()
        response = client.post(self.url("create"),
                               self.form_data(self.out_of_scope_create_data(org)))
        assert response.status_code in (400, 403)
        assert self.model.objects.count() == before
        assert ChangeLogEntry.objects.count() == log_before

    def test_no_permission_user_cannot_create(self, org):
        client = org.client(self.no_permission_user)
        assert client.get(self.url("create")).status_code == 403
        before = self.model.objects.count()
        assert client.post(self.url("create"),
                           self.form_data(self.create_data(org))).status_code == 403
        assert self.model.objects.count() == before

    def test_update_in_scope_is_logged_with_before_and_after(self, org):
        obj = self.in_scope_object(org)
        data = self.update_data(org, obj)
        response = org.client(self.in_scope_user).post(self.url("update", obj.pk),
                                                       self.form_data(data))
        assert response.status_code == 302, response.context and response.context["form"].errors
        entry = log_entries(obj, "update").get()
        changed = {name for name, _b, _a in entry.changes()}
        assert changed, "an update entry records what changed"

    def links(self, org) -> dict:
        """Many-to-many values (in scope) to link on a create and an edit. Each link set is a
        write of its own, so a model that has links names some here, and the tests of one
        entry per save check that the links join the row's entry."""
        return {}

    def test_one_save_is_one_entry_per_object(self, org):
        """A form save, with its links, is one change-log entry of the object: a create, or an
        update with the fields and links before and after."""
        client = org.client(self.in_scope_user)
        response = client.post(self.url("create"),
                               self.form_data({**self.create_data(org), **self.links(org)}))
        assert response.status_code == 302, getattr(response, "context", {}) and response.context[
            "form"].errors
        created = self.model.objects.order_by("-pk").first()
        assert [e.action for e in log_entries(created)] == ["create"]
        assert all(e.after[name] == sorted(ids) for name, ids in self.links(org).items()
                   for e in log_entries(created))
        obj = self.in_scope_object(org)
        logged = log_entries(obj).count()
        response = client.post(self.url("update", obj.pk), self.form_data(
            {**self.update_data(org, obj), **self.links(org)}))
        assert response.status_code == 302, response.context and response.context["form"].errors
        assert [e.action for e in log_entries(obj).order_by("seq")[logged:]] == ["update"]

    def test_api_one_request_is_one_entry_per_object(self, org):
        client = api_client(org.users[self.in_scope_user])
        response = client.post(self.api_path, {**self.create_data(org), **self.links(org)},
                               format="json")
        assert response.status_code == 201, response.json()
        created = self.model.objects.get(pk=response.json()["id"])
        assert [e.action for e in log_entries(created)] == ["create"]
        response = client.patch(f"{self.api_path}{created.pk}/",
                                {**self.update_data(org, created), **self.links(org)},
                                format="json")
        assert response.status_code == 200, response.json()
        assert [e.action for e in log_entries(created).order_by("seq")] == ["create", "update"]

    def test_update_and_delete_out_of_scope_404(self, org):
        outside = self.out_of_scope_object(org)
        client = org.client(self.in_scope_user)
        assert client.post(self.url("update", outside.pk),
                           self.form_data(self.update_data(org, outside))).status_code == 404
        assert client.post(self.url("delete", outside.pk)).status_code == 404
        assert self.model.objects.filter(pk=outside.pk).exists()

    def test_delete_in_scope_is_logged(self, org):
        obj = self.in_scope_object(org)
        self.free_for_deletion(org, obj)
        response = org.client(self.in_scope_user).post(self.url("delete", obj.pk))
        assert response.status_code == 302
        assert not self.model.objects.filter(pk=obj.pk).exists()
        assert log_entries(obj, "delete").count() == 1

    def free_for_deletion(self, org, obj):
        """Remove what protects `obj` from deletion (override where needed)."""

    def test_bulk_delete_refuses_out_of_scope_selection(self, org):
        inside, outside = self.in_scope_object(org), self.out_of_scope_object(org)
        response = org.client(self.in_scope_user).post(self.url("bulk_delete"),
                                                       {"pk": [inside.pk, outside.pk]})
        assert response.status_code == 403
        assert self.model.objects.filter(pk__in=[inside.pk, outside.pk]).count() == 2

    def test_export_csv_and_xlsx_only_scope(self, org):
        inside, outside = self.in_scope_object(org), self.out_of_scope_object(org)
        client = org.client(self.in_scope_user)
        response = client.get(self.url("list") + "?export=csv")
        assert response.status_code == 200
        text = response.content.decode("utf-8-sig")
        rows = list(csv.reader(io.StringIO(text)))
        assert len(rows) - 1 == self.model.objects.restrict(org.users[self.in_scope_user]).count()
        xlsx = client.get(self.url("list") + "?export=xlsx")
        assert xlsx.status_code == 200
        assert xlsx.content[:2] == b"PK"  # a zip container
        assert inside and outside

    def test_import_is_all_or_nothing_with_row_errors(self, org):
        from mamori.core import io as mio

        good = self.create_data(org)
        resource = self.resource()
        header = resource.fields
        good_row = [self.file_value(org, name, good.get(name)) for name in header]
        bad_row = list(good_row)
        bad_column = self.bad_import_column()
        bad_row[header.index(bad_column)] = "!!not-valid!!"
        if resource.key:
            bad_row[header.index(resource.key)] = good_row[header.index(resource.key)] + "9"
        upload = self.csv_upload([header, good_row, bad_row])
        before = self.model.objects.count()
        response = org.client(self.in_scope_user).post(self.url("import"), {"file": upload})
        assert response.status_code == 400
        errors = response.context["result"].errors
        assert errors and all(isinstance(e, mio.RowError) for e in errors)
        assert any(e.row == 2 and e.field == bad_column for e in errors), [str(e) for e in errors]
        assert self.model.objects.count() == before  # the good row was not kept either
        upload = self.csv_upload([header, good_row])
        response = org.client(self.in_scope_user).post(self.url("import"), {"file": upload})
        assert response.status_code == 302
        assert self.model.objects.count() == before + 1

    def resource(self):
        raise NotImplementedError

    def bad_import_column(self) -> str:
        raise NotImplementedError

    def file_value(self, org, name, value):
        """The file form of a form value (foreign keys travel by natural key)."""
        key = self.resource().natural_keys.get(name)
        if key and value not in (None, ""):
            related = self.model._meta.get_field(name).related_model.objects.get(pk=value)
            return getattr(related, key)
        return "" if value is None else str(value)

    def csv_upload(self, rows):
        from django.core.files.uploadedfile import SimpleUploadedFile

        buffer = io.StringIO()
        csv.writer(buffer).writerows(rows)
        return SimpleUploadedFile("rows.csv", buffer.getvalue().encode(), "text/csv")

    # -- formulas in exported files ---------------------------------------------------------

    def file_resource(self):
        """The list export's resource (models without an import page have one too)."""
        return resolve(self.url("list")).func.view_class.resource_class()

    def formula_columns(self) -> list[str]:
        """The file's columns that take any text: not a key or part of one (a requirement's
        reference), a choice, or a checked format."""
        resource = self.file_resource()
        identifying = {name for constraint in self.model._meta.constraints
                       if isinstance(constraint, models.UniqueConstraint)
                       for name in constraint.fields}
        names = []
        for name in resource.fields:
            if name == resource.key or name in resource.natural_keys:
                continue
            try:
                field = self.model._meta.get_field(name)
            except FieldDoesNotExist:
                continue
            checked = [v for v in field.validators if not isinstance(v, MaxLengthValidator)]
            if (type(field) in (models.CharField, models.TextField) and field.editable
                    and not field.choices and not field.unique and not checked
                    and name not in identifying):
                names.append(name)
        return names

    def put_formula_texts(self, org):
        """The in-scope object with a formula-like text in every free text column."""
        obj = self.in_scope_object(org)
        texts = {}
        for index, name in enumerate(self.formula_columns()):
            limit = self.model._meta.get_field(name).max_length or 1000
            fitting = [t for t in FORMULA_TEXTS if len(t) <= limit]
            texts[name] = fitting[index % len(fitting)]
        if not texts:
            pytest.skip("no free text column in the file")
        self.model.objects.filter(pk=obj.pk).update(**texts)
        return obj, texts

    def test_export_keeps_formula_text_as_text_and_import_gives_it_back(self, org):
        obj, texts = self.put_formula_texts(org)
        client = org.client(self.in_scope_user)
        # The file's columns by field, with the related records' names beside their codes.
        resource = self.file_resource()
        header = [column for name in resource.fields for column in (
            [name, f"{name} (name)"] if name in resource.natural_keys else [name])]
        first = header.index(next(iter(texts)))

        csv_rows = list(csv.reader(io.StringIO(
            client.get(self.url("list") + "?export=csv").content.decode("utf-8-sig"))))
        for row in csv_rows:
            for value in row:
                assert not could_be_formula(value) or _is_number(value), value
        ours = [r for r in csv_rows[1:] if r[first] == quote(texts[header[first]])]
        assert len(ours) == 1
        for name, text in texts.items():
            assert ours[0][header.index(name)] == quote(text)

        xlsx = client.get(self.url("list") + "?export=xlsx").content
        sheet = formula_free_workbook(xlsx).active
        # XLSX keeps the text as it is, but for a quote import would take away.
        in_xlsx = {n: quote(t) if t.startswith("'") else t for n, t in texts.items()}
        xlsx_rows = [r for r in sheet.iter_rows(min_row=2)
                     if r[first].value == in_xlsx[header[first]]]
        assert len(xlsx_rows) == 1
        for name, text in texts.items():
            cell = xlsx_rows[0][header.index(name)]
            assert cell.value == in_xlsx[name]
            assert cell.quotePrefix == could_be_formula(text)

        try:
            self.url("import")
        except NoReverseMatch:
            return  # exported, never imported
        uploads = {
            "csv": self.csv_upload([csv_rows[0], ours[0]]),
            "xlsx": _xlsx_upload(xlsx, keep_row=xlsx_rows[0][0].row),
        }
        form_class = resolve(self.url("import")).func.view_class.form_class
        for fmt, upload in uploads.items():
            self.prepare_reimport(org, obj, texts)
            response = org.client(self.in_scope_user).post(self.url("import"), {"file": upload})
            assert response.status_code == 302, (fmt, response.context
                                                 and [str(e) for e in response.context["result"]
                                                      .errors])
            obj = self.reimported(obj, texts)
            for name, text in texts.items():
                if name in form_class.base_fields:
                    # A form trims surrounding whitespace from whatever it is given.
                    assert getattr(obj, name) == text.strip(), (fmt, name)

    def prepare_reimport(self, org, obj, texts):
        """Make the import's work visible: change the texts of a keyed row (the import puts
        them back), or remove a row without a key (the import adds it again)."""
        if self.file_resource().key:
            self.model.objects.filter(pk=obj.pk).update(**dict.fromkeys(texts, "changed"))
        else:
            self.model.objects.filter(pk=obj.pk).delete()

    def reimported(self, obj, texts):
        if self.file_resource().key:
            return self.model.objects.get(pk=obj.pk)
        first, text = next(iter(texts.items()))
        found = self.model.objects.filter(**{first: text.strip()}).order_by("-pk").first()
        assert found is not None
        return found

    def test_list_query_count_is_constant(self, org):
        client = org.client("admin")
        client.get(self.url("list"))  # warm caches (content types, sessions)
        self.make_rows(org, 3)
        small = query_count(lambda: client.get(self.url("list")))
        self.make_rows(org, 20)
        large = query_count(lambda: client.get(self.url("list")))
        assert small == large

    # -- API ----------------------------------------------------------------------------------

    def test_api_list_scope_and_query_count(self, org):
        client = api_client(org.users[self.in_scope_user])
        inside, outside = self.in_scope_object(org), self.out_of_scope_object(org)
        response = client.get(self.api_path + "?limit=500")
        assert response.status_code == 200
        ids = {row["id"] for row in response.json()["results"]}
        assert inside.pk in ids
        assert (outside.pk in ids) == self.out_of_scope_visible
        # Counted for an administrator (who sees every row) and for the in-scope user, whose
        # scope filters related lists too.
        admin = api_client(org.users["admin"])
        admin.get(self.api_path)  # the token's first use records last_used_at
        client.get(self.api_path)
        self.make_rows(org, 3)
        small = query_count(lambda: admin.get(self.api_path))
        small_scoped = query_count(lambda: client.get(self.api_path))
        self.make_rows(org, 20)
        assert query_count(lambda: admin.get(self.api_path)) == small
        assert query_count(lambda: client.get(self.api_path)) == small_scoped

    def test_api_create_update_delete_in_scope(self, org):
        client = api_client(org.users[self.in_scope_user])
        response = client.post(self.api_path, self.create_data(org), format="json")
        assert response.status_code == 201, response.json()
        created = self.model.objects.get(pk=response.json()["id"])
        assert log_entries(created, "create").get().source == "api"
        response = client.patch(f"{self.api_path}{created.pk}/",
                                self.update_data(org, created), format="json")
        assert response.status_code == 200, response.json()
        history = client.get(f"{self.api_path}{created.pk}/history/")
        assert [e["action"] for e in history.json()] == ["create", "update"]
        assert client.delete(f"{self.api_path}{created.pk}/").status_code == 204
        assert log_entries(created, "delete").count() == 1

    def test_api_out_of_scope_refused(self, org):
        client = api_client(org.users[self.in_scope_user])
        before = self.model.objects.count()
        response = client.post(self.api_path, self.out_of_scope_create_data(org), format="json")
        assert response.status_code in (400, 403)
        assert self.model.objects.count() == before
        outside = self.out_of_scope_object(org)
        response = client.delete(f"{self.api_path}{outside.pk}/")
        assert response.status_code in (403, 404)
        assert self.model.objects.filter(pk=outside.pk).exists()

    def test_api_no_permission_and_anonymous(self, org):
        from rest_framework.test import APIClient

        client = api_client(org.users[self.no_permission_user])
        response = client.post(self.api_path, self.create_data(org), format="json")
        assert response.status_code in (400, 403)
        assert APIClient().get(self.api_path).status_code in (401, 403)

    def test_auditor_reads_everything_changes_nothing(self, org):
        inside, outside = self.in_scope_object(org), self.out_of_scope_object(org)
        client = org.client("auditor")
        for obj in (inside, outside):
            assert client.get(self.url("detail", obj.pk)).status_code == 200
            assert client.post(self.url("delete", obj.pk)).status_code == 404
        assert client.get(self.url("create")).status_code == 403
        api = api_client(org.users["auditor"])
        assert api.delete(f"{self.api_path}{inside.pk}/").status_code in (403, 404)
        assert self.model.objects.filter(pk__in=[inside.pk, outside.pk]).count() == 2


def formula_free_workbook(content: bytes):
    """The workbook in an XLSX download, asserting that every text is a string cell and no
    cell is a formula or an error."""
    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(content))
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type not in ("f", "e"), (cell.coordinate, cell.value)
                assert not isinstance(cell.value, str) or cell.data_type == "s", cell.coordinate
    return book


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def _xlsx_upload(content: bytes, keep_row: int):
    """The exported workbook with the header and one data row."""
    from django.core.files.uploadedfile import SimpleUploadedFile
    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(content))
    sheet = book.active
    for number in range(sheet.max_row, 1, -1):
        if number != keep_row:
            sheet.delete_rows(number)
    buffer = io.BytesIO()
    book.save(buffer)
    return SimpleUploadedFile("rows.xlsx", buffer.getvalue())


# -- catalogues only the CISO and administrators change -----------------------------------


class CisoChangesTests:
    """Replacement out-of-scope tests for records only the CISO and administrators change.

    Catalogues and configuration (classification levels, frameworks, requirements, threats, risk
    bands) and risk acceptances are changed by the CISO, who may change *every* row: there is no
    row "outside the CISO's scope", so the mixin's tests of an out-of-scope object cannot apply to
    the CISO. They are replaced here by the same assertions made with a `reader`: a user who may
    read rows but change none (the information manager). The out-of-scope object is then simply a
    second row, which the CISO sees as well (`out_of_scope_visible = True`).

    Used before `ScopedModelTests` in the bases: `class TestX(CisoChangesTests, ScopedModelTests)`.
    """

    in_scope_user = "ciso"
    out_of_scope_visible = True
    reader = "manager"  # reads the rows, may change none of them

    def reader_sees(self, which: str) -> bool:
        """Whether the reader sees the in-scope ("inside") or out-of-scope ("outside") row."""
        return True

    def test_reader_sees_but_cannot_add(self, org):
        """The reader's view of the list: what the model's rule lets them read, no Create."""
        inside, outside = self.in_scope_object(org), self.out_of_scope_object(org)
        response = org.client(self.reader).get(self.url("list"))
        assert response.status_code == 200
        shown = {obj.pk for obj, _cells in response.context["rows"]}
        assert (inside.pk in shown) == self.reader_sees("inside")
        assert (outside.pk in shown) == self.reader_sees("outside")
        assert response.context["can_add"] is False
        assert response.context["can_import"] is False

    def test_create_out_of_scope_is_refused_and_nothing_written(self, org):
        """The CISO may add any row, so the refused write is the reader's, with valid data."""
        client = org.client(self.reader)
        data = self.form_data(self.create_data(org))
        before = self.model.objects.count()
        log_before = ChangeLogEntry.objects.count()
        assert client.get(self.url("create")).status_code == 403
        assert client.post(self.url("create"), data).status_code == 403
        assert self.model.objects.count() == before
        assert ChangeLogEntry.objects.count() == log_before

    def test_update_and_delete_out_of_scope_404(self, org):
        """Nothing is outside the CISO's scope; the reader may change neither row."""
        client = org.client(self.reader)
        for obj in (self.in_scope_object(org), self.out_of_scope_object(org)):
            data = self.form_data(self.update_data(org, obj))
            assert client.get(self.url("update", obj.pk)).status_code == 404
            assert client.post(self.url("update", obj.pk), data).status_code == 404
            assert client.post(self.url("delete", obj.pk)).status_code == 404
            assert self.model.objects.filter(pk=obj.pk).exists()
            assert not log_entries(obj).filter(action__in=("update", "delete")).exists()

    def test_bulk_delete_refuses_out_of_scope_selection(self, org):
        """The reader's selection of rows they may not delete is refused as a whole."""
        inside, outside = self.in_scope_object(org), self.out_of_scope_object(org)
        response = org.client(self.reader).post(self.url("bulk_delete"),
                                                {"pk": [inside.pk, outside.pk]})
        assert response.status_code == 403
        assert self.model.objects.filter(pk__in=[inside.pk, outside.pk]).count() == 2

    def test_api_out_of_scope_refused(self, org):
        """Through the API as well, the reader adds, changes and deletes nothing."""
        client = api_client(org.users[self.reader])
        before = self.model.objects.count()
        response = client.post(self.api_path, self.create_data(org), format="json")
        assert response.status_code == 403
        assert self.model.objects.count() == before
        for obj in (self.in_scope_object(org), self.out_of_scope_object(org)):
            path = f"{self.api_path}{obj.pk}/"
            assert client.patch(path, self.update_data(org, obj),
                                format="json").status_code in (403, 404)
            assert client.delete(path).status_code in (403, 404)
            assert self.model.objects.filter(pk=obj.pk).exists()


# --- simultaneous writers ----------------------------------------------------------------------


def concurrent_writes_possible():
    """Skip on SQLite's in-memory test database: each thread's connection to the shared-cache
    database fails at once with "database table is locked" instead of waiting, as writers on
    a database file (the default test database here) or on PostgreSQL do."""
    if connection.vendor == "sqlite" and connection.is_in_memory_db():
        pytest.skip("SQLite's in-memory test database cannot take concurrent writers")


def run_at_once(work, count: int) -> list[BaseException]:
    """Run work(n) in `count` threads released together; the exceptions they raised."""
    barrier = threading.Barrier(count)
    errors: list[BaseException] = []

    def thread_body(n: int):
        try:
            barrier.wait(timeout=30)
            work(n)
        except BaseException as exc:  # reported by the caller
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=thread_body, args=(n,)) for n in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=180)
    stuck = sum(thread.is_alive() for thread in threads)
    if stuck:
        errors.append(TimeoutError(f"{stuck} of {count} threads still running after 180 s"))
    return errors
