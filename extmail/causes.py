"""What each failure class means for the user, and what to do about it (shown in Japanese)."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Explanation:
    title: str
    advice: str


CAUSES: dict[str, Explanation] = {
    "dns_failure": Explanation(
        _("The server name was not found."),
        _("Check the spelling of the server's host name against your provider's information.")),
    "forbidden_address": Explanation(
        _("This server address cannot be used."),
        _("The name points to an address inside a private network. Enter the provider's public "
          "server name, or ask the administrator (責任者).")),
    "refused": Explanation(
        _("The server refused the connection."),
        _("Check the host name and port number. The provider may not accept connections from "
          "outside, or the port may be wrong for the SSL setting.")),
    "timeout": Explanation(
        _("The server did not answer in time."),
        _("Check the host name and port number. If they are right, the server or the line may "
          "be busy: try the connection check again later.")),
    "connection_lost": Explanation(
        _("The server closed the connection."),
        _("Check the port number and the SSL setting. Try again later if they are right.")),
    "tls_untrusted": Explanation(
        _("The server's certificate is not trusted."),
        _("The certificate was not issued by a known certificate authority. Check the host "
          "name, or ask your provider which server name to use with SSL.")),
    "tls_expired": Explanation(
        _("The server's certificate has expired."),
        _("The provider must renew its certificate. Ask your provider, or try again later.")),
    "tls_wrong_name": Explanation(
        _("The server's certificate is for a different name."),
        _("Enter the server name exactly as your provider gives it for SSL connections.")),
    "tls_handshake": Explanation(
        _("The encrypted connection could not be set up."),
        _("Check the SSL setting and the port number: SSL usually uses port 995 (POP) or "
          "465 (SMTP).")),
    "stls_failed": Explanation(
        _("The server offered encryption but could not set it up."),
        _("For safety the box does not fall back to an unencrypted connection. Ask your "
          "provider, or try the SSL setting instead.")),
    "tls_not_spoken": Explanation(
        _("The server does not use SSL on this port."),
        _("Set 'Use SSL' to 'Do not use', or enter the SSL port your provider gives "
          "(usually 995 for POP, 465 for SMTP).")),
    "ssl_expected": Explanation(
        _("This port expects an SSL connection."),
        _("Set 'Use SSL' to 'Use' for this server, or enter the port for connections without "
          "SSL (usually 110 for POP, 25 or 587 for SMTP).")),
    "not_pop_server": Explanation(
        _("This is not a POP server."),
        _("Check the incoming server's host name and port number (POP usually uses 110, or "
          "995 with SSL).")),
    "imap_server": Explanation(
        _("IMAP servers cannot be used."),
        _("beat-box receives mail with POP or APOP only. Enter your provider's POP server "
          "instead (often port 110, or 995 with SSL).")),
    "apop_not_offered": Explanation(
        _("This server does not offer APOP."),
        _("Choose 'Automatic' or 'USER/PASS' for POP authentication.")),
    "pop_auth_failed": Explanation(
        _("The mailbox account name or password was not accepted."),
        _("Type the account name and password again exactly as your provider gave them "
          "(upper and lower case differ).")),
    "uidl_missing": Explanation(
        _("This server cannot keep mail on the server for beat-box."),
        _("It does not support UIDL, which is needed to leave mail on the server. Choose "
          "'Do not leave'.")),
    "not_smtp_server": Explanation(
        _("This is not an SMTP server."),
        _("Check the outgoing server's host name and port number (SMTP usually uses 25 or "
          "587, or 465 with SSL).")),
    "smtp_auth_not_offered": Explanation(
        _("The outgoing server does not offer authentication."),
        _("Choose 'No authentication, or authenticate with the standard settings', or check "
          "the outgoing server name and port.")),
    "smtp_auth_failed": Explanation(
        _("The outgoing server did not accept the account name or password."),
        _("Check the outgoing server's account name and password. If your provider uses the "
          "mailbox account, choose the standard settings.")),
    "smtp_mechanism_unsupported": Explanation(
        _("The outgoing server's authentication method cannot be used with this password."),
        _("Ask your provider which authentication method to use.")),
    "smtp_relay_refused": Explanation(
        _("The outgoing server refused to send mail for this address."),
        _("Check the outgoing server name. Your provider may require authentication: choose "
          "'Specify' and enter the outgoing server's account and password.")),
    "unsafe_input": Explanation(
        _("A value contains characters that cannot be sent to the server."),
        _("Remove line breaks from the account names and passwords.")),
    "protocol_error": Explanation(
        _("The server answered in an unexpected way."),
        _("Check the host name and port number. Try again later if they are right.")),
    "stored_secret": Explanation(
        _("The stored password can no longer be read."),
        _("Enter the passwords again on the change screen.")),
}

UNKNOWN = Explanation(_("The connection check failed."),
                      _("Check the settings and try again."))


def explain(cause: str) -> Explanation:
    return CAUSES.get(cause, UNKNOWN)
