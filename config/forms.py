"""What every app's HTML forms share."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError


def form_add_service_errors(form: forms.Form, error: ValidationError) -> None:
    """Put a service's ValidationError on the form: beside the field it names, or above the
    form when it names none (or a field the form does not have)."""
    if hasattr(error, "error_dict"):
        for name, messages in error.message_dict.items():
            form.add_error(name if name in form.fields else None, messages)
    else:
        form.add_error(None, error.messages)
