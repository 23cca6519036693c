"""Typed inputs and results of a connection check. No Django here."""

from __future__ import annotations

import enum
import ipaddress
from dataclasses import dataclass, field

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


class PopAuth(enum.StrEnum):
    AUTO = "auto"
    USER = "user"
    APOP = "apop"


class SmtpAuth(enum.StrEnum):
    DEFAULT = "default"  # none, POP-before-SMTP or SMTP AUTH with the POP account: found out
    CUSTOM = "custom"  # SMTP AUTH with the given account


class SmtpMethod(enum.StrEnum):
    """How the provider let us send, as found by the check."""

    NONE = "none"
    POP_BEFORE_SMTP = "pop_before_smtp"
    AUTH = "auth"


class Cause(enum.StrEnum):
    """Why a check failed: one class per thing the user can do something about."""

    DNS_FAILURE = "dns_failure"
    FORBIDDEN_ADDRESS = "forbidden_address"
    REFUSED = "refused"
    TIMEOUT = "timeout"
    CONNECTION_LOST = "connection_lost"
    TLS_UNTRUSTED = "tls_untrusted"
    TLS_EXPIRED = "tls_expired"
    TLS_WRONG_NAME = "tls_wrong_name"
    TLS_HANDSHAKE = "tls_handshake"
    STLS_FAILED = "stls_failed"
    TLS_NOT_SPOKEN = "tls_not_spoken"  # SSL on, but the port talks plain text
    SSL_EXPECTED = "ssl_expected"  # SSL off, but a port that waits for an SSL handshake
    NOT_POP_SERVER = "not_pop_server"
    IMAP_SERVER = "imap_server"
    APOP_NOT_OFFERED = "apop_not_offered"
    POP_AUTH_FAILED = "pop_auth_failed"
    UIDL_MISSING = "uidl_missing"
    NOT_SMTP_SERVER = "not_smtp_server"
    SMTP_AUTH_NOT_OFFERED = "smtp_auth_not_offered"
    SMTP_AUTH_FAILED = "smtp_auth_failed"
    SMTP_MECHANISM_UNSUPPORTED = "smtp_mechanism_unsupported"
    SMTP_RELAY_REFUSED = "smtp_relay_refused"
    UNSAFE_INPUT = "unsafe_input"
    PROTOCOL_ERROR = "protocol_error"


@dataclass(frozen=True)
class Policy:
    """Limits every check obeys."""

    deadline: float = 30.0  # seconds for the whole check, POP and SMTP together
    op_timeout: float = 10.0  # seconds for any single connect/read/write
    allowed_networks: tuple[Network, ...] = ()
    cafile: str | None = None  # extra trusted CAs, on top of the system store
    relay_recipient: str = "postmaster@example.net"
    helo_name: str = "beat-box"


@dataclass(frozen=True)
class PopSettings:
    host: str
    port: int
    ssl: bool
    account: str
    password: str = field(repr=False)
    auth: PopAuth = PopAuth.AUTO
    leave_on_server: bool = False


@dataclass(frozen=True)
class SmtpSettings:
    host: str
    port: int
    ssl: bool
    auth: SmtpAuth = SmtpAuth.DEFAULT
    account: str = ""
    password: str = field(default="", repr=False)
    mail_from: str = ""


@dataclass
class Step:
    """One thing the check did, for the step-by-step report (never holds a password)."""

    name: str
    ok: bool
    detail: str = ""
    raw: str = ""
    ms: int = 0


@dataclass
class PopResult:
    ok: bool = False
    cause: Cause | None = None
    steps: list[Step] = field(default_factory=list)
    auth_method: str = ""  # "user" or "apop"
    tls: str = ""  # TLS version, "" for plaintext
    message_count: int | None = None
    mailbox_octets: int | None = None
    uidl_supported: bool | None = None


@dataclass
class SmtpResult:
    ok: bool = False
    cause: Cause | None = None
    steps: list[Step] = field(default_factory=list)
    method: SmtpMethod | None = None
    mechanism: str = ""
    tls: str = ""


@dataclass
class CheckReport:
    pop: PopResult
    smtp: SmtpResult
    elapsed_ms: int = 0

    @property
    def ok(self) -> bool:
        return self.pop.ok and self.smtp.ok
