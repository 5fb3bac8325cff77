"""A model's standard pages as one greppable line in its app's urls.py.

    urlpatterns = [*model_urls("risks/", Risk, views), ...]

gives the list, create, import, bulk-delete, detail, edit, delete and history pages of the
model, each whose view `views` defines as `<Model><Page>` (RiskList, RiskCreate…), named
`<model>_<page>` as the generic views and templates expect (risks:risk_detail). A page the
module does not define is left out (a record made only by a workflow step has no create
page)."""

from django.urls import path

PAGES = [
    ("list", "", "List"),
    ("create", "new/", "Create"),
    ("import", "import/", "Import"),
    ("bulk_delete", "bulk-delete/", "BulkDelete"),
    ("detail", "<int:pk>/", "Detail"),
    ("update", "<int:pk>/edit/", "Update"),
    ("delete", "<int:pk>/delete/", "Delete"),
    ("history", "<int:pk>/history/", "History"),
]


def model_urls(prefix: str, model, views) -> list:
    name, cls = model._meta.model_name, model.__name__
    return [path(f"{prefix}{route}", getattr(views, f"{cls}{suffix}").as_view(),
                 name=f"{name}_{page}")
            for page, route, suffix in PAGES if hasattr(views, f"{cls}{suffix}")]
