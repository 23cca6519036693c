"""Django admin for 責任者: search and filter linkages, replace passwords (never shown), re-run
checks. Connection settings are changed on the 変更 screen, where every rule applies; here they
are read-only."""

from django import forms
from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _

from . import services
from .models import ConnectionCheck, Linkage
from .validation import clean_password

SETTINGS_FIELDS = ["owner", "mail_address", "pop_host", "pop_port", "pop_account", "pop_auth",
                   "leave_on_server", "pop_ssl", "smtp_host", "smtp_port", "smtp_auth",
                   "smtp_account", "smtp_ssl"]


class LinkageAdminForm(forms.ModelForm):
    new_pop_password = forms.CharField(
        label=_("New mailbox password"), required=False, strip=False,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
        help_text=_("Leave blank to keep the stored one. A new password is used only after "
                    "it passes a connection check."))
    new_smtp_password = forms.CharField(
        label=_("New outgoing server password"), required=False, strip=False,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
        help_text=_("Only for 'Specify' authentication."))

    class Meta:
        model = Linkage
        fields: list[str] = []

    def clean_new_pop_password(self) -> str:
        return clean_password(self.cleaned_data["new_pop_password"])

    def clean_new_smtp_password(self) -> str:
        value = clean_password(self.cleaned_data["new_smtp_password"])
        if value and self.instance.smtp_auth != "custom":
            raise forms.ValidationError(_("This linkage does not use its own outgoing server "
                                          "account."))
        return value


@admin.register(Linkage)
class LinkageAdmin(admin.ModelAdmin):
    form = LinkageAdminForm
    list_display = ["mail_address", "owner", "state", "is_primary", "checked_at",
                    "smtp_method"]
    list_filter = ["state", "is_primary", "pop_ssl", "smtp_ssl", "smtp_auth", "smtp_method"]
    search_fields = ["mail_address", "owner__login", "owner__name", "owner__furigana",
                     "pop_host", "smtp_host", "pop_account"]
    readonly_fields = [*SETTINGS_FIELDS, "state", "is_primary", "checked_at", "smtp_method",
                       "smtp_mechanism", "pop_password_status", "smtp_password_status"]
    fields = [*readonly_fields, "new_pop_password", "new_smtp_password"]
    actions = ["run_check"]

    def has_add_permission(self, request) -> bool:
        return False  # linkages are added on the add screen, through the connection check

    @admin.display(description=_("Mailbox password"))
    def pop_password_status(self, obj: Linkage) -> str:
        return _set_on(obj.pop_password_set_at)

    @admin.display(description=_("Outgoing server password"))
    def smtp_password_status(self, obj: Linkage) -> str:
        return _set_on(obj.smtp_password_set_at)

    def save_model(self, request, obj: Linkage, form, change: bool) -> None:
        pop_pw = form.cleaned_data.get("new_pop_password", "")
        smtp_pw = form.cleaned_data.get("new_smtp_password", "")
        if not (pop_pw or smtp_pw):
            return
        try:
            services.replace_passwords(linkage=obj, actor=request.user, pop_password=pop_pw,
                                       smtp_password=smtp_pw)
        except services.ServiceError as exc:
            self.message_user(request, str(exc), messages.ERROR)
        else:
            self.message_user(request, _("The new password is being checked; it is used once "
                                         "the connection check succeeds."), messages.INFO)

    def delete_model(self, request, obj: Linkage) -> None:
        services.delete_linkage(linkage=obj, actor=request.user)

    def delete_queryset(self, request, queryset) -> None:
        for obj in queryset:
            try:
                services.delete_linkage(linkage=obj, actor=request.user)
            except services.ServiceError as exc:
                self.message_user(request, f"{obj.mail_address}: {exc}", messages.ERROR)

    @admin.action(description=_("Run the connection check again"))
    def run_check(self, request, queryset) -> None:
        started = 0
        for linkage in queryset:
            try:
                services.request_check(linkage=linkage, requested_by=request.user)
                started += 1
            except services.ServiceError as exc:
                self.message_user(request, f"{linkage.mail_address}: {exc}", messages.ERROR)
        self.message_user(request, _("Connection checks started: %(n)d") % {"n": started})


def _set_on(when) -> str:
    return _("set on %(date)s") % {"date": when.strftime("%Y-%m-%d")} if when else _("not set")


@admin.register(ConnectionCheck)
class ConnectionCheckAdmin(admin.ModelAdmin):
    list_display = ["linkage", "status", "cause", "side", "created_at", "finished_at"]
    list_filter = ["status", "cause", "side"]
    search_fields = ["linkage__mail_address", "linkage__owner__login"]
    readonly_fields = [f.name for f in ConnectionCheck._meta.fields]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

