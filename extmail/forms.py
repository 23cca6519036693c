"""The linkage form (外部メール連係の追加・変更). HTML field names are a contract (DESIGN §6)."""

from __future__ import annotations

from dataclasses import dataclass, field

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Fieldset, Layout, Submit
from django import forms
from django.core.exceptions import ValidationError
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

from . import validation
from .models import Linkage, PopAuth, SmtpAuth

YES_NO_LEAVE = [("0", _("Do not leave")), ("1", _("Leave"))]
DEFAULT_PORTS = {("pop", False): 110, ("pop", True): 995, ("smtp", False): 25, ("smtp", True): 465}
YES_NO_SSL = [("0", _("Do not use")), ("1", _("Use"))]


@dataclass
class LinkageInput:
    """Clean values of one linkage, whatever screen or file they came from."""

    mail_address: str
    pop_host: str
    pop_port: int
    pop_account: str
    pop_auth: str
    leave_on_server: bool
    pop_ssl: bool
    smtp_host: str
    smtp_port: int
    smtp_auth: str
    smtp_account: str
    smtp_ssl: bool
    pop_password: str = field(default="", repr=False)  # "" on a change: keep the stored one
    smtp_password: str = field(default="", repr=False)


class PasswordInput(forms.PasswordInput):
    """Never re-renders a value, and tells browsers not to fill in the box's own password."""

    def __init__(self) -> None:
        super().__init__(render_value=False, attrs={"autocomplete": "new-password"})


