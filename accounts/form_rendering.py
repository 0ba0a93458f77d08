"""Form widgets written in Python, to the characters Django's widget templates write (issue 16,
item 3).

Every widget Django draws goes through the template engine: the widget's template, an include
of `attrs.html`, a context, a lookup per variable. A page's filter form of six fields cost ~1 ms
of CPU that way (the portfolio's, ~8% of the page). `WidgetsInPython` (FORM_RENDERER) writes
the common widgets itself: the inputs whose template is only an include of `input.html` (text,
number, email, search, date, checkbox, hidden …), `input.html`, the textarea and the select (our
`templates/django/forms/widgets/select.html`). Any other template (radio and checkbox lists,
the form and field layouts, a widget a form names itself) is drawn by the templates as before.
tests/accounts/test_form_rendering.py draws every one of these widgets both ways, with values
and attributes of every kind, and compares the two."""

from __future__ import annotations

from collections.abc import Callable

from django.forms.renderers import TemplatesSetting
from django.utils.formats import localize
from django.utils.html import conditional_escape, escape
from django.utils.safestring import SafeData
from django.utils.timezone import template_localtime

from accounts.templatetags.form_widgets import attrs_html, select_options

_INPUTS = (
    "checkbox",
    "color",
    "date",
    "datetime",
    "email",
    "file",
    "hidden",
    "number",
    "password",
    "search",
    "tel",
    "text",
    "time",
    "url",
)


def _text(value) -> str:
    """`{{ value }}` in a template: local time, localized, escaped unless safe."""
    return conditional_escape(localize(template_localtime(value)))


def _formatted(value) -> str:
    """`{{ value|stringformat:'s' }}`: "%s" of it, escaped unless it was safe."""
    text = "%s" % (str(value) if isinstance(value, tuple) else value)  # noqa: UP031 (the filter's)
    return text if isinstance(value, SafeData) else escape(text)


def input_html(widget: dict) -> str:
    """django/forms/widgets/input.html."""
    value = widget["value"]
    shown = "" if value is None else f' value="{_formatted(value)}"'
    return (
        f'<input type="{_text(widget["type"])}" name="{_text(widget["name"])}"'
        f"{shown}{attrs_html(widget['attrs'])}>"
    )


def textarea_html(widget: dict) -> str:
    """django/forms/widgets/textarea.html."""
    value = widget["value"]
    return (
        f'<textarea name="{_text(widget["name"])}"{attrs_html(widget["attrs"])}>\n'
        f"{_text(value) if value else ''}</textarea>"
    )


def select_html(widget: dict) -> str:
    """templates/django/forms/widgets/select.html (options by `{% select_options %}`)."""
    return (
        f'<select name="{_text(widget["name"])}"{attrs_html(widget["attrs"])}>'
        f"{select_options(widget)}\n</select>"
    )


WRITTEN: dict[str, Callable[[dict], str]] = {
    "django/forms/widgets/input.html": input_html,
    "django/forms/widgets/textarea.html": textarea_html,
    "django/forms/widgets/select.html": select_html,
    **{f"django/forms/widgets/{name}.html": input_html for name in _INPUTS},
}


class WidgetsInPython(TemplatesSetting):
    """The project's templates (TemplatesSetting), but that the widgets of WRITTEN are written
    in Python, to the same characters (a renderer's answer is stripped: the templates' final
    line ends are not part of it)."""

    def render(self, template_name, context, request=None):
        write = WRITTEN.get(template_name)
        if write is None or request is not None:
            return super().render(template_name, context, request)
        return write(context["widget"])
