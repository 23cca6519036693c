"""Fetching throughput: 1,000 messages of ~10 KB from the local Dovecot into the box's
mailbox, with a clamd scan and a database commit per message (then DELE), side by side with
getmail6 fetching the same mailbox into a Maildir (no scanning, its own bookkeeping).

    .venv/bin/pip install -e .[bench]      # getmail6, for the comparison only
    .venv/bin/python bench/fetch.py [--messages 1000] [--runs 2]

Both run as separate processes (startup included) over plain POP3 on loopback; wall time and
peak RSS (from wait4) are printed with their ratio.
"""

from __future__ import annotations

import argparse
import base64
import os
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests import peers  # noqa: E402

SETUP = """
import uuid
from beatbox.models import User
from extmail import services
from extmail.models import Linkage
user = User.objects.create_user("bench", "Bench-pass-1")
lk = Linkage(id=uuid.uuid4(), owner=user, mail_address="fetcher@provider.example",
             pop_host="127.0.0.2", pop_port={port}, pop_account="fetcher", pop_auth="user",
             smtp_host="localhost", smtp_port=25, state="ok")
lk.set_secret("pop_password", {password!r})
lk.save()
services.create_mailbox(linkage=lk)
print(lk.pk)
"""

GETMAILRC = """[retriever]
type = SimplePOP3Retriever
server = 127.0.0.2
port = {port}
username = fetcher
password = {password}

[destination]
type = Maildir
path = {maildir}/
{user}
[options]
delete = true
read_all = true
verbose = 0
"""


def run(cmd: list[str], env: dict | None = None) -> tuple[float, float]:
    """Wall seconds and peak RSS (MB) of one child process."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    elapsed = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) != 0:
        raise RuntimeError(f"{cmd[0]} failed: {proc.stderr.read().decode()[-2000:]}")
    return elapsed, usage.ru_maxrss / 1024


def seed(dovecot, count: int) -> None:
    dovecot.empty("fetcher")
    for n in range(count):
        dovecot.deliver("fetcher", peers.make_message(n, size=10_000))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--messages", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=2)
    args = parser.parse_args()
    getmail = shutil.which("getmail") or str(Path(sys.executable).parent / "getmail")
    if not os.path.exists(getmail):
        sys.exit("getmail6 is not installed: .venv/bin/pip install -e .[bench]")
    dovecot, clamd = peers.start_dovecot(), peers.start_clamd()
    work = Path(tempfile.mkdtemp(prefix="beatbox-bench-fetch-"))
    try:
        password = peers.TEST_USERS["fetcher"]
        env = {k: v for k, v in os.environ.items() if not k.startswith(("BEATBOX_", "DJANGO_"))}
        env.update(DJANGO_SETTINGS_MODULE="beatbox.settings", BEATBOX_DATA_DIR=str(work / "box"),
                   BEATBOX_CREDENTIAL_KEYS=base64.urlsafe_b64encode(
                       secrets.token_bytes(32)).decode(),
                   BEATBOX_CLAMD=clamd.socket, BEATBOX_PROBE_ALLOWED_NETWORKS="127.0.0.0/8",
                   BEATBOX_LOG_LEVEL="WARNING")
        manage = [sys.executable, "manage.py"]
        subprocess.run([*manage, "migrate", "--noinput"], cwd=ROOT, env=env, check=True,
                       capture_output=True)
        out = subprocess.run([*manage, "shell", "-c", SETUP.format(
            port=dovecot.pop3, password=password)], cwd=ROOT, env=env, check=True,
            capture_output=True, text=True).stdout
        linkage = out.strip().splitlines()[-1]
        maildir = work / "getmail" / "Maildir"
        for sub in ("new", "cur", "tmp"):
            (maildir / sub).mkdir(parents=True)
        user = ""
        if os.geteuid() == 0:  # getmail refuses to deliver as root: deliver as nobody
            import pwd

            nobody = pwd.getpwnam("nobody")
            for path in [work, work / "getmail", maildir, *maildir.iterdir()]:
                os.chown(path, nobody.pw_uid, nobody.pw_gid)
            os.chmod(work, 0o755)
            user = "user = nobody\n"
        (work / "getmail" / "rc").write_text(GETMAILRC.format(
            port=dovecot.pop3, password=password, maildir=maildir, user=user))
        ours, theirs = [], []
        for _ in range(args.runs):
            seed(dovecot, args.messages)
            ours.append(run([*manage, "fetch_now", linkage], env))
            assert dovecot.message_count("fetcher") == 0
            seed(dovecot, args.messages)
            theirs.append(run([getmail, "--getmaildir", str(work / "getmail"), "--rcfile",
                               "rc"]))
            left = dovecot.message_count("fetcher")
            assert left == 0, f"getmail left {left} messages on the server"
        got = len(list((work / "box" / "mailboxes" / linkage / "new").iterdir()))
        assert got == args.messages * args.runs, got  # each exactly once (names are per id)
        t_ours, m_ours = min(t for t, _ in ours), max(m for _, m in ours)
        t_theirs, m_theirs = min(t for t, _ in theirs), max(m for _, m in theirs)
        n = args.messages
        print(f"{n} messages of ~10 KB, best of {args.runs} (process start included):")
        print(f"  beatbox (clamd scan + commit per message) {n / t_ours:7.0f} msg/s "
              f"{t_ours:6.2f} s  peak RSS {m_ours:6.1f} MB")
        print(f"  getmail6 (no scan)                        {n / t_theirs:7.0f} msg/s "
              f"{t_theirs:6.2f} s  peak RSS {m_theirs:6.1f} MB")
        print(f"  throughput ratio beatbox/getmail6 {t_theirs / t_ours:.2f}x, "
              f"memory ratio {m_ours / m_theirs:.2f}x")
    finally:
        clamd.stop()
        dovecot.stop()


if __name__ == "__main__":
    main()
