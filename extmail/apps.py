from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ExtmailConfig(AppConfig):
    name = "extmail"
    verbose_name = _("External mail linkage")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from . import checks  # noqa: F401  (registers system checks)
