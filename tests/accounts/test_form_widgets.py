"""The project's select template (accounts/templatetags/form_widgets.py) writes exactly what
Django's own select and option templates write."""

from __future__ import annotations

from django import forms
from django.forms.renderers import DjangoTemplates, TemplatesSetting, get_default_renderer

SELECT_TEMPLATE = "templates/django/forms/widgets/select.html"

CHOICES = [
    ("", "All <kinds>"),
    ("Fruit & nuts", [("apple", "Apple"), ("pear", 'Pear "Williams"')]),
    (3, "Three"),
    ("Empty group", []),
    (None, "Nothing"),
]


class _Form(forms.Form):
    one = forms.ChoiceField(choices=CHOICES, required=False)
    many = forms.MultipleChoiceField(choices=CHOICES, required=False)
    flagged = forms.ChoiceField(
        choices=CHOICES,
        widget=forms.Select(attrs={"disabled": True, "hidden": False, "data-x": "a<b"}),
    )


def _both(data: dict) -> tuple[str, str]:
    django_html = _Form(data, renderer=DjangoTemplates()).as_div()
    ours_html = _Form(data, renderer=TemplatesSetting()).as_div()
    return django_html, ours_html


def test_a_select_is_drawn_as_django_draws_it():
    django_html, ours_html = _both({"one": "pear", "many": ["apple", "3"], "flagged": "3"})
    assert "<optgroup" in ours_html and "selected" in ours_html and "&lt;kinds&gt;" in ours_html
    assert ours_html == django_html


def test_an_empty_form_is_drawn_as_django_draws_it():
    django_html, ours_html = _both({})
    assert ours_html == django_html


def test_the_site_draws_selects_with_the_project_template(settings):
    template = get_default_renderer().get_template("django/forms/widgets/select.html")
    assert template.origin.name == str(settings.BASE_DIR / SELECT_TEMPLATE)
