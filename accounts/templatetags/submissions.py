"""The template tag that gives a form its one-time token (accounts/submissions.py)."""

from django import template

from accounts.submissions import FIELD, form_token_new
from config.html import html_format

register = template.Library()


@register.simple_tag
def form_token() -> str:
    """{% form_token %} inside a POST form: a repeat of the form saves nothing twice."""
    return html_format('<input type="hidden" name="{}" value="{}">', FIELD, form_token_new())
