"""REST API of ideas."""

urlpatterns: list = []
