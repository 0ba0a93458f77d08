"""The community app: registers its section of a person's personal data when it is ready."""

from django.apps import AppConfig


class CommunityConfig(AppConfig):
    name = "community"
    verbose_name = "Community and engagement"

    def ready(self) -> None:
        from community import personal_data

        personal_data.register()  # its section of the personal data download and erasure
