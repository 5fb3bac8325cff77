"""Replacement out-of-scope tests for records only the CISO and administrators change.

Catalogues and configuration (classification levels, frameworks, requirements, threats, risk
bands) and risk acceptances are changed by the CISO, who may change *every* row: there is no
row "outside the CISO's scope", so the mixin's tests of an out-of-scope object cannot apply to
the CISO. They are replaced here by the same assertions made with a `reader`: a user who may
read rows but change none (the information manager). The out-of-scope object is then simply a
second row, which the CISO sees as well (`out_of_scope_visible = True`).

Used before `ScopedModelTests` in the bases: `class TestX(CisoChangesTests, ScopedModelTests)`.
(Shared by the assets, controls and risks tests; a candidate for mamori.core.testing.)
"""

from mamori.core.models import ChangeLogEntry
from mamori.core.testing import api_client, log_entries


class CisoChangesTests:
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
