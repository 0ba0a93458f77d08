"""What an activity event was about, named for a reader: its object's title and link.

An event points at its object by `object_type` and `object_id` ("ideas.idea", "42"); a pilot
event (enrolled, expectation or feedback given) points at its pilot by `pilot_ref`, because its
own object (an enrolment, a response) is no page of its own. Community records events for the
objects of the apps above it without importing them (the dependencies point ideas → community),
so every app that owns such objects registers a *namer* for its object types here, from its
AppConfig.ready (ideas/apps.py, community/apps.py):

    activity_object_namer_register(object_type="ideas.idea", namer=idea_names)

A namer takes the viewer and the ids of one object type and returns, in one query, the link
and title of those the viewer may open; an object the viewer may not see (or that is gone) is
left out, and the reader gets no title for it, only what kind of thing it was ("an idea").
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from accounts.models import User
from community.models import ActivityEvent

# The object type `pilot_ref` points at (ideas' Pilot), named by the app that registers it.
PILOT_TYPE = "ideas.pilot"

ObjectRef = tuple[str, str]  # (object_type, object_id)


@dataclass(frozen=True)
class ObjectName:
    url: str
    title: str


Namer = Callable[[User, list[str]], dict[str, ObjectName]]

_namers: dict[str, Namer] = {}


def activity_object_namer_register(*, object_type: str, namer: Namer) -> None:
    """Register (or replace, so a second ready() is harmless) the namer of an object type."""
    _namers[object_type] = namer


def event_object(event: ActivityEvent) -> ObjectRef | None:
    """What the event was about, as a reader names it: a pilot event's pilot, else its object;
    None when it names nothing (a visit, an offline event, seeded history)."""
    if event.pilot_ref:
        return (PILOT_TYPE, str(event.pilot_ref))
    if event.object_type and event.object_id:
        return (event.object_type, event.object_id)
    return None


def activity_object_names(
    *, viewer: User, events: Iterable[ActivityEvent]
) -> dict[ObjectRef, ObjectName]:
    """The link and title of what each event was about, for those objects the viewer may open:
    one query per object type among the events (by its registered namer)."""
    ids: dict[str, set[str]] = defaultdict(set)
    for event in events:
        ref = event_object(event)
        if ref is not None and ref[0] in _namers:
            ids[ref[0]].add(ref[1])
    names: dict[ObjectRef, ObjectName] = {}
    for object_type, object_ids in ids.items():
        found = _namers[object_type](viewer, sorted(object_ids))
        names.update({(object_type, pk): name for pk, name in found.items()})
    return names


def digit_ids(ids: Iterable[str]) -> list[int]:
    """The ids that are numbers (a namer's filter by primary key), others dropped."""
    return [int(pk) for pk in ids if pk.isdigit()]
