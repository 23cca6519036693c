from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from .models import ConnectionCheck, Linkage


@admin.register(Linkage)
class LinkageAdmin(admin.ModelAdmin):
    list_display = ["mail_address", "owner", "state", "is_primary", "checked_at"]
    list_filter = ["state", "pop_ssl", "smtp_ssl", "smtp_auth"]
    search_fields = ["mail_address", "owner__login", "owner__name", "pop_host", "smtp_host"]
    # Encrypted passwords are never shown; only when they were set.
    exclude = ["pop_password_enc", "smtp_password_enc"]
    readonly_fields = ["state", "checked_at", "smtp_method", "smtp_mechanism",
                       "pop_password_status", "smtp_password_status"]

    @admin.display(description=_("Mailbox password"))
    def pop_password_status(self, obj: Linkage) -> str:
        return _set_on(obj.pop_password_set_at)

    @admin.display(description=_("Outgoing server password"))
    def smtp_password_status(self, obj: Linkage) -> str:
        return _set_on(obj.smtp_password_set_at)


def _set_on(when) -> str:
    return _("set on %(date)s") % {"date": when.strftime("%Y-%m-%d")} if when else _("not set")


@admin.register(ConnectionCheck)
class ConnectionCheckAdmin(admin.ModelAdmin):
    list_display = ["linkage", "status", "cause", "created_at", "finished_at"]
    list_filter = ["status", "cause"]
    readonly_fields = [f.name for f in ConnectionCheck._meta.fields]
