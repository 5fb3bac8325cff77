"""Filter labels follow the reader's language, whatever read the filtersets' classes first.

drf-spectacular reads `base_filters[...].field` of every API filterset while it builds the
schema; that used to leave label-less fields on the classes, and list pages then showed the
fields' English names ("Status", "Treatment") until a restart. The walk covers every
filterset of every app (as core/tests/test_choices.py does), so a filter added later is
checked too.
"""

import re

import pytest
from django.test import RequestFactory
from django.utils import translation

from mamori.core.api import docs
from mamori.core.filtersets import LabelledFilterSet
from mamori.core.tests.test_choices import FILTERSETS

pytestmark = pytest.mark.django_db


def bound_form(cls, language):
    with translation.override(language):
        filterset = cls(None, queryset=cls._meta.model.objects.none(),
                        request=RequestFactory().get("/"))
        return {name: (str(field.label) if field.label is not None else None)
                for name, field in filterset.form.fields.items()}


def test_every_filterset_labels_its_filters():
    assert {cls for cls in FILTERSETS if not issubclass(cls, LabelledFilterSet)} == set()


def test_reading_the_classes_filters_leaves_every_label_translated():
    before = {cls: {language: bound_form(cls, language) for language in ("ja", "en")}
              for cls in FILTERSETS}
    for cls in FILTERSETS:  # as drf-spectacular does, in whatever language is active
        for filter_ in cls.base_filters.values():
            filter_.field  # noqa: B018
    for cls in FILTERSETS:
        for language in ("ja", "en"):
            labels = bound_form(cls, language)
            assert labels == before[cls][language], (cls.__name__, language)
            for name, label in labels.items():
                assert label and "[invalid name]" not in label, (cls.__name__, name)
                assert label[0] == label[0].upper(), (cls.__name__, name, label)


def test_labels_differ_between_the_languages():
    # Every label is translated (a label equal in both would be one Django made up from the
    # field's name, or an untranslated one).
    for cls in FILTERSETS:
        japanese, english = bound_form(cls, "ja"), bound_form(cls, "en")
        for name in english:
            assert japanese[name] != english[name], (cls.__name__, name, english[name])


def filter_labels(client, path, language):
    client.cookies["django_language"] = language
    body = client.get(path).content.decode()
    return re.findall(r'class="form-label" for="id_[^"]*">([^<]*)</label>', body)


@pytest.mark.parametrize(("path", "japanese", "english"), [
    ("/risks/register/", ["ステータス", "リスク対応"], ["Status", "Treatment"]),
    ("/incidents/", ["ステータス", "重大度"], ["Status", "Severity"]),
])
def test_list_pages_keep_their_labels_after_the_schema_is_built(org, path, japanese, english):
    client = org.client("ciso")
    docs.SCHEMAS.clear()  # built by this test, not served from an earlier one
    for language in ("ja", "en"):
        client.cookies["django_language"] = language
        assert client.get("/api/schema/", {"format": "json"}).status_code == 200
    ja_labels, en_labels = filter_labels(client, path, "ja"), filter_labels(client, path, "en")
    assert set(japanese) <= set(ja_labels) and not set(english) & set(ja_labels)
    assert set(english) <= set(en_labels)


def test_the_schema_describes_filters_in_the_language_it_was_built_for(org):
    # The schema is kept per language (core.api.docs); a filter's description is its label.
    client = org.client("staff")
    docs.SCHEMAS.clear()

    def described(language):
        schema = client.get("/api/schema/", {"format": "json", "lang": language}).json()
        parameters = schema["paths"]["/api/risks/risks/"]["get"]["parameters"]
        return next(p["description"] for p in parameters if p["name"] == "treatment")

    assert described("ja").startswith("リスク対応")
    assert described("en").startswith("Treatment")
    assert described("ja").startswith("リスク対応")  # kept, not rebuilt in English
