"""{% garden_threads garden as threads %}: the garden home's active threads (one query).
{% post_reactions post can_react react_url error %}: a post's reaction buttons (or badges)."""

from __future__ import annotations

from django import template
from django.utils.safestring import SafeString

from community.selectors import discussions as selectors
from config.html import html_format, html_rows

register = template.Library()

GARDEN_HOME_THREADS = selectors.GARDEN_HOME_THREADS


@register.simple_tag(takes_context=True)
def garden_threads(context, garden) -> list:
    """The most active threads the reader sees, with `author_label` and `is_new`. One query:
    the threads with their authors, accounts and the reader's last visit (a subquery)."""
    user = context["request"].user
    threads = selectors.garden_active_threads(user=user, garden=garden, limit=GARDEN_HOME_THREADS)
    selectors.thread_author_labels(threads=threads, user=user, garden=garden)
    return threads


_REACTIONS = '<div class="reactions" id="reactions-{}" aria-live="polite">\n  {}\n  {}\n</div>\n'
_REACTION_FORM = (
    '\n    \n    <form method="post" action="{0}" class="inline-form"\n'
    '          hx-post="{0}" hx-target="#reactions-{1}" hx-swap="outerHTML">{2}\n'
    '      <input type="hidden" name="kind" value="{3}">\n'
    '      <button type="submit" class="{4}" aria-pressed="{5}">{6}{7}</button>\n'
    "    </form>\n    \n  "
)
_REACTION_BADGE = '\n    <span class="badge">{} · {}</span>\n  '


def _csrf_input(context) -> SafeString | str:
    """What {% csrf_token %} writes in this context."""
    value = context.get("csrf_token")
    if not value:
        return ""
    if value == "NOTPROVIDED":  # Django's CsrfTokenNode writes nothing then
        return html_format("")
    return html_format('<input type="hidden" name="csrfmiddlewaretoken" value="{}">', value)


@register.simple_tag(takes_context=True)
def post_reactions(context, post, can_react: bool, react_url: str, error: str = "") -> SafeString:
    """templates/community/thread_reactions.html's HTML, written in one pass: every reaction
    kind as a toggle button for a reader who may react, else the counted kinds as badges."""
    counts = post.reaction_counts
    if can_react:
        csrf = _csrf_input(context)
        rows = html_rows(
            _REACTION_FORM,
            (
                (
                    react_url,
                    post.pk,
                    csrf,
                    r.kind,
                    "secondary" if r.mine else "outline secondary",
                    "true" if r.mine else "false",
                    r.label,
                    f" · {r.count}" if r.count else "",
                )
                for r in counts
            ),
        )
    else:
        rows = SafeString(
            "".join(
                html_format(_REACTION_BADGE, r.label, r.count) if r.count else "\n    \n  "
                for r in counts
            )
        )
    error_html = html_format('<p class="errorlist" role="alert">{}</p>', error) if error else ""
    return html_format(_REACTIONS, post.pk, rows, error_html)
