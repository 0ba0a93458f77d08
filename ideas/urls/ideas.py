"""Pages of ideas (see ideas/views/ideas.py)."""

urlpatterns: list = []
