from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class VerivaliConfig(AppConfig):
    name = "verivali"
    verbose_name = _("Verification and validation")

    def ready(self):
        from verivali import person_pages

        person_pages.register()
