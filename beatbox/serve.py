"""`make run`: the web server (gunicorn on :8080), the task worker and the fetch schedule,
stopped together.

Ctrl-C (or SIGTERM) stops both; if either dies, the other is stopped too, so the box never
runs half a service silently.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

BIND = os.environ.get("BEATBOX_BIND", "0.0.0.0:8080")  # noqa: S104 - a LAN appliance


def main() -> int:
    python = sys.executable
    gunicorn = [python, "-m", "gunicorn", "beatbox.wsgi:application", "--bind", BIND,
                "--workers", os.environ.get("BEATBOX_WEB_WORKERS", "2"), "--timeout", "60",
                "--access-logfile", "-", "--error-logfile", "-",
                # One shared control socket under $HOME would be fought over by every instance.
                "--no-control-socket"]
    worker = [python, "manage.py", "db_worker", "--interval", "0.5"]
    scheduler = [python, "manage.py", "run_scheduler"]
    procs = [subprocess.Popen(cmd) for cmd in (gunicorn, worker, scheduler)]  # noqa: S603
    print(f"beat-box: serving on http://{BIND}/ with the task worker; Ctrl-C stops both.",
          flush=True)
    stopping = False

    def stop(signum, frame) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    while not stopping and all(p.poll() is None for p in procs):
        time.sleep(0.3)
    for p in procs:
        if p.poll() is None:
            p.send_signal(signal.SIGTERM)
    deadline = time.monotonic() + 15
    for p in procs:
        try:
            p.wait(max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait()
    return 0 if stopping else 1


if __name__ == "__main__":
    sys.exit(main())
