"""The merge form of the idea page and its search picker's context (ideas/views/ideas_merge.py
serves them; the idea page shows them)."""

from __future__ import annotations

from django import forms

from config.single_line import validate_single_line
from ideas import access
from ideas.models import Idea
from ideas.selectors import ideas as selectors

QUERY_MAX = 200


class MergeForm(forms.Form):
    q = forms.CharField(
        label="Find the original: a few words of its title, or its number",
        required=False,
        max_length=QUERY_MAX,
    )
    # the picked idea's number (a radio button)
    into = forms.CharField(required=False, max_length=20, validators=[validate_single_line])
    reason = forms.CharField(label="Why", widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, **kwargs):
        # Its own ids: the idea page's other forms have a "reason" too.
        super().__init__(*args, auto_id="merge_%s", **kwargs)


def merge_picker(user, duplicate: Idea, *, query: str = "", chosen: str = "") -> dict:
    """The picker's part of the idea page's context: what was searched for, the matching ideas
    and the one picked."""
    query = query.strip()[:QUERY_MAX]
    return {
        "merge_query": query,
        "merge_targets": selectors.idea_merge_targets(
            ideas=access.visible_ideas(user), duplicate=duplicate, query=query
        )
        if query
        else [],
        "merge_chosen": chosen,
    }
