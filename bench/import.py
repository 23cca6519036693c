"""Bulk registration at office scale: 10,000 users and 10,000 linkages.

    .venv/bin/python bench/import.py [--users 10000]

Prints, side by side: a bare openpyxl read-only pass over the same file; our read +
validation (preview); the all-or-nothing commit; the peak memory of each (tracemalloc); and
the background password hashing rate (the one deliberately slow part, done after the commit).
Targets from issue 5: preview + commit under 3x the bare read, peak under 200 MB.
"""

from __future__ import annotations

import argparse
import base64
import io
import os
import secrets
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ["BEATBOX_DATA_DIR"] = tempfile.mkdtemp(prefix="beatbox-bench-")
os.environ["BEATBOX_CREDENTIAL_KEYS"] = base64.urlsafe_b64encode(
    secrets.token_bytes(32)).decode()
os.environ["DJANGO_SETTINGS_MODULE"] = "beatbox.settings"
os.environ.setdefault("BEATBOX_LOG_LEVEL", "WARNING")


def measure(fn, memory: bool):
    """Time (without tracemalloc, which slows Python down) or peak traced memory in MB."""
    if memory:
        tracemalloc.start()
    start = time.perf_counter()
    result = fn()
    elapsed = time.perf_counter() - start
    peak = 0.0
    if memory:
        peak = tracemalloc.get_traced_memory()[1] / (1024 * 1024)
        tracemalloc.stop()
    return result, elapsed, peak


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--users", type=int, default=10_000)
    parser.add_argument("--memory", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if not args.memory:
        # Peak memory comes from a second, separate run (tracemalloc distorts timings).
        import subprocess

        out = subprocess.run([sys.executable, __file__, "--users", str(args.users),
                              "--memory"], capture_output=True, text=True, check=True).stdout
        peaks = dict(line.split("=") for line in out.split() if "=" in line)
    else:
        peaks = {}

    import django

    django.setup()
    from django.core.management import call_command
    from openpyxl import load_workbook

    from beatbox.models import User
    from extmail import services
    from tests.xlsx import book, linkage_row, user_row

    call_command("migrate", verbosity=0)
    boss = User.objects.create_superuser("boss", "Boss-pass-123")
    n = args.users
    data = book(users=[user_row(f"user{i:05d}", email=f"user{i:05d}@example.co.jp")
                       for i in range(n)],
                linkages=[linkage_row(f"user{i:05d}", f"user{i:05d}@provider.example")
                          for i in range(n)])
    if not args.memory:
        print(f"workbook: {n} users + {n} linkages, {len(data) / 1024 / 1024:.1f} MB")

    def bare() -> int:
        wb = load_workbook(io.BytesIO(data), read_only=True)
        count = sum(1 for ws in wb for _ in ws.iter_rows(values_only=True))
        wb.close()
        return count

    mem = args.memory
    rows, t_bare, m_bare = measure(bare, mem)
    (plan, batch), t_prev, m_prev = measure(
        lambda: services.preview_import(actor=boss, data=data, file_name="bench.xlsx"), mem)
    assert batch is not None, plan.problems[:5]
    _, t_commit, m_commit = measure(
        lambda: services.commit_import(actor=boss, batch_pk=batch.pk), mem)
    assert User.objects.count() == n + 1
    if mem:
        print(f"bare={m_bare:.1f} preview={m_prev:.1f} commit={m_commit:.1f}")
        return
    m_bare, m_prev, m_commit = (float(peaks[k]) for k in ("bare", "preview", "commit"))
    print(f"{'':28}{'seconds':>9}{'ratio':>8}{'peak MB':>9}")
    print(f"{'bare openpyxl read-only':28}{t_bare:9.2f}{1:8.2f}{m_bare:9.1f}   ({rows} rows)")
    print(f"{'read + validate (preview)':28}{t_prev:9.2f}{t_prev / t_bare:8.2f}{m_prev:9.1f}")
    print(f"{'commit (one transaction)':28}{t_commit:9.2f}{t_commit / t_bare:8.2f}"
          f"{m_commit:9.1f}")
    total = t_prev + t_commit
    print(f"{'preview + commit':28}{total:9.2f}{total / t_bare:8.2f}"
          f"{max(m_prev, m_commit):9.1f}")
    sample = 16
    start = time.perf_counter()
    done = services.hash_pending_passwords(limit=sample)
    rate = done / (time.perf_counter() - start)
    print(f"background password hashing: {rate:.1f}/s on {os.cpu_count()} cores "
          f"(PBKDF2, Django's default cost) -> {n / rate / 60:.0f} min for {n} users, "
          "after the commit; users can log in meanwhile")


if __name__ == "__main__":
    main()
