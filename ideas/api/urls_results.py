"""REST API of results."""

urlpatterns: list = []
