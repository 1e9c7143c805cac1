from django.apps import AppConfig


class PanduConfig(AppConfig):
    name = "pandu"
    verbose_name = "Pandu"

    def ready(self):
        from pandu import audit_hooks, sessions  # noqa: F401 - connect the login/logout receivers
