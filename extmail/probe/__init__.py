"""Connection check against a provider's POP3 and SMTP servers.

Pure protocol code: no Django imports, typed results, every socket under one hard deadline.
"""

from .check import run_check
from .net import address_allowed
from .types import (
    Cause,
    CheckReport,
    Policy,
    PopAuth,
    PopResult,
    PopSettings,
    SmtpAuth,
    SmtpMethod,
    SmtpResult,
    SmtpSettings,
    Step,
)

__all__ = [
    "Cause", "CheckReport", "Policy", "PopAuth", "PopResult", "PopSettings", "SmtpAuth",
    "SmtpMethod", "SmtpResult", "SmtpSettings", "Step", "address_allowed", "run_check",
]
