from django.apps import AppConfig


class PanduConfig(AppConfig):
    name = "pandu"
    verbose_name = "Pandu"

    def ready(self):
        from pandu import audit_hooks  # noqa: F401 - connects the login/logout audit receivers
