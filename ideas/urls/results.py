"""Pages of results (see ideas/views/results.py)."""

urlpatterns: list = []
