"""core.formrenderer writes `<select>`s in Python: the same markup as Django's templates, for
every kind of select the site renders (required or not, selected values, several values,
groups, disabled, escaped labels), and other widgets are still rendered by the templates."""

import re

import pytest
from django import forms
from django.forms.renderers import DjangoTemplates
from django.test import RequestFactory

from mamori.assets.filtersets import AssetFilterSet
from mamori.assets.models import Asset
from mamori.core.formrenderer import QuickSelectRenderer
from mamori.core.templatetags.mamori import form_control

pytestmark = pytest.mark.django_db


class Everything(forms.Form):
    kind = forms.ChoiceField(choices=[("a", "甲 <b>"), ("b", "乙 & 丙")])
    optional = forms.ChoiceField(choices=[("", "---------"), ("x", "X")], required=False)
    several = forms.MultipleChoiceField(choices=[(1, "one"), (2, "two"), (3, "three")])
    grouped = forms.ChoiceField(choices=[("G1", [("p", "P"), ("q", "Q")]), ("r", "R")])
    fixed = forms.ChoiceField(choices=[("a", "A")], disabled=True)
    text = forms.CharField()


def normalised(html: str) -> str:
    return re.sub(r">\s+<", "><", str(html)).strip()


def rendered(renderer, data):
    form = Everything(data, renderer=renderer)
    form.is_valid()
    return {name: normalised(form_control(form[name])) for name in form.fields}


@pytest.mark.parametrize("data", [
    None, {"kind": "b", "optional": "x", "several": ["1", "3"], "grouped": "q"},
    {"kind": "zz", "several": ["9"]}])
def test_selects_come_out_as_the_templates_write_them(data):
    assert rendered(QuickSelectRenderer(), data) == rendered(DjangoTemplates(), data)


def test_the_site_uses_it_and_a_filter_form_is_the_same(org):
    request = RequestFactory().get("/", {"department": str(org.sales.pk), "status": "in_use"})
    request.user = org.users["admin"]
    quick = AssetFilterSet(request.GET, queryset=Asset.objects.all(), request=request).form
    assert isinstance(quick.renderer, QuickSelectRenderer)
    templated = AssetFilterSet(request.GET, queryset=Asset.objects.all(), request=request).form
    templated.renderer = DjangoTemplates()
    for name in quick.fields:
        assert normalised(form_control(quick[name])) == normalised(
            form_control(templated[name])), name
    assert 'selected' in str(form_control(quick["department"]))
