"""An organisation that owns a standard's licensed text loads it over Mamori's descriptors
with a file keyed by `uid`; a row whose uid disagrees with its framework and reference is
refused, naming the row and the column."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from mamori.controls.models import Framework, Requirement

pytestmark = pytest.mark.django_db


@pytest.fixture
def framework():
    framework = Framework.objects.create(code="iso27001-2022", name_ja="ISO/IEC 27001:2022",
                                         source=Framework.Source.BUILT_IN)
    Requirement.objects.create(framework=framework, ref="5.1", title_en="Our own descriptor",
                               theme="organisational")
    return framework


def post_csv(org, text):
    upload = SimpleUploadedFile("licensed.csv", text.encode("utf-8"), "text/csv")
    return org.client("ciso").post(reverse("controls:requirement_import"), {"file": upload})


def test_licensed_text_replaces_our_descriptor(org, framework):
    response = post_csv(org, "uid,framework,ref,title_en,description\n"
                             "iso27001-2022:5.1,iso27001-2022,5.1,Licensed title,Licensed text\n")
    assert response.status_code == 302
    requirement = Requirement.objects.get(uid="iso27001-2022:5.1")
    assert (requirement.title_en, requirement.description) == ("Licensed title", "Licensed text")
    assert requirement.theme == "organisational"  # a column not in the file keeps its value


def test_a_uid_that_disagrees_is_refused_and_nothing_changes(org, framework):
    response = post_csv(org, "uid,framework,ref,title_en\n"
                             "iso27001-2022:5.1,iso27001-2022,5.1,Licensed title\n"
                             "iso27001-2022:9.9,iso27001-2022,5.2,Wrong row\n")
    assert response.status_code == 400
    errors = response.context["result"].errors
    assert [(e.row, e.field) for e in errors] == [(2, "uid")], errors
    assert Requirement.objects.get(uid="iso27001-2022:5.1").title_en == "Our own descriptor"
    assert not Requirement.objects.filter(ref="5.2").exists()
