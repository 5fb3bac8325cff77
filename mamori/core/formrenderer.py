"""The form renderer: Django's, except for `<select>`s, which are written in Python.

Django renders every `<option>` through a template of its own (an include per option, plus
one for its attributes): the asset list's filters, with a department select of 519 options at
ten times the demo company, spent about half of the page's 80 ms rendering options (issue 15).
Here a select whose options use Django's own option template is written directly, to the same
markup (`core/tests/test_formrenderer.py` compares the two); any other select (a widget with
its own option template) is left to the templates.
"""

from django.forms.renderers import DjangoTemplates
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe

SELECT = "django/forms/widgets/select.html"
OPTION = "django/forms/widgets/select_option.html"


def attributes(attrs: dict) -> str:
    """As django/forms/widgets/attrs.html: False leaves the attribute out, True writes its
    name alone, anything else name="value"."""
    return format_html_join("", "{}", (
        (format_html(" {}", name) if value is True else format_html(' {}="{}"', name, value),)
        for name, value in attrs.items() if value is not False))


def option(widget: dict) -> str:
    return format_html('<option value="{}"{}>{}</option>', str(widget["value"]),
                       attributes(widget["attrs"]), widget["label"])


def select(widget: dict) -> str:
    parts = []
    for group_name, options, _index in widget["optgroups"]:
        inner = mark_safe("".join(option(each) for each in options))  # noqa: S308 - escaped
        parts.append(format_html('<optgroup label="{}">{}</optgroup>', group_name, inner)
                     if group_name else inner)
    return format_html('<select name="{}"{}>{}</select>', widget["name"],
                       attributes(widget["attrs"]), mark_safe("".join(parts)))  # noqa: S308


class QuickSelectRenderer(DjangoTemplates):
    def render(self, template_name, context, request=None):
        widget = context.get("widget") if template_name == SELECT else None
        if widget is not None and all(
                each.get("template_name") == OPTION
                for _name, options, _index in widget["optgroups"] for each in options):
            return select(widget)
        return super().render(template_name, context, request)
