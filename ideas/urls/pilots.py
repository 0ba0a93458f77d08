"""Pages of pilots (see ideas/views/pilots.py)."""

urlpatterns: list = []
