from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ApiConfig(AppConfig):
    name = "api"
    verbose_name = _("Agency systems (API)")

    def ready(self):
        from api import services
        from referrals import hooks

        hooks.register_referral_listener(services.webhook_queue)
