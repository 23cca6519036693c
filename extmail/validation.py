"""Field rules for linkages, shared by the forms and (later) the Excel importer.

Each function takes what the user typed and returns the clean value or raises ValidationError
with a message meant for the person who typed it.
"""

from __future__ import annotations

import ipaddress
import re
import unicodedata

from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator
from django.utils.translation import gettext as _

LABEL = re.compile(r"^(?!-)[A-Za-z0-9-]{1,63}(?<!-)$")
FORBIDDEN_CHARS = ("\r", "\n", "\x00")
MAX_SECRET = 255


def nfkc(value: str) -> str:
    return unicodedata.normalize("NFKC", value).strip()


def clean_mail_address(value: str) -> str:
    if any(ch in value for ch in FORBIDDEN_CHARS):
        raise ValidationError(_("A mail address cannot contain line breaks."), code="invalid")
    address = nfkc(value)
    if not address:
        raise ValidationError(_("Enter the mail address."), code="required")
    if len(address) > 254:
        raise ValidationError(_("A mail address can have at most 254 characters."), code="length")
    if "@" not in address or any(ch.isspace() for ch in address):
        raise ValidationError(_("Enter a mail address such as taro@example.co.jp."),
                              code="invalid")
    local, _sep, domain = address.rpartition("@")
    try:
        domain = clean_host_name(domain)
    except ValidationError:
        raise ValidationError(_("Enter a mail address such as taro@example.co.jp."),
                              code="invalid") from None
    address = f"{local}@{domain}"
    try:
        EmailValidator()(address)
    except ValidationError:
        raise ValidationError(_("Enter a mail address such as taro@example.co.jp."),
                              code="invalid") from None
    return address


def clean_host_name(host: str) -> str:
    """A DNS host name (IDN turned into its ASCII form) or an IPv4 address, lower-cased."""
    host = host.rstrip(".")
    if not host:
        raise ValidationError(_("Enter the host name."), code="invalid")
    try:
        ipaddress.IPv4Address(host)
        return host
    except ValueError:
        pass
    try:
        ascii_host = host.encode("idna").decode("ascii") if not host.isascii() else host
    except UnicodeError:
        raise ValidationError(_("This is not a valid host name."), code="invalid") from None
    labels = ascii_host.split(".")
    if len(ascii_host) > 253 or not all(LABEL.match(label) for label in labels):
        raise ValidationError(_("This is not a valid host name."), code="invalid")
    if labels[-1].isdigit():
        raise ValidationError(_("This is not a valid host name or IPv4 address."),
                              code="invalid")
    return ascii_host.lower()


def parse_server(value: str) -> tuple[str, int | None]:
    """`host`, `host:port`, `[v6]` or `[v6]:port` → (host, port or None for the default)."""
    if any(ch in value for ch in FORBIDDEN_CHARS):
        raise ValidationError(_("A host name cannot contain spaces or line breaks."),
                              code="invalid")
    text = nfkc(value)
    if not text:
        raise ValidationError(_("Enter the server's host name or IP address."), code="required")
    if any(ch.isspace() for ch in text):
        raise ValidationError(_("A host name cannot contain spaces or line breaks."),
                              code="invalid")
    port_text: str | None = None
    if text.startswith("["):
        inside, sep, rest = text[1:].partition("]")
        if not sep:
            raise ValidationError(_("An IPv6 address must be closed with ']'."), code="invalid")
        if rest:
            if not rest.startswith(":"):
                raise ValidationError(_("Write the port after the address as [address]:port."),
                                      code="invalid")
            port_text = rest[1:]
        host = _ipv6(inside)
    elif text.count(":") > 1:
        host = _ipv6(text)  # a bare IPv6 address: no port possible without brackets
    else:
        name, sep, port_part = text.partition(":")
        if sep:
            port_text = port_part
        host = clean_host_name(name)
    return host, (_port(port_text) if port_text is not None else None)


def _ipv6(text: str) -> str:
    try:
        return str(ipaddress.IPv6Address(text))
    except ValueError:
        raise ValidationError(_("This is not a valid IPv6 address."), code="invalid") from None


def _port(text: str) -> int:
    if not text.isdigit() or not text.isascii():
        raise ValidationError(_("The port must be a number from 1 to 65535."), code="port")
    port = int(text)
    if not 1 <= port <= 65535:
        raise ValidationError(_("The port must be a number from 1 to 65535."), code="port")
    return port


def clean_account(value: str) -> str:
    if not value:
        raise ValidationError(_("Enter the account name."), code="required")
    if any(ch in value for ch in FORBIDDEN_CHARS):
        raise ValidationError(_("The account name cannot contain line breaks."), code="invalid")
    if len(value) > MAX_SECRET:
        raise ValidationError(_("The account name can have at most 255 characters."),
                              code="length")
    if not value.isprintable():
        raise ValidationError(_("The account name contains characters that cannot be used."),
                              code="invalid")
    return value


def clean_password(value: str) -> str:
    """Passwords are kept exactly as typed: no trimming, no width conversion."""
    if any(ch in value for ch in FORBIDDEN_CHARS):
        raise ValidationError(_("The password cannot contain line breaks."), code="invalid")
    if len(value) > MAX_SECRET:
        raise ValidationError(_("The password can have at most 255 characters."), code="length")
    return value
