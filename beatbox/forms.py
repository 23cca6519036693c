"""Forms of 利用者管理 (user management, for 責任者)."""

from __future__ import annotations

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django import forms
from django.contrib.auth import password_validation
from django.utils.translation import gettext_lazy as _

from .models import User, login_validator


class _UserForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100, required=False)
    furigana = forms.CharField(label=_("Furigana"), max_length=200, required=False,
                               help_text=_("Used to sort users."))
    email = forms.EmailField(label=_("Mail address"), max_length=254, required=False)
    is_admin = forms.BooleanField(label=_("Administrator (責任者)"), required=False)
    password1 = forms.CharField(label=_("beat-box password"), strip=False, required=False,
                                widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}))
    password2 = forms.CharField(label=_("beat-box password (again)"), strip=False,
                                required=False,
                                widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}))

    def __init__(self, *args, user: User | None = None, **kwargs) -> None:
        self.user = user
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.add_input(Submit("submit", _("Save"), css_class="btn-primary"))

    def clean(self) -> dict:
        data = super().clean()
        p1, p2 = data.get("password1", ""), data.get("password2", "")
        if p1 != p2:
            self.add_error("password2", _("The two passwords differ."))
        elif p1:
            try:
                password_validation.validate_password(p1, self.user)
            except forms.ValidationError as exc:
                self.add_error("password1", exc)
        return data


class UserCreateForm(_UserForm):
    login = forms.CharField(label=_("Login ID"), max_length=64, validators=[login_validator],
                            help_text=_("Cannot be changed later."))
    field_order = ["login", "name", "furigana", "email", "is_admin", "password1", "password2"]

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["password1"].required = True
        self.fields["password2"].required = True

    def clean_login(self) -> str:
        login = self.cleaned_data["login"]
        if User.objects.filter(login__iexact=login).exists():
            raise forms.ValidationError(_("This login ID is already used."))
        return login


class UserEditForm(_UserForm):
    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        for name in ("password1", "password2"):
            self.fields[name].help_text = _("Leave blank to keep the current password.")
