"""Step recording and secret masking for probe reports."""

from __future__ import annotations

import base64
import time
from collections.abc import Iterator
from contextlib import contextmanager

from .net import ProbeError
from .types import Step

MASK = "******"


@contextmanager
def timed(steps: list[Step], name: str) -> Iterator[Step]:
    """Record one step; a ProbeError marks it failed with its detail and raw server text."""
    step = Step(name=name, ok=False)
    steps.append(step)
    start = time.monotonic()
    try:
        yield step
        step.ok = True
    except ProbeError as exc:
        step.detail = step.detail or exc.detail
        step.raw = step.raw or exc.raw
        raise
    finally:
        step.ms = int((time.monotonic() - start) * 1000)


def record_failure(steps: list[Step], exc: ProbeError) -> None:
    """Add an "error" step unless the step that failed already says so (a timed() step)."""
    if not steps or steps[-1].ok:
        steps.append(Step(name="error", ok=False, detail=exc.detail, raw=exc.raw))


def mask_secrets(steps: list[Step], secrets: list[str]) -> None:
    """Remove any trace of the passwords a server might echo back in its replies."""
    needles: list[str] = []
    for secret in secrets:
        if not secret:
            continue
        needles.append(secret)
        raw = secret.encode("utf-8")
        needles.append(base64.b64encode(raw).decode("ascii"))
    needles.sort(key=len, reverse=True)
    for step in steps:
        for needle in needles:
            step.raw = step.raw.replace(needle, MASK)
            step.detail = step.detail.replace(needle, MASK)
