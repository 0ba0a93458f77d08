"""The idea list's rows are written by a tag (ideas/templatetags/idea_list_tags.py) from the page's
rows: the HTML the template's loop wrote, character for character, for every kind of viewer,
authors of the viewer's account, of another account (named or not by the garden's setting), of
none, without a name and gone, with and without the authors' accounts shown."""

from __future__ import annotations

import pytest
from django.template import Context, Template
from django.test import RequestFactory

from accounts.models import InternalRole
from ideas.models import IdeaStatus, Vote
from ideas.selectors.ideas import idea_list_page
from tests.accounts.factories import AccountFactory, customer, internal
from tests.community.factories import GardenFactory
from tests.ideas.factories import IdeaFactory

# templates/ideas/idea_list_rows.html's loop before the tag wrote its rows.
_THE_LOOP = Template(
    "{% load formats %}{% load people %}"
    "  {% for idea in page %}\n"
    '    <tr data-idea="{{ idea.pk }}">\n'
    '      <th scope="row"><a href="{{ idea.get_absolute_url }}">{{ idea.title }}</a><br>'
    '<small class="muted">by {% person_name idea.author idea.author_account_id '
    "garden=idea.garden in_sentence=True %}{% if show_accounts and idea.author_account %}"
    " ({{ idea.author_account.name }}){% endif %}</small></th>\n"
    "      <td>{{ idea.garden.name }}</td>\n"
    '      <td><span class="badge badge-idea-{{ idea.status }}">{{ idea.get_status_display }}'
    "</span></td>\n"
    "      <td>{{ idea.supporters }}</td>\n"
    "      <td>{{ idea.supporting_accounts }}</td>\n"
    '      <td class="nowrap">{{ idea.created_at|day }}</td>\n'
    "    </tr>\n"
    "  {% empty %}\n"
    '    <tr><td colspan="6">No idea matches these filters.</td></tr>\n'
    "  {% endfor %}\n"
)
_THE_TAG = Template(
    "{% load idea_list_tags %}"
    "  {% if page.object_list %}{% idea_rows page show_accounts %}{% else %}\n"
    '    <tr><td colspan="6">No idea matches these filters.</td></tr>\n'
    "  {% endif %}\n"
)


@pytest.fixture
def viewers(db):
    account, other = AccountFactory(name="Acme & Sons"), AccountFactory(name="<Globex>")
    reader, colleague, stranger = customer(account), customer(account), customer(other)
    nameless = customer(other, first_name="", last_name="")
    gone = customer(other)
    manager = internal(InternalRole.PRODUCT_MANAGER, first_name="Pat", last_name="O'Neil")
    closed = GardenFactory(name="Field & <work>")
    named = GardenFactory(shows_other_members=True)
    statuses = list(IdeaStatus)
    for i, author in enumerate((reader, colleague, stranger, nameless, gone, manager) * 2):
        idea = IdeaFactory(
            garden=(closed, named)[i % 2],
            author=author,
            author_account=None if author is manager or i == 7 else author.membership.account,
            title=f'Idea {i}: "offline" <b>& more</b>',
            status=statuses[i % len(statuses)],
        )
        for voter in (reader, colleague, stranger)[: i % 4]:
            Vote.objects.create(idea=idea, user=voter, account=voter.membership.account)
    gone.delete()  # their ideas stay, by a former member
    return reader, stranger, manager, internal(InternalRole.PROGRAMME_ADMIN)


def _rendered(template: Template, user, page, show_accounts: bool) -> str:
    request = RequestFactory().get("/ideas/")
    request.user = user
    context = {"request": request, "page": page, "show_accounts": show_accounts}
    return template.render(Context(context))


def test_the_rows_are_the_loops_html_for_every_viewer(viewers):
    shown = set()
    for user in viewers:
        for show_accounts in (False, True):
            for number in (1, 2, 3):
                page = idea_list_page(user=user, number=number, per_page=5)
                tag = _rendered(_THE_TAG, user, page, show_accounts)
                assert tag == _rendered(_THE_LOOP, user, page, show_accounts)
                shown.add(tag.count("<tr data-idea="))
    assert shown == {5, 2}  # 12 ideas: two full pages and a last of 2


def test_no_row_is_the_loops_empty_line(viewers):
    reader = viewers[0]
    page = idea_list_page(user=reader, number=1, q="no such idea", per_page=5)

    tag = _rendered(_THE_TAG, reader, page, False)

    assert tag == _rendered(_THE_LOOP, reader, page, False)
    assert "No idea matches these filters." in tag
