"""`make run`'s pieces: first 責任者, the web server and worker started and stopped together."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
import urllib.request
from io import StringIO

import pytest
from django.core.management import call_command

from beatbox.models import User
from tests.stack import ROOT, start_stack

pytestmark = pytest.mark.timeout(120)


@pytest.mark.django_db
def test_ensure_admin_generates_a_password_once(monkeypatch):
    monkeypatch.delenv("BEATBOX_ADMIN_PASSWORD", raising=False)
    monkeypatch.setenv("BEATBOX_ADMIN_LOGIN", "chief")
    out = StringIO()
    call_command("ensure_admin", stdout=out)
    text = out.getvalue()
    password = text.split("Its generated password is: ")[1].split()[0]
    admin = User.objects.get(login="chief")
    assert admin.is_admin and admin.check_password(password)
    again = StringIO()
    call_command("ensure_admin", stdout=again)
    assert again.getvalue() == ""  # never a second admin, never the password again


def _children(pid: int) -> list[int]:
    out = subprocess.run(["ps", "-o", "pid=", "--ppid", str(pid)], capture_output=True,
                         text=True).stdout
    return [int(p) for p in out.split()]


def test_stack_serves_and_stops_with_its_worker():
    stack = start_stack({})
    try:
        children = _children(stack.proc.pid)
        assert len(children) == 3  # gunicorn, the task worker and the fetch schedule
        with urllib.request.urlopen(stack.url + "/beatman/login/", timeout=10) as response:
            html = response.read().decode()
            assert response.status == 200
            assert response.headers["X-Frame-Options"] == "DENY"
        assert "ログインID" in html
        with urllib.request.urlopen(stack.url + "/static/vendor/bootstrap/bootstrap.min.css",
                                    timeout=10) as response:
            assert response.status == 200  # whitenoise serves static files
    finally:
        stack.stop()
    time.sleep(0.5)
    for pid in children:
        assert not os.path.exists(f"/proc/{pid}") or open(f"/proc/{pid}/stat").read().split()[
            2] == "Z"


def test_deploy_check_only_reports_plain_http_items(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    env.update(DJANGO_SETTINGS_MODULE="beatbox.settings", BEATBOX_DATA_DIR=str(tmp_path))
    subprocess.run([sys.executable, "manage.py", "init_credential_keys"], cwd=ROOT, env=env,
                   check=True, capture_output=True, timeout=60)
    proc = subprocess.run([sys.executable, "manage.py", "check", "--deploy"], cwd=ROOT,
                          env=env, capture_output=True, text=True, timeout=60)
    ids = set(re.findall(r"^\?: \((\w+\.\w+)\)", proc.stderr, re.M))
    assert ids, proc.stderr  # the plain-HTTP warnings are expected to be there
    # Documented in docs/deploy.md: what a plain-HTTP LAN port cannot satisfy.
    assert ids <= {"security.W004", "security.W008", "security.W012", "security.W016"}
