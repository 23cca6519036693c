from django import forms
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from . import audit, services
from .models import AuditEntry, User


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    ordering = ["furigana", "login"]
    list_display = ["login", "name", "furigana", "email", "is_admin", "is_active"]
    list_filter = ["is_admin", "is_active"]
    search_fields = ["login", "name", "furigana", "email"]
    fieldsets = [
        (None, {"fields": ["login", "password"]}),
        (_("Personal info"), {"fields": ["name", "furigana", "email"]}),
        (_("Permissions"), {"fields": ["is_active", "is_admin"]}),
    ]
    add_fieldsets = [(None, {"classes": ["wide"],
                             "fields": ["login", "name", "furigana", "email", "is_admin",
                                        "password1", "password2"]})]
    filter_horizontal: list[str] = []

    def get_readonly_fields(self, request, obj=None):
        # The login ID is fixed once set.
        return ["login"] if obj is not None else []

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        actor = request.user

        class RuleForm(form):
            """The 責任者 rules hold here too: never one's own flag, never the last one."""

            def clean(self) -> dict:
                data = super().clean()
                if obj is None or not obj.is_admin:
                    return data
                losing = data.get("is_admin") is False or data.get("is_active") is False
                if losing:
                    try:
                        services.check_may_lose_admin(actor=actor, user=obj)
                    except services.UserRuleError as exc:
                        raise forms.ValidationError(str(exc)) from None
                return data

        return RuleForm

    def save_model(self, request, obj, form, change) -> None:
        super().save_model(request, obj, form, change)
        audit.record(actor=request.user, action="user.change" if change else "user.add",
                     subject=obj, target=obj.login,
                     details={"changed": sorted(form.changed_data), "via": "admin site"})

    def delete_model(self, request, obj) -> None:
        try:
            services.delete_user(actor=request.user, user=obj)
        except services.UserRuleError as exc:
            self.message_user(request, str(exc), messages.ERROR)

    def delete_queryset(self, request, queryset) -> None:
        for obj in queryset:
            self.delete_model(request, obj)


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    list_display = ["at", "actor_login", "action", "subject_login", "target"]
    list_filter = ["action"]
    search_fields = ["actor_login", "subject_login", "target"]
    readonly_fields = [f.name for f in AuditEntry._meta.fields]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
