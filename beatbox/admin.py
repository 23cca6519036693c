from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from .models import User


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    ordering = ["furigana", "login"]
    list_display = ["login", "name", "furigana", "email", "is_admin", "is_active"]
    list_filter = ["is_admin", "is_active"]
    search_fields = ["login", "name", "furigana", "email"]
    fieldsets = [
        (None, {"fields": ["login", "password"]}),
        (_("Personal info"), {"fields": ["name", "furigana", "email"]}),
        (_("Permissions"), {"fields": ["is_active", "is_admin", "is_superuser"]}),
    ]
    add_fieldsets = [(None, {"classes": ["wide"],
                             "fields": ["login", "name", "furigana", "email", "is_admin",
                                        "password1", "password2"]})]
    filter_horizontal: list[str] = []

    def get_readonly_fields(self, request, obj=None):
        # The login ID is fixed once set.
        return ["login"] if obj is not None else []
