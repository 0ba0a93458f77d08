"""Single-line text: what a title, a name or a subject may hold, decided here for every app.

A single-line field (a thread, idea, pilot or harvest title, a garden or account name, a
person's name or job title, a webhook description: anything that becomes a heading, an email
subject or one CSV cell) refuses control characters: CR, LF, tab and the other C0 controls,
DEL and the C1 controls (Unicode category Cc), and the line and paragraph separators U+2028
and U+2029. `validate_single_line` is the one validator: the model fields carry it (so model
forms, the Django admin and `full_clean` refuse such text) and so does every plain form and
serializer field that takes such text (a page shows the form error, the API a 400 with the
field error). `tests/test_single_line_fields.py` fails when a new field lacks it.

`single_line` is the second line of defence where text must fit on one line whatever is
stored (rows written before the validator, text built from several fields): every run of
control characters, with the spaces around it, becomes one space.
"""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError

# Every character of category Cc (C0, DEL, C1), plus U+2028 LINE SEPARATOR (Zl) and U+2029
# PARAGRAPH SEPARATOR (Zp): the characters that break or hide a line.
_BREAKERS = r"\x00-\x1f\x7f-\x9f\u2028\u2029"
_BREAKER = re.compile(f"[{_BREAKERS}]")
_BREAKER_RUN = re.compile(f" *[{_BREAKERS}][{_BREAKERS} ]*")

SINGLE_LINE_MESSAGE = "Keep this to one line: no line breaks, tabs or other control characters."


def validate_single_line(value: object) -> None:
    """Refuse text holding a line break, a tab or another control character (a validator for
    model, form and serializer fields alike)."""
    if isinstance(value, str) and _BREAKER.search(value):
        raise ValidationError(SINGLE_LINE_MESSAGE, code="single_line")


def single_line(text: str) -> str:
    """The text on one line: each run of control characters (and the spaces around it) becomes
    one space; the ends are stripped."""
    return _BREAKER_RUN.sub(" ", text).strip()
