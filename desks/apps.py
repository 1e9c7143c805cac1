from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DesksConfig(AppConfig):
    name = "desks"
    verbose_name = _("Desks, providers and queue")

    def ready(self):
        from desks import person_pages

        person_pages.register()
