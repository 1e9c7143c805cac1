from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReferralsConfig(AppConfig):
    name = "referrals"
    verbose_name = _("Cases and referrals")

    def ready(self):
        from clients import hooks
        from referrals import person_pages, services

        person_pages.register()
        hooks.register_death_listener(services.referrals_close_for_death)
