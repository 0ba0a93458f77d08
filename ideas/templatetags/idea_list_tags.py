"""The idea list's rows (templates/ideas/idea_list_rows.html).

Written by the template, a row cost about twenty variable lookups, a `reverse`, the status label
read through the model's choices, a date filter and the naming tag: with the page's SQL kept
(`ideas.selectors.ideas.idea_list_page`), its 25 rows were about a third of the page's CPU.
Here each row is one `format_html` (`config.html.html_rows`, its faster twin) from values prepared
once per row: the same HTML. The author is named through `accounts.people.person_name`, as
everywhere.

{% load idea_list_tags %}
{% idea_rows page show_accounts %}   the <tr> of each idea of the page, top to bottom
"""

from __future__ import annotations

from django import template
from django.urls import reverse
from django.utils.safestring import SafeString

from accounts.formats import format_date
from accounts.people import in_sentence, person_name
from config.html import html_format, html_rows
from ideas.models import Idea, IdeaStatus

register = template.Library()

_ROW = (
    '\n    <tr data-idea="{}">\n'
    '      <th scope="row"><a href="{}">{}</a><br><small class="muted">by {}{}</small></th>\n'
    "      <td>{}</td>\n"
    '      <td><span class="badge badge-idea-{}">{}</span></td>\n'
    "      <td>{}</td>\n"
    "      <td>{}</td>\n"
    '      <td class="nowrap">{}</td>\n'
    "    </tr>\n  "
)
_MARK = 987654321  # an id no idea has: the route is reversed once, then filled in per row
_LABELS = dict(IdeaStatus.choices)


@register.simple_tag(takes_context=True)
def idea_rows(context, ideas, show_accounts=False) -> SafeString:
    """The rows of `ideas` (`idea_list_page`'s, with their support), their authors named to the
    request's user; with `show_accounts`, each author's account after their name."""
    viewer = context["request"].user
    url = reverse("ideas:idea-detail", kwargs={"pk": _MARK}).replace(str(_MARK), "{}")
    return html_rows(_ROW, (_row(idea, viewer, url, show_accounts) for idea in ideas))


def _row(idea: Idea, viewer, url: str, show_accounts: bool) -> tuple:
    name = person_name(
        viewer=viewer,
        person=idea.author,
        person_account_id=idea.author_account_id,
        garden=idea.garden,
    )
    account = idea.author_account if show_accounts else None
    return (
        idea.pk,
        url.format(int(idea.pk)),
        idea.title,
        in_sentence(name),
        html_format(" ({})", account.name) if account else "",
        idea.garden.name,
        idea.status,
        _LABELS.get(idea.status, idea.status),
        idea.supporters,
        idea.supporting_accounts,
        format_date(idea.created_at),
    )
