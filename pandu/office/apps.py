from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OfficeConfig(AppConfig):
    """The top layer: what composes every app (each role's home, the head's dashboard, the
    data-subject dossier and anonymisation, retention, reference and demo data)."""

    name = "pandu.office"
    label = "office"
    verbose_name = _("The office")

    def ready(self):
        from pandu.office.privacy import person_pages

        person_pages.register()
