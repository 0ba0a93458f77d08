"""Widgets written in Python (accounts.form_rendering.WidgetsInPython, the FORM_RENDERER) are
the characters the widget templates write: every widget it writes, with empty, plain, unsafe,
safe, numeric, date and time values, boolean and quoted attributes, option groups and several
chosen values; and every other template is still drawn by the templates."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django import forms
from django.conf import settings
from django.forms.renderers import TemplatesSetting
from django.utils.safestring import mark_safe

from accounts.form_rendering import WRITTEN, WidgetsInPython

VALUES = (
    None,
    "",
    "plain",
    "a & b <c> \"d\" 'e'",
    mark_safe("<b>kept</b>"),
    0,
    12345,
    3.5,
    Decimal("1234.50"),
    dt.date(2026, 12, 7),
    dt.datetime(2026, 12, 7, 8, 5, 3, tzinfo=dt.UTC),
    ("a", 1),
)
ATTRS = (
    {},
    {"id": "id_x", "class": "a b", "required": True, "disabled": False},
    {"type": "search", "placeholder": mark_safe("<i>x</i>"), "data-q": '"quoted" & <more>'},
    {"min": 0, "max": Decimal("9.5"), "aria-describedby": "x_help x_errors", "autofocus": True},
)
CHOICES = [
    ("", "Any"),
    ("a", "Apples & pears"),
    ("Group <1>", [("b", "Bee"), (3, mark_safe("<em>Three</em>"))]),
    ("c", "Sea"),
]
WIDGETS = [
    forms.TextInput(),
    forms.NumberInput(),
    forms.EmailInput(),
    forms.URLInput(),
    forms.PasswordInput(render_value=True),
    forms.HiddenInput(),
    forms.SearchInput(),
    forms.ColorInput(),
    forms.TelInput(),
    forms.DateInput(),
    forms.DateTimeInput(),
    forms.TimeInput(),
    forms.FileInput(),
    forms.CheckboxInput(),
    forms.Textarea(),
    forms.Select(choices=CHOICES),
    forms.SelectMultiple(choices=CHOICES),
    forms.NullBooleanSelect(),
]


class _Input(forms.widgets.Input):
    input_type = "text"
    template_name = "django/forms/widgets/input.html"


@pytest.fixture
def renderers():
    seen = []

    class Seeing(WidgetsInPython):
        def render(self, template_name, context, request=None):
            seen.append(template_name)
            return super().render(template_name, context, request)

    return TemplatesSetting(), Seeing(), seen


def test_the_settings_use_the_python_widgets():
    assert settings.FORM_RENDERER == "accounts.form_rendering.WidgetsInPython"


def test_every_widget_written_in_python_is_what_its_template_writes(renderers):
    templates, python, seen = renderers
    for widget in [*WIDGETS, _Input()]:
        for attrs in ATTRS:
            values = VALUES
            if isinstance(widget, forms.SelectMultiple):
                values = (None, [], ["a", "3"], ["b", "nope"])
            elif isinstance(widget, forms.CheckboxInput):
                values = (None, True, False, "", "on", "x&y")
            for value in values:
                drawn = widget.render("field", value, attrs=attrs, renderer=python)
                assert drawn == widget.render("field", value, attrs=attrs, renderer=templates), (
                    widget,
                    attrs,
                    value,
                )
    assert set(seen) == set(WRITTEN)  # each written widget was compared


def test_other_templates_are_drawn_by_the_templates(renderers):
    templates, python, seen = renderers
    radios = forms.RadioSelect(choices=CHOICES)
    assert radios.render("r", "a", renderer=python) == radios.render("r", "a", renderer=templates)
    form = forms.Form()
    assert form.render(renderer=python) == form.render(renderer=templates)
    assert "django/forms/widgets/radio.html" in seen
    assert "django/forms/widgets/radio.html" not in WRITTEN