class LinkageForm(forms.Form):
    mail_address = forms.CharField(
        label=_("Mail address"), max_length=400,
        help_text=_("The address of the outside mailbox. Example: taro@example.co.jp"),
        widget=forms.TextInput(attrs={"autocomplete": "off", "inputmode": "email"}))
    pop_server = forms.CharField(
        label=_("Incoming server host name (IP address)"), max_length=400,
        help_text=_("POP or APOP server. Add ':port' for a port other than the usual one. "
                     "Example: pop.example.co.jp or pop.example.co.jp:110"))
    pop_account = forms.CharField(
        label=_("Mailbox account name"), max_length=400,
        help_text=_("The name the mail server knows you by (login name, user ID). "
                     "Example: taro"),
        widget=forms.TextInput(attrs={"autocomplete": "off"}))
    pop_password = forms.CharField(
        label=_("Mailbox password"), strip=False, required=False, max_length=400,
        help_text=_("Type it exactly: upper and lower case may differ. It is shown as ****** "
                     "and cannot be viewed later."),
        widget=PasswordInput())
    pop_auth = forms.ChoiceField(
        label=_("POP authentication"), choices=PopAuth.choices, initial=PopAuth.AUTO,
        widget=forms.RadioSelect)
    leave_on_server = forms.ChoiceField(
        label=_("Mail in the mailbox"), choices=YES_NO_LEAVE, initial="0",
        widget=forms.RadioSelect,
        help_text=_("Choose 'Do not leave' if you read this mail only through beat-box. "
                     "Choose 'Leave' if you also read it from outside the office."))
    pop_ssl = forms.ChoiceField(
        label=_("Use SSL"), choices=YES_NO_SSL, initial="0", widget=forms.RadioSelect,
        help_text=_("'Use' encrypts the connection with POP over SSL (port 995 by default)."))
    smtp_server = forms.CharField(
        label=_("Outgoing server host name (IP address)"), max_length=400,
        help_text=_("SMTP server. Add ':port' for a port other than the usual one. "
                     "Example: smtp.example.co.jp or smtp.example.co.jp:587"))
    smtp_auth = forms.ChoiceField(
        label=_("Authentication"), choices=SmtpAuth.choices, initial=SmtpAuth.DEFAULT,
        widget=forms.RadioSelect,
        help_text=_("With the first choice the check finds out by itself whether the server "
                     "needs no authentication, POP before SMTP, or SMTP AUTH with the mailbox "
                     "account."))
    smtp_account = forms.CharField(
        label=_("Outgoing server account name"), max_length=400, required=False,
        help_text=_("Only when Authentication is 'Specify'."),
        widget=forms.TextInput(attrs={"autocomplete": "off"}))
    smtp_password = forms.CharField(
        label=_("Outgoing server password"), strip=False, required=False, max_length=400,
        help_text=_("Only when Authentication is 'Specify'."), widget=PasswordInput())
    smtp_ssl = forms.ChoiceField(
        label=_("Use SSL"), choices=YES_NO_SSL, initial="0", widget=forms.RadioSelect,
        help_text=_("'Use' encrypts the connection with SMTP over SSL (port 465 by default)."))

    def __init__(self, *args, owner, instance: Linkage | None = None,
                 conflict_check=None, **kwargs) -> None:
        """`conflict_check(address) -> reason or None` replaces the database lookup of the
        owner's other addresses (the Excel import checks against the file too)."""
        self.owner = owner
        self.instance = instance
        self.conflict_check = conflict_check
        if instance is not None and "initial" not in kwargs:
            kwargs["initial"] = initial_from(instance)
        super().__init__(*args, **kwargs)
        if instance is None:
            # On add both passwords are needed (the SMTP one only with 'Specify').
            self.fields["pop_password"].required = True
            self.fields["pop_password"].error_messages["required"] = _(
                "Enter the mailbox password.")
        else:
            keep = _("Leave blank to keep the stored password, unless you change the server, "
                      "port, account or SSL setting.")
            self.fields["pop_password"].help_text = keep
            self.fields["smtp_password"].help_text = keep

    @cached_property
    def helper(self) -> FormHelper:
        # Built only when the form is rendered (the Excel import validates thousands).
        helper = FormHelper()
        helper.form_tag = False
        helper.layout = Layout(
            Fieldset(_("Mail address"), "mail_address"),
            Fieldset(_("Incoming mail server"), "pop_server", "pop_account", "pop_password",
                     "pop_auth", "leave_on_server", "pop_ssl"),
            Fieldset(_("Outgoing mail server"), "smtp_server", "smtp_auth", "smtp_account",
                     "smtp_password", "smtp_ssl"),
        )
        helper.add_input(Submit("submit", _("Save"), css_class="btn-primary"))
        return helper

    # --- per-field rules -----------------------------------------------------------------
    def clean_mail_address(self) -> str:
        return validation.clean_mail_address(self.cleaned_data["mail_address"])

    def clean_pop_server(self) -> tuple[str, int | None]:
        return validation.parse_server(self.cleaned_data["pop_server"])

    def clean_smtp_server(self) -> tuple[str, int | None]:
        return validation.parse_server(self.cleaned_data["smtp_server"])

    def clean_pop_account(self) -> str:
        return validation.clean_account(self.cleaned_data["pop_account"])

    def clean_pop_password(self) -> str:
        return validation.clean_password(self.cleaned_data["pop_password"])

    def clean_smtp_password(self) -> str:
        return validation.clean_password(self.cleaned_data["smtp_password"])

    # --- rules across fields -------------------------------------------------------------
    def clean(self) -> dict:
        data = super().clean()
        self._clean_smtp_credentials(data)
        self._clean_address_rules(data)
        self._require_passwords(data)
        if not self.errors:
            data["linkage"] = self._to_input(data)
        return data

    def _clean_smtp_credentials(self, data: dict) -> None:
        if data.get("smtp_auth") != SmtpAuth.CUSTOM:
            return
        account = data.get("smtp_account", "")
        try:
            data["smtp_account"] = validation.clean_account(account)
        except ValidationError as exc:
            self.add_error("smtp_account", exc)

    def _clean_address_rules(self, data: dict) -> None:
        address = data.get("mail_address")
        if not address:
            return
        if self.conflict_check is not None:
            problem = self.conflict_check(address)
        else:
            from .selectors import address_conflict

            problem = address_conflict(owner=self.owner, address=address,
                                       exclude=self.instance)
        if problem:
            self.add_error("mail_address", problem)

    def _to_input(self, data: dict) -> LinkageInput:
        pop_ssl, smtp_ssl = data["pop_ssl"] == "1", data["smtp_ssl"] == "1"
        pop_host, pop_port = data["pop_server"]
        smtp_host, smtp_port = data["smtp_server"]
        custom = data["smtp_auth"] == SmtpAuth.CUSTOM
        return LinkageInput(
            mail_address=data["mail_address"],
            pop_host=pop_host, pop_port=pop_port or DEFAULT_PORTS[("pop", pop_ssl)],
            pop_account=data["pop_account"], pop_password=data.get("pop_password", ""),
            pop_auth=data["pop_auth"], leave_on_server=data["leave_on_server"] == "1",
            pop_ssl=pop_ssl,
            smtp_host=smtp_host, smtp_port=smtp_port or DEFAULT_PORTS[("smtp", smtp_ssl)],
            smtp_auth=data["smtp_auth"],
            smtp_account=data["smtp_account"] if custom else "",
            smtp_password=data.get("smtp_password", "") if custom else "",
            smtp_ssl=smtp_ssl,
        )

    def _require_passwords(self, data: dict) -> None:
        """On add both are needed; on a change only where the destination changed (§6)."""
        old = self.instance
        if not data.get("pop_password") and "pop_password" not in self.errors and (
                old is None or self._moved(data, "pop", old.pop_account)):
            self.add_error("pop_password", _("Enter the mailbox password.") if old is None else
                           _("You changed where this password is sent: enter it again."))
        if data.get("smtp_auth") != SmtpAuth.CUSTOM or data.get("smtp_password") or (
                "smtp_password" in self.errors):
            return
        if old is None or old.smtp_auth != SmtpAuth.CUSTOM or self._moved(
                data, "smtp", old.smtp_account):
            self.add_error("smtp_password",
                           _("Enter the outgoing server password.") if old is None else
                           _("You changed where this password is sent: enter it again."))

    def _moved(self, data: dict, side: str, old_account: str) -> bool:
        """Would a stored password now go to another server, port, account or SSL mode?"""
        old = self.instance
        ssl = data.get(f"{side}_ssl") == "1"
        server = data.get(f"{side}_server")
        if server is None:
            return False  # the server field has its own error; decide on the next submit
        host, port = server
        port = port or DEFAULT_PORTS[(side, ssl)]
        before = (getattr(old, f"{side}_host"), getattr(old, f"{side}_port"), old_account,
                  getattr(old, f"{side}_ssl"))
        return before != (host, port, data.get(f"{side}_account"), ssl)

def initial_from(linkage) -> dict:
    """Form values of a saved linkage or draft, passwords left out."""
    return {
        "mail_address": linkage.mail_address,
        "pop_server": linkage.pop_server,
        "pop_account": linkage.pop_account,
        "pop_auth": linkage.pop_auth,
        "leave_on_server": "1" if linkage.leave_on_server else "0",
        "pop_ssl": "1" if linkage.pop_ssl else "0",
        "smtp_server": linkage.smtp_server,
        "smtp_auth": linkage.smtp_auth,
        "smtp_account": linkage.smtp_account,
        "smtp_ssl": "1" if linkage.smtp_ssl else "0",
    }



class PrimaryForm(forms.Form):
    """主たるメールアドレス指定: one of the user's successfully checked linkages."""

    linkage = forms.ModelChoiceField(queryset=None, widget=forms.RadioSelect, empty_label=None,
                                     label=_("Primary mail address"))

    def __init__(self, *args, linkages, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["linkage"]
        field.queryset = linkages.filter(state="ok")
        field.label_from_instance = lambda lk: lk.mail_address
        current = next((lk for lk in linkages if lk.is_primary), None)
        if current is not None and not self.is_bound:
            self.initial["linkage"] = current.pk
