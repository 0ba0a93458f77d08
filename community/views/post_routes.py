"""The addresses of a thread page's posts (its links, edit, reactions, flags …): each route
reversed once per page and filled in with each post's id, where `{% url %}` per post and per
action reversed it every time (the template reads `{{ post.urls.edit }}`)."""

from __future__ import annotations

from django.urls import reverse

from community.models import Thread

_MARK = 987654321  # a post id no post has: a route is reversed once, then filled in per post


class PostRoutes:
    """The addresses of a page's posts (community:post-link, post-edit, …): each route is
    reversed once per page, when a post first needs it, and filled in with each post's id."""

    def __init__(self, thread: Thread):
        self._args = (thread.garden.slug, thread.pk)
        self._routes: dict[str, str] = {}

    def url(self, name: str, post_pk: int) -> str:
        route = self._routes.get(name)
        if route is None:
            route = self._routes[name] = reverse(
                f"community:post-{name.replace('_', '-')}", args=(*self._args, _MARK)
            ).replace(str(_MARK), "{}")
        return route.format(int(post_pk))


class PostUrls:
    """`{{ post.urls.edit }}`: a post's address by its route's name without "post-" (and with
    "_" for "-": `post.urls.flags_dismiss`)."""

    __slots__ = ("_pk", "_routes")

    def __init__(self, routes: PostRoutes, post_pk: int):
        self._routes, self._pk = routes, post_pk

    def __getitem__(self, name: str) -> str:
        return self._routes.url(name, self._pk)
