"""Stored-secret encryption: bound to row and field, key ring rotation, clear key errors."""

from __future__ import annotations

import base64
import os
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command

from extmail import crypto
from extmail.models import Linkage

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def key_file(tmp_path, settings, monkeypatch):
    monkeypatch.delenv("BEATBOX_CREDENTIAL_KEYS", raising=False)
    settings.BEATBOX_CREDENTIAL_KEY_FILE = tmp_path / "credential.keys"
    crypto.reset_keyring_cache()
    yield settings.BEATBOX_CREDENTIAL_KEY_FILE
    crypto.reset_keyring_cache()


def _saved_linkage(user, password: str, address: str = "a@x.example") -> Linkage:
    link = Linkage(owner=user, mail_address=address, pop_host="h", pop_port=110,
                   pop_account="a", smtp_host="h", smtp_port=25)
    link.set_secret("pop_password", password)
    link.save()
    return link


def test_round_trip_and_binding():
    token = crypto.encrypt("pässword ", row="extmail.linkage:1", field="pop_password")
    assert "pässword" not in token
    assert crypto.decrypt(token, row="extmail.linkage:1", field="pop_password") == "pässword "
    with pytest.raises(crypto.DecryptionError):
        crypto.decrypt(token, row="extmail.linkage:2", field="pop_password")
    with pytest.raises(crypto.DecryptionError):
        crypto.decrypt(token, row="extmail.linkage:1", field="smtp_password")
    tampered = token[:-4] + ("AAAA" if not token.endswith("AAAA") else "BBBB")
    with pytest.raises(crypto.DecryptionError):
        crypto.decrypt(tampered, row="extmail.linkage:1", field="pop_password")


def test_nonce_is_fresh():
    a = crypto.encrypt("same", row="r", field="f")
    b = crypto.encrypt("same", row="r", field="f")
    assert a != b


def test_ciphertext_moved_to_another_linkage_does_not_decrypt(user):
    a = _saved_linkage(user, "secret-a")
    b = Linkage(owner=user, mail_address="b@x.example", pop_host="h", pop_port=110,
                pop_account="b", smtp_host="h", smtp_port=25, pop_password_enc=a.pop_password_enc)
    b.save()
    assert Linkage.objects.get(pk=a.pk).get_secret("pop_password") == "secret-a"
    with pytest.raises(crypto.DecryptionError):
        Linkage.objects.get(pk=b.pk).get_secret("pop_password")


def test_missing_key_file_is_a_clear_error(key_file):
    with pytest.raises(crypto.CredentialKeyError, match="credential key file .* is missing"):
        crypto.keyring()


def test_malformed_key_is_a_clear_error(key_file):
    key_file.write_text("not-a-key\n")
    with pytest.raises(crypto.CredentialKeyError, match="malformed"):
        crypto.keyring()


def test_init_creates_private_key_file(key_file, db):
    call_command("init_credential_keys", stdout=StringIO())
    assert key_file.exists()
    assert (os.stat(key_file).st_mode & 0o777) == 0o600
    assert len(base64.urlsafe_b64decode(key_file.read_text().strip())) == 32


def test_init_refuses_when_passwords_exist_but_key_is_lost(key_file, user):
    call_command("init_credential_keys", stdout=StringIO())
    _saved_linkage(user, "pw")
    key_file.unlink()
    crypto.reset_keyring_cache()
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="Restore it"):
        call_command("init_credential_keys", stdout=StringIO())


def test_rotate_reencrypts_and_drops_old_key(key_file, user):
    call_command("init_credential_keys", stdout=StringIO())
    link = _saved_linkage(user, "rotate-me")
    old_token = link.pop_password_enc
    out = StringIO()
    call_command("rotate_credential_keys", "--drop-old", stdout=out)
    assert "Re-encrypted 1" in out.getvalue()
    assert len(key_file.read_text().split()) == 1
    link.refresh_from_db()
    assert link.pop_password_enc != old_token
    assert link.get_secret("pop_password") == "rotate-me"
    with pytest.raises(crypto.DecryptionError):
        crypto.decrypt(old_token, row=link._row(), field="pop_password")


def test_web_server_refuses_to_start_without_key(tmp_path):
    env = {k: v for k, v in os.environ.items() if k != "BEATBOX_CREDENTIAL_KEYS"}
    env.update(BEATBOX_DATA_DIR=str(tmp_path), DJANGO_SETTINGS_MODULE="beatbox.settings")
    proc = subprocess.run([sys.executable, "-c", "import beatbox.wsgi"], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode != 0
    assert "credential key file" in proc.stderr and "is missing" in proc.stderr
