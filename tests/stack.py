"""The whole box as `make run` starts it (gunicorn + task worker), on a free loopback port."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from tests.peers import free_port, wait_port

ROOT = Path(__file__).resolve().parent.parent


@dataclass
class Stack:
    url: str
    data_dir: Path
    env: dict
    proc: subprocess.Popen
    log: Path

    def manage(self, *args: str) -> str:
        return subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=self.env,
                              check=True, capture_output=True, text=True, timeout=120).stdout

    def stop(self) -> None:
        # Only the process we started (its children are stopped by it).
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(20)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()


def start_stack(extra_env: dict[str, str]) -> Stack:
    data_dir = Path(tempfile.mkdtemp(prefix="beatbox-stack-"))
    port = free_port()
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("BEATBOX_", "DJANGO_"))}
    env.update({
        "DJANGO_SETTINGS_MODULE": "beatbox.settings",
        "BEATBOX_DATA_DIR": str(data_dir),
        "BEATBOX_BIND": f"127.0.0.1:{port}",
        "BEATBOX_WEB_WORKERS": "1",
        "BEATBOX_ADMIN_LOGIN": "boss",
        "BEATBOX_ADMIN_PASSWORD": "Boss-pass-123",
        "BEATBOX_DOMAIN": "example.co.jp",
        **extra_env,
    })
    stack_log = data_dir / "stack.log"
    for step in (["init_credential_keys"], ["migrate", "--noinput"], ["ensure_admin"],
                 ["collectstatic", "--noinput", "-v", "0"]):
        subprocess.run([sys.executable, "manage.py", *step], cwd=ROOT, env=env, check=True,
                       capture_output=True, timeout=180)
    with open(stack_log, "wb") as log:
        proc = subprocess.Popen([sys.executable, "-m", "beatbox.serve"], cwd=ROOT, env=env,
                                stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    stack = Stack(f"http://127.0.0.1:{port}", data_dir, env, proc, stack_log)
    try:
        wait_port("127.0.0.1", port, timeout=30)
    except TimeoutError:
        stack.stop()
        raise RuntimeError("the stack did not start:\n" + stack_log.read_text()) from None
    return stack
