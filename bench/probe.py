"""Connection-check timings, side by side with a bare poplib + smtplib login sequence.

    .venv/bin/python bench/probe.py [--runs 20]

Starts a private Dovecot and Postfix (as the tests do), then prints:
1. wall time of a full check (POP over STLS + SMTP submission with STARTTLS and AUTH) against a
   bare poplib + smtplib sequence doing the same logins on the same servers (median, ratio);
2. how long each gives up on a silent server and on a drip-feeding one.
Figures, not assertions: compare them between runs on the same machine.
"""

from __future__ import annotations

import argparse
import ipaddress
import os
import poplib
import smtplib
import ssl
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.settings")

from extmail.probe import Policy, PopSettings, SmtpSettings, run_check  # noqa: E402
from tests import peers  # noqa: E402

PASSWORD = "Secr3t pass "


def bare(dovecot, postfix, ctx: ssl.SSLContext, timeout: float) -> None:
    pop = poplib.POP3("localhost", dovecot.pop3, timeout=timeout)
    pop.stls(ctx)
    pop.user("taro")
    pop.pass_(PASSWORD)
    pop.stat()
    pop.uidl()
    pop.quit()
    smtp = smtplib.SMTP("localhost", postfix.submission, timeout=timeout)
    smtp.ehlo("beat-box")
    smtp.starttls(context=ctx)
    smtp.ehlo("beat-box")
    smtp.login("taro", PASSWORD)
    smtp.mail("taro@example.co.jp")
    smtp.rcpt("postmaster@example.net")
    smtp.rset()
    smtp.quit()


def timed(fn, runs: int) -> list[float]:
    out = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        out.append(time.perf_counter() - start)
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args()
    dovecot = peers.start_dovecot()
    postfix = peers.start_postfix(dovecot)
    try:
        ctx = ssl.create_default_context(cafile=dovecot.certs.cafile)
        policy = Policy(deadline=30, op_timeout=10, cafile=dovecot.certs.cafile,
                        allowed_networks=(ipaddress.ip_network("127.0.0.0/8"),))
        pop = PopSettings(host="localhost", port=dovecot.pop3, ssl=False, account="taro",
                          password=PASSWORD)
        smtp = SmtpSettings(host="localhost", port=postfix.submission, ssl=False,
                            mail_from="taro@example.co.jp")
        report = run_check(pop, smtp, policy)
        assert report.ok, report
        bare(dovecot, postfix, ctx, 10)  # warm both paths once
        ours = timed(lambda: run_check(pop, smtp, policy), args.runs)
        base = timed(lambda: bare(dovecot, postfix, ctx, 10), args.runs)
        mo, mb = statistics.median(ours), statistics.median(base)
        print(f"full check, {args.runs} runs (median / min / max, ms):")
        print(f"  beatbox probe      {mo*1000:7.1f} / {min(ours)*1000:7.1f} / "
              f"{max(ours)*1000:7.1f}")
        print(f"  poplib + smtplib   {mb*1000:7.1f} / {min(base)*1000:7.1f} / "
              f"{max(base)*1000:7.1f}")
        print(f"  ratio probe/bare   {mo/mb:7.2f}x   (mechanism: {report.smtp.mechanism})")
        give_up(policy)
    finally:
        postfix.stop()
        dovecot.stop()


def give_up(policy: Policy) -> None:
    """Silent and drip-feeding servers: when does each client stop waiting?"""
    short = Policy(deadline=5, op_timeout=2, allowed_networks=policy.allowed_networks)
    silent = peers.FakeServer(lambda c: time.sleep(30))

    def drip(conn):
        for ch in b"+OK " + b"z" * 30 + b"\r\n":
            conn.sendall(bytes([ch]))
            time.sleep(0.5)

    dripper = peers.FakeServer(drip)
    try:
        print("giving up (deadline 5 s, operation timeout 2 s; poplib timeout 2 s):")
        for name, server in (("silent server", silent), ("drip-feed 2 B/s", dripper)):
            pop = PopSettings(host="127.0.0.1", port=server.port, ssl=False, account="a",
                              password="b")
            smtp = SmtpSettings(host="127.0.0.1", port=server.port, ssl=False)
            start = time.perf_counter()
            report = run_check(pop, smtp, short)
            ours = time.perf_counter() - start
            start = time.perf_counter()
            try:
                poplib.POP3("127.0.0.1", server.port, timeout=2).quit()
            except (OSError, poplib.error_proto):
                pass
            theirs = time.perf_counter() - start
            print(f"  {name:16} probe {ours:5.1f} s ({report.pop.cause})   "
                  f"poplib {theirs:5.1f} s   ratio {ours/theirs:5.2f}x")
    finally:
        silent.stop()
        dripper.stop()


if __name__ == "__main__":
    main()
