"""The community app: when ready, registers its section of a person's personal data and the
engagement repair that follows a member leaving."""

from django.apps import AppConfig


class CommunityConfig(AppConfig):
    name = "community"
    verbose_name = "Community and engagement"

    def ready(self) -> None:
        from accounts.services import membership_ending_register
        from community import personal_data
        from community.services.engagement import engagement_member_left

        personal_data.register()  # its section of the personal data download and erasure
        membership_ending_register(engagement_member_left)
