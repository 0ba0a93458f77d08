"""An idea page's comments written by `{% comment_items %}` (ideas/templatetags/idea_page_tags.py)
are the HTML the template loop it replaced wrote: authors of the viewer's account, of another
account and of the garden team, a deleted author, with and without their accounts shown, bodies
with markup, line breaks and paragraphs, for a customer and an internal viewer; and no comment."""

from __future__ import annotations

import pytest
from django.template import Context, Template
from django.test import RequestFactory

from accounts.models import InternalRole
from community.models import GardenVisibility
from ideas.models import Comment
from ideas.selectors.ideas_page import comments_page
from tests.accounts.factories import AccountFactory, customer, internal
from tests.community.factories import GardenFactory
from tests.ideas.factories import IdeaFactory

# The loop as idea_detail.html wrote it before the tag.
_LOOP = Template(
    "{% load formats people %}"
    "{% for c in page.comments %}\n"
    '    <li id="comment-{{ c.pk }}"><strong>{% person_name c.author garden=idea.garden %}'
    "</strong>{% if c.author and not c.author.membership %} "
    '<span class="badge">Garden team</span>{% elif show_accounts and c.author.membership %} '
    '<small class="muted">({{ c.author.membership.account.name }})</small>{% endif %}\n'
    '      <small class="muted">{{ c.created_at|moment }}</small>\n'
    "      {{ c.body|linebreaks }}</li>\n"
    '  {% empty %}<li class="muted">No comments yet.</li>{% endfor %}'
)
_TAG = Template(
    "{% load idea_page_tags %}{% comment_items page.comments idea.garden show_accounts %}"
)
BODIES = ("Plain.", "<b>Bold</b> & 'quoted'", "one\ntwo", "para\n\nnext\r\nline", "")


@pytest.fixture
def idea_with_comments(db):
    account = AccountFactory(name="Acme <Ltd>")
    other = AccountFactory(name="Other & Co")
    idea = IdeaFactory(garden=GardenFactory(visibility=GardenVisibility.OPEN))
    authors = [
        customer(account),
        customer(other),
        internal(InternalRole.PRODUCT_MANAGER),
        customer(account),  # deleted below: no author
    ]
    for i, body in enumerate(BODIES * 2):
        Comment.objects.create(idea=idea, author=authors[i % len(authors)], body=body)
    authors[3].delete()
    return idea, account


@pytest.mark.parametrize("show_accounts", [False, True])
def test_the_tag_writes_the_comments_as_the_template_loop_did(idea_with_comments, show_accounts):
    idea, account = idea_with_comments
    viewers = (customer(account), internal(InternalRole.ACCOUNT_MANAGER))
    for viewer in viewers:
        request = RequestFactory().get("/")
        request.user = viewer
        context = {"page": {"comments": comments_page(idea=idea)}, "idea": idea}
        context.update(request=request, show_accounts=show_accounts)
        written = _TAG.render(Context(context))
        assert written == _LOOP.render(Context(context))
        assert written.count("<li id=") == len(BODIES) * 2
        assert ("Garden team" in written) and ("Other &amp; Co" in written) is show_accounts


def test_no_comment_is_the_one_item_that_says_so(db, rf):
    idea = IdeaFactory()
    request = rf.get("/")
    request.user = customer(AccountFactory())
    context = {"page": {"comments": []}, "idea": idea, "request": request, "show_accounts": True}
    assert _TAG.render(Context(context)) == _LOOP.render(Context(context))
    assert "No comments yet." in _TAG.render(Context(context))
