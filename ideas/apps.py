"""The ideas app: registers its section of a person's personal data when it is ready."""

from django.apps import AppConfig


class IdeasConfig(AppConfig):
    name = "ideas"
    verbose_name = "Ideas and pilots"

    def ready(self) -> None:
        from ideas import personal_data

        personal_data.register()  # its section of the personal data download and erasure
