"""Pages of ideas (see ideas/views/ideas.py)."""

from django.urls import path

from ideas.views import ideas as views
from ideas.views import ideas_duplicates, ideas_merge, ideas_similar

urlpatterns = [
    path("ideas/", views.idea_list, name="idea-list"),
    path("ideas/new/", views.idea_create, name="idea-create"),
    path("ideas/new/similar/", ideas_similar.idea_similar, name="idea-similar"),
    path("ideas/board/", views.board, name="board"),
    path("ideas/duplicates/", ideas_duplicates.idea_duplicates, name="idea-duplicates"),
    path("ideas/<int:pk>/", views.idea_detail, name="idea-detail"),
    path("ideas/<int:pk>/vote/", views.idea_vote, name="idea-vote"),
    path("ideas/<int:pk>/follow/", views.idea_follow, name="idea-follow"),
    path("ideas/<int:pk>/comments/", views.idea_comment, name="idea-comment"),
    path("ideas/<int:pk>/transition/", views.idea_transition, name="idea-transition"),
    path("ideas/<int:pk>/merge/", ideas_merge.idea_merge, name="idea-merge"),
    path(
        "ideas/<int:pk>/merge/targets/",
        ideas_merge.idea_merge_targets,
        name="idea-merge-targets",
    ),
    path("gardens/<slug:slug>/ideas/", views.garden_ideas, name="garden-ideas"),
]
