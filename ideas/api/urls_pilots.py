"""REST API of pilots."""

urlpatterns: list = []
