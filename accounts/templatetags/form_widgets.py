"""Form widgets drawn faster than Django's templates draw them, to the same HTML.

Django draws each `<option>` of a select through two template includes (the option, then its
attributes), about 30 µs each: a filter form of a few selects cost a millisecond of a page's
CPU (docs/cpu-per-request.md). `templates/django/forms/widgets/select.html` (found through
`FORM_RENDERER = TemplatesSetting`) draws its options with `{% select_options %}` instead: the
same characters as Django's `select.html` and `select_option.html`, written in one pass
(a test compares the two on selects with groups, several values and boolean attributes).
"""

from __future__ import annotations

from django import template
from django.utils.safestring import SafeString, mark_safe

from config.html import html_format

register = template.Library()


def attrs_html(attrs: dict) -> SafeString:
    """`django/forms/widgets/attrs.html`: ` name="value"`, a bare ` name` for True, nothing
    for False."""
    return mark_safe(  # noqa: S308 (every part is built by html_format)
        "".join(
            html_format(" {}", name) if value is True else html_format(' {}="{}"', name, value)
            for name, value in attrs.items()
            if value is not False
        )
    )


@register.simple_tag
def select_options(widget: dict) -> SafeString:
    """The option groups and options of a select widget's context, as Django's templates
    write them: each on a new line indented by two spaces, an option followed by the line end
    its template file ends with."""
    parts: list[str] = []
    for group_name, options, _index in widget["optgroups"]:
        if group_name:
            parts.append(html_format('\n  <optgroup label="{}">', group_name))
        for option in options:
            parts.append(
                html_format(
                    '\n  <option value="{}"{}>{}</option>\n',
                    str(option["value"]),
                    attrs_html(option["attrs"]),
                    option["label"],
                )
            )
        if group_name:
            parts.append("\n  </optgroup>")
    return mark_safe("".join(parts))  # noqa: S308 (every part is built by html_format)
