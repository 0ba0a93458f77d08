"""The community app: when ready, registers its section of a person's personal data, the
engagement repair that follows a member leaving (or deactivated, or let back in), how activity
events about posts and harvests name them, its audited models, its to-dos for the home page
and its kinds of the value exchanged."""

from django.apps import AppConfig


class CommunityConfig(AppConfig):
    name = "community"
    verbose_name = "Community and engagement"

    def ready(self) -> None:
        from accounts.services import membership_change_register
        from community import audit, personal_data
        from community.selectors import todo_providers, value_exchanged
        from community.selectors.activity_objects import activity_object_namer_register
        from community.selectors.discussions import post_names
        from community.selectors.harvests import harvest_names
        from community.services.engagement import engagement_member_changed
        from community.services.harvests import HARVEST_READERS, harvest_readers
        from community.services.notification_fanouts import fanout_audience_register

        personal_data.register()  # its section of the personal data download and erasure
        audit.register()  # which of its models the audit trail records
        membership_change_register(engagement_member_changed)
        # How an activity event about a post or a harvest names it (profiles, timelines).
        activity_object_namer_register(object_type="community.post", namer=post_names)
        activity_object_namer_register(object_type="community.harvest", namer=harvest_names)
        todo_providers.register()  # what needs a person, on their home page
        value_exchanged.register()  # its kinds of the value exchanged (the ledger's registry)
        # Who a published harvest is told to, by a fan-out off the request path.
        fanout_audience_register(name=HARVEST_READERS, audience=harvest_readers)
