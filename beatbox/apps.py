from django.apps import AppConfig


class BeatboxConfig(AppConfig):
    name = "beatbox"
    verbose_name = "beat-box"
    default_auto_field = "django.db.models.BigAutoField"
