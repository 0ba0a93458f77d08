"""The ideas app: registers its section of a person's personal data, and how activity events
about ideas and pilots name them, its to-dos for the home page, its share of the value
exchanged and who follows an idea (a fan-out audience), when it is ready."""

from django.apps import AppConfig


class IdeasConfig(AppConfig):
    name = "ideas"
    verbose_name = "Ideas and pilots"

    def ready(self) -> None:
        from community.selectors.activity_objects import activity_object_namer_register
        from community.services.notification_fanouts import fanout_audience_register
        from ideas import personal_data
        from ideas.selectors import todos, value_exchanged
        from ideas.selectors.ideas import IDEA_FOLLOWERS, idea_followers, idea_names
        from ideas.selectors.pilots import pilot_names

        personal_data.register()  # its section of the personal data download and erasure
        # How an activity event about an idea or a pilot names it (profiles, timelines).
        activity_object_namer_register(object_type="ideas.idea", namer=idea_names)
        activity_object_namer_register(object_type="ideas.pilot", namer=pilot_names)
        # Agreements, check-ins, pilots recruiting, ideas to review … on people's homes.
        todos.register()
        # Its ideas, check-ins, pilots, adopted ideas and early access in the value exchanged.
        value_exchanged.register()
        # Who hears of an idea's changes, by a fan-out off the request path.
        fanout_audience_register(name=IDEA_FOLLOWERS, audience=idea_followers)
