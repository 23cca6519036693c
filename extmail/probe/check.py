"""The whole connection check: POP and SMTP concurrently under one deadline."""

from __future__ import annotations

import logging
import threading
import time

from .net import Deadline
from .pop3 import check_pop
from .report import mask_secrets
from .types import (
    Cause,
    CheckReport,
    Policy,
    PopResult,
    PopSettings,
    SmtpResult,
    SmtpSettings,
    Step,
)

log = logging.getLogger("extmail.probe")


def run_check(pop: PopSettings, smtp: SmtpSettings, policy: Policy) -> CheckReport:
    from .smtp import check_smtp

    start = time.monotonic()
    deadline = Deadline(policy.deadline)
    logged_in, pop_done = threading.Event(), threading.Event()
    results: dict[str, object] = {}

    def pop_side() -> None:
        try:
            results["pop"] = check_pop(pop, policy, deadline, logged_in)
        except Exception as exc:  # noqa: BLE001 - a bug must not become a stack trace
            results["pop"] = _crashed(PopResult(), exc)
        finally:
            pop_done.set()

    def smtp_side() -> None:
        try:
            results["smtp"] = check_smtp(smtp, pop.account, pop.password, policy, deadline,
                                         logged_in, pop_done)
        except Exception as exc:  # noqa: BLE001
            results["smtp"] = _crashed(SmtpResult(), exc)

    threads = [threading.Thread(target=pop_side, daemon=True),
               threading.Thread(target=smtp_side, daemon=True)]
    for thread in threads:
        thread.start()
    for thread in threads:
        # The watchdog has closed every socket by the deadline; allow a moment to unwind.
        thread.join(max(0.0, deadline.remaining()) + 2.0)
    deadline.cancel()
    pop_result = results.get("pop") or _timed_out(PopResult())
    smtp_result = results.get("smtp") or _timed_out(SmtpResult())
    assert isinstance(pop_result, PopResult) and isinstance(smtp_result, SmtpResult)
    secrets = [pop.password, smtp.password]
    mask_secrets(pop_result.steps, secrets)
    mask_secrets(smtp_result.steps, secrets)
    return CheckReport(pop=pop_result, smtp=smtp_result,
                       elapsed_ms=int((time.monotonic() - start) * 1000))


def _timed_out(result):
    result.cause = Cause.TIMEOUT
    return result


def _crashed(result, exc: Exception):
    """An unexpected error in our own code: reported as a protocol error, logged by name only
    (its message could quote server input or a credential)."""
    log.error("probe error: %s", exc.__class__.__name__)
    result.cause = Cause.PROTOCOL_ERROR
    result.steps.append(Step(name="error", ok=False, detail=exc.__class__.__name__))
    return result
